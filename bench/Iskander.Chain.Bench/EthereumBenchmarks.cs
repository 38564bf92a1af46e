using System.Numerics;
using BenchmarkDotNet.Attributes;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.Transactions;

namespace Iskander.Chain.Bench;

/// <summary>
/// The Ethereum rows of the comparison with ethers.js. Inputs are fixed and identical to those of
/// <c>bench/ethers-bench.mjs</c> (see <see cref="EthereumInputs"/>).
/// </summary>
[MemoryDiagnoser]
public class EthereumBenchmarks
{
    private readonly byte[] _hash32 = EthereumInputs.Bytes32;
    private readonly byte[] _kib = EthereumInputs.Kib;
    private readonly PrivateKey _key = EthereumInputs.Key;
    private readonly EcdsaSignature _signature = EthereumInputs.Key.Sign(EthereumInputs.Bytes32);
    private readonly AbiFunction _submit = EthereumInputs.Submit;
    private readonly object?[] _arguments = EthereumInputs.SubmitArguments;
    private readonly byte[] _callData = EthereumInputs.Submit.EncodeCall(EthereumInputs.SubmitArguments);
    private readonly Transaction _transaction = EthereumInputs.Transaction;
    private readonly EcdsaSignature _txSignature = EthereumInputs.Key.Sign(TransactionCodec.SigningHash(EthereumInputs.Transaction).Bytes);
    private readonly byte[] _encodedTransaction = TransactionCodec.Sign(EthereumInputs.Transaction, EthereumInputs.Key).Encoded;

    [Benchmark(Description = "keccak256 32 B")]
    public byte[] Keccak32() => Keccak256.Hash(_hash32);

    [Benchmark(Description = "keccak256 1 KiB")]
    public byte[] Keccak1K() => Keccak256.Hash(_kib);

    [Benchmark(Description = "secp256k1 sign")]
    public EcdsaSignature Sign() => _key.Sign(_hash32);

    [Benchmark(Description = "secp256k1 recover address")]
    public Address Recover() => Secp256k1.RecoverAddress(_hash32, _signature);

    [Benchmark(Description = "ABI encode call (tuple with array and string)")]
    public byte[] AbiEncode() => _submit.EncodeCall(_arguments);

    [Benchmark(Description = "ABI decode call (tuple with array and string)")]
    public object?[] AbiDecode() => _submit.DecodeCall(_callData);

    [Benchmark(Description = "RLP encode signed EIP-1559 transaction")]
    public byte[] RlpEncode() => TransactionCodec.WithSignature(_transaction, _txSignature).Encoded;

    [Benchmark(Description = "RLP decode signed EIP-1559 transaction")]
    public SignedTransaction RlpDecode() => TransactionCodec.Decode(_encodedTransaction);
}

/// <summary>The shared inputs (the Node script builds the same values).</summary>
public static class EthereumInputs
{
    public static readonly byte[] Bytes32 = Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + 1)).ToArray();
    public static readonly byte[] Kib = Enumerable.Range(0, 1024).Select(i => (byte)(i * 31 + 3)).ToArray();
    public static readonly PrivateKey Key = PrivateKey.FromHex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");

    public static readonly AbiFunction Submit = new("submit",
    [
        new AbiParameter("ballot", AbiType.Parse("(uint256,address[],string)")),
        new AbiParameter("root", AbiType.Parse("bytes32")),
    ], []);

    public static readonly object?[] SubmitArguments =
    [
        new object?[]
        {
            new BigInteger(42),
            new object[]
            {
                Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
                Address.Parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
                Address.Parse("0x90F79bf6EB2c4f870365E785982E1f101E93b906"),
            },
            "Adopt the 2027 budget as proposed by the finance circle",
        },
        Bytes32,
    ];

    public static readonly Transaction Transaction = new()
    {
        Type = TransactionType.DynamicFee,
        ChainId = 31337,
        Nonce = 17,
        MaxPriorityFeePerGas = 1_000_000_000,
        MaxFeePerGas = 30_000_000_000,
        GasLimit = 120_000,
        To = Address.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"),
        Value = 0,
        Data = Submit.EncodeCall(SubmitArguments),
    };
}
