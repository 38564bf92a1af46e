using System.Numerics;
using System.Runtime.InteropServices;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Groth16;

namespace Iskander.Chain.Zk.Tests;

/// <summary>The prover's kernels against their definitions: multi-scalar multiplication against Σ kᵢ·Pᵢ one product at a time, FFTs against evaluation term by term.</summary>
public sealed class Groth16KernelTests
{
    private readonly Random _random = new(2020);

    private static readonly BigInteger R = Fr.Modulus;

    private Fr RandomScalar()
    {
        var bytes = new byte[40];
        _random.NextBytes(bytes);
        return Fr.Reduce(new BigInteger(bytes, isUnsigned: true));
    }

    // Random scalars and the edge cases of the signed digits: 0, 1, the largest digit, r − 1 and the halves of r.
    private Fr[] Scalars(int count) => Enumerable.Range(0, count).Select(i => (i % 9) switch
    {
        0 => Fr.Zero,
        1 => Fr.One,
        2 => -Fr.One,
        3 => Fr.FromBigInteger((R - 1) / 2),
        4 => Fr.FromBigInteger((R + 1) / 2),
        5 => Fr.FromUInt64((ulong)_random.Next(1, 1 << 16)),
        6 => -Fr.FromUInt64((ulong)_random.Next(1, 1 << 16)),
        _ => RandomScalar(),
    }).ToArray();

    private static ulong[] Limbs(Fr[] scalars)
    {
        var limbs = new ulong[scalars.Length * 4];
        for (var i = 0; i < scalars.Length; i++) scalars[i].WriteLittleEndian(MemoryMarshal.AsBytes(limbs.AsSpan(i * 4, 4)));
        return limbs;
    }

    private static JacobianPoint<T> Naive<T>(AffinePoint<T>[] points, Fr[] scalars)
        where T : struct, IFieldElement<T>
    {
        var sum = JacobianPoint<T>.Infinity;
        for (var i = 0; i < points.Length; i++) sum = sum.Add(points[i].ToJacobian().Multiply(Bn254.Limbs(scalars[i])));
        return sum;
    }

    // Distinct multiples of the generator, with repeats, negations and infinity among them (the equal-x cases of the affine batches).
    private AffinePoint<T>[] Points<T>(AffinePoint<T> generator, int count)
        where T : struct, IFieldElement<T>
    {
        var distinct = Enumerable.Range(0, Math.Max(1, count / 3)).Select(_ => generator.ToJacobian().Multiply(Bn254.Limbs(RandomScalar())).ToAffine()).ToArray();
        return Enumerable.Range(0, count).Select(i => (i % 11) switch
        {
            0 => AffinePoint<T>.Infinity,
            1 => distinct[0],
            2 => distinct[0].Negate(),
            _ => distinct[_random.Next(distinct.Length)],
        }).ToArray();
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(9, 0)]
    [InlineData(300, 0)]
    [InlineData(5000, 0)]
    [InlineData(200, 2)]
    [InlineData(200, 6)]
    [InlineData(200, 7)]
    [InlineData(3000, 10)]
    [InlineData(200, 15)]
    public void G1_multi_scalar_multiplication_is_the_sum_of_the_products(int count, int windowBits)
    {
        var points = Points(Bn254.G1Generator, count);
        var scalars = Scalars(count);
        var result = MultiScalarMultiplication.Compute<Fq>(points, Limbs(scalars), windowBits);
        Assert.True(result.IsSamePoint(Naive(points, scalars)));
    }

    // Sizes around the lane counts (4 and 8), windows small enough that buckets hold many points, and
    // rounds of more pairs than one inversion takes (2 buckets for 9,001 points), with repeats,
    // negations and infinity among them: the SIMD rounds against the scalar ones and the definition.
    [Theory]
    [InlineData(2, 3)]
    [InlineData(7, 2)]
    [InlineData(8, 2)]
    [InlineData(9, 3)]
    [InlineData(17, 2)]
    [InlineData(33, 4)]
    [InlineData(1000, 3)]
    [InlineData(1001, 0)]
    [InlineData(4099, 0)]
    [InlineData(9001, 2)]
    public void G1_lane_additions_give_the_scalar_paths_sums(int count, int windowBits)
    {
        var points = Points(Bn254.G1Generator, count);
        var scalars = Scalars(count);
        var lanes = MultiScalarMultiplication.Compute<Fq>(points, Limbs(scalars), windowBits, lanes: true);
        var scalar = MultiScalarMultiplication.Compute<Fq>(points, Limbs(scalars), windowBits, lanes: false);
        Assert.True(lanes.IsSamePoint(scalar));
        Assert.True(lanes.IsSamePoint(Naive(points, scalars)));
    }

    // G2's coordinates are two lane elements each: the same sizes as for G1, and rounds of more
    // pairs than one G2 chunk takes (1,024) with 2 buckets for 2,101 points.
    [Theory]
    [InlineData(2, 3)]
    [InlineData(7, 2)]
    [InlineData(9, 3)]
    [InlineData(17, 2)]
    [InlineData(33, 4)]
    [InlineData(1001, 0)]
    [InlineData(2101, 2)]
    public void G2_lane_additions_give_the_scalar_paths_sums(int count, int windowBits)
    {
        var points = Points(Bn254.G2Generator, count);
        var scalars = Scalars(count);
        var lanes = MultiScalarMultiplication.Compute<Fq2>(points, Limbs(scalars), windowBits, lanes: true);
        var scalar = MultiScalarMultiplication.Compute<Fq2>(points, Limbs(scalars), windowBits, lanes: false);
        Assert.True(lanes.IsSamePoint(scalar));
        Assert.True(lanes.IsSamePoint(Naive(points, scalars)));
    }

    [Fact]
    public void A_lane_round_adds_each_groups_pairs_on_every_register_width()
    {
        if (Lanes8.IsSupported) CheckLaneRound(new LaneAffineAdditions<Lanes8, Fq>(3000), Bn254.G1Generator);
        if (Lanes4.IsSupported) CheckLaneRound(new LaneAffineAdditions<Lanes4, Fq>(3000), Bn254.G1Generator);
    }

    [Fact]
    public void A_G2_lane_round_adds_each_groups_pairs_on_every_register_width()
    {
        if (Lanes8.IsSupported) CheckLaneRound(new LaneAffineAdditions<Lanes8, Fq2>(3000), Bn254.G2Generator);
        if (Lanes4.IsSupported) CheckLaneRound(new LaneAffineAdditions<Lanes4, Fq2>(3000), Bn254.G2Generator);
    }

    // One round over groups of many sizes (odd ones keep their last point), the points with repeats,
    // negations and infinity, against pairwise Jacobian sums.
    private void CheckLaneRound<T>(LaneAffineAdditions<T> lanes, AffinePoint<T> generator)
        where T : struct, IFieldElement<T>, ILaneCoordinate<T>
    {
        int[] sizes = [0, 1, 2, 3, 5, 8, 9, 16, 17, 40, 4100];
        var starts = new int[sizes.Length];
        for (var g = 1; g < sizes.Length; g++) starts[g] = starts[g - 1] + sizes[g - 1];
        var points = Points(generator, starts[^1] + sizes[^1]);
        var scaled = points.Select(p => LaneAffineAdditions<T>.ToLaneScale(p)).ToArray();
        var counts = sizes.ToArray();
        Assert.True(lanes.PairRound(scaled, starts, counts));
        for (var g = 0; g < sizes.Length; g++)
        {
            var half = sizes[g] / 2;
            Assert.Equal(sizes[g] - half, counts[g]);
            for (var i = 0; i < half; i++)
            {
                var expected = points[starts[g] + (2 * i)].ToJacobian().AddMixed(points[starts[g] + (2 * i) + 1]);
                Assert.True(LaneAffineAdditions<T>.FromLaneScale(scaled[starts[g] + i]).ToJacobian().IsSamePoint(expected));
            }

            if (sizes[g] % 2 == 1) Assert.Equal(points[starts[g] + sizes[g] - 1], LaneAffineAdditions<T>.FromLaneScale(scaled[starts[g] + half]));
        }
    }

    [Fact]
    public void Lane_rounds_mix_doublings_cancellations_and_infinity_with_ordinary_pairs()
    {
        LaneRoundsMixEveryCase(Bn254.G1Generator);
        LaneRoundsMixEveryCase(Bn254.G2Generator);
    }

    private static void LaneRoundsMixEveryCase<T>(AffinePoint<T> generator)
        where T : struct, IFieldElement<T>, ILaneCoordinate<T>
    {
        // One bucket (every scalar 1): in the first round the pairs are G + G, 2G + (−2G), 3G + ∞,
        // ∞ + ∞, 5G + 7G, … so one step of lanes holds every case the formula cannot take.
        var g = generator.ToJacobian();
        AffinePoint<T> Multiple(int k) => g.Multiply(Bn254.Limbs(Fr.FromUInt64((ulong)k))).ToAffine();
        var pattern = new[] { Multiple(1), Multiple(1), Multiple(2), Multiple(2).Negate(), Multiple(3), Multiple(5), Multiple(5), Multiple(7) };
        var points = Enumerable.Range(0, 45).Select(i => pattern[i % pattern.Length]).ToArray();
        var scalars = Enumerable.Repeat(Fr.One, points.Length).ToArray();
        foreach (var windowBits in new[] { 2, 5 })
        {
            var lanes = MultiScalarMultiplication.Compute<T>(points, Limbs(scalars), windowBits, lanes: true);
            Assert.True(lanes.IsSamePoint(Naive(points, scalars)));
            Assert.True(lanes.IsSamePoint(MultiScalarMultiplication.Compute<T>(points, Limbs(scalars), windowBits, lanes: false)));
        }

        // A bucket whose points cancel to infinity in the lanes, and equal points doubling there.
        AffinePoint<T>[] cancelling = [pattern[0], pattern[0].Negate(), pattern[5], pattern[5].Negate(), pattern[4], pattern[4], pattern[4], pattern[4]];
        var ones = Enumerable.Repeat(Fr.One, cancelling.Length).ToArray();
        Assert.True(MultiScalarMultiplication.Compute<T>(cancelling, Limbs(ones), 2).IsSamePoint(g.Multiply(Bn254.Limbs(Fr.FromUInt64(12)))));
    }

    [Theory]
    [InlineData(9)]
    [InlineData(700)]
    public void G2_multi_scalar_multiplication_is_the_sum_of_the_products(int count)
    {
        var points = Points(Bn254.G2Generator, count);
        var scalars = Scalars(count);
        Assert.True(MultiScalarMultiplication.Compute<Fq2>(points, Limbs(scalars)).IsSamePoint(Naive(points, scalars)));
    }

    [Fact]
    public void Equal_digits_on_equal_points_double_and_cancel_in_the_buckets()
    {
        // Every point lands in the same bucket: doublings, cancellations and the Jacobian overflow.
        var p = Bn254.G1Generator;
        AffinePoint<Fq>[] points = [p, p, p.Negate(), p, p, p.Negate(), p.Negate(), p];
        var scalars = Enumerable.Repeat(Fr.FromUInt64(3), points.Length).ToArray();
        var result = MultiScalarMultiplication.Compute<Fq>(points, Limbs(scalars), 4);
        Assert.True(result.IsSamePoint(p.ToJacobian().Multiply(Bn254.Limbs(6))));
        Assert.True(MultiScalarMultiplication.Compute<Fq>(points[..3], Limbs(scalars[..3]), 4).IsSamePoint(p.ToJacobian().Multiply(Bn254.Limbs(3))));
    }

    [Fact]
    public void Zero_scalars_and_points_at_infinity_contribute_nothing()
    {
        var points = Points(Bn254.G1Generator, 50);
        Assert.True(MultiScalarMultiplication.Compute<Fq>(points, new ulong[points.Length * 4]).IsInfinity);
        var scalars = Scalars(50);
        Assert.True(MultiScalarMultiplication.Compute<Fq>(Enumerable.Repeat(AffinePoint<Fq>.Infinity, 50).ToArray(), Limbs(scalars)).IsInfinity);
        // A single contributing term among dropped ones.
        var single = Enumerable.Repeat(AffinePoint<Fq>.Infinity, 50).ToArray();
        single[17] = points[3];
        Assert.True(MultiScalarMultiplication.Compute<Fq>(single, Limbs(scalars)).IsSamePoint(Naive(single, scalars)));
    }

    [Fact]
    public void Mismatched_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => MultiScalarMultiplication.Compute<Fq>(new[] { Bn254.G1Generator }, new ulong[8]));
    }

    [Fact]
    public void Roots_of_unity_are_snarkjs_ones_and_primitive()
    {
        // ffjavascript's ω₂₈ for bn128 (Fr.w[28]).
        Assert.Equal(BigInteger.Parse("19103219067921713944291392827692070036145651957329286315305642004821462161904"), EvaluationDomain.Root(28).ToBigInteger());
        for (var k = 1; k <= EvaluationDomain.MaxPower; k++)
        {
            Assert.Equal(-Fr.One, EvaluationDomain.Root(k).Pow(BigInteger.One << (k - 1)));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    public void Fft_evaluates_at_the_roots_and_the_inverse_interpolates(int power)
    {
        var domain = new EvaluationDomain(power);
        var coefficients = Enumerable.Range(0, domain.Size).Select(_ => RandomScalar()).ToArray();
        var values = coefficients.ToArray();
        domain.Forward(values);
        var omega = EvaluationDomain.Root(power);
        for (var i = 0; i < domain.Size; i++)
        {
            var x = omega.Pow(i);
            var expected = Fr.Zero;
            for (var j = coefficients.Length - 1; j >= 0; j--) expected = (expected * x) + coefficients[j];
            Assert.Equal(expected, values[i]);
        }

        domain.Inverse(values);
        Assert.Equal(coefficients, values);
        Assert.Throws<ArgumentException>(() => domain.Forward(new Fr[domain.Size * 2]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void To_coset_evaluates_on_the_shifted_domain(int power)
    {
        // From evaluations on ⟨ω⟩ to evaluations on shift·⟨ω⟩, against evaluation term by term.
        var domain = new EvaluationDomain(power);
        var coefficients = Enumerable.Range(0, domain.Size).Select(_ => RandomScalar()).ToArray();
        var values = coefficients.ToArray();
        domain.Forward(values);
        var shift = EvaluationDomain.Root(power + 1);
        domain.ToCoset(values, shift);
        var omega = EvaluationDomain.Root(power);
        for (var i = 0; i < domain.Size; i++)
        {
            var x = shift * omega.Pow(i);
            var expected = Fr.Zero;
            for (var j = coefficients.Length - 1; j >= 0; j--) expected = (expected * x) + coefficients[j];
            Assert.Equal(expected, values[i]);
        }
    }
}
