using System.Text.Json.Nodes;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Testing;
using Npgsql;

namespace Iskander.Chain.Bridge.Tests;

/// <summary>What the bridge keeps of Loomio's answers: never secrets, never who voted what.</summary>
public sealed class PrivacyTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Stored_Loomio_answers_keep_no_outcome_tokens_and_no_voter_identities()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var group = harness.Loomio.AddGroup("Members");
        var key = harness.Loomio.AddPoll(group, "Adopt the budget?");
        harness.Loomio.Vote(key, 0, 3);
        harness.Loomio.Vote(key, 2, 1);
        harness.Loomio.Close(key);
        harness.Loomio.SetOutcome(key, "<p>Adopted.</p>");
        Assert.Equal(1, await harness.Ingestor().ReconcileGroupAsync(group));

        var stored = await StoredAnswersAsync(harness);
        var answer = JsonNode.Parse(Assert.Single(stored))!.AsObject();
        Assert.Equal(["meta", "outcomes", "poll_options", "polls"], answer.Select(p => p.Key).Order());
        Assert.Equal("<p>Adopted.</p>", answer["outcomes"]![0]!["statement"]!.GetValue<string>());
        Assert.Equal(3, answer["polls"]![0]!["results"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "agree")!["voter_count"]!.GetValue<int>());
        foreach (var secret in new[] { "secret_token", "voter_ids", "\"users\"", "Ada Lovelace" }) Assert.DoesNotContain(secret, stored[0], StringComparison.Ordinal);
    }

    private static async Task<List<string>> StoredAnswersAsync(BridgeHarness harness)
    {
        await using var connection = await harness.Database.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT raw_json FROM decision_versions ORDER BY id", connection);
        var answers = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) answers.Add(reader.GetString(0));
        return answers;
    }
}
