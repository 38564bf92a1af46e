using System.Globalization;
using System.Numerics;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.Rlp;
using Iskander.Chain.Ethereum.Transactions;
using Iskander.Chain.Testing;
using Xunit.Abstractions;

namespace Iskander.Chain.Ethereum.Tests;

public sealed class TransactionTests(ITestOutputHelper output)
{
    [Fact]
    public void Eip155_example_signs_to_the_published_bytes()
    {
        var transaction = new Transaction
        {
            Type = TransactionType.Legacy,
            ChainId = 1,
            Nonce = 9,
            GasPrice = 20_000_000_000,
            GasLimit = 21000,
            To = Address.Parse("0x3535353535353535353535353535353535353535"),
            Value = BigInteger.Pow(10, 18),
        };
        Assert.Equal("0xec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080",
            Hex.Encode(TransactionCodec.EncodeForSigning(transaction)));
        Assert.Equal("0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53", TransactionCodec.SigningHash(transaction).ToString());

        var signed = TransactionCodec.Sign(transaction, new PrivateKey(Enumerable.Repeat((byte)0x46, 32).ToArray()));
        Assert.Equal(BigInteger.Parse("18515461264373351373200002665853028612451056578545711640558177340181847433846", CultureInfo.InvariantCulture), signed.Signature.R);
        Assert.Equal(BigInteger.Parse("46948507304638947509940763649030358759909902576025900602547168820602576006531", CultureInfo.InvariantCulture), signed.Signature.S);
        Assert.Equal("0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
            Hex.Encode(signed.Encoded));
        Assert.Equal("0x33469b22e9f636356c4160a87eb19df52b7412e8eac32a4a55ffe88ea8350788", signed.Hash.ToString());
        Assert.Equal("0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F", signed.RecoverSender().ToChecksumString());

        var decoded = TransactionCodec.Decode(signed.Encoded);
        Assert.Equal(transaction, decoded.Transaction);
        Assert.Equal(signed.Signature, decoded.Signature);
    }

    [Fact]
    public void Eip1559_example_signs_to_the_published_bytes()
    {
        var transaction = new Transaction
        {
            Type = TransactionType.DynamicFee,
            ChainId = 1559,
            Nonce = 2,
            MaxPriorityFeePerGas = 3,
            MaxFeePerGas = 4,
            GasLimit = 3500,
            To = Address.Parse("0x1ad91ee08f21be3de0ba2ba6918e714da6b45836"),
            Value = 10,
        };
        var key = PrivateKey.FromHex("0xb5b1870957d373ef0eeffecc6e4812c0fd08f554b37b233526acc331bf1544f7");
        Assert.Equal("0x12890D2cce102216644c59daE5baed380d84830c", key.Address.ToChecksumString());
        var signed = TransactionCodec.Sign(transaction, key);
        Assert.Equal("0x02f864820617020304820dac941ad91ee08f21be3de0ba2ba6918e714da6b458360a80c080a02b7505766dabb65f8ef497955459f9ea43ff4a092153a8acb277321a80b784a8a0276140649dae47bbb8f6d8fdc3e0daddb58bba498aa4e0b8c547d0d8ebdbf9a5",
            Hex.Encode(signed.Encoded));
        Assert.Equal("0x7b3a60b978eb012a4083df14ca2d4b31860927fdc9c0c3776748020b9258e1c1", signed.Hash.ToString());
        Assert.Equal(key.Address, TransactionCodec.Decode(signed.Encoded).RecoverSender());
    }

    [Fact]
    public void The_all_empty_London_transaction_has_the_published_unsigned_form()
    {
        var transaction = new Transaction { Type = TransactionType.DynamicFee, ChainId = 0 };
        Assert.Equal("0x02c98080808080808080c0", Hex.Encode(TransactionCodec.EncodeForSigning(transaction)));
    }

    public static TheoryData<string> Mutations => ["19-byte recipient", "y-parity 2", "fee with a leading zero", "extra field", "missing field", "31-byte storage key", "trailing byte"];

    [Theory]
    [MemberData(nameof(Mutations))]
    public void Malformed_transactions_are_rejected(string mutation)
    {
        var valid = TransactionCodec.Sign(new Transaction
        {
            ChainId = 1559, Nonce = 2, MaxPriorityFeePerGas = 3, MaxFeePerGas = 4, GasLimit = 3500,
            To = Address.Parse("0x1ad91ee08f21be3de0ba2ba6918e714da6b45836"), Value = 10,
            AccessList = [new AccessListEntry(Address.Zero, [new Hash32(new byte[32])])],
        }, PrivateKey.Generate());
        var fields = ((RlpItem.RlpList)RlpItem.Decode(valid.Encoded.AsSpan(1))).Items.ToList();
        var tail = Array.Empty<byte>();
        switch (mutation)
        {
            case "19-byte recipient": fields[5] = new RlpItem.RlpString(new byte[19]); break;
            case "y-parity 2": fields[9] = new RlpItem.RlpString([2]); break;
            case "fee with a leading zero": fields[2] = new RlpItem.RlpString([0, 3]); break;
            case "extra field": fields.Add(new RlpItem.RlpString([1])); break;
            case "missing field": fields.RemoveAt(fields.Count - 1); break;
            case "31-byte storage key":
                fields[8] = new RlpItem.RlpList([new RlpItem.RlpList([new RlpItem.RlpString(new byte[20]), new RlpItem.RlpList([new RlpItem.RlpString(new byte[31])])])]);
                break;
            case "trailing byte": tail = [0]; break;
        }

        byte[] encoded = [2, .. new RlpItem.RlpList(fields).Encode(), .. tail];
        var error = Assert.Throws<RlpException>(() => TransactionCodec.Decode(encoded));
        output.WriteLine($"{mutation}: {error.Message}");
    }

    [Theory]
    [InlineData("0x05c0")]
    [InlineData("0x02")]
    [InlineData("0x")]
    public void Unknown_or_empty_envelopes_are_rejected(string hex)
    {
        Assert.Throws<RlpException>(() => TransactionCodec.Decode(Hex.Decode(hex)));
    }

    [Fact]
    public void A_high_s_signature_does_not_recover_a_sender()
    {
        var key = PrivateKey.Generate();
        var signed = TransactionCodec.Sign(new Transaction { ChainId = 1, GasLimit = 21000, MaxFeePerGas = 1 }, key);
        var n = BigInteger.Parse("115792089237316195423570985008687907852837564279074904382605163141518161494337", CultureInfo.InvariantCulture);
        var flipped = signed.Signature with { S = n - signed.Signature.S, RecoveryId = (byte)(signed.Signature.RecoveryId ^ 1) };
        var malleable = TransactionCodec.WithSignature(signed.Transaction, flipped);
        Assert.Throws<InvalidSignatureException>(() => TransactionCodec.Decode(malleable.Encoded).RecoverSender());
    }

    [Fact]
    public async Task Random_transactions_of_every_type_sign_to_the_same_bytes_as_ethers()
    {
        var random = new Random(NodeOracle.Seed(output));
        var cases = new List<(Transaction Tx, PrivateKey Key)>();
        foreach (var type in new[] { TransactionType.Legacy, TransactionType.AccessList, TransactionType.DynamicFee })
        {
            for (var i = 0; i < 200; i++) cases.Add((RandomTransaction(random, type, legacyWithoutChainId: i % 10 == 0), RandomKey(random)));
        }

        var results = await NodeOracle.RunAsync("ethers-oracle.mjs", "signTransaction", cases.Select(c => ToEthers(c.Tx, c.Key)));
        for (var i = 0; i < cases.Count; i++)
        {
            var (tx, key) = cases[i];
            var signed = TransactionCodec.Sign(tx, key);
            var expected = results[i];
            Assert.Equal(expected["unsignedSerialized"]!.GetValue<string>(), Hex.Encode(TransactionCodec.EncodeForSigning(tx)));
            Assert.Equal(expected["serialized"]!.GetValue<string>(), Hex.Encode(signed.Encoded));
            Assert.Equal(expected["hash"]!.GetValue<string>(), signed.Hash.ToString());
            var decoded = TransactionCodec.Decode(signed.Encoded);
            Assert.Equal(tx, decoded.Transaction);
            Assert.Equal(key.Address, decoded.RecoverSender());
        }
    }

    [Fact]
    public async Task Random_personal_messages_hash_and_sign_like_ethers()
    {
        var random = new Random(NodeOracle.Seed(output));
        var cases = Enumerable.Range(0, 100).Select(_ =>
        {
            var message = new byte[random.Next(0, 300)];
            random.NextBytes(message);
            return (Key: RandomKey(random), Message: message);
        }).ToList();
        var results = await NodeOracle.RunAsync("ethers-oracle.mjs", "personalSign",
            cases.Select(c => new { privateKey = c.Key.ExportHex(), message = Hex.Encode(c.Message) }));
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.Equal(results[i]["hash"]!.GetValue<string>(), PersonalMessage.Hash(cases[i].Message).ToString());
            Assert.Equal(results[i]["signature"]!.GetValue<string>(), Hex.Encode(PersonalMessage.Sign(cases[i].Message, cases[i].Key).ToBytes65()));
        }
    }

    internal static PrivateKey RandomKey(Random random)
    {
        var bytes = new byte[32];
        do random.NextBytes(bytes);
        while (!Secp256k1.IsValidPrivateKey(bytes));
        return new PrivateKey(bytes);
    }

    private static BigInteger RandomAmount(Random random)
    {
        var bytes = new byte[random.Next(0, 33)];
        random.NextBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    internal static Transaction RandomTransaction(Random random, TransactionType type, bool legacyWithoutChainId)
    {
        var data = new byte[random.Next(3) == 0 ? 0 : random.Next(1, 400)];
        random.NextBytes(data);
        var addressBytes = new byte[20];
        random.NextBytes(addressBytes);
        var accessList = type == TransactionType.Legacy
            ? []
            : Enumerable.Range(0, random.Next(0, 3)).Select(_ =>
            {
                var entryAddress = new byte[20];
                random.NextBytes(entryAddress);
                var keys = Enumerable.Range(0, random.Next(0, 4)).Select(_ =>
                {
                    var key = new byte[32];
                    random.NextBytes(key);
                    return new Hash32(key);
                }).ToList();
                return new AccessListEntry(new Address(entryAddress), keys);
            }).ToList();
        var maxFee = RandomAmount(random);
        return new Transaction
        {
            Type = type,
            ChainId = type == TransactionType.Legacy && legacyWithoutChainId ? null : (ulong)random.NextInt64(1, 1L << 40),
            // ethers caps nonces at 2^53 - 1 (JavaScript's safe integers); the codec itself takes any ulong.
            Nonce = (ulong)random.NextInt64(0, long.MaxValue) >> random.Next(10, 63),
            GasPrice = type == TransactionType.DynamicFee ? 0 : RandomAmount(random),
            MaxPriorityFeePerGas = type == TransactionType.DynamicFee ? RandomAmount(random) % (maxFee + 1) : 0,
            MaxFeePerGas = type == TransactionType.DynamicFee ? maxFee : 0,
            GasLimit = (ulong)random.NextInt64(21000, 30_000_000),
            To = random.Next(5) == 0 ? null : new Address(addressBytes),
            Value = RandomAmount(random),
            Data = data,
            AccessList = accessList,
        };
    }

    private static Dictionary<string, object?> ToEthers(Transaction tx, PrivateKey key)
    {
        var fields = new Dictionary<string, object?>
        {
            ["privateKey"] = key.ExportHex(),
            ["type"] = (int)tx.Type,
            ["chainId"] = (tx.ChainId ?? 0).ToString(CultureInfo.InvariantCulture),
            ["nonce"] = tx.Nonce.ToString(CultureInfo.InvariantCulture),
            ["gasLimit"] = tx.GasLimit.ToString(CultureInfo.InvariantCulture),
            ["to"] = tx.To?.ToLowerHex(),
            ["value"] = tx.Value.ToString(CultureInfo.InvariantCulture),
            ["data"] = Hex.Encode(tx.Data),
        };
        if (tx.Type == TransactionType.DynamicFee)
        {
            fields["maxPriorityFeePerGas"] = tx.MaxPriorityFeePerGas.ToString(CultureInfo.InvariantCulture);
            fields["maxFeePerGas"] = tx.MaxFeePerGas.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            fields["gasPrice"] = tx.GasPrice.ToString(CultureInfo.InvariantCulture);
        }

        if (tx.Type != TransactionType.Legacy)
        {
            fields["accessList"] = tx.AccessList.Select(e => new { address = e.Address.ToLowerHex(), storageKeys = e.StorageKeys.Select(k => k.ToString()).ToArray() }).ToArray();
        }

        return fields;
    }
}
