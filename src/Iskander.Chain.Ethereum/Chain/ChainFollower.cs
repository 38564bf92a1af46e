using Iskander.Chain.Ethereum.JsonRpc;
using Serilog;

namespace Iskander.Chain.Ethereum.Chain;

/// <summary>Options of a <see cref="ChainFollower"/>.</summary>
public sealed record FollowerOptions
{
    /// <summary>First block to process when the store is empty (e.g. the contracts' deployment block).</summary>
    public ulong StartBlock { get; init; }

    /// <summary>Blocks that must sit on top of a block before its logs are delivered.</summary>
    public int Confirmations { get; init; }

    /// <summary>Deepest reorg handled; a deeper one stops the follower with <see cref="ReorgTooDeepException"/> (<see cref="ReorgModel.MaxDepth"/> by default).</summary>
    public int MaxReorgDepth { get; init; } = ReorgModel.DefaultMaxDepth;

    /// <summary>Block range of the first <c>eth_getLogs</c> request; halved when a node refuses a range, doubled after successes up to just below the smallest range refused.</summary>
    public ulong InitialLogRange { get; init; } = 2_000;

    /// <summary>Largest range asked for.</summary>
    public ulong MaxLogRange { get; init; } = 10_000;

    /// <summary>Most blocks processed in one poll (bounds the work of a catch-up step).</summary>
    public ulong MaxBlocksPerPoll { get; init; } = 50_000;

    /// <summary>Contracts whose logs are wanted (empty: all).</summary>
    public IReadOnlyList<Address> Addresses { get; init; } = [];

    /// <summary>Topic filters by position.</summary>
    public IReadOnlyList<IReadOnlyList<Hash32>?> Topics { get; init; } = [];
}

/// <summary>What one poll found.</summary>
/// <param name="Reorg">The reorg detected before processing, if any.</param>
/// <param name="Logs">Logs of newly confirmed blocks, in chain order.</param>
/// <param name="ProcessedUpTo">Highest block processed so far (null before the first).</param>
/// <param name="Head">The node's head when polled.</param>
public sealed record FollowStep(ReorgInfo? Reorg, IReadOnlyList<LogEntry> Logs, ulong? ProcessedUpTo, ulong Head);

/// <summary>A reorg: blocks above <paramref name="ForkPoint"/> that had been processed are no longer canonical.</summary>
/// <param name="ForkPoint">Highest block still shared with the node's chain.</param>
/// <param name="Depth">How many processed blocks were replaced.</param>
public sealed record ReorgInfo(ulong ForkPoint, ulong Depth);

/// <summary>The node's chain diverges deeper than <see cref="FollowerOptions.MaxReorgDepth"/> from what was processed.</summary>
public sealed class ReorgTooDeepException(ulong processedUpTo, int maxDepth)
    : Exception($"no common ancestor within {maxDepth} blocks below processed block {processedUpTo}; manual recovery needed");

/// <summary>
/// Follows the canonical chain by number, hash and parent hash. Each poll first checks that the last
/// processed block is still canonical and, if not, walks back to the fork point and reports it
/// (anvil and many nodes never send <c>removed: true</c> logs, so hashes are the only reliable
/// signal). It then delivers the logs of blocks that have reached the configured number of
/// confirmations, fetching them with <c>eth_getLogs</c> in ranges that shrink when the node refuses
/// a range and grow again after successes. Progress lives in an <see cref="IChainCursorStore"/>.
/// </summary>
public sealed class ChainFollower(EthClient client, IChainCursorStore store, FollowerOptions options, ILogger? logger = null)
{
    private readonly ILogger _log = (logger ?? Serilog.Core.Logger.None).ForContext<ChainFollower>();
    private ulong _logRange = options.InitialLogRange;
    private ulong _rangeCeiling = options.MaxLogRange;

    /// <summary>The current <c>eth_getLogs</c> range (adapts to the node).</summary>
    public ulong LogRange => _logRange;

    /// <summary>Checks for a reorg, then processes newly confirmed blocks.</summary>
    /// <exception cref="ReorgTooDeepException">The fork point is deeper than allowed.</exception>
    public async Task<FollowStep> PollAsync(CancellationToken cancellationToken = default)
    {
        var head = await client.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        var reorg = await DetectReorgAsync(cancellationToken).ConfigureAwait(false);
        var recent = await store.LoadRecentAsync(1, cancellationToken).ConfigureAwait(false);
        var from = recent.Count == 0 ? options.StartBlock : recent[0].Number + 1;
        var confirmedHead = head >= (ulong)options.Confirmations ? head - (ulong)options.Confirmations : (ulong?)null;
        if (confirmedHead is null || confirmedHead < from)
        {
            return new FollowStep(reorg, [], recent.Count == 0 ? null : recent[0].Number, head);
        }

        var to = Math.Min(confirmedHead.Value, from + options.MaxBlocksPerPoll - 1);
        var headers = await HeadersAsync(from, to, recent.Count == 0 ? null : recent[0], cancellationToken).ConfigureAwait(false);
        if (headers is null)
        {
            // The chain changed while we read it: the next poll starts over from the stored state.
            return new FollowStep(reorg, [], recent.Count == 0 ? null : recent[0].Number, head);
        }

        var logs = await LogsAsync(from, to, cancellationToken).ConfigureAwait(false);
        var byNumber = headers.ToDictionary(h => h.Number, h => h.Hash);
        if (logs.Any(l => byNumber.TryGetValue(l.BlockNumber, out var hash) && hash != l.BlockHash))
        {
            _log.Warning("Logs of blocks {From}-{To} came from another fork than their headers; retrying next poll", from, to);
            return new FollowStep(reorg, [], recent.Count == 0 ? null : recent[0].Number, head);
        }

        await store.AppendAsync(headers, to >= (ulong)options.MaxReorgDepth ? to - (ulong)options.MaxReorgDepth : 0, cancellationToken).ConfigureAwait(false);
        return new FollowStep(reorg, logs, to, head);
    }

    private async Task<ReorgInfo?> DetectReorgAsync(CancellationToken cancellationToken)
    {
        var known = await store.LoadRecentAsync(options.MaxReorgDepth + 1, cancellationToken).ConfigureAwait(false);
        if (known.Count == 0) return null;
        var onChain = await client.GetBlocksByNumberAsync(known.Select(b => b.Number).ToList(), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < known.Count; i++)
        {
            if (onChain[i] is { } block && block.Hash == known[i].Hash)
            {
                if (i == 0) return null;
                var forkPoint = known[i].Number;
                var depth = known[0].Number - forkPoint;
                _log.Warning("Reorg detected: {Depth} processed block(s) above {ForkPoint} replaced", depth, forkPoint);
                await store.RewindAsync(forkPoint, cancellationToken).ConfigureAwait(false);
                return new ReorgInfo(forkPoint, depth);
            }
        }

        throw new ReorgTooDeepException(known[0].Number, options.MaxReorgDepth);
    }

    private async Task<List<BlockRef>?> HeadersAsync(ulong from, ulong to, BlockRef? previous, CancellationToken cancellationToken)
    {
        // Only the newest blocks can still be reorganised, so only they need hashes on record.
        var windowStart = to >= from + (ulong)options.MaxReorgDepth ? to - (ulong)options.MaxReorgDepth : from;
        var numbers = new List<ulong>();
        for (var n = windowStart; n <= to; n++) numbers.Add(n);
        var fetched = await client.GetBlocksByNumberAsync(numbers, cancellationToken).ConfigureAwait(false);
        var headers = new List<BlockRef>(fetched.Count);
        foreach (var header in fetched)
        {
            if (header is null) return null;
            var expectedParent = headers.Count > 0 ? headers[^1].Hash : windowStart == from ? previous?.Hash : null;
            if (expectedParent is { } parent && header.ParentHash != parent) return null;
            headers.Add(new BlockRef(header.Number, header.Hash, header.ParentHash));
        }

        return headers;
    }

    private async Task<List<LogEntry>> LogsAsync(ulong from, ulong to, CancellationToken cancellationToken)
    {
        var logs = new List<LogEntry>();
        var start = from;
        while (start <= to)
        {
            var end = Math.Min(to, start + _logRange - 1);
            try
            {
                logs.AddRange(await client.GetLogsAsync(new LogFilter
                {
                    FromBlock = start,
                    ToBlock = end,
                    Addresses = options.Addresses,
                    Topics = options.Topics,
                }, cancellationToken).ConfigureAwait(false));
                start = end + 1;
                _logRange = Math.Min(_rangeCeiling, _logRange * 2);
            }
            catch (JsonRpcErrorException ex) when (IsRangeRefusal(ex) && end > start)
            {
                // Never grow back to a range this node has refused.
                _rangeCeiling = Math.Max(1, Math.Min(_rangeCeiling, end - start));
                _logRange = Math.Max(1, (end - start + 1) / 2);
                _log.Information("Node refused eth_getLogs over {Blocks} blocks ({Reason}); trying {Range}", end - start + 1, ex.RpcMessage, _logRange);
            }
        }

        return logs.OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex).ToList();
    }

    private static bool IsRangeRefusal(JsonRpcErrorException ex)
    {
        var message = ex.RpcMessage.ToLowerInvariant();
        return ex.Code == -32005 || message.Contains("range") || message.Contains("too many") || message.Contains("limit")
               || message.Contains("more than") || message.Contains("too large");
    }
}
