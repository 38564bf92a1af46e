using System.Numerics;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Testing;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;
using Xunit.Abstractions;

namespace Iskander.Chain.Zk.Tests;

/// <summary>
/// BN254 arithmetic against the chain itself: anvil's ecAdd (0x06), ecMul (0x07) and ecPairing
/// (0x08) precompiles, byte for byte on random cases (G2 results through pairing identities, since
/// no precompile returns a G2 point).
/// </summary>
public sealed class Bn254PrecompileTests(AnvilFixture anvil, ITestOutputHelper output) : IClassFixture<AnvilFixture>
{
    private readonly Random _random = new(NodeOracle.Seed(output));

    private BigInteger RandomScalar()
    {
        var bytes = new byte[32];
        _random.NextBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true) % Fr.Modulus;
    }

    private static AffinePoint<Fq> G1(BigInteger k) => Bn254.G1Generator.ToJacobian().Multiply(Bn254.Limbs(k)).ToAffine();

    private static AffinePoint<Fq2> G2(BigInteger k) => Bn254.G2Generator.ToJacobian().Multiply(Bn254.Limbs(k)).ToAffine();

    [Fact]
    public async Task Addition_and_multiplication_equal_the_precompiles_byte_for_byte()
    {
        const int cases = 40;
        var requests = new List<JsonRpcRequest>();
        var expected = new List<byte[]>();
        for (var i = 0; i < cases; i++)
        {
            var p = G1(RandomScalar());
            var q = i == 0 ? p : i == 1 ? p.Negate() : i == 2 ? AffinePoint<Fq>.Infinity : G1(RandomScalar());
            var s = i == 3 ? Fr.Modulus : RandomScalar(); // r·P = O
            var add = new byte[128];
            Bn254.WriteG1Evm(p, add);
            Bn254.WriteG1Evm(q, add.AsSpan(64));
            requests.Add(Call(6, add));
            expected.Add(Encode(p.ToJacobian().AddMixed(q).ToAffine()));
            var mul = new byte[96];
            Bn254.WriteG1Evm(p, mul);
            Word(s).CopyTo(mul, 64);
            requests.Add(Call(7, mul));
            expected.Add(Encode(p.ToJacobian().Multiply(Bn254.Limbs(s)).ToAffine()));
        }

        var results = await RunAsync(requests);
        for (var i = 0; i < results.Count; i++) Assert.Equal(Convert.ToHexString(expected[i]), Convert.ToHexString(results[i]));
    }

    [Fact]
    public async Task G2_multiples_satisfy_bilinearity_through_the_pairing_precompile()
    {
        var requests = new List<JsonRpcRequest>();
        var expectations = new List<bool>();
        for (var i = 0; i < 6; i++)
        {
            var a = RandomScalar();
            var b = RandomScalar();
            var ab = a * b % Fr.Modulus;
            // e(a·G1, b·G2) · e(−ab·G1, G2) = 1, and with a wrong product it is not.
            requests.Add(Call(8, Pairs((G1(a), G2(b)), (G1(ab).Negate(), Bn254.G2Generator))));
            expectations.Add(true);
            requests.Add(Call(8, Pairs((G1(a), G2(b)), (G1((ab + 1) % Fr.Modulus).Negate(), Bn254.G2Generator))));
            expectations.Add(false);
        }

        var results = await RunAsync(requests);
        for (var i = 0; i < results.Count; i++) Assert.Equal(expectations[i], results[i][^1] == 1);
    }

    [Fact]
    public async Task Our_pairing_decides_products_of_pairings_as_the_precompile_does()
    {
        var cases = new List<(AffinePoint<Fq> P, AffinePoint<Fq2> Q)[]>();
        for (var i = 0; i < 5; i++)
        {
            // e(a·G1, b·G2) · e(c·G1, d·G2) · e(−(ab + cd + δ)·G1, G2): one for δ = 0 only.
            var (a, b, c, d) = (RandomScalar(), RandomScalar(), RandomScalar(), RandomScalar());
            var delta = i % 2 == 0 ? 0 : _random.Next(1, 1000);
            var sum = ((a * b) + (c * d) + delta) % Fr.Modulus;
            cases.Add([(G1(a), G2(b)), (G1(c), G2(d)), (G1(sum).Negate(), Bn254.G2Generator)]);
        }

        cases.Add([(AffinePoint<Fq>.Infinity, G2(RandomScalar())), (G1(RandomScalar()), AffinePoint<Fq2>.Infinity)]); // both contribute 1
        cases.Add([(G1(RandomScalar()), G2(RandomScalar()))]); // a single pairing of non-zero points is never 1
        var results = await RunAsync(cases.Select(pairs => Call(8, Pairs(pairs))).ToList());
        var ours = cases.Select(Bn254Pairing.ProductIsOne).ToList();
        Assert.Equal(results.Select(r => r[^1] == 1), ours);
        Assert.Equal([true, false, true, false, true, true, false], ours); // not one answer for all
    }

    /// <summary>The pairing precompile's input for Π e(Pᵢ, Qᵢ).</summary>
    internal static byte[] Pairs(params (AffinePoint<Fq> P, AffinePoint<Fq2> Q)[] pairs)
    {
        var input = new byte[pairs.Length * 192];
        for (var i = 0; i < pairs.Length; i++)
        {
            Bn254.WriteG1Evm(pairs[i].P, input.AsSpan(i * 192));
            Bn254.WriteG2Evm(pairs[i].Q, input.AsSpan(i * 192 + 64));
        }

        return input;
    }

    /// <summary>An eth_call of precompile <paramref name="address"/> with <paramref name="input"/>.</summary>
    internal static JsonRpcRequest Call(int address, byte[] input) =>
        new("eth_call", new Dictionary<string, string> { ["to"] = $"0x{address:x40}", ["data"] = "0x" + Convert.ToHexString(input) }, "latest");

    private Task<IReadOnlyList<byte[]>> RunAsync(IReadOnlyList<JsonRpcRequest> requests) => RunAsync(anvil, requests);

    /// <summary>Runs precompile calls in one batch and returns their output bytes.</summary>
    internal static async Task<IReadOnlyList<byte[]>> RunAsync(AnvilFixture anvil, IReadOnlyList<JsonRpcRequest> requests)
    {
        using var rpc = new JsonRpcClient(anvil.Node.RpcUrl);
        var results = await rpc.BatchAsync(requests);
        return results.Select(r => Convert.FromHexString(r.GetString()![2..])).ToList();
    }

    private static byte[] Encode(AffinePoint<Fq> point)
    {
        var bytes = new byte[64];
        Bn254.WriteG1Evm(point, bytes);
        return bytes;
    }

    private static byte[] Word(BigInteger value)
    {
        var word = new byte[32];
        value.TryWriteBytes(word, out var written, isUnsigned: true, isBigEndian: true);
        return [.. new byte[32 - written], .. word.AsSpan(0, written)];
    }
}

/// <summary>BN254 multiplication and addition in G1 and G2 against ffjavascript (snarkjs's curve library), on random scalars.</summary>
public sealed class Bn254OracleTests(ITestOutputHelper output)
{
    private const string Script = "curve-oracle.mjs";
    private readonly Random _random = new(NodeOracle.Seed(output));

    private BigInteger RandomScalar() => _random.Next(10) switch
    {
        0 => 0,
        1 => Fr.Modulus - 1,
        _ => RandomBits() % Fr.Modulus,
    };

    private BigInteger RandomBits()
    {
        var bytes = new byte[32];
        _random.NextBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true);
    }

    private static JacobianPoint<Fq> G1(BigInteger k) => Bn254.G1Generator.ToJacobian().Multiply(Bn254.Limbs(k));

    private static JacobianPoint<Fq2> G2(BigInteger k) => Bn254.G2Generator.ToJacobian().Multiply(Bn254.Limbs(k));

    private static void AssertSame(AffinePoint<Fq> ours, System.Text.Json.Nodes.JsonNode theirs)
    {
        Assert.Equal(theirs["infinity"] is not null, ours.IsInfinity);
        if (ours.IsInfinity) return;
        Assert.Equal(theirs["x"]!.GetValue<string>(), ours.X.ToString());
        Assert.Equal(theirs["y"]!.GetValue<string>(), ours.Y.ToString());
    }

    private static void AssertSame(AffinePoint<Fq2> ours, System.Text.Json.Nodes.JsonNode theirs)
    {
        Assert.Equal(theirs["infinity"] is not null, ours.IsInfinity);
        if (ours.IsInfinity) return;
        Assert.Equal([ours.X.C0.ToString(), ours.X.C1.ToString(), ours.Y.C0.ToString(), ours.Y.C1.ToString()],
            [theirs["x"]![0]!.GetValue<string>(), theirs["x"]![1]!.GetValue<string>(), theirs["y"]![0]!.GetValue<string>(), theirs["y"]![1]!.GetValue<string>()]);
    }

    [Fact]
    public async Task G1_and_G2_multiples_and_sums_equal_ffjavascript()
    {
        var scalars = Enumerable.Range(0, 60).Select(_ => RandomScalar()).ToList();
        var pairs = Enumerable.Range(0, 30).Select(_ => (A: RandomScalar(), B: RandomScalar())).Append((A: BigInteger.One, B: Fr.Modulus - 1)).Append((A: BigInteger.One, B: BigInteger.One)).ToList();
        var g1 = await NodeOracle.RunAsync(Script, "g1", scalars.Select(k => new { k = k.ToString() }));
        var g2 = await NodeOracle.RunAsync(Script, "g2", scalars.Select(k => new { k = k.ToString() }));
        var g1Sums = await NodeOracle.RunAsync(Script, "g1sum", pairs.Select(p => new { a = p.A.ToString(), b = p.B.ToString() }));
        var g2Sums = await NodeOracle.RunAsync(Script, "g2sum", pairs.Select(p => new { a = p.A.ToString(), b = p.B.ToString() }));
        var table = new FixedBaseTable<Fq2>(Bn254.G2Generator, 254, 13);
        for (var i = 0; i < scalars.Count; i++)
        {
            AssertSame(G1(scalars[i]).ToAffine(), g1[i]);
            AssertSame(G2(scalars[i]).ToAffine(), g2[i]);
            AssertSame(table.Multiply(Bn254.Limbs(scalars[i])).ToAffine(), g2[i]);
        }

        for (var i = 0; i < pairs.Count; i++)
        {
            AssertSame(G1(pairs[i].A).Add(G1(pairs[i].B)).ToAffine(), g1Sums[i]);
            AssertSame(G2(pairs[i].A).AddMixed(G2(pairs[i].B).ToAffine()).ToAffine(), g2Sums[i]);
        }
    }
}
