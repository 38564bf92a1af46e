using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Loomio;
using Iskander.Chain.Testing;
using Iskander.Chain.Testing.Emulators;
using Xunit.Abstractions;

namespace Iskander.Chain.Bridge.Tests;

/// <summary>The running bridge loop while its RPC endpoint answers with garbage (some answers lost after the node acted).</summary>
public sealed class HostileRpcTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Garbage_from_the_node_is_a_clear_error_and_loses_or_duplicates_nothing()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        using var proxy = new HostileRpcProxy(harness.Node.RpcUrl, NodeOracle.Seed(output));
        var group = harness.Loomio.AddGroup("Members");
        void AddDecisions(int from, int count)
        {
            for (var i = from; i < from + count; i++)
            {
                var key = harness.Loomio.AddPoll(group, $"Proposal {i}");
                harness.Loomio.Close(key);
            }
        }

        AddDecisions(0, 10);
        var client = new EthClient(new JsonRpcClient(proxy.Url, new JsonRpcClientOptions { MaxResponseBytes = 4 * 1024 * 1024, CallTimeout = TimeSpan.FromSeconds(5) }));
        var contracts = Pipeline.BridgeContracts.Connect(client, harness.Manifest, name => new Contracts.CoopDeployer(TestToolchain.Runner()).Artifact(harness.Manifest, name).Abi,
            Ethereum.Crypto.PrivateKey.FromHex(harness.Node.Accounts[1].PrivateKey));
        using var http = new HttpClient();
        var loomio = new LoomioClient(http, new LoomioClientOptions { BaseUrl = harness.Loomio.BaseUrl, ApiKey = harness.Loomio.ApiKey });
        var service = new BridgeService(new DecisionIngestor(harness.Database, loomio, harness.Loomio.BaseUrl, harness.Log), loomio,
            AnchoringPipeline.Create(harness.Database, harness.Store, contracts.Anchor, harness.Log,
                new AnchoringPipelineOptions { MaxLeaves = 4, MaxWait = TimeSpan.Zero, Confirmations = 1, ResubmitAfter = TimeSpan.FromSeconds(3) }, contracts.Governance),
            new BridgeServiceOptions { Groups = [group], HintDebounce = TimeSpan.Zero, IdleDelay = TimeSpan.FromMilliseconds(200) }, harness.Log);
        using var cancel = new CancellationTokenSource();
        var loop = service.RunAsync(cancel.Token);
        await WaitForConfirmedAsync(harness, 10);

        // Garbage for ten seconds while decisions keep coming.
        proxy.Hostile = true;
        AddDecisions(10, 10);
        service.Hint(group);
        await Task.Delay(TimeSpan.FromSeconds(10));
        Assert.True(proxy.Garbled > 0);
        Assert.NotNull(service.LastError);
        output.WriteLine($"{proxy.Garbled} garbage answers; last error: {service.LastError}");
        Assert.False(loop.IsCompleted); // the service keeps running
        proxy.Hostile = false;
        service.Hint(group);
        await WaitForConfirmedAsync(harness, 20);
        await cancel.CancelAsync();
        await loop;

        // Every decision once; every batch anchored once, with proofs that verify.
        var anchored = await DecisionQueries.AnchoredAsync(harness.Database);
        Assert.Equal(20, anchored.Count);
        Assert.Equal(20, anchored.Select(a => (a.PollKey, a.Version)).Distinct().Count());
        var roots = anchored.Select(a => a.Reference.Root).Distinct().Count();
        Assert.Equal((ulong)roots, (ulong)await harness.AnchorContract.CallAsync<System.Numerics.BigInteger>("batchCount"));
        var verifier = harness.Verifier(1);
        foreach (var decision in anchored) Assert.All(await verifier.VerifyAsync(decision), c => Assert.Equal(Verdict.Pass, c.Verdict));
    }

    private static async Task WaitForConfirmedAsync(BridgeHarness harness, int expected)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var counts = await DecisionQueries.StatusCountsAsync(harness.Database);
            if (counts.GetValueOrDefault("batched/confirmed") == expected && counts.Values.Sum() == expected) return;
            await Task.Delay(250);
        }

        throw new Xunit.Sdk.XunitException($"{expected} decisions not confirmed: {string.Join(", ", (await DecisionQueries.StatusCountsAsync(harness.Database)).Select(p => $"{p.Key}={p.Value}"))}");
    }
}
