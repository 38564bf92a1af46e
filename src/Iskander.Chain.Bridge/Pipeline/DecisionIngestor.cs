using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Loomio;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bridge.Pipeline;

/// <summary>
/// Reconciles Loomio into decision versions: pages a group's polls newest first, compares each
/// poll's fingerprint with the last one seen, reads changed polls in full and records a version
/// when the decision changed; known polls missing from the listing are read directly to detect
/// discards (on Loomio 3.0.x, which has no listing, the known polls of the group are read that way:
/// those awaiting their close on every reconcile, all of them on a deep scan).
/// Recording is one transaction per poll with the poll's row locked, so concurrent reconciles
/// (hints, schedule, a second bridge, the parallel reads of one page) never record the same version
/// twice. A poll outside the groups a caller names is never recorded.
/// </summary>
public sealed class DecisionIngestor(BridgeDatabase database, LoomioClient loomio, Uri instance, ILogger log)
{
    private readonly string _instance = instance.GetLeftPart(UriPartial.Authority);

    /// <summary>Pages older than this many polls back are not scanned (the horizon of a regular reconcile).</summary>
    public int MaxPolls { get; init; } = 500;

    /// <summary>
    /// Changed polls read and recorded at once. Each is a full read and a short transaction, so a
    /// few in flight keep Loomio, PostgreSQL and the CPU busy instead of waiting on each in turn;
    /// kept small so that a Loomio instance is not flooded.
    /// </summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>
    /// The groups the bridge follows (null: every group the bot user sees). A recorded poll whose
    /// thread moved to one of them keeps being recorded there; one that moved anywhere else is
    /// recorded once more as withdrawn from view, and no longer read.
    /// </summary>
    public IReadOnlyCollection<long>? FollowedGroups { get; init; }

    /// <summary>Reconciles one group; returns the versions recorded.</summary>
    public Task<int> ReconcileGroupAsync(long groupId, CancellationToken cancellationToken = default) => ReconcileGroupAsync(groupId, MaxPolls, cancellationToken);

    /// <summary>
    /// Reconciles one group, paging back <paramref name="horizon"/> polls; a horizon beyond
    /// <see cref="MaxPolls"/> is a deep scan, which on a Loomio without listing (3.0.x) also re-reads
    /// the known polls already recorded (to catch later edits, reopenings and discards).
    /// </summary>
    public async Task<int> ReconcileGroupAsync(long groupId, int horizon, CancellationToken cancellationToken = default)
    {
        var recorded = 0;
        var listing = true;
        var listed = new HashSet<long>();
        // One read of what we last saw, instead of a query per listed poll.
        var known = await KnownFingerprintsAsync(cancellationToken).ConfigureAwait(false);
        for (var offset = 0; offset < horizon;)
        {
            LoomioDocument page;
            try
            {
                page = await loomio.ListPollsAsync(groupId, offset, cancellationToken).ConfigureAwait(false);
            }
            catch (LoomioAccessDeniedException) when (offset == 0)
            {
                // The bot user no longer sees the group: its recorded polls are read one by one below
                // and recorded as withdrawn.
                log.Warning("Loomio does not show group {Group} to the bot user (403): its recorded polls are checked one by one", groupId);
                break;
            }
            catch (LoomioEndpointUnavailableException) when (offset == 0)
            {
                // Loomio 3.0.x has no poll listing: new polls are learnt from webhook links only, and
                // the polls learnt so far are read one by one below (that is how their closing is seen).
                log.Information("Loomio lists no polls (3.0.x has no listing): group {Group} is followed through webhook links and its known polls", groupId);
                listing = false;
                break;
            }

            if (page.Polls.Count == 0) break;
            // A page after the first that holds only polls already listed: the server ignored the
            // paging offset and would answer its first page for ever (a shifted page still brings new polls).
            if (offset > 0 && page.Polls.All(p => listed.Contains(p.Id)))
            {
                throw new LoomioApiException($"Loomio answered group {groupId}'s polls from {offset} with the polls of an earlier page: it ignores the paging parameter 'from' " +
                    "(app/controllers/api/v1/snorlax_base.rb), so polls past the first page cannot be listed");
            }

            var changed = new List<string>();
            foreach (var poll in page.Polls)
            {
                listed.Add(poll.Id);
                var fingerprint = PollFingerprint.Of(poll, page.CurrentOutcome(poll));
                if (!known.TryGetValue(poll.Id, out var seen) || seen != fingerprint) changed.Add(poll.Key);
            }

            recorded += await ReconcilePollsAsync(changed, [groupId], cancellationToken).ConfigureAwait(false);
            offset += page.Polls.Count;
        }

        // Polls we know that the listing no longer shows (within the horizon scanned): discarded, hidden
        // from the bot, deleted, or moved to another group. A direct read decides (403, 404 or the poll).
        // Without a listing, re-reading every recorded poll each hour would spend Loomio's request budget
        // on polls that rarely change: only a deep scan does.
        var unrecordedOnly = !listing && horizon <= MaxPolls;
        // A known poll may have moved to another group: it is judged by the groups followed, not by this one.
        recorded += await ReconcilePollsAsync(await KnownPollKeysAsync(groupId, listed, unrecordedOnly, cancellationToken).ConfigureAwait(false), FollowedGroups, cancellationToken)
            .ConfigureAwait(false);
        return recorded;
    }

    /// <summary>
    /// Follows a discussion link (<c>/d/{key}</c>, what Loomio 3.0.x's webhooks send): reads the
    /// discussion and reconciles its open polls, which Loomio side-loads with it, so that they are
    /// known and read again when their group is reconciled. A discussion outside
    /// <paramref name="groups"/> (null: any group) is left alone: none of its polls is read or
    /// recorded. Returns the versions recorded.
    /// </summary>
    public async Task<int> ReconcileDiscussionAsync(string key, IReadOnlyCollection<long>? groups, CancellationToken cancellationToken = default)
    {
        var document = await loomio.GetDiscussionAsync(key, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            log.Warning("Loomio has no discussion {Discussion} (404): the webhook link is ignored", key);
            return 0;
        }

        var discussion = document.Discussions.FirstOrDefault(d => d.Key == key) ?? document.Discussions.FirstOrDefault();
        if (!InGroups(discussion?.GroupId, groups))
        {
            log.Warning("Discussion {Discussion} is in group {Group}, which the bridge does not follow: its polls are not read", key, discussion?.GroupId);
            return 0;
        }

        return await ReconcilePollsAsync(document.Polls.Where(p => InGroups(p.GroupId, groups)).Select(p => p.Key).ToList(), groups, cancellationToken).ConfigureAwait(false);
    }

    private static bool InGroups(long? group, IReadOnlyCollection<long>? groups) => groups is null || (group is { } g && groups.Contains(g));

    /// <summary>
    /// Reads one poll and records a version if its decision changed; returns it, or null. A recorded
    /// poll that Loomio no longer shows becomes a version saying so: <c>withdrawn</c> (403: discarded,
    /// or hidden from the bot user) or <c>deleted</c> (404). A poll outside <paramref name="groups"/>
    /// (null: any group) is not recorded, nor remembered: its group is only known once it is read.
    /// </summary>
    public async Task<DecisionVersion?> ReconcilePollAsync(string key, IReadOnlyCollection<long>? groups = null, CancellationToken cancellationToken = default)
    {
        LoomioDocument? document;
        var absence = DecisionState.Deleted;
        try
        {
            document = await loomio.GetPollAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (LoomioAccessDeniedException)
        {
            document = null;
            absence = DecisionState.Withdrawn;
        }

        var poll = document?.Polls.FirstOrDefault(p => p.Key == key) ?? document?.Polls.FirstOrDefault();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        long? movedTo = null;
        long? knownId = null;
        if (poll is not null && !InGroups(poll.GroupId, groups))
        {
            // Never recorded: it is not ours to read. Recorded before: its thread moved out of the followed
            // groups, so it left the cooperative's view; say so in a version, as for a poll hidden from the bot.
            knownId = await PollIdOfAsync(connection, transaction, key, cancellationToken).ConfigureAwait(false);
            if (knownId is null)
            {
                log.Warning("Poll {PollKey} is in group {Group}, which the bridge does not follow: not recorded", key, poll.GroupId);
                return null;
            }

            log.Warning("Poll {PollKey} moved to group {Group}, which the bridge does not follow: recorded as withdrawn from view", key, poll.GroupId);
            (movedTo, document, poll, absence) = (poll.GroupId, null, null, DecisionState.Withdrawn);
        }

        var pollId = poll?.Id ?? knownId ?? await PollIdOfAsync(connection, transaction, key, cancellationToken).ConfigureAwait(false);
        if (pollId is null) return null; // never seen and not readable: nothing to record

        // Lock (creating if needed) the poll's row: the version decision below is then serialised per poll.
        await using (var upsert = new NpgsqlCommand(
            "INSERT INTO polls (instance, poll_id, poll_key, group_id, fingerprint) VALUES ($1, $2, $3, $4, '') ON CONFLICT (instance, poll_id) DO NOTHING", connection, transaction))
        {
            upsert.Parameters.Add(new() { Value = _instance });
            upsert.Parameters.Add(new() { Value = pollId.Value });
            upsert.Parameters.Add(new() { Value = key });
            upsert.Parameters.Add(new() { Value = (object?)poll?.GroupId ?? DBNull.Value });
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM polls WHERE instance = $1 AND poll_id = $2 FOR UPDATE", connection, transaction))
        {
            lockRow.Parameters.Add(new() { Value = _instance });
            lockRow.Parameters.Add(new() { Value = pollId.Value });
            await lockRow.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var previous = await PreviousVersionAsync(connection, transaction, pollId.Value, cancellationToken).ConfigureAwait(false);
        var outcome = poll is null ? null : document!.CurrentOutcome(poll);
        var next = DecisionRecordBuilder.Next(new Uri(_instance), poll, pollId.Value, key, outcome, document?.PollOptions ?? [], previous, absence);
        var fingerprint = poll is null ? absence.Name() : PollFingerprint.Of(poll, outcome);
        if (next is not null)
        {
            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO decision_versions (instance, poll_id, poll_key, version, state, fingerprint, record, sha256, raw_json, outcome_id, outcome_versions, status, public)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'recorded',
                        COALESCE($12, (SELECT public FROM decision_versions WHERE instance = $1 AND poll_id = $2 ORDER BY version DESC LIMIT 1), false))
                RETURNING id
                """, connection, transaction);
            // Public when the poll's group is public as read now; a poll no longer readable keeps its last version's publicity.
            var isPublic = poll is null ? (bool?)null : document!.IsPublic(poll);
            foreach (var value in new object?[] { _instance, pollId.Value, key, next.Version, next.State.Name(), next.Fingerprint, next.Bytes, next.Sha256, document?.SourceJson ?? (movedTo is { } group ? $"{{\"movedToGroup\":{group}}}" : $"{{\"httpStatus\":{(absence == DecisionState.Withdrawn ? 403 : 404)}}}"), next.OutcomeId, next.OutcomeVersions, isPublic })
            {
                insert.Parameters.Add(new() { Value = value ?? DBNull.Value });
            }

            var versionId = (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            log.Information("Recorded {PollKey} version {Version} ({State})", key, next.Version, next.State.Name());
            await ActionRecorder.RecordAsync(connection, transaction, versionId, _instance, pollId.Value, next.Version, next.State, next.Bytes, log, cancellationToken).ConfigureAwait(false);
        }

        // The group the poll is in now (a moved thread takes its polls along), so that the right group's reconcile reads it next.
        await using (var seen = new NpgsqlCommand("UPDATE polls SET fingerprint = $3, group_id = COALESCE($4, group_id), seen_at = now() WHERE instance = $1 AND poll_id = $2", connection, transaction))
        {
            seen.Parameters.Add(new() { Value = _instance });
            seen.Parameters.Add(new() { Value = pollId.Value });
            seen.Parameters.Add(new() { Value = fingerprint });
            seen.Parameters.Add(new() { Value = (object?)(poll?.GroupId ?? movedTo) ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
            await seen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return next;
    }

    /// <summary>
    /// Reconciles the polls named by <paramref name="keys"/> (recording only those in
    /// <paramref name="groups"/>, null: any group), up to <see cref="Concurrency"/> at a time.
    /// One poll's failure never stops the others: it is logged, its fingerprint stays unchanged (its
    /// transaction rolls back) and the next reconcile reads it again. Only what concerns every poll
    /// ends the run early and is rethrown: a refused key, Loomio's rate limit, cancellation.
    /// </summary>
    public async Task<int> ReconcilePollsAsync(IReadOnlyList<string> keys, IReadOnlyCollection<long>? groups = null, CancellationToken cancellationToken = default)
    {
        var recorded = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Concurrency), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(keys, options, async (key, token) =>
        {
            try
            {
                if (await ReconcilePollAsync(key, groups, token).ConfigureAwait(false) is not null) Interlocked.Increment(ref recorded);
            }
            catch (Exception ex) when (!IsFatalToTheRun(ex) && !token.IsCancellationRequested)
            {
                log.Warning("Poll {PollKey} not reconciled this time: {Error}", key, ex.Message);
            }
        }).ConfigureAwait(false);
        return recorded;
    }

    private static bool IsFatalToTheRun(Exception ex) => ex is LoomioCredentialException or LoomioRateLimitedException or OperationCanceledException;

    private async Task<Dictionary<long, string>> KnownFingerprintsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT poll_id, fingerprint FROM polls WHERE instance = $1", connection);
        command.Parameters.Add(new() { Value = _instance });
        var known = new Dictionary<long, string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) known[reader.GetInt64(0)] = reader.GetString(1);
        return known;
    }

    // Known polls of the group that are still in view and were not listed; only those without a recorded version when asked.
    private async Task<IReadOnlyList<string>> KnownPollKeysAsync(long groupId, HashSet<long> listed, bool unrecordedOnly, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT poll_id, poll_key FROM polls p WHERE instance = $1 AND group_id = $2 AND fingerprint NOT IN ('discarded', 'withdrawn', 'deleted')" +
            (unrecordedOnly ? " AND NOT EXISTS (SELECT 1 FROM decision_versions v WHERE v.instance = p.instance AND v.poll_id = p.poll_id)" : string.Empty), connection);
        command.Parameters.Add(new() { Value = _instance });
        command.Parameters.Add(new() { Value = groupId });
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!listed.Contains(reader.GetInt64(0))) keys.Add(reader.GetString(1));
        }

        return keys;
    }

    private async Task<long?> PollIdOfAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT poll_id FROM polls WHERE instance = $1 AND poll_key = $2", connection, transaction);
        command.Parameters.Add(new() { Value = _instance });
        command.Parameters.Add(new() { Value = key });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
    }

    private async Task<PreviousVersion?> PreviousVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long pollId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT version, state, fingerprint, sha256, outcome_id, outcome_versions FROM decision_versions WHERE instance = $1 AND poll_id = $2 ORDER BY version DESC LIMIT 1",
            connection, transaction);
        command.Parameters.Add(new() { Value = _instance });
        command.Parameters.Add(new() { Value = pollId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return new PreviousVersion(reader.GetInt32(0), DecisionStates.Parse(reader.GetString(1)), reader.GetString(2), (byte[])reader[3],
            reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetInt32(5));
    }
}
