using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Governance;
using Microsoft.Playwright;
using Npgsql;

namespace Iskander.Chain.Web.Tests;

/// <summary>
/// Pending actions on the members' page: a member vetoes an action in its notice with their wallet
/// (an injected EIP-1193 provider signing with a dev key), the bridge keeps the veto only from a current
/// member, and the signature is the one the ActionSchedule on chain expects.
/// </summary>
public sealed class ActionsPageTests(GlassBoxInstance instance) : IClassFixture<GlassBoxInstance>
{
    [Fact]
    public async Task A_member_vetoes_a_pending_action_with_their_wallet_and_a_stranger_is_refused()
    {
        var member = instance.Coop.Key(2);
        var stranger = instance.Coop.Key(3);
        await MirrorMembershipAsync(instance.Database, member.Address);
        var admitted = Address.Parse("0x00000000000000000000000000000000000b0b00");
        var actionId = await FabricateScheduledAdmissionAsync(admitted);

        var requests = new List<string>();
        var page = await instance.OpenAsync(wallet: member, walletRequests: requests);
        var card = page.Locator($"#action-list > li[data-action-id='{actionId}']");
        await Assertions.Expect(card).ToContainTextAsync($"admit {admitted.ToChecksumString()} as tenant");
        await Assertions.Expect(card).ToContainTextAsync("notice: 59 min left");
        await card.GetByRole(AriaRole.Button, new() { Name = "Veto with your wallet" }).ClickAsync();
        await Assertions.Expect(card.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Your veto is kept (signed by {member.Address.ToChecksumString()}); 1 veto signature so far.");
        await card.ScreenshotAsync(new() { Path = Path.Combine(GlassBoxInstance.Screenshots, "action-vetoed.png") });
        Assert.Equal(["eth_requestAccounts", "eth_signTypedData_v4"], requests);

        // The kept signature is the member's over the digest the ActionSchedule itself computes.
        var kept = Assert.Single(await VetoSignatures.ListAsync(instance.Database, actionId));
        Assert.Equal(member.Address, kept.Signer);
        var digest = await instance.Coop.Schedule.CallAsync<byte[]>("vetoDigest", actionId.ToArray());
        Assert.Equal(member.Address, Secp256k1.RecoverAddress(digest, EcdsaSignature.FromBytes65(kept.Signature)));

        // Someone who is not a member signs too: the bridge refuses to keep it, and the page says why.
        var strangerPage = await instance.OpenAsync(wallet: stranger);
        var strangerCard = strangerPage.Locator($"#action-list > li[data-action-id='{actionId}']");
        await Assertions.Expect(strangerCard).ToContainTextAsync("Vetoes collected1");
        await strangerCard.GetByRole(AriaRole.Button, new() { Name = "Veto with your wallet" }).ClickAsync();
        await Assertions.Expect(strangerCard.GetByRole(AriaRole.Status)).ToHaveTextAsync($"The veto was not kept: {stranger.Address.ToChecksumString()} is not a current member: only members' vetoes count");
        Assert.Single(await VetoSignatures.ListAsync(instance.Database, actionId));
    }

    // An admission on the public schedule, in its notice for another hour, ordered by an anchored decision.
    private async Task<Hash32> FabricateScheduledAdmissionAsync(Address admitted)
    {
        var decision = instance.Anchored[0];
        var action = new GovernanceAction(GovernanceActionKind.AdmitMember, admitted, "tenant", "");
        var identity = instance.Coop.Identity.Address;
        var parameters = ActionLeaf.Params(action);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await using var connection = await instance.Database.OpenAsync();
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO governance_actions (version_id, position, kind, action_key, spec, status, target, params, executable_at, expires_at)
            SELECT id, 0, 'admit-member', 'fabricated', $3::jsonb, 'scheduled', $4, $5, $6, $7 FROM decision_versions WHERE poll_key = $1 AND version = $2
            """, connection);
        foreach (var value in new object[] { decision.PollKey, decision.Version, ActionSpec.ToJson(action), identity.ToArray(), parameters, now + 3600, now + 7200 }) insert.Parameters.Add(new() { Value = value });
        Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        return ActionLeaf.Id(instance.Coop.Manifest.ChainId, identity, action.Kind, parameters, new Hash32(System.Security.Cryptography.SHA256.HashData(decision.Record)));
    }

    // What the membership mirror records when CoopIdentity admits a member (the mirror itself is tested with the chain in the bridge's tests).
    private static async Task MirrorMembershipAsync(BridgeDatabase database, Address member)
    {
        await using var connection = await database.OpenAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO membership_events (block_number, log_index, block_hash, tx_hash, event, token_id, member, role, leaf) VALUES (1, 0, $1, $1, 'admitted', $2, $3, $4, $1)", connection);
        insert.Parameters.Add(new() { Value = new byte[32] });
        insert.Parameters.Add(new() { Value = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32) });
        insert.Parameters.Add(new() { Value = member.ToArray() });
        insert.Parameters.Add(new() { Value = "member"u8.ToArray() });
        await insert.ExecuteNonQueryAsync();
    }
}
