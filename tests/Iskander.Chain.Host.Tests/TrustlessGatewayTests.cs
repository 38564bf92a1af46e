using System.Net;
using System.Security.Cryptography;
using System.Text;
using Iskander.Chain.Content;
using Iskander.Chain.Content.Car;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Host.Gateway;
using Iskander.Chain.Testing;
using Serilog;

namespace Iskander.Chain.Host.Tests;

/// <summary>The gateway served by the real host on loopback, checked over HTTP and by a real IPFS client.</summary>
public sealed class TrustlessGatewayTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new();
    private static readonly byte[] Record = Encoding.UTF8.GetBytes("{\"decision\":\"adopt the 2027 budget\",\"for\":12,\"against\":3}");
    private readonly TempDirectory _directory = new();
    private EmbeddedContentStore _store = null!;
    private BridgeWebHost _host = null!;
    private Cid _record = null!;

    public async Task InitializeAsync()
    {
        _store = new EmbeddedContentStore(_directory.Path);
        _record = (await _store.PutAsync(Record)).Root;
        _host = await StartAsync(_store);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _directory.Dispose();
    }

    private static Task<BridgeWebHost> StartAsync(IContentStore store) =>
        BridgeWebHost.StartAsync(new BridgeWebHostOptions { Listen = "http://127.0.0.1:0", ContentStore = store }, new LoggerConfiguration().CreateLogger());

    private Task<HttpResponseMessage> GetAsync(string path, string? accept = null, HttpMethod? method = null, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, new Uri(_host.Address, path));
        if (accept is not null) request.Headers.Accept.ParseAdd(accept);
        configure?.Invoke(request);
        return Http.SendAsync(request);
    }

    [Fact]
    public async Task A_raw_block_comes_with_its_media_type_a_strong_ETag_and_immutable_caching()
    {
        using var response = await GetAsync($"/ipfs/{_record}", TrustlessGateway.RawMediaType);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TrustlessGateway.RawMediaType, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"\"{_record}.raw\"", response.Headers.ETag!.ToString());
        Assert.False(response.Headers.ETag.IsWeak);
        Assert.Contains("immutable", response.Headers.CacheControl!.ToString());
        Assert.Equal(29030400, (int)response.Headers.CacheControl.MaxAge!.Value.TotalSeconds);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(Record, body);
        Assert.True(_record.Hash.Matches(body));

        using var byQuery = await GetAsync($"/ipfs/{_record}?format=raw");
        Assert.Equal(Record, await byQuery.Content.ReadAsByteArrayAsync());

        using var head = await GetAsync($"/ipfs/{_record}?format=raw", method: HttpMethod.Head);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(Record.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using var cached = await GetAsync($"/ipfs/{_record}?format=raw", configure: r => r.Headers.IfNoneMatch.ParseAdd($"\"{_record}.raw\""));
        Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
    }

    [Fact]
    public async Task A_CAR_holds_the_whole_DAG_in_depth_first_order_and_verifies()
    {
        var content = RandomNumberGenerator.GetBytes(700_000);
        var root = (await _store.PutAsync(content)).Root;
        using var response = await GetAsync($"/ipfs/{root}", TrustlessGateway.CarMediaType);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var contentType = response.Content.Headers.ContentType!;
        Assert.Equal(TrustlessGateway.CarMediaType, contentType.MediaType);
        Assert.Contains(contentType.Parameters, p => p.Name == "version" && p.Value == "1");
        Assert.Contains(contentType.Parameters, p => p.Name == "order" && p.Value == "dfs");

        var (roots, blocks) = CarReader.Read(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal([root], roots);
        Assert.Equal(root, blocks[0].Cid);
        Assert.Equal(content, blocks.Skip(1).SelectMany(b => b.Block).ToArray());
    }

    [Theory]
    [InlineData("/ipfs/not-a-cid?format=raw", HttpStatusCode.BadRequest)]
    [InlineData("/ipfs/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku?format=raw", HttpStatusCode.NotFound)]
    [InlineData("/ipfs/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku?format=car", HttpStatusCode.NotFound)]
    [InlineData("/ipfs/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku?format=tar", HttpStatusCode.BadRequest)]
    [InlineData("/ipfs/bafkqaaa?format=raw", HttpStatusCode.OK)] // the specification's probe: identity CID of nothing
    public async Task Status_codes_follow_the_specification(string path, HttpStatusCode expected)
    {
        using var response = await GetAsync(path);
        Assert.Equal(expected, response.StatusCode);
        if (expected != HttpStatusCode.OK) Assert.Null(response.Headers.CacheControl);
    }

    [Fact]
    public async Task Requests_the_gateway_cannot_answer_trustlessly_are_refused_with_reasons()
    {
        using var noFormat = await GetAsync($"/ipfs/{_record}");
        Assert.Equal(HttpStatusCode.BadRequest, noFormat.StatusCode);
        Assert.Contains("trustless", await noFormat.Content.ReadAsStringAsync());

        using var withPath = await GetAsync($"/ipfs/{_record}/inner/file?format=car");
        Assert.Equal(HttpStatusCode.BadRequest, withPath.StatusCode);

        using var onlyIfCached = await GetAsync("/ipfs/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku?format=raw",
            configure: r => r.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { OnlyIfCached = true });
        Assert.Equal(HttpStatusCode.PreconditionFailed, onlyIfCached.StatusCode);
    }

    [Fact]
    public async Task A_damaged_store_is_a_server_error_never_damaged_bytes()
    {
        TamperBlockFiles();
        using var response = await GetAsync($"/ipfs/{_record}?format=raw");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("reject", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Delegated_routing_names_this_gateway_only_for_content_it_holds()
    {
        using var present = await GetAsync($"/routing/v1/providers/{_record}");
        Assert.Equal(HttpStatusCode.OK, present.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await present.Content.ReadAsStringAsync());
        var provider = json.RootElement.GetProperty("Providers")[0];
        Assert.StartsWith("12D3KooW", provider.GetProperty("ID").GetString());
        Assert.Equal($"/ip4/127.0.0.1/tcp/{_host.Address.Port}/http", provider.GetProperty("Addrs")[0].GetString());
        Assert.Equal("transport-ipfs-gateway-http", provider.GetProperty("Protocols")[0].GetString());

        using var absent = await GetAsync("/routing/v1/providers/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
    }

    [Fact]
    public async Task Helia_verified_fetch_retrieves_and_verifies_a_decision_record_and_refuses_tampered_bytes()
    {
        await using var lying = await StartAsync(new LyingStore(_store));
        var results = await NodeOracle.RunOnNode22Async("verified-fetch-oracle.mjs", "fetch", [
            new { gateway = _host.Address.ToString().TrimEnd('/'), cid = _record.ToString(), timeoutMs = 10_000 },
            new { gateway = lying.Address.ToString().TrimEnd('/'), cid = _record.ToString(), timeoutMs = 4_000 },
        ]);

        Assert.True(results[0]["ok"]!.GetValue<bool>(), results[0].ToJsonString());
        Assert.Equal(Record, Convert.FromBase64String(results[0]["base64"]!.GetValue<string>()));
        Assert.False(results[1]["ok"]!.GetValue<bool>(), results[1].ToJsonString());

        TamperBlockFiles();
        var afterTamper = await NodeOracle.RunOnNode22Async("verified-fetch-oracle.mjs", "fetch", [
            new { gateway = _host.Address.ToString().TrimEnd('/'), cid = _record.ToString(), timeoutMs = 4_000 },
        ]);
        Assert.False(afterTamper[0]["ok"]!.GetValue<bool>(), afterTamper[0].ToJsonString());
    }

    [Fact]
    public void Peer_ids_and_multiaddresses_have_the_libp2p_forms()
    {
        var peer = DelegatedRouting.PeerIdFromSeed(new byte[32]);
        Assert.StartsWith("12D3KooW", peer);
        Assert.Equal(52, peer.Length);
        Assert.Equal("/ip6/::1/tcp/9000/http", DelegatedRouting.Multiaddress(new Uri("http://[::1]:9000")));
        Assert.Equal("/dns/gateway.coop.example/tcp/443/tls/http", DelegatedRouting.Multiaddress(new Uri("https://gateway.coop.example")));
    }

    private void TamperBlockFiles()
    {
        foreach (var file in Directory.GetFiles(_directory.Path, "*.data", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            bytes[bytes.Length / 2] ^= 0x01;
            File.WriteAllBytes(file, bytes);
        }
    }

    // A store (or a node in front of it) that serves altered bytes without noticing: only the client can catch it.
    private sealed class LyingStore(IContentStore inner) : IContentStore
    {
        public async ValueTask<byte[]?> GetBlockAsync(Cid cid, CancellationToken cancellationToken = default)
        {
            var block = await inner.GetBlockAsync(cid, cancellationToken);
            if (block is null) return null;
            block[block.Length / 2] ^= 0x01;
            return block;
        }

        public Task<ImportedFile> PutAsync(Stream content, CancellationToken cancellationToken = default) => inner.PutAsync(content, cancellationToken);
        public Task CopyToAsync(Cid root, Stream destination, CancellationToken cancellationToken = default) => inner.CopyToAsync(root, destination, cancellationToken);
        public Task<bool> HasAsync(Cid root, CancellationToken cancellationToken = default) => inner.HasAsync(root, cancellationToken);
        public Task PinAsync(Cid root, CancellationToken cancellationToken = default) => inner.PinAsync(root, cancellationToken);
        public Task UnpinAsync(Cid root, CancellationToken cancellationToken = default) => inner.UnpinAsync(root, cancellationToken);
        public Task ExportCarAsync(Cid root, Stream destination, CancellationToken cancellationToken = default) => inner.ExportCarAsync(root, destination, cancellationToken);
        public Task<IReadOnlyList<Cid>> ImportCarAsync(Stream car, CancellationToken cancellationToken = default) => inner.ImportCarAsync(car, cancellationToken);
    }

    [Fact]
    public async Task The_gateway_client_returns_verified_bytes_null_for_a_missing_block_and_refuses_other_bytes()
    {
        var client = new Content.Gateway.TrustlessGatewayClient(Http, _host.Address);
        Assert.Equal(Record, await client.GetRawBlockAsync(_record));
        Assert.Null(await client.GetRawBlockAsync(Cid.ForRawBlock("never stored"u8)));

        // A gateway that answers every request with the same bytes (a lying or broken one).
        using var liar = new LyingGateway();
        var lied = new Content.Gateway.TrustlessGatewayClient(Http, new Uri(liar.Url, "some/prefix"));
        var refused = await Assert.ThrowsAsync<ContentIntegrityException>(() => lied.GetRawBlockAsync(_record));
        Assert.Equal(_record, refused.Cid);
        Assert.Equal($"/some/prefix/ipfs/{_record}", liar.LastPath); // a base path is kept, with or without its slash
    }

    private sealed class LyingGateway : Testing.Emulators.LoopbackRpcServer
    {
        public string? LastPath { get; private set; }

        protected override Task HandleAsync(HttpListenerContext context, string body)
        {
            LastPath = context.Request.Url!.AbsolutePath;
            return ReplyAsync(context, "{\"decision\":\"something else\"}", contentType: TrustlessGateway.RawMediaType);
        }
    }
}
