using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.Eip712;
using Iskander.Chain.Testing;
using Xunit.Abstractions;

namespace Iskander.Chain.Ethereum.Tests;

public sealed class TypedDataTests(ITestOutputHelper output)
{
    private const string Mail = """
        {
          "types": {
            "EIP712Domain": [
              {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
              {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}
            ],
            "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
            "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person"}, {"name": "contents", "type": "string"}]
          },
          "primaryType": "Mail",
          "domain": {"name": "Ether Mail", "version": "1", "chainId": 1, "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
          "message": {
            "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
            "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
            "contents": "Hello, Bob!"
          }
        }
        """;

    [Fact]
    public void The_EIP712_mail_example_matches_every_published_value()
    {
        var data = TypedData.Parse(Mail);
        Assert.Equal("Mail(Person from,Person to,string contents)Person(string name,address wallet)", data.EncodeType("Mail"));
        Assert.Equal("0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2", data.TypeHash("Mail").ToString());
        var message = data.Message;
        Assert.Equal("0xfc71e5fa27ff56c350aa531bc129ebdf613b772b6604664f5d8dbe21b85eb0c8", data.HashStruct("Person", message.GetProperty("from")).ToString());
        Assert.Equal("0xcd54f074a4af31b4411ff6a60c9719dbd559c221c8ac3492d9d872b041d703d1", data.HashStruct("Person", message.GetProperty("to")).ToString());
        Assert.Equal("0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e", data.HashStruct("Mail", message).ToString());
        Assert.Equal("0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f", data.DomainSeparator.ToString());
        Assert.Equal("0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2", data.Digest().ToString());

        var cow = new PrivateKey(Keccak256.Hash("cow"u8));
        var signature = data.Sign(cow);
        Assert.Equal("0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b915621c",
            Hex.Encode(signature.ToBytes65()));
        Assert.Equal(cow.Address, data.RecoverSigner(signature));
    }

    [Fact]
    public void The_older_example_with_httpOrigin_gives_its_own_separator_only_when_the_domain_type_says_so()
    {
        var withOrigin = Mail.Replace("\"chainId\": 1,", "\"chainId\": 1, \"httpOrigin\": \"https://ether-mail.eth\",", StringComparison.Ordinal)
            .Replace("{\"name\": \"verifyingContract\", \"type\": \"address\"}", "{\"name\": \"verifyingContract\", \"type\": \"address\"}, {\"name\": \"httpOrigin\", \"type\": \"string\"}", StringComparison.Ordinal);
        var data = TypedData.Parse(withOrigin);
        Assert.NotEqual("0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f", data.DomainSeparator.ToString());
    }

    [Fact]
    public void A_member_missing_from_the_message_is_an_error()
    {
        var broken = Mail.Replace("\"contents\": \"Hello, Bob!\"", "\"content\": \"Hello, Bob!\"", StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => TypedData.Parse(broken).Digest());
    }

    [Fact]
    public async Task A_hundred_random_documents_hash_like_ethers()
    {
        var random = new Random(NodeOracle.Seed(output));
        var documents = Enumerable.Range(0, 120).Select(_ => RandomDocument(random)).ToList();
        var results = await NodeOracle.RunAsync("ethers-oracle.mjs", "typedData", documents.Select(d => (object)d));
        for (var i = 0; i < documents.Count; i++)
        {
            var json = documents[i].ToJsonString();
            var data = TypedData.Parse(json);
            Assert.True(results[i]["encodeType"]!.GetValue<string>() == data.EncodeType(data.PrimaryType), $"document {i}: encodeType differs\n{json}");
            Assert.True(results[i]["domainSeparator"]!.GetValue<string>() == data.DomainSeparator.ToString(), $"document {i}: domain separator differs\n{json}");
            Assert.True(results[i]["digest"]!.GetValue<string>() == data.Digest().ToString(), $"document {i}: digest differs\n{json}");
        }
    }

    private static readonly string[] Atomic = ["uint256", "uint8", "uint64", "int256", "int16", "bool", "address", "bytes32", "bytes4", "string", "bytes"];

    internal static JsonObject RandomDocument(Random random)
    {
        var structCount = random.Next(1, 5);
        var types = new JsonObject();
        var fieldTypes = new List<List<(string Name, string Type)>>();
        for (var s = 0; s < structCount; s++)
        {
            var fields = new List<(string, string)>();
            var count = random.Next(1, 5);
            for (var f = 0; f < count; f++)
            {
                var baseType = s + 1 < structCount && random.Next(3) == 0 ? $"S{random.Next(s + 1, structCount)}" : Atomic[random.Next(Atomic.Length)];
                var suffix = random.Next(6) switch { 0 => "[]", 1 => $"[{random.Next(1, 3)}]", 2 => "[][]", _ => "" };
                fields.Add(($"f{f}", baseType + suffix));
            }

            fieldTypes.Add(fields);
        }

        // Every struct must be reachable from the primary type.
        for (var s = 1; s < structCount; s++)
        {
            if (!fieldTypes.Take(s).SelectMany(f => f).Any(f => f.Type.StartsWith($"S{s}", StringComparison.Ordinal) && (f.Type.Length == $"S{s}".Length || f.Type[$"S{s}".Length] == '[')))
            {
                fieldTypes[random.Next(0, s)].Add(($"ref{s}", $"S{s}"));
            }
        }

        for (var s = 0; s < structCount; s++)
        {
            types[$"S{s}"] = new JsonArray(fieldTypes[s].Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["type"] = f.Type }).ToArray());
        }

        var domain = new JsonObject();
        if (random.Next(2) == 0) domain["name"] = "Coop " + random.Next(1000).ToString(CultureInfo.InvariantCulture);
        if (random.Next(2) == 0) domain["version"] = random.Next(1, 9).ToString(CultureInfo.InvariantCulture);
        if (random.Next(2) == 0) domain["chainId"] = random.Next(1, 100_000);
        if (random.Next(2) == 0) domain["verifyingContract"] = Hex.Encode(RandomBytes(random, 20));
        if (random.Next(3) == 0) domain["salt"] = Hex.Encode(RandomBytes(random, 32));

        return new JsonObject
        {
            ["types"] = types,
            ["primaryType"] = "S0",
            ["domain"] = domain,
            ["message"] = RandomStruct(random, 0, fieldTypes),
        };
    }

    private static JsonObject RandomStruct(Random random, int index, List<List<(string Name, string Type)>> fieldTypes)
    {
        var value = new JsonObject();
        foreach (var (name, type) in fieldTypes[index]) value[name] = RandomValue(random, type, fieldTypes);
        return value;
    }

    private static JsonNode RandomValue(Random random, string type, List<List<(string Name, string Type)>> fieldTypes)
    {
        if (type.EndsWith(']'))
        {
            var open = type.LastIndexOf('[');
            var size = type[(open + 1)..^1];
            var count = size.Length == 0 ? random.Next(0, 3) : int.Parse(size, CultureInfo.InvariantCulture);
            return new JsonArray(Enumerable.Range(0, count).Select(_ => RandomValue(random, type[..open], fieldTypes)).ToArray());
        }

        if (type.StartsWith('S')) return RandomStruct(random, int.Parse(type[1..], CultureInfo.InvariantCulture), fieldTypes);
        return type switch
        {
            "uint256" => Hex.EncodeQuantity(new System.Numerics.BigInteger(RandomBytes(random, 32), isUnsigned: true)),
            "uint8" => random.Next(256),
            "uint64" => ((ulong)random.NextInt64()).ToString(CultureInfo.InvariantCulture),
            "int256" => (-new System.Numerics.BigInteger(RandomBytes(random, 31), isUnsigned: true)).ToString(CultureInfo.InvariantCulture),
            "int16" => random.Next(-32768, 32768),
            "bool" => random.Next(2) == 0,
            "address" => Hex.Encode(RandomBytes(random, 20)),
            "bytes32" => Hex.Encode(RandomBytes(random, 32)),
            "bytes4" => Hex.Encode(RandomBytes(random, 4)),
            "string" => "vote ✓ " + random.Next(),
            "bytes" => Hex.Encode(RandomBytes(random, random.Next(0, 70))),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type),
        };
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
