using System.Numerics;
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
    public void The_lane_constants_are_each_moduluss_limbs_and_inverse()
    {
        CheckModulusConstants<Fr>();
        CheckModulusConstants<Fq>();
    }

    private static void CheckModulusConstants<TField>()
        where TField : struct, ILaneModulus<TField>
    {
        ulong[] limbs = [TField.LaneP0, TField.LaneP1, TField.LaneP2, TField.LaneP3, TField.LaneP4, TField.LaneP5, TField.LaneP6, TField.LaneP7, TField.LaneP8, TField.LaneP9];
        Assert.Equal(LaneForm.Split(TField.Modulus), limbs);
        // μ·p ≡ −1 (mod 2²⁸).
        Assert.Equal(LaneForm.Mask, (TField.LaneMu * TField.LaneP0) & LaneForm.Mask);
    }

    [Fact]
    public void Base_field_lane_products_sums_and_differences_equal_the_scalar_field()
    {
        if (Lanes8.IsSupported) CheckBaseField<Lanes8>();
        if (Lanes4.IsSupported) CheckBaseField<Lanes4>();
    }

    [Fact]
    public void Base_field_lane_operations_hold_at_the_bounds_of_their_inputs()
    {
        if (Lanes8.IsSupported) CheckBaseFieldBounds<Lanes8>();
        if (Lanes4.IsSupported) CheckBaseFieldBounds<Lanes4>();
    }

    [Fact]
    public void Long_chains_of_base_field_lane_products_and_differences_stay_exact()
    {
        if (Lanes8.IsSupported) CheckBaseFieldChain<Lanes8>();
        if (Lanes4.IsSupported) CheckBaseFieldChain<Lanes4>();
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
        const int limbs = LaneField<T, Fr>.Limbs;
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
            LaneField<T, Fr>.Load(a, terms, terms, laneA);
            LaneField<T, Fr>.Load(b, terms, terms, laneB);
            LaneField<T, Fr>.Load(addend, 1, 1, laneAddend);
            LaneField<T, Fr>.MultiplySum(new LaneLimbs<T>(laneA), laneB, terms, withAddend ? laneAddend : default, result);
            var actual = new Fr[T.Count];
            LaneField<T, Fr>.Store(result, actual);
            for (var lane = 0; lane < T.Count; lane++)
            {
                var expected = withAddend ? addend[lane] : Fr.Zero;
                for (var j = 0; j < terms; j++) expected += a[(lane * terms) + j] * b[(lane * terms) + j];
                Assert.Equal(expected, actual[lane]);
            }

            // The same with the first operand a constant shared by every lane.
            var constants = Enumerable.Range(0, terms).Select(_ => RandomElement()).ToArray();
            LaneField<T, Fr>.MultiplySum(new ConstantLimbs<T>(constants.SelectMany(LaneForm<Fr>.Constant).ToArray()), laneB, terms, default, result);
            LaneField<T, Fr>.Store(result, actual);
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
        const int limbs = LaneField<T, Fr>.Limbs;
        var start = Enumerable.Range(0, T.Count).Select(_ => RandomElement()).ToArray();
        start[0] = -Fr.One;
        var scalar = start.ToArray();
        Span<T> value = new T[limbs];
        LaneField<T, Fr>.Load(start, 1, 1, value);
        for (var i = 0; i < 3000; i++)
        {
            LaneField<T, Fr>.Multiply(value, value, value);
            LaneField<T, Fr>.MultiplySum(new LaneLimbs<T>(value), value, 1, value, value);
            for (var lane = 0; lane < T.Count; lane++) scalar[lane] = (scalar[lane] * scalar[lane] * scalar[lane] * scalar[lane]) + (scalar[lane] * scalar[lane]);
        }

        var actual = new Fr[T.Count];
        LaneField<T, Fr>.Store(value, actual);
        Assert.Equal(scalar, actual);
    }

    private void CheckBaseField<T>()
        where T : unmanaged, ILanes<T>
    {
        const int limbs = LaneField<T, Fq>.Limbs;
        var lanes = T.Count;
        for (var round = 0; round < 60; round++)
        {
            var terms = 1 + (round % 3);
            var a = Enumerable.Range(0, terms * lanes).Select(_ => RandomBaseElement()).ToArray();
            var b = Enumerable.Range(0, terms * lanes).Select(_ => RandomBaseElement()).ToArray();
            var addend = Enumerable.Range(0, lanes).Select(_ => RandomBaseElement()).ToArray();
            Span<T> laneA = new T[terms * limbs];
            Span<T> laneB = new T[terms * limbs];
            Span<T> laneAddend = new T[limbs];
            Span<T> result = new T[limbs];
            LaneField<T, Fq>.Load(a, terms, terms, laneA);
            LaneField<T, Fq>.Load(b, terms, terms, laneB);
            LaneField<T, Fq>.Load(addend, 1, 1, laneAddend);
            var actual = new Fq[lanes];

            LaneField<T, Fq>.MultiplySum(new LaneLimbs<T>(laneA), laneB, terms, round % 2 == 1 ? laneAddend : default, result);
            LaneField<T, Fq>.Store(result, actual);
            for (var lane = 0; lane < lanes; lane++)
            {
                var expected = round % 2 == 1 ? addend[lane] : Fq.Zero;
                for (var j = 0; j < terms; j++) expected += a[(lane * terms) + j] * b[(lane * terms) + j];
                Assert.Equal(expected, actual[lane]);
            }

            // Differences of the first terms, and a difference fed into a product.
            LaneField<T, Fq>.Subtract(laneA[..limbs], laneB[..limbs], result);
            LaneField<T, Fq>.Store(result, actual);
            for (var lane = 0; lane < lanes; lane++) Assert.Equal(a[lane * terms] - b[lane * terms], actual[lane]);
            LaneField<T, Fq>.Multiply(result, result, result);
            LaneField<T, Fq>.Store(result, actual);
            for (var lane = 0; lane < lanes; lane++) Assert.Equal((a[lane * terms] - b[lane * terms]).Square(), actual[lane]);
            LaneField<T, Fq>.Negate(laneB[..limbs], result);
            LaneField<T, Fq>.Store(result, actual);
            for (var lane = 0; lane < lanes; lane++) Assert.Equal(-b[lane * terms], actual[lane]);

            // The same with the first operand a constant shared by every lane.
            var constant = RandomBaseElement();
            LaneField<T, Fq>.MultiplySum(new ConstantLimbs<T>(LaneForm<Fq>.Constant(constant)), laneB, 1, default, result);
            LaneField<T, Fq>.Store(result, actual);
            for (var lane = 0; lane < lanes; lane++) Assert.Equal(constant * b[lane * terms], actual[lane]);
        }
    }

    // Lane values written limb by limb (not reduced, as results and differences leave them), against
    // integer arithmetic: a lane value v stands for v·2⁻²⁸⁰ mod q.
    private void CheckBaseFieldBounds<T>()
        where T : unmanaged, ILanes<T>
    {
        const int limbs = LaneField<T, Fq>.Limbs;
        var q = Fq.Modulus;
        var largest = BigInteger.Pow(2, 256) - 1; // the largest input Subtract takes
        BigInteger[] edges = [0, 1, q - 1, q, q + 1, (2 * q) - 1, 2 * q, BigInteger.Pow(2, 254), largest - q, largest];
        var lanes = T.Count;
        var rInverse = BigInteger.ModPow(2, (q - 1 - 280) % (q - 1), q);
        for (var round = 0; round < 40; round++)
        {
            var a = Enumerable.Range(0, lanes).Select(i => edges[(round + i) % edges.Length]).ToArray();
            var b = Enumerable.Range(0, lanes).Select(i => edges[((round / edges.Length) + (3 * i)) % edges.Length]).ToArray();
            var laneA = RawLanes<T>(a);
            var laneB = RawLanes<T>(b);
            Span<T> difference = new T[limbs];
            Span<T> product = new T[limbs];
            var actual = new Fq[lanes];
            LaneField<T, Fq>.Subtract(laneA, laneB, difference);
            LaneField<T, Fq>.Store(difference, actual);
            for (var lane = 0; lane < lanes; lane++) Assert.Equal(Fq.FromBigInteger(Mod((a[lane] - b[lane]) * rInverse, q)), actual[lane]);

            // The largest differences (up to 2²⁵⁶ + 8q) squared and multiplied by the largest inputs.
            LaneField<T, Fq>.Multiply(difference, difference, product);
            LaneField<T, Fq>.Store(product, actual);
            for (var lane = 0; lane < lanes; lane++)
            {
                var d = (a[lane] - b[lane]) * rInverse;
                Assert.Equal(Fq.FromBigInteger(Mod(d * d, q)), actual[lane]);
            }

            LaneField<T, Fq>.Multiply(laneA, difference, product);
            LaneField<T, Fq>.Store(product, actual);
            for (var lane = 0; lane < lanes; lane++) Assert.Equal(Fq.FromBigInteger(Mod(a[lane] * rInverse * (a[lane] - b[lane]) * rInverse, q)), actual[lane]);
        }
    }

    // The MSM's pattern fed back into itself: differences of products, products of differences.
    private void CheckBaseFieldChain<T>()
        where T : unmanaged, ILanes<T>
    {
        const int limbs = LaneField<T, Fq>.Limbs;
        var lanes = T.Count;
        var x = Enumerable.Range(0, lanes).Select(_ => RandomBaseElement()).ToArray();
        var y = Enumerable.Range(0, lanes).Select(_ => RandomBaseElement()).ToArray();
        x[0] = -Fq.One;
        y[0] = Fq.Zero;
        Span<T> laneX = new T[limbs];
        Span<T> laneY = new T[limbs];
        Span<T> difference = new T[limbs];
        LaneField<T, Fq>.Load(x, 1, 1, laneX);
        LaneField<T, Fq>.Load(y, 1, 1, laneY);
        for (var i = 0; i < 3000; i++)
        {
            // x ← (x − y)², y ← x·(−y) with the old x.
            LaneField<T, Fq>.Subtract(laneX, laneY, difference);
            LaneField<T, Fq>.Negate(laneY, laneY);
            LaneField<T, Fq>.Multiply(laneX, laneY, laneY);
            LaneField<T, Fq>.Multiply(difference, difference, laneX);
            for (var lane = 0; lane < lanes; lane++) (x[lane], y[lane]) = ((x[lane] - y[lane]).Square(), x[lane] * -y[lane]);
        }

        var actual = new Fq[lanes];
        LaneField<T, Fq>.Store(laneX, actual);
        Assert.Equal(x, actual);
        LaneField<T, Fq>.Store(laneY, actual);
        Assert.Equal(y, actual);
    }

    private static T[] RawLanes<T>(BigInteger[] values)
        where T : unmanaged, ILanes<T>
    {
        var result = new T[LaneForm.Limbs];
        var limb = new ulong[T.Count];
        for (var i = 0; i < LaneForm.Limbs; i++)
        {
            // The top limb takes every bit above 252, as results leave it.
            for (var lane = 0; lane < T.Count; lane++) limb[lane] = (ulong)(i < LaneForm.Limbs - 1 ? (values[lane] >> (LaneForm.Bits * i)) & LaneForm.Mask : values[lane] >> (LaneForm.Bits * i));
            result[i] = T.Load(limb);
        }

        return result;
    }

    private static BigInteger Mod(BigInteger value, BigInteger modulus) => ((value % modulus) + modulus) % modulus;

    private Fq RandomBaseElement() => _random.Next(12) switch
    {
        0 => Fq.Zero,
        1 => -Fq.One,
        2 => Fq.One,
        _ => Fq.FromBigInteger(new BigInteger(Enumerable.Range(0, 32).Select(_ => (byte)_random.Next(256)).ToArray(), isUnsigned: true) % Fq.Modulus),
    };

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
