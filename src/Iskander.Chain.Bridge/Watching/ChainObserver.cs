using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Ethereum;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bridge.Watching;

/// <summary>
/// The Glass Box observations of one mirror round, in its transaction: each goes through
/// <see cref="GlassBoxLog.ObserveAsync"/>, so a subject is observed once whatever is replayed.
/// </summary>
internal sealed class ChainObserver(NpgsqlConnection connection, NpgsqlTransaction transaction, ILogger log)
{
    /// <summary>Glass Box action of an anchor whose root is not one of this bridge's batches.</summary>
    public const string ForeignAnchor = "chain.foreign-anchor";

    /// <summary>Glass Box action of an action scheduled on chain (its notice period starts).</summary>
    public const string ActionInNotice = "action.in-notice";

    /// <summary>Glass Box action of a disputed escrow whose deadline is near (or past).</summary>
    public const string EscrowDeadlineDue = "escrow.deadline-due";

    /// <summary>Observes the anchors among <paramref name="anchored"/> (BatchAnchored events) whose root no batch of this database has.</summary>
    public async Task ForeignAnchorsAsync(IReadOnlyList<ChainEvent> anchored, CancellationToken cancellationToken)
    {
        if (anchored.Count == 0) return;
        var ours = new HashSet<Hash32>();
        await using (var command = new NpgsqlCommand("SELECT root FROM batches WHERE root = ANY($1)", connection, transaction))
        {
            command.Parameters.Add(new() { Value = anchored.Select(e => (byte[])e.Decoded!["root"]!).ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) ours.Add(new Hash32((byte[])reader[0]));
        }

        foreach (var anchor in anchored.Where(e => !ours.Contains(new Hash32((byte[])e.Decoded!["root"]!))))
        {
            var root = new Hash32((byte[])anchor.Decoded!["root"]!);
            await ObserveAsync(ForeignAnchor, root.ToString(), new JsonObject
            {
                ["contract"] = Hex.Encode(anchor.Log.Address.Bytes),
                ["sequence"] = Number(anchor.Decoded["sequence"]),
                ["leafCount"] = Number(anchor.Decoded["leafCount"]),
                ["anchoredAt"] = Number(anchor.Decoded["anchoredAt"]),
            }, anchor, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Observes each action of <paramref name="scheduled"/> (ActionScheduled events): its notice period has started.</summary>
    public async Task ActionsInNoticeAsync(IReadOnlyList<ChainEvent> scheduled, CancellationToken cancellationToken)
    {
        foreach (var action in scheduled)
        {
            var decoded = action.Decoded!;
            var timing = (object?[])decoded["action"]!; // IActionSchedule.Action: executableAt, expiresAt, …
            await ObserveAsync(ActionInNotice, Hex.Encode((byte[])decoded["actionId"]!), new JsonObject
            {
                ["target"] = Hex.Encode(((Address)decoded["target"]!).Bytes),
                ["poll"] = Hex.Encode((byte[])decoded["poll"]!),
                ["version"] = Number(decoded["version"]),
                ["kind"] = Hex.Encode((byte[])decoded["kind"]!),
                ["decisionDigest"] = Hex.Encode((byte[])decoded["decisionDigest"]!),
                ["executableAt"] = Number(timing[0]),
                ["expiresAt"] = Number(timing[1]),
            }, action, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Observes each disputed escrow whose deadline is within <paramref name="window"/> of chain time and that was not observed yet.</summary>
    public async Task EscrowDeadlinesAsync(Func<Task<DateTimeOffset>> chainTime, TimeSpan window, CancellationToken cancellationToken)
    {
        var pending = new List<(string Subject, long Deadline, string DisputedBy)>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT encode(address, 'hex'), id::text, dispute_deadline, disputed_by FROM escrows e WHERE status = 'disputed'
            AND NOT EXISTS (SELECT 1 FROM glass_box g WHERE g.kind = 'observation' AND g.action = $1 AND g.subject = '0x' || encode(e.address, 'hex') || '/' || e.id::text)
            """, connection, transaction))
        {
            command.Parameters.Add(new() { Value = EscrowDeadlineDue });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                pending.Add(($"0x{reader.GetString(0)}/{reader.GetString(1)}", reader.GetInt64(2), reader.GetString(3)));
            }
        }

        if (pending.Count == 0) return;
        var now = await chainTime().ConfigureAwait(false);
        foreach (var (subject, deadline, disputedBy) in pending.Where(p => p.Deadline <= (now + window).ToUnixTimeSeconds()))
        {
            var seq = await GlassBoxLog.ObserveAsync(connection, transaction, EscrowDeadlineDue, subject, new JsonObject
            {
                ["deadline"] = deadline.ToString(CultureInfo.InvariantCulture),
                ["chainTime"] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                ["disputedBy"] = disputedBy,
            }, cancellationToken).ConfigureAwait(false);
            if (seq is not null) log.Warning("Escrow {Escrow}: disputed, deadline {Deadline:u} within {Window} of chain time {Now:u}", subject, DateTimeOffset.FromUnixTimeSeconds(deadline), window, now);
        }
    }

    private async Task ObserveAsync(string action, string subject, JsonObject detail, ChainEvent source, CancellationToken cancellationToken)
    {
        detail["block"] = source.Log.BlockNumber.ToString(CultureInfo.InvariantCulture);
        detail["transaction"] = source.Log.TransactionHash.ToString();
        var seq = await GlassBoxLog.ObserveAsync(connection, transaction, action, subject, detail, cancellationToken).ConfigureAwait(false);
        if (seq is not null) log.Information("Observed {Action} {Subject} in block {Block}", action, subject, source.Log.BlockNumber);
    }

    private static string Number(object? value) => ((BigInteger)value!).ToString(CultureInfo.InvariantCulture);
}
