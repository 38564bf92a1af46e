using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Loomio;
using Iskander.Chain.Testing;

namespace Iskander.Chain.Bridge.Tests;

/// <summary>What Loomio refuses (polls that leave the bot user's view, unknown groups) while the bridge keeps running.</summary>
public sealed class LoomioRefusalTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task An_unknown_group_is_reported_as_such_and_the_other_groups_are_anchored()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var members = harness.Loomio.AddGroup("Members");
        var key = harness.Loomio.AddPoll(members, "Adopt the budget?");
        harness.Loomio.Close(key);
        var client = new LoomioClient(new HttpClient(), new LoomioClientOptions { BaseUrl = harness.Loomio.BaseUrl, ApiKey = harness.Loomio.ApiKey });
        var service = new BridgeService(new DecisionIngestor(harness.Database, client, harness.Loomio.BaseUrl, harness.Log), client, harness.Pipeline(confirmations: 1),
            new BridgeServiceOptions { Groups = [99_999, members], IdleDelay = TimeSpan.FromMilliseconds(100) }, harness.Log);
        using var cancel = new CancellationTokenSource();
        var loop = service.RunAsync(cancel.Token);
        try
        {
            await WaitForAsync(harness, () => ConfirmedStatesAsync(harness, key), ["closed_no_outcome"]);
            // The round that anchored it may still be finishing: its error report follows.
            for (var i = 0; i < 50 && service.LastError is null; i++) await Task.Delay(100);
            Assert.True(service.LastError?.Contains("Loomio has no group 99999", StringComparison.Ordinal), service.LastError ?? "(no error)");
        }
        finally
        {
            await cancel.CancelAsync();
            await loop;
        }
    }

    [Fact]
    public async Task A_large_first_reconcile_goes_on_across_rate_limit_windows_while_anchoring_goes_on()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var members = harness.Loomio.AddGroup("Members");
        for (var i = 0; i < 60; i++) harness.Loomio.Close(harness.Loomio.AddPoll(members, $"Proposal {i}"));
        var window = TimeSpan.FromSeconds(3);
        harness.Loomio.Throttle(25, window); // Loomio's limit, scaled down from 300 per 5 minutes
        var client = new LoomioClient(new HttpClient(), new LoomioClientOptions
        {
            BaseUrl = harness.Loomio.BaseUrl, ApiKey = harness.Loomio.ApiKey, RequestsPerWindow = 20, RateWindow = window,
        });
        var service = new BridgeService(new DecisionIngestor(harness.Database, client, harness.Loomio.BaseUrl, harness.Log), client, harness.Pipeline(confirmations: 1),
            new BridgeServiceOptions { Groups = [members], IdleDelay = TimeSpan.FromMilliseconds(100) }, harness.Log);
        using var cancel = new CancellationTokenSource();
        var loop = service.RunAsync(cancel.Token);
        var anchoredWhileReconciling = false;
        var confirmed = 0;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (DateTime.UtcNow < deadline && confirmed < 60)
            {
                var counts = await DecisionQueries.StatusCountsAsync(harness.Database);
                confirmed = counts.GetValueOrDefault("batched/confirmed");
                if (confirmed > 0 && counts.Values.Sum() < 60) anchoredWhileReconciling = true;
                await harness.Client.Rpc.CallAsync("evm_mine", []);
                await Task.Delay(200);
            }
        }
        finally
        {
            await cancel.CancelAsync();
            await loop;
        }

        Assert.Equal(60, confirmed);
        Assert.True(anchoredWhileReconciling, "versions recorded early were anchored before the reconcile finished");
        Assert.Equal(0, harness.Loomio.Throttled); // the client stayed below Loomio's limit
    }

    [Fact]
    public async Task Discarded_hidden_and_deleted_polls_become_versions_while_the_rest_keeps_anchoring()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var members = harness.Loomio.AddGroup("Members");
        var board = harness.Loomio.AddGroup("Board");
        string Decided(long group, string title)
        {
            var key = harness.Loomio.AddPoll(group, title);
            harness.Loomio.Vote(key, 0, 2);
            harness.Loomio.Close(key);
            harness.Loomio.SetOutcome(key, $"<p>{title}: adopted.</p>");
            return key;
        }

        var discarded = Decided(members, "Adopt the budget?");
        var deleted = Decided(members, "Paint the hall?");
        var kept = Decided(members, "Hire a bookkeeper?");
        var boardPoll = Decided(board, "Elect a chair?");
        var client = new LoomioClient(new HttpClient(), new LoomioClientOptions { BaseUrl = harness.Loomio.BaseUrl, ApiKey = harness.Loomio.ApiKey, Backoff = TimeSpan.FromMilliseconds(50) });
        var service = new BridgeService(new DecisionIngestor(harness.Database, client, harness.Loomio.BaseUrl, harness.Log), client, harness.Pipeline(confirmations: 1),
            new BridgeServiceOptions { Groups = [members, board], HintDebounce = TimeSpan.Zero, IdleDelay = TimeSpan.FromMilliseconds(100) }, harness.Log);
        using var cancel = new CancellationTokenSource();
        var loop = service.RunAsync(cancel.Token);
        try
        {
            await WaitForAsync(harness, () => ConfirmedStatesAsync(harness, discarded, deleted, kept, boardPoll), ["decided", "decided", "decided", "decided"]);

            // Loomio's answers now: 403 for the discarded poll and for the board's poll (the bot left the
            // board), 404 for the deleted one; a new decision arrives meanwhile.
            harness.Loomio.Discard(discarded);
            harness.Loomio.Delete(deleted);
            harness.Loomio.HideGroupFromBot(board);
            var later = Decided(members, "Buy a printer?");
            service.Hint(members);
            service.Hint(board);

            await WaitForAsync(harness, () => ConfirmedStatesAsync(harness, discarded, deleted, kept, boardPoll, later),
                ["decided withdrawn", "decided deleted", "decided", "decided withdrawn", "decided"]);
            Assert.Null(service.LastError);
        }
        finally
        {
            await cancel.CancelAsync();
            await loop;
        }

        // The withdrawn version chains to the anchored one and says only what is known.
        var versions = await DecisionQueries.AnchoredAsync(harness.Database, discarded);
        var record = System.Text.Json.Nodes.JsonNode.Parse(versions[1].Record)!;
        Assert.Equal("withdrawn", record["state"]!.GetValue<string>());
        Assert.Null(record["poll"]);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(versions[0].Record)), record["previous"]!["sha256"]!.GetValue<string>());
        var verifier = harness.Verifier(confirmations: 1);
        foreach (var version in versions) Assert.All(await verifier.VerifyAsync(version), c => Assert.Equal(Verdict.Pass, c.Verdict));
        // A re-read of Loomio (403 now) rebuilds the withdrawn version exactly.
        Assert.Equal(Verdict.Pass, (await LoomioReread.CheckAsync(client, harness.Loomio.BaseUrl, versions[1].Record)).Verdict);
    }

    private static async Task<string[]> ConfirmedStatesAsync(BridgeHarness harness, params string[] keys)
    {
        var states = new List<string>();
        foreach (var key in keys)
        {
            var versions = await DecisionQueries.AnchoredAsync(harness.Database, key);
            states.Add(string.Join(' ', versions.Where(v => v.BatchStatus == "confirmed").Select(v => v.State)));
        }

        return [.. states];
    }

    private static async Task WaitForAsync(BridgeHarness harness, Func<Task<string[]>> states, string[] expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var seen = Array.Empty<string>();
        while (DateTime.UtcNow < deadline)
        {
            seen = await states();
            if (seen.SequenceEqual(expected)) return;
            await harness.Client.Rpc.CallAsync("evm_mine", []);
            await Task.Delay(200);
        }

        Assert.Equal(expected, seen);
    }
}
