using System.Numerics;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Tests;

/// <summary>
/// The word-level Montgomery kernels shared by Fr and Fq against BigInteger, on both BN254 moduli,
/// with operands anywhere below 2p (the range chains of unreduced products use), not only canonical.
/// </summary>
public sealed class MontgomeryKernelTests
{
    public static TheoryData<string> Moduli => ["r", "q"];

    [Theory]
    [MemberData(nameof(Moduli))]
    public void No_carry_products_are_exact_and_below_2p_for_operands_below_2p(string field)
    {
        var (p, pInv) = Modulus(field);
        var rInverse = BigInteger.ModPow(BigInteger.One << 256, p - 2, p);
        var operands = Edges(p).Concat(Randoms(p, 400, seed: 11)).ToArray();
        for (var i = 0; i < operands.Length; i++)
        {
            foreach (var b in Edges(p).Append(operands[(i * 13 + 5) % operands.Length]))
            {
                var a = operands[i];
                var x = Limbs(a);
                var y = Limbs(b);
                Montgomery256.MultiplyBelow2P(x[0], x[1], x[2], x[3], y[0], y[1], y[2], y[3], pInv, Limbs(p)[0], Limbs(p)[1], Limbs(p)[2], Limbs(p)[3],
                    out var r0, out var r1, out var r2, out var r3);
                var product = Value(r0, r1, r2, r3);
                Assert.True(product < 2 * p, $"{a}·{b} gave {product}, not below 2p");
                Assert.Equal(a * b * rInverse % p, product % p);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Moduli))]
    public void Carry_word_rows_and_reductions_give_the_montgomery_sum_of_products(string field)
    {
        var (p, pInv) = Modulus(field);
        var m = Limbs(p);
        var rInverse = BigInteger.ModPow(BigInteger.One << 256, p - 2, p);
        var values = Edges(p).Concat(Randoms(p, 200, seed: 12)).ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            // Up to 7 terms of canonical × below-2p operands, as the Poseidon dot products use.
            var terms = 1 + (i % 7);
            var a = Enumerable.Range(0, terms).Select(j => values[(i + (3 * j)) % values.Length] % p).ToArray();
            var b = Enumerable.Range(0, terms).Select(j => values[((5 * i) + j) % values.Length]).ToArray();
            ulong t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0;
            for (var limb = 0; limb < 4; limb++)
            {
                for (var j = 0; j < terms; j++)
                {
                    var y = Limbs(b[j]);
                    Montgomery256.AddRow(Limbs(a[j])[limb], y[0], y[1], y[2], y[3], ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
                }

                Montgomery256.ReduceStep(pInv, m[0], m[1], m[2], m[3], ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
            }

            var expected = Enumerable.Range(0, terms).Aggregate(BigInteger.Zero, (sum, j) => sum + (a[j] * b[j]));
            var reduced = Value(t0, t1, t2, t3) + (new BigInteger(t4) << 256);
            Assert.True(reduced < 4 * p, $"case {i}: {reduced} is not below 4p");
            Assert.Equal(expected * rInverse % p, reduced % p);
        }
    }

    private static (BigInteger P, ulong PInv) Modulus(string field)
    {
        var p = field == "r" ? Fr.Modulus : Fq.Modulus;
        var inverse = BigInteger.ModPow(p % (BigInteger.One << 64), (BigInteger.One << 63) - 1, BigInteger.One << 64); // p⁻¹ mod 2⁶⁴ (the unit group has order 2⁶³)
        return (p, (ulong)((BigInteger.One << 64) - inverse));
    }

    // 0, 1, p − 1, p, 2p − 1, values near 2²⁵⁴ (between p and 2p for both moduli), and limbs that are 0 or all ones.
    private static BigInteger[] Edges(BigInteger p) =>
    [
        0, 1, 2, p - 1, p, p + 1, (2 * p) - 1, (BigInteger.One << 254) - 1, BigInteger.One << 254, (BigInteger.One << 254) + 1,
        BigInteger.One << 64, BigInteger.One << 128, BigInteger.One << 192, (BigInteger.One << 192) - 1, ulong.MaxValue,
    ];

    private static IEnumerable<BigInteger> Randoms(BigInteger p, int count, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[33];
        for (var i = 0; i < count; i++)
        {
            random.NextBytes(bytes);
            yield return new BigInteger(bytes, isUnsigned: true) % (2 * p);
        }
    }

    private static ulong[] Limbs(BigInteger value) => Montgomery256.ToLimbs(value);

    private static BigInteger Value(ulong l0, ulong l1, ulong l2, ulong l3) =>
        l0 + (new BigInteger(l1) << 64) + (new BigInteger(l2) << 128) + (new BigInteger(l3) << 192);
}
