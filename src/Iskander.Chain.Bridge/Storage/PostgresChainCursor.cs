using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Chain;
using Npgsql;

namespace Iskander.Chain.Bridge.Storage;

/// <summary>
/// A chain follower's processed blocks in PostgreSQL. Changes are held back until
/// <see cref="SaveAsync"/> writes them in the caller's transaction, together with whatever the caller
/// derived from the same blocks: the cursor never runs ahead of the data, so a crash in between
/// only means those blocks are read again.
/// </summary>
public sealed class PostgresChainCursor(BridgeDatabase database, string follower) : IChainCursorStore
{
    private SortedDictionary<ulong, BlockRef>? _blocks;
    private ulong? _rewoundTo;
    private ulong _keepFrom;

    /// <inheritdoc />
    public async Task<IReadOnlyList<BlockRef>> LoadRecentAsync(int limit, CancellationToken cancellationToken)
    {
        if (_blocks is null)
        {
            _blocks = new SortedDictionary<ulong, BlockRef>();
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT number, hash, parent_hash FROM chain_cursors WHERE follower = $1 ORDER BY number DESC LIMIT 512", connection);
            command.Parameters.Add(new() { Value = follower });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var number = (ulong)reader.GetInt64(0);
                _blocks[number] = new BlockRef(number, new Hash32((byte[])reader[1]), new Hash32((byte[])reader[2]));
            }
        }

        return _blocks.Values.Reverse().Take(limit).ToList();
    }

    /// <inheritdoc />
    public Task AppendAsync(IReadOnlyList<BlockRef> blocks, ulong keepFrom, CancellationToken cancellationToken)
    {
        _blocks ??= new SortedDictionary<ulong, BlockRef>();
        foreach (var block in blocks) _blocks[block.Number] = block;
        foreach (var old in _blocks.Keys.Where(n => n < keepFrom).ToList()) _blocks.Remove(old);
        _keepFrom = Math.Max(_keepFrom, keepFrom);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RewindAsync(ulong forkPoint, CancellationToken cancellationToken)
    {
        _blocks ??= new SortedDictionary<ulong, BlockRef>();
        foreach (var above in _blocks.Keys.Where(n => n > forkPoint).ToList()) _blocks.Remove(above);
        _rewoundTo = _rewoundTo is { } earlier ? Math.Min(earlier, forkPoint) : forkPoint;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Takes this follower's lock for the rest of <paramref name="transaction"/>. Bridge processes
    /// sharing a database run the same followers; without it their cursor and mirror writes (upserts,
    /// deletes of old and reorged rows) interleave in different row orders and deadlock.
    /// </summary>
    public async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended('chain_cursors:' || $1, 0))", connection, transaction);
        command.Parameters.Add(new() { Value = follower });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the held-back changes in <paramref name="transaction"/>.</summary>
    public async Task SaveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (_blocks is null) return;
        if (_rewoundTo is { } fork)
        {
            await using var rewind = new NpgsqlCommand("DELETE FROM chain_cursors WHERE follower = $1 AND number > $2", connection, transaction);
            rewind.Parameters.Add(new() { Value = follower });
            rewind.Parameters.Add(new() { Value = (long)fork });
            await rewind.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var write = new NpgsqlCommand(
            """
            INSERT INTO chain_cursors (follower, number, hash, parent_hash) SELECT $1, * FROM unnest($2::bigint[], $3::bytea[], $4::bytea[])
            ON CONFLICT (follower, number) DO UPDATE SET hash = excluded.hash, parent_hash = excluded.parent_hash
            """, connection, transaction))
        {
            write.Parameters.Add(new() { Value = follower });
            write.Parameters.Add(new() { Value = _blocks.Keys.Select(n => (long)n).ToArray() });
            write.Parameters.Add(new() { Value = _blocks.Values.Select(b => b.Hash.ToArray()).ToArray() });
            write.Parameters.Add(new() { Value = _blocks.Values.Select(b => b.ParentHash.ToArray()).ToArray() });
            await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var forget = new NpgsqlCommand("DELETE FROM chain_cursors WHERE follower = $1 AND number < $2", connection, transaction))
        {
            forget.Parameters.Add(new() { Value = follower });
            forget.Parameters.Add(new() { Value = (long)_keepFrom });
            await forget.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        _rewoundTo = null;
    }

    /// <summary>Drops what is held in memory (after a failed save): the next poll starts from what the database has.</summary>
    public void Reset()
    {
        _blocks = null;
        _rewoundTo = null;
    }
}
