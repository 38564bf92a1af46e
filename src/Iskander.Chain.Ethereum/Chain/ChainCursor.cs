namespace Iskander.Chain.Ethereum.Chain;

/// <summary>A processed block: enough to notice when the node's chain no longer contains it.</summary>
/// <param name="Number">Block number.</param>
/// <param name="Hash">Block hash.</param>
/// <param name="ParentHash">Parent's hash.</param>
public sealed record BlockRef(ulong Number, Hash32 Hash, Hash32 ParentHash);

/// <summary>
/// Where a <see cref="ChainFollower"/> keeps the recent blocks it processed. The bridge stores them
/// in PostgreSQL so that a restarted process resumes where it stopped and still detects a reorg
/// that happened while it was down.
/// </summary>
public interface IChainCursorStore
{
    /// <summary>The most recent processed blocks, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<BlockRef>> LoadRecentAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Records newly processed blocks (ascending) and may forget blocks older than <paramref name="keepFrom"/>.</summary>
    Task AppendAsync(IReadOnlyList<BlockRef> blocks, ulong keepFrom, CancellationToken cancellationToken);

    /// <summary>Forgets every block above <paramref name="forkPoint"/> (after a reorg).</summary>
    Task RewindAsync(ulong forkPoint, CancellationToken cancellationToken);
}

/// <summary>An <see cref="IChainCursorStore"/> in memory, for tests and short-lived tools.</summary>
public sealed class InMemoryChainCursorStore : IChainCursorStore
{
    private readonly SortedDictionary<ulong, BlockRef> _blocks = new();

    /// <inheritdoc />
    public Task<IReadOnlyList<BlockRef>> LoadRecentAsync(int limit, CancellationToken cancellationToken)
    {
        lock (_blocks) return Task.FromResult<IReadOnlyList<BlockRef>>(_blocks.Values.Reverse().Take(limit).ToList());
    }

    /// <inheritdoc />
    public Task AppendAsync(IReadOnlyList<BlockRef> blocks, ulong keepFrom, CancellationToken cancellationToken)
    {
        lock (_blocks)
        {
            foreach (var block in blocks) _blocks[block.Number] = block;
            foreach (var old in _blocks.Keys.Where(n => n < keepFrom).ToList()) _blocks.Remove(old);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RewindAsync(ulong forkPoint, CancellationToken cancellationToken)
    {
        lock (_blocks)
        {
            foreach (var stale in _blocks.Keys.Where(n => n > forkPoint).ToList()) _blocks.Remove(stale);
        }

        return Task.CompletedTask;
    }
}
