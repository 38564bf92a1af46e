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
/// <c>bench/zk-bench.mjs</c>: fixed keys and messages, a 251-bit scalar, a 7-element plaintext.
/// </summary>
public class ZkBenchmarks
{
    private static readonly byte[] Key = Enumerable.Repeat((byte)7, 32).ToArray();
    private readonly Fr _x = Fr.FromUInt64(1);
    private readonly Fr _y = Fr.FromUInt64(2);
    private readonly Fr[] _five = [Fr.FromUInt64(1), Fr.FromUInt64(2), Fr.FromUInt64(3), Fr.FromUInt64(4), Fr.FromUInt64(5)];
    private readonly System.Numerics.BigInteger _scalar = (System.Numerics.BigInteger.One << 250) + 12345;
    private readonly Fr _message = Fr.FromUInt64(42);
    private readonly Fr[] _plaintext = Enumerable.Range(1, 7).Select(i => Fr.FromUInt64((ulong)i)).ToArray();
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

    [Benchmark(Description = "BabyJub scalar multiplication (Base8)")]
    public BabyJubJubPoint Multiply() => BabyJubJub.Multiply(BabyJubJub.Base8, _scalar);

    [Benchmark(Description = "EdDSA-Poseidon sign")]
    public EdDsaSignature Sign() => EdDsaPoseidon.Sign(Key, _message);

    [Benchmark(Description = "EdDSA-Poseidon verify")]
    public bool Verify() => EdDsaPoseidon.Verify(_publicKey, _message, _signature);

    [Benchmark(Description = "Poseidon encrypt 7 elements")]
    public Fr[] Encrypt() => PoseidonCipher.Encrypt(_plaintext, _sharedKey, 0);
}
