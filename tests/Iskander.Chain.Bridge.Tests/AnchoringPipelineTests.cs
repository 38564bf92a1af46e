using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Iskander.Chain.Anchoring;
using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Content;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Loomio;
using Iskander.Chain.Testing;
using Npgsql;

namespace Iskander.Chain.Bridge.Tests;

/// <summary>Loomio (emulated) → decision versions → content store → Merkle batches → DecisionAnchor on anvil → confirmed; all in PostgreSQL.</summary>
public sealed class AnchoringPipelineTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static async Task VerifyAsync(BridgeHarness harness, AnchoredDecision decision)
    {
        // bytes → CID → leaf → proof → root → contract, each checked independently of the bridge's tables.
        var stored = await harness.Store.GetAsync(Cid.Parse(decision.Cid));
        Assert.Equal(decision.Record, stored);
        Assert.Equal(Cid.ForRawBlock(stored), Cid.Parse(decision.Cid));
        Assert.Equal(DecisionLeaf.FromRecord(stored), decision.Reference.Leaf);
        var batch = (object?[])(await harness.AnchorContract.CallAsync("batchOf", [decision.Reference.Root.ToArray()]))[0]!;
        Assert.True(DecisionMerkleTree.Verify(decision.Reference.Root, decision.Reference.Leaf, decision.Reference.Index, (ulong)(BigInteger)batch[1]!, decision.Reference.Proof));
        Assert.True(await harness.AnchorContract.CallAsync<bool>("verifyInclusion", [decision.Reference.ToAbiTuple()]));
    }

    [Fact]
    public async Task Twenty_decisions_go_from_Loomio_to_confirmed_anchors_that_verify_on_chain()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var group = harness.Loomio.AddGroup("Members");
        for (var i = 0; i < 20; i++)
        {
            var key = harness.Loomio.AddPoll(group, $"Proposal {i}");
            harness.Loomio.Vote(key, i % 4, 1 + (i % 3));
            harness.Loomio.Close(key);
            if (i % 4 != 0) harness.Loomio.SetOutcome(key, $"<p>Outcome {i}</p>");
        }

        harness.Loomio.AddPoll(group, "Still open"); // not a decision yet
        Assert.Equal(20, await harness.Ingestor().ReconcileGroupAsync(group));
        Assert.Equal(0, await harness.Ingestor().ReconcileGroupAsync(group)); // nothing changed: nothing new
        await harness.RunUntilConfirmedAsync(harness.Pipeline(maxLeaves: 8));

        var anchored = await DecisionQueries.AnchoredAsync(harness.Database);
        Assert.Equal(20, anchored.Count);
        Assert.Equal(3, anchored.Select(a => a.Reference.Root).Distinct().Count()); // 8 + 8 + 4
        // Pages: the last one short, one at or past the end empty, and the total always right.
        foreach (var (offset, expected) in new[] { (18, 2), (20, 0), (25, 0) })
        {
            var (total, page) = await DecisionQueries.PageAsync(harness.Database, offset, 5);
            Assert.Equal((20, expected), (total, page.Count));
        }

        foreach (var decision in anchored) await VerifyAsync(harness, decision);
        Assert.Equal(5, anchored.Count(a => a.State == "closed_no_outcome"));
        var loomio = new LoomioClient(new HttpClient(), new LoomioClientOptions { BaseUrl = harness.Loomio.BaseUrl, ApiKey = harness.Loomio.ApiKey });
        foreach (var decision in anchored) Assert.Equal(Verdict.Pass, (await LoomioReread.CheckAsync(loomio, harness.Loomio.BaseUrl, decision.Record)).Verdict);
        var verifier = harness.Verifier();
        foreach (var decision in anchored)
        {
            var checks = await verifier.VerifyAsync(decision);
            Assert.Equal(["bytes → CID", "CID → leaf", "leaf → root", "root → chain"], checks.Select(c => c.Name));
            Assert.All(checks, c => Assert.Equal(Verdict.Pass, c.Verdict));
        }

        // Tampered stored bytes, a forged proof, an unknown root: each check says so.
        var victim = anchored[0];
        Assert.Equal(Verdict.Fail, (await verifier.VerifyAsync(victim with { Reference = victim.Reference with { Index = victim.Reference.Index + 1 } }))[2].Verdict);
        Assert.Equal(Verdict.Fail, (await verifier.VerifyAsync(victim with { Reference = victim.Reference with { Root = Hash32.Keccak("nothing"u8) } }))[3].Verdict);
        var file = Directory.GetFiles(harness.Directory.Combine("content"), "*.data", SearchOption.AllDirectories).First(f => File.ReadAllBytes(f).AsSpan().SequenceEqual(victim.Record));
        File.WriteAllBytes(file, [.. victim.Record[..^1], (byte)'!']);
        Assert.Equal(Verdict.Fail, (await verifier.VerifyAsync(victim))[0].Verdict);

        // The Glass Box announced every write and recorded its result, and its chain is intact.
        await using var connection = await harness.Database.OpenAsync();
        var log = await GlassBoxLog.ReadAsync(connection, default);
        Assert.Null(GlassBoxLog.FirstBrokenLink(log));
        var announced = log.Where(e => e.Kind == "intent" && e.Action == "content.put").SelectMany(e => e.Detail["cids"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(anchored.Select(a => a.Cid).Order(), announced.Order());
        Assert.Equal(3, log.Count(e => e.Kind == "intent" && e.Action == "anchor.submit"));
        Assert.All(log.Where(e => e.Kind == "intent"), intent => Assert.Contains(log, o => o.IntentSeq == intent.Seq));
    }

    [Fact]
    public async Task Revisions_reopen_and_discard_become_new_anchored_versions_chained_to_the_old()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var group = harness.Loomio.AddGroup("Members");
        var key = harness.Loomio.AddPoll(group, "Adopt the 2027 budget?");
        harness.Loomio.Vote(key, 0, 3);
        harness.Loomio.Close(key);
        harness.Loomio.SetOutcome(key, "<p>Adopted.</p>");
        var ingestor = harness.Ingestor();
        var pipeline = harness.Pipeline();
        await ingestor.ReconcileGroupAsync(group);
        await harness.RunUntilConfirmedAsync(pipeline);

        harness.Loomio.EditOutcome(key, "<p>Adopted, with one objection recorded.</p>");
        await ingestor.ReconcileGroupAsync(group);
        harness.Loomio.Reopen(key);
        await ingestor.ReconcileGroupAsync(group);
        harness.Loomio.Close(key);
        await ingestor.ReconcileGroupAsync(group);
        harness.Loomio.Discard(key);
        await ingestor.ReconcileGroupAsync(group); // gone from the listing: a direct read gets Loomio's 403
        await harness.RunUntilConfirmedAsync(pipeline);

        var versions = await DecisionQueries.AnchoredAsync(harness.Database, key);
        Assert.Equal(["decided", "outcome_revised", "reopened", "decided", "withdrawn"], versions.Select(v => v.State));

        // Re-reading Loomio rebuilds the latest version's bytes exactly; older versions are superseded, not wrong.
        var loomio = new LoomioClient(new HttpClient(), new LoomioClientOptions { BaseUrl = harness.Loomio.BaseUrl, ApiKey = harness.Loomio.ApiKey });
        var reread = new List<Verdict>();
        foreach (var version in versions) reread.Add((await LoomioReread.CheckAsync(loomio, harness.Loomio.BaseUrl, version.Record)).Verdict);
        Assert.Equal([Verdict.Unresolved, Verdict.Unresolved, Verdict.Unresolved, Verdict.Unresolved, Verdict.Pass], reread);
        for (var i = 0; i < versions.Count; i++)
        {
            await VerifyAsync(harness, versions[i]);
            var record = JsonNode.Parse(versions[i].Record)!;
            if (i > 0) Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(versions[i - 1].Record)), record["previous"]!["sha256"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Two_bridge_processes_on_one_database_never_anchor_anything_twice()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var group = harness.Loomio.AddGroup("Members");
        for (var i = 0; i < 30; i++)
        {
            var key = harness.Loomio.AddPoll(group, $"Proposal {i}");
            harness.Loomio.Close(key);
        }

        await using var second = new BridgeDatabase(harness.ConnectionString);
        // Both reconcile the same group at once, then both run the pipeline at once.
        await Task.WhenAll(harness.Ingestor().ReconcileGroupAsync(group), harness.Ingestor(second).ReconcileGroupAsync(group));
        var first = harness.Pipeline(maxLeaves: 4);
        var other = harness.Pipeline(second, maxLeaves: 4);
        async Task RunAsync(AnchoringPipeline pipeline)
        {
            for (var round = 0; round < 60; round++)
            {
                try
                {
                    await pipeline.RunRoundAsync();
                }
                catch (Ethereum.JsonRpc.RpcException)
                {
                    // Both processes share the anchorer key here; a nonce race makes one send fail and retry later.
                }

                await harness.Client.Rpc.CallAsync("evm_mine", []);
            }
        }

        await Task.WhenAll(RunAsync(first), RunAsync(other));
        await harness.RunUntilConfirmedAsync(first);

        var anchored = await DecisionQueries.AnchoredAsync(harness.Database);
        Assert.Equal(30, anchored.Count);
        Assert.Equal(30, anchored.Select(a => (a.PollKey, a.Version)).Distinct().Count());
        var roots = anchored.Select(a => a.Reference.Root).Distinct().ToList();
        var onChain = (ulong)(await harness.AnchorContract.CallAsync<BigInteger>("batchCount"));
        Assert.Equal((ulong)roots.Count, onChain); // every batch anchored exactly once
    }

    [Fact]
    public async Task Two_processes_following_one_mirror_take_turns_and_keep_its_cursor_on_the_canonical_chain()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        await using var second = new BridgeDatabase(harness.ConnectionString);
        var governance = harness.Contracts().Governance!;
        MembershipMirror Mirror(BridgeDatabase database) =>
            new(database, harness.Client, governance.Targets.Identity, governance.IdentityAbi, governance.StartBlock, harness.Log);
        var mirrors = new[] { Mirror(harness.Database), Mirror(second), Mirror(second) };

        // Both follow at once while the chain grows and reorgs under them: each round rewrites the
        // cursor rows the other is also writing (upserts, old rows forgotten, reorged rows dropped).
        for (var round = 0; round < 80; round++)
        {
            await harness.Client.Rpc.CallAsync("anvil_mine", ["0x3"]);
            if (round % 5 == 4) await harness.Client.Rpc.CallAsync("anvil_reorg", [3, Array.Empty<object>()]);
            await Task.WhenAll(mirrors.Select(m => m.RunOnceAsync()));
        }

        await mirrors[0].RunOnceAsync();
        await using var connection = await harness.Database.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT number, hash FROM chain_cursors WHERE follower = 'membership' ORDER BY number DESC LIMIT 20", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var checkedRows = 0;
        while (await reader.ReadAsync())
        {
            var block = await harness.Client.GetBlockByNumberAsync((ulong)reader.GetInt64(0));
            Assert.Equal(block!.Hash, new Hash32((byte[])reader[1]));
            checkedRows++;
        }

        Assert.Equal(20, checkedRows);
    }

    [Fact]
    public async Task A_mirror_round_waits_while_another_process_holds_its_follower()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var governance = harness.Contracts().Governance!;
        var mirror = new MembershipMirror(harness.Database, harness.Client, governance.Targets.Identity, governance.IdentityAbi, governance.StartBlock, harness.Log);
        await using var connection = await harness.Database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await new PostgresChainCursor(harness.Database, "membership").LockAsync(connection, transaction, default);

        var round = mirror.RunOnceAsync();
        var first = await Task.WhenAny(round, Task.Delay(TimeSpan.FromSeconds(2)));
        Assert.NotSame(round, first); // the other process's round is still running: this one waits its turn
        await transaction.CommitAsync();
        await round.WaitAsync(TimeSpan.FromMinutes(1));
    }

    /// Deeper than the confirmations plus the old 64-block look-back, and deeper than anvil's
    /// `finalized` tag (head − 64): the batch is re-checked until it is final by both measures, so the
    /// reorg that removed it is seen and the batch anchored again.
    [Fact]
    public async Task A_reorg_of_depth_128_under_a_confirmed_batch_gets_it_anchored_again()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        await harness.Client.Rpc.CallAsync("anvil_mine", ["0x40"]); // a chain long enough for the reorg to leave the deployment
        var group = harness.Loomio.AddGroup("Members");
        harness.Loomio.Close(harness.Loomio.AddPoll(group, "Proposal"));
        await harness.Ingestor().ReconcileGroupAsync(group);
        var pipeline = harness.Pipeline(confirmations: 2);
        await harness.RunUntilConfirmedAsync(pipeline);
        var anchorBlock = (await DecisionQueries.AnchoredAsync(harness.Database))[0].BlockNumber!.Value;
        await harness.Client.Rpc.CallAsync("anvil_mine", ["0x64"]); // 100 blocks on top
        await pipeline.RunRoundAsync();
        var finalized = (await harness.Client.GetBlockByTagAsync("finalized"))!.Number;
        Assert.True((ulong)anchorBlock <= finalized, "anvil already calls the anchoring block final: its tag alone would stop the re-checks");

        await harness.Client.Rpc.CallAsync("anvil_reorg", [128, Array.Empty<object>()]);
        Assert.Equal(0UL, (ulong)await harness.AnchorContract.CallAsync<BigInteger>("batchCount"));
        await harness.RunUntilConfirmedAsync(pipeline);
        Assert.Equal(1UL, (ulong)await harness.AnchorContract.CallAsync<BigInteger>("batchCount"));
        foreach (var decision in await DecisionQueries.AnchoredAsync(harness.Database)) await VerifyAsync(harness, decision);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Reorgs_of_depth_one_to_five_keep_every_anchor_on_the_canonical_chain(int depth)
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var group = harness.Loomio.AddGroup("Members");
        for (var i = 0; i < 3; i++) harness.Loomio.Close(harness.Loomio.AddPoll(group, $"Proposal {i}"));
        await harness.Ingestor().ReconcileGroupAsync(group);
        var pipeline = harness.Pipeline(confirmations: 2);
        await harness.RunUntilConfirmedAsync(pipeline);
        var anchorBlock = (await DecisionQueries.AnchoredAsync(harness.Database))[0].BlockNumber!.Value;
        var head = (long)await harness.Client.BlockNumberAsync();

        // The reorg replaces the newest `depth` blocks with empty ones; it removes the anchor when that deep.
        await harness.Client.Rpc.CallAsync("anvil_reorg", [depth, Array.Empty<object>()]);
        var removed = head - depth < anchorBlock;
        await harness.RunUntilConfirmedAsync(pipeline);
        var after = await DecisionQueries.AnchoredAsync(harness.Database);
        foreach (var decision in after) await VerifyAsync(harness, decision);
        Assert.Equal(1UL, (ulong)await harness.AnchorContract.CallAsync<BigInteger>("batchCount"));
        // Anchored again exactly when the reorg removed it; otherwise left alone, in its block.
        await using var connection = await harness.Database.OpenAsync();
        var submissions = (await GlassBoxLog.ReadAsync(connection, default)).Count(e => e.Kind == "intent" && e.Action == "anchor.submit");
        Assert.Equal(removed ? 2 : 1, submissions);
        if (!removed) Assert.Equal(anchorBlock, after[0].BlockNumber);
    }

    [Fact]
    public async Task A_reorg_that_drops_an_anchor_is_detected_and_the_batch_anchored_again()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var group = harness.Loomio.AddGroup("Members");
        for (var i = 0; i < 3; i++)
        {
            var key = harness.Loomio.AddPoll(group, $"Proposal {i}");
            harness.Loomio.Close(key);
        }

        await harness.Ingestor().ReconcileGroupAsync(group);
        var pipeline = harness.Pipeline(confirmations: 2);
        await harness.RunUntilConfirmedAsync(pipeline);
        var before = (await DecisionQueries.AnchoredAsync(harness.Database))[0];

        // Replace the last blocks (the anchor's among them) with empty ones: the anchor is gone.
        var depth = (long)(await harness.Client.BlockNumberAsync()) - before.BlockNumber!.Value + 1;
        await harness.Client.Rpc.CallAsync("anvil_reorg", [depth, Array.Empty<object>()]);
        Assert.False(await harness.AnchorContract.CallAsync<bool>("verifyInclusion", [before.Reference.ToAbiTuple()]));

        await harness.RunUntilConfirmedAsync(pipeline);
        var after = await DecisionQueries.AnchoredAsync(harness.Database);
        Assert.All(after, a => Assert.Equal(before.Reference.Root, a.Reference.Root));
        foreach (var decision in after) await VerifyAsync(harness, decision);
        Assert.Equal(1UL, (ulong)await harness.AnchorContract.CallAsync<BigInteger>("batchCount"));
    }
}
