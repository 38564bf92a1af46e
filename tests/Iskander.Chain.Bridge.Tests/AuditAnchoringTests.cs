using System.Text.Json.Nodes;
using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Testing;
using Npgsql;

namespace Iskander.Chain.Bridge.Tests;

/// <summary>The Glass Box's head anchored through the decision batches, and verified from a copy of the log against the chain.</summary>
public sealed class AuditAnchoringTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromHours(2);

    private static async Task<BridgeHarness> AnchoredAsync(PostgresFixture postgres, int polls)
    {
        var harness = await BridgeHarness.StartAsync(postgres);
        var group = harness.Loomio.AddGroup("Members");
        for (var i = 0; i < polls; i++)
        {
            var key = harness.Loomio.AddPoll(group, $"Proposal {i}");
            harness.Loomio.Vote(key, 0, 1);
            harness.Loomio.Close(key);
        }

        await harness.Ingestor().ReconcileGroupAsync(group);
        await harness.RunUntilConfirmedAsync(harness.Pipeline(maxLeaves: 4));
        return harness;
    }

    private static async Task<(List<GlassBoxEntry> Entries, IReadOnlyList<AnchoredAuditHead> Heads)> CopyAsync(BridgeHarness harness)
    {
        var (total, page) = await GlassBoxQueries.PageAsync(harness.Database, new AuditFilter(), 0, 100_000);
        Assert.Equal(total, page.Count);
        // Through the API's JSON form, as a member's copy would be.
        var entries = page.Select(e => GlassBoxEntry.FromJson(JsonNode.Parse(e.ToJson().ToJsonString()))).ToList();
        var heads = (await GlassBoxQueries.HeadsAsync(harness.Database)).Select(h => AnchoredAuditHead.FromJson(JsonNode.Parse(h.ToJson().ToJsonString()))).ToList();
        return (entries, heads);
    }

    private static async Task<AnchorAccounting> AccountAsync(BridgeHarness harness, IReadOnlyList<GlassBoxEntry> entries)
    {
        // Through the API's JSON form, as a member's copy would be.
        var (total, batches) = await BatchLeaves.PageAsync(harness.Database, 0, 1000);
        Assert.Equal(total, batches.Count);
        return await AuditLogVerifier.AccountForAnchorsAsync(entries, batches.Select(b => (JsonObject)JsonNode.Parse(b.ToJsonString())!).ToList(), Chain(harness), harness.Manifest.ChainId,
            harness.Manifest.DeployBlock);
    }

    private static AnchorChain Chain(BridgeHarness harness) => AnchorChain.ReadOnly(harness.Client, harness.Manifest["DecisionAnchor"].Address);

    [Fact]
    public async Task Every_batch_carries_the_log_head_and_a_copy_of_the_log_verifies_against_the_chain()
    {
        await using var harness = await AnchoredAsync(postgres, 6);
        var (entries, heads) = await CopyAsync(harness);
        Assert.Equal(2, heads.Count); // 4 + 2 decisions: one head per batch, each the last leaf
        Assert.All(heads, h => Assert.Equal("confirmed", h.BatchStatus));
        Assert.True(heads[0].Seq < heads[1].Seq);
        foreach (var head in heads)
        {
            Assert.True(await harness.AnchorContract.CallAsync<bool>("verifyInclusion", [head.Reference.ToAbiTuple()])); // the contract itself accepts the head's proof
        }

        var checks = await AuditLogVerifier.VerifyAsync(entries, heads, Chain(harness), 2, Patience, DateTimeOffset.UtcNow);
        Assert.All(checks, c => Assert.True(c.Verdict == Verdict.Pass, $"{c.Name}: {c.Detail}"));
        var accounting = await AccountAsync(harness, entries);
        Assert.True(accounting.Check.Verdict == Verdict.Pass, accounting.Check.Detail);
        Assert.Contains("all 2 batches", accounting.Check.Detail, StringComparison.Ordinal);
        Assert.Equal([AuditLogVerifier.ChainCheck, $"head at entry {heads[0].Seq}", $"head at entry {heads[1].Seq}", AuditLogVerifier.CoverageCheck], checks.Select(c => c.Name));

        // Later entries (the anchoring of the last batch) are not covered yet: fine while young, a failure once overdue.
        var late = await AuditLogVerifier.VerifyAsync(entries, heads, Chain(harness), 2, Patience, DateTimeOffset.UtcNow + Patience * 2);
        Assert.Equal(Verdict.Fail, late.Single(c => c.Name == AuditLogVerifier.CoverageCheck).Verdict);
        // A bridge that hides its heads leaves every old entry uncovered.
        Assert.Equal(Verdict.Fail, (await AuditLogVerifier.VerifyAsync(entries, [], Chain(harness), 2, Patience, DateTimeOffset.UtcNow + Patience * 2)).Last().Verdict);
        // Without a trusted DecisionAnchor, the heads cannot be judged.
        Assert.Contains(await AuditLogVerifier.VerifyAsync(entries, heads, null, 2, Patience, DateTimeOffset.UtcNow), c => c.Verdict == Verdict.Unresolved);
    }

    [Fact]
    public async Task An_idle_bridge_anchors_the_head_alone_once_and_not_its_own_anchoring_forever()
    {
        await using var harness = await AnchoredAsync(postgres, 2);
        var before = (await GlassBoxQueries.HeadsAsync(harness.Database)).Count;
        var idle = harness.Pipeline(maxLeaves: 4, auditInterval: TimeSpan.Zero);
        for (var round = 0; round < 12; round++)
        {
            await idle.RunRoundAsync();
            await harness.Client.Rpc.CallAsync("evm_mine", []);
        }

        var heads = await GlassBoxQueries.HeadsAsync(harness.Database);
        Assert.Equal(before + 1, heads.Count); // the entries after the last decision batch, once; then nothing more to anchor
        Assert.Equal("confirmed", heads[^1].BatchStatus);
        await using (var connection = await harness.Database.OpenAsync())
        await using (var alone = new NpgsqlCommand("SELECT count(*) FROM batches WHERE leaf_count = 1", connection))
        {
            Assert.Equal(1L, await alone.ExecuteScalarAsync());
        }

        var (entries, copied) = await CopyAsync(harness);
        // Everything but the anchoring of that audit-only batch is covered, so even a far later check passes.
        Assert.All(await AuditLogVerifier.VerifyAsync(entries, copied, Chain(harness), 2, Patience, DateTimeOffset.UtcNow + Patience * 10), c => Assert.Equal(Verdict.Pass, c.Verdict));
        Assert.All(entries.Where(e => e.Seq > heads[^1].Seq), e => Assert.Equal("anchor.submit", e.Action));
    }

    [Fact]
    public async Task A_changed_entry_breaks_the_chain_and_a_recomputed_chain_no_longer_meets_the_anchored_heads()
    {
        await using var harness = await AnchoredAsync(postgres, 5);
        var (entries, heads) = await CopyAsync(harness);
        var victim = entries.First(e => e.Action == "content.put" && e.Kind == "intent");

        // Edited in place (the database's owner can lift the append-only trigger): the chain breaks at the entry.
        await using var connection = new NpgsqlConnection(harness.ConnectionString);
        await connection.OpenAsync();
        await Execute(connection, "ALTER TABLE glass_box DISABLE TRIGGER glass_box_no_update");
        await Execute(connection, "UPDATE glass_box SET subject = 'nothing happened' WHERE seq = $1", victim.Seq);
        (entries, heads) = await CopyAsync(harness);
        var checks = await AuditLogVerifier.VerifyAsync(entries, heads, Chain(harness), 2, Patience, DateTimeOffset.UtcNow);
        var chainCheck = checks.Single(c => c.Name == AuditLogVerifier.ChainCheck);
        Assert.Equal(Verdict.Fail, chainCheck.Verdict);
        Assert.Contains($"entry {victim.Seq} ", chainCheck.Detail);

        // Rewritten with every later hash recomputed, and the recorded heads too: the chain holds, but the anchored leaves are the old log's.
        var previous = entries.SingleOrDefault(e => e.Seq == victim.Seq - 1)?.Hash ?? new byte[32];
        foreach (var entry in entries.Where(e => e.Seq >= victim.Seq))
        {
            var hash = GlassBoxLog.Hash(previous, entry);
            await Execute(connection, "UPDATE glass_box SET prev_hash = $2, hash = $3 WHERE seq = $1", entry.Seq, previous, hash);
            await Execute(connection, "UPDATE audit_heads SET hash = $2 WHERE seq = $1", entry.Seq, hash);
            previous = hash;
        }

        (entries, heads) = await CopyAsync(harness);
        checks = await AuditLogVerifier.VerifyAsync(entries, heads, Chain(harness), 2, Patience, DateTimeOffset.UtcNow);
        Assert.Equal(Verdict.Pass, checks.Single(c => c.Name == AuditLogVerifier.ChainCheck).Verdict);
        var rewritten = checks.Where(c => c.Name.StartsWith("head at entry", StringComparison.Ordinal) && c.Verdict == Verdict.Fail).ToList();
        Assert.NotEmpty(rewritten);
        Assert.All(rewritten, c => Assert.Contains("rewritten after it was anchored", c.Detail));
        Assert.All(heads.Where(h => h.Seq < victim.Seq), h => Assert.Equal(Verdict.Pass, checks.Single(c => c.Name == $"head at entry {h.Seq}").Verdict));
    }

    [Fact]
    public async Task A_bridge_that_rewrites_its_log_hides_the_old_heads_and_anchors_a_new_one_is_caught_by_accounting_for_every_anchor()
    {
        await using var harness = await AnchoredAsync(postgres, 5);
        var (entries, _) = await CopyAsync(harness);
        var victim = entries.First(e => e.Action == "content.put" && e.Kind == "intent");
        await using var connection = new NpgsqlConnection(harness.ConnectionString);
        await connection.OpenAsync();
        await Execute(connection, "ALTER TABLE glass_box DISABLE TRIGGER glass_box_no_update");
        await Execute(connection, "UPDATE glass_box SET subject = 'nothing happened' WHERE seq = $1", victim.Seq);
        var previous = entries.SingleOrDefault(e => e.Seq == victim.Seq - 1)?.Hash ?? new byte[32];
        foreach (var entry in entries.Where(e => e.Seq >= victim.Seq))
        {
            var hash = GlassBoxLog.Hash(previous, entry with { Subject = entry.Seq == victim.Seq ? "nothing happened" : entry.Subject });
            await Execute(connection, "UPDATE glass_box SET prev_hash = $2, hash = $3 WHERE seq = $1", entry.Seq, previous, hash);
            previous = hash;
        }

        // The old heads are forgotten, and a fresh head of the rewritten log is anchored alone.
        await Execute(connection, "DELETE FROM audit_heads");
        var idle = harness.Pipeline(maxLeaves: 4, auditInterval: TimeSpan.Zero);
        for (var round = 0; round < 6; round++)
        {
            await idle.RunRoundAsync();
            await harness.Client.Rpc.CallAsync("evm_mine", []);
        }

        (entries, var heads) = await CopyAsync(harness);
        var fresh = Assert.Single(heads);
        Assert.Equal("confirmed", fresh.BatchStatus);
        // What the bridge reports checks out on its own: the chain is whole and its only head is on chain …
        Assert.All(await AuditLogVerifier.VerifyAsync(entries, heads, Chain(harness), 2, Patience, DateTimeOffset.UtcNow), c => Assert.Equal(Verdict.Pass, c.Verdict));
        // … but the anchors the chain lists hold heads the bridge no longer explains.
        var accounting = await AccountAsync(harness, entries);
        Assert.Equal(Verdict.Fail, accounting.Check.Verdict);
        Assert.Contains("the bridge explains", accounting.Check.Detail, StringComparison.Ordinal);
        Assert.Empty(accounting.Unreported);

        // Reporting the old heads with the rewritten log's hashes does not help: their leaves no longer give the anchored roots.
        await Execute(connection, "DELETE FROM audit_heads WHERE batch_id <> (SELECT max(id) FROM batches)");
        (entries, _) = await CopyAsync(harness);
        accounting = await AccountAsync(harness, entries);
        Assert.Equal(Verdict.Fail, accounting.Check.Verdict);

        // And dropping the old batches altogether leaves anchors that are not the bridge's.
        await Execute(connection, "UPDATE decision_versions SET batch_id = NULL, leaf_index = NULL, status = 'stored'");
        await Execute(connection, "DELETE FROM batches WHERE id <> (SELECT batch_id FROM audit_heads)");
        accounting = await AccountAsync(harness, entries);
        Assert.Equal(Verdict.Fail, accounting.Check.Verdict);
        Assert.Equal(2, accounting.Unreported.Count);
    }

    [Fact]
    public async Task An_anchor_sent_with_the_bridges_key_behind_its_back_is_reported_as_not_the_bridges()
    {
        await using var harness = await AnchoredAsync(postgres, 2);
        var foreign = Hash32.Keccak("anchored behind the bridge's back"u8);
        var anchorer = new Ethereum.Accounts.TransactionSender(harness.Client, new Ethereum.Accounts.LocalSigner(Ethereum.Crypto.PrivateKey.FromHex(harness.Node.Accounts[1].PrivateKey)));
        await harness.AnchorContract.WithSender(anchorer).SendAsync("anchor", [foreign.ToArray(), 1UL]);
        var (entries, _) = await CopyAsync(harness);
        var accounting = await AccountAsync(harness, entries);
        Assert.Equal(Verdict.Fail, accounting.Check.Verdict);
        Assert.Equal(foreign, Assert.Single(accounting.Unreported).Root);
        Assert.Contains("is not one the bridge reports", accounting.Check.Detail, StringComparison.Ordinal);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.Add(new() { Value = value });
        await command.ExecuteNonQueryAsync();
    }
}
