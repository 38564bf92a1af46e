using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Loomio;
using Iskander.Chain.Loomio.Emulator;
using Iskander.Chain.Testing;

namespace Iskander.Chain.Bridge.Tests;

public sealed class WebhookHintTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Theory]
    [InlineData("{\"text\":\"Ada closed the proposal: [Adopt?](https://loomio.example.org/p/AbCd1234/adopt-the-budget)\"}", "AbCd1234")]
    [InlineData("{\"text\":\"[Budget](https://loomio.example.org/p/pol00301)\"}", "pol00301")]
    [InlineData("{\"text\":\"new comment: https://loomio.example.org/d/XyZ98765/budget/5\"}", null)]
    [InlineData(null, null)]
    public void Poll_links_in_webhook_text_are_hints(string? body, string? expected)
    {
        Assert.Equal(expected is null ? [] : [expected], WebhookHints.PollKeys(body));
    }

    [Fact]
    public async Task Only_the_newest_deliveries_of_each_group_are_kept()
    {
        await using var database = new BridgeDatabase(await postgres.CreateDatabaseAsync());
        await database.MigrateAsync();
        for (var i = 0; i < HintLog.KeptPerGroup + 20; i++) await HintLog.RecordAsync(database, 7, $"{{\"n\":{i}}}", default);
        await HintLog.RecordAsync(database, 8, "{}", default);

        Assert.Equal(HintLog.KeptPerGroup, await HintLog.CountAsync(database, 7, default));
        Assert.Equal(1, await HintLog.CountAsync(database, 8, default));
        await using var connection = await database.OpenAsync();
        await using var oldest = new Npgsql.NpgsqlCommand("SELECT body FROM hints WHERE group_id = 7 ORDER BY id LIMIT 1", connection);
        Assert.Equal("{\"n\":20}", await oldest.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_Loomio_3_0_without_poll_listing_is_followed_through_webhook_links()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        await using var loomio = await LoomioEmulator.StartAsync(LoomioShape.V3_0);
        var group = loomio.AddGroup("Members");
        var key = loomio.AddPoll(group, "Adopt the budget?");
        loomio.Close(key);
        loomio.SetOutcome(key, "<p>Adopted.</p>");
        var client = new LoomioClient(new HttpClient(), new LoomioClientOptions { BaseUrl = loomio.BaseUrl, ApiKey = loomio.ApiKey });
        var service = new BridgeService(new DecisionIngestor(harness.Database, client, loomio.BaseUrl, harness.Log), client, harness.Pipeline(confirmations: 1),
            new BridgeServiceOptions { Groups = [group], HintDebounce = TimeSpan.Zero, IdleDelay = TimeSpan.FromMilliseconds(100) }, harness.Log);
        using var cancel = new CancellationTokenSource();
        var loop = service.RunAsync(cancel.Token);

        service.Hint(group, $"{{\"text\":\"Ada Lovelace shared a proposal outcome: [Adopt the budget?]({loomio.BaseUrl}p/{key}/adopt-the-budget)\"}}");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        IReadOnlyList<AnchoredDecision> anchored = [];
        while (DateTime.UtcNow < deadline && (anchored = await DecisionQueries.AnchoredAsync(harness.Database, key)).All(a => a.BatchStatus != "confirmed"))
        {
            await harness.Client.Rpc.CallAsync("evm_mine", []);
            await Task.Delay(200);
        }

        await cancel.CancelAsync();
        await loop;
        var decision = Assert.Single(anchored);
        Assert.Equal("decided", decision.State);
        Assert.Equal("confirmed", decision.BatchStatus);
        Assert.Null(service.LastError); // the missing listing is expected on 3.0.x, not an error
    }

    [Fact]
    public async Task A_hinted_group_Loomio_cannot_answer_stays_due_and_its_error_stands_until_Loomio_answers_again()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        LoomioEmulator? loomio = await LoomioEmulator.StartAsync();
        var group = loomio.AddGroup("Members");
        var address = loomio.BaseUrl;
        var client = new LoomioClient(new HttpClient(), new LoomioClientOptions { BaseUrl = address, ApiKey = loomio.ApiKey });
        var service = new BridgeService(new DecisionIngestor(harness.Database, client, address, harness.Log), client, harness.Pipeline(confirmations: 1),
            new BridgeServiceOptions { Groups = [group], HintDebounce = TimeSpan.Zero, IdleDelay = TimeSpan.FromMilliseconds(100), ReconcileInterval = TimeSpan.FromDays(1) }, harness.Log);
        using var cancel = new CancellationTokenSource();
        var loop = service.RunAsync(cancel.Token);
        try
        {
            await UntilAsync(() => service.LastSuccess is not null && service.LastError is null, "the first round");
            await loomio.DisposeAsync();
            loomio = null;
            service.Hint(group);
            await UntilAsync(() => service.LastError?.Contains("Loomio unreachable", StringComparison.Ordinal) == true, "the hinted reconcile's failure");
            // Past the first two ingestion backoffs (2 s, 4 s): the hinted group is tried again and fails again, so the error stands.
            await Task.Delay(TimeSpan.FromSeconds(7));
            Assert.Contains("Loomio unreachable", service.LastError ?? "(no error)", StringComparison.Ordinal);

            // Loomio back at its address, with a poll closed meanwhile: the hint was kept, so it is recorded without waiting for the next scheduled reconcile.
            loomio = await LoomioEmulator.StartAsync(listen: $"http://127.0.0.1:{address.Port}");
            Assert.Equal(group, loomio.AddGroup("Members"));
            loomio.Close(loomio.AddPoll(group, "Adopt the budget?"));
            await UntilAsync(() => service.LastError is null, "the error to clear once Loomio answers", TimeSpan.FromSeconds(60));
            Assert.Equal(1, (await DecisionQueries.StatusCountsAsync(harness.Database)).Values.Sum());
        }
        finally
        {
            await cancel.CancelAsync();
            await loop;
            if (loomio is not null) await loomio.DisposeAsync();
        }
    }

    private static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
