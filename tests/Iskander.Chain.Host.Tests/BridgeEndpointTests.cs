using System.Net;
using System.Text;
using System.Text.Json;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Host.Api;
using Iskander.Chain.Loomio;
using Iskander.Chain.Loomio.Emulator;
using Iskander.Chain.Testing;
using Iskander.Chain.Contracts;
using Iskander.Chain.DevServices;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Serilog;

namespace Iskander.Chain.Host.Tests;

/// <summary>The webhook hint endpoint and the decisions API on the real host, over a real PostgreSQL database.</summary>
public sealed class BridgeEndpointTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Token = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Hints_need_the_token_stay_small_are_kept_raw_and_make_the_service_reconcile()
    {
        await using var database = new BridgeDatabase(await postgres.CreateDatabaseAsync());
        await database.MigrateAsync();
        await using var loomio = await LoomioEmulator.StartAsync();
        var group = loomio.AddGroup("Members");
        var key = loomio.AddPoll(group, "Adopt the budget?");
        loomio.Close(key);
        var log = new LoggerConfiguration().CreateLogger();
        var client = new LoomioClient(Http, new LoomioClientOptions { BaseUrl = loomio.BaseUrl, ApiKey = loomio.ApiKey });
        var ingestor = new DecisionIngestor(database, client, loomio.BaseUrl, log);
        // A service with a schedule far away: only the hint can make it reconcile.
        using var directory = new TempDirectory();
        var (node, pipeline, manifestPath) = await PipelineAsync(database, directory.Combine("content"), log);
        var anchorAddress = Contracts.DeploymentManifest.Load(manifestPath)["DecisionAnchor"].Address;
        await using var nodeLifetime = node;
        using var manifestCleanup = new FileDeletion(manifestPath);
        var service = new BridgeService(ingestor, client, pipeline, new BridgeServiceOptions { Groups = [group], HintDebounce = TimeSpan.Zero, ReconcileInterval = TimeSpan.FromDays(1) }, log);
        await using var host = await BridgeWebHost.StartAsync(new BridgeWebHostOptions
        {
            Listen = "http://127.0.0.1:0", ContentStore = new EmbeddedContentStore(directory.Path), Bridge = new BridgeEndpointsOptions(database, service, Token, 31337, anchorAddress),
        }, log);
        using var cancel = new CancellationTokenSource();
        var loop = service.RunAsync(cancel.Token);

        Task<HttpResponseMessage> PostAsync(string path, string body) => Http.PostAsync(new Uri(host.Address, path), new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync($"/hooks/loomio/{group}/wrong-token", "{}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync($"/hooks/loomio/not-a-group/{Token}", "{}")).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await PostAsync($"/hooks/loomio/{group}/{Token}", new string('x', BridgeEndpoints.MaxHookBodyBytes + 1))).StatusCode);
        Assert.Equal(0, await HintLog.CountAsync(database, group, default));
        // A group the bridge does not follow (another group, a negative id) is neither stored nor reconciled.
        foreach (var other in new[] { group + 1_000, -group })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await PostAsync($"/hooks/loomio/{other}/{Token}", "{}")).StatusCode);
            Assert.Equal(0, await HintLog.CountAsync(database, other, default));
        }

        // The start-up reconcile recorded the closed poll; a later change arrives with a hint (twice: duplicates are harmless).
        await WaitForAsync(async () => (await DecisionQueriesCountAsync(database)) == 1);
        loomio.SetOutcome(key, "<p>Adopted.</p>");
        const string body = "{\"text\":\"Ada Lovelace shared a proposal outcome: [Adopt the budget?](https://loomio.example.org/p/x)\",\"username\":\"Loomio\"}";
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync($"/hooks/loomio/{group}/{Token}", body)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync($"/hooks/loomio/{group}/{Token}", body)).StatusCode);
        await WaitForAsync(async () => (await DecisionQueries.StatusCountsAsync(database)).GetValueOrDefault("stored") == 2);
        Assert.Equal(2, await HintLog.CountAsync(database, group, default));

        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(new Uri(host.Address, "/readyz"))).StatusCode);
        var metrics = await Http.GetStringAsync(new Uri(host.Address, "/metrics"));
        Assert.Contains("iskander_decision_versions{status=\"stored\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("iskander_bridge_failing 0", metrics, StringComparison.Ordinal);
        using var list = JsonDocument.Parse(await Http.GetStringAsync(new Uri(host.Address, "/api/decisions")));
        Assert.Equal(0, list.RootElement.GetProperty("total").GetInt32()); // stored, not yet batched: the API lists anchored versions
        // A page at or past the end is empty, not an error (it once answered 500: a second query on the connection while the first reader was open).
        foreach (var offset in new[] { 0, 1, 50 })
        {
            using var response = await Http.GetAsync(new Uri(host.Address, $"/api/decisions?offset={offset}&limit=5"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(0, page.RootElement.GetProperty("total").GetInt32());
            Assert.Equal(0, page.RootElement.GetProperty("decisions").GetArrayLength());
        }

        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(new Uri(host.Address, $"/api/decisions/{key}"))).StatusCode);

        // A flood with the group's token is refused beyond the per-group rate (and tells when to come back); posts without the
        // token never use up the group's allowance. Three times the limit within a minute overflows one window, however they straddle.
        for (var i = 0; i < 100; i++) Assert.Equal(HttpStatusCode.NotFound, (await PostAsync($"/hooks/loomio/{group}/wrong-token", "{}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync($"/hooks/loomio/{group}/{Token}", "{}")).StatusCode);
        var refused = new List<HttpResponseMessage>();
        for (var i = 0; i < 3 * BridgeEndpoints.HookPostsPerGroupPerMinute; i++)
        {
            var response = await PostAsync($"/hooks/loomio/{group}/{Token}", "{}");
            if (response.StatusCode == HttpStatusCode.TooManyRequests) refused.Add(response);
            else Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        Assert.True(refused.Count >= BridgeEndpoints.HookPostsPerGroupPerMinute / 2, $"{refused.Count} refused");
        Assert.All(refused, r => Assert.Equal("60", r.Headers.GetValues("Retry-After").Single()));
        Assert.True(await HintLog.CountAsync(database, group, default) <= HintLog.KeptPerGroup);
        await cancel.CancelAsync();
        await loop;
    }

    // The real pipeline on a real chain, with batches that never close: this test is about ingestion.
    [Fact]
    public async Task Requests_that_need_a_database_that_does_not_answer_get_503_with_a_reason()
    {
        // Nothing listens on the port: every connection is refused, as while PostgreSQL restarts.
        await using var database = new BridgeDatabase($"Host=127.0.0.1;Port={LoopbackPort.Free()};Username=iskander;Password=unused;Database=iskander;Timeout=5");
        await using var loomio = await LoomioEmulator.StartAsync();
        var group = loomio.AddGroup("Members");
        var logged = new LogLines();
        var log = new LoggerConfiguration().WriteTo.Sink(logged).CreateLogger();
        var client = new LoomioClient(Http, new LoomioClientOptions { BaseUrl = loomio.BaseUrl, ApiKey = loomio.ApiKey });
        using var directory = new TempDirectory();
        var (node, pipeline, manifestPath) = await PipelineAsync(database, directory.Combine("content"), log);
        await using var nodeLifetime = node;
        using var manifestCleanup = new FileDeletion(manifestPath);
        var service = new BridgeService(new DecisionIngestor(database, client, loomio.BaseUrl, log), client, pipeline, new BridgeServiceOptions { Groups = [group] }, log);
        await using var host = await BridgeWebHost.StartAsync(new BridgeWebHostOptions
        {
            Listen = "http://127.0.0.1:0", ContentStore = new EmbeddedContentStore(directory.Path),
            Bridge = new BridgeEndpointsOptions(database, service, Token, 31337, Contracts.DeploymentManifest.Load(manifestPath)["DecisionAnchor"].Address),
        }, log);

        using var hint = await Http.PostAsync(new Uri(host.Address, $"/hooks/loomio/{group}/{Token}"), new StringContent("{}", Encoding.UTF8, "application/json"));
        using var decisions = await Http.GetAsync(new Uri(host.Address, "/api/decisions"));
        foreach (var response in new[] { hint, decisions })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Contains("database is unavailable", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Logged by route: the webhook's path holds its token.
        Assert.Contains(logged.Lines, line => line.Contains("/hooks/loomio/{group}/{token}", StringComparison.Ordinal) && line.Contains("the database is unavailable", StringComparison.Ordinal));
        Assert.DoesNotContain(logged.Lines, line => line.Contains(Token, StringComparison.Ordinal));
    }

    private sealed class LogLines : Serilog.Core.ILogEventSink
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => [.. _lines];

        public void Emit(Serilog.Events.LogEvent logEvent) => _lines.Enqueue(logEvent.RenderMessage());
    }

    private static async Task<(AnvilNode Node, AnchoringPipeline Pipeline, string Manifest)> PipelineAsync(BridgeDatabase database, string contentDirectory, ILogger log)
    {
        var node = await AnvilNode.StartAsync(TestToolchain.Create());
        var manifestPath = Path.Combine(TestToolchain.Layout.Root, "deployments", $"host-{Guid.NewGuid():N}.json");
        var deployer = new CoopDeployer(TestToolchain.Runner());
        var anchorer = PrivateKey.FromHex(node.Accounts[1].PrivateKey);
        var manifest = await deployer.DeployAsync(node.RpcUrl, PrivateKey.FromHex(node.Accounts[0].PrivateKey), manifestPath, new CoopDeploymentOptions { Anchorer = anchorer.Address });
        var client = new EthClient(new JsonRpcClient(node.RpcUrl));
        var chain = new AnchorChain(client, manifest["DecisionAnchor"].Address, deployer.Artifact(manifest, "DecisionAnchor").Abi, new TransactionSender(client, new LocalSigner(anchorer)));
        return (node, AnchoringPipeline.Create(database, new EmbeddedContentStore(contentDirectory), chain, log,
            new AnchoringPipelineOptions { MaxLeaves = int.MaxValue, MaxWait = TimeSpan.FromDays(1) }), manifestPath);
    }

    private static async Task<int> DecisionQueriesCountAsync(BridgeDatabase database) =>
        (await DecisionQueries.StatusCountsAsync(database)).Values.Sum();

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("condition not met within 20 s");
            await Task.Delay(100);
        }
    }

    private sealed class FileDeletion(string path) : IDisposable
    {
        public void Dispose() => File.Delete(path);
    }
}
