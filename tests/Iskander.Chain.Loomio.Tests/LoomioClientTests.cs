using System.Net;
using System.Text.Json.Nodes;
using Iskander.Chain.Loomio.Emulator;

namespace Iskander.Chain.Loomio.Tests;

/// <summary>The b2 client against the Loomio emulator (real HTTP; both API shapes).</summary>
public sealed class LoomioClientTests
{
    private static readonly HttpClient Http = new();

    private static LoomioClient Client(LoomioEmulator loomio, string? key = null, LoomioAuthMode mode = LoomioAuthMode.Auto, int attempts = 4, int pageSize = 50, TimeSpan? timeout = null) =>
        new(Http, new LoomioClientOptions
        {
            BaseUrl = loomio.BaseUrl, ApiKey = key ?? loomio.ApiKey, AuthMode = mode, Attempts = attempts, PageSize = pageSize,
            Backoff = TimeSpan.FromMilliseconds(50), Timeout = timeout ?? TimeSpan.FromSeconds(10), MaxResponseBytes = 4 * 1024 * 1024,
        });

    [Fact]
    public async Task Current_Loomio_pages_polls_newest_first_with_a_bearer_key()
    {
        await using var loomio = await LoomioEmulator.StartAsync();
        var group = loomio.AddGroup("Finance");
        for (var i = 0; i < 7; i++) loomio.AddPoll(group, $"Proposal {i}");
        var client = Client(loomio, pageSize: 3);

        Assert.Equal("Finance", Assert.Single(await client.GetGroupsAsync()).Name);
        Assert.Equal(LoomioAuthMode.Bearer, client.AuthMode);
        var titles = new List<string?>();
        for (var offset = 0; ; offset += 3)
        {
            var page = await client.ListPollsAsync(group, offset);
            Assert.Equal(7, page.Meta?.Total);
            if (page.Polls.Count == 0) break;
            titles.AddRange(page.Polls.Select(p => p.Title));
            Assert.All(page.Polls, p => Assert.NotNull(p.TopicId));
        }

        Assert.Equal(Enumerable.Range(0, 7).Reverse().Select(i => $"Proposal {i}"), titles);
        Assert.DoesNotContain(loomio.Requests, r => r.Contains("api_key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Loomio_3_0_is_reached_with_the_query_key_and_its_shape_is_understood()
    {
        await using var loomio = await LoomioEmulator.StartAsync(LoomioShape.V3_0);
        var group = loomio.AddGroup("Board");
        var key = loomio.AddPoll(group, "Elect a treasurer", "poll", ["Ana", "Bo"]);
        loomio.Vote(key, 1, 2);
        loomio.Close(key);
        var client = Client(loomio);

        var document = await client.GetPollAsync(key);
        Assert.Equal(LoomioAuthMode.QueryParameter, client.AuthMode);
        var poll = Assert.Single(document!.Polls);
        Assert.NotNull(poll.DiscussionId);
        Assert.Null(poll.TopicId);
        Assert.Null(document.Meta?.Total);
        Assert.Equal(2, poll.Results!.Single(r => r.Name == "Bo").Score);
        Assert.Equal(2, document.PollOptions.Count);
        Assert.Contains("\"discussion_id\"", document.SourceJson, StringComparison.Ordinal);
        Assert.Null(await client.GetPollAsync("nosuchkey"));
    }

    [Fact]
    public async Task A_refused_key_is_a_credential_alert()
    {
        await using var loomio = await LoomioEmulator.StartAsync();
        var group = loomio.AddGroup("Finance");
        await Assert.ThrowsAsync<LoomioCredentialException>(() => Client(loomio, key: "wrong").ListPollsAsync(group, 0));
        // Current Loomio rejects keys in the query string.
        await Assert.ThrowsAsync<LoomioCredentialException>(() => Client(loomio, mode: LoomioAuthMode.QueryParameter).ListPollsAsync(group, 0));
    }

    [Theory]
    [InlineData(LoomioShape.Current)]
    [InlineData(LoomioShape.V3_0)]
    public async Task A_discarded_or_hidden_poll_is_denied_to_the_bot_and_only_a_bad_key_is_a_credential_alert(LoomioShape shape)
    {
        await using var loomio = await LoomioEmulator.StartAsync(shape);
        var group = loomio.AddGroup("Finance");
        var hiddenGroup = loomio.AddGroup("Board");
        var discarded = loomio.AddPoll(group, "Budget");
        var hidden = loomio.AddPoll(hiddenGroup, "Chair");
        var visible = loomio.AddPoll(group, "Printer");
        loomio.Discard(discarded);
        loomio.HideGroupFromBot(hiddenGroup);
        var client = Client(loomio);

        await Assert.ThrowsAsync<LoomioAccessDeniedException>(() => client.GetPollAsync(discarded));
        await Assert.ThrowsAsync<LoomioAccessDeniedException>(() => client.GetPollAsync(hidden));
        Assert.Equal(shape == LoomioShape.Current ? LoomioAuthMode.Bearer : LoomioAuthMode.QueryParameter, client.AuthMode);
        Assert.NotNull(await client.GetPollAsync(visible));
        Assert.Null(await client.GetPollAsync("nosuchkey"));
        await Assert.ThrowsAsync<LoomioCredentialException>(() => Client(loomio, key: "wrong").GetPollAsync(discarded));
        await Assert.ThrowsAsync<LoomioCredentialException>(() => Client(loomio, key: "wrong").GetPollAsync(visible));
    }

    [Fact]
    public async Task An_unknown_group_is_not_found_and_a_missing_listing_is_told_apart()
    {
        await using var current = await LoomioEmulator.StartAsync();
        current.AddGroup("Finance");
        var hidden = current.AddGroup("Board");
        current.HideGroupFromBot(hidden);
        var unknown = await Assert.ThrowsAsync<LoomioNotFoundException>(() => Client(current).ListPollsAsync(99_999, 0));
        Assert.Contains("RecordNotFound", unknown.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<LoomioAccessDeniedException>(() => Client(current).ListPollsAsync(hidden, 0));

        // Loomio 3.0.x routes no poll listing: Rails answers its HTML 404 page, not an API error.
        await using var v3 = await LoomioEmulator.StartAsync(LoomioShape.V3_0);
        var group = v3.AddGroup("Finance");
        await Assert.ThrowsAsync<LoomioEndpointUnavailableException>(() => Client(v3, mode: LoomioAuthMode.QueryParameter).ListPollsAsync(group, 0));
    }

    [Fact]
    public async Task Server_errors_and_rate_limits_are_retried()
    {
        await using var loomio = await LoomioEmulator.StartAsync();
        var group = loomio.AddGroup("Finance");
        loomio.AddPoll(group, "Budget");
        loomio.Inject(LoomioFault.ServerError, times: 2);
        loomio.Inject(LoomioFault.CdnRateLimited);
        var page = await Client(loomio).ListPollsAsync(group, 0);
        Assert.Single(page.Polls);
        Assert.Equal(4, loomio.Requests.Count);

        loomio.Inject(LoomioFault.ServerError, times: 3);
        var error = await Assert.ThrowsAsync<LoomioApiException>(() => Client(loomio, attempts: 3).ListPollsAsync(group, 0));
        Assert.Equal(HttpStatusCode.InternalServerError, error.Status);
    }

    [Fact]
    public async Task Loomio_s_429_without_Retry_After_pauses_requests_until_its_next_window()
    {
        await using var loomio = await LoomioEmulator.StartAsync();
        var group = loomio.AddGroup("Finance");
        var key = loomio.AddPoll(group, "Budget");
        var window = TimeSpan.FromSeconds(2);
        loomio.Throttle(3, window);
        var client = new LoomioClient(Http, new LoomioClientOptions { BaseUrl = loomio.BaseUrl, ApiKey = loomio.ApiKey, AuthMode = LoomioAuthMode.Bearer, RateWindow = window });

        // Start just after a window boundary, so three requests surely share one window.
        var now = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromTicks(window.Ticks - ((now - DateTimeOffset.UnixEpoch).Ticks % window.Ticks)) + TimeSpan.FromMilliseconds(50));
        for (var i = 0; i < 3; i++) Assert.NotNull(await client.GetPollAsync(key));
        var limited = await Assert.ThrowsAsync<LoomioRateLimitedException>(() => client.GetPollAsync(key));
        var boundary = DateTimeOffset.UnixEpoch + TimeSpan.FromTicks(((DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / window.Ticks + 1) * window.Ticks);
        Assert.InRange(limited.RetryAt, boundary, boundary + TimeSpan.FromSeconds(1.5));

        // Until then nothing is sent (no hammering of a limited Loomio); afterwards requests flow again.
        var sent = loomio.Requests.Count;
        await Assert.ThrowsAsync<LoomioRateLimitedException>(() => client.GetPollAsync(key));
        Assert.Equal(sent, loomio.Requests.Count);
        Assert.Equal(1, loomio.Throttled);
        await Task.Delay(limited.RetryAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(50));
        Assert.NotNull(await client.GetPollAsync(key));
    }

    [Fact]
    public async Task The_client_keeps_below_its_own_request_budget()
    {
        await using var loomio = await LoomioEmulator.StartAsync();
        var key = loomio.AddPoll(loomio.AddGroup("Finance"), "Budget");
        var client = new LoomioClient(Http, new LoomioClientOptions { BaseUrl = loomio.BaseUrl, ApiKey = loomio.ApiKey, AuthMode = LoomioAuthMode.Bearer, RequestsPerWindow = 5, RateWindow = TimeSpan.FromSeconds(30) });
        for (var i = 0; i < 5; i++) await client.GetPollAsync(key);
        var limited = await Assert.ThrowsAsync<LoomioRateLimitedException>(() => client.GetPollAsync(key));
        Assert.InRange(limited.RetryAt - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(30));
        Assert.Equal(5, loomio.Requests.Count);
    }

    [Theory]
    [InlineData(LoomioFault.TruncatedJson, "malformed JSON")]
    [InlineData(LoomioFault.Html, "an HTML page")]
    [InlineData(LoomioFault.Oversized, "limit")]
    [InlineData(LoomioFault.Slow, "unreachable")]
    public async Task Broken_answers_become_clear_errors(LoomioFault fault, string expected)
    {
        await using var loomio = await LoomioEmulator.StartAsync();
        var group = loomio.AddGroup("Finance");
        loomio.Inject(fault);
        var error = await Assert.ThrowsAsync<LoomioApiException>(() => Client(loomio, attempts: 1, timeout: TimeSpan.FromSeconds(1)).ListPollsAsync(group, 0));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_poll_listing_pages_with_both_versions_paging_names()
    {
        await using var loomio = await LoomioEmulator.StartAsync();
        var group = loomio.AddGroup("Finance");
        for (var i = 0; i < 5; i++) loomio.AddPoll(group, $"Proposal {i}");

        var second = await Client(loomio, pageSize: 2).ListPollsAsync(group, 2);
        Assert.Equal(["Proposal 2", "Proposal 1"], second.Polls.Select(p => p.Title));
        Assert.Equal(5, second.Meta?.Total);
        // from/per for Snorlax's page_collection (3.0.x), offset/limit for current main's b2 listings.
        Assert.Equal($"GET /api/b2/polls?group_id={group}&status=all&from=2&per=2&offset=2&limit=2", loomio.Requests.Last());
    }

    [Theory]
    [InlineData(LoomioShape.Current)]
    [InlineData(LoomioShape.V3_0)]
    public async Task A_discussion_brings_its_group_and_its_open_polls_only(LoomioShape shape)
    {
        await using var loomio = await LoomioEmulator.StartAsync(shape);
        var group = loomio.AddGroup("Finance");
        var thread = loomio.AddDiscussion(group, "Budget 2027");
        var open = loomio.AddPoll(group, "Adopt the budget?", discussionKey: thread);
        var closed = loomio.AddPoll(group, "Adopt the draft?", discussionKey: thread);
        loomio.Close(closed);
        loomio.Discard(loomio.AddPoll(group, "Withdrawn idea", discussionKey: thread));
        loomio.AddPoll(group, "Buy a printer?");
        var hiddenGroup = loomio.AddGroup("Board");
        var hiddenThread = loomio.AddDiscussion(hiddenGroup, "Chair");
        loomio.HideGroupFromBot(hiddenGroup);
        var client = Client(loomio);

        var document = await client.GetDiscussionAsync(thread);
        Assert.Equal(group, Assert.Single(document!.Discussions).GroupId);
        Assert.Equal([open], document.Polls.Select(p => p.Key));
        Assert.DoesNotContain("secret_token", document.SourceJson, StringComparison.Ordinal);
        Assert.Null(await client.GetDiscussionAsync("nosuchkey"));
        await Assert.ThrowsAsync<LoomioAccessDeniedException>(() => client.GetDiscussionAsync(hiddenThread));
    }

    [Theory]
    [InlineData(LoomioShape.Current)]
    [InlineData(LoomioShape.V3_0)]
    public async Task Anonymous_polls_come_without_voter_identities_and_no_record_carries_any(LoomioShape shape)
    {
        await using var loomio = await LoomioEmulator.StartAsync(shape);
        var group = loomio.AddGroup("Members");
        var secret = loomio.AddPoll(group, "Elect the chair", "poll", ["Ana", "Bo"], anonymous: true);
        var named = loomio.AddPoll(group, "Buy a printer?");
        var hidden = loomio.AddPoll(group, "Raise the fee?", hideResults: "until_closed", anonymous: true);
        foreach (var key in new[] { secret, named, hidden })
        {
            loomio.Vote(key, 0, 3);
            loomio.Vote(key, 1, 1);
        }

        loomio.Close(secret);
        loomio.Close(named);

        // Loomio's serialisers: no voter ids or scores for anonymous polls, stances without participant
        // (and, on current Loomio, with pseudonymous ids); a named poll's answer does carry who voted what.
        var secretAnswer = await RawPollAsync(loomio, secret);
        Assert.True(secretAnswer["polls"]![0]!["anonymous"]!.GetValue<bool>());
        Assert.All(secretAnswer["polls"]![0]!["results"]!.AsArray(), r => Assert.Empty(r!["voter_ids"]!.AsArray()));
        var stances = secretAnswer["stances"]!.AsArray();
        Assert.Equal(4, stances.Count);
        Assert.All(stances, st =>
        {
            Assert.Null(st!["participant_id"]);
            if (shape == LoomioShape.Current)
            {
                Assert.Matches("^[0-9a-f]{20}$", st["id"]!.GetValue<string>());
                Assert.False(st.AsObject().ContainsKey("cast_at"));
            }
        });
        var namedAnswer = await RawPollAsync(loomio, named);
        var voters = namedAnswer["stances"]!.AsArray().Select(st => st!["participant_id"]!.GetValue<long>()).ToList();
        Assert.Equal(4, voters.Count);
        Assert.Contains(namedAnswer["polls"]![0]!["results"]!.AsArray(), r => r!["voter_ids"]!.AsArray().Count == 3);

        // Results hidden until closed: neither results nor stance counts nor option scores while open.
        var hiddenAnswer = await RawPollAsync(loomio, hidden);
        Assert.False(hiddenAnswer["polls"]![0]!.AsObject().ContainsKey("results"));
        Assert.All(hiddenAnswer["stances"]!.AsArray(), st => Assert.False(st!.AsObject().ContainsKey("option_scores")));
        var hiddenPoll = Assert.Single((await Client(loomio).GetPollAsync(hidden))!.Polls);
        Assert.Equal("until_closed", hiddenPoll.HideResults);
        Assert.Null(hiddenPoll.Results);
        Assert.Null(hiddenPoll.StanceCounts);

        // Who voted, as Loomio's answers tell it: participant ids, stance ids (numbers) and pseudonyms (strings).
        var stanceIds = stances.Concat(namedAnswer["stances"]!.AsArray()).Select(st => st!["id"]!).ToList();
        var identities = voters.Concat(stanceIds.Where(i => i.GetValueKind() == System.Text.Json.JsonValueKind.Number).Select(i => i.GetValue<long>())).ToHashSet();
        var pseudonyms = stanceIds.Where(i => i.GetValueKind() == System.Text.Json.JsonValueKind.String).Select(i => i.GetValue<string>()).ToList();
        var client = Client(loomio);
        foreach (var key in new[] { secret, named })
        {
            var document = (await client.GetPollAsync(key))!;
            var poll = Assert.Single(document.Polls);
            Assert.Equal(key == secret, poll.Anonymous);
            var version = DecisionRecordBuilder.Next(loomio.BaseUrl, poll, poll.Id, key, document.CurrentOutcome(poll), document.PollOptions, null)!;
            Assert.Equal(4, (int)poll.Results!.Sum(r => r.VoterCount ?? 0));
            foreach (var kept in new[] { JsonNode.Parse(version.Bytes)!, JsonNode.Parse(document.SourceJson)! })
            {
                Assert.Empty(Names(kept).Intersect(VoterFields));
                Assert.DoesNotContain(Numbers(kept), identities.Contains);
                foreach (var pseudonym in pseudonyms) Assert.DoesNotContain(pseudonym, kept.ToJsonString(), StringComparison.Ordinal);
            }
        }
    }

    private static readonly string[] VoterFields = ["stances", "stance_ids", "participant_id", "participantId", "voter_ids", "voterIds", "voter_scores", "inviter_id", "cast_at"];

    private static IEnumerable<string> Names(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => Names(p.Value).Prepend(p.Key)),
        JsonArray array => array.SelectMany(Names),
        _ => [],
    };

    private static IEnumerable<long> Numbers(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => Numbers(p.Value)),
        JsonArray array => array.SelectMany(Numbers),
        JsonValue value when value.TryGetValue<long>(out var n) => [n],
        JsonValue value when value.TryGetValue<double>(out var d) && d == Math.Floor(d) => [(long)d],
        _ => [],
    };

    // The emulator's answer as it is on the wire, with the key as its shape wants it.
    private static async Task<JsonObject> RawPollAsync(LoomioEmulator loomio, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(loomio.BaseUrl, $"api/b2/polls/{key}" + (loomio.Shape == LoomioShape.V3_0 ? $"?api_key={loomio.ApiKey}" : string.Empty)));
        if (loomio.Shape == LoomioShape.Current) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", loomio.ApiKey);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }
}
