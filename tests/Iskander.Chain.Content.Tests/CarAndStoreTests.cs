using System.Text;
using Iskander.Chain.Content.Car;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Testing;

namespace Iskander.Chain.Content.Tests;

public sealed class CarAndStoreTests
{
    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task Put_get_has_and_pins_round_trip_a_multi_block_file()
    {
        using var directory = new TempDirectory();
        var store = new EmbeddedContentStore(directory.Path);
        var content = RandomBytes(700_000, 1);
        var imported = await store.PutAsync(content);

        Assert.Equal(content, await store.GetAsync(imported.Root));
        Assert.True(await store.HasAsync(imported.Root));
        Assert.True(store.IsPinned(imported.Root));
        await store.UnpinAsync(imported.Root);
        Assert.False(store.IsPinned(imported.Root));
        Assert.Equal(imported.Root, (await store.PutAsync(content)).Root); // idempotent
        Assert.False(await store.HasAsync(Cid.ForRawBlock("never stored"u8)));
        await Assert.ThrowsAsync<ContentNotFoundException>(() => store.GetAsync(Cid.ForRawBlock("never stored"u8)));
    }

    [Fact]
    public async Task A_tampered_block_on_disk_is_detected_on_read()
    {
        using var directory = new TempDirectory();
        var store = new EmbeddedContentStore(directory.Path);
        var imported = await store.PutAsync(Encoding.UTF8.GetBytes("{\"decision\":\"adopt the budget\"}"));
        var file = Directory.GetFiles(directory.Combine("blocks"), "*.data", SearchOption.AllDirectories).Single();
        await File.WriteAllTextAsync(file, "{\"decision\":\"reject the budget\"}");

        var error = await Assert.ThrowsAsync<ContentIntegrityException>(() => store.GetAsync(imported.Root));
        Assert.Equal(imported.Root, error.Cid);
    }

    [Fact]
    public async Task Leftover_temporary_files_from_a_crashed_write_are_never_served()
    {
        using var directory = new TempDirectory();
        var blocks = new FileSystemBlockStore(directory.Path);
        var data = RandomBytes(5000, 2);
        var cid = Cid.ForRawBlock(data);
        await blocks.PutBlockAsync(cid, data, default);
        var final = Directory.GetFiles(directory.Path, "*.data", SearchOption.AllDirectories).Single();
        File.Delete(final);
        // What a process killed mid-write leaves behind: a partial temporary file next to the final name.
        await File.WriteAllBytesAsync($"{final}.{Guid.NewGuid():N}.tmp", data.AsSpan(0, 1000).ToArray());

        Assert.Null(await blocks.GetBlockAsync(cid));
        Assert.False(await blocks.HasBlockAsync(cid));
        await blocks.PutBlockAsync(cid, data, default);
        Assert.Equal(data, await blocks.GetBlockAsync(cid));
    }

    [Fact]
    public async Task A_block_that_does_not_match_its_CID_is_refused_on_put()
    {
        using var directory = new TempDirectory();
        var blocks = new FileSystemBlockStore(directory.Path);
        await Assert.ThrowsAsync<ArgumentException>(async () => await blocks.PutBlockAsync(Cid.ForRawBlock("a"u8), "b"u8.ToArray(), default));
    }

    [Fact]
    public async Task Our_CAR_is_read_by_ipld_car_with_every_block_valid_and_back_by_us()
    {
        using var directory = new TempDirectory();
        var store = new EmbeddedContentStore(directory.Combine("store"));
        var imported = await store.PutAsync(RandomBytes(1_000_000, 3));
        var carPath = directory.Combine("ours.car");
        await using (var car = File.Create(carPath))
        {
            await store.ExportCarAsync(imported.Root, car);
        }

        var result = (await NodeOracle.RunAsync("unixfs-oracle.mjs", "readCar", [new { path = carPath }]))[0];
        Assert.Null(result["error"]);
        Assert.Equal(imported.Root.ToString(), result["roots"]![0]!.GetValue<string>());
        Assert.Equal(imported.BlockCount, result["blocks"]!.AsArray().Count);
        Assert.All(result["blocks"]!.AsArray(), b => Assert.True(b!["valid"]!.GetValue<bool>()));

        var (roots, blocks) = CarReader.Read(await File.ReadAllBytesAsync(carPath));
        Assert.Equal(imported.Root, Assert.Single(roots));
        Assert.Equal(imported.BlockCount, blocks.Count);
    }

    [Fact]
    public async Task A_CAR_written_by_the_JavaScript_stack_is_read_here()
    {
        using var directory = new TempDirectory();
        var dataPath = directory.Combine("data");
        var carPath = directory.Combine("theirs.car");
        await File.WriteAllBytesAsync(dataPath, RandomBytes(600_000, 4));
        var imported = (await NodeOracle.RunAsync("unixfs-oracle.mjs", "importFile", [new { path = dataPath, cidVersion = 1, car = carPath }]))[0];

        var (roots, blocks) = CarReader.Read(await File.ReadAllBytesAsync(carPath));
        Assert.Equal(imported["cid"]!.GetValue<string>(), Assert.Single(roots).ToString());
        Assert.Equal(imported["blocks"]!.GetValue<int>(), blocks.Count);

        var store = new EmbeddedContentStore(directory.Combine("store"));
        foreach (var (cid, block) in blocks) await store.Blocks.PutBlockAsync(cid, block, default);
        Assert.Equal(await File.ReadAllBytesAsync(dataPath), await store.GetAsync(roots[0]));
    }

    [Fact]
    public async Task A_tampered_block_inside_a_CAR_is_rejected_here_and_by_ipld_car()
    {
        using var directory = new TempDirectory();
        var store = new EmbeddedContentStore(directory.Combine("store"));
        var imported = await store.PutAsync(Encoding.UTF8.GetBytes("decision record: the cooperative adopts the 2027 budget"));
        using var buffer = new MemoryStream();
        await store.ExportCarAsync(imported.Root, buffer);
        var car = buffer.ToArray();
        var offset = car.AsSpan().IndexOf("adopts"u8);
        car[offset] = (byte)'A';
        var carPath = directory.Combine("tampered.car");
        await File.WriteAllBytesAsync(carPath, car);

        var error = Assert.Throws<CarFormatException>(() => CarReader.Read(car));
        Assert.Contains("tampered", error.Message, StringComparison.Ordinal);
        var theirs = (await NodeOracle.RunAsync("unixfs-oracle.mjs", "readCar", [new { path = carPath }]))[0];
        Assert.True(theirs["error"] is not null || theirs["blocks"]!.AsArray().Any(b => !b!["valid"]!.GetValue<bool>()));
    }

    [Theory]
    [InlineData("0x")]
    [InlineData("0xff")]
    [InlineData("0x0aa16576657273696f6e02")]
    [InlineData("0x3aa265726f6f747381d82a58250001711220")]
    public void Malformed_CARs_are_rejected_clearly(string hex)
    {
        Assert.Throws<CarFormatException>(() => CarReader.Read(Convert.FromHexString(hex[2..])));
    }
}
