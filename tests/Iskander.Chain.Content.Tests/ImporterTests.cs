using Iskander.Chain.Testing;
using Xunit.Abstractions;

namespace Iskander.Chain.Content.Tests;

/// <summary>Our UnixFS importer against ipfs-unixfs-importer with Kubo's parameters.</summary>
public sealed class ImporterTests(ITestOutputHelper output)
{
    private sealed class CountingSink : IBlockSink
    {
        public int Blocks { get; private set; }

        public ValueTask PutBlockAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
        {
            Assert.True(cid.Hash.Matches(block.Span), $"block {cid} does not match its bytes");
            Blocks++;
            return ValueTask.CompletedTask;
        }
    }

    private const int Chunk = 262_144;

    [Fact]
    public async Task Files_of_every_boundary_size_get_the_same_CIDs_as_the_reference_importer()
    {
        using var directory = new TempDirectory();
        var random = new Random(NodeOracle.Seed(output));
        long[] sizes = [0, 1, Chunk - 1, Chunk, Chunk + 1, 1024 * 1024 + 7, 10 * 1024 * 1024, 175L * Chunk + 3];
        var files = new List<(string Path, long Size)>();
        foreach (var size in sizes)
        {
            var path = directory.Combine($"file-{size}");
            await using (var file = File.Create(path))
            {
                var buffer = new byte[1 << 20];
                for (var written = 0L; written < size; written += buffer.Length)
                {
                    random.NextBytes(buffer);
                    await file.WriteAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - written)));
                }
            }

            files.Add((path, size));
        }

        var cases = files.SelectMany(f => new[] { (f.Path, f.Size, Version: 0), (f.Path, f.Size, Version: 1) }).ToList();
        var expected = await NodeOracle.RunAsync("unixfs-oracle.mjs", "importFile", cases.Select(c => new { path = c.Path, cidVersion = c.Version }));
        for (var i = 0; i < cases.Count; i++)
        {
            await using var stream = File.OpenRead(cases[i].Path);
            var sink = new CountingSink();
            var imported = await UnixFsImporter.ImportAsync(stream, sink, cases[i].Version == 0 ? UnixFsImportOptions.KuboV0 : UnixFsImportOptions.KuboV1);
            Assert.True(expected[i]["cid"]!.GetValue<string>() == imported.Root.ToString(), $"size {cases[i].Size}, CIDv{cases[i].Version}: expected {expected[i]["cid"]}, got {imported.Root}");
            Assert.Equal(expected[i]["blocks"]!.GetValue<int>(), sink.Blocks);
            Assert.Equal((ulong)cases[i].Size, imported.FileSize);
        }
    }

    [Theory]
    [InlineData(1024, 4, 100_000)]
    [InlineData(1000, 3, 27_001)]
    [InlineData(4096, 2, 4096 * 9)]
    public async Task Deep_balanced_trees_match_the_reference_layout(int chunkSize, int fanOut, int size)
    {
        using var directory = new TempDirectory();
        var data = new byte[size];
        new Random(size).NextBytes(data);
        var path = directory.Combine("data");
        await File.WriteAllBytesAsync(path, data);
        var expected = await NodeOracle.RunAsync("unixfs-oracle.mjs", "importFile",
            [new { path, cidVersion = 1, chunkSize, maxChildrenPerNode = fanOut }, new { path, cidVersion = 0, chunkSize, maxChildrenPerNode = fanOut }]);
        var v1 = await UnixFsImporter.ImportAsync(data, new CountingSink(), UnixFsImportOptions.KuboV1 with { ChunkSize = chunkSize, MaxLinksPerNode = fanOut });
        var v0 = await UnixFsImporter.ImportAsync(data, new CountingSink(), UnixFsImportOptions.KuboV0 with { ChunkSize = chunkSize, MaxLinksPerNode = fanOut });
        Assert.Equal(expected[0]["cid"]!.GetValue<string>(), v1.Root.ToString());
        Assert.Equal(expected[1]["cid"]!.GetValue<string>(), v0.Root.ToString());
    }
}
