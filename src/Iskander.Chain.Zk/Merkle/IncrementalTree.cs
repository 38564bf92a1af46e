using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Hashing;

namespace Iskander.Chain.Zk.Merkle;

/// <summary>An inclusion proof in the layout MACI's circuits take.</summary>
/// <param name="Leaf">The leaf value.</param>
/// <param name="Index">The leaf's position.</param>
/// <param name="PathElements">Per level from the leaves up, the arity − 1 siblings in order.</param>
/// <param name="PathIndices">Per level, the position among its siblings (0 … arity − 1).</param>
/// <param name="Root">The root the proof leads to.</param>
public sealed record MerkleProof(Fr Leaf, long Index, IReadOnlyList<IReadOnlyList<Fr>> PathElements, IReadOnlyList<int> PathIndices, Fr Root);

/// <summary>
/// A fixed-depth incremental Merkle tree of arity 2 (Poseidon2 nodes: state and ballot trees) or
/// 5 (Poseidon5 nodes: vote-option, results and message trees), with a zero leaf filling empty
/// positions — MACI's <c>IncrementalQuinTree</c>. Only filled positions are stored.
/// </summary>
public sealed class IncrementalTree
{
    private readonly List<Fr>[] _levels;
    private readonly Fr[] _zeros;

    /// <summary>An empty tree of <paramref name="depth"/> levels (capacity arity^depth).</summary>
    public IncrementalTree(int arity, int depth, Fr zeroLeaf)
    {
        if (arity is not (2 or 5)) throw new ArgumentOutOfRangeException(nameof(arity), "arity 2 or 5");
        if (depth is < 1 or > 32 || Math.Pow(arity, depth) > long.MaxValue) throw new ArgumentOutOfRangeException(nameof(depth));
        Arity = arity;
        Depth = depth;
        Capacity = (long)Math.Pow(arity, depth);
        _zeros = new Fr[depth + 1];
        _zeros[0] = zeroLeaf;
        Span<Fr> children = stackalloc Fr[arity];
        for (var level = 1; level <= depth; level++)
        {
            children.Fill(_zeros[level - 1]);
            _zeros[level] = Poseidon.Hash(children);
        }

        _levels = Enumerable.Range(0, depth + 1).Select(_ => new List<Fr>()).ToArray();
    }

    /// <summary>Children per node.</summary>
    public int Arity { get; }

    /// <summary>Levels below the root.</summary>
    public int Depth { get; }

    /// <summary>Leaves it can hold.</summary>
    public long Capacity { get; }

    /// <summary>Leaves inserted so far (the next insertion index).</summary>
    public long Count => _levels[0].Count;

    /// <summary>The root.</summary>
    public Fr Root => _levels[Depth].Count > 0 ? _levels[Depth][0] : _zeros[Depth];

    /// <summary>The root of an empty subtree of height <paramref name="level"/>.</summary>
    public Fr ZeroAt(int level) => _zeros[level];

    /// <summary>Appends a leaf.</summary>
    /// <exception cref="InvalidOperationException">The tree is full.</exception>
    public void Insert(Fr leaf)
    {
        if (Count >= Capacity) throw new InvalidOperationException($"the tree is full ({Capacity} leaves)");
        _levels[0].Add(leaf);
        Recompute(Count - 1);
    }

    /// <summary>
    /// Appends <paramref name="leaves"/> in order — the same tree as inserting them one by one, but
    /// each changed node is hashed once, a level at a time (<see cref="Poseidon.HashMany"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">They do not fit.</exception>
    public void InsertMany(ReadOnlySpan<Fr> leaves)
    {
        if (leaves.Length > Capacity - Count) throw new InvalidOperationException($"{leaves.Length} leaves do not fit: the tree holds {Capacity}, {Count} are in");
        if (leaves.IsEmpty) return;
        var first = Count;
        _levels[0].AddRange(leaves);
        var end = Count;
        for (var level = 1; level <= Depth; level++)
        {
            // Parents of the changed children [first, end): every node from first / arity to (end − 1) / arity.
            var firstParent = first / Arity;
            var parents = (int)(((end - 1) / Arity) - firstParent + 1);
            var children = new Fr[parents * Arity];
            for (var i = 0; i < children.Length; i++) children[i] = NodeAt(level - 1, (firstParent * Arity) + i);
            var hashes = new Fr[parents];
            Poseidon.HashMany(children, Arity, hashes);
            var nodes = _levels[level];
            for (var i = 0; i < parents; i++)
            {
                var index = (int)firstParent + i;
                if (index < nodes.Count) nodes[index] = hashes[i];
                else nodes.Add(hashes[i]);
            }

            first = firstParent;
            end = firstParent + parents;
        }
    }

    /// <summary>Replaces the leaf at <paramref name="index"/> (which must have been inserted).</summary>
    public void Update(long index, Fr leaf)
    {
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index), $"leaf {index} has not been inserted ({Count} leaves)");
        _levels[0][(int)index] = leaf;
        Recompute(index);
    }

    /// <summary>The leaf at <paramref name="index"/> (the zero leaf where nothing was inserted).</summary>
    public Fr Leaf(long index) => NodeAt(0, index);

    /// <summary>The inclusion proof of position <paramref name="index"/>.</summary>
    public MerkleProof Proof(long index)
    {
        if (index < 0 || index >= Capacity) throw new ArgumentOutOfRangeException(nameof(index));
        var elements = new List<IReadOnlyList<Fr>>(Depth);
        var indices = new List<int>(Depth);
        var position = index;
        for (var level = 0; level < Depth; level++)
        {
            var inGroup = (int)(position % Arity);
            var first = position - inGroup;
            var siblings = new List<Fr>(Arity - 1);
            for (var j = 0; j < Arity; j++)
            {
                if (j != inGroup) siblings.Add(NodeAt(level, first + j));
            }

            elements.Add(siblings);
            indices.Add(inGroup);
            position /= Arity;
        }

        return new MerkleProof(Leaf(index), index, elements, indices, Root);
    }

    /// <summary>Whether <paramref name="proof"/> leads from its leaf to its root with this tree's arity.</summary>
    public static bool Verify(MerkleProof proof, int arity)
    {
        var node = proof.Leaf;
        Span<Fr> children = stackalloc Fr[arity];
        for (var level = 0; level < proof.PathElements.Count; level++)
        {
            var siblings = proof.PathElements[level];
            var position = proof.PathIndices[level];
            if (siblings.Count != arity - 1 || position < 0 || position >= arity) return false;
            for (int j = 0, s = 0; j < arity; j++) children[j] = j == position ? node : siblings[s++];
            node = Poseidon.Hash(children);
        }

        return node == proof.Root;
    }

    private Fr NodeAt(int level, long index) => index < _levels[level].Count ? _levels[level][(int)index] : _zeros[level];

    private void Recompute(long leafIndex)
    {
        Span<Fr> children = stackalloc Fr[Arity];
        var index = leafIndex;
        for (var level = 1; level <= Depth; level++)
        {
            var parent = index / Arity;
            for (var j = 0; j < Arity; j++) children[j] = NodeAt(level - 1, (parent * Arity) + j);
            var value = Poseidon.Hash(children);
            var nodes = _levels[level];
            if (parent < nodes.Count) nodes[(int)parent] = value;
            else nodes.Add(value);
            index = parent;
        }
    }
}
