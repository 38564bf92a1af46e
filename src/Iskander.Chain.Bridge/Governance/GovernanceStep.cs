using System.Numerics;
using System.Text.Json.Nodes;
using Iskander.Chain.Anchoring;
using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Chain;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Governance;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bridge.Governance;

/// <summary>
/// Carries anchored actions through the public schedule: once the batch that anchors an action
/// (with its decision) is confirmed, the action is scheduled on chain (<c>ActionSchedule</c>), which
/// publishes it; after the notice it is executed — admissions only with the member's consent, which
/// can be given during the notice and expires without it. An action the members vetoed, that a later
/// version of its poll superseded, or that expired on chain is closed with that status and never
/// sent again. Every transaction, and every veto, supersession and expiry seen on chain, is recorded
/// in the Glass Box. The schedule's record of each action is the truth consulted: an action found
/// scheduled or executed is adopted, never sent twice, and one that a reorg undid is sent again.
/// </summary>
public sealed class GovernanceStep(BridgeDatabase database, GovernanceChain chain, ILogger log)
{
    private const string Columns =
        """
        a.id, a.spec::text, a.target, a.leaf, a.params, a.batch_id, a.leaf_index, a.metadata, a.consent, v.sha256, v.poll_key, v.version, a.status, a.schedule_sent_at
        FROM governance_actions a JOIN batches b ON b.id = a.batch_id JOIN decision_versions v ON v.id = a.version_id
        """;

    /// <summary>How long an admission waits for the member's consent.</summary>
    public TimeSpan ConsentWindow { get; init; } = TimeSpan.FromDays(14);

    /// <summary>Blocks on top of the executing block (that one included) before an action counts as executed.</summary>
    public int Confirmations { get; init; } = 2;

    /// <summary>Until when executed actions are re-checked for reorgs.</summary>
    public ReorgModel Reorgs { get; init; } = new();

    /// <summary>A sent transaction whose effect is still not on chain after this long is sent again.</summary>
    public TimeSpan ResubmitAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Most transactions sent per round (for scheduling, and again for executing).</summary>
    public int MaxSendsPerRound { get; init; } = 16;

    /// <summary>One round; returns how many actions changed status.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var changed = 0;
        for (var i = 0; i < MaxSendsPerRound && await ScheduleOneAsync(cancellationToken).ConfigureAwait(false); i++) changed++;
        changed += await TrackAsync(cancellationToken).ConfigureAwait(false);
        changed += await ExpireConsentAsync(cancellationToken).ConfigureAwait(false);
        var now = await chain.ChainTimeAsync(cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < MaxSendsPerRound && await ExecuteOneAsync(now, cancellationToken).ConfigureAwait(false); i++) changed++;
        return changed + await ConfirmAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed record ActionRow(long Id, GovernanceAction Action, Address Target, Hash32 Leaf, byte[] Params, long BatchId, int Index, byte[]? Metadata, byte[]? Consent,
        Hash32 Digest, string PollKey, int Version, string Status, DateTimeOffset? ScheduleSentAt)
    {
        public Hash32 ActionId(ulong chainId) => ActionLeaf.Id(chainId, Target, Action.Kind, Params, Digest);
    }

    private static ActionRow Read(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), ActionSpec.FromJson(reader.GetString(1)), new Address((byte[])reader[2]), new Hash32((byte[])reader[3]), (byte[])reader[4], reader.GetInt64(5), reader.GetInt32(6),
        reader.IsDBNull(7) ? null : (byte[])reader[7], reader.IsDBNull(8) ? null : (byte[])reader[8], new Hash32((byte[])reader[9]), reader.GetString(10), reader.GetInt32(11),
        reader.GetString(12), reader.IsDBNull(13) ? null : reader.GetFieldValue<DateTimeOffset>(13));

    private static async Task<ActionRow?> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string where, object[] parameters, CancellationToken cancellationToken)
    {
        await using var claim = new NpgsqlCommand($"SELECT {Columns} WHERE {where} ORDER BY a.id LIMIT 1 FOR UPDATE OF a SKIP LOCKED", connection, transaction);
        foreach (var value in parameters) claim.Parameters.Add(new() { Value = value });
        await using var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    // pending (batch confirmed) → scheduled: the schedule publishes the action and starts its notice.
    private async Task<bool> ScheduleOneAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var audit = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await ClaimAsync(connection, transaction, "a.status = 'pending' AND b.status = 'confirmed'", [], cancellationToken).ConfigureAwait(false) is not { } row) return false;

        var actionId = row.ActionId(chain.Targets.ChainId);
        if ((await chain.ScheduledAsync(actionId, cancellationToken).ConfigureAwait(false)).Status != ScheduledStatus.None)
        {
            await SetScheduledAsync(connection, transaction, row.Id, null, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            log.Information("Action {ActionId} ({Kind}) was already scheduled on chain; adopted", row.Id, row.Action.Kind.Name());
            return true;
        }

        var reference = DecisionRef.For(await DecisionQueries.BatchTreeAsync(connection, row.BatchId, cancellationToken).ConfigureAwait(false), row.Index);
        var intent = await GlassBoxLog.IntentAsync(audit, "governance.schedule", row.Leaf.ToString(),
            new JsonObject { ["action"] = row.Id, ["kind"] = row.Action.Kind.Name(), ["spec"] = JsonNode.Parse(ActionSpec.ToJson(row.Action)), ["poll"] = row.PollKey, ["version"] = row.Version },
            cancellationToken).ConfigureAwait(false);
        try
        {
            var sent = await chain.SendAsync(chain.Schedule, "schedule",
                [row.Target, row.Action.Kind.OnChainKind().ToArray(), row.Params, row.Digest.ToArray(), ActionLeaf.PollId(row.PollKey).ToArray(), (ulong)row.Version, reference.ToAbiTuple()],
                cancellationToken).ConfigureAwait(false);
            await SetScheduledAsync(connection, transaction, row.Id, sent.Hash, cancellationToken).ConfigureAwait(false);
            await GlassBoxLog.OutcomeAsync(connection, transaction, intent, "governance.schedule", row.Leaf.ToString(), new JsonObject { ["tx"] = sent.Hash.ToString() }, cancellationToken)
                .ConfigureAwait(false);
            log.Information("Action {ActionId} ({Kind}) scheduled in {Tx}", row.Id, row.Action.Kind.Name(), sent.Hash);
        }
        catch (ActionRefusedException refused)
        {
            // A later version of the poll was scheduled first: this version's actions are superseded on chain.
            var status = refused.Message.Contains("StaleVersion", StringComparison.Ordinal) ? "superseded" : "failed";
            await GovernanceActions.SetStatusAsync(connection, transaction, row.Id, status, refused.Message, cancellationToken).ConfigureAwait(false);
            await GlassBoxLog.OutcomeAsync(connection, transaction, intent, "governance.schedule", row.Leaf.ToString(), new JsonObject { ["refused"] = refused.Message }, cancellationToken)
                .ConfigureAwait(false);
            log.Warning("Action {ActionId} ({Kind}) could not be scheduled: {Reason}", row.Id, row.Action.Kind.Name(), refused.Message);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static async Task SetScheduledAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, Hash32? tx, CancellationToken cancellationToken)
    {
        await using var update = new NpgsqlCommand(
            "UPDATE governance_actions SET status = 'scheduled', schedule_tx = $2, schedule_sent_at = now(), reason = NULL, updated_at = now() WHERE id = $1", connection, transaction);
        update.Parameters.Add(new() { Value = id });
        update.Parameters.Add(new() { Value = (object?)tx?.ToArray() ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // scheduled → awaiting_consent (admissions) or ready once the chain has it; any of these → vetoed, superseded or expired as the chain says.
    private async Task<int> TrackAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<ActionRow>();
        await using (var select = new NpgsqlCommand($"SELECT {Columns} WHERE a.status IN ('scheduled', 'awaiting_consent', 'ready') ORDER BY a.id", connection))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) rows.Add(Read(reader));
        }

        var changed = 0;
        foreach (var row in rows)
        {
            var scheduled = await chain.ScheduledAsync(row.ActionId(chain.Targets.ChainId), cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            if (row.Action.Kind == GovernanceActionKind.SupersedeVersions && scheduled.Status != ScheduledStatus.None)
            {
                // Its work is done by being scheduled: the poll's earlier versions are superseded on chain.
                await GovernanceActions.SetStatusAsync(connection, transaction, row.Id, "published",
                    $"version {row.Version} is on the schedule: the earlier versions' actions are superseded on chain", cancellationToken).ConfigureAwait(false);
                log.Information("Version {Version} of poll {Poll} supersedes its earlier versions' actions on chain", row.Version, row.PollKey);
                changed++;
            }
            else if (await CloseAsync(connection, transaction, row, scheduled.Status, cancellationToken).ConfigureAwait(false))
            {
                changed++;
            }
            else if (row.Status == "scheduled" && scheduled.Status is ScheduledStatus.Pending or ScheduledStatus.Executable)
            {
                await NoticeStartedAsync(connection, transaction, row, scheduled, cancellationToken).ConfigureAwait(false);
                changed++;
            }
            else if (row.Status == "scheduled" && scheduled.Status == ScheduledStatus.None && DateTimeOffset.UtcNow - row.ScheduleSentAt > ResubmitAfter)
            {
                await GovernanceActions.SetStatusAsync(connection, transaction, row.Id, "pending", "scheduled again: the scheduling transaction was not mined", cancellationToken).ConfigureAwait(false);
                await chain.ResyncNonceAsync(cancellationToken).ConfigureAwait(false);
                changed++;
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return changed;
    }

    private async Task NoticeStartedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ActionRow row, ScheduledAction scheduled, CancellationToken cancellationToken)
    {
        byte[]? metadata = null;
        if (row.Action.Kind == GovernanceActionKind.AdmitMember)
        {
            metadata = MembershipAgreement.Create(chain.Targets.ChainId, chain.Targets.Identity, chain.Issuer, row.Action.Member!.Value, row.Action.Role!, row.Action.Uri ?? "", row.Digest).Metadata;
        }

        await using var update = new NpgsqlCommand(
            """
            UPDATE governance_actions SET status = $2, executable_at = $3, expires_at = $4, metadata = $5,
                consent_deadline = CASE WHEN $2 = 'awaiting_consent' THEN now() + $6 END, updated_at = now() WHERE id = $1
            """, connection, transaction);
        update.Parameters.Add(new() { Value = row.Id });
        update.Parameters.Add(new() { Value = metadata is null ? "ready" : "awaiting_consent" });
        update.Parameters.Add(new() { Value = (long)scheduled.ExecutableAt });
        update.Parameters.Add(new() { Value = (long)scheduled.ExpiresAt });
        update.Parameters.Add(new() { Value = (object?)metadata ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
        update.Parameters.Add(new() { Value = ConsentWindow });
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        log.Information("Action {ActionId} ({Kind}) is on the public schedule; it may execute from chain time {ExecutableAt}{Consent}", row.Id, row.Action.Kind.Name(), scheduled.ExecutableAt,
            metadata is null ? "" : " with the member's consent");
    }

    // Vetoed, superseded and expired actions are closed for good, with a Glass Box entry; returns whether it closed one.
    private async Task<bool> CloseAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ActionRow row, ScheduledStatus status, CancellationToken cancellationToken)
    {
        var (closed, reason) = status switch
        {
            ScheduledStatus.Vetoed => ("vetoed", "vetoed by the members during its notice; it will never be executed"),
            ScheduledStatus.Superseded => ("superseded", "a later version of its poll was scheduled on chain"),
            ScheduledStatus.Expired => ("expired", "not executed within its validity window on chain"),
            ScheduledStatus.Cancelled => ("cancelled", "its batch was distrusted when members recovered the anchoring key"),
            _ => (null, null),
        };
        if (closed is null) return false;
        await using var audit = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var intent = await GlassBoxLog.IntentAsync(audit, $"governance.{closed}", row.Leaf.ToString(), new JsonObject { ["action"] = row.Id, ["kind"] = row.Action.Kind.Name(), ["was"] = row.Status },
            cancellationToken).ConfigureAwait(false);
        await GovernanceActions.SetStatusAsync(connection, transaction, row.Id, closed, reason, cancellationToken).ConfigureAwait(false);
        await GlassBoxLog.OutcomeAsync(connection, transaction, intent, $"governance.{closed}", row.Leaf.ToString(), new JsonObject { ["status"] = closed }, cancellationToken).ConfigureAwait(false);
        log.Warning("Action {ActionId} ({Kind}) is {Status}: {Reason}", row.Id, row.Action.Kind.Name(), closed, reason);
        return true;
    }

    private async Task<int> ExpireConsentAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var expire = new NpgsqlCommand(
            "UPDATE governance_actions SET status = 'expired', reason = 'the member did not consent before ' || consent_deadline::text, updated_at = now() WHERE status = 'awaiting_consent' AND consent_deadline < now()",
            connection);
        var expired = await expire.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (expired > 0) log.Warning("{Count} admission(s) expired without the member's consent", expired);
        return expired;
    }

    // ready and past its notice → submitted (or executed when the chain already has it, closed when vetoed, superseded or expired, failed when refused).
    private async Task<bool> ExecuteOneAsync(ulong chainTime, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var audit = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await ClaimAsync(connection, transaction, "a.status = 'ready' AND a.executable_at <= $1", [(long)chainTime], cancellationToken).ConfigureAwait(false) is not { } row) return false;

        var scheduled = await chain.ScheduledAsync(row.ActionId(chain.Targets.ChainId), cancellationToken).ConfigureAwait(false);
        if (scheduled.Status == ScheduledStatus.Executed)
        {
            await MarkExecutedAsync(connection, transaction, row.Id, (long)await chain.Client.BlockNumberAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            log.Information("Action {ActionId} ({Kind}) was already executed on chain; adopted", row.Id, row.Action.Kind.Name());
            return true;
        }

        if (await CloseAsync(connection, transaction, row, scheduled.Status, cancellationToken).ConfigureAwait(false))
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }

        if (scheduled.Status != ScheduledStatus.Executable) return false; // a reorg put it back in its notice: wait

        var (function, arguments) = row.Action.Kind switch
        {
            GovernanceActionKind.AdmitMember => ("give", new object?[] { row.Action.Member!.Value, row.Metadata, row.Consent }),
            GovernanceActionKind.RevokeMember => ("revoke", [(BigInteger)AbiCodec.Decode([AbiType.Parse("address"), AbiType.Parse("uint256")], row.Params)[1]!, row.Digest.ToArray()]),
            GovernanceActionKind.SetAnchorer => ("replaceAnchorer", [row.Action.Member!.Value, row.Digest.ToArray()]),
            GovernanceActionKind.SetIssuer => ("setIssuer", [row.Action.Member!.Value, row.Digest.ToArray()]),
            _ => ("amend", [GovernanceAction.ShortText(row.Action.Parameter!), row.Action.Value!.Value, row.Digest.ToArray()]),
        };
        var intent = await GlassBoxLog.IntentAsync(audit, "governance.execute", row.Leaf.ToString(),
            new JsonObject { ["action"] = row.Id, ["kind"] = row.Action.Kind.Name(), ["spec"] = JsonNode.Parse(ActionSpec.ToJson(row.Action)), ["function"] = function, ["target"] = row.Target.ToChecksumString() },
            cancellationToken).ConfigureAwait(false);
        try
        {
            var sent = await chain.SendAsync(row.Target, function, arguments, cancellationToken).ConfigureAwait(false);
            await using var update = new NpgsqlCommand(
                "UPDATE governance_actions SET status = 'submitted', tx_hash = $2, submitted_at = now(), reason = NULL, updated_at = now() WHERE id = $1", connection, transaction);
            update.Parameters.Add(new() { Value = row.Id });
            update.Parameters.Add(new() { Value = sent.Hash.ToArray() });
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await GlassBoxLog.OutcomeAsync(connection, transaction, intent, "governance.execute", row.Leaf.ToString(), new JsonObject { ["tx"] = sent.Hash.ToString() }, cancellationToken).ConfigureAwait(false);
            log.Information("Action {ActionId} ({Kind}) sent in {Tx}", row.Id, row.Action.Kind.Name(), sent.Hash);
        }
        catch (ActionRefusedException refused)
        {
            await GovernanceActions.SetStatusAsync(connection, transaction, row.Id, "failed", refused.Message, cancellationToken).ConfigureAwait(false);
            await GlassBoxLog.OutcomeAsync(connection, transaction, intent, "governance.execute", row.Leaf.ToString(), new JsonObject { ["refused"] = refused.Message }, cancellationToken).ConfigureAwait(false);
            log.Warning("Action {ActionId} ({Kind}) failed: {Reason}", row.Id, row.Action.Kind.Name(), refused.Message);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    // submitted → executed once deep enough; submitted (overdue) or recently executed but gone from the chain → ready again.
    private async Task<int> ConfirmAsync(CancellationToken cancellationToken)
    {
        var head = await chain.Client.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var candidates = new List<(long Id, Hash32 ActionId, string Status, byte[]? Tx, DateTimeOffset? SubmittedAt)>();
        await using (var select = new NpgsqlCommand(
            """
            SELECT a.id, a.target, a.spec::text, a.params, v.sha256, a.status, a.tx_hash, a.submitted_at FROM governance_actions a JOIN decision_versions v ON v.id = a.version_id
            WHERE a.status = 'submitted' OR (a.status = 'executed' AND a.executed_block > $1) ORDER BY a.id
            """, connection))
        {
            select.Parameters.Add(new() { Value = (long)await Reorgs.FinalBoundaryAsync(chain.Client, head, cancellationToken).ConfigureAwait(false) });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var actionId = ActionLeaf.Id(chain.Targets.ChainId, new Address((byte[])reader[1]), ActionSpec.FromJson(reader.GetString(2)).Kind, (byte[])reader[3], new Hash32((byte[])reader[4]));
                candidates.Add((reader.GetInt64(0), actionId, reader.GetString(5), reader.IsDBNull(6) ? null : (byte[])reader[6], reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7)));
            }
        }

        var changed = 0;
        foreach (var action in candidates)
        {
            if ((await chain.ScheduledAsync(action.ActionId, cancellationToken).ConfigureAwait(false)).Status != ScheduledStatus.Executed)
            {
                var overdue = action.SubmittedAt is null || DateTimeOffset.UtcNow - action.SubmittedAt > ResubmitAfter;
                if (action.Status == "executed" || overdue)
                {
                    var why = action.Status == "executed" ? "a reorg undid it" : "its transaction was not mined";
                    await GovernanceActions.SetStatusAsync(connection, null, action.Id, "ready", $"sent again: {why}", cancellationToken).ConfigureAwait(false);
                    await chain.ResyncNonceAsync(cancellationToken).ConfigureAwait(false);
                    log.Warning("Action {ActionId} is not executed on chain ({Why}); it will be sent again", action.Id, why);
                    changed++;
                }

                continue;
            }

            if (action.Status == "executed") continue;
            var receipt = action.Tx is null ? null : await chain.Client.GetTransactionReceiptAsync(new Hash32(action.Tx), cancellationToken).ConfigureAwait(false);
            var block = receipt?.BlockNumber ?? head;
            if (head + 1 < block + (ulong)Confirmations) continue;
            await MarkExecutedAsync(connection, null, action.Id, (long)block, cancellationToken).ConfigureAwait(false);
            log.Information("Action {ActionId} executed in block {Block}", action.Id, block);
            changed++;
        }

        return changed;
    }

    private static async Task MarkExecutedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long id, long block, CancellationToken cancellationToken)
    {
        await using var update = new NpgsqlCommand("UPDATE governance_actions SET status = 'executed', executed_block = $2, reason = NULL, updated_at = now() WHERE id = $1", connection, transaction);
        update.Parameters.Add(new() { Value = id });
        update.Parameters.Add(new() { Value = block });
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
