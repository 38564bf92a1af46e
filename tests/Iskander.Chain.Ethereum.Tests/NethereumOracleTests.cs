using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.Eip712;
using Iskander.Chain.Ethereum.Keystore;
using Iskander.Chain.Ethereum.Rlp;
using Iskander.Chain.Ethereum.Transactions;
using Iskander.Chain.Testing;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.KeyStore;
using Nethereum.Model;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using Xunit.Abstractions;
using NethAccessListItem = Nethereum.Model.AccessListItem;
using NethParameter = Nethereum.ABI.Model.Parameter;
using OurTransaction = Iskander.Chain.Ethereum.Transactions.Transaction;
using OurTransactionType = Iskander.Chain.Ethereum.Transactions.TransactionType;

namespace Iskander.Chain.Ethereum.Tests;

/// <summary>
/// Nethereum as a second independent oracle (besides ethers.js): same bytes, hashes and signatures
/// in both directions; and the inputs where Nethereum is lenient and we refuse on purpose.
/// </summary>
public sealed class NethereumOracleTests(ITestOutputHelper output)
{
    [Fact]
    public void Random_values_of_many_types_encode_like_Nethereum_and_decode_both_ways()
    {
        var random = new Random(NodeOracle.Seed(output));
        for (var n = 0; n < 500; n++)
        {
            var types = Enumerable.Range(0, random.Next(1, 4)).Select(_ => AbiTests.RandomType(random, 0)).ToList();
            var values = types.Select(t => AbiTests.RandomValue(random, t)).ToList();
            var parameters = NethereumParameters(types);
            var label = string.Join(",", types.Select(t => t.Name));

            var ours = AbiCodec.Encode(types, values);
            var theirs = new ParametersEncoder().EncodeParameters(parameters, types.Select((t, i) => ToNethereum(t, values[i])).ToArray());
            Assert.True(ours.AsSpan().SequenceEqual(theirs), $"case {n} ({label}): encodings differ\nours   {Hex.Encode(ours)}\ntheirs {Hex.Encode(theirs)}");

            var expected = new JsonArray(values.Select(AbiTests.ToJson).ToArray());
            var decodedByThem = new ParameterDecoder().DecodeDefaultData(ours, parameters);
            Assert.True(JsonNode.DeepEquals(expected, new JsonArray(types.Select((t, i) => FromNethereum(t, decodedByThem[i].Result)).ToArray())),
                $"case {n} ({label}): Nethereum decodes our bytes differently");
            Assert.True(JsonNode.DeepEquals(expected, new JsonArray(AbiCodec.Decode(types, theirs).Select(AbiTests.ToJson).ToArray())),
                $"case {n} ({label}): we decode Nethereum's bytes differently");
        }
    }

    [Theory]
    [InlineData(OurTransactionType.Legacy)]
    [InlineData(OurTransactionType.DynamicFee)]
    public void Random_transactions_sign_to_the_same_raw_bytes_and_hash_and_recover_both_ways(OurTransactionType type)
    {
        var random = new Random(NodeOracle.Seed(output));
        for (var n = 0; n < 150; n++)
        {
            var tx = TransactionTests.RandomTransaction(random, type, legacyWithoutChainId: false);
            var key = TransactionTests.RandomKey(random);
            var keyBytes = Hex.Decode(key.ExportHex());
            var ours = TransactionCodec.Sign(tx, key);

            var theirsHex = type == OurTransactionType.Legacy
                ? new LegacyTransactionSigner().SignTransaction(keyBytes, new BigInteger(tx.ChainId!.Value), tx.To?.ToLowerHex(), tx.Value, tx.Nonce, tx.GasPrice, tx.GasLimit, Hex.Encode(tx.Data))
                : new Transaction1559Signer().SignTransaction(keyBytes, new Transaction1559(tx.ChainId!.Value, tx.Nonce, tx.MaxPriorityFeePerGas, tx.MaxFeePerGas, tx.GasLimit,
                    tx.To?.ToLowerHex(), tx.Value, Hex.Encode(tx.Data),
                    tx.AccessList.Select(e => new NethAccessListItem(e.Address.ToLowerHex(), e.StorageKeys.Select(k => k.ToArray()).ToList())).ToList()));
            var theirs = Hex.Decode(theirsHex.StartsWith("0x", StringComparison.Ordinal) ? theirsHex : "0x" + theirsHex);

            Assert.True(ours.Encoded.AsSpan().SequenceEqual(theirs), $"case {n}: raw transactions differ\nours   {Hex.Encode(ours.Encoded)}\ntheirs {Hex.Encode(theirs)}");
            Assert.Equal(Hex.Encode(TransactionFactory.CreateTransaction(ours.Encoded).Hash), ours.Hash.ToString());
            Assert.Equal(key.Address, Address.Parse(TransactionVerificationAndRecovery.GetSenderAddress(Hex.Encode(ours.Encoded))));
            Assert.Equal(key.Address, TransactionCodec.Decode(theirs).RecoverSender());
        }
    }

    [Fact]
    public void Random_typed_data_documents_hash_sign_and_recover_like_Nethereum()
    {
        var random = new Random(NodeOracle.Seed(output));
        for (var n = 0; n < 100; n++)
        {
            JsonObject document;
            do document = WithDomainType(TypedDataTests.RandomDocument(random));
            while (!NethereumReadsJson(document));
            var json = document.ToJsonString();
            var ours = TypedData.Parse(json);
            var key = TransactionTests.RandomKey(random);
            var ethKey = new EthECKey(Hex.Decode(key.ExportHex()), isPrivate: true);

            var digest = Keccak256.Hash(Eip712TypedDataSigner.Current.EncodeTypedData(json));
            Assert.True(Hex.Encode(digest) == ours.Digest().ToString(), $"document {n}: digest differs\n{json}");

            var ourSignature = Hex.Encode(ours.Sign(key).ToBytes65());
            var theirSignature = Eip712TypedDataSigner.Current.SignTypedDataV4(json, ethKey);
            Assert.Equal(ourSignature, theirSignature);
            Assert.Equal(key.Address, Address.Parse(Eip712TypedDataSigner.Current.RecoverFromSignatureV4(json, ourSignature)));
            Assert.Equal(key.Address, ours.RecoverSigner(EcdsaSignature.FromBytes65(Hex.Decode(theirSignature))));
        }
    }

    [Fact]
    public void Our_keystores_decrypt_with_Nethereum()
    {
        var key = PrivateKey.Generate();
        var json = KeystoreV3.Encrypt(key, "our pass ✓", ScryptParameters.Light);
        Assert.Equal(key.ExportHex(), Hex.Encode(new KeyStoreService().DecryptKeyStoreFromJson("our pass ✓", json)));
    }

    [Fact]
    public void Nethereum_keystores_of_both_kdfs_decrypt_here()
    {
        var key = PrivateKey.Generate();
        var keyBytes = Hex.Decode(key.ExportHex());
        var address = key.Address.ToChecksumString();
        var scrypt = new KeyStoreScryptService().EncryptAndGenerateKeyStoreAsJson("their pass ✓", keyBytes, address,
            new Nethereum.KeyStore.Model.ScryptParams { Dklen = 32, N = 1 << 12, R = 8, P = 1 });
        var pbkdf2 = new KeyStorePbkdf2Service().EncryptAndGenerateKeyStoreAsJson("their pass ✓", keyBytes, address,
            new Nethereum.KeyStore.Model.Pbkdf2Params { Dklen = 32, Count = 4096, Prf = "hmac-sha256" });

        Assert.Equal(key.ExportHex(), KeystoreV3.Decrypt(scrypt, "their pass ✓").ExportHex());
        Assert.Equal(key.ExportHex(), KeystoreV3.Decrypt(pbkdf2, "their pass ✓").ExportHex());
        Assert.Throws<KeystorePasswordException>(() => KeystoreV3.Decrypt(scrypt, "their pass"));
    }

    // ---- Where we are stricter (docs/formats.md, "Where we are stricter than Nethereum"). ----

    [Fact]
    public void A_high_s_signature_recovers_with_Nethereum_but_is_refused_here()
    {
        var key = PrivateKey.Generate();
        var hash = Keccak256.Hash("ballot 7"u8);
        var low = key.Sign(hash);
        var high = low with { S = Secp256k1N - low.S, RecoveryId = (byte)(low.RecoveryId ^ 1) };

        var recovered = EthECKey.RecoverFromSignature(EthECDSASignatureFactory.FromComponents(Word(high.R), Word(high.S), (byte)(27 + high.RecoveryId)), hash);
        Assert.Equal(key.Address, Address.Parse(recovered.GetPublicAddress()));
        Assert.Throws<InvalidSignatureException>(() => Secp256k1.RecoverAddress(hash, high));
    }

    public static TheoryData<string> NonCanonicalRlp => ["nonce with a leading zero", "one-byte value in a string header", "short string in the long form"];

    [Theory]
    [MemberData(nameof(NonCanonicalRlp))]
    public void A_non_canonical_RLP_transaction_decodes_with_Nethereum_but_is_refused_here(string mutation)
    {
        var key = PrivateKey.Generate();
        var signed = TransactionCodec.Sign(new OurTransaction
        {
            Type = OurTransactionType.DynamicFee, ChainId = 31337, Nonce = 5, MaxPriorityFeePerGas = 1, MaxFeePerGas = 2_000_000_000, GasLimit = 21000,
            To = key.Address, Value = 7,
        }, key);
        var fields = ((RlpItem.RlpList)RlpItem.Decode(signed.Encoded.AsSpan(1))).Items.ToArray();
        var encodedFields = fields.Select(f => f.Encode()).ToArray();
        switch (mutation)
        {
            case "nonce with a leading zero": encodedFields[1] = [0x82, 0x00, 0x05]; break;
            case "one-byte value in a string header": encodedFields[6] = [0x81, 0x07]; break;
            case "short string in the long form": encodedFields[5] = [0xb8, 20, .. key.Address.Bytes]; break;
        }

        byte[] payload = [.. encodedFields.SelectMany(f => f)];
        byte[] mutated = [2, 0xf8, (byte)payload.Length, .. payload];

        var decoded = (Transaction1559)TransactionFactory.CreateTransaction(mutated);
        Assert.Equal(5, (int)decoded.Nonce!.Value);
        Assert.Equal(7, (int)decoded.Amount!.Value);
        Assert.Throws<RlpException>(() => TransactionCodec.Decode(mutated));
    }

    public static TheoryData<string, string, string> LenientAbi => new()
    {
        { "bytes", Words("20", "01", "ab00000000000000000000000000000000000000000000000000000000000001"), "dirty padding" },
        { "string", Words("20", "01", "6100000000000000000000000000000000000000000000000000000000000001"), "dirty padding" },
        { "address", Words("ff000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8"), "dirty high bytes" },
        { "bytes", Words("40", "00", "00"), "non-canonical" },
        { "bytes[]", Words("20", "02", "40", "40", "00"), "non-canonical" },
    };

    [Theory]
    [MemberData(nameof(LenientAbi))]
    public void Non_canonical_ABI_data_decodes_with_Nethereum_but_is_refused_here(string type, string hex, string reason)
    {
        var data = Hex.Decode(hex);
        var theirs = new ParameterDecoder().DecodeDefaultData(data, new NethParameter(type, "value"));
        Assert.NotNull(theirs.Single().Result);
        var error = Assert.Throws<AbiException>(() => AbiCodec.Decode([AbiType.Parse(type)], data));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    private static readonly BigInteger Secp256k1N = BigInteger.Parse("115792089237316195423570985008687907852837564279074904382605163141518161494337", CultureInfo.InvariantCulture);

    private static byte[] Word(BigInteger value)
    {
        var word = new byte[32];
        value.TryWriteBytes(word.AsSpan(32 - value.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return word;
    }

    private static string Words(params string[] words) => "0x" + string.Concat(words.Select(w => w.PadLeft(64, '0')));

    /// <summary>
    /// Nethereum's JSON reader passes array elements through unconverted, so arrays of bytes (hex text)
    /// and arrays of struct arrays fail there; ethers covers those documents (TypedDataTests).
    /// </summary>
    private static bool NethereumReadsJson(JsonObject document) =>
        document["types"]!.AsObject().SelectMany(t => t.Value!.AsArray()).Select(f => f!["type"]!.GetValue<string>()).All(type =>
            !type.Contains('[', StringComparison.Ordinal)
            || (!type.StartsWith("bytes", StringComparison.Ordinal) && !(type.StartsWith('S') && type.Count(c => c == '[') > 1)));

    /// <summary>Nethereum needs the domain type spelled out; ours infers the same one from the domain's members.</summary>
    private static JsonObject WithDomainType(JsonObject document)
    {
        var domain = document["domain"]!.AsObject();
        var fields = new[] { ("name", "string"), ("version", "string"), ("chainId", "uint256"), ("verifyingContract", "address"), ("salt", "bytes32") }
            .Where(f => domain.ContainsKey(f.Item1))
            .Select(f => (JsonNode)new JsonObject { ["name"] = f.Item1, ["type"] = f.Item2 });
        document["types"]!["EIP712Domain"] = new JsonArray(fields.ToArray());
        return document;
    }

    /// <summary>Our types as Nethereum parameters, through a JSON ABI (its way of describing tuple components).</summary>
    private static NethParameter[] NethereumParameters(IReadOnlyList<AbiType> types)
    {
        var abi = new JsonArray(new JsonObject
        {
            ["type"] = "function", ["name"] = "f", ["stateMutability"] = "pure", ["outputs"] = new JsonArray(),
            ["inputs"] = new JsonArray(types.Select((t, i) => (JsonNode)JsonParameter(t, $"p{i}")).ToArray()),
        });
        return new ABIJsonDeserialiser().DeserialiseContract(abi.ToJsonString()).Functions.Single().InputParameters;
    }

    private static JsonObject JsonParameter(AbiType type, string name)
    {
        switch (type)
        {
            case AbiTuple tuple:
                return new JsonObject { ["name"] = name, ["type"] = "tuple", ["components"] = new JsonArray(tuple.Components.Select((c, i) => (JsonNode)JsonParameter(c, $"c{i}")).ToArray()) };
            case AbiArray or AbiFixedArray:
                var (element, suffix) = type is AbiArray a ? (a.Element, "[]") : (((AbiFixedArray)type).Element, $"[{((AbiFixedArray)type).Length}]");
                var inner = JsonParameter(element, name);
                inner["type"] = inner["type"]!.GetValue<string>() + suffix;
                return inner;
            default:
                return new JsonObject { ["name"] = name, ["type"] = type.Name };
        }
    }

    private static object? ToNethereum(AbiType type, object? value) => type switch
    {
        AbiAddress => ((Address)value!).ToChecksumString(),
        AbiArray a => ((object?[])value!).Select(v => ToNethereum(a.Element, v)).ToList(),
        AbiFixedArray f => ((object?[])value!).Select(v => ToNethereum(f.Element, v)).ToList(),
        AbiTuple t => ((object?[])value!).Select((v, i) => ToNethereum(t.Components[i], v)).ToArray(),
        _ => value,
    };

    private static JsonNode? FromNethereum(AbiType type, object? value) => type switch
    {
        AbiAddress => AbiTests.ToJson(Address.Parse((string)value!)),
        AbiUInt or AbiInt => AbiTests.ToJson(value is BigInteger b ? b : new BigInteger(Convert.ToDecimal(value, CultureInfo.InvariantCulture))),
        AbiArray a => new JsonArray(((IEnumerable)value!).Cast<object?>().Select(v => FromNethereum(a.Element, v)).ToArray()),
        AbiFixedArray f => new JsonArray(((IEnumerable)value!).Cast<object?>().Select(v => FromNethereum(f.Element, v)).ToArray()),
        AbiTuple t => new JsonArray(((IEnumerable<ParameterOutput>)value!).Select((p, i) => FromNethereum(t.Components[i], p.Result)).ToArray()),
        _ => AbiTests.ToJson(value),
    };
}
