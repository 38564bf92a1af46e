using Iskander.Chain.Ethereum;

namespace Iskander.Chain.Anchoring;

/// <summary>
/// A citation of an anchored decision, as contracts take it (<c>DecisionRef</c> in
/// <c>IDecisionAnchor.sol</c>): the batch root, the leaf, its index and the audit path.
/// </summary>
/// <param name="Root">Root of the anchored batch.</param>
/// <param name="Leaf">The decision leaf.</param>
/// <param name="Index">The leaf's position in the batch.</param>
/// <param name="Proof">The audit path.</param>
public sealed record DecisionRef(Hash32 Root, Hash32 Leaf, ulong Index, IReadOnlyList<Hash32> Proof)
{
    /// <summary>The citation of leaf <paramref name="index"/> of <paramref name="tree"/>.</summary>
    public static DecisionRef For(DecisionMerkleTree tree, int index) => new(tree.Root, tree.Leaf(index), (ulong)index, tree.Proof(index));

    /// <summary>The value to pass for a <c>(bytes32,bytes32,uint64,bytes32[])</c> ABI parameter.</summary>
    public object?[] ToAbiTuple() => [Root.ToArray(), Leaf.ToArray(), Index, Proof.Select(p => p.ToArray()).ToArray<object>()];
}
