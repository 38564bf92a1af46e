using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Contracts;
using Iskander.Chain.DevServices;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Loomio.Emulator;
using Iskander.Chain.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Iskander.Chain.Cli.Tests;

/// <summary>
/// The bridge as a real process (<c>iskander-chain serve</c>) against a real anvil and PostgreSQL and
/// the Loomio emulator, killed with SIGKILL at random moments and restarted until done.
/// </summary>
public sealed class ServeChaosTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Killing_the_bridge_at_random_points_loses_nothing_and_anchors_nothing_twice()
    {
        const int Decisions = 1000;
        var random = new Random(NodeOracle.Seed(output));
        await using var node = await AnvilNode.StartAsync(TestToolchain.Create());
        var anchorer = PrivateKey.FromHex(node.Accounts[1].PrivateKey);
        var manifestPath = Path.Combine(TestToolchain.Layout.Root, "deployments", $"chaos-{Guid.NewGuid():N}.json");
        var deployer = new CoopDeployer(TestToolchain.Runner());
        var manifest = await deployer.DeployAsync(node.RpcUrl, PrivateKey.FromHex(node.Accounts[0].PrivateKey), manifestPath, new CoopDeploymentOptions { Anchorer = anchorer.Address });
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var loomio = await LoomioEmulator.StartAsync();
        var group = loomio.AddGroup("Members", isPublic: true); // a public group: anyone may read its records
        for (var i = 0; i < Decisions; i++)
        {
            var key = loomio.AddPoll(group, $"Proposal {i}");
            loomio.Vote(key, i % 4, 1 + (i % 5));
            loomio.Close(key);
            if (i % 3 == 0) loomio.SetOutcome(key, $"<p>Outcome {i}</p>");
        }

        using var data = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            ["ISKANDER_RPC_URL"] = node.RpcUrl.ToString(),
            ["ISKANDER_DATABASE"] = connectionString,
            ["ISKANDER_LOOMIO_URL"] = loomio.BaseUrl.ToString(),
            ["ISKANDER_LOOMIO_API_KEY"] = loomio.ApiKey,
            // The emulator runs on loopback, which Loomio's rate limit exempts: no client-side budget for a thousand polls.
            ["ISKANDER_LOOMIO_REQUESTS_PER_5_MINUTES"] = "1000000",
            ["ISKANDER_ANCHORER_KEY"] = node.Accounts[1].PrivateKey,
            ["ISKANDER_DEPLOYMENT"] = manifestPath,
            ["ISKANDER_CONFIRMATIONS"] = "1",
            ["ISKANDER_RECONCILE_HORIZON"] = "5000",
            ["ISKANDER_READ_TOKEN"] = "chaosreadtoken0123456789abcdefABCDEF",
        };
        string[] arguments = ["serve", "--data-dir", data.Path, "--listen", "http://127.0.0.1:0"];
        try
        {
            for (var kill = 0; kill < 5; kill++)
            {
                using var serve = CliProcess.Start(arguments, environment);
                await serve.WaitForLineAsync("Bridge:", TimeSpan.FromMinutes(1));
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(300, 4000)));
                await serve.KillAsync();
                output.WriteLine($"kill {kill + 1}: {await CountsAsync(connectionString)}");
            }

            using var last = CliProcess.Start(arguments, environment);
            var deadline = DateTime.UtcNow.AddMinutes(4);
            while (DateTime.UtcNow < deadline && await ConfirmedAsync(connectionString) < Decisions) await Task.Delay(1000);

            // Anyone can take a decision's evidence bundle from the API and verify it against the chain, without the bridge
            // (the cooperative's DecisionAnchor from the manifest in ISKANDER_DEPLOYMENT).
            var gatewayLine = await last.WaitForLineAsync("Gateway on", TimeSpan.FromSeconds(5));
            var baseUrl = new Uri(gatewayLine[(gatewayLine.IndexOf("http://", StringComparison.Ordinal))..].Replace("ipfs/", string.Empty, StringComparison.Ordinal).Trim());
            using var http = new HttpClient();
            using (var listing = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(baseUrl, "api/decisions?offset=990&limit=50"))))
            {
                Assert.Equal(Decisions, listing.RootElement.GetProperty("total").GetInt32());
                Assert.Equal(10, listing.RootElement.GetProperty("decisions").GetArrayLength());
                Assert.All(listing.RootElement.GetProperty("decisions").EnumerateArray(), d => Assert.Equal("confirmed", d.GetProperty("batchStatus").GetString()));
            }

            var bundle = await http.GetStringAsync(new Uri(baseUrl, $"api/decisions/{loomio.PollKeys()[7]}/evidence"));
            await File.WriteAllTextAsync(data.Combine("evidence.json"), bundle);
            var (verifyExit, verifyOutput) = await CliProcess.RunAsync(["verify", data.Combine("evidence.json"), "--rpc", node.RpcUrl.ToString(), "--confirmations", "1", "--loomio"], environment);
            Assert.True(verifyExit == 0, verifyOutput);
            Assert.Equal(6, verifyOutput.Split('\n').Count(l => l.TrimStart().StartsWith("PASS", StringComparison.Ordinal))); // five links and the Loomio re-read
            var forged = System.Text.Json.Nodes.JsonNode.Parse(bundle)!;
            forged["index"] = forged["index"]!.GetValue<int>() + 1;
            await File.WriteAllTextAsync(data.Combine("forged.json"), forged.ToJsonString());
            var (forgedExit, forgedOutput) = await CliProcess.RunAsync(["verify", data.Combine("forged.json"), "--rpc", node.RpcUrl.ToString(), "--confirmations", "1"], environment);
            Assert.Equal(1, forgedExit);
            Assert.Contains("FAIL        leaf → root", forgedOutput, StringComparison.Ordinal);

            // A configured node URL may carry a provider's key: the members' page is never told it (no ISKANDER_PUBLIC_RPC_URL here).
            var deployment = await http.GetStringAsync(new Uri(baseUrl, "api/deployment"));
            Assert.Null(System.Text.Json.Nodes.JsonNode.Parse(deployment)!["rpcUrl"]);
            Assert.DoesNotContain(node.RpcUrl.Authority, deployment, StringComparison.Ordinal);

            // The Glass Box survived the kills: its chain is whole and every head anchored with the batches is on chain. It is for members (the read token).
            string[] audit = ["audit", "verify", "--api", baseUrl.ToString(), "--rpc", node.RpcUrl.ToString(), "--confirmations", "1"];
            var (auditExit, auditOutput) = await CliProcess.RunAsync(audit, environment);
            Assert.True(auditExit == 0, auditOutput);
            Assert.Contains("PASS        entries → hash chain", auditOutput, StringComparison.Ordinal);
            Assert.Contains("PASS        entries → anchored heads", auditOutput, StringComparison.Ordinal);
            Assert.Contains("PASS        anchored batches → explained: all ", auditOutput, StringComparison.Ordinal);
            Assert.True(auditOutput.Split('\n').Count(l => l.Contains("PASS        head at entry", StringComparison.Ordinal)) >= Decisions / 256, auditOutput);
            var anonymous = new Dictionary<string, string>(environment);
            anonymous.Remove("ISKANDER_READ_TOKEN");
            var (refusedExit, refusedOutput) = await CliProcess.RunAsync(audit, anonymous);
            Assert.Equal(1, refusedExit);
            Assert.Contains("the Glass Box is for members: set ISKANDER_READ_TOKEN", refusedOutput, StringComparison.Ordinal);
            last.Interrupt();
            Assert.Equal(0, await last.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        }
        finally
        {
            File.Delete(manifestPath);
        }

        // Every decision exactly once, all confirmed, every batch anchored exactly once, the Glass Box intact.
        Assert.Equal(Decisions, await ConfirmedAsync(connectionString));
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        Assert.Equal(Decisions, await ScalarAsync(connection, "SELECT count(*)::int FROM decision_versions"));
        Assert.Equal(Decisions, await ScalarAsync(connection, "SELECT count(DISTINCT (poll_id, version))::int FROM decision_versions"));
        var batches = await ScalarAsync(connection, "SELECT count(*)::int FROM batches");
        var anchor = new Contract(new EthClient(new JsonRpcClient(node.RpcUrl)), manifest["DecisionAnchor"].Address, deployer.Artifact(manifest, "DecisionAnchor").Abi);
        Assert.Equal((ulong)batches, (ulong)await anchor.CallAsync<System.Numerics.BigInteger>("batchCount"));
        Assert.Null(GlassBoxLog.FirstBrokenLink(await GlassBoxLog.ReadAsync(connection, default)));
    }

    private static async Task<int> ConfirmedAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return await TableExistsAsync(connection)
            ? await ScalarAsync(connection, "SELECT count(*)::int FROM decision_versions v JOIN batches b ON b.id = v.batch_id WHERE b.status = 'confirmed'")
            : 0;
    }

    private static async Task<string> CountsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        if (!await TableExistsAsync(connection)) return "no schema yet";
        await using var command = new NpgsqlCommand("SELECT string_agg(s || '=' || n, ', ') FROM (SELECT status AS s, count(*) AS n FROM decision_versions GROUP BY status) t", connection);
        return (await command.ExecuteScalarAsync())?.ToString() ?? "nothing recorded";
    }

    private static async Task<bool> TableExistsAsync(NpgsqlConnection connection) =>
        await ScalarAsync(connection, "SELECT count(*)::int FROM information_schema.tables WHERE table_name = 'decision_versions'") > 0;

    private static async Task<int> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
