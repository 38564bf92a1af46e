using System.Text.Json;
using System.Text.RegularExpressions;
using Iskander.Chain.Loomio.Emulator;
using Iskander.Chain.Testing;
using Xunit.Abstractions;

namespace Iskander.Chain.Cli.Tests;

/// <summary>
/// <c>serve</c> on its embedded anvil and PostgreSQL, killed with SIGKILL ten times at random moments
/// (alone, leaving its anvil orphaned, or with its whole process tree) over 300 decisions and
/// restarted: it resumes on the same chain, every decision is anchored once and verifies, and a lost
/// chain is refused until <c>--reset</c>.
/// </summary>
public sealed partial class ServeEmbeddedCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Kill_9_of_serve_with_the_embedded_chain_resumes_on_the_same_chain_and_a_lost_chain_needs_reset()
    {
        const int Decisions = 300;
        const int Kills = 10;
        var random = new Random(NodeOracle.Seed(output));
        await using var loomio = await LoomioEmulator.StartAsync();
        var group = loomio.AddGroup("Members", isPublic: true); // a public group: anyone may read its records
        for (var i = 0; i < Decisions; i++)
        {
            var key = loomio.AddPoll(group, $"Proposal {i}");
            loomio.Vote(key, i % 4, 1 + (i % 5));
            loomio.Close(key);
        }

        using var data = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            ["ISKANDER_LOOMIO_URL"] = loomio.BaseUrl.ToString(),
            ["ISKANDER_LOOMIO_API_KEY"] = loomio.ApiKey,
            ["ISKANDER_CONFIRMATIONS"] = "1",
            // The emulator runs on loopback, which Loomio's rate limit exempts: no client-side budget for hundreds of polls.
            ["ISKANDER_LOOMIO_REQUESTS_PER_5_MINUTES"] = "1000000",
            ["ISKANDER_READ_TOKEN"] = "crashreadtoken0123456789abcdefABCDEF",
        };
        string[] serve = ["serve", "--data-dir", data.Path, "--listen", "http://127.0.0.1:0"];
        var anchors = new HashSet<string>();
        for (var kill = 0; kill < Kills; kill++)
        {
            using var process = CliProcess.Start(serve, environment);
            anchors.Add(AnchorLine().Match(await process.WaitForLineAsync("Bridge:", TimeSpan.FromMinutes(2))).Groups[1].Value);
            if (kill % 2 == 1) Assert.Contains("left running on", process.Output, StringComparison.Ordinal); // the orphan of the last round, saved and stopped
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 4000)));
            // Alone: the anvil lives on as an orphan and is saved and stopped by the next start. With the tree: the chain loses its last second.
            if (kill % 2 == 0) await process.KillAloneAsync();
            else await process.KillAsync();
            Assert.DoesNotContain("Exception", process.Output, StringComparison.Ordinal);
            if (kill > 0) Assert.DoesNotContain("Deploying the contracts", process.Output, StringComparison.Ordinal);
        }

        using (var last = CliProcess.Start(serve, environment))
        {
            anchors.Add(AnchorLine().Match(await last.WaitForLineAsync("Bridge:", TimeSpan.FromMinutes(2))).Groups[1].Value);
            Assert.DoesNotContain("Deploying the contracts", last.Output, StringComparison.Ordinal);
            var (secondExit, second) = await CliProcess.RunAsync(serve, environment);
            Assert.True(secondExit == 3, second);
            Assert.Contains($"another iskander-chain serve is running on the data folder {data.Path}", second, StringComparison.Ordinal);
            var rpc = RpcLine().Match(await last.WaitForLineAsync("Healthy:", TimeSpan.FromMinutes(1))).Groups[1].Value;
            var api = new Uri(GatewayLine().Match(await last.WaitForLineAsync("Gateway on", TimeSpan.FromSeconds(5))).Groups[1].Value);
            using var http = new HttpClient();
            var deadline = DateTime.UtcNow.AddMinutes(4);
            JsonDocument listing;
            while (true)
            {
                listing = JsonDocument.Parse(await http.GetStringAsync(new Uri(api, "api/decisions?limit=500")));
                var decisions = listing.RootElement.GetProperty("decisions").EnumerateArray().ToList();
                if (decisions.Count == Decisions && decisions.All(d => d.GetProperty("batchStatus").GetString() == "confirmed")) break;
                Assert.True(DateTime.UtcNow < deadline, $"not all confirmed: {listing.RootElement}\n{last.Output}");
                listing.Dispose();
                await Task.Delay(1000);
            }

            // Each decision once, and a sample verifies against the chain from its bundle alone.
            using (listing)
            {
                Assert.Equal(Decisions, listing.RootElement.GetProperty("total").GetInt32());
                Assert.Equal(Decisions, listing.RootElement.GetProperty("decisions").EnumerateArray().Select(d => d.GetProperty("pollKey").GetString()).Distinct().Count());
            }

            // Every version verifies against the chain from its bundle alone, against the cooperative's DecisionAnchor (the embedded
            // chain's own manifest: the verifier's side) — in process for all of them, and once through the CLI.
            var manifest = Contracts.DeploymentManifest.Load(data.Combine("anvil", "deployment.json"));
            var chain = Bridge.Pipeline.AnchorChain.ReadOnly(new Ethereum.JsonRpc.EthClient(new Ethereum.JsonRpc.JsonRpcClient(new Uri(rpc))), manifest["DecisionAnchor"].Address);
            foreach (var key in loomio.PollKeys())
            {
                var bundle = Bridge.Pipeline.EvidenceBundle.Parse(await http.GetStringAsync(new Uri(api, $"api/decisions/{key}/evidence")));
                Assert.Equal(manifest["DecisionAnchor"].Address, bundle.DecisionAnchor);
                var checks = await Bridge.Pipeline.DecisionVerifier.VerifyAsync(bundle.Record(), bundle.Cid, bundle.Reference, chain, 1);
                Assert.All(checks, c => Assert.True(c.Verdict == Bridge.Pipeline.Verdict.Pass, $"{key}: {c.Name}: {c.Detail}"));
            }

            await File.WriteAllTextAsync(data.Combine("bundle.json"), await http.GetStringAsync(new Uri(api, $"api/decisions/{loomio.PollKeys()[Decisions / 2]}/evidence")));
            var (exitCode, verified) = await CliProcess.RunAsync(["verify", data.Combine("bundle.json"), "--deployment", data.Combine("anvil", "deployment.json"), "--rpc", rpc, "--confirmations", "1"]);
            Assert.True(exitCode == 0, verified);
            // Anchored exactly once: every root the DecisionAnchor holds is one of the bridge's batches, explained leaf by leaf, and the Glass Box is whole.
            var (auditExit, audit) = await CliProcess.RunAsync(["audit", "verify", "--api", api.ToString(), "--deployment", data.Combine("anvil", "deployment.json"), "--rpc", rpc, "--confirmations", "1"],
                environment);
            Assert.True(auditExit == 0, audit);

            Assert.DoesNotContain("manual recovery", last.Output, StringComparison.Ordinal);
            last.Interrupt();
            Assert.Equal(0, await last.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        }

        Assert.Single(anchors); // one chain, one deployment throughout

        // The chain really gone: said, and refused, until a new chain is asked for.
        File.Delete(Path.Combine(data.Path, "anvil", "state.json"));
        var (lostExit, lost) = await CliProcess.RunAsync(serve, environment);
        Assert.True(lostExit == 3, lost);
        Assert.Contains("the embedded chain no longer holds its deployment", lost, StringComparison.Ordinal);
        Assert.Contains("iskander-chain serve --reset", lost, StringComparison.Ordinal);
        using (var reset = CliProcess.Start([.. serve, "--reset"], environment))
        {
            await reset.WaitForLineAsync("Bridge:", TimeSpan.FromMinutes(2));
            Assert.Contains("Deploying the contracts", reset.Output, StringComparison.Ordinal);
            await reset.WaitForLineAsync("Healthy:", TimeSpan.FromMinutes(1));
            reset.Interrupt();
            Assert.Equal(0, await reset.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        }

        Assert.Single(Directory.GetDirectories(data.Path, "reset-*"));
    }

    [GeneratedRegex(@"DecisionAnchor (0x[0-9a-fA-F]{40})")]
    private static partial Regex AnchorLine();

    [GeneratedRegex(@" on (http://127\.0\.0\.1:\d+) \(embedded anvil\)")]
    private static partial Regex RpcLine();

    [GeneratedRegex(@"Gateway on (http://\S+?)ipfs/")]
    private static partial Regex GatewayLine();
}
