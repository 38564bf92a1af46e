using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Loomio;
using Iskander.Chain.Loomio.Emulator;
using Iskander.Chain.Testing;
using Npgsql;

namespace Iskander.Chain.Bridge.Tests;

/// <summary>How the bridge finds polls: paging the listing, following 3.0.x's discussion links, and only in the groups it follows.</summary>
public sealed class LoomioFollowingTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly HttpClient Http = new();

    private static DecisionIngestor Ingestor(BridgeHarness harness, LoomioEmulator loomio, int pageSize = 50) =>
        new(harness.Database, new LoomioClient(Http, new LoomioClientOptions { BaseUrl = loomio.BaseUrl, ApiKey = loomio.ApiKey, PageSize = pageSize }), loomio.BaseUrl, harness.Log);

    [Fact]
    public async Task Every_poll_of_a_group_is_recorded_across_pages_and_a_server_ignoring_the_offset_is_an_error()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var loomio = harness.Loomio;
        var group = loomio.AddGroup("Members");
        for (var i = 0; i < 5; i++) loomio.Close(loomio.AddPoll(group, $"Proposal {i}"));

        Assert.Equal(5, await Ingestor(harness, loomio, pageSize: 2).ReconcileGroupAsync(group));
        Assert.Equal(["from=0&per=2&offset=0&limit=2", "from=2&per=2&offset=2&limit=2", "from=4&per=2&offset=4&limit=2", "from=5&per=2&offset=5&limit=2"], Listings(loomio, group));

        // A server that answers its first page whatever 'from' says: one clear error after the second
        // page, instead of re-reading the first page up to the horizon and taking the rest as gone.
        var other = loomio.AddGroup("Board");
        for (var i = 0; i < 5; i++) loomio.Close(loomio.AddPoll(other, $"Motion {i}"));
        loomio.IgnoresPagingOffset = true;
        var error = await Assert.ThrowsAsync<LoomioApiException>(() => Ingestor(harness, loomio, pageSize: 2).ReconcileGroupAsync(other));
        Assert.Contains("ignores the paging parameter 'from'", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, Listings(loomio, other).Count);
        Assert.Equal(7, await CountAsync(harness, "SELECT count(*) FROM decision_versions"));
    }

    [Fact]
    public async Task Loomio_3_0_discussion_links_lead_to_their_open_polls_which_are_recorded_once_closed()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        await using var loomio = await LoomioEmulator.StartAsync(LoomioShape.V3_0);
        var group = loomio.AddGroup("Members");
        var thread = loomio.AddDiscussion(group, "Budget 2027");
        var key = loomio.AddPoll(group, "Adopt the budget?", discussionKey: thread);
        loomio.Vote(key, 0, 4);
        var ingestor = Ingestor(harness, loomio);

        // Open: the poll becomes known; nothing is decided yet.
        Assert.Equal(0, await ingestor.ReconcileDiscussionAsync(thread, [group]));
        Assert.Equal(1, await CountAsync(harness, $"SELECT count(*) FROM polls WHERE poll_key = '{key}'"));

        // Closed: Loomio no longer side-loads it with the discussion, and 3.0.x lists no polls, so the
        // group's reconcile reads the known poll itself.
        loomio.Close(key);
        loomio.SetOutcome(key, "<p>Adopted.</p>");
        Assert.Equal(0, await ingestor.ReconcileDiscussionAsync(thread, [group]));
        Assert.Equal(1, await ingestor.ReconcileGroupAsync(group));
        Assert.Equal(["decided"], await StatesAsync(harness, key));

        // Recorded: the hourly reconcile no longer reads it (Loomio's request budget), the daily deep scan does.
        loomio.EditOutcome(key, "<p>Adopted; the pond waits.</p>");
        var reads = Reads(loomio, key);
        Assert.Equal(0, await ingestor.ReconcileGroupAsync(group));
        Assert.Equal(reads, Reads(loomio, key));
        Assert.Equal(1, await ingestor.ReconcileGroupAsync(group, ingestor.MaxPolls + 1));
        Assert.Equal(["decided", "outcome_revised"], await StatesAsync(harness, key));
    }

    // The service as `serve` runs it, following `groups` (none: every group the bot user sees), with hints acted on at once.
    [Fact]
    public async Task A_thread_moved_between_followed_groups_is_followed_there_and_one_moved_out_is_withdrawn_from_view_once()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var loomio = harness.Loomio;
        var (members, board, elsewhere) = (loomio.AddGroup("Members"), loomio.AddGroup("Board"), loomio.AddGroup("Neighbours' association"));
        var staying = loomio.AddPoll(members, "Adopt the budget?");
        var leaving = loomio.AddPoll(members, "Share the van?");
        foreach (var key in new[] { staying, leaving }) loomio.Close(key);
        var ingestor = new DecisionIngestor(harness.Database, new LoomioClient(Http, new LoomioClientOptions { BaseUrl = loomio.BaseUrl, ApiKey = loomio.ApiKey }), loomio.BaseUrl, harness.Log)
        {
            FollowedGroups = [members, board],
        };
        Assert.Equal(2, await ingestor.ReconcileGroupAsync(members));

        // One thread moves to the board (followed), the other to a group the bridge does not follow.
        loomio.MoveThread(staying, board);
        loomio.MoveThread(leaving, elsewhere);
        Assert.Equal(1, await ingestor.ReconcileGroupAsync(members)); // both left the listing: each read directly
        Assert.Equal(["closed_no_outcome"], await StatesAsync(harness, staying)); // the same decision, in another followed group: no new version
        Assert.Equal(["closed_no_outcome", "withdrawn"], await StatesAsync(harness, leaving));
        Assert.Equal(board, await CountAsync(harness, $"SELECT group_id FROM polls WHERE poll_key = '{staying}'"));
        Assert.Equal(elsewhere, await CountAsync(harness, $"SELECT group_id FROM polls WHERE poll_key = '{leaving}'"));

        // Nothing more happens: the board's reconcile finds the moved poll unchanged, and the poll that left is not read again.
        var reads = loomio.Requests.Count(r => r.Contains($"/polls/{leaving}", StringComparison.Ordinal));
        Assert.Equal(0, await ingestor.ReconcileGroupAsync(board));
        Assert.Equal(0, await ingestor.ReconcileGroupAsync(members));
        Assert.Equal(reads, loomio.Requests.Count(r => r.Contains($"/polls/{leaving}", StringComparison.Ordinal)));
    }

    private static BridgeService Service(BridgeHarness harness, long[] groups)
    {
        var client = new LoomioClient(Http, new LoomioClientOptions { BaseUrl = harness.Loomio.BaseUrl, ApiKey = harness.Loomio.ApiKey });
        return new BridgeService(new DecisionIngestor(harness.Database, client, harness.Loomio.BaseUrl, harness.Log), client, harness.Pipeline(confirmations: 1),
            new BridgeServiceOptions { Groups = groups, HintDebounce = TimeSpan.Zero, IdleDelay = TimeSpan.FromMilliseconds(100) }, harness.Log);
    }

    private static int Reads(LoomioEmulator loomio, string key) => loomio.Requests.Count(r => r.StartsWith($"GET /api/b2/polls/{key}", StringComparison.Ordinal));

    [Fact]
    public async Task A_poll_outside_the_followed_groups_is_never_recorded_whatever_the_hint_says()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var loomio = harness.Loomio;
        var members = loomio.AddGroup("Members");
        var board = loomio.AddGroup("Board");
        var ours = loomio.AddPoll(members, "Adopt the budget?");
        loomio.Close(ours);
        var boardPoll = loomio.AddPoll(board, "Dismiss the manager?");
        loomio.Close(boardPoll);
        var boardThread = loomio.AddDiscussion(board, "Manager");
        var boardThreadPoll = loomio.AddPoll(board, "Open an inquiry?", discussionKey: boardThread);
        var service = Service(harness, [members]);
        Assert.True(service.Follows(members));
        Assert.False(service.Follows(board));
        Assert.False(service.Follows(-members));

        // A valid webhook of another group, and one of ours linking the other group's poll and thread.
        service.Hint(board, $"{{\"text\":\"[Dismiss]({loomio.BaseUrl}p/{boardPoll})\"}}");
        service.Hint(members, $"{{\"text\":\"see {loomio.BaseUrl}p/{boardPoll} and {loomio.BaseUrl}d/{boardThread}/manager and {loomio.BaseUrl}p/{ours}\"}}");
        using var cancel = new CancellationTokenSource();
        var loop = service.RunAsync(cancel.Token);
        for (var i = 0; i < 300 && service.LastSuccess is null; i++) await Task.Delay(100);
        await cancel.CancelAsync();
        await loop;

        Assert.NotNull(service.LastSuccess);
        Assert.Equal(["closed_no_outcome"], await StatesAsync(harness, ours));
        Assert.Equal(0, await CountAsync(harness, $"SELECT count(*) FROM polls WHERE group_id <> {members} OR poll_key IN ('{boardPoll}', '{boardThreadPoll}')"));
        Assert.Equal(0, await CountAsync(harness, $"SELECT count(*) FROM decision_versions WHERE poll_key <> '{ours}'"));
        // The other group was never listed, nor the polls of its thread read.
        Assert.Empty(Listings(loomio, board));
        Assert.DoesNotContain(loomio.Requests, r => r.Contains($"/polls/{boardThreadPoll}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_configured_groups_a_hint_for_a_group_the_bot_user_does_not_see_is_refused()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var loomio = harness.Loomio;
        var members = loomio.AddGroup("Members");
        var hidden = loomio.AddGroup("Board");
        loomio.HideGroupFromBot(hidden);
        var service = Service(harness, []);
        Assert.True(service.Follows(99_999)); // nothing listed yet: any positive id may be a group of the bot user's

        using var cancel = new CancellationTokenSource();
        var loop = service.RunAsync(cancel.Token);
        for (var i = 0; i < 300 && service.LastSuccess is null; i++) await Task.Delay(100);
        Assert.True(service.Follows(members));
        Assert.False(service.Follows(hidden));
        Assert.False(service.Follows(99_999));
        service.Hint(99_999);
        service.Hint(hidden);
        await Task.Delay(1_000);
        await cancel.CancelAsync();
        await loop;

        Assert.Null(service.LastError); // no 404 for an unknown group, no 403 for a hidden one
        Assert.Empty(Listings(loomio, 99_999));
        Assert.Empty(Listings(loomio, hidden));
    }

    [Fact]
    public async Task A_flood_of_webhook_links_queues_a_bounded_number_of_reads()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var loomio = harness.Loomio;
        var members = loomio.AddGroup("Members");
        var service = Service(harness, [members]);
        for (var i = 0; i < BridgeService.MaxPendingLinks + 50; i++) service.Hint(members, $"{{\"text\":\"{loomio.BaseUrl}p/fake{i:D4}\"}}");

        using var cancel = new CancellationTokenSource();
        var loop = service.RunAsync(cancel.Token);
        for (var i = 0; i < 300 && service.LastSuccess is null; i++) await Task.Delay(100);
        await cancel.CancelAsync();
        await loop;

        Assert.NotNull(service.LastSuccess);
        Assert.Equal(BridgeService.MaxPendingLinks, loomio.Requests.Count(r => r.StartsWith("GET /api/b2/polls/fake", StringComparison.Ordinal)));
        Assert.Equal(2, Listings(loomio, members).Count); // the start-up reconcile, and one for all the hints
    }

    [Theory]
    [InlineData("{\"text\":\"Ada commented: https://loomio.example.org/d/XyZ98765/budget/5\"}", "XyZ98765")]
    [InlineData("{\"text\":\"[Budget](https://loomio.example.org/d/dis00301)\"}", "dis00301")]
    [InlineData("{\"text\":\"[Adopt?](https://loomio.example.org/p/AbCd1234/adopt)\"}", null)]
    [InlineData(null, null)]
    public void Discussion_links_in_webhook_text_are_hints(string? body, string? expected)
    {
        Assert.Equal(expected is null ? [] : [expected], WebhookHints.DiscussionKeys(body));
    }

    // The query strings of the group's poll listings, e.g. "from=0&per=50&offset=0&limit=50".
    private static List<string> Listings(LoomioEmulator loomio, long group) =>
        loomio.Requests.Where(r => r.StartsWith($"GET /api/b2/polls?group_id={group}&status=all&", StringComparison.Ordinal))
            .Select(r => r[$"GET /api/b2/polls?group_id={group}&status=all&".Length..]).ToList();

    private static async Task<List<string>> StatesAsync(BridgeHarness harness, string key)
    {
        await using var connection = await harness.Database.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT state FROM decision_versions WHERE poll_key = $1 ORDER BY version", connection);
        command.Parameters.Add(new() { Value = key });
        var states = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) states.Add(reader.GetString(0));
        return states;
    }

    private static async Task<long> CountAsync(BridgeHarness harness, string sql)
    {
        await using var connection = await harness.Database.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
