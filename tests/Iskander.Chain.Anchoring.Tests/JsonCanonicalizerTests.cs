using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Iskander.Chain.Anchoring.Records;
using Iskander.Chain.Testing;
using Xunit.Abstractions;

namespace Iskander.Chain.Anchoring.Tests;

public sealed class JsonCanonicalizerTests(ITestOutputHelper output)
{
    // RFC 8785 Appendix B: IEEE-754 bits → the canonical text.
    [Theory]
    [InlineData("0000000000000000", "0")]
    [InlineData("8000000000000000", "0")]
    [InlineData("0000000000000001", "5e-324")]
    [InlineData("8000000000000001", "-5e-324")]
    [InlineData("7fefffffffffffff", "1.7976931348623157e+308")]
    [InlineData("ffefffffffffffff", "-1.7976931348623157e+308")]
    [InlineData("4340000000000000", "9007199254740992")]
    [InlineData("c340000000000000", "-9007199254740992")]
    [InlineData("4430000000000000", "295147905179352830000")]
    [InlineData("44b52d02c7e14af5", "9.999999999999997e+22")]
    [InlineData("44b52d02c7e14af6", "1e+23")]
    [InlineData("44b52d02c7e14af7", "1.0000000000000001e+23")]
    [InlineData("444b1ae4d6e2ef4e", "999999999999999700000")]
    [InlineData("444b1ae4d6e2ef4f", "999999999999999900000")]
    [InlineData("444b1ae4d6e2ef50", "1e+21")]
    [InlineData("3eb0c6f7a0b5ed8c", "9.999999999999997e-7")]
    [InlineData("3eb0c6f7a0b5ed8d", "0.000001")]
    [InlineData("41b3de4355555553", "333333333.3333332")]
    [InlineData("41b3de4355555554", "333333333.33333325")]
    [InlineData("41b3de4355555555", "333333333.3333333")]
    [InlineData("41b3de4355555556", "333333333.3333334")]
    [InlineData("41b3de4355555557", "333333333.33333343")]
    [InlineData("becbf647612f3696", "-0.0000033333333333333333")]
    [InlineData("43143ff3c1cb0959", "1424953923781206.2")]
    public void Numbers_are_printed_as_the_RFC_says(string bits, string expected)
    {
        var value = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(Convert.FromHexString(bits)));
        Assert.Equal(expected, JsonCanonicalizer.FormatNumber(value));
    }

    [Fact]
    public void Members_sort_by_UTF16_code_units_and_strings_escape_minimally()
    {
        // RFC 8785 §3.2.3's sorting example.
        const string input = "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\",\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\",\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}";
        var expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";
        Assert.Equal(expected, Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(input)));

        // §3.2.2: literals, nesting, escapes; whitespace gone.
        Assert.Equal("{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}",
            Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize("{ \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\", \"literals\": [null, true, false] }")));
    }

    [Theory]
    [InlineData("{\"a\":1,\"a\":2}")]
    [InlineData("[9007199254740993]")]
    [InlineData("[\"\\ud800\"]")]
    public void Input_that_is_not_I_JSON_is_refused(string json)
    {
        Assert.ThrowsAny<JsonException>(() => JsonCanonicalizer.Canonicalize(json));
    }

    [Fact]
    public async Task Random_numbers_and_documents_equal_the_canonicalize_package()
    {
        var random = new Random(NodeOracle.Seed(output));
        var bits = Enumerable.Range(0, 2000).Select(i =>
        {
            var raw = new byte[8];
            random.NextBytes(raw);
            if (i % 4 == 0) raw[0] = (byte)(0x40 + random.Next(8)); // plenty of ordinary magnitudes
            return raw;
        }).Where(raw => double.IsFinite(BinaryPrimitives.ReadDoubleBigEndian(raw))).ToList();
        var printed = await NodeOracle.RunAsync("jcs-oracle.mjs", "number", bits.Select(b => new { bits = Convert.ToHexStringLower(b) }));
        for (var i = 0; i < bits.Count; i++) Assert.Equal(printed[i].GetValue<string>(), JsonCanonicalizer.FormatNumber(BinaryPrimitives.ReadDoubleBigEndian(bits[i])));

        var documents = Enumerable.Range(0, 300).Select(_ => RandomDocument(random, 0)?.ToJsonString() ?? "null").ToList();
        var canonical = await NodeOracle.RunAsync("jcs-oracle.mjs", "canonicalize", documents.Select(d => new { json = d }));
        for (var i = 0; i < documents.Count; i++) Assert.Equal(canonical[i].GetValue<string>(), Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(documents[i])));
    }

    private static JsonNode? RandomDocument(Random random, int depth)
    {
        string RandomString() => new(Enumerable.Range(0, random.Next(0, 6)).Select(_ => "aZ1 \"\\\n\t\u0001\u00e9\u20ac\u2028\ud83d\ude00"[random.Next(0, 14)]).Where(c => !char.IsSurrogate(c)).ToArray());
        switch (depth > 3 ? random.Next(0, 4) : random.Next(0, 6))
        {
            case 0: return JsonValue.Create(RandomString());
            case 1: return JsonValue.Create(random.Next(-1000000, 1000000) / (random.Next(2) == 0 ? 1.0 : 1000.0));
            case 2: return random.Next(3) switch { 0 => JsonValue.Create(true), 1 => JsonValue.Create(false), _ => null };
            case 3: return JsonValue.Create(random.NextInt64(-9007199254740991, 9007199254740991));
            case 4:
                var array = new JsonArray();
                for (var i = random.Next(0, 4); i > 0; i--) array.Add(RandomDocument(random, depth + 1));
                return array;
            default:
                var obj = new JsonObject();
                for (var i = random.Next(0, 5); i > 0; i--) obj[RandomString() + i] = RandomDocument(random, depth + 1);
                return obj;
        }
    }
}
