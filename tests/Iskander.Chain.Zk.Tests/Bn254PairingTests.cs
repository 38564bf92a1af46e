using System.Numerics;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Tests;

/// <summary>The pairing's defining properties on its own values (the precompile comparison is in <see cref="Bn254PrecompileTests"/>).</summary>
public sealed class Bn254PairingTests
{
    private static AffinePoint<Fq> G1(BigInteger k) => Bn254.G1Generator.ToJacobian().Multiply(Bn254.Limbs(k)).ToAffine();

    private static AffinePoint<Fq2> G2(BigInteger k) => Bn254.G2Generator.ToJacobian().Multiply(Bn254.Limbs(k)).ToAffine();

    [Fact]
    public void The_pairing_is_bilinear_non_degenerate_and_of_order_r()
    {
        var a = BigInteger.Parse("7390826315432875195345219866427591830212397261468451843927045513521812343");
        var b = BigInteger.Parse("1866471380049581239201957135640182345961230023957618293654712");
        var g = Bn254Pairing.Pair(Bn254.G1Generator, Bn254.G2Generator);
        Assert.NotEqual(Fq12.One, g);
        Assert.Equal(Fq12.One, g.Pow(Fr.Modulus));
        var expected = g.Pow(a * b % Fr.Modulus);
        Assert.Equal(expected, Bn254Pairing.Pair(G1(a), G2(b)));
        Assert.Equal(expected, Bn254Pairing.Pair(G1(a * b % Fr.Modulus), Bn254.G2Generator));
        Assert.Equal(expected, Bn254Pairing.Pair(Bn254.G1Generator, G2(a * b % Fr.Modulus)));
        Assert.NotEqual(expected, Bn254Pairing.Pair(G1(a + 1), G2(b)));
    }
}
