using System.Numerics;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Hashing;

namespace Iskander.Chain.Zk.Tests;

/// <summary>Published values: the BLAKE paper, MACI's reference values, circomlib.</summary>
public sealed class VectorTests
{
    private static Fr F(string decimalText) => Fr.Parse(decimalText);

    [Theory]
    [InlineData("00", "97961587f6d970faba6d2478045de6d1fabd09b61ae50932054d52bc29d31be4ff9102b9f69e2bbdb83be13d4b9c06091e5fa0b48bd081b634058be0ec49beb3")]
    [InlineData("00*144", "313717d608e9cf758dcb1eb0f0c3cf9fc150b2d500fb33f51c52afc99d358a2f1374b8a38bba7974e7f6ef79cab16f22ce1e649d6e01ad9589c213045d545dde")]
    public void Blake512_matches_the_specifications_vectors(string input, string expected)
    {
        var data = input == "00*144" ? new byte[144] : Convert.FromHexString(input);
        Assert.Equal(expected, Convert.ToHexStringLower(Blake512.Hash(data)));
    }

    [Theory]
    [InlineData("7853200120776062878684798364095072458815029376092732009249414926327459813530", 1, 2)]
    [InlineData("6542985608222806190361240322586112750744169038454362455181422643027100751666", 1, 2, 3)]
    [InlineData("18821383157269793795438455681495246036402687001665670618754263018637548127333", 1, 2, 3, 4)]
    [InlineData("6183221330272524995739186171720101788151706631170188140075976616310159254464", 1, 2, 3, 4, 5)]
    public void Poseidon_matches_MACIs_and_circomlibs_published_outputs(string expected, params int[] inputs)
    {
        Assert.Equal(F(expected), Poseidon.Hash(inputs.Select(i => Fr.FromUInt64((ulong)i)).ToArray()));
    }

    [Fact]
    public void The_optimised_permutation_equals_the_textbook_rounds_for_every_width()
    {
        var random = new Random(11);
        for (var width = 2; width <= PoseidonParameters.MaxWidth; width++)
        {
            for (var trial = 0; trial < 25; trial++)
            {
                var state = Enumerable.Range(0, width).Select(_ => Fr.FromBigInteger(RandomBelowModulus(random))).ToArray();
                var reference = (Fr[])state.Clone();
                Poseidon.Permute(state);
                Poseidon.PermuteReference(reference);
                Assert.Equal(reference, state);
            }
        }
    }

    [Fact]
    public void Field_arithmetic_agrees_with_big_integers()
    {
        var random = new Random(5);
        for (var i = 0; i < 2000; i++)
        {
            var a = RandomBelowModulus(random);
            var b = RandomBelowModulus(random);
            var fa = Fr.FromBigInteger(a);
            var fb = Fr.FromBigInteger(b);
            Assert.Equal((a + b) % Fr.Modulus, (fa + fb).ToBigInteger());
            Assert.Equal(((a - b) % Fr.Modulus + Fr.Modulus) % Fr.Modulus, (fa - fb).ToBigInteger());
            Assert.Equal(a * b % Fr.Modulus, (fa * fb).ToBigInteger());
            if (!fa.IsZero) Assert.Equal(Fr.One, fa * fa.Inverse());
        }

        Assert.Equal(Fr.Modulus - 1, (-Fr.One).ToBigInteger());
        Assert.Throws<FormatException>(() => Fr.Parse(Fr.Modulus.ToString()));
        Assert.Throws<FormatException>(() => Fr.Parse("-1"));
        Assert.Throws<FormatException>(() => Fr.Parse("12a"));
        Assert.Equal(Fr.FromUInt64(255), Fr.Parse("0xff"));
        Assert.Throws<DivideByZeroException>(() => Fr.Zero.Inverse());
    }

    [Fact]
    public void Chains_kept_below_2p_stay_below_2p_and_exact()
    {
        var random = new Random(6);
        var twoP = 2 * Fr.Modulus;
        for (var i = 0; i < 500; i++)
        {
            var a = i == 0 ? Fr.Modulus - 1 : RandomBelowModulus(random);
            var b = i == 0 ? Fr.Modulus - 1 : RandomBelowModulus(random);
            var expected = (a + b) % Fr.Modulus;
            var x = Fr.AddBelow2P(Fr.FromBigInteger(a), Fr.FromBigInteger(b)); // not reduced below p
            Span<Fr> chain = [x, x.MultiplyBelow2P(x), Fr.AddBelow2P(x, x), Fr.AddBelow2P(x, x).MultiplyBelow2P(Fr.AddBelow2P(x, x))];
            BigInteger[] values = [expected, expected * expected, 2 * expected, 4 * expected * expected];
            for (var j = 0; j < chain.Length; j++)
            {
                Assert.True(MontgomeryValue(chain[j]) < twoP, $"case {i}, value {j} is not below 2p");
                Assert.Equal(values[j] % Fr.Modulus, chain[j].Canonical().ToBigInteger());
            }
        }
    }

    [Fact]
    public void Sums_of_products_with_one_reduction_are_exact_and_below_2p()
    {
        var random = new Random(7);
        var largest = Fr.FromBigInteger(Fr.Modulus - 1);
        for (var i = 0; i < 700; i++)
        {
            var terms = 1 + (i % 7);
            var worst = i < 7; // p − 1 constants times values just under 2p
            var a = Enumerable.Range(0, terms).Select(_ => worst ? largest : Fr.FromBigInteger(RandomBelowModulus(random))).ToArray();
            var halves = Enumerable.Range(0, 2 * terms).Select(_ => worst ? Fr.FromBigInteger(Fr.Modulus - 1) : Fr.FromBigInteger(RandomBelowModulus(random))).ToArray();
            var b = Enumerable.Range(0, terms).Select(j => Fr.AddBelow2P(halves[2 * j], halves[(2 * j) + 1])).ToArray();
            var expected = BigInteger.Zero;
            for (var j = 0; j < terms; j++) expected += a[j].ToBigInteger() * (halves[2 * j].ToBigInteger() + halves[(2 * j) + 1].ToBigInteger());
            var sum = Fr.SumOfProductsBelow2P(a, b);
            Assert.True(MontgomeryValue(sum) < 2 * Fr.Modulus, $"case {i} ({terms} terms) is not below 2p");
            Assert.Equal(expected % Fr.Modulus, sum.Canonical().ToBigInteger());
        }
    }

    private static BigInteger MontgomeryValue(Fr value)
    {
        Span<ulong> limbs = stackalloc ulong[4];
        value.GetMontgomeryLimbs(limbs);
        return new BigInteger(System.Runtime.InteropServices.MemoryMarshal.AsBytes(limbs), isUnsigned: true);
    }

    internal static BigInteger RandomBelowModulus(Random random)
    {
        var bytes = new byte[32];
        random.NextBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true) % Fr.Modulus;
    }
}
