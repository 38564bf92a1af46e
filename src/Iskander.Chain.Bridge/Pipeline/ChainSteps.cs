using System.Text.Json.Nodes;
using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Chain;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bridge.Pipeline;

/// <summary>
/// closed → submitted: sends one <c>anchor</c> transaction per closed batch. The batch row stays
/// locked while its transaction is sent, so a second bridge process skips it; and the contract is
/// asked first, so a batch that an interrupted attempt already anchored is adopted, not re-sent.
/// </summary>
public sealed class SubmitStep(BridgeDatabase database, AnchorChain chain, ILogger log)
{
    /// <summary>Submits at most one batch; returns whether one was handled.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var audit = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        long id;
        Hash32 root;
        int leafCount;
        await using (var claim = new NpgsqlCommand("SELECT id, root, leaf_count FROM batches WHERE status = 'closed' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED", connection, transaction))
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return false;
            (id, root, leafCount) = (reader.GetInt64(0), new Hash32((byte[])reader[1]), reader.GetInt32(2));
        }

        var onChain = await chain.BatchOfAsync(root, cancellationToken).ConfigureAwait(false);
        string? txHash = null;
        ulong? nonce = null;
        if (!onChain.IsAnchored)
        {
            var intent = await GlassBoxLog.IntentAsync(audit, "anchor.submit", root.ToString(), new JsonObject { ["batch"] = id, ["leafCount"] = leafCount }, cancellationToken).ConfigureAwait(false);
            var sent = await chain.SendAnchorAsync(root, leafCount, cancellationToken).ConfigureAwait(false);
            txHash = sent?.Hash.ToString();
            nonce = sent?.Transaction.Nonce;
            await GlassBoxLog.OutcomeAsync(connection, transaction, intent, "anchor.submit", root.ToString(),
                new JsonObject { ["tx"] = txHash, ["nonce"] = nonce, ["alreadyAnchored"] = sent is null }, cancellationToken).ConfigureAwait(false);
        }

        await using (var update = new NpgsqlCommand(
            "UPDATE batches SET status = 'submitted', tx_hash = COALESCE($2, tx_hash), tx_nonce = COALESCE($3, tx_nonce), submitted_at = now() WHERE id = $1", connection, transaction))
        {
            update.Parameters.Add(new() { Value = id });
            update.Parameters.Add(new() { Value = txHash is null ? DBNull.Value : Hex.Decode(txHash) });
            update.Parameters.Add(new() { Value = nonce is null ? DBNull.Value : (long)nonce.Value });
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        log.Information("Batch {BatchId} ({Root}) {What}", id, root, txHash is null ? "was already anchored" : $"submitted in {txHash}");
        return true;
    }
}

/// <summary>
/// submitted → confirmed, and back: a batch is confirmed when the contract holds its root in a block
/// with enough confirmations; a submitted or recently confirmed batch whose root the chain no longer
/// holds (dropped transaction, reorg) goes back to closed and is anchored again, until its block is
/// final (<see cref="ReorgModel"/>). The contract's state on the canonical chain is the only truth
/// consulted, never the bridge's memory of its transaction.
/// </summary>
public sealed class ConfirmStep(BridgeDatabase database, AnchorChain chain, ILogger log)
{
    /// <summary>Blocks on top of the anchoring block (that one included) before a batch counts as confirmed.</summary>
    public int Confirmations { get; init; } = 2;

    /// <summary>Until when confirmed batches are re-checked for reorgs.</summary>
    public ReorgModel Reorgs { get; init; } = new();

    /// <summary>A submitted batch whose root is still not on chain after this long is sent again.</summary>
    public TimeSpan ResubmitAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Checks every batch in flight; returns how many changed status.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var head = await chain.Client.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        var final = await Reorgs.FinalBoundaryAsync(chain.Client, head, cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var candidates = new List<(long Id, Hash32 Root, string Status, long? Block, byte[]? BlockHash, DateTimeOffset? SubmittedAt)>();
        await using (var select = new NpgsqlCommand(
            "SELECT id, root, status, block_number, block_hash, submitted_at FROM batches WHERE status = 'submitted' OR (status = 'confirmed' AND block_number > $1) ORDER BY id", connection))
        {
            select.Parameters.Add(new() { Value = (long)final });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                candidates.Add((reader.GetInt64(0), new Hash32((byte[])reader[1]), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt64(3),
                    reader.IsDBNull(4) ? null : (byte[])reader[4], reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
            }
        }

        var changed = 0;
        foreach (var batch in candidates)
        {
            var onChain = await chain.BatchOfAsync(batch.Root, cancellationToken).ConfigureAwait(false);
            if (!onChain.IsAnchored)
            {
                var overdue = batch.SubmittedAt is null || DateTimeOffset.UtcNow - batch.SubmittedAt > ResubmitAfter;
                if (batch.Status == "confirmed" || overdue)
                {
                    await SetStatusAsync(connection, batch.Id, "closed", null, null, null, cancellationToken).ConfigureAwait(false);
                    await chain.ResyncNonceAsync(cancellationToken).ConfigureAwait(false);
                    log.Warning("Batch {BatchId} ({Root}) is no longer on chain ({Why}); it will be anchored again", batch.Id, batch.Root, batch.Status == "confirmed" ? "reorg" : "not mined");
                    changed++;
                }

                continue;
            }

            var block = await chain.Client.GetBlockByNumberAsync(onChain.BlockNumber, cancellationToken).ConfigureAwait(false);
            if (block is null) continue; // the node is catching up; look again next round
            var deepEnough = head + 1 >= onChain.BlockNumber + (ulong)Confirmations;
            var sameBlock = batch.Block == (long)onChain.BlockNumber && batch.BlockHash is not null && block.Hash.ToArray().AsSpan().SequenceEqual(batch.BlockHash);
            var target = deepEnough ? "confirmed" : "submitted";
            if (target == batch.Status && sameBlock) continue;
            await SetStatusAsync(connection, batch.Id, target, (long)onChain.BlockNumber, block.Hash.ToArray(), (long)onChain.Sequence, cancellationToken).ConfigureAwait(false);
            if (target == "confirmed") log.Information("Batch {BatchId} ({Root}) confirmed in block {Block} (sequence {Sequence})", batch.Id, batch.Root, onChain.BlockNumber, onChain.Sequence);
            changed++;
        }

        return changed;
    }

    private static async Task SetStatusAsync(NpgsqlConnection connection, long id, string status, long? block, byte[]? blockHash, long? sequence, CancellationToken cancellationToken)
    {
        await using var update = new NpgsqlCommand(
            """
            UPDATE batches SET status = $2, block_number = $3, block_hash = $4, sequence = $5,
                confirmed_at = CASE WHEN $2 = 'confirmed' THEN now() ELSE NULL END,
                submitted_at = CASE WHEN $2 = 'closed' THEN NULL ELSE submitted_at END
            WHERE id = $1
            """, connection);
        foreach (var value in new object?[] { id, status, block, blockHash, sequence }) update.Parameters.Add(new() { Value = value ?? DBNull.Value });
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
