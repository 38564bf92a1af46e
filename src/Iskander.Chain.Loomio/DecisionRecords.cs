using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Iskander.Chain.Anchoring.Records;

namespace Iskander.Chain.Loomio;

/// <summary>What a decision version says happened (docs/formats.md, "Decision records").</summary>
public enum DecisionState
{
    /// <summary>The poll closed; no outcome written (yet).</summary>
    ClosedNoOutcome,

    /// <summary>The poll is closed and has an outcome.</summary>
    Decided,

    /// <summary>The outcome changed (edited or superseded) after a version with an outcome.</summary>
    OutcomeRevised,

    /// <summary>A recorded poll was reopened (its close no longer stands).</summary>
    Reopened,

    /// <summary>A recorded poll was discarded (soft-deleted): Loomio served it with <c>discarded_at</c> set.</summary>
    Discarded,

    /// <summary>
    /// Loomio refuses to show a recorded poll to the bot user (403): it was discarded, or the bot user
    /// no longer sees it (left the group, group made private, …). Loomio does not say which.
    /// </summary>
    Withdrawn,

    /// <summary>Loomio has no such poll any more (404): deleted for good.</summary>
    Deleted,
}

/// <summary>Wire names of <see cref="DecisionState"/>.</summary>
public static class DecisionStates
{
    /// <summary>closed_no_outcome, decided, outcome_revised, reopened, discarded, withdrawn, deleted.</summary>
    public static string Name(this DecisionState state) => state switch
    {
        DecisionState.ClosedNoOutcome => "closed_no_outcome",
        DecisionState.Decided => "decided",
        DecisionState.OutcomeRevised => "outcome_revised",
        DecisionState.Reopened => "reopened",
        DecisionState.Discarded => "discarded",
        DecisionState.Withdrawn => "withdrawn",
        DecisionState.Deleted => "deleted",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    /// <summary>The state named <paramref name="name"/>.</summary>
    public static DecisionState Parse(string name)
    {
        foreach (var state in Enum.GetValues<DecisionState>())
        {
            if (state.Name() == name) return state;
        }

        throw new FormatException($"unknown decision state '{name}'");
    }

    /// <summary>Whether <paramref name="state"/> says the poll is out of Loomio's view (discarded, withdrawn, deleted): such versions carry no poll data.</summary>
    public static bool IsGone(this DecisionState state) => state is DecisionState.Discarded or DecisionState.Withdrawn or DecisionState.Deleted;
}

/// <summary>What the bridge remembers of the last stored version of a decision, to decide on the next.</summary>
/// <param name="Version">Its number (1, 2, …).</param>
/// <param name="State">Its state.</param>
/// <param name="Fingerprint">The poll fingerprint it was built from.</param>
/// <param name="Sha256">SHA-256 of its canonical bytes (the next version links to it).</param>
/// <param name="OutcomeId">Its outcome, if it had one.</param>
/// <param name="OutcomeVersions">That outcome's version count.</param>
public sealed record PreviousVersion(int Version, DecisionState State, string Fingerprint, byte[] Sha256, long? OutcomeId, int? OutcomeVersions);

/// <summary>A new decision version: its state and canonical bytes.</summary>
/// <param name="Version">Number.</param>
/// <param name="State">State.</param>
/// <param name="Fingerprint">The poll fingerprint (stored to detect the next change).</param>
/// <param name="Bytes">RFC 8785 canonical JSON: what is stored, content-addressed and anchored.</param>
/// <param name="OutcomeId">The outcome it carries, if any.</param>
/// <param name="OutcomeVersions">That outcome's version count.</param>
public sealed record DecisionVersion(int Version, DecisionState State, string Fingerprint, byte[] Bytes, long? OutcomeId, int? OutcomeVersions)
{
    /// <summary>SHA-256 of <see cref="Bytes"/>.</summary>
    public byte[] Sha256 { get; } = SHA256.HashData(Bytes);
}

/// <summary>
/// Turns what Loomio says about a poll into decision versions: a version only for a closed poll (or
/// for a change to one already recorded: reopen, discard), a new version whenever the poll's
/// fingerprint changes, each linking to the previous by hash, never an edit of a stored one.
/// The record holds primary data only (ids, texts, options, integer counts, timestamps, outcome);
/// the raw API JSON is stored beside it, not in it.
/// </summary>
public static class DecisionRecordBuilder
{
    /// <summary>Schema identifier in every record.</summary>
    public const string Schema = "iskander.decision/1";

    /// <summary>Largest record: one raw IPFS block (Kubo's chunk size), so the CID's digest is the anchored digest.</summary>
    public const int MaxRecordBytes = 262_144;

    /// <summary>
    /// The next version, or null when nothing new happened. <paramref name="poll"/> null means Loomio
    /// no longer shows the poll, for the reason <paramref name="absence"/> (withdrawn: 403, deleted: 404);
    /// a poll with <c>discarded_at</c> is discarded. <paramref name="outcome"/> is its current outcome.
    /// Only a poll that was recorded before gets a version for leaving Loomio's view.
    /// </summary>
    public static DecisionVersion? Next(Uri instance, LoomioPoll? poll, long pollId, string pollKey, LoomioOutcome? outcome, IReadOnlyList<LoomioPollOption> options, PreviousVersion? previous,
        DecisionState absence = DecisionState.Withdrawn)
    {
        if (!absence.IsGone()) throw new ArgumentOutOfRangeException(nameof(absence), absence, "the reason a poll is out of view must be discarded, withdrawn or deleted");
        var goneAs = poll is null ? absence : poll.DiscardedAt is not null ? DecisionState.Discarded : (DecisionState?)null;
        var gone = goneAs is not null;
        var fingerprint = goneAs?.Name() ?? PollFingerprint.Of(poll!, outcome);
        DecisionState state;
        if (goneAs is { } reason)
        {
            if (previous is null || previous.State == reason) return null;
            state = reason;
        }
        else if (poll!.ClosedAt is null)
        {
            if (previous is null || previous.State == DecisionState.Reopened || previous.State.IsGone()) return null;
            state = DecisionState.Reopened;
        }
        else
        {
            if (previous is not null && previous.Fingerprint == fingerprint) return null;
            state = outcome is null ? DecisionState.ClosedNoOutcome
                : previous?.OutcomeId is { } earlier && (earlier != outcome.Id || previous.OutcomeVersions != outcome.VersionsCount) ? DecisionState.OutcomeRevised
                : DecisionState.Decided;
        }

        var bytes = Build(instance, gone ? null : poll, pollId, pollKey, gone ? null : outcome, options, (previous?.Version ?? 0) + 1, previous?.Sha256, state);
        return new DecisionVersion((previous?.Version ?? 0) + 1, state, fingerprint, bytes, gone ? null : outcome?.Id, gone ? null : outcome?.VersionsCount);
    }

    /// <summary>
    /// The canonical bytes of a record with the given identity (version, link to the previous, state)
    /// built from Loomio's data: <see cref="Next"/> uses it, and so does a verifier that re-reads
    /// Loomio to check that an anchored record still says what Loomio says.
    /// </summary>
    /// <exception cref="InvalidOperationException">The record exceeds <see cref="MaxRecordBytes"/>.</exception>
    public static byte[] Build(Uri instance, LoomioPoll? poll, long pollId, string pollKey, LoomioOutcome? outcome, IReadOnlyList<LoomioPollOption> options, int version, byte[]? previousSha256, DecisionState state)
    {
        var gone = poll is null;
        var record = new JsonObject
        {
            ["schema"] = Schema,
            ["source"] = new JsonObject
            {
                ["instance"] = instance.GetLeftPart(UriPartial.Authority),
                ["pollId"] = pollId,
                ["pollKey"] = pollKey,
                ["groupId"] = poll?.GroupId,
                ["topicId"] = poll?.TopicId,
                ["discussionId"] = poll?.DiscussionId,
            },
            ["version"] = version,
            ["previous"] = previousSha256 is null ? null : new JsonObject { ["version"] = version - 1, ["sha256"] = Convert.ToHexStringLower(previousSha256) },
            ["state"] = state.Name(),
            ["poll"] = gone ? null : PollPart(poll!),
            ["options"] = gone ? null : new JsonArray(options.Where(o => o.PollId == pollId).OrderBy(o => o.Priority ?? int.MaxValue).ThenBy(o => o.Id)
                .Select(o => (JsonNode)new JsonObject { ["id"] = o.Id, ["name"] = o.Name, ["priority"] = o.Priority }).ToArray()),
            ["results"] = gone ? null : ResultsPart(poll!),
            ["counts"] = gone ? null : new JsonObject { ["voters"] = poll!.VotersCount, ["decided"] = poll.DecidedVotersCount, ["undecided"] = poll.UndecidedVotersCount },
            ["outcome"] = gone || outcome is null ? null : OutcomePart(outcome),
        };
        var bytes = JsonCanonicalizer.Canonicalize(record);
        if (bytes.Length > MaxRecordBytes) throw new InvalidOperationException($"the decision record of poll {pollKey} is {bytes.Length} bytes, over the {MaxRecordBytes}-byte limit of format 1");
        return bytes;
    }

    private static JsonObject PollPart(LoomioPoll poll) => new()
    {
        ["type"] = poll.PollType,
        ["title"] = poll.Title,
        ["details"] = poll.Details,
        ["detailsFormat"] = poll.DetailsFormat,
        ["createdAt"] = Timestamp(poll.CreatedAt),
        ["closingAt"] = Timestamp(poll.ClosingAt),
        ["closedAt"] = Timestamp(poll.ClosedAt),
        ["anonymous"] = poll.Anonymous,
        ["hideResults"] = poll.HideResults,
        ["versionsCount"] = poll.VersionsCount,
    };

    // Results as Loomio computed them, by option id; absent (null) when Loomio hides them.
    private static JsonArray? ResultsPart(LoomioPoll poll)
    {
        if (poll.Results is { } results)
        {
            return new JsonArray(results.OrderBy(r => r.Id).Select(r => (JsonNode)new JsonObject
            {
                ["optionId"] = r.Id, ["name"] = r.Name, ["score"] = r.Score, ["voterCount"] = r.VoterCount,
            }).ToArray());
        }

        if (poll.StanceCounts is { } counts && poll.PollOptionIds is { } ids && ids.Count == counts.Count)
        {
            return new JsonArray(ids.Select((id, i) => (id, i)).OrderBy(p => p.id).Select(p => (JsonNode)new JsonObject
            {
                ["optionId"] = p.id, ["name"] = poll.PollOptionNames is { } names && names.Count == ids.Count ? names[p.i] : null, ["score"] = counts[p.i], ["voterCount"] = null,
            }).ToArray());
        }

        return null;
    }

    private static JsonObject OutcomePart(LoomioOutcome outcome) => new()
    {
        ["id"] = outcome.Id,
        ["statement"] = outcome.Statement,
        ["statementFormat"] = outcome.StatementFormat,
        ["authorId"] = outcome.AuthorId,
        ["createdAt"] = Timestamp(outcome.CreatedAt),
        ["pollOptionId"] = outcome.PollOptionId,
        ["reviewOn"] = outcome.ReviewOn,
        ["versionsCount"] = outcome.VersionsCount,
    };

    private static string? Timestamp(DateTimeOffset? value) =>
        value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>
/// What identifies a poll's decision-relevant state (loomio-api.md §5): id, versions, close and
/// discard times, current outcome and its versions, and a hash of the results. A change in any of
/// them is a new decision version; listing pages are compared by it without fetching every poll.
/// </summary>
public static class PollFingerprint
{
    /// <summary>Hex SHA-256 over the canonical JSON of the fingerprint fields.</summary>
    public static string Of(LoomioPoll poll, LoomioOutcome? outcome)
    {
        var fields = new JsonObject
        {
            ["id"] = poll.Id,
            ["versions"] = poll.VersionsCount,
            ["closedAt"] = poll.ClosedAt?.ToUnixTimeMilliseconds(),
            ["discardedAt"] = poll.DiscardedAt?.ToUnixTimeMilliseconds(),
            ["outcomeId"] = outcome?.Id ?? poll.CurrentOutcomeId,
            ["outcomeVersions"] = outcome?.VersionsCount,
            ["results"] = poll.Results is null ? null : new JsonArray(poll.Results.OrderBy(r => r.Id).Select(r => (JsonNode)new JsonArray(r.Id, r.Score, r.VoterCount)).ToArray()),
            ["stanceCounts"] = poll.StanceCounts is null ? null : new JsonArray(poll.StanceCounts.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()),
        };
        return Convert.ToHexStringLower(SHA256.HashData(JsonCanonicalizer.Canonicalize(fields)));
    }
}
