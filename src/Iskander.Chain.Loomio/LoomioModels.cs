using System.Text.Json.Serialization;

namespace Iskander.Chain.Loomio;

/// <summary>A poll as the b2 API serialises it (both the 3.0.x and the current shape; unknown fields ignored).</summary>
public sealed record LoomioPoll
{
    /// <summary>Numeric id.</summary>
    public long Id { get; init; }

    /// <summary>Short key used in URLs (<c>/p/{key}</c>).</summary>
    public string Key { get; init; } = string.Empty;

    /// <summary>proposal, poll, count, score, ranked_choice, meeting, dot_vote, check, question, stv.</summary>
    public string? PollType { get; init; }

    /// <summary>Title.</summary>
    public string? Title { get; init; }

    /// <summary>Details (HTML or Markdown).</summary>
    public string? Details { get; init; }

    /// <summary>Format of <see cref="Details"/>.</summary>
    public string? DetailsFormat { get; init; }

    /// <summary>Author.</summary>
    public long? AuthorId { get; init; }

    /// <summary>Group.</summary>
    public long? GroupId { get; init; }

    /// <summary>Topic (current Loomio).</summary>
    public long? TopicId { get; init; }

    /// <summary>Discussion (Loomio 3.0.x).</summary>
    public long? DiscussionId { get; init; }

    /// <summary>Created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Opened (current Loomio only).</summary>
    public DateTimeOffset? OpenedAt { get; init; }

    /// <summary>Scheduled close.</summary>
    public DateTimeOffset? ClosingAt { get; init; }

    /// <summary>Actual close; null while open (and for up to an hour after closing_at, until Loomio's job runs).</summary>
    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>Soft deletion.</summary>
    public DateTimeOffset? DiscardedAt { get; init; }

    /// <summary>Anonymous voting.</summary>
    public bool? Anonymous { get; init; }

    /// <summary>off, until_vote, until_closed.</summary>
    public string? HideResults { get; init; }

    /// <summary>Invited voters.</summary>
    public int? VotersCount { get; init; }

    /// <summary>Ballots cast.</summary>
    public int? DecidedVotersCount { get; init; }

    /// <summary>Invited voters who did not vote.</summary>
    public int? UndecidedVotersCount { get; init; }

    /// <summary>Option names in priority order.</summary>
    public IReadOnlyList<string>? PollOptionNames { get; init; }

    /// <summary>Option ids in priority order.</summary>
    public IReadOnlyList<long>? PollOptionIds { get; init; }

    /// <summary>Total score per option, in priority order; absent while results are hidden.</summary>
    public IReadOnlyList<double>? StanceCounts { get; init; }

    /// <summary>Per-option results; absent while results are hidden.</summary>
    public IReadOnlyList<LoomioResult>? Results { get; init; }

    /// <summary>PaperTrail versions of the poll.</summary>
    public int? VersionsCount { get; init; }

    /// <summary>The latest outcome, when there is one.</summary>
    public long? CurrentOutcomeId { get; init; }
}

/// <summary>One row of a poll's results.</summary>
public sealed record LoomioResult
{
    /// <summary>Option id (0 = none of the above, −1 = undecided).</summary>
    public long Id { get; init; }

    /// <summary>Option name (or an i18n key for the special rows).</summary>
    public string? Name { get; init; }

    /// <summary>Rank.</summary>
    public int? Rank { get; init; }

    /// <summary>Total score.</summary>
    public double? Score { get; init; }

    /// <summary>Voters who chose it.</summary>
    public int? VoterCount { get; init; }
}

/// <summary>A poll option.</summary>
public sealed record LoomioPollOption
{
    /// <summary>Id.</summary>
    public long Id { get; init; }

    /// <summary>Poll.</summary>
    public long PollId { get; init; }

    /// <summary>Name.</summary>
    public string? Name { get; init; }

    /// <summary>Display order.</summary>
    public int? Priority { get; init; }
}

/// <summary>An outcome: the human decision statement written after a poll closes.</summary>
public sealed record LoomioOutcome
{
    /// <summary>Id.</summary>
    public long Id { get; init; }

    /// <summary>Poll.</summary>
    public long PollId { get; init; }

    /// <summary>Author.</summary>
    public long? AuthorId { get; init; }

    /// <summary>Statement (HTML or Markdown).</summary>
    public string? Statement { get; init; }

    /// <summary>Format of <see cref="Statement"/>.</summary>
    public string? StatementFormat { get; init; }

    /// <summary>Whether this is the current outcome.</summary>
    public bool? Latest { get; init; }

    /// <summary>Chosen option, for meetings.</summary>
    public long? PollOptionId { get; init; }

    /// <summary>Review date (ISO date).</summary>
    public string? ReviewOn { get; init; }

    /// <summary>Created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>PaperTrail versions (edits).</summary>
    public int? VersionsCount { get; init; }
}

/// <summary>A group.</summary>
public sealed record LoomioGroup
{
    /// <summary>Id.</summary>
    public long Id { get; init; }

    /// <summary>Key.</summary>
    public string? Key { get; init; }

    /// <summary>Name.</summary>
    public string? Name { get; init; }

    /// <summary>Parent group for subgroups.</summary>
    public long? ParentId { get; init; }

    /// <summary>Whether the group is listed and readable by anyone (Loomio's <c>is_visible_to_public</c>).</summary>
    public bool? IsVisibleToPublic { get; init; }

    /// <summary>Which threads the group allows: <c>public_only</c>, <c>private_only</c> or <c>public_or_private</c> (Loomio's <c>discussion_privacy_options</c>).</summary>
    public string? DiscussionPrivacyOptions { get; init; }

    /// <summary>
    /// Whether every poll of the group is public in Loomio: the group is visible to the public and
    /// allows public threads only. A group that allows private threads, or that does not say, is
    /// taken as private (a poll's own thread privacy is not in the poll's answer).
    /// </summary>
    [JsonIgnore]
    public bool PollsArePublic => IsVisibleToPublic == true && DiscussionPrivacyOptions == "public_only";
}

/// <summary>A discussion (thread): where Loomio 3.0.x's webhook links point (<c>/d/{key}</c>).</summary>
public sealed record LoomioDiscussion
{
    /// <summary>Id.</summary>
    public long Id { get; init; }

    /// <summary>Short key used in URLs (<c>/d/{key}</c>).</summary>
    public string? Key { get; init; }

    /// <summary>Group; null for a direct discussion outside any group.</summary>
    public long? GroupId { get; init; }
}

/// <summary>Meta block of a compound document.</summary>
public sealed record LoomioMeta
{
    /// <summary>Count before paging (absent or null when unknown).</summary>
    public int? Total { get; init; }
}

/// <summary>
/// The b2 API's compound document: one array per record type, associations by id. A reduced copy of
/// the JSON (<see cref="SourceJson"/>) is kept beside the parsed form and stored with each record.
/// </summary>
public sealed record LoomioDocument
{
    /// <summary>Polls.</summary>
    public IReadOnlyList<LoomioPoll> Polls { get; init; } = [];

    /// <summary>Options of the polls.</summary>
    public IReadOnlyList<LoomioPollOption> PollOptions { get; init; } = [];

    /// <summary>Outcomes of the polls.</summary>
    public IReadOnlyList<LoomioOutcome> Outcomes { get; init; } = [];

    /// <summary>Groups.</summary>
    public IReadOnlyList<LoomioGroup> Groups { get; init; } = [];

    /// <summary>Discussions.</summary>
    public IReadOnlyList<LoomioDiscussion> Discussions { get; init; } = [];

    /// <summary>Meta.</summary>
    public LoomioMeta? Meta { get; init; }

    /// <summary>
    /// Loomio's answer as stored beside a record: only the polls, their options and outcomes and the
    /// meta block, without what no record needs and no one outside Loomio should read (outcome
    /// secret tokens, voter ids and scores, participant ids, e-mail addresses). See <see cref="LoomioSourceJson"/>.
    /// </summary>
    [JsonIgnore]
    public string SourceJson { get; init; } = string.Empty;

    /// <summary>Whether <paramref name="poll"/>'s group, side-loaded with it, makes its polls public (false when the group is not in the answer).</summary>
    public bool IsPublic(LoomioPoll poll) => Groups.FirstOrDefault(g => g.Id == poll.GroupId)?.PollsArePublic == true;

    /// <summary>The current outcome of <paramref name="poll"/>, if any.</summary>
    public LoomioOutcome? CurrentOutcome(LoomioPoll poll) =>
        poll.CurrentOutcomeId is { } id ? Outcomes.FirstOrDefault(o => o.Id == id) : Outcomes.Where(o => o.PollId == poll.Id && o.Latest != false).MaxBy(o => o.Id);
}

/// <summary>Reduces a b2 answer to what may be stored beside decision records.</summary>
public static class LoomioSourceJson
{
    // Whitelisted arrays; everything else (users, groups, topics, events, stances…) is dropped.
    private static readonly string[] KeptRoots = ["polls", "poll_options", "outcomes", "meta"];

    // Secrets and voter identities, wherever they appear inside what is kept.
    private static readonly HashSet<string> Dropped = new(StringComparer.Ordinal) { "secret_token", "voter_ids", "voter_scores", "participant_id", "stance_ids" };

    /// <summary>The reduced JSON of the answer <paramref name="body"/> (a JSON object).</summary>
    public static string Reduce(string body)
    {
        var source = System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
        var kept = new System.Text.Json.Nodes.JsonObject();
        foreach (var root in KeptRoots)
        {
            if (source[root] is { } node) kept[root] = Clean(node.DeepClone());
        }

        return kept.ToJsonString();
    }

    private static System.Text.Json.Nodes.JsonNode? Clean(System.Text.Json.Nodes.JsonNode? node)
    {
        switch (node)
        {
            case System.Text.Json.Nodes.JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (Dropped.Contains(name) || name.Contains("email", StringComparison.OrdinalIgnoreCase)) obj.Remove(name);
                    else Clean(obj[name]);
                }

                break;
            case System.Text.Json.Nodes.JsonArray array:
                foreach (var item in array) Clean(item);
                break;
        }

        return node;
    }
}
