using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Iskander.Chain.Anchoring.Records;
using Iskander.Chain.Loomio.Emulator;

namespace Iskander.Chain.Loomio.Tests;

/// <summary>Decision versions built from what the (emulated) Loomio API returns as a poll goes through its life.</summary>
public sealed class DecisionRecordTests
{
    private static readonly HttpClient Http = new();

    private sealed class Tracker(LoomioClient client, Uri instance, string key)
    {
        public PreviousVersion? Previous { get; private set; }

        public List<DecisionVersion> Versions { get; } = [];

        // One reconcile of this poll: read it, and store a version when something changed.
        public async Task<DecisionVersion?> ReconcileAsync()
        {
            LoomioDocument? document = null;
            var absence = DecisionState.Deleted;
            try
            {
                document = await client.GetPollAsync(key);
            }
            catch (LoomioAccessDeniedException)
            {
                absence = DecisionState.Withdrawn;
            }

            var poll = document?.Polls.SingleOrDefault();
            var next = DecisionRecordBuilder.Next(instance, poll, poll?.Id ?? 0, key, poll is null ? null : document!.CurrentOutcome(poll), document?.PollOptions ?? [], Previous, absence);
            if (next is null) return null;
            Versions.Add(next);
            Previous = new PreviousVersion(next.Version, next.State, next.Fingerprint, next.Sha256, next.OutcomeId, next.OutcomeVersions);
            return next;
        }
    }

    [Fact]
    public async Task A_poll_s_life_becomes_a_chain_of_versions_and_nothing_else()
    {
        await using var loomio = await LoomioEmulator.StartAsync();
        var group = loomio.AddGroup("Finance");
        var key = loomio.AddPoll(group, "Adopt the 2027 budget?");
        loomio.Vote(key, 0, 3);
        loomio.Vote(key, 2, 1);
        var tracker = new Tracker(new LoomioClient(Http, new LoomioClientOptions { BaseUrl = loomio.BaseUrl, ApiKey = loomio.ApiKey }), loomio.BaseUrl, key);

        Assert.Null(await tracker.ReconcileAsync()); // open: not a decision
        loomio.Close(key);
        Assert.Equal(DecisionState.ClosedNoOutcome, (await tracker.ReconcileAsync())!.State);
        Assert.Null(await tracker.ReconcileAsync()); // unchanged: no new version
        loomio.SetOutcome(key, "<p>Adopted with three votes in favour.</p>");
        Assert.Equal(DecisionState.Decided, (await tracker.ReconcileAsync())!.State);
        loomio.EditOutcome(key, "<p>Adopted; one member disagreed.</p>");
        Assert.Equal(DecisionState.OutcomeRevised, (await tracker.ReconcileAsync())!.State);
        loomio.Reopen(key);
        Assert.Equal(DecisionState.Reopened, (await tracker.ReconcileAsync())!.State);
        Assert.Null(await tracker.ReconcileAsync());
        loomio.Close(key);
        Assert.Equal(DecisionState.Decided, (await tracker.ReconcileAsync())!.State);
        loomio.SetOutcome(key, "<p>Superseded: adopted with amendments.</p>");
        Assert.Equal(DecisionState.OutcomeRevised, (await tracker.ReconcileAsync())!.State);
        loomio.Discard(key); // Loomio answers 403: withdrawn from the bot's view
        Assert.Equal(DecisionState.Withdrawn, (await tracker.ReconcileAsync())!.State);
        Assert.Null(await tracker.ReconcileAsync());
        loomio.Delete(key); // and 404 once deleted for good
        Assert.Equal(DecisionState.Deleted, (await tracker.ReconcileAsync())!.State);
        Assert.Null(await tracker.ReconcileAsync());

        // Each version links to the one before by hash, numbers run 1…n, and bytes are canonical.
        for (var i = 0; i < tracker.Versions.Count; i++)
        {
            var version = tracker.Versions[i];
            var record = JsonNode.Parse(version.Bytes)!;
            Assert.Equal(i + 1, record["version"]!.GetValue<int>());
            Assert.Equal(version.Bytes, JsonCanonicalizer.Canonicalize(record));
            Assert.Equal(DecisionRecordBuilder.Schema, record["schema"]!.GetValue<string>());
            Assert.Equal(key, record["source"]!["pollKey"]!.GetValue<string>());
            if (i == 0) Assert.Null(record["previous"]);
            else Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(tracker.Versions[i - 1].Bytes)), record["previous"]!["sha256"]!.GetValue<string>());
        }

        var decided = JsonNode.Parse(tracker.Versions[1].Bytes)!;
        Assert.Equal("<p>Adopted with three votes in favour.</p>", decided["outcome"]!["statement"]!.GetValue<string>());
        Assert.Equal([3.0, 0.0, 1.0, 0.0], decided["results"]!.AsArray().Select(r => r!["score"]!.GetValue<double>()));
        Assert.Equal(4, decided["counts"]!["decided"]!.GetValue<int>());
        Assert.Null(JsonNode.Parse(tracker.Versions[^1].Bytes)!["poll"]);
    }

    [Fact]
    public async Task Hidden_results_are_absent_until_the_poll_closes()
    {
        await using var loomio = await LoomioEmulator.StartAsync();
        var group = loomio.AddGroup("Finance");
        var key = loomio.AddPoll(group, "Secret-until-close", hideResults: "until_closed");
        loomio.Vote(key, 0, 2);
        var client = new LoomioClient(Http, new LoomioClientOptions { BaseUrl = loomio.BaseUrl, ApiKey = loomio.ApiKey });
        var open = (await client.GetPollAsync(key))!.Polls.Single();
        Assert.Null(open.Results);
        Assert.Null(open.StanceCounts);
        loomio.Close(key);
        var closed = (await client.GetPollAsync(key))!;
        var version = DecisionRecordBuilder.Next(loomio.BaseUrl, closed.Polls[0], closed.Polls[0].Id, key, null, closed.PollOptions, null)!;
        Assert.Equal(2, JsonNode.Parse(version.Bytes)!["results"]!.AsArray().Sum(r => r!["score"]!.GetValue<double>()));
    }

    [Fact]
    public async Task An_outcome_s_review_date_is_recorded_when_set_and_null_as_Loomio_serves_it_otherwise()
    {
        await using var loomio = await LoomioEmulator.StartAsync();
        var group = loomio.AddGroup("Finance");
        var client = new LoomioClient(Http, new LoomioClientOptions { BaseUrl = loomio.BaseUrl, ApiKey = loomio.ApiKey });
        foreach (var reviewOn in new[] { "2027-04-01", null })
        {
            var key = loomio.AddPoll(group, "Adopt?");
            loomio.Close(key);
            loomio.SetOutcome(key, "<p>Adopted.</p>", reviewOn: reviewOn);
            var document = (await client.GetPollAsync(key))!;
            var version = DecisionRecordBuilder.Next(loomio.BaseUrl, document.Polls[0], document.Polls[0].Id, key, document.CurrentOutcome(document.Polls[0]), document.PollOptions, null)!;
            var outcome = JsonNode.Parse(version.Bytes)!["outcome"]!.AsObject();
            Assert.True(outcome.ContainsKey("reviewOn"));
            Assert.Equal(reviewOn, outcome["reviewOn"]?.GetValue<string>());
        }
    }

    [Fact]
    public void The_same_poll_gives_the_same_bytes_whatever_the_order_or_extra_fields_of_the_API_answer()
    {
        var poll = new LoomioPoll
        {
            Id = 301, Key = "polKEY01", PollType = "proposal", Title = "Adopt?", GroupId = 7, TopicId = 711, VersionsCount = 1,
            ClosedAt = DateTimeOffset.Parse("2026-10-01T12:07:13.512Z", System.Globalization.CultureInfo.InvariantCulture),
            Results = [new LoomioResult { Id = 2, Name = "disagree", Score = 1, VoterCount = 1 }, new LoomioResult { Id = 1, Name = "agree", Score = 3, VoterCount = 3 }],
        };
        LoomioPollOption[] options = [new() { Id = 2, PollId = 301, Name = "disagree", Priority = 2 }, new() { Id = 1, PollId = 301, Name = "agree", Priority = 0 }];
        var a = DecisionRecordBuilder.Next(new Uri("https://loomio.example.org/some/path"), poll, 301, "polKEY01", null, options, null)!;
        var b = DecisionRecordBuilder.Next(new Uri("https://loomio.example.org"), poll with { Results = poll.Results.Reverse().ToList() }, 301, "polKEY01", null, options.Reverse().ToList(), null)!;
        Assert.Equal(a.Bytes, b.Bytes);
        Assert.Contains("\"closedAt\":\"2026-10-01T12:07:13.512Z\"", System.Text.Encoding.UTF8.GetString(a.Bytes), StringComparison.Ordinal);
    }
}
