using System.Numerics;
using System.Security.Cryptography;
using Iskander.Chain.Anchoring;
using Iskander.Chain.Anchoring.Records;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Content.Gateway;
using Iskander.Chain.Contracts;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Governance;
using Iskander.Chain.Host;
using Iskander.Chain.Testing;
using Iskander.Chain.Watchtower;

namespace Iskander.Chain.Bridge.Tests;

/// <summary>
/// Members' watchtowers against a real bridge (Loomio emulator → records in the content store, served
/// by the bridge's gateway → anchored and scheduled on anvil) and an anchoring key that fabricates.
/// </summary>
public sealed class WatchtowerTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly HttpClient Http = new();

    private static string ActionBlockHtml(params string[] lines) =>
        "<p>Decided.</p><pre><code class=\"language-iskander-actions\">" + string.Join("\n", lines.Select(System.Net.WebUtility.HtmlEncode)) + "</code></pre>";

    private static string DecidePoll(BridgeHarness harness, long group, string title, string statement)
    {
        var key = harness.Loomio.AddPoll(group, title);
        harness.Loomio.Vote(key, 0, 5);
        harness.Loomio.Close(key);
        harness.Loomio.SetOutcome(key, statement, "html");
        return key;
    }

    private static async Task<bool> StatusIsAsync(BridgeHarness harness, string key, params string[] statuses) =>
        (await GovernanceActions.ListAsync(harness.Database, key)).All(a => statuses.Contains(a.Status));

    private static Contract ContractOf(BridgeHarness harness, string name, PrivateKey? key = null)
    {
        var contract = new Contract(harness.Client, harness.Manifest[name].Address, new CoopDeployer(TestToolchain.Runner()).Artifact(harness.Manifest, name).Abi);
        return key is null ? contract : contract.WithSender(new TransactionSender(harness.Client, new LocalSigner(key)));
    }

    /// <summary>What a member's watchtower printed in one run.</summary>
    private sealed record Run(WatchSummary Summary, string[] Output, string[] Errors);

    private static async Task<Run> WatchOnceAsync(BridgeHarness harness, Uri gateway, string stateFile, PrivateKey? key = null, string? pool = null, bool loomio = false)
    {
        var schedule = await CooperativeSchedule.ConnectAsync(harness.Client, harness.Manifest);
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var watchtower = new Watchtower.Watchtower(schedule, WatchState.Load(stateFile), new WatchtowerOptions
        {
            ContentSources = [new TrustlessGatewayClient(Http, gateway)], MemberKey = key, VetoPool = pool is null ? null : new VetoPool(pool),
            Loomio = loomio ? new Loomio.LoomioClient(Http, new Loomio.LoomioClientOptions { BaseUrl = harness.Loomio.BaseUrl, ApiKey = harness.Loomio.ApiKey }) : null,
            LoomioInstance = loomio ? harness.Loomio.BaseUrl : null,
        }, output, errors, Http);
        var summary = await watchtower.CatchUpAsync();
        static string[] Lines(StringWriter writer) => writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new Run(summary, Lines(output), Lines(errors));
    }

    // What a stolen anchoring key can do alone: anchor a leaf no decision ordered, and schedule it.
    private static async Task<Hash32> FabricateAsync(BridgeHarness harness, GovernanceAction action, BigInteger? tokenId, Hash32 digest, string pollKey, ulong version)
    {
        var anchorer = PrivateKey.FromHex(harness.Node.Accounts[1].PrivateKey);
        var parameters = ActionLeaf.Params(action, tokenId);
        var target = harness.Contracts().Governance.Targets.For(action.Kind);
        var actionId = ActionLeaf.Id(harness.Manifest.ChainId, target, action.Kind, parameters, digest);
        var poll = ActionLeaf.PollId(pollKey);
        var tree = new DecisionMerkleTree([ActionLeaf.Compute(actionId, poll, version)]);
        await ContractOf(harness, "DecisionAnchor", anchorer).SendAsync("anchor", [tree.Root.ToArray(), 1UL]);
        await ContractOf(harness, "ActionSchedule", anchorer).SendAsync("schedule",
            [target, action.Kind.OnChainKind().ToArray(), parameters, digest.ToArray(), poll.ToArray(), version, DecisionRef.For(tree, 0).ToAbiTuple()]);
        return actionId;
    }

    [Fact]
    public async Task Watchtowers_pass_genuine_actions_and_a_quorum_of_members_vetoes_fabricated_ones_while_the_genuine_still_execute()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        await using var gateway = await BridgeWebHost.StartAsync(new BridgeWebHostOptions { Listen = "http://127.0.0.1:0", ContentStore = harness.Store }, harness.Log);
        var group = harness.Loomio.AddGroup("Members");
        var ada = PrivateKey.FromHex(harness.Node.Accounts[3].PrivateKey);
        var bob = PrivateKey.FromHex(harness.Node.Accounts[4].PrivateKey);
        var mallory = PrivateKey.FromHex(harness.Node.Accounts[5].PrivateKey);
        var schedule = ContractOf(harness, "ActionSchedule");
        var identity = ContractOf(harness, "CoopIdentity");
        var pool = harness.Directory.Combine("shared-veto-pool");

        // Genuine decisions: Ada and Bob are admitted, then every member's signature is needed for a veto.
        var admit = DecidePoll(harness, group, "Admit Ada and Bob?", ActionBlockHtml($"admit-member {ada.Address.ToChecksumString()}", $"admit-member {bob.Address.ToChecksumString()}"));
        await harness.Ingestor().ReconcileGroupAsync(group);
        var pipeline = harness.Pipeline();
        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, admit, "awaiting_consent"), "admissions awaiting consent");
        var consent = new MembershipConsent(harness.Database, harness.Contracts().Governance.Targets, harness.Manifest.Issuer, harness.Log);
        foreach (var member in new[] { ada, bob })
        {
            var pending = Assert.Single(await consent.PendingAsync(member.Address));
            await consent.AcceptAsync(pending.ActionId, pending.Agreement.Sign(member));
        }

        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, admit, "executed"), "admissions executed");
        var quorum = DecidePoll(harness, group, "Every member can stop an action?", ActionBlockHtml("amend-parameter vetoQuorumBps 10000"));
        await harness.Ingestor().ReconcileGroupAsync(group);
        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, quorum, "executed"), "quorum amendment executed");
        Assert.Equal(new BigInteger(2), await schedule.CallAsync<BigInteger>("vetoQuorum"));

        // Ada's watchtower: every genuine action passes.
        var adaState = harness.Directory.Combine("ada-watch.json");
        var first = await WatchOnceAsync(harness, gateway.Address, adaState, ada, pool);
        Assert.Equal(new WatchSummary(3, 0, 0), first.Summary);
        Assert.Empty(first.Errors);
        Assert.Equal(3, first.Output.Count(l => l.StartsWith("PASS ", StringComparison.Ordinal)));
        Assert.Contains(first.Output, l => l.Contains($"admit-member {bob.Address.ToChecksumString()} role=member, ordered by poll {admit} v1", StringComparison.Ordinal));
        Assert.Contains(first.Output, l => l.Contains($"amend-parameter vetoQuorumBps 10000, ordered by poll {quorum} v1", StringComparison.Ordinal));

        // The anchoring key alone: a revocation of Ada that no record orders, and one that cites a real
        // record (the admissions) whose block orders something else. Meanwhile a genuine amendment is scheduled.
        var adaToken = await identity.CallAsync<BigInteger>("tokenOf", ada.Address);
        var inventedDigest = new Hash32(RandomNumberGenerator.GetBytes(32));
        var invented = await FabricateAsync(harness, new GovernanceAction(GovernanceActionKind.RevokeMember, ada.Address), adaToken, inventedDigest, "loomio.example/forged", 1);
        var admissionRecord = (await DecisionQueries.AnchoredAsync(harness.Database, admit)).Single();
        var miscited = await FabricateAsync(harness, new GovernanceAction(GovernanceActionKind.AdmitMember, mallory.Address, "member", ""), null,
            new Hash32(Content.Cid.Parse(admissionRecord.Cid).Hash.Digest), admit, 1);
        var genuine = DecidePoll(harness, group, "Raise the pay ratio cap?", ActionBlockHtml("amend-parameter maxPayRatioX100 500"));
        await harness.Ingestor().ReconcileGroupAsync(group);
        pipeline = harness.Pipeline(); // a fresh sender: the fabrications used the bridge's key outside this pipeline
        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, genuine, "ready", "submitted", "executed"), "genuine amendment scheduled");
        for (var i = 0; i < 2; i++) await harness.Client.Rpc.CallAsync("evm_mine", []); // the watchtowers check confirmed blocks only

        // Ada's watchtower resumes from its state file: only the new actions, the genuine one passing,
        // both fabrications raised as alarms; she signs their vetoes, one of the two signatures needed.
        var second = await WatchOnceAsync(harness, gateway.Address, adaState, ada, pool);
        Assert.Equal(new WatchSummary(1, 2, 0), second.Summary);
        Assert.Contains(second.Output, l => l.StartsWith("PASS ", StringComparison.Ordinal) && l.Contains($"amend-parameter maxPayRatioX100 500, ordered by poll {genuine} v1", StringComparison.Ordinal));
        Assert.Contains(second.Errors, l => l.StartsWith($"ALARM {invented} revoke-member {ada.Address.ToChecksumString()}", StringComparison.Ordinal) && l.Contains("is not published", StringComparison.Ordinal));
        Assert.Contains(second.Errors, l => l.StartsWith($"ALARM {miscited} admit-member {mallory.Address.ToChecksumString()}", StringComparison.Ordinal)
                                            && l.Contains($"the action block of poll {admit} v1 does not order it", StringComparison.Ordinal));
        Assert.Equal(2, second.Output.Count(l => l.StartsWith("VETO ", StringComparison.Ordinal)));
        Assert.Equal(1, await schedule.CallAsync<BigInteger>("statusOf", invented.ToArray())); // Pending: one signature is below the quorum

        // Bob's watchtower, on its own state, meets Ada's signatures in the shared pool and submits both vetoes.
        var bobs = await WatchOnceAsync(harness, gateway.Address, harness.Directory.Combine("bob-watch.json"), bob, pool);
        Assert.Equal(new WatchSummary(4, 2, 2), bobs.Summary);
        Assert.Contains(bobs.Output, l => l.StartsWith($"VETOED {invented}: submitted with 2 member signature(s) (quorum 2)", StringComparison.Ordinal));
        Assert.Equal(4, await schedule.CallAsync<BigInteger>("statusOf", invented.ToArray())); // Vetoed
        Assert.Equal(4, await schedule.CallAsync<BigInteger>("statusOf", miscited.ToArray()));

        // Ada's watchtower sees the vetoes stand and closes them; nothing is printed twice.
        var third = await WatchOnceAsync(harness, gateway.Address, adaState, ada, pool);
        Assert.Equal(new WatchSummary(0, 0, 0), third.Summary);
        Assert.Equal(2, third.Output.Count(l => l.StartsWith("VETOED ", StringComparison.Ordinal) && l.EndsWith("the members' veto stands; it can never run", StringComparison.Ordinal)));

        // The genuine amendment executes; the vetoed revocation never can, notice served or not.
        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, genuine, "executed"), "genuine amendment executed");
        Assert.Equal(new BigInteger(500), await ContractOf(harness, "Constitution").CallAsync<BigInteger>("parameter", GovernanceAction.ShortText("maxPayRatioX100")));
        await harness.AdvanceAsync(BridgeHarness.Notice * 2);
        var refused = await Assert.ThrowsAsync<ContractRevertException>(() =>
            ContractOf(harness, "CoopIdentity", mallory).SendAsync("revoke", [adaToken, inventedDigest.ToArray()]));
        var reason = schedule.Abi.DecodeRevert(refused.Revert.Data); // the schedule's error, passed through CoopIdentity
        Assert.Equal(("WrongStatus", new BigInteger(4)), (reason.Error?.Name, (BigInteger)reason.Arguments[1]!)); // Vetoed
        Assert.True(await identity.CallAsync<bool>("isMember", ada.Address));

        // A watchtower without a key only raises the alarms (what `watch --once` turns into exit code 1).
        var keyless = await WatchOnceAsync(harness, gateway.Address, harness.Directory.Combine("observer.json"));
        Assert.Equal(new WatchSummary(4, 2, 0), keyless.Summary);
    }

    [Fact]
    public async Task The_veto_signed_by_a_watchtower_is_the_digest_the_schedule_checks()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var schedule = await CooperativeSchedule.ConnectAsync(harness.Client, harness.Manifest);
        var actionId = new Hash32(RandomNumberGenerator.GetBytes(32));
        Assert.Equal(await ContractOf(harness, "ActionSchedule").CallAsync<byte[]>("vetoDigest", actionId.ToArray()), schedule.VetoTypedData(actionId).Digest().ToArray());
        // The built-in event description is the contract's: same signature, same topic.
        Assert.Equal(ContractOf(harness, "ActionSchedule").Abi.Event("ActionScheduled").Topic0, CooperativeSchedule.ScheduledEvent.Topic0);
    }

    [Fact]
    public async Task With_Loomio_access_a_record_forged_with_the_bridges_keys_and_store_is_an_alarm()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        await using var gateway = await BridgeWebHost.StartAsync(new BridgeWebHostOptions { Listen = "http://127.0.0.1:0", ContentStore = harness.Store }, harness.Log);
        var group = harness.Loomio.AddGroup("Members");
        var amend = DecidePoll(harness, group, "Raise the pay ratio cap?", ActionBlockHtml("amend-parameter maxPayRatioX100 500"));
        var budget = DecidePoll(harness, group, "Adopt the budget?", "<p>Adopted.</p>");
        await harness.Ingestor().ReconcileGroupAsync(group);
        var pipeline = harness.Pipeline();
        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, amend, "executed"), "amendment executed");

        // Whoever holds the bridge's keys and store rewrites the budget's record so that its outcome orders
        // an amendment, publishes it through the bridge's own gateway, anchors and schedules the action.
        var genuine = (await DecisionQueries.AnchoredAsync(harness.Database, budget)).Single();
        var record = System.Text.Json.Nodes.JsonNode.Parse(genuine.Record)!;
        record["outcome"]!["statement"] = ActionBlockHtml("amend-parameter vetoQuorumBps 10000");
        var forged = JsonCanonicalizer.Canonicalize(record);
        var cid = (await harness.Store.PutAsync(forged)).Root;
        var action = await FabricateAsync(harness, new GovernanceAction(GovernanceActionKind.AmendParameter, Parameter: "vetoQuorumBps", Value: 10000), null,
            new Hash32(cid.Hash.Digest), budget, 1);
        for (var i = 0; i < 2; i++) await harness.Client.Rpc.CallAsync("evm_mine", []);

        // The record alone cannot tell: it is well formed and orders exactly this action.
        var blind = await WatchOnceAsync(harness, gateway.Address, harness.Directory.Combine("blind.json"));
        Assert.Equal(new WatchSummary(2, 0, 0), blind.Summary);

        // Loomio can: the genuine amendment agrees with it, the forged record does not, while it can still run.
        var reading = await WatchOnceAsync(harness, gateway.Address, harness.Directory.Combine("reading.json"), loomio: true);
        Assert.Equal(new WatchSummary(1, 1, 0), reading.Summary);
        Assert.Contains(reading.Output, l => l.StartsWith("PASS ", StringComparison.Ordinal) && l.Contains($"poll {amend} v1", StringComparison.Ordinal) && l.Contains("; Loomio agrees", StringComparison.Ordinal));
        Assert.Contains(reading.Errors, l => l.StartsWith($"ALARM {action} amend-parameter vetoQuorumBps 10000, ordered by poll {budget} v1", StringComparison.Ordinal)
                                             && l.Contains("but Loomio does not say so now", StringComparison.Ordinal));
    }
}
