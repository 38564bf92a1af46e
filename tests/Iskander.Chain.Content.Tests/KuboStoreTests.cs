using System.Net;
using Iskander.Chain.Content.Kubo;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Testing;
using Iskander.Chain.Testing.Emulators;

namespace Iskander.Chain.Content.Tests;

/// <summary>The Kubo-backed store and RPC client against the Kubo emulator (real HTTP on loopback).</summary>
public sealed class KuboStoreTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new();
    private KuboEmulator _kubo = null!;
    private KuboRpcClient _client = null!;
    private KuboContentStore _store = null!;

    public async Task InitializeAsync()
    {
        _kubo = await KuboEmulator.StartAsync();
        _client = new KuboRpcClient(Http, _kubo.Endpoint, new KuboRpcOptions { Timeout = TimeSpan.FromSeconds(3) });
        _store = new KuboContentStore(_client);
    }

    public async Task DisposeAsync() => await _kubo.DisposeAsync();

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task Put_sends_Kubos_CIDv1_parameters_and_the_returned_CID_equals_ours()
    {
        var content = RandomBytes(1_048_583, 11); // 1 MiB + 7: five raw leaves under one node
        var imported = await _store.PutAsync(content);

        using var local = new TempDirectory();
        Assert.Equal((await new EmbeddedContentStore(local.Path).PutAsync(content)).Root, imported.Root);
        var add = Assert.Single(_kubo.Requests, r => r.StartsWith("POST /api/v0/add?", StringComparison.Ordinal));
        Assert.Contains("cid-version=1", add);
        Assert.Contains("raw-leaves=true", add);
        Assert.Contains("pin=true", add);
        Assert.True(_kubo.Pins.ContainsKey(imported.Root.ToString()));
        Assert.Equal(content, await _store.GetAsync(imported.Root));
        Assert.True(await _store.HasAsync(imported.Root));
    }

    [Fact]
    public async Task A_stream_that_cannot_rewind_is_spooled_and_stored_under_the_same_CID()
    {
        var content = RandomBytes(300_000, 12);
        var imported = await _store.PutAsync(new ForwardOnlyStream(content));
        using var local = new TempDirectory();
        Assert.Equal((await new EmbeddedContentStore(local.Path).PutAsync(content)).Root, imported.Root);
        Assert.Equal(content, await _store.GetAsync(imported.Root));
    }

    [Fact]
    public async Task A_node_that_stores_under_another_CID_fails_the_put_loudly_and_keeps_no_pin()
    {
        _kubo.Inject("add", KuboFault.WrongCid);
        var content = RandomBytes(1000, 13);
        var error = await Assert.ThrowsAsync<KuboCidMismatchException>(() => _store.PutAsync(content));
        Assert.Equal(Cid.ForRawBlock(content), error.Expected);
        Assert.StartsWith("Qm", error.Returned);
        Assert.Empty(_kubo.Pins);
    }

    [Fact]
    public async Task Kubos_error_object_surfaces_with_its_message_and_code()
    {
        _kubo.Inject("add", KuboFault.ServerError);
        var error = await Assert.ThrowsAsync<KuboRpcException>(() => _store.PutAsync("x"u8.ToArray()));
        Assert.Equal(HttpStatusCode.InternalServerError, error.Status);
        Assert.Equal(0, error.Code);
        Assert.Contains("repo lock held", error.Message);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task An_error_line_inside_the_add_stream_fails_the_put()
    {
        _kubo.Inject("add", KuboFault.ErrorInStream);
        var error = await Assert.ThrowsAsync<KuboRpcException>(() => _store.PutAsync(RandomBytes(10, 14)));
        Assert.Contains("disk full", error.Message);
    }

    [Fact]
    public async Task Transient_failures_are_retried_on_reads_but_an_upload_is_not_replayed()
    {
        _kubo.Inject("version", KuboFault.Unavailable, times: 2);
        Assert.Equal("0.32.1", (await _client.VersionAsync()).Version);

        _kubo.Inject("add", KuboFault.Unavailable);
        var error = await Assert.ThrowsAsync<KuboRpcException>(() => _store.PutAsync(RandomBytes(10, 15)));
        Assert.True(error.IsTransient);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Status);
        Assert.Single(_kubo.Requests, r => r.StartsWith("POST /api/v0/add", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(KuboFault.Forbidden, "403 - Forbidden")]
    [InlineData(KuboFault.NotJson, "not JSON")]
    [InlineData(KuboFault.Oversized, "limit")]
    [InlineData(KuboFault.Hang, "timed out")]
    public async Task Hostile_or_broken_answers_become_clear_errors(KuboFault fault, string expected)
    {
        _kubo.Inject("version", fault);
        var client = new KuboRpcClient(Http, _kubo.Endpoint, new KuboRpcOptions { Timeout = TimeSpan.FromSeconds(1), Attempts = 1 });
        var error = await Assert.ThrowsAsync<KuboRpcException>(() => client.VersionAsync());
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task A_tampered_block_from_the_node_is_caught_before_any_byte_is_written()
    {
        var imported = await _store.PutAsync(RandomBytes(600_000, 16));
        _kubo.Inject("block/get", KuboFault.TamperedBlock);
        using var destination = new MemoryStream();
        await Assert.ThrowsAsync<ContentIntegrityException>(() => _store.CopyToAsync(imported.Root, destination));
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public async Task Missing_blocks_read_as_absent()
    {
        var imported = await _store.PutAsync(RandomBytes(600_000, 17));
        var leaf = _kubo.Blocks.Keys.First(key => key != imported.Root.ToString());
        _kubo.Blocks.TryRemove(leaf, out _);

        Assert.False(await _store.HasAsync(imported.Root));
        var error = await Assert.ThrowsAsync<ContentNotFoundException>(() => _store.GetAsync(imported.Root));
        Assert.Equal(leaf, error.Cid.ToString());
        Assert.Null(await _store.GetBlockAsync(Cid.Parse(leaf)));
    }

    [Fact]
    public async Task Pins_cat_and_a_CAR_round_trip_between_the_embedded_store_and_the_node()
    {
        using var directory = new TempDirectory();
        var embedded = new EmbeddedContentStore(directory.Path);
        var content = RandomBytes(900_000, 18);
        var imported = await embedded.PutAsync(content);
        using var car = new MemoryStream();
        await embedded.ExportCarAsync(imported.Root, car);
        car.Position = 0;

        Assert.Equal([imported.Root], await _store.ImportCarAsync(car));
        Assert.True(_kubo.Pins.ContainsKey(imported.Root.ToString()));
        using var cat = new MemoryStream();
        await _client.CatAsync(imported.Root, cat);
        Assert.Equal(content, cat.ToArray());

        await _store.UnpinAsync(imported.Root);
        Assert.False(_kubo.Pins.ContainsKey(imported.Root.ToString()));
        await _store.UnpinAsync(imported.Root); // not pinned any more: not an error
        await _store.PinAsync(imported.Root);
        Assert.True(_kubo.Pins.ContainsKey(imported.Root.ToString()));

        using var back = new MemoryStream();
        await _store.ExportCarAsync(imported.Root, back);
        back.Position = 0;
        using var again = new TempDirectory();
        var roots = await new EmbeddedContentStore(again.Path).ImportCarAsync(back);
        Assert.Equal([imported.Root], roots);
    }

    [Fact]
    public async Task An_unreachable_node_is_a_transient_error()
    {
        var endpoint = _kubo.Endpoint;
        await _kubo.DisposeAsync();
        var client = new KuboRpcClient(Http, endpoint, new KuboRpcOptions { Attempts = 1 });
        var error = await Assert.ThrowsAsync<KuboRpcException>(() => client.VersionAsync());
        Assert.True(error.IsTransient);
        Assert.Contains("unreachable", error.Message);
        _kubo = await KuboEmulator.StartAsync();
    }

    private sealed class ForwardOnlyStream(byte[] content) : Stream
    {
        private readonly MemoryStream _inner = new(content);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
