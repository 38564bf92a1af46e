using System.Numerics;
using System.Text.Json.Nodes;
using Iskander.Chain.Anchoring;
using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Governance;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bridge.Governance;

/// <summary>
/// Executes anchored actions, each only after the batch that anchors it (with its decision) is
/// confirmed: admissions wait for the member's consent (and expire without it), revocations and
/// amendments go straight to the contract. Every transaction is announced in the Glass Box first.
/// The contracts' <c>actionExecuted</c> is the truth consulted: an action found executed is adopted,
/// never sent twice, and an executed action that a reorg undid is sent again.
/// </summary>
public sealed class GovernanceStep(BridgeDatabase database, GovernanceChain chain, ILogger log)
{
    /// <summary>How long an admission waits for the member's consent.</summary>
    public TimeSpan ConsentWindow { get; init; } = TimeSpan.FromDays(14);

    /// <summary>Blocks on top of the executing block (that one included) before an action counts as executed.</summary>
    public int Confirmations { get; init; } = 2;

    /// <summary>Executed actions this many blocks deep or less are re-checked for reorgs.</summary>
    public int ReorgWindow { get; init; } = 64;

    /// <summary>A sent action still not executed after this long is sent again.</summary>
    public TimeSpan ResubmitAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Most transactions sent per round.</summary>
    public int MaxSendsPerRound { get; init; } = 16;

    /// <summary>One round; returns how many actions changed status.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var changed = await PromoteAsync(cancellationToken).ConfigureAwait(false);
        changed += await ExpireAsync(cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < MaxSendsPerRound && await ExecuteOneAsync(cancellationToken).ConfigureAwait(false); i++) changed++;
        return changed + await ConfirmAsync(cancellationToken).ConfigureAwait(false);
    }

    // pending → awaiting_consent (admissions: the agreement is prepared) or ready, once the batch is confirmed.
    private async Task<int> PromoteAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var due = new List<(long Id, GovernanceAction Action, long BatchId, int Index, Hash32 Digest)>();
        await using (var select = new NpgsqlCommand(
            """
            SELECT a.id, a.spec::text, a.batch_id, a.leaf_index, v.sha256 FROM governance_actions a
            JOIN batches b ON b.id = a.batch_id JOIN decision_versions v ON v.id = a.version_id
            WHERE a.status = 'pending' AND b.status = 'confirmed' ORDER BY a.id FOR UPDATE OF a SKIP LOCKED
            """, connection, transaction))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                due.Add((reader.GetInt64(0), ActionSpec.FromJson(reader.GetString(1)), reader.GetInt64(2), reader.GetInt32(3), new Hash32((byte[])reader[4])));
            }
        }

        foreach (var (id, action, batchId, index, digest) in due)
        {
            if (action.Kind != GovernanceActionKind.AdmitMember)
            {
                await GovernanceActions.SetStatusAsync(connection, transaction, id, "ready", null, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var reference = DecisionRef.For(await DecisionQueries.BatchTreeAsync(connection, batchId, cancellationToken).ConfigureAwait(false), index);
            var agreement = MembershipAgreement.Create(chain.Targets.ChainId, chain.Targets.Identity, chain.Issuer, action.Member!.Value, action.Role!, action.Uri ?? "", digest, reference);
            await using var update = new NpgsqlCommand(
                "UPDATE governance_actions SET status = 'awaiting_consent', metadata = $2, consent_deadline = now() + $3, updated_at = now() WHERE id = $1", connection, transaction);
            update.Parameters.Add(new() { Value = id });
            update.Parameters.Add(new() { Value = agreement.Metadata });
            update.Parameters.Add(new() { Value = ConsentWindow });
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            log.Information("Admission of {Member} as {Role} is anchored and awaits the member's consent (action {ActionId})", action.Member, action.Role, id);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return due.Count;
    }

    private async Task<int> ExpireAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var expire = new NpgsqlCommand(
            "UPDATE governance_actions SET status = 'expired', reason = 'the member did not consent before ' || consent_deadline::text, updated_at = now() WHERE status = 'awaiting_consent' AND consent_deadline < now()",
            connection);
        var expired = await expire.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (expired > 0) log.Warning("{Count} admission(s) expired without the member's consent", expired);
        return expired;
    }

    // ready → submitted (or executed when the chain already has it, or failed when the contract refuses).
    private async Task<bool> ExecuteOneAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var audit = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        long id, batchId;
        int index;
        GovernanceAction action;
        Address target;
        Hash32 leaf, digest;
        byte[] parameters;
        byte[]? metadata, consent;
        await using (var claim = new NpgsqlCommand(
            """
            SELECT a.id, a.spec::text, a.target, a.leaf, a.params, a.batch_id, a.leaf_index, a.metadata, a.consent, v.sha256 FROM governance_actions a
            JOIN batches b ON b.id = a.batch_id JOIN decision_versions v ON v.id = a.version_id
            WHERE a.status = 'ready' AND b.status = 'confirmed' ORDER BY a.id LIMIT 1 FOR UPDATE OF a SKIP LOCKED
            """, connection, transaction))
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return false;
            id = reader.GetInt64(0);
            action = ActionSpec.FromJson(reader.GetString(1));
            target = new Address((byte[])reader[2]);
            leaf = new Hash32((byte[])reader[3]);
            parameters = (byte[])reader[4];
            batchId = reader.GetInt64(5);
            index = reader.GetInt32(6);
            metadata = reader.IsDBNull(7) ? null : (byte[])reader[7];
            consent = reader.IsDBNull(8) ? null : (byte[])reader[8];
            digest = new Hash32((byte[])reader[9]);
        }

        if (await chain.ActionExecutedAsync(target, leaf, cancellationToken).ConfigureAwait(false))
        {
            await MarkExecutedAsync(connection, transaction, id, (long)await chain.Client.BlockNumberAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            log.Information("Action {ActionId} ({Kind}) was already executed on chain; adopted", id, action.Kind.Name());
            return true;
        }

        var reference = DecisionRef.For(await DecisionQueries.BatchTreeAsync(connection, batchId, cancellationToken).ConfigureAwait(false), index);
        var (function, arguments) = action.Kind switch
        {
            GovernanceActionKind.AdmitMember => ("give", new object?[] { action.Member!.Value, metadata, consent }),
            GovernanceActionKind.RevokeMember => ("revoke", [(BigInteger)AbiCodec.Decode([AbiType.Parse("address"), AbiType.Parse("uint256")], parameters)[1]!, digest.ToArray(), reference.ToAbiTuple()]),
            _ => ("amend", [GovernanceAction.ShortText(action.Parameter!), action.Value!.Value, digest.ToArray(), reference.ToAbiTuple()]),
        };
        var intent = await GlassBoxLog.IntentAsync(audit, "governance.execute", leaf.ToString(),
            new JsonObject { ["action"] = id, ["kind"] = action.Kind.Name(), ["spec"] = JsonNode.Parse(ActionSpec.ToJson(action)), ["function"] = function, ["target"] = target.ToChecksumString() },
            cancellationToken).ConfigureAwait(false);
        try
        {
            var sent = await chain.SendAsync(target, function, arguments, cancellationToken).ConfigureAwait(false);
            await using var update = new NpgsqlCommand(
                "UPDATE governance_actions SET status = 'submitted', tx_hash = $2, submitted_at = now(), reason = NULL, updated_at = now() WHERE id = $1", connection, transaction);
            update.Parameters.Add(new() { Value = id });
            update.Parameters.Add(new() { Value = sent.Hash.ToArray() });
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await GlassBoxLog.OutcomeAsync(connection, transaction, intent, "governance.execute", leaf.ToString(), new JsonObject { ["tx"] = sent.Hash.ToString() }, cancellationToken).ConfigureAwait(false);
            log.Information("Action {ActionId} ({Kind}) sent in {Tx}", id, action.Kind.Name(), sent.Hash);
        }
        catch (ActionRefusedException refused)
        {
            await GovernanceActions.SetStatusAsync(connection, transaction, id, "failed", refused.Message, cancellationToken).ConfigureAwait(false);
            await GlassBoxLog.OutcomeAsync(connection, transaction, intent, "governance.execute", leaf.ToString(), new JsonObject { ["refused"] = refused.Message }, cancellationToken).ConfigureAwait(false);
            log.Warning("Action {ActionId} ({Kind}) failed: {Reason}", id, action.Kind.Name(), refused.Message);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    // submitted → executed once deep enough; submitted (overdue) or recently executed but gone from the chain → ready again.
    private async Task<int> ConfirmAsync(CancellationToken cancellationToken)
    {
        var head = await chain.Client.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var candidates = new List<(long Id, Address Target, Hash32 Leaf, string Status, byte[]? Tx, DateTimeOffset? SubmittedAt)>();
        await using (var select = new NpgsqlCommand(
            "SELECT id, target, leaf, status, tx_hash, submitted_at FROM governance_actions WHERE status = 'submitted' OR (status = 'executed' AND executed_block >= $1) ORDER BY id", connection))
        {
            select.Parameters.Add(new() { Value = (long)head - ReorgWindow });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                candidates.Add((reader.GetInt64(0), new Address((byte[])reader[1]), new Hash32((byte[])reader[2]), reader.GetString(3),
                    reader.IsDBNull(4) ? null : (byte[])reader[4], reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
            }
        }

        var changed = 0;
        foreach (var action in candidates)
        {
            if (!await chain.ActionExecutedAsync(action.Target, action.Leaf, cancellationToken).ConfigureAwait(false))
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
