using BenchmarkDotNet.Attributes;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Encryption;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Hashing;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Signatures;

namespace Iskander.Chain.Bench;

/// <summary>
/// ZK primitive rows of the comparison with circomlibjs and @zk-kit. Inputs match
/// <c>bench/zk-bench.mjs</c>: fixed keys and messages, a 251-bit scalar, a 7-element plaintext,
/// batches of 64 hashes of 1, 2, 3, ….
/// </summary>
public class ZkBenchmarks
{
    /// <summary>Hashes per batched row (a Merkle level of 64 nodes; the JavaScript side makes 64 calls).</summary>
    public const int BatchSize = 64;

    private static readonly byte[] Key = Enumerable.Repeat((byte)7, 32).ToArray();
    private readonly Fr _x = Fr.FromUInt64(1);
    private readonly Fr _y = Fr.FromUInt64(2);
    private readonly Fr[] _five = [Fr.FromUInt64(1), Fr.FromUInt64(2), Fr.FromUInt64(3), Fr.FromUInt64(4), Fr.FromUInt64(5)];
    private readonly System.Numerics.BigInteger _scalar = (System.Numerics.BigInteger.One << 250) + 12345;
    private readonly Fr _message = Fr.FromUInt64(42);
    private readonly Fr[] _plaintext = Enumerable.Range(1, 7).Select(i => Fr.FromUInt64((ulong)i)).ToArray();
    private readonly Fr[] _pairs = Enumerable.Range(1, 2 * BatchSize).Select(i => Fr.FromUInt64((ulong)i)).ToArray();
    private readonly Fr[] _quintuples = Enumerable.Range(1, 5 * BatchSize).Select(i => Fr.FromUInt64((ulong)i)).ToArray();
    private readonly Fr[] _hashes = new Fr[BatchSize];
    private BabyJubJubPoint _publicKey;
    private EdDsaSignature _signature;
    private BabyJubJubPoint _sharedKey;

    [GlobalSetup]
    public void Setup()
    {
        _publicKey = EdDsaPoseidon.PublicKey(Key);
        _signature = EdDsaPoseidon.Sign(Key, _message);
        _sharedKey = new MaciPrivateKey(1234567).SharedKey(new MaciPrivateKey(7654321).PublicKey());
    }

    [Benchmark(Description = "Poseidon t=3 (2 inputs)")]
    public Fr Poseidon3() => Poseidon.Hash(_x, _y);

    [Benchmark(Description = "Poseidon t=6 (5 inputs)")]
    public Fr Poseidon6() => Poseidon.Hash(_five);

    [Benchmark(Description = "Poseidon t=3, 64 hashes (one batch)")]
    public Fr[] Poseidon3Batch()
    {
        Poseidon.HashMany(_pairs, 2, _hashes);
        return _hashes;
    }

    [Benchmark(Description = "Poseidon t=6, 64 hashes (one batch)")]
    public Fr[] Poseidon6Batch()
    {
        Poseidon.HashMany(_quintuples, 5, _hashes);
        return _hashes;
    }

    [Benchmark(Description = "BabyJub scalar multiplication (Base8)")]
    public BabyJubJubPoint Multiply() => BabyJubJub.Multiply(BabyJubJub.Base8, _scalar);

    [Benchmark(Description = "EdDSA-Poseidon sign")]
    public EdDsaSignature Sign() => EdDsaPoseidon.Sign(Key, _message);

    [Benchmark(Description = "EdDSA-Poseidon verify")]
    public bool Verify() => EdDsaPoseidon.Verify(_publicKey, _message, _signature);

    [Benchmark(Description = "Poseidon encrypt 7 elements")]
    public Fr[] Encrypt() => PoseidonCipher.Encrypt(_plaintext, _sharedKey, 0);
}
