using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Hashing;
using Iskander.Chain.Zk.Merkle;
using Xunit.Abstractions;

namespace Iskander.Chain.Zk.Tests;

/// <summary>
/// The lane-sliced arithmetic (AVX-512 and AVX2 registers, whichever this processor has) against the
/// scalar field and the scalar Poseidon, which the oracle tests tie to circomlibjs.
/// </summary>
public sealed class LaneArithmeticTests(ITestOutputHelper output)
{
    private readonly Random _random = new(20261129);

    [Fact]
    public void Sums_of_products_equal_the_scalar_fields_for_every_register_width()
    {
        var widths = 0;
        if (Lanes8.IsSupported) { CheckSumsOfProducts<Lanes8>(); widths++; }
        if (Lanes4.IsSupported) { CheckSumsOfProducts<Lanes4>(); widths++; }
        output.WriteLine($"register widths checked: {widths} (AVX-512 {Lanes8.IsSupported}, AVX2 {Lanes4.IsSupported})");
    }

    [Fact]
    public void Long_chains_of_lane_products_stay_exact()
    {
        if (Lanes8.IsSupported) CheckChain<Lanes8>();
        if (Lanes4.IsSupported) CheckChain<Lanes4>();
    }

    [Fact]
    public void Batched_Poseidon_equals_one_hash_at_a_time_for_every_arity_and_batch_size()
    {
        int[] counts = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33];
        for (var arity = 1; arity <= 6; arity++)
        {
            foreach (var count in counts)
            {
                var inputs = Enumerable.Range(0, count * arity).Select(_ => RandomElement()).ToArray();
                var expected = Enumerable.Range(0, count).Select(i => Poseidon.Hash(inputs.AsSpan(i * arity, arity))).ToArray();
                var hashes = new Fr[count];
                Poseidon.HashMany(inputs, arity, hashes);
                Assert.Equal(expected, hashes);
                if (Lanes8.IsSupported) AssertLanes<Lanes8>(inputs, arity, expected);
                if (Lanes4.IsSupported) AssertLanes<Lanes4>(inputs, arity, expected);
            }
        }
    }

    [Fact]
    public void Batched_Poseidon_refuses_ragged_inputs_and_short_outputs()
    {
        var inputs = new Fr[10];
        Assert.Throws<ArgumentException>(() => Poseidon.HashMany(inputs, 3, new Fr[4]));
        Assert.Throws<ArgumentException>(() => Poseidon.HashMany(inputs, 2, new Fr[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Poseidon.HashMany(inputs, 7, new Fr[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Poseidon.HashMany(inputs, 0, new Fr[2]));
    }

    [Theory]
    [InlineData(2, 5)]
    [InlineData(5, 3)]
    public void Inserting_many_leaves_builds_the_same_tree_as_inserting_them_one_by_one(int arity, int depth)
    {
        var zero = RandomElement();
        var capacity = (int)Math.Pow(arity, depth);
        var one = new IncrementalTree(arity, depth, zero);
        var many = new IncrementalTree(arity, depth, zero);
        var inserted = 0;
        foreach (var size in new[] { 1, 0, 3, 7, 1, capacity })
        {
            var leaves = Enumerable.Range(0, Math.Min(size, capacity - inserted)).Select(_ => RandomElement()).ToArray();
            foreach (var leaf in leaves) one.Insert(leaf);
            many.InsertMany(leaves);
            inserted += leaves.Length;
            Assert.Equal(one.Root, many.Root);
            Assert.Equal(one.Count, many.Count);
        }

        Assert.Equal(capacity, many.Count);
        for (var i = 0; i < capacity; i++) Assert.Equal(one.Proof(i), many.Proof(i), MerkleProofComparer.Instance);
        Assert.Throws<InvalidOperationException>(() => many.InsertMany([zero]));
    }

    private static void AssertLanes<T>(Fr[] inputs, int arity, Fr[] expected)
        where T : unmanaged, ILanes<T>
    {
        var hashes = new Fr[expected.Length];
        PoseidonLanes.HashMany<T>(inputs, arity, hashes);
        Assert.Equal(expected, hashes);
    }

    private void CheckSumsOfProducts<T>()
        where T : unmanaged, ILanes<T>
    {
        const int limbs = LaneField<T>.Limbs;
        for (var round = 0; round < 60; round++)
        {
            var terms = 1 + (round % 7);
            var withAddend = round % 2 == 1;
            var a = Enumerable.Range(0, terms * T.Count).Select(_ => RandomElement()).ToArray();
            var b = Enumerable.Range(0, terms * T.Count).Select(_ => RandomElement()).ToArray();
            var addend = Enumerable.Range(0, T.Count).Select(_ => RandomElement()).ToArray();
            Span<T> laneA = new T[terms * limbs];
            Span<T> laneB = new T[terms * limbs];
            Span<T> laneAddend = new T[limbs];
            Span<T> result = new T[limbs];

            // Lane l of term j holds a[l · terms + j].
            LaneField<T>.Load(a, terms, terms, laneA);
            LaneField<T>.Load(b, terms, terms, laneB);
            LaneField<T>.Load(addend, 1, 1, laneAddend);
            LaneField<T>.MultiplySum(new LaneLimbs<T>(laneA), laneB, terms, withAddend ? laneAddend : default, result);
            var actual = new Fr[T.Count];
            LaneField<T>.Store(result, actual);
            for (var lane = 0; lane < T.Count; lane++)
            {
                var expected = withAddend ? addend[lane] : Fr.Zero;
                for (var j = 0; j < terms; j++) expected += a[(lane * terms) + j] * b[(lane * terms) + j];
                Assert.Equal(expected, actual[lane]);
            }

            // The same with the first operand a constant shared by every lane.
            var constants = Enumerable.Range(0, terms).Select(_ => RandomElement()).ToArray();
            LaneField<T>.MultiplySum(new ConstantLimbs<T>(constants.SelectMany(LaneForm.Constant).ToArray()), laneB, terms, default, result);
            LaneField<T>.Store(result, actual);
            for (var lane = 0; lane < T.Count; lane++)
            {
                var expected = Fr.Zero;
                for (var j = 0; j < terms; j++) expected += constants[j] * b[(lane * terms) + j];
                Assert.Equal(expected, actual[lane]);
            }
        }
    }

    // Products fed back into products thousands of times: the limbs' headroom and the values' bound hold.
    private void CheckChain<T>()
        where T : unmanaged, ILanes<T>
    {
        const int limbs = LaneField<T>.Limbs;
        var start = Enumerable.Range(0, T.Count).Select(_ => RandomElement()).ToArray();
        start[0] = -Fr.One;
        var scalar = start.ToArray();
        Span<T> value = new T[limbs];
        LaneField<T>.Load(start, 1, 1, value);
        for (var i = 0; i < 3000; i++)
        {
            LaneField<T>.Multiply(value, value, value);
            LaneField<T>.MultiplySum(new LaneLimbs<T>(value), value, 1, value, value);
            for (var lane = 0; lane < T.Count; lane++) scalar[lane] = (scalar[lane] * scalar[lane] * scalar[lane] * scalar[lane]) + (scalar[lane] * scalar[lane]);
        }

        var actual = new Fr[T.Count];
        LaneField<T>.Store(value, actual);
        Assert.Equal(scalar, actual);
    }

    private Fr RandomElement() => _random.Next(12) switch
    {
        0 => Fr.Zero,
        1 => -Fr.One,
        2 => Fr.One,
        _ => Fr.Reduce(new System.Numerics.BigInteger(Enumerable.Range(0, 32).Select(_ => (byte)_random.Next(256)).ToArray(), isUnsigned: true)),
    };

    private sealed class MerkleProofComparer : IEqualityComparer<MerkleProof>
    {
        public static readonly MerkleProofComparer Instance = new();

        public bool Equals(MerkleProof? x, MerkleProof? y) =>
            x is not null && y is not null && x.Leaf == y.Leaf && x.Index == y.Index && x.Root == y.Root &&
            x.PathIndices.SequenceEqual(y.PathIndices) && x.PathElements.Zip(y.PathElements).All(p => p.First.SequenceEqual(p.Second));

        public int GetHashCode(MerkleProof obj) => obj.Root.GetHashCode();
    }
}
