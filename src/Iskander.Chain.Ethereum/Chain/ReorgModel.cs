using Iskander.Chain.Ethereum.JsonRpc;

namespace Iskander.Chain.Ethereum.Chain;

/// <summary>
/// The one reorg model shared by everything that follows the chain (the anchoring confirmer, the
/// governance confirmer and the event mirrors): a block is final once it is both at or below the
/// node's <c>finalized</c> block (where the node reports one) and <see cref="MaxDepth"/> blocks
/// deep. Taking the deeper of the two keeps re-checking on chains whose finality lags (rollups) and
/// on development chains whose <c>finalized</c> tag is a fixed offset that a reorg can still cross
/// (anvil reports head − 64).
/// </summary>
public sealed record ReorgModel
{
    /// <summary>The default depth: deeper than any reorg a proof-of-stake chain has had before finality.</summary>
    public const int DefaultMaxDepth = 128;

    /// <summary>How many blocks below the head may still be replaced, whatever the node says is final.</summary>
    public int MaxDepth { get; init; } = DefaultMaxDepth;

    /// <summary>The highest block that can no longer change at <paramref name="head"/> (0 while nothing is final).</summary>
    public async Task<ulong> FinalBoundaryAsync(EthClient client, ulong head, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var byDepth = head > (ulong)MaxDepth ? head - (ulong)MaxDepth : 0;
        BlockHeader? finalized;
        try
        {
            finalized = await client.GetBlockByTagAsync("finalized", cancellationToken).ConfigureAwait(false);
        }
        catch (JsonRpcErrorException)
        {
            finalized = null; // a node without the tag (pre-merge or minimal): depth alone decides
        }

        return finalized is null ? byDepth : Math.Min(byDepth, finalized.Number);
    }
}
