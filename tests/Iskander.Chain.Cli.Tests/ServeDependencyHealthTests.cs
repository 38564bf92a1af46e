using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Iskander.Chain.Contracts;
using Iskander.Chain.DevServices;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Loomio.Emulator;
using Iskander.Chain.Testing;

namespace Iskander.Chain.Cli.Tests;

/// <summary>
/// <c>serve</c> on a configured chain node, PostgreSQL and Loomio, each stopped under it in turn:
/// <c>/readyz</c> answers 503 naming it and is ready again once it is back, while <c>/healthz</c>
/// stays live throughout (restarting <c>serve</c> would not bring a configured service back).
/// </summary>
public sealed partial class ServeDependencyHealthTests
{
    private const string HookToken = "dependencyhealthtoken0123456789abcdef";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Readiness_names_each_configured_service_that_stops_and_liveness_holds()
    {
        using var folder = new TempDirectory();
        var toolchain = TestToolchain.Create();
        var anvilOptions = new AnvilOptions { StateFile = folder.Combine("state.json") };
        var node = await AnvilNode.StartAsync(toolchain, anvilOptions);
        var manifest = Path.Combine(TestToolchain.Layout.Root, "deployments", $"health-{Guid.NewGuid():N}.json");
        var loomio = await LoomioEmulator.StartAsync();
        var loomioStopped = false;
        try
        {
            await new CoopDeployer(TestToolchain.Runner()).DeployAsync(node.RpcUrl, PrivateKey.FromHex(node.Accounts[0].PrivateKey), manifest,
                new CoopDeploymentOptions { Anchorer = Address.Parse(node.Accounts[1].Address) });
            await using var postgres = await PostgresCluster.StartAsync(toolchain, new PostgresClusterOptions { Directory = folder.Combine("pg") });
            var group = loomio.AddGroup("Members");
            var key = loomio.AddPoll(group, "Proposal");
            loomio.Vote(key, 0, 1);
            loomio.Close(key);
            var environment = new Dictionary<string, string>
            {
                ["ISKANDER_RPC_URL"] = node.RpcUrl.ToString(),
                ["ISKANDER_DATABASE"] = postgres.ServiceConnectionString,
                ["ISKANDER_DATABASE_OWNER"] = postgres.ConnectionString,
                ["ISKANDER_DEPLOYMENT"] = manifest,
                ["ISKANDER_ANCHORER_KEY"] = node.Accounts[1].PrivateKey,
                ["ISKANDER_LOOMIO_URL"] = loomio.BaseUrl.ToString(),
                ["ISKANDER_LOOMIO_API_KEY"] = loomio.ApiKey,
                ["ISKANDER_CONFIRMATIONS"] = "1",
                ["ISKANDER_HOOK_TOKEN"] = HookToken,
            };
            using var serve = CliProcess.Start(["serve", "--data-dir", folder.Combine("data"), "--listen", "http://127.0.0.1:0"], environment);
            var api = new Uri(GatewayLine().Match(await serve.WaitForLineAsync("Gateway on", TimeSpan.FromMinutes(2))).Groups[1].Value);
            await WaitForAsync(api, HttpStatusCode.OK, serve);

            // The database.
            await postgres.StopAsync();
            Assert.Contains("PostgreSQL does not accept connections", await WaitForAsync(api, HttpStatusCode.ServiceUnavailable, serve), StringComparison.Ordinal);
            await AssertLiveAsync(api);
            await postgres.StartAsync();
            await WaitForAsync(api, HttpStatusCode.OK, serve);

            // The chain node: back on its port with its chain.
            var port = node.Port;
            await node.DisposeAsync();
            Assert.Contains($"the chain node at http://127.0.0.1:{port} does not answer JSON-RPC", await WaitForAsync(api, HttpStatusCode.ServiceUnavailable, serve), StringComparison.Ordinal);
            await AssertLiveAsync(api);
            node = await AnvilNode.StartAsync(toolchain, anvilOptions with { Port = port });
            await WaitForAsync(api, HttpStatusCode.OK, serve);

            // Loomio, found gone when a webhook's hint sends the bridge to it.
            await loomio.DisposeAsync();
            loomioStopped = true;
            using (var hint = await Http.PostAsync(new Uri(api, $"hooks/loomio/{group}/{HookToken}"),
                       new StringContent("{\"text\":\"A proposal closed\",\"username\":\"Loomio\"}", Encoding.UTF8, "application/json")))
            {
                Assert.Equal(HttpStatusCode.NoContent, hint.StatusCode);
            }

            Assert.Contains("Loomio unreachable at", await WaitForAsync(api, HttpStatusCode.ServiceUnavailable, serve), StringComparison.Ordinal);
            // It stays so while Loomio is away (the hinted group is retried after each backoff), and liveness holds.
            await Task.Delay(TimeSpan.FromSeconds(7));
            using (var still = await Http.GetAsync(new Uri(api, "readyz")))
            {
                var body = await still.Content.ReadAsStringAsync();
                Assert.True(still.StatusCode == HttpStatusCode.ServiceUnavailable && body.Contains("Loomio unreachable at", StringComparison.Ordinal), $"{(int)still.StatusCode} {body}");
            }

            await AssertLiveAsync(api);

            serve.Interrupt();
            Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        }
        finally
        {
            await node.DisposeAsync();
            if (!loomioStopped) await loomio.DisposeAsync();
            File.Delete(manifest);
        }
    }

    private static async Task AssertLiveAsync(Uri api)
    {
        using var response = await Http.GetAsync(new Uri(api, "healthz"));
        Assert.Equal((HttpStatusCode.OK, "ok\n"), (response.StatusCode, await response.Content.ReadAsStringAsync()));
    }

    // The body of the first /readyz answer with the status, polled every 100 ms.
    private static async Task<string> WaitForAsync(Uri api, HttpStatusCode status, CliProcess serve)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var response = await Http.GetAsync(new Uri(api, "readyz"));
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == status) return body;
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(1), $"/readyz still {(int)response.StatusCode} {body}\n{serve.Output}");
            await Task.Delay(100);
        }
    }

    [GeneratedRegex(@"Gateway on (http://\S+?)ipfs/")]
    private static partial Regex GatewayLine();
}
