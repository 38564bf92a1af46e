using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Governance;
using Microsoft.Playwright;

namespace Iskander.Chain.Web.Tests;

/// <summary>
/// Pending actions on the members' page: members veto an action in its notice with their wallet (an
/// injected EIP-1193 provider signing with a dev key), the bridge keeps a veto only from a current
/// member, and once the pool holds the ActionSchedule's quorum a member submits it to the chain.
/// </summary>
[Collection(GlassBoxCollection.Name)]
public sealed class ActionsPageTests(GlassBoxInstance instance)
{
    [Fact]
    public async Task A_member_vetoes_a_pending_action_with_their_wallet_and_a_stranger_is_refused()
    {
        var member = instance.Coop.Key(2);
        var stranger = instance.Coop.Key(9);
        var admitted = Address.Parse("0x00000000000000000000000000000000000b0b00");
        var action = new GovernanceAction(GovernanceActionKind.AdmitMember, admitted, "tenant", "");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // An admission on the public schedule, in its notice for another hour, ordered by an anchored decision.
        await instance.RecordActionAsync(instance.Anchored[0], 0, action, "scheduled", now + 3600, now + 7200);
        var actionId = ActionLeaf.Id(instance.Coop.Manifest.ChainId, instance.Coop.Identity.Address, action.Kind, ActionLeaf.Params(action), GlassBoxInstance.Digest(instance.Anchored[0]));

        var requests = new List<string>();
        var page = await instance.OpenAsync(wallet: 2, walletRequests: requests);
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
        var strangerPage = await instance.OpenAsync(wallet: 9);
        var strangerCard = strangerPage.Locator($"#action-list > li[data-action-id='{actionId}']");
        await Assertions.Expect(strangerCard).ToContainTextAsync("Vetoes collected1 of 2 the chain needs");
        await strangerCard.GetByRole(AriaRole.Button, new() { Name = "Veto with your wallet" }).ClickAsync();
        await Assertions.Expect(strangerCard.GetByRole(AriaRole.Status)).ToHaveTextAsync($"The veto was not kept: {stranger.Address.ToChecksumString()} is not a current member: only members' vetoes count");
        Assert.Single(await VetoSignatures.ListAsync(instance.Database, actionId));
    }

    [Fact]
    public async Task Members_veto_an_action_scheduled_on_chain_and_the_quorum_is_submitted_from_the_page()
    {
        // An admission nobody decided, really scheduled on chain in the name of an anchored decision, as the bridge recorded it.
        var decision = instance.Anchored[2];
        var action = new GovernanceAction(GovernanceActionKind.AdmitMember, Address.Parse("0x00000000000000000000000000000000000b0b01"), "tenant", "");
        var (actionId, _) = await instance.Coop.ScheduleAsync(action, null, GlassBoxInstance.Digest(decision), passNotice: false);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await instance.RecordActionAsync(decision, 0, action, "scheduled", now + 60, now + 86_400);
        var quorum = await instance.Coop.Schedule.CallAsync<System.Numerics.BigInteger>("vetoQuorum");
        Assert.Equal(2, (int)quorum);

        // The first member's veto is below the quorum: nothing to submit yet.
        var first = await instance.OpenAsync(wallet: 3);
        var firstCard = first.Locator($"#action-list > li[data-action-id='{actionId}']");
        await firstCard.GetByRole(AriaRole.Button, new() { Name = "Veto with your wallet" }).ClickAsync();
        await Assertions.Expect(firstCard.GetByRole(AriaRole.Status)).ToContainTextAsync("1 veto signature so far.");
        await Assertions.Expect(firstCard.GetByRole(AriaRole.Button, new() { Name = "Submit the veto to the chain" })).ToHaveCountAsync(0);

        // The second reaches it, and submits both signatures to the ActionSchedule with their wallet.
        var requests = new List<string>();
        var second = await instance.OpenAsync(wallet: 6, walletRequests: requests);
        var card = second.Locator($"#action-list > li[data-action-id='{actionId}']");
        await Assertions.Expect(card).ToContainTextAsync("Vetoes collected1 of 2 the chain needs");
        await card.GetByRole(AriaRole.Button, new() { Name = "Veto with your wallet" }).ClickAsync();
        await Assertions.Expect(card.GetByRole(AriaRole.Status)).ToContainTextAsync("2 veto signatures so far. That is the quorum");
        await card.GetByRole(AriaRole.Button, new() { Name = "Submit the veto to the chain" }).ClickAsync();
        await Assertions.Expect(card.GetByRole(AriaRole.Status)).ToContainTextAsync("The chain's status: Vetoed.", new() { Timeout = 30_000 });
        await Assertions.Expect(card.GetByRole(AriaRole.Status)).ToContainTextAsync("Vetoed on chain with 2 signatures in block");
        await card.ScreenshotAsync(new() { Path = Path.Combine(GlassBoxInstance.Screenshots, "action-vetoed-on-chain.png") });
        Assert.Equal(["eth_requestAccounts", "eth_signTypedData_v4", "eth_requestAccounts", "eth_chainId", "eth_sendTransaction"], requests);

        // The chain itself says so (IActionSchedule.Status.Vetoed), and names both members as the signers.
        Assert.Equal(4, (int)await instance.Coop.Schedule.CallAsync<System.Numerics.BigInteger>("statusOf", actionId.ToArray()));
        var vetoed = (await instance.Coop.Client.GetLogsAsync(new Ethereum.JsonRpc.LogFilter
        {
            FromBlock = 0, ToBlock = await instance.Coop.Client.BlockNumberAsync(), Addresses = [instance.Coop.Schedule.Address],
            Topics = [[instance.Coop.Schedule.Abi.Event("ActionVetoed").Topic0], [actionId]],
        })).Single();
        var signers = (System.Collections.IEnumerable)instance.Coop.Schedule.Abi.DecodeLog(vetoed.Topics, vetoed.Data)!["signers"]!;
        Assert.Equal(new[] { instance.Coop.Key(3).Address, instance.Coop.Key(6).Address }.OrderBy(a => Hex.Encode(a.ToArray()), StringComparer.Ordinal), signers.Cast<Address>());

        // Submitting again is refused by the chain: the page names the contract's error (not its
        // selector) from a call on the trusted node, and never asks the wallet to send.
        var lateRequests = new List<string>();
        var late = await instance.OpenAsync(wallet: 3, walletRequests: lateRequests);
        var lateCard = late.Locator($"#action-list > li[data-action-id='{actionId}']");
        await lateCard.GetByRole(AriaRole.Button, new() { Name = "Submit the veto to the chain" }).ClickAsync();
        await Assertions.Expect(lateCard.GetByRole(AriaRole.Status)).ToHaveTextAsync("The veto was not submitted: the chain refuses it: the action is Vetoed on chain, no longer Pending");
        Assert.DoesNotContain("eth_sendTransaction", lateRequests);
    }
}
