using System.Diagnostics;
using System.Globalization;
using System.Text;
using Iskander.Chain.Anchoring;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Loomio;
using Iskander.Chain.Loomio.Emulator;
using Iskander.Chain.Toolchain;
using Npgsql;

namespace Iskander.Chain.Bench;

/// <summary>
/// End-to-end anchoring on real components (anvil, PostgreSQL, the embedded store, the Loomio
/// emulator): gas per anchor transaction for growing batches, and decisions per second from
/// Loomio to confirmed with one and with two bridge pipelines on one database, with the latency
/// from a version being recorded to its batch being confirmed. Not a BenchmarkDotNet suite: one
/// measured run of a whole system.
/// </summary>
internal static class AnchoringThroughput
{
    public static async Task<string> RunAsync(ProjectLayout layout)
    {
        var report = new StringBuilder();
        await using var environment = await BenchEnvironment.StartAsync(layout, 1);
        var (deployer, manifest, client, log) = (environment.Deployer, environment.Manifest, environment.Client, BenchEnvironment.Log);
        var anchorer = PrivateKey.FromHex(environment.Node.Accounts[1].PrivateKey);
        var abi = deployer.Artifact(manifest, "DecisionAnchor").Abi;
        AnchorChain Chain() => new(client, manifest["DecisionAnchor"].Address, abi, new TransactionSender(client, new LocalSigner(anchorer)));

        report.AppendLine("## Gas per anchor transaction").AppendLine().AppendLine("| decisions in the batch | gas (transaction) | gas per decision |").AppendLine("|---:|---:|---:|");
        var chain = Chain();
        foreach (var size in new[] { 1, 10, 100, 1_000, 10_000 })
        {
            var leaves = Enumerable.Range(0, size).Select(i => DecisionLeaf.FromRecord(Encoding.UTF8.GetBytes($"bench record {size}/{i}"))).ToList();
            var signed = await chain.SendAnchorAsync(new DecisionMerkleTree(leaves).Root, size, default) ?? throw new InvalidOperationException("root already anchored");
            var receipt = await ReceiptWaiter.WaitAsync(client, signed.Hash, TimeSpan.FromSeconds(30));
            report.AppendLine(CultureInfo.InvariantCulture, $"| {size:N0} | {receipt.GasUsed:N0} | {(double)receipt.GasUsed / size:N1} |");
        }

        report.AppendLine().AppendLine("EAS `timestamp` costs 45,869 gas per item for comparison.").AppendLine();
        report.AppendLine("## Loomio to confirmed").AppendLine().AppendLine("| bridge processes | decisions | ingest (decisions/s) | recorded → confirmed (decisions/s) | latency p50 | latency p99 |").AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var processes in new[] { 1, 2 })
        {
            const int Decisions = 2_000;
            var name = $"bench{processes}";
            await using var bridgeDatabase = await environment.CreateDatabaseAsync(name);
            await using var loomio = await LoomioEmulator.StartAsync();
            var group = loomio.AddGroup("Members");
            for (var i = 0; i < Decisions; i++)
            {
                var key = loomio.AddPoll(group, $"Proposal {i}");
                loomio.Vote(key, i % 4, 1 + (i % 5));
                loomio.Close(key);
            }

            using var http = new HttpClient();
            var loomioClient = new LoomioClient(http, new LoomioClientOptions { BaseUrl = loomio.BaseUrl, ApiKey = loomio.ApiKey });
            var clock = Stopwatch.StartNew();
            await new DecisionIngestor(bridgeDatabase, loomioClient, loomio.BaseUrl, log) { MaxPolls = Decisions }.ReconcileGroupAsync(group);
            var ingest = clock.Elapsed;
            clock.Restart();
            var pipelines = Enumerable.Range(0, processes).Select(_ => AnchoringPipeline.Create(bridgeDatabase, new EmbeddedContentStore(environment.Combine($"content-{name}")), Chain(), log,
                new AnchoringPipelineOptions { StoreBatch = 500, MaxLeaves = 256, MaxWait = TimeSpan.Zero, Confirmations = 1 })).ToList();
            await Task.WhenAll(pipelines.Select(async pipeline =>
            {
                while (true)
                {
                    try
                    {
                        await pipeline.RunRoundAsync();
                    }
                    catch (RpcException)
                    {
                        // shared anchorer key: a nonce race fails one send, retried next round
                    }

                    var counts = await DecisionQueries.StatusCountsAsync(bridgeDatabase);
                    if (counts.TryGetValue("batched/confirmed", out var done) && done == Decisions) return;
                }
            }));
            var anchoring = clock.Elapsed;
            var latencies = await LatenciesAsync(bridgeDatabase);
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {processes} | {Decisions:N0} | {Decisions / ingest.TotalSeconds:N0} | {Decisions / anchoring.TotalSeconds:N0} | {Percentile(latencies, 0.5):N2} s | {Percentile(latencies, 0.99):N2} s |");
        }

        return report.ToString();
    }

    private static async Task<List<double>> LatenciesAsync(BridgeDatabase database)
    {
        await using var connection = await database.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT extract(epoch FROM b.confirmed_at - v.recorded_at)::float8 FROM decision_versions v JOIN batches b ON b.id = v.batch_id ORDER BY 1", connection);
        var values = new List<double>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) values.Add(reader.GetDouble(0));
        return values;
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
