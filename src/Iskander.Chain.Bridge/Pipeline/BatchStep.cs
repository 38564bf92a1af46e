using Iskander.Chain.Anchoring;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bridge.Pipeline;

/// <summary>
/// stored → batched: closes a Merkle batch of stored versions when enough are waiting or the
/// oldest has waited long enough. The batch row and the versions' leaf positions are written in one
/// transaction; proofs are recomputed from the batch's leaves whenever needed.
/// </summary>
public sealed class BatchStep(BridgeDatabase database, ILogger log)
{
    /// <summary>Close a batch as soon as this many versions are stored (and never put more in one).</summary>
    public int MaxLeaves { get; init; } = 256;

    /// <summary>Close a smaller batch once its oldest version has waited this long.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Closes at most one batch; returns its leaf count (0 when none was due).</summary>
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

        if (ids.Count == 0 || (ids.Count < MaxLeaves && DateTimeOffset.UtcNow - oldest < MaxWait)) return 0;
        var tree = new DecisionMerkleTree(leaves);
        long batchId;
        await using (var insert = new NpgsqlCommand("INSERT INTO batches (root, leaf_count, status) VALUES ($1, $2, 'closed') RETURNING id", connection, transaction))
        {
            insert.Parameters.Add(new() { Value = tree.Root.ToArray() });
            insert.Parameters.Add(new() { Value = ids.Count });
            batchId = (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        await using (var assign = new NpgsqlCommand(
            "UPDATE decision_versions v SET status = 'batched', batch_id = $1, leaf_index = p.ordinality - 1 FROM unnest($2::bigint[]) WITH ORDINALITY AS p(id, ordinality) WHERE v.id = p.id",
            connection, transaction))
        {
            assign.Parameters.Add(new() { Value = batchId });
            assign.Parameters.Add(new() { Value = ids.ToArray() });
            await assign.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        log.Information("Closed batch {BatchId}: {Count} leaves, root {Root}", batchId, ids.Count, tree.Root);
        return ids.Count;
    }
}
