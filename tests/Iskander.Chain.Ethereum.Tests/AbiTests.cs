using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Testing;
using Xunit.Abstractions;

namespace Iskander.Chain.Ethereum.Tests;

public sealed class AbiTests(ITestOutputHelper output)
{
    private static string Words(byte[] data) => string.Join('\n', data.Chunk(32).Select(w => Convert.ToHexStringLower(w)));

    private static string Word(BigInteger value) => value.ToString("x64", CultureInfo.InvariantCulture)[^64..];

    private static string Text(string text) => Convert.ToHexStringLower(Encoding.ASCII.GetBytes(text)).PadRight(64, '0');

    [Theory]
    [InlineData("baz", "uint32,bool", "0xcdcd77c0")]
    [InlineData("bar", "bytes3[2]", "0xfce353f6")]
    [InlineData("sam", "bytes,bool,uint256[]", "0xa5643bf2")]
    [InlineData("f", "uint256,uint32[],bytes10,bytes", "0x8be65246")]
    [InlineData("g", "uint256[][],string[]", "0x2289b18c")]
    public void Selectors_match_the_ABI_specification(string name, string types, string selector)
    {
        var function = new AbiFunction(name, types.Split(',').Select(t => new AbiParameter("", AbiType.Parse(t))).ToList(), []);
        Assert.Equal(selector, Hex.Encode(function.Selector));
    }

    [Fact]
    public void Spec_example_sam_encodes_heads_then_tails()
    {
        var encoded = AbiCodec.Encode(["bytes", "bool", "uint256[]"], [Encoding.ASCII.GetBytes("dave"), true, new BigInteger[] { 1, 2, 3 }]);
        Assert.Equal(string.Join('\n', Word(0x60), Word(1), Word(0xa0), Word(4), Text("dave"), Word(3), Word(1), Word(2), Word(3)), Words(encoded));
    }

    [Fact]
    public void Spec_example_f_mixes_static_and_dynamic_arguments()
    {
        var encoded = AbiCodec.Encode(["uint256", "uint32[]", "bytes10", "bytes"],
            [0x123, new object[] { 0x456, 0x789 }, Encoding.ASCII.GetBytes("1234567890"), Encoding.ASCII.GetBytes("Hello, world!")]);
        Assert.Equal(string.Join('\n', Word(0x123), Word(0x80), Text("1234567890"), Word(0xe0), Word(2), Word(0x456), Word(0x789), Word(0xd), Text("Hello, world!")), Words(encoded));
    }

    [Fact]
    public void Spec_example_g_counts_nested_offsets_from_each_array_content()
    {
        var types = new[] { "uint256[][]", "string[]" };
        object?[] values = [new object[] { new object[] { 1, 2 }, new object[] { 3 } }, new object[] { "one", "two", "three" }];
        var encoded = AbiCodec.Encode(types, values);
        Assert.Equal(string.Join('\n',
            Word(0x40), Word(0x140), Word(2), Word(0x40), Word(0xa0), Word(2), Word(1), Word(2), Word(1), Word(3),
            Word(3), Word(0x60), Word(0xa0), Word(0xe0), Word(3), Text("one"), Word(3), Text("two"), Word(5), Text("three")), Words(encoded));

        var decoded = AbiCodec.Decode(types.Select(AbiType.Parse).ToList(), encoded);
        Assert.Equal("three", ((object?[])decoded[1]!)[2]);
        Assert.Equal(new BigInteger(3), ((object?[])((object?[])decoded[0]!)[1]!)[0]);
    }

    public static TheoryData<string, string, string> HostileData => new()
    {
        { "uint256", "0x01", "too short" },
        { "bytes", "0x" + Word(0x20) + Word(1 << 30), "points past" },
        { "bytes", "0x" + Word(0x20) + Word(0x21) + Word(0), "runs past" },
        { "bytes", "0x" + Word(0x20) + Word(BigInteger.Pow(2, 255)), "larger than any buffer" },
        { "uint256[]", "0x" + Word(0x20) + Word(100_000_000), "points past" },
        { "uint256[]", "0x" + Word(0x20) + Word(3) + Word(1) + Word(2), "cannot fit" },
        { "string", "0x" + Word(0x1000), "points past" },
        { "uint8", "0x" + Word(256), "does not fit uint8" },
        { "address", "0x" + Word(BigInteger.Pow(2, 160)), "dirty high bytes" },
        { "bool", "0x" + Word(2), "neither 0 nor 1" },
        { "int8", "0x" + Word(128), "bad sign extension" },
        { "bytes2", "0x" + "ffff01".PadRight(64, '0'), "dirty padding" },
        { "uint256", "0x" + Word(1) + "00", "trailing" },
        { "string", "0x" + Word(0x20) + Word(2) + "c328".PadRight(64, '0'), "not valid UTF-8" },
        { "bytes", "0x" + Word(0x20) + Word(1) + "ab01".PadRight(64, '0'), "dirty padding" },
        { "string", "0x" + Word(0x20) + Word(31) + "61".PadRight(62, '1') + "ff", "dirty padding" },
        { "bytes", "0x" + Word(0x40) + Word(0) + Word(0), "non-canonical" },
        { "(bytes,bytes)", "0x" + Word(0x40) + Word(0x40) + Word(0), "non-canonical" },
        { "(bytes,bytes)", "0x" + Word(0x60) + Word(0x40) + Word(0) + Word(0), "non-canonical" },
    };

    [Theory]
    [MemberData(nameof(HostileData))]
    public void Hostile_data_is_rejected_with_a_clear_error(string type, string hex, string reason)
    {
        var error = Assert.Throws<AbiException>(() => AbiCodec.Decode([AbiType.Parse(type)], Hex.Decode(hex)));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Aliased_offsets_cannot_amplify_a_small_input_into_a_huge_result()
    {
        // uint256[][] of 1,000 elements that all point at one 1,000-element inner array: 32 KiB of data
        // that would decode into a million values. The second offset is refused: canonical tails never overlap.
        var inner = Word(1000) + string.Concat(Enumerable.Repeat(Word(7), 1000));
        var offsets = string.Concat(Enumerable.Repeat(Word(1000 * 32), 1000));
        var data = Hex.Decode("0x" + Word(0x20) + Word(1000) + offsets + inner);
        var error = Assert.Throws<AbiException>(() => AbiCodec.Decode([AbiType.Parse("uint256[][]")], data));
        Assert.Contains("offset 32000 at 96 is not 64032", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("uint7")]
    [InlineData("uint264")]
    [InlineData("bytes33")]
    [InlineData("bytes0")]
    [InlineData("(uint256")]
    [InlineData("uint256[0]")]
    [InlineData("uint256[01]")]
    [InlineData("fixed128x18")]
    [InlineData("")]
    public void Unknown_type_strings_are_rejected(string type)
    {
        Assert.Throws<AbiException>(() => AbiType.Parse(type));
    }

    [Fact]
    public void Events_decode_indexed_and_data_parameters_and_check_the_topic_count()
    {
        var transfer20 = new AbiEvent("Transfer", [new("from", AbiAddress.Instance, true), new("to", AbiAddress.Instance, true), new("value", new AbiUInt(256))]);
        var transfer721 = new AbiEvent("Transfer", [new("from", AbiAddress.Instance, true), new("to", AbiAddress.Instance, true), new("tokenId", new AbiUInt(256), true)]);
        Assert.Equal("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef", transfer20.Topic0.ToString());
        Assert.Equal(transfer20.Topic0, transfer721.Topic0);

        var from = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        var to = Address.Parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
        Hash32 Topic(Address a) => new(AbiCodec.Encode([AbiAddress.Instance], [a]));
        var topics = new[] { transfer721.Topic0, Topic(from), Topic(to), new Hash32(AbiCodec.Encode(["uint256"], [42])) };

        Assert.False(transfer20.Matches(topics));
        var error = Assert.Throws<AbiException>(() => transfer20.Decode(topics, []));
        Assert.Contains("the log has 4", error.Message, StringComparison.Ordinal);
        var decoded = transfer721.Decode(topics, []);
        Assert.Equal(from, decoded["from"]);
        Assert.Equal(new BigInteger(42), decoded["tokenId"]);
    }

    [Fact]
    public void Indexed_dynamic_values_decode_to_their_hash()
    {
        var anchored = new AbiEvent("Anchored", [new("label", AbiString.Instance, true), new("root", new AbiFixedBytes(32))], anonymous: true);
        var labelHash = Hash32.Keccak(Encoding.UTF8.GetBytes("batch-7"));
        var root = new byte[32];
        root[0] = 0xab;
        var decoded = anchored.Decode([labelHash], AbiCodec.Encode(["bytes32"], [root]));
        Assert.Equal(labelHash, decoded["label"]);
        Assert.Equal(root, decoded["root"]);
    }

    [Fact]
    public void Reverts_decode_as_Error_Panic_or_custom_errors()
    {
        var abi = ContractAbi.Parse("""
            [{"type":"error","name":"UnknownBatch","inputs":[{"name":"batchId","type":"uint64"},{"name":"root","type":"bytes32"}]}]
            """);
        var custom = abi.Error("UnknownBatch").Encode(7UL, new byte[32]);
        Assert.Equal("UnknownBatch(7, 0x0000000000000000000000000000000000000000000000000000000000000000)", abi.DecodeRevert(custom).ToString());
        Assert.Equal("Error(\"not the anchorer\")", abi.DecodeRevert(AbiError.StandardError.Encode("not the anchorer")).ToString());
        Assert.Equal("Panic(17)", abi.DecodeRevert(AbiError.Panic.Encode(0x11)).ToString());
        Assert.Null(abi.DecodeRevert(Hex.Decode("0xdeadbeef")).Error);
        Assert.Null(abi.DecodeRevert(Hex.Decode("0x08c379a0ff")).Error); // Error selector with garbage arguments
    }

    [Fact]
    public void Json_abi_with_nested_tuples_gives_canonical_signatures()
    {
        var abi = ContractAbi.Parse("""
            [{"type":"function","name":"anchor","stateMutability":"nonpayable",
              "inputs":[{"name":"batch","type":"tuple","components":[{"name":"root","type":"bytes32"},{"name":"count","type":"uint64"},
                        {"name":"refs","type":"tuple[]","components":[{"name":"a","type":"address"},{"name":"b","type":"bytes"}]}]},
                        {"name":"proofs","type":"bytes32[][2]"}],
              "outputs":[{"name":"","type":"uint256"}]},
             {"type":"constructor","inputs":[{"name":"admin","type":"address"}]},
             {"type":"event","name":"Anchored","anonymous":false,"inputs":[{"name":"root","type":"bytes32","indexed":true}]}]
            """);
        Assert.Equal("anchor((bytes32,uint64,(address,bytes)[]),bytes32[][2])", abi.Function("anchor").Signature);
        Assert.Equal("address", abi.Constructor.InputTypes[0].Name);
        Assert.Equal(2, abi.Event("Anchored").TopicCount);
        Assert.Throws<KeyNotFoundException>(() => abi.Function("missing"));
    }

    [Fact]
    public async Task A_thousand_random_types_and_values_encode_like_ethers_and_decode_back()
    {
        var random = new Random(NodeOracle.Seed(output));
        var cases = Enumerable.Range(0, 1000).Select(_ =>
        {
            var types = Enumerable.Range(0, random.Next(1, 4)).Select(_ => RandomType(random, 0)).ToList();
            return (Types: types, Values: types.Select(t => RandomValue(random, t)).ToList());
        }).ToList();

        var encodings = await NodeOracle.RunAsync("ethers-oracle.mjs", "abiEncode",
            cases.Select(c => new { types = c.Types.Select(t => t.Name).ToArray(), values = new JsonArray(c.Values.Select(ToJson).ToArray()) }));
        var ours = cases.Select(c => AbiCodec.Encode(c.Types, c.Values)).ToList();
        var decodings = await NodeOracle.RunAsync("ethers-oracle.mjs", "abiDecode",
            cases.Select((c, i) => new { types = c.Types.Select(t => t.Name).ToArray(), data = Hex.Encode(ours[i]) }));

        for (var i = 0; i < cases.Count; i++)
        {
            var label = string.Join(",", cases[i].Types.Select(t => t.Name));
            Assert.True(encodings[i]["encoded"]!.GetValue<string>() == Hex.Encode(ours[i]), $"case {i} ({label}): encodings differ");
            var decoded = AbiCodec.Decode(cases[i].Types, ours[i]);
            Assert.True(JsonNode.DeepEquals(new JsonArray(cases[i].Values.Select(ToJson).ToArray()), new JsonArray(decoded.Select(ToJson).ToArray())), $"case {i} ({label}): our round trip differs");
            Assert.True(JsonNode.DeepEquals(decodings[i]["values"], new JsonArray(decoded.Select(ToJson).ToArray())), $"case {i} ({label}): ethers decodes our bytes differently");
        }
    }

    [Fact]
    public void Corrupted_encodings_are_refused_or_decode_to_exactly_the_input()
    {
        // Strict canonical decoding: whatever is accepted must be the one encoding of what it decodes to.
        var random = new Random(NodeOracle.Seed(output));
        var refused = 0;
        const int cases = 5000;
        for (var n = 0; n < cases; n++)
        {
            var types = Enumerable.Range(0, random.Next(1, 4)).Select(_ => RandomType(random, 0)).ToList();
            var encoded = AbiCodec.Encode(types, types.Select(t => RandomValue(random, t)).ToList());
            var corrupted = Corrupt(random, encoded);
            object?[] decoded;
            try
            {
                decoded = AbiCodec.Decode(types, corrupted);
            }
            catch (AbiException)
            {
                refused++;
                continue;
            }

            var label = string.Join(",", types.Select(t => t.Name));
            Assert.True(AbiCodec.Encode(types, decoded).AsSpan().SequenceEqual(corrupted),
                $"case {n} ({label}): accepted non-canonical data\n{Hex.Encode(corrupted)}\nre-encodes as\n{Hex.Encode(AbiCodec.Encode(types, decoded))}");
        }

        output.WriteLine($"{refused} of {cases} corrupted encodings refused");
        Assert.InRange(refused, cases / 4, cases - cases / 20); // both outcomes occur: the test exercises each
    }

    /// <summary>One random corruption: a flipped bit, a replaced byte, or inserted or removed bytes (whole words or not).</summary>
    private static byte[] Corrupt(Random random, byte[] data)
    {
        var at = random.Next(data.Length + 1);
        switch (random.Next(5))
        {
            case 0 when at < data.Length:
                var flipped = (byte[])data.Clone();
                flipped[at] ^= (byte)(1 << random.Next(8));
                return flipped;
            case 1 when at < data.Length:
                var replaced = (byte[])data.Clone();
                replaced[at] = (byte)random.Next(256);
                return replaced;
            case 2:
                var inserted = new byte[random.Next(2) == 0 ? AbiType.WordSize : random.Next(1, 40)];
                if (random.Next(2) == 0) random.NextBytes(inserted);
                at = random.Next(2) == 0 ? at / AbiType.WordSize * AbiType.WordSize : at;
                return [.. data[..at], .. inserted, .. data[at..]];
            case 3 when at < data.Length:
                var removed = Math.Min(data.Length - at, random.Next(2) == 0 ? AbiType.WordSize : random.Next(1, 40));
                return [.. data[..at], .. data[(at + removed)..]];
            default:
                return [.. data, .. new byte[random.Next(1, 64)]];
        }
    }

    private static readonly string[] Letters = ["a", "Z", "0", " ", "é", "ß", "€", "日本", "🗳", "\"", "\\", "\n"];

    internal static AbiType RandomType(Random random, int depth)
    {
        var choice = depth >= 3 ? random.Next(8) : random.Next(11);
        return choice switch
        {
            0 => new AbiUInt(8 * random.Next(1, 33)),
            1 => new AbiInt(8 * random.Next(1, 33)),
            2 => AbiAddress.Instance,
            3 => AbiBool.Instance,
            4 => new AbiFixedBytes(random.Next(1, 33)),
            5 => AbiBytes.Instance,
            6 => AbiString.Instance,
            7 => new AbiUInt(256),
            8 => new AbiArray(RandomType(random, depth + 1)),
            9 => new AbiFixedArray(RandomType(random, depth + 1), random.Next(1, 4)),
            _ => new AbiTuple(Enumerable.Range(0, random.Next(1, 5)).Select(_ => RandomType(random, depth + 1)).ToList()),
        };
    }

    internal static object? RandomValue(Random random, AbiType type)
    {
        byte[] Bytes(int n)
        {
            var b = new byte[n];
            random.NextBytes(b);
            return b;
        }

        return type switch
        {
            AbiUInt u => new BigInteger(Bytes(random.Next(0, u.Bits / 8 + 1)), isUnsigned: true),
            AbiInt s => new BigInteger(Bytes(random.Next(0, s.Bits / 8 + 1)).Concat(new byte[1]).ToArray(), isUnsigned: true) % (BigInteger.One << (s.Bits - 1)) * (random.Next(2) == 0 ? 1 : -1),
            AbiAddress => new Address(Bytes(20)),
            AbiBool => random.Next(2) == 1,
            AbiFixedBytes f => Bytes(f.Length),
            AbiBytes => Bytes(random.Next(3) == 0 ? 0 : random.Next(1, 100)),
            AbiString => string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => Letters[random.Next(Letters.Length)])),
            AbiArray a => Enumerable.Range(0, random.Next(0, 4)).Select(_ => RandomValue(random, a.Element)).ToArray(),
            AbiFixedArray f => Enumerable.Range(0, f.Length).Select(_ => RandomValue(random, f.Element)).ToArray(),
            AbiTuple t => t.Components.Select(c => RandomValue(random, c)).ToArray(),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
    }

    internal static JsonNode? ToJson(object? value) => value switch
    {
        BigInteger b => JsonValue.Create(b.ToString(CultureInfo.InvariantCulture)),
        Address a => JsonValue.Create(a.ToChecksumString()),
        bool b => JsonValue.Create(b),
        byte[] b => JsonValue.Create(Hex.Encode(b)),
        string s => JsonValue.Create(s),
        object?[] items => new JsonArray(items.Select(ToJson).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value?.GetType().Name),
    };
}
