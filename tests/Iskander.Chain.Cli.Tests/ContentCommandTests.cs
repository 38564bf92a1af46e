using Iskander.Chain.Content;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Testing;

namespace Iskander.Chain.Cli.Tests;

public sealed class ContentCommandTests
{
    [Fact]
    public async Task Put_get_export_and_import_round_trip_through_the_command_line()
    {
        using var data = new TempDirectory();
        var file = data.Combine("record.json");
        await File.WriteAllTextAsync(file, "{\"decision\":\"adopt the 2027 budget\"}");
        var (putExit, putOutput) = await CliProcess.RunAsync(["content", "put", file, "--data-dir", data.Path]);
        Assert.Equal(0, putExit);
        var cid = putOutput.Trim();
        Assert.Equal(Cid.ForRawBlock(await File.ReadAllBytesAsync(file)).ToString(), cid);

        Assert.Equal(0, (await CliProcess.RunAsync(["content", "get", cid, "-o", data.Combine("back.json"), "--data-dir", data.Path])).ExitCode);
        Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(data.Combine("back.json")));
        Assert.Equal(0, (await CliProcess.RunAsync(["content", "export", cid, data.Combine("record.car"), "--data-dir", data.Path])).ExitCode);

        using var other = new TempDirectory();
        var (importExit, importOutput) = await CliProcess.RunAsync(["content", "import", data.Combine("record.car"), "--data-dir", other.Path]);
        Assert.Equal(0, importExit);
        Assert.Equal(cid, importOutput.Trim());

        var (missingExit, missingOutput) = await CliProcess.RunAsync(["content", "get", "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", "--data-dir", data.Path]);
        Assert.Equal(1, missingExit);
        Assert.Contains("is not in the content store", missingOutput, StringComparison.Ordinal);
        Assert.Equal(2, (await CliProcess.RunAsync(["content", "get", "not-a-cid", "--data-dir", data.Path])).ExitCode);
    }

    [Fact]
    public async Task A_put_killed_mid_write_leaves_no_partial_block_and_a_rerun_completes()
    {
        using var data = new TempDirectory();
        var file = data.Combine("large.bin");
        // Large enough (1,024 blocks) that a fast disk cannot finish it between two looks at the folder.
        var content = new byte[256 << 20];
        new Random(7).NextBytes(content);
        await File.WriteAllBytesAsync(file, content);
        var blocks = Path.Combine(data.Path, "content", "blocks");

        using (var put = CliProcess.Start(["content", "put", file, "--data-dir", data.Path]))
        {
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (BlockFiles(blocks).Length < 20 && DateTime.UtcNow < deadline && !put.HasExited) await Task.Delay(1);
            Assert.False(put.HasExited, "the put finished before it could be killed; the test needs a larger file:\n" + put.Output);
            await put.KillAsync();
        }

        var written = BlockFiles(blocks);
        Assert.InRange(written.Length, 20, 1023); // some blocks, not the whole file
        var store = new FileSystemBlockStore(blocks);
        foreach (var path in written)
        {
            // The file name is the block's multihash; every block that exists under its name is whole.
            var multihash = Multihash.Read(Multibase.DecodeBase32(Path.GetFileNameWithoutExtension(path).ToLowerInvariant()), out _);
            Assert.NotNull(await store.GetBlockAsync(Cid.V1(Multicodec.Raw, multihash)));
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(data.Path, "content", "pins")));

        var (exit, output) = await CliProcess.RunAsync(["content", "put", file, "--data-dir", data.Path], timeout: TimeSpan.FromMinutes(3));
        Assert.Equal(0, exit);
        var expected = (await UnixFsImporter.ImportAsync(content, DiscardingBlockSink.Instance)).Root;
        Assert.Equal(expected.ToString(), output.Trim());
        Assert.True(await new EmbeddedContentStore(Path.Combine(data.Path, "content")).HasAsync(expected));
    }

    private static string[] BlockFiles(string directory) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory, "*.data", SearchOption.AllDirectories) : [];
}
