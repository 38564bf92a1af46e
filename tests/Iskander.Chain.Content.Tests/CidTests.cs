using System.Text;
using Iskander.Chain.Testing;
using Xunit.Abstractions;

namespace Iskander.Chain.Content.Tests;

public sealed class CidTests(ITestOutputHelper output)
{
    private sealed class NullSink : IBlockSink
    {
        public ValueTask PutBlockAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData("hello world\n", 0, "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o")]
    [InlineData("hello world\n", 1, "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4")]
    [InlineData("", 0, "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH")]
    [InlineData("", 1, "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")]
    public async Task Known_files_get_the_CIDs_Kubo_gives_them(string text, int version, string expected)
    {
        var options = version == 0 ? UnixFsImportOptions.KuboV0 : UnixFsImportOptions.KuboV1;
        var imported = await UnixFsImporter.ImportAsync(Encoding.UTF8.GetBytes(text), new NullSink(), options);
        Assert.Equal(expected, imported.Root.ToString());
        Assert.Equal(imported.Root, Cid.Parse(expected));
    }

    [Fact]
    public void Versions_convert_and_multibases_round_trip()
    {
        var v0 = Cid.Parse("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
        var v1 = v0.ToV1();
        Assert.Equal(1, v1.Version);
        Assert.Equal(Multicodec.DagPb, v1.Codec);
        Assert.StartsWith("bafybei", v1.ToString(), StringComparison.Ordinal);
        Assert.Equal(v0, v1.ToV0());
        Assert.Equal(v1, Cid.Parse("z" + Multibase.EncodeBase58(v1.Bytes)));
        Assert.Equal(v1, Cid.FromBytes(v1.Bytes));
        Assert.Throws<FormatException>(() => Cid.ForRawBlock("x"u8).ToV0());
    }

    [Theory]
    [InlineData("")]
    [InlineData("Qm")]
    [InlineData("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5O")] // bad checksum char set: 'O' is not base58
    [InlineData("BAFKREIFJJCIE6LYPI6NY7AMXNFFTAGCLBUXNDQONFIPMB64F2KM2DEVEI4")] // upper-case base32 prefix
    [InlineData("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei")] // truncated
    [InlineData("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4aa")] // trailing bytes
    [InlineData("uAXASIA")] // unsupported multibase
    [InlineData("bahaaaaa")] // CID version 0 behind a multibase / garbage
    [InlineData("zQmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o")]
    public void Malformed_CIDs_are_rejected(string text)
    {
        Assert.False(Cid.TryParse(text, out _));
        Assert.Throws<FormatException>(() => Cid.Parse(text));
    }

    [Fact]
    public async Task Random_CIDs_print_and_convert_like_multiformats()
    {
        var random = new Random(NodeOracle.Seed(output));
        var cids = Enumerable.Range(0, 200).Select(_ =>
        {
            var data = new byte[random.Next(0, 64)];
            random.NextBytes(data);
            var hash = Multihash.Sha256(data);
            return random.Next(3) switch { 0 => Cid.V0(hash), 1 => Cid.V1(Multicodec.DagPb, hash), _ => Cid.V1(Multicodec.Raw, hash) };
        }).ToList();
        var results = await NodeOracle.RunAsync("unixfs-oracle.mjs", "parseCid", cids.Select(c => new { text = c.ToString() }));
        for (var i = 0; i < cids.Count; i++)
        {
            Assert.Equal(results[i]["v1"]!.GetValue<string>(), cids[i].ToV1().ToString());
            Assert.Equal((long)cids[i].Codec, results[i]["code"]!.GetValue<long>());
        }
    }

    [Fact]
    public void Varints_reject_non_minimal_and_truncated_encodings()
    {
        Assert.Equal(300UL, Varint.Read([0xac, 0x02], out var length));
        Assert.Equal(2, length);
        Assert.Throws<FormatException>(() => Varint.Read([0x80, 0x00], out _));
        Assert.Throws<FormatException>(() => Varint.Read([0x80], out _));
        Assert.Throws<FormatException>(() => Varint.Read(Enumerable.Repeat((byte)0xff, 10).ToArray(), out _));
    }
}
