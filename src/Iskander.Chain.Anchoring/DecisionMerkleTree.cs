using Iskander.Chain.Ethereum;

namespace Iskander.Chain.Anchoring;

/// <summary>
/// An RFC 6962-style Merkle tree over decision leaves with keccak-256: interior nodes are
/// keccak256(0x01 ‖ left ‖ right), and a tree of n leaves splits at the largest power of two below n
/// (built here level by level, promoting an unpaired last node, which gives the same tree).
/// Proofs are RFC 6962 audit paths; verification binds the leaf's index and the tree size
/// (RFC 9162 §2.1.3.2), exactly as <c>DecisionMerkle.computeRoot</c> does on chain.
/// </summary>
public sealed class DecisionMerkleTree
{
    private readonly List<Hash32[]> _levels;

    /// <summary>Builds the tree.</summary>
    /// <exception cref="ArgumentException">No leaves.</exception>
    public DecisionMerkleTree(IReadOnlyList<Hash32> leaves)
    {
        if (leaves.Count == 0) throw new ArgumentException("a batch has at least one leaf", nameof(leaves));
        _levels = [leaves.ToArray()];
        while (_levels[^1].Length > 1)
        {
            var below = _levels[^1];
            var above = new Hash32[(below.Length + 1) / 2];
            for (var i = 0; i < above.Length; i++)
            {
                above[i] = 2 * i + 1 < below.Length ? Node(below[2 * i], below[2 * i + 1]) : below[2 * i];
            }

            _levels.Add(above);
        }
    }

    /// <summary>Number of leaves.</summary>
    public int Size => _levels[0].Length;

    /// <summary>The root.</summary>
    public Hash32 Root => _levels[^1][0];

    /// <summary>The leaf at <paramref name="index"/>.</summary>
    public Hash32 Leaf(int index) => _levels[0][index];

    /// <summary>The audit path of the leaf at <paramref name="index"/>, bottom up.</summary>
    public IReadOnlyList<Hash32> Proof(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Size);
        var path = new List<Hash32>();
        for (var level = 0; level < _levels.Count - 1; level++)
        {
            var sibling = index ^ 1;
            if (sibling < _levels[level].Length) path.Add(_levels[level][sibling]);
            index >>= 1;
        }

        return path;
    }

    /// <summary>keccak256(0x01 ‖ left ‖ right).</summary>
    public static Hash32 Node(Hash32 left, Hash32 right)
    {
        Span<byte> preimage = stackalloc byte[65];
        preimage[0] = 0x01;
        left.Bytes.CopyTo(preimage[1..]);
        right.Bytes.CopyTo(preimage[33..]);
        return Hash32.Keccak(preimage);
    }

    /// <summary>Recomputes the root from a leaf, its index, the tree size and the audit path; null when they are inconsistent.</summary>
    public static Hash32? ComputeRoot(Hash32 leaf, ulong index, ulong size, IReadOnlyList<Hash32> proof)
    {
        if (index >= size) return null;
        var fn = index;
        var sn = size - 1;
        var root = leaf;
        foreach (var sibling in proof)
        {
            if (sn == 0) return null;
            if ((fn & 1) == 1 || fn == sn)
            {
                root = Node(sibling, root);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                root = Node(root, sibling);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 ? root : null;
    }

    /// <summary>Whether <paramref name="proof"/> shows <paramref name="leaf"/> at <paramref name="index"/> in the tree of <paramref name="size"/> leaves with <paramref name="root"/>.</summary>
    public static bool Verify(Hash32 root, Hash32 leaf, ulong index, ulong size, IReadOnlyList<Hash32> proof) =>
        ComputeRoot(leaf, index, size, proof) == root;
}
