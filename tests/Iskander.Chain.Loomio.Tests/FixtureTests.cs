using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Iskander.Chain.Loomio.Tests;

/// <summary>
/// The client against answers written by hand from Loomio's serialisers (Fixtures/main: current
/// Loomio's PollSerializer with topics and, through them, groups; OutcomeSerializer, calculate_results rows; Fixtures/v3_0: the
/// 3.0.x shapes with discussion_id and DiscussionSerializer's side-loaded active polls), served over
/// loopback HTTP: an oracle independent of the emulator, which was written with the client.
/// </summary>
public sealed class FixtureTests
{
    private static readonly HttpClient Http = new();

    private static readonly Dictionary<string, string> Routes = new(StringComparer.Ordinal)
    {
        ["/api/b2/polls/Xk4Lm9Qa"] = "main/poll-decided.json",
        ["/api/b2/polls"] = "main/polls-page.json",
        ["/api/b2/polls/AbCd1234"] = "v3_0/poll-decided.json",
        ["/api/b2/discussions/Th8Rr2Ww"] = "v3_0/discussion.json",
    };

    [Fact]
    public async Task Current_Loomio_s_poll_answer_becomes_a_record_without_tokens_or_voters()
    {
        await using var server = await FixtureServer.StartAsync();
        var document = (await server.Client.GetPollAsync("Xk4Lm9Qa"))!;
        var poll = Assert.Single(document.Polls);
        Assert.Equal((7711L, 77L, (long?)null), (poll.TopicId!.Value, poll.GroupId!.Value, poll.DiscussionId));
        Assert.NotNull(poll.OpenedAt);
        var outcome = document.CurrentOutcome(poll)!;
        Assert.Equal(8801, outcome.Id);
        Assert.Null(outcome.ReviewOn);
        Assert.Null(document.Meta!.Total);
        // Current Loomio side-loads the poll's group through its topic (PollSerializer has_one :topic,
        // TopicSerializer has_one :group, root :groups): a public group's poll is public.
        Assert.True(document.IsPublic(poll));

        var record = JsonNode.Parse(DecisionRecordBuilder.Next(server.BaseUrl, poll, poll.Id, poll.Key, outcome, document.PollOptions, null)!.Bytes)!;
        Assert.Equal("decided", record["state"]!.GetValue<string>());
        // Loomio's rows, by option id: the undecided row (-1) first, names as Loomio gives them (i18n keys).
        Assert.Equal([-1L, 9101, 9102, 9103, 9104], record["results"]!.AsArray().Select(r => r!["optionId"]!.GetValue<long>()));
        Assert.Equal("poll_proposal_options.agree", record["results"]![1]!["name"]!.GetValue<string>());
        Assert.Equal(2, record["results"]![0]!["voterCount"]!.GetValue<int>());
        Assert.Equal(["agree", "abstain", "disagree", "block"], record["options"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()));
        foreach (var kept in new[] { record.ToJsonString(), document.SourceJson })
        {
            foreach (var secret in new[] { "secretOutcomeToken", "g7oupSecretToken77", "voter_ids", "voter_scores", "1001", "ada@example.org", "Ada Lovelace" }) Assert.DoesNotContain(secret, kept, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Current_Loomio_s_listing_page_with_hidden_and_anonymous_results()
    {
        await using var server = await FixtureServer.StartAsync();
        var page = await server.Client.ListPollsAsync(77, 0);
        Assert.Equal(3, page.Meta!.Total);
        Assert.Equal(["Rt5Yu8Wp", "Pw3Er6Ty"], page.Polls.Select(p => p.Key));
        Assert.Null(page.Polls[0].Results); // hidden until closed: left out
        Assert.Null(page.Polls[0].StanceCounts);
        Assert.True(page.Polls[1].Anonymous);
        Assert.Equal([3.0, 2.0], page.Polls[1].Results!.Select(r => r.Score ?? 0));
        Assert.NotEqual(PollFingerprint.Of(page.Polls[0], null), PollFingerprint.Of(page.Polls[1], null));
        Assert.All(page.Polls, p => Assert.True(page.IsPublic(p))); // the listing side-loads the group the same way
    }

    [Fact]
    public async Task Loomio_3_0_s_poll_and_discussion_answers_are_understood()
    {
        await using var server = await FixtureServer.StartAsync();
        var document = (await server.Client.GetPollAsync("AbCd1234"))!;
        var poll = Assert.Single(document.Polls);
        Assert.Equal((611L, (long?)null, (DateTimeOffset?)null), (poll.DiscussionId!.Value, poll.TopicId, poll.OpenedAt));
        var outcome = document.CurrentOutcome(poll)!;
        Assert.Equal(("2025-03-01", 2), (outcome.ReviewOn, outcome.VersionsCount!.Value));
        Assert.False(document.IsPublic(poll)); // its group says nothing of its privacy here: private
        var record = DecisionRecordBuilder.Next(server.BaseUrl, poll, poll.Id, poll.Key, outcome, document.PollOptions, null)!;
        Assert.Equal(DecisionState.Decided, record.State);
        foreach (var secret in new[] { "secretPollToken", "secretOutcomeToken", "d15cu55ion", "voter_ids", "ada@example.org" })
        {
            Assert.DoesNotContain(secret, document.SourceJson, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, System.Text.Encoding.UTF8.GetString(record.Bytes), StringComparison.Ordinal);
        }

        var thread = (await server.Client.GetDiscussionAsync("Th8Rr2Ww"))!;
        Assert.Equal((612L, "Th8Rr2Ww", 7L), (thread.Discussions[0].Id, thread.Discussions[0].Key, thread.Discussions[0].GroupId!.Value));
        var open = Assert.Single(thread.Polls);
        Assert.Equal(("Gh5Jk8Lm", (DateTimeOffset?)null, true), (open.Key, open.ClosedAt, open.Anonymous!.Value));
        Assert.Null(open.Results);
        Assert.DoesNotContain("e9garden5ecretToken", thread.SourceJson, StringComparison.Ordinal);
    }

    // Serves the fixture files by path on a loopback port, as Loomio would answer (JSON, 200; 404 otherwise).
    private sealed class FixtureServer : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        private FixtureServer(Uri baseUrl)
        {
            BaseUrl = baseUrl;
            _listener.Prefixes.Add(baseUrl.ToString());
            _listener.Start();
            _loop = ServeAsync();
            Client = new LoomioClient(Http, new LoomioClientOptions { BaseUrl = baseUrl, ApiKey = "fixture-key", AuthMode = LoomioAuthMode.Bearer });
        }

        public Uri BaseUrl { get; }

        public LoomioClient Client { get; }

        public static Task<FixtureServer> StartAsync()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return Task.FromResult(new FixtureServer(new Uri($"http://127.0.0.1:{port}/")));
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var response = context.Response;
                if (Routes.TryGetValue(context.Request.Url!.AbsolutePath, out var file))
                {
                    var body = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", file));
                    response.ContentType = "application/json; charset=utf-8";
                    await response.OutputStream.WriteAsync(body);
                }
                else
                {
                    response.StatusCode = 404;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await _loop;
        }
    }
}
