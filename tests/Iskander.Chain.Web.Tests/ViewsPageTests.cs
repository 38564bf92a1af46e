using System.Net;
using System.Text.Json.Nodes;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Host.Api;
using Microsoft.Playwright;

namespace Iskander.Chain.Web.Tests;

/// <summary>
/// The ballots, escrows and Glass Box views, walked in Chromium: each shows what the API serves to
/// that caller and nothing more (a ballot's question and the Glass Box only to a member's signature).
/// </summary>
[Collection(GlassBoxCollection.Name)]
public sealed class ViewsPageTests(GlassBoxInstance instance)
{
    [Fact]
    public async Task Ballots_and_escrows_show_their_state_and_a_ballots_question_only_to_members()
    {
        var page = await instance.OpenAsync();
        var ballot = page.Locator($"#ballot-list > li[data-ballot='{instance.Ballot.ToChecksumString()}']");
        await Assertions.Expect(ballot).ToContainTextAsync("Ballot (its question is shown to members)");
        await Assertions.Expect(ballot).ToContainTextAsync("Phaseresults published on chain");
        await Assertions.Expect(ballot).ToContainTextAsync("Proofs2 of 2 verified on chain (batch:1: confirmed, tally:0: confirmed)");
        await Assertions.Expect(ballot).ToContainTextAsync("Results3 credits spent");
        await Assertions.Expect(ballot.Locator("ol.results > li")).ToHaveTextAsync(["option 0: 2", "option 1: 0", "option 2: 1", "option 3: 0", "option 4: 0"]);
        await Assertions.Expect(ballot).Not.ToContainTextAsync("Which garden plan?");
        await page.Locator("#ballots").ScreenshotAsync(new() { Path = Path.Combine(GlassBoxInstance.Screenshots, "ballots.png") });

        var escrow = page.Locator("#escrow-list > li", new() { HasText = $"Escrow {instance.DisputedEscrow}: disputed" });
        await Assertions.Expect(escrow).ToContainTextAsync("Amount1000");
        await Assertions.Expect(escrow).ToContainTextAsync(Hex.Encode(instance.Coop.Key(3).Address.ToArray())); // the buyer
        // Disputed now: the arbitrator has a day (chain time) to rule.
        await Assertions.Expect(escrow).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"Dispute deadline\S+ \((1 d 0 h|2[0-4] h \d+ min) left\)"));
        await page.Locator("#escrows").ScreenshotAsync(new() { Path = Path.Combine(GlassBoxInstance.Screenshots, "escrows.png") });

        // A member's signature (given when they open the Glass Box) shows the question.
        var member = await instance.OpenAsync(wallet: 2);
        await member.GetByRole(AriaRole.Button, new() { Name = "Open the Glass Box" }).ClickAsync();
        await Assertions.Expect(member.Locator($"#ballot-list > li[data-ballot='{instance.Ballot.ToChecksumString()}'] h3")).ToHaveTextAsync("Which garden plan?");
    }

    [Fact]
    public async Task The_Glass_Box_is_shown_to_a_member_with_the_anchored_head_covering_each_entry()
    {
        using var http = new HttpClient { BaseAddress = instance.Host.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/audit")).StatusCode);

        var page = await instance.OpenAsync(wallet: 2);
        // Nothing of the Glass Box is on the page before the member signs.
        await Assertions.Expect(page.Locator("#audit-list > li")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the Glass Box" }).ClickAsync();
        var status = page.Locator("#audit-status");
        await Assertions.Expect(status).ToContainTextAsync("Entries 1–");

        // What the API serves the same member, for comparison.
        var until = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/audit?limit=50");
        request.Headers.TryAddWithoutValidation("Authorization", ReadAccess.SignatureHeader(instance.Coop.Key(2), ReadAccess.Challenge(instance.Coop.Manifest.ChainId, instance.DecisionAnchor, until), until));
        var audit = JsonNode.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync())!;
        var total = audit["total"]!.GetValue<int>();
        var entries = audit["entries"]!.AsArray();
        using var headsRequest = new HttpRequestMessage(HttpMethod.Get, "/api/audit/heads");
        headsRequest.Headers.TryAddWithoutValidation("Authorization", request.Headers.Authorization!.ToString());
        var heads = JsonNode.Parse(await (await http.SendAsync(headsRequest)).Content.ReadAsStringAsync())!["heads"]!.AsArray();
        Assert.NotEmpty(heads);
        await Assertions.Expect(status).ToContainTextAsync($"Entries 1–{entries.Count} of {total}; {heads.Count} head{(heads.Count == 1 ? "" : "s")} anchored");
        await Assertions.Expect(page.Locator("#audit-list > li")).ToHaveCountAsync(entries.Count);

        // The first entry is covered by the first head; an entry after the last head by none.
        var firstHead = heads[0]!["seq"]!.GetValue<long>();
        var first = page.Locator($"#audit-list > li[data-seq='{entries[0]!["seq"]}']");
        await Assertions.Expect(first).ToContainTextAsync($"Covered byhead at entry {firstHead}, anchored in block");
        await Assertions.Expect(first).ToContainTextAsync(entries[0]!["hash"]!.GetValue<string>());
        await page.Locator("#audit").ScreenshotAsync(new() { Path = Path.Combine(GlassBoxInstance.Screenshots, "glass-box.png") });

        // The newest entries (the mirror's observations, made after the last batch) are covered by no head yet; they are on the last page.
        var next = page.GetByRole(AriaRole.Button, new() { Name = "Next entries" });
        for (var shown = entries.Count; shown < total; shown += 50)
        {
            await next.ClickAsync();
            await Assertions.Expect(status).ToContainTextAsync($"Entries {shown + 1}–");
        }

        await Assertions.Expect(next).ToBeDisabledAsync();
        var lastHead = heads[^1]!["seq"]!.GetValue<long>();
        var newest = page.Locator("#audit-list > li").Last;
        Assert.True(long.Parse(await newest.GetAttributeAsync("data-seq") ?? "0", System.Globalization.CultureInfo.InvariantCulture) > lastHead);
        await Assertions.Expect(newest).ToContainTextAsync("Covered bynot yet covered by an anchored head");
    }
}
