using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Contracts;
using Iskander.Chain.DevServices;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Loomio;
using Iskander.Chain.Loomio.Emulator;
using Iskander.Chain.Testing;
using Serilog;

namespace Iskander.Chain.Bridge.Tests;

/// <summary>The running bridge loop while its chain node and its database go away and come back.</summary>
public sealed class OutageTests
{
    [Fact]
    public async Task The_bridge_rides_out_a_stopped_chain_node_and_a_restarted_database()
    {
        using var directory = new TempDirectory();
        var log = new LoggerConfiguration().CreateLogger();
        var anvilOptions = new AnvilOptions { Port = LoopbackPort.Free(), StateFile = directory.Combine("anvil-state.json") };
        var node = await AnvilNode.StartAsync(TestToolchain.Create(), anvilOptions);
        await using var postgres = await PostgresCluster.StartAsync(TestToolchain.Create(), new PostgresClusterOptions { Directory = directory.Combine("postgres"), Port = LoopbackPort.Free(), DeleteOnDispose = true });
        var manifestPath = Path.Combine(TestToolchain.Layout.Root, "deployments", $"outage-{Guid.NewGuid():N}.json");
        try
        {
            var anchorer = PrivateKey.FromHex(node.Accounts[1].PrivateKey);
            var deployer = new CoopDeployer(TestToolchain.Runner());
            var manifest = await deployer.DeployAsync(node.RpcUrl, PrivateKey.FromHex(node.Accounts[0].PrivateKey), manifestPath, new CoopDeploymentOptions { Anchorer = anchorer.Address });
            await using var database = new BridgeDatabase(postgres.ConnectionString);
            await database.MigrateAsync();
            await using var loomio = await LoomioEmulator.StartAsync();
            var group = loomio.AddGroup("Members");
            void AddDecisions(int from, int count)
            {
                for (var i = from; i < from + count; i++)
                {
                    var key = loomio.AddPoll(group, $"Proposal {i}");
                    loomio.Close(key);
                }
            }

            AddDecisions(0, 20);
            var client = new EthClient(new JsonRpcClient(node.RpcUrl));
            var chain = new AnchorChain(client, manifest["DecisionAnchor"].Address, deployer.Artifact(manifest, "DecisionAnchor").Abi, new TransactionSender(client, new LocalSigner(anchorer)));
            using var http = new HttpClient();
            var loomioClient = new LoomioClient(http, new LoomioClientOptions { BaseUrl = loomio.BaseUrl, ApiKey = loomio.ApiKey, Attempts = 1 });
            var service = new BridgeService(new DecisionIngestor(database, loomioClient, loomio.BaseUrl, log), loomioClient,
                AnchoringPipeline.Create(database, new EmbeddedContentStore(directory.Combine("content")), chain, log,
                    new AnchoringPipelineOptions { MaxLeaves = 8, MaxWait = TimeSpan.Zero, Confirmations = 1 }),
                new BridgeServiceOptions { Groups = [group], HintDebounce = TimeSpan.Zero, IdleDelay = TimeSpan.FromMilliseconds(200) }, log);
            using var cancel = new CancellationTokenSource();
            var loop = service.RunAsync(cancel.Token);
            await WaitForConfirmedAsync(database, 20);

            // The chain node goes away (state kept, as a node restart does); decisions keep coming.
            await node.DisposeAsync();
            AddDecisions(20, 10);
            service.Hint(group);
            await Task.Delay(TimeSpan.FromSeconds(30)); // the node stays away for half a minute
            Assert.NotNull(service.LastError);
            node = await AnvilNode.StartAsync(TestToolchain.Create(), anvilOptions);
            await WaitForConfirmedAsync(database, 30);

            // The database restarts under the running bridge.
            await postgres.StopAsync();
            AddDecisions(30, 10);
            service.Hint(group);
            await Task.Delay(TimeSpan.FromSeconds(3));
            await postgres.StartAsync();
            service.Hint(group);
            await WaitForConfirmedAsync(database, 40);

            await cancel.CancelAsync();
            await loop;
            var anchored = await DecisionQueries.AnchoredAsync(database);
            Assert.Equal(40, anchored.Count);
            var verifier = new DecisionVerifier(new EmbeddedContentStore(directory.Combine("content")), chain, 1);
            foreach (var decision in anchored) Assert.All(await verifier.VerifyAsync(decision), c => Assert.Equal(Verdict.Pass, c.Verdict));
        }
        finally
        {
            await node.DisposeAsync();
            File.Delete(manifestPath);
        }
    }

    private static async Task WaitForConfirmedAsync(BridgeDatabase database, int expected)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var counts = await DecisionQueries.StatusCountsAsync(database);
                if (counts.TryGetValue("batched/confirmed", out var confirmed) && confirmed == expected && counts.Values.Sum() == expected) return;
            }
            catch (Npgsql.NpgsqlException)
            {
                // the database is restarting
            }

            await Task.Delay(250);
        }

        throw new Xunit.Sdk.XunitException($"{expected} decisions not confirmed within 2 minutes: {string.Join(", ", (await DecisionQueries.StatusCountsAsync(database)).Select(p => $"{p.Key}={p.Value}"))}");
    }
}
