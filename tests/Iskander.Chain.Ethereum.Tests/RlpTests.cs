using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using Iskander.Chain.Ethereum.Rlp;
using Iskander.Chain.Testing;
using Xunit.Abstractions;
using static Iskander.Chain.Ethereum.Rlp.RlpItem;

namespace Iskander.Chain.Ethereum.Tests;

public sealed class RlpTests(ITestOutputHelper output)
{
    private static RlpString S(string text) => new(Encoding.ASCII.GetBytes(text));

    private static RlpString I(BigInteger value) => new(value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true));

    private static RlpList L(params RlpItem[] items) => new(items);

    public static TheoryData<RlpItem, string> Valid => new()
    {
        { S("dog"), "0x83646f67" },
        { I(0), "0x80" },
        { I(128), "0x8180" },
        { I(1000), "0x8203e8" },
        { L(S("dog"), S("god"), S("cat")), "0xcc83646f6783676f6483636174" },
        { L(S("zw"), L(I(4)), I(1)), "0xc6827a77c10401" },
        { L(L(L(), L()), L()), "0xc4c2c0c0c0" },
        { S("Lorem ipsum dolor sit amet, consectetur adipisicing elit"), "0xb8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c6974" },
        { I(BigInteger.Pow(2, 256)), "0xa1010000000000000000000000000000000000000000000000000000000000000000" },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Published_valid_cases_encode_and_decode_exactly(RlpItem item, string encoded)
    {
        Assert.Equal(encoded, Hex.Encode(item.Encode()));
        Assert.Equal(item, RlpItem.Decode(Hex.Decode(encoded)));
    }

    [Theory]
    [InlineData("bf0f000000000000021111", "int32Overflow")]
    [InlineData("ff0f000000000000021111", "int32Overflow2")]
    [InlineData("f80180", "wrongSizeList")]
    [InlineData("f80100", "wrongSizeList2")]
    [InlineData("b9002100dc2b275d0f74e8a53e6f4ec61b27f24278820be3f82ea2110e582081b0565df0", "incorrectLengthInArray")]
    [InlineData("8100", "bytesShouldBeSingleByte00")]
    [InlineData("8101", "bytesShouldBeSingleByte01")]
    [InlineData("817F", "bytesShouldBeSingleByte7F")]
    [InlineData("b90040", "leadingZerosInLongLengthArray1")]
    [InlineData("b800", "leadingZerosInLongLengthArray2")]
    [InlineData("fb00000040", "leadingZerosInLongLengthList1")]
    [InlineData("f800", "leadingZerosInLongLengthList2")]
    [InlineData("b81000112233445566778899aabbccddeeff", "nonOptimalLongLengthArray1")]
    [InlineData("b801ff", "nonOptimalLongLengthArray2")]
    [InlineData("f810000102030405060708090a0b0c0d0e0f", "nonOptimalLongLengthList1")]
    [InlineData("f803112233", "nonOptimalLongLengthList2")]
    [InlineData("83646f6700", "trailing byte")]
    [InlineData("", "empty input")]
    [InlineData("c483646f", "list shorter than declared")]
    [InlineData("bbffffffff", "4 GiB length on a 5-byte input")]
    public void Published_invalid_cases_are_rejected(string hex, string name)
    {
        var error = Assert.Throws<RlpException>(() => RlpItem.Decode(Hex.Decode(hex)));
        output.WriteLine($"{name}: {error.Message}");
    }

    [Fact]
    public void Integers_with_leading_zeros_are_rejected_where_integers_are_expected()
    {
        Assert.Throws<RlpException>(() => new RlpReader(Hex.Decode("0x820001")).ReadUInt64());
        Assert.Throws<RlpException>(() => new RlpReader(Hex.Decode("0x00")).ReadUInt64());
        Assert.Throws<RlpException>(() => new RlpReader(Hex.Decode("0x89010000000000000000")).ReadUInt64());
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_rejected_without_stack_overflow()
    {
        // 10,000 nested empty lists, built from the inside out.
        var bytes = new byte[] { 0xc0 };
        for (var i = 0; i < 10_000; i++)
        {
            var header = new byte[RlpLength.OfHeader(bytes.Length)];
            var writer = new RlpWriter(header);
            writer.WriteListHeader(bytes.Length);
            bytes = [.. header, .. bytes];
        }

        var error = Assert.Throws<RlpException>(() => RlpItem.Decode(bytes));
        Assert.Contains("nesting deeper", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Random_nested_structures_encode_like_ethers_and_decode_back()
    {
        var random = new Random(NodeOracle.Seed(output));
        var items = Enumerable.Range(0, 300).Select(_ => RandomItem(random, 0)).ToList();
        var results = await NodeOracle.RunAsync("ethers-oracle.mjs", "rlpEncode", items.Select(i => new { value = ToJson(i) }));
        for (var i = 0; i < items.Count; i++)
        {
            var ours = items[i].Encode();
            Assert.Equal(results[i]["encoded"]!.GetValue<string>(), Hex.Encode(ours));
            Assert.Equal(items[i], RlpItem.Decode(ours));
        }
    }

    [Fact]
    public async Task Inputs_ethers_rejects_are_rejected_here_too()
    {
        string[] invalid = ["0x8100", "0x817f", "0xb800", "0xf800", "0xb801ff", "0xc483646f", "0x83646f6700"];
        var results = await NodeOracle.RunAsync("ethers-oracle.mjs", "rlpDecode", invalid.Select(e => new { encoded = e }));
        for (var i = 0; i < invalid.Length; i++)
        {
            Assert.Throws<RlpException>(() => RlpItem.Decode(Hex.Decode(invalid[i])));
            output.WriteLine($"{invalid[i]}: ethers says {results[i]["error"]?.GetValue<string>() ?? "(accepted)"}");
        }
    }

    private static RlpItem RandomItem(Random random, int depth)
    {
        if (depth < 4 && random.Next(3) == 0)
        {
            return new RlpList(Enumerable.Range(0, random.Next(0, 6)).Select(_ => RandomItem(random, depth + 1)).ToList());
        }

        var length = random.Next(4) switch { 0 => 0, 1 => 1, 2 => random.Next(2, 56), _ => random.Next(56, 1200) };
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return new RlpString(bytes);
    }

    private static JsonNode ToJson(RlpItem item) => item switch
    {
        RlpString s => JsonValue.Create(Hex.Encode(s.Value)),
        RlpList l => new JsonArray(l.Items.Select(ToJson).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(item)),
    };
}
