using System.Globalization;
using System.Numerics;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Tests;

/// <summary>BN254's base field, Fq² and the curve formulas against BigInteger and published vectors.</summary>
public sealed class Bn254Tests
{
    private static readonly BigInteger Q = Fq.Modulus;
    private readonly Random _random = new(4242);

    private BigInteger RandomBelow(BigInteger bound)
    {
        var bytes = new byte[33];
        _random.NextBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true) % bound;
    }

    private static BigInteger Mod(BigInteger value) => ((value % Q) + Q) % Q;

    [Fact]
    public void Base_field_arithmetic_equals_BigInteger_on_random_and_edge_values()
    {
        BigInteger[] edges = [0, 1, 2, Q - 1, Q - 2, BigInteger.Pow(2, 255) % Q, BigInteger.ModPow(2, 256, Q), BigInteger.ModPow(2, 512, Q)];
        var values = edges.Concat(Enumerable.Range(0, 300).Select(_ => RandomBelow(Q))).ToList();
        for (var i = 0; i < values.Count; i++)
        {
            var a = values[i];
            var b = values[(i * 7 + 3) % values.Count];
            var fa = Fq.FromBigInteger(a);
            var fb = Fq.FromBigInteger(b);
            Assert.Equal(a, fa.ToBigInteger());
            Assert.Equal(Mod(a + b), (fa + fb).ToBigInteger());
            Assert.Equal(Mod(a - b), (fa - fb).ToBigInteger());
            Assert.Equal(Mod(-a), (-fa).ToBigInteger());
            Assert.Equal(Mod(a * b), (fa * fb).ToBigInteger());
            Assert.Equal(Mod(2 * a), fa.Double().ToBigInteger());
            if (!a.IsZero) Assert.Equal(BigInteger.ModPow(a, Q - 2, Q), fa.Inverse().ToBigInteger());
            var square = fa.Square();
            var root = square.Sqrt();
            Assert.NotNull(root);
            Assert.Equal(square, root.Value.Square());
        }

        Assert.Null(Fq.FromUInt64(3).Sqrt()); // 3 is the smallest non-residue mod q
        Assert.Throws<DivideByZeroException>(() => Fq.Zero.Inverse());
        Assert.Throws<ArgumentOutOfRangeException>(() => Fq.FromBigInteger(Q));
    }

    [Fact]
    public void Encodings_round_trip_and_refuse_values_at_or_above_q()
    {
        for (var i = 0; i < 50; i++)
        {
            var value = Fq.FromBigInteger(RandomBelow(Q));
            var bytes = new byte[32];
            value.WriteBigEndian(bytes);
            Assert.Equal(value.ToBigInteger(), new BigInteger(bytes, isUnsigned: true, isBigEndian: true));
            Assert.Equal(value, Fq.ReadBigEndian(bytes));
            value.WriteMontgomeryLittleEndian(bytes);
            // LEM is value·2²⁵⁶ mod q, little-endian.
            Assert.Equal(Mod(value.ToBigInteger() * BigInteger.Pow(2, 256)), new BigInteger(bytes, isUnsigned: true, isBigEndian: false));
            Assert.Equal(value, Fq.ReadMontgomeryLittleEndian(bytes));
        }

        var modulus = new byte[32];
        Q.TryWriteBytes(modulus, out _, isUnsigned: true, isBigEndian: true);
        Assert.Throws<FormatException>(() => Fq.ReadBigEndian(modulus));
        Array.Reverse(modulus);
        Assert.Throws<FormatException>(() => Fq.ReadMontgomeryLittleEndian(modulus));
    }

    [Fact]
    public void Fq2_products_equal_complex_arithmetic_modulo_q()
    {
        for (var i = 0; i < 200; i++)
        {
            BigInteger a0 = RandomBelow(Q), a1 = RandomBelow(Q), b0 = RandomBelow(Q), b1 = RandomBelow(Q);
            var a = new Fq2(Fq.FromBigInteger(a0), Fq.FromBigInteger(a1));
            var b = new Fq2(Fq.FromBigInteger(b0), Fq.FromBigInteger(b1));
            var product = a * b;
            Assert.Equal(Mod(a0 * b0 - a1 * b1), product.C0.ToBigInteger());
            Assert.Equal(Mod(a0 * b1 + a1 * b0), product.C1.ToBigInteger());
            Assert.Equal(a * a, a.Square());
            if (!a.IsZero) Assert.Equal(Fq2.One, a * a.Inverse());
        }
    }

    [Fact]
    public void Fq2_products_at_the_edges_of_the_field_are_canonical_and_exact()
    {
        // Components 0, 1, q − 1 and around q/2: the largest sums of products before the single reduction.
        BigInteger[] edges = [0, 1, Q - 1, Q - 2, (Q - 1) / 2, (Q + 1) / 2];
        foreach (var a0 in edges)
        {
            foreach (var a1 in edges)
            {
                foreach (var b0 in edges)
                {
                    foreach (var b1 in edges)
                    {
                        var product = new Fq2(Fq.FromBigInteger(a0), Fq.FromBigInteger(a1)) * new Fq2(Fq.FromBigInteger(b0), Fq.FromBigInteger(b1));
                        // Equality of limbs: a value reduced only below 2q would differ from the canonical one.
                        Assert.Equal(new Fq2(Fq.FromBigInteger(Mod(a0 * b0 - a1 * b1)), Fq.FromBigInteger(Mod(a0 * b1 + a1 * b0))), product);
                    }
                }
            }
        }
    }

    [Fact]
    public void Batch_inversions_equal_one_by_one_inverses_and_refuse_zero()
    {
        // Fq² through the norms, Fq by Montgomery's trick (the interface's default): both against Inverse.
        var fq2 = new[] { Fq2.One, new Fq2(Fq.Zero, Fq.One), new Fq2(-Fq.One, -Fq.One), new Fq2(-Fq.One, Fq.Zero) }
            .Concat(Enumerable.Range(0, 40).Select(_ => new Fq2(Fq.FromBigInteger(RandomBelow(Q)), Fq.FromBigInteger(RandomBelow(Q))))).ToArray();
        var inverted = fq2.ToArray();
        Fq2.InvertAll(inverted, new Fq2[inverted.Length]);
        Assert.Equal(fq2.Select(v => v.Inverse()), inverted);
        var fq = fq2.Select(v => v.C0).Where(v => !v.IsZero).ToArray();
        var fqInverted = fq.ToArray();
        InvertAll<Fq>(fqInverted);
        Assert.Equal(fq.Select(v => v.Inverse()), fqInverted);
        Assert.Throws<DivideByZeroException>(() => Fq2.InvertAll(new[] { Fq2.One, Fq2.Zero }, new Fq2[2]));
        Assert.Throws<DivideByZeroException>(() => InvertAll(new[] { Fq.One, Fq.Zero }));
    }

    private static void InvertAll<T>(T[] values)
        where T : struct, IFieldElement<T> => T.InvertAll(values, new T[values.Length]);

    [Fact]
    public void Doubling_the_generators_gives_the_published_vectors()
    {
        var g1 = Bn254.G1Generator.ToJacobian().Double().ToAffine();
        Assert.Equal("1368015179489954701390400359078579693043519447331113978918064868415326638035", g1.X.ToString());
        Assert.Equal("9918110051302171585080402603319702774565515993150576347155970296011118125764", g1.Y.ToString());
        var g2 = Bn254.G2Generator.ToJacobian().Double().ToAffine();
        Assert.Equal("18029695676650738226693292988307914797657423701064905010927197838374790804409", g2.X.C0.ToString());
        Assert.Equal("14583779054894525174450323658765874724019480979794335525732096752006891875705", g2.X.C1.ToString());
        Assert.Equal("2140229616977736810657479771656733941598412651537078903776637920509952744750", g2.Y.C0.ToString());
        Assert.Equal("11474861747383700316476719153975578001603231366361248090558603872215261634898", g2.Y.C1.ToString());
        Assert.True(Bn254.G1Generator.IsOnCurve(Bn254.G1B));
        Assert.True(Bn254.G2Generator.IsOnCurve(Bn254.G2B));
    }

    [Fact]
    public void The_group_order_annihilates_both_generators_and_the_endomorphism_matches_lambda()
    {
        var r = Bn254.Limbs(Fr.Modulus);
        Assert.True(Bn254.G1Generator.ToJacobian().Multiply(r).IsInfinity);
        Assert.True(Bn254.G2Generator.ToJacobian().Multiply(r).IsInfinity);
        Assert.False(Bn254.G1Generator.ToJacobian().Multiply(Bn254.Limbs(Fr.Modulus - 1)).IsInfinity);

        // GLV: λ·(x, y) = (βx, y), a relation the formulas cannot satisfy by accident.
        var lambda = BigInteger.Parse("4407920970296243842393367215006156084916469457145843978461", CultureInfo.InvariantCulture);
        var beta = Fq.Parse("2203960485148121921418603742825762020974279258880205651966");
        var point = Bn254.G1Generator.ToJacobian().Multiply(Bn254.Limbs(RandomBelow(Fr.Modulus))).ToAffine();
        var image = point.ToJacobian().Multiply(Bn254.Limbs(lambda)).ToAffine();
        Assert.Equal(new AffinePoint<Fq>(point.X * beta, point.Y), image);
    }

    [Fact]
    public void Additions_handle_infinity_equal_and_opposite_points()
    {
        var p = Bn254.G1Generator.ToJacobian().Multiply(Bn254.Limbs(12345));
        var pAffine = p.ToAffine();
        var infinity = JacobianPoint<Fq>.Infinity;
        Assert.True(p.Add(p.Negate()).IsInfinity);
        Assert.True(p.AddMixed(pAffine.Negate()).IsInfinity);
        Assert.True(p.Add(p).IsSamePoint(p.Double()));
        Assert.True(p.AddMixed(pAffine).IsSamePoint(p.Double()));
        Assert.True(infinity.Add(p).IsSamePoint(p));
        Assert.True(p.AddMixed(AffinePoint<Fq>.Infinity).IsSamePoint(p));
        Assert.True(infinity.AddMixed(pAffine).IsSamePoint(p));
        Assert.True(infinity.Double().IsInfinity);
        Assert.Equal(AffinePoint<Fq>.Infinity, infinity.ToAffine());
    }

    [Fact]
    public void Fixed_base_tables_and_batch_normalisation_agree_with_variable_base_multiplication()
    {
        var g1 = new FixedBaseTable<Fq>(Bn254.G1Generator);
        var g2 = new FixedBaseTable<Fq2>(Bn254.G2Generator);
        var g1Wide = new FixedBaseTable<Fq>(Bn254.G1Generator, 254, 13); // windows that straddle limbs
        var g1Odd = new FixedBaseTable<Fq>(Bn254.G1Generator, 254, 5);
        var scalars = new[] { BigInteger.Zero, BigInteger.One, Fr.Modulus - 1, BigInteger.Pow(2, 253) }
            .Concat(Enumerable.Range(0, 40).Select(_ => RandomBelow(Fr.Modulus))).ToArray();
        var fromTable = scalars.Select(s => g1.Multiply(Bn254.Limbs(s))).ToArray();
        var affine = new AffinePoint<Fq>[fromTable.Length];
        JacobianPoint<Fq>.ToAffine(fromTable, affine);
        for (var i = 0; i < scalars.Length; i++)
        {
            var expected = Bn254.G1Generator.ToJacobian().Multiply(Bn254.Limbs(scalars[i])).ToAffine();
            Assert.Equal(expected, affine[i]);
            Assert.Equal(expected, fromTable[i].ToAffine());
            Assert.Equal(expected, g1Wide.Multiply(Bn254.Limbs(scalars[i])).ToAffine());
            Assert.Equal(expected, g1Odd.Multiply(Bn254.Limbs(scalars[i])).ToAffine());
            Assert.Equal(Bn254.G2Generator.ToJacobian().Multiply(Bn254.Limbs(scalars[i])).ToAffine(), g2.Multiply(Bn254.Limbs(scalars[i])).ToAffine());
        }
    }

    [Fact]
    public void A_fixed_base_table_refuses_scalars_wider_than_it_covers()
    {
        // 20 windows of 13 bits cover bits 0…259; a 260th bit would be silently dropped.
        var table = new FixedBaseTable<Fq>(Bn254.G1Generator, 254, 13);
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Multiply([0, 0, 0, 0, 1UL << 4]));
        var expected = Bn254.G1Generator.ToJacobian().Multiply([0, 0, 0, 0, 1UL << 3]).ToAffine();
        Assert.Equal(expected, table.Multiply([0, 0, 0, 0, 1UL << 3]).ToAffine());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FixedBaseTable<Fq>(Bn254.G1Generator, 256, 8).Multiply([0, 0, 0, 0, 1]));
    }

    [Fact]
    public void Point_readers_refuse_points_off_the_curve_and_outside_the_G2_subgroup()
    {
        var bytes = new byte[Bn254.G1Size];
        Bn254.WriteG1Evm(Bn254.G1Generator, bytes);
        Assert.Equal(Bn254.G1Generator, Bn254.ReadG1Evm(bytes));
        bytes[^1] ^= 1; // (1, 3) is not on y² = x³ + 3
        Assert.Throws<FormatException>(() => Bn254.ReadG1Evm(bytes));
        Assert.True(Bn254.ReadG1Evm(new byte[64]).IsInfinity);

        var g2 = new byte[Bn254.G2Size];
        Bn254.WriteG2Lem(Bn254.G2Generator, g2);
        Assert.Equal(Bn254.G2Generator, Bn254.ReadG2Lem(g2));
        Bn254.WriteG2Evm(Bn254.G2Generator, g2);
        Assert.Equal(Bn254.G2Generator, Bn254.ReadG2Evm(g2));

        // A point on the twist but outside the order-r subgroup: x = 1 + u (or the next x whose x³ + b′ is a square),
        // whose cofactor h₂ is not 1, so almost every twist point is outside.
        var outside = TwistPointOutsideSubgroup();
        Assert.True(outside.IsOnCurve(Bn254.G2B));
        Assert.False(Bn254.IsInG2Subgroup(outside));
        Bn254.WriteG2Evm(outside, g2);
        Assert.Throws<FormatException>(() => Bn254.ReadG2Evm(g2));
    }

    private static AffinePoint<Fq2> TwistPointOutsideSubgroup()
    {
        for (ulong x0 = 1; ; x0++)
        {
            var x = new Fq2(Fq.FromUInt64(x0), Fq.One);
            var rhs = x.Square() * x + Bn254.G2B;
            // √ in Fq²: for a = a0 + a1·u with norm n = a0² + a1², √a = (√((a0 + √n)/2), a1/(2·that)).
            if (rhs.C0.Square() + rhs.C1.Square() is var norm && norm.Sqrt() is not { } normRoot) continue;
            var half = Fq.FromUInt64(2).Inverse();
            foreach (var candidate in new[] { (rhs.C0 + normRoot) * half, (rhs.C0 - normRoot) * half })
            {
                if (candidate.Sqrt() is not { } c0 || c0.IsZero) continue;
                var y = new Fq2(c0, rhs.C1 * (c0.Double()).Inverse());
                if (y.Square() == rhs) return new AffinePoint<Fq2>(x, y);
            }
        }
    }
}
