using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Governance;
using Microsoft.Playwright;

namespace Iskander.Chain.Web.Tests;

/// <summary>
/// Members and admissions on the members' page: a member reads their own admission awaiting consent
/// with a signed read-access challenge and consents with their wallet; the chain accepts that consent
/// when the admission executes, and the members view then names the decision that admitted them.
/// </summary>
[Collection(GlassBoxCollection.Name)]
public sealed class MembersPageTests(GlassBoxInstance instance)
{
    [Fact]
    public async Task A_member_consents_to_their_admission_with_their_wallet_and_the_chain_accepts_it()
    {
        var coop = instance.Coop;
        var newcomer = coop.Key(8);
        var decision = instance.Anchored[1];
        var action = new GovernanceAction(GovernanceActionKind.AdmitMember, newcomer.Address, "tenant", "");
        var agreement = MembershipAgreement.Create(coop.Manifest.ChainId, coop.Identity.Address, coop.Manifest.Issuer, newcomer.Address, "tenant", "", GlassBoxInstance.Digest(decision));
        var row = await instance.RecordActionAsync(decision, 0, action, "awaiting_consent", metadata: agreement.Metadata);

        // Someone else sees none of it: the page asks only for the signer's own admissions.
        var stranger = await instance.OpenAsync(wallet: 9);
        await stranger.GetByRole(AriaRole.Button, new() { Name = "Show my admissions" }).ClickAsync();
        await Assertions.Expect(stranger.Locator("#admissions-status")).ToHaveTextAsync($"No admission awaits the consent of {coop.Key(9).Address.ToChecksumString()}.");
        await Assertions.Expect(stranger.Locator("#admission-list > li")).ToHaveCountAsync(0);

        var requests = new List<string>();
        var page = await instance.OpenAsync(wallet: 8, walletRequests: requests);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show my admissions" }).ClickAsync();
        var card = page.Locator($"#admission-list > li[data-admission='{row}']");
        await Assertions.Expect(card).ToContainTextAsync("Admission as tenant");
        await Assertions.Expect(card).ToContainTextAsync($"{decision.PollKey}, version {decision.Version}");
        await Assertions.Expect(card).ToContainTextAsync(agreement.Digest.ToString());
        await card.GetByRole(AriaRole.Button, new() { Name = "Consent with your wallet" }).ClickAsync();
        await Assertions.Expect(card.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your consent is kept: the bridge issues your membership token with it once the admission may execute.");
        await page.Locator("#members").ScreenshotAsync(new() { Path = Path.Combine(GlassBoxInstance.Screenshots, "admission-consented.png") });
        Assert.Equal(["eth_requestAccounts", "personal_sign", "eth_signTypedData_v4"], requests);
        var consented = (await GovernanceActions.ListAsync(instance.Database, decision.PollKey)).Single(a => a.Id == row);
        Assert.Equal("ready", consented.Status);

        // The oracle is CoopIdentity: the admission is scheduled, its notice passes, and the chain takes the consent signed in the browser.
        var (_, leaf) = await coop.ScheduleAsync(action, null, GlassBoxInstance.Digest(decision));
        var consent = await ConsentAsync(row);
        await coop.Identity.SendAsync("give", [newcomer.Address, agreement.Metadata, consent]);
        Assert.True(await coop.Identity.CallAsync<bool>("isMember", newcomer.Address));

        // As the bridge records the execution; its mirror reads the admission back from the chain.
        await using (var connection = await instance.Database.OpenAsync())
        await using (var executed = new Npgsql.NpgsqlCommand("UPDATE governance_actions SET status = 'executed', leaf = $2 WHERE id = $1", connection))
        {
            executed.Parameters.Add(new() { Value = row });
            executed.Parameters.Add(new() { Value = leaf.ToArray() });
            await executed.ExecuteNonQueryAsync();
        }

        await instance.MirrorChainAsync();
        var members = await instance.OpenAsync();
        var newcomerCard = members.Locator($"#member-list > li[data-member='{newcomer.Address.ToChecksumString()}']");
        await Assertions.Expect(newcomerCard).ToContainTextAsync($"Admitted by{decision.PollKey}, version {decision.Version}");
        await Assertions.Expect(newcomerCard).ToContainTextAsync("Roletenant");
        // Members admitted by decisions this bridge never recorded are named by their action leaf.
        var founder = members.Locator($"#member-list > li[data-member='{coop.Key(2).Address.ToChecksumString()}']");
        await Assertions.Expect(founder).ToContainTextAsync("Admitted bya decision this bridge did not record (action leaf 0x");
        await Assertions.Expect(members.Locator("#member-list > li")).ToHaveCountAsync(GlassBoxInstance.MemberAccounts.Length + 1);
        await members.Locator("#members").ScreenshotAsync(new() { Path = Path.Combine(GlassBoxInstance.Screenshots, "members.png") });
    }

    private async Task<byte[]> ConsentAsync(long row)
    {
        await using var connection = await instance.Database.OpenAsync();
        await using var select = new Npgsql.NpgsqlCommand("SELECT consent FROM governance_actions WHERE id = $1", connection);
        select.Parameters.Add(new() { Value = row });
        return (byte[])(await select.ExecuteScalarAsync())!;
    }
}
