using Iskander.Chain.Anchoring;
using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Governance;
using Iskander.Chain.Ethereum;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bridge.Pipeline;

/// <summary>
/// stored → batched: closes a Merkle batch of stored versions when enough are waiting or the
/// oldest has waited long enough. Each version's leaf is followed by the leaves of the actions it
/// orders, so one root anchors both. The batch row and every leaf position are written in one
/// transaction; proofs are recomputed from the batch's leaves whenever needed. The Glass Box's head
/// rides along as the last leaf when the log grew since the last head batched, and goes alone once
/// <see cref="AuditInterval"/> has passed with nothing else to batch (<see cref="AuditHeads"/>).
/// </summary>
public sealed class BatchStep(BridgeDatabase database, ILogger log)
{
    /// <summary>Where actions execute; without it, actions stay pending and only decisions are batched.</summary>
    public GovernanceTargets? Governance { get; init; }

    /// <summary>Close a batch as soon as this many versions are stored (and never put more in one).</summary>
    public int MaxLeaves { get; init; } = 256;

    /// <summary>Close a smaller batch once its oldest version has waited this long.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an idle bridge anchors the Glass Box's head in a batch of its own.</summary>
    public TimeSpan AuditInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Closes at most one batch; returns how many decision versions it holds (0 when none was due, or for a batch holding only the Glass Box's head).</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var ids = new List<long>();
        var leaves = new List<Hash32>();
        DateTimeOffset? oldest = null;
        await using (var claim = new NpgsqlCommand(
            "SELECT id, leaf, stored_at FROM decision_versions WHERE status = 'stored' ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED", connection, transaction))
        {
            claim.Parameters.Add(new() { Value = MaxLeaves });
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ids.Add(reader.GetInt64(0));
                leaves.Add(new Hash32((byte[])reader[1]));
                var storedAt = reader.GetFieldValue<DateTimeOffset>(2);
                oldest = oldest is null || storedAt < oldest ? storedAt : oldest;
            }
        }

        AuditHead? head;
        if (ids.Count == 0)
        {
            head = await AuditHeads.DueAloneAsync(connection, transaction, AuditInterval, cancellationToken).ConfigureAwait(false);
            if (head is null) return 0;
        }
        else if (ids.Count < MaxLeaves && DateTimeOffset.UtcNow - oldest < MaxWait) return 0;
        else head = await AuditHeads.UnbatchedAsync(connection, transaction, cancellationToken).ConfigureAwait(false);

        var actions = Governance is null ? []
            : await ActionLeaves.PrepareAsync(connection, transaction, [.. ids], Governance, log, cancellationToken).ConfigureAwait(false);
        var ordered = new List<Hash32>(leaves.Count + actions.Count);
        var versionIndexes = new long[ids.Count];
        var actionIndexes = new List<(long Id, int Index, PreparedActionLeaf Leaf)>();
        for (var i = 0; i < ids.Count; i++)
        {
            versionIndexes[i] = ordered.Count;
            ordered.Add(leaves[i]);
            foreach (var action in actions.Where(a => a.VersionId == ids[i]))
            {
                actionIndexes.Add((action.ActionId, ordered.Count, action));
                ordered.Add(action.Leaf);
            }
        }

        var headIndex = ordered.Count;
        if (head is not null) ordered.Add(head.Leaf);
        var tree = new DecisionMerkleTree(ordered);
        long batchId;
        await using (var insert = new NpgsqlCommand("INSERT INTO batches (root, leaf_count, status) VALUES ($1, $2, 'closed') RETURNING id", connection, transaction))
        {
            insert.Parameters.Add(new() { Value = tree.Root.ToArray() });
            insert.Parameters.Add(new() { Value = ordered.Count });
            batchId = (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        await using (var assign = new NpgsqlCommand(
            "UPDATE decision_versions v SET status = 'batched', batch_id = $1, leaf_index = p.position FROM unnest($2::bigint[], $3::bigint[]) AS p(id, position) WHERE v.id = p.id",
            connection, transaction))
        {
            assign.Parameters.Add(new() { Value = batchId });
            assign.Parameters.Add(new() { Value = ids.ToArray() });
            assign.Parameters.Add(new() { Value = versionIndexes });
            await assign.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var (id, index, action) in actionIndexes)
        {
            await using var place = new NpgsqlCommand(
                "UPDATE governance_actions SET leaf = $2, target = $3, params = $4, batch_id = $5, leaf_index = $6, updated_at = now() WHERE id = $1", connection, transaction);
            foreach (var value in new object[] { id, action.Leaf.ToArray(), action.Target.ToArray(), action.Params, batchId, index }) place.Parameters.Add(new() { Value = value });
            await place.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (head is not null) await AuditHeads.RecordAsync(connection, transaction, batchId, head, headIndex, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        log.Information("Closed batch {BatchId}: {Count} decisions, {Actions} actions and Glass Box head {Head}, root {Root}", batchId, ids.Count, actionIndexes.Count,
            head?.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(unchanged)", tree.Root);
        return ids.Count;
    }
}
