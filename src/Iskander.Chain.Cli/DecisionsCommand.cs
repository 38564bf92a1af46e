using System.CommandLine;
using System.Globalization;
using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.DevServices;

namespace Iskander.Chain.Cli;

/// <summary><c>iskander-chain decisions list|show</c>: the decision versions the bridge holds, their pipeline status and the actions they order.</summary>
internal static class DecisionsCommand
{
    public static Command Create()
    {
        var dataDirectory = CommonOptions.DataDirectory();
        var list = new Command("list", $"List decision versions and where each is in the pipeline (database: ${EmbeddedServices.DatabaseVariable}, else the embedded cluster).") { dataDirectory };
        list.SetAction((parseResult, cancellationToken) => BridgeDatabaseAccess.WithDatabaseAsync(parseResult, dataDirectory, async (database, _) =>
        {
            var counts = await DecisionQueries.StatusCountsAsync(database, cancellationToken).ConfigureAwait(false);
            foreach (var decision in await DecisionQueries.AnchoredAsync(database, cancellationToken: cancellationToken).ConfigureAwait(false)) Console.WriteLine(Line(decision));
            Console.WriteLine(counts.Count == 0 ? "no decision versions yet" : "pipeline: " + string.Join(", ", counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Value} {p.Key}")));
            return 0;
        }, cancellationToken));

        var key = new Argument<string>("poll") { Description = "The poll's key." };
        var show = new Command("show", "Show a poll's decision versions, the actions they order and why any action block was not acted on.") { key, dataDirectory };
        show.SetAction((parseResult, cancellationToken) => BridgeDatabaseAccess.WithDatabaseAsync(parseResult, dataDirectory, async (database, _) =>
        {
            var pollKey = parseResult.GetValue(key)!;
            var versions = await DecisionQueries.AnchoredAsync(database, pollKey, cancellationToken).ConfigureAwait(false);
            var notes = await GovernanceActions.NotesAsync(database, pollKey, cancellationToken).ConfigureAwait(false);
            var actions = await GovernanceActions.ListAsync(database, pollKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (versions.Count == 0 && notes.Count == 0 && actions.Count == 0)
            {
                Console.Error.WriteLine($"no anchored version of poll {pollKey} yet");
                return 1;
            }

            foreach (var version in versions.Select(v => v.Version).Concat(notes.Keys).Concat(actions.Select(a => a.Version)).Distinct().Order())
            {
                if (versions.FirstOrDefault(v => v.Version == version) is { } decision) Console.WriteLine(Line(decision));
                else Console.WriteLine($"{pollKey,-12} v{version,-3} (not yet batched)");
                if (notes.TryGetValue(version, out var note)) Console.WriteLine($"    ! {note}");
                foreach (var action in actions.Where(a => a.Version == version))
                {
                    var arguments = string.Join(" ", action.Spec.Where(p => p.Key != "kind" && p.Value is not null && p.Value.ToString() != "").Select(p => $"{p.Key}={p.Value}"));
                    Console.WriteLine($"    action {action.Id}: {action.Kind} {arguments} — {action.Status}{(action.Reason is null ? "" : $" ({action.Reason})")}");
                    if (action.ScheduleText(DateTimeOffset.UtcNow) is { } schedule) Console.WriteLine($"        {schedule}");
                }
            }

            return 0;
        }, cancellationToken));
        return new Command("decisions", "Decision versions held by the bridge.") { list, show };
    }

    private static string Line(AnchoredDecision decision) => string.Create(CultureInfo.InvariantCulture,
        $"{decision.PollKey,-12} v{decision.Version,-3} {decision.State,-18} {decision.Cid}  batch {decision.BatchStatus,-9} block {decision.BlockNumber?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
}
