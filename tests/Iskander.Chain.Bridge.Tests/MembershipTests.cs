using System.Numerics;
using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Contracts;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Governance;
using Iskander.Chain.Testing;

namespace Iskander.Chain.Bridge.Tests;

/// <summary>Membership tokens issued and revoked by anchored decisions: Loomio (emulated) → action leaves → consent → CoopIdentity on anvil → mirror in PostgreSQL.</summary>
public sealed class MembershipTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static string ActionBlockHtml(params string[] lines) =>
        "<p>Decided.</p><pre><code class=\"language-iskander-actions\">" + string.Join("\n", lines.Select(System.Net.WebUtility.HtmlEncode)) + "</code></pre>";

    private static string DecidePoll(BridgeHarness harness, long group, string title, string statement, string format = "html")
    {
        var key = harness.Loomio.AddPoll(group, title);
        harness.Loomio.Vote(key, 0, 5);
        harness.Loomio.Close(key);
        harness.Loomio.SetOutcome(key, statement, format);
        return key;
    }

    // The EIP-55 form with the case of its first letter flipped: still mixed case, so the checksum applies, and wrong.
    private static string WrongChecksum(Address address)
    {
        var text = address.ToChecksumString().ToCharArray();
        var i = Array.FindIndex(text, 2, char.IsAsciiLetter);
        text[i] = char.IsUpper(text[i]) ? char.ToLowerInvariant(text[i]) : char.ToUpperInvariant(text[i]);
        return new string(text);
    }

    private static async Task<IReadOnlyList<GovernanceActionRow>> ActionsAsync(BridgeHarness harness, string key) => await GovernanceActions.ListAsync(harness.Database, key);

    private static async Task<bool> StatusIsAsync(BridgeHarness harness, string key, string status) => (await ActionsAsync(harness, key)).All(a => a.Status == status);

    private static Contract Identity(BridgeHarness harness, PrivateKey? key = null)
    {
        var contract = new Contract(harness.Client, harness.Manifest["CoopIdentity"].Address, new CoopDeployer(TestToolchain.Runner()).Artifact(harness.Manifest, "CoopIdentity").Abi);
        return key is null ? contract : contract.WithSender(new TransactionSender(harness.Client, new LocalSigner(key)));
    }

    private static MembershipConsent Consent(BridgeHarness harness)
    {
        var governance = harness.Contracts().Governance;
        return new MembershipConsent(harness.Database, governance.Targets, governance.Issuer, harness.Log);
    }

    private static async Task ConsentAsync(BridgeHarness harness, PrivateKey member)
    {
        var pending = Assert.Single(await Consent(harness).PendingAsync(member.Address));
        await Consent(harness).AcceptAsync(pending.ActionId, pending.Agreement.Sign(member));
    }

    [Fact]
    public async Task Admission_revocation_readmission_and_leaving_each_follow_an_anchored_decision()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var group = harness.Loomio.AddGroup("Members");
        var ada = PrivateKey.FromHex(harness.Node.Accounts[3].PrivateKey);
        var mallory = PrivateKey.FromHex(harness.Node.Accounts[4].PrivateKey);
        var pipeline = harness.Pipeline();
        var identity = Identity(harness);

        var admit = DecidePoll(harness, group, "Admit Ada?", ActionBlockHtml($"admit-member {ada.Address.ToChecksumString()} role=worker uri=ipfs://member-card"));
        await harness.Ingestor().ReconcileGroupAsync(group);
        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, admit, "awaiting_consent"), "admission awaiting consent");
        Assert.False(await identity.CallAsync<bool>("isMember", ada.Address)); // anchored, but no token without consent

        // Consent by another key, or by Ada over the agreement for another chain, is refused; Ada's own is accepted.
        var pending = Assert.Single(await Consent(harness).PendingAsync(ada.Address));
        Assert.Equal("worker", pending.Role);
        Assert.Equal(pending.Agreement.Digest.ToArray(), await identity.CallAsync<byte[]>("agreementHash", harness.Manifest.Issuer, ada.Address, pending.Agreement.Metadata));
        var wrongSigner = await Assert.ThrowsAsync<ConsentRejectedException>(() => Consent(harness).AcceptAsync(pending.ActionId, pending.Agreement.Sign(mallory)));
        Assert.Contains(mallory.Address.ToChecksumString(), wrongSigner.Message);
        var otherChain = MembershipAgreement.FromParts(harness.Manifest.ChainId + 1, harness.Manifest["CoopIdentity"].Address, harness.Manifest.Issuer, ada.Address, pending.Agreement.Metadata);
        await Assert.ThrowsAsync<ConsentRejectedException>(() => Consent(harness).AcceptAsync(pending.ActionId, otherChain.Sign(ada)));
        await Consent(harness).AcceptAsync(pending.ActionId, pending.Agreement.Sign(ada));
        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, admit, "executed"), "admission executed");

        // The token cites the anchored action leaf, and the mirror names the decision.
        Assert.True(await identity.CallAsync<bool>("isMember", ada.Address));
        var action = Assert.Single(await ActionsAsync(harness, admit));
        var tokenId = await identity.CallAsync<BigInteger>("tokenOf", ada.Address);
        var record = (object?[])(await identity.CallAsync("membership", [tokenId]))[0]!;
        Assert.Equal(Hex.Decode(action.Leaf!), (byte[])record[5]!);
        await harness.RunUntilAsync(pipeline, async () => (await MembershipQueries.MembershipsAsync(harness.Database, ada.Address)).Count == 1, "mirror");
        var mirrored = Assert.Single(await MembershipQueries.MembershipsAsync(harness.Database, ada.Address));
        Assert.Equal(("active", "worker", tokenId, admit, 1), (mirrored.Status, mirrored.Role, mirrored.TokenId, mirrored.Admission.PollKey, mirrored.Admission.Version));

        // A revised outcome that repeats the action orders nothing new: one token.
        harness.Loomio.EditOutcome(admit, ActionBlockHtml($"admit-member {ada.Address.ToChecksumString()} role=worker uri=ipfs://member-card", "# typo fixed"));
        await harness.Ingestor().ReconcileGroupAsync(group);
        var repeated = (await ActionsAsync(harness, admit)).Single(a => a.Version == 2);
        Assert.Equal("duplicate", repeated.Status);
        await harness.RunUntilConfirmedAsync(pipeline);
        Assert.Equal(1, await identity.CallAsync<BigInteger>("memberCount"));

        // Revocation cites its own decision; the history stays visible.
        var revoke = DecidePoll(harness, group, "Revoke Ada?", $"Revoked.\n\n```iskander-actions\nrevoke-member {ada.Address.ToChecksumString()}\n```\n", "md");
        await harness.Ingestor().ReconcileGroupAsync(group);
        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, revoke, "executed"), "revocation executed");
        Assert.False(await identity.CallAsync<bool>("isMember", ada.Address));
        await harness.RunUntilAsync(pipeline, async () => (await MembershipQueries.MembershipsAsync(harness.Database, ada.Address)).Single().Status == "revoked", "mirror of the revocation");
        Assert.Equal(revoke, (await MembershipQueries.MembershipsAsync(harness.Database, ada.Address)).Single().Revocation!.PollKey);

        // Re-admission by a new decision, a new consent and a new token; then Ada leaves on her own.
        var readmit = DecidePoll(harness, group, "Admit Ada again?", ActionBlockHtml($"admit-member {ada.Address.ToChecksumString()}"));
        await harness.Ingestor().ReconcileGroupAsync(group);
        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, readmit, "awaiting_consent"), "re-admission awaiting consent");
        await ConsentAsync(harness, ada);
        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, readmit, "executed"), "re-admission executed");
        var secondToken = await identity.CallAsync<BigInteger>("tokenOf", ada.Address);
        Assert.NotEqual(tokenId, secondToken);
        await Identity(harness, ada).SendAsync("unequip", [secondToken]);
        await harness.RunUntilAsync(pipeline, async () => (await MembershipQueries.MembershipsAsync(harness.Database, ada.Address)).Select(m => m.Status).SequenceEqual(["revoked", "left"]),
            "mirror of the departure");
        Assert.Equal("member", (await MembershipQueries.MembershipsAsync(harness.Database, ada.Address))[1].Role);

        // Every transaction the bridge sent for an action was announced first and its result recorded.
        await using var connection = await harness.Database.OpenAsync();
        var log = await GlassBoxLog.ReadAsync(connection, default);
        Assert.Null(GlassBoxLog.FirstBrokenLink(log));
        var intents = log.Where(e => e.Kind == "intent" && e.Action == "governance.execute").ToList();
        Assert.Equal(3, intents.Count);
        Assert.Equal(2, log.Count(e => e.Kind == "intent" && e.Action == "membership.consent")); // the refused consents changed nothing and left no entry
        Assert.All(log.Where(e => e.Kind == "intent"), intent => Assert.Contains(log, o => o.IntentSeq == intent.Seq));
    }

    /// A token id is the agreement hash, so one in 256 starts with a zero byte (CI once drew one). The
    /// mirror must keep the 32-byte word as the chain has it, and repair a row written shifted. The log comes from a few-instruction
    /// contract put in place with <c>anvil_setCode</c> that emits calldata as <c>LOG3</c>, so the token
    /// id can be chosen.
    [Fact]
    public async Task A_token_id_starting_with_zero_bytes_is_mirrored_as_the_chain_holds_it()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var governance = harness.Contracts().Governance!;
        var emitter = new Address(Hex.Decode("0x00000000000000000000000000000000000e4173"));
        // CALLDATACOPY(0, 0x60, 0x40); LOG3(0, 0x40, calldata[0], calldata[0x20], calldata[0x40]); STOP
        await harness.Client.Rpc.CallAsync("anvil_setCode", [emitter.ToString(), "0x6040606060003760403560203560003560406000a300"]);
        var member = new Address(Hex.Decode("0x00000000000000000000000000000000000a11ce"));
        var tokenId = BigInteger.Parse("00c0ffee" + new string('1', 56), System.Globalization.NumberStyles.HexNumber);
        var calldata = AbiCodec.Encode(["bytes32", "uint256", "address", "bytes32", "bytes32"],
            [governance.IdentityAbi.Event("Admitted").Topic0.ToArray(), tokenId, member, GovernanceAction.ShortText("worker"), new byte[32]]);
        var sender = new TransactionSender(harness.Client, new LocalSigner(PrivateKey.FromHex(harness.Node.Accounts[5].PrivateKey)));
        var sent = await sender.SendAsync(new TransactionRequest { To = emitter, Data = calldata, GasLimit = 100_000 });
        Assert.True((await sender.WaitForReceiptAsync(sent.Hash, TimeSpan.FromMinutes(1))).Succeeded);

        await new MembershipMirror(harness.Database, harness.Client, emitter, governance.IdentityAbi, 0, harness.Log).RunOnceAsync();

        var mirrored = Assert.Single(await MembershipQueries.MembershipsAsync(harness.Database, member));
        Assert.Equal(tokenId, mirrored.TokenId);
        await using var connection = await harness.Database.OpenAsync();
        Assert.Equal(tokenId, await MembershipQueries.ActiveTokenAsync(connection, null, member, default));

        // A row the old code wrote (shifted left) is corrected in place when the mirror reads the
        // chain again from the start, as migration 0013 makes it do; the member is never missing.
        var shifted = new byte[32];
        tokenId.TryWriteBytes(shifted, out _, isUnsigned: true, isBigEndian: true);
        await using (var corrupt = new Npgsql.NpgsqlCommand("UPDATE membership_events SET token_id = $1", connection))
        {
            corrupt.Parameters.Add(new() { Value = shifted });
            await corrupt.ExecuteNonQueryAsync();
        }

        await using (var rewind = new Npgsql.NpgsqlCommand("DELETE FROM chain_cursors WHERE follower = 'membership'", connection)) await rewind.ExecuteNonQueryAsync();

        Assert.NotEqual(tokenId, await MembershipQueries.ActiveTokenAsync(connection, null, member, default));
        await new MembershipMirror(harness.Database, harness.Client, emitter, governance.IdentityAbi, 0, harness.Log).RunOnceAsync();
        Assert.Equal(tokenId, await MembershipQueries.ActiveTokenAsync(connection, null, member, default));
    }

    [Fact]
    public async Task An_amendment_executes_through_the_constitution_and_a_revocation_of_a_non_member_fails_with_its_reason()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var group = harness.Loomio.AddGroup("Members");
        var stranger = PrivateKey.FromHex(harness.Node.Accounts[5].PrivateKey).Address;
        var amend = DecidePoll(harness, group, "Five confirmations?", ActionBlockHtml("amend-parameter confirmations 5"));
        var revoke = DecidePoll(harness, group, "Revoke a stranger?", ActionBlockHtml($"revoke-member {stranger.ToChecksumString()}"));
        await harness.Ingestor().ReconcileGroupAsync(group);
        var pipeline = harness.Pipeline();
        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, amend, "executed"), "amendment executed");
        var constitution = new Contract(harness.Client, harness.Manifest["Constitution"].Address, new CoopDeployer(TestToolchain.Runner()).Artifact(harness.Manifest, "Constitution").Abi);
        Assert.Equal(new BigInteger(5), await constitution.CallAsync<BigInteger>("parameter", GovernanceAction.ShortText("confirmations")));
        var failed = Assert.Single(await ActionsAsync(harness, revoke));
        Assert.Equal("failed", failed.Status);
        Assert.Contains("holds no membership token", failed.Reason);
    }

    [Fact]
    public async Task Nothing_is_executed_from_a_revised_reopened_or_malformed_decision()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var group = harness.Loomio.AddGroup("Members");
        var ada = PrivateKey.FromHex(harness.Node.Accounts[3].PrivateKey).Address;
        var bob = PrivateKey.FromHex(harness.Node.Accounts[4].PrivateKey).Address;

        // Revised before its version was confirmed: the revision removes the action.
        var revised = DecidePoll(harness, group, "Admit Ada?", ActionBlockHtml($"admit-member {ada.ToChecksumString()}"));
        // Reopened after deciding: the reopened version carries the block but orders nothing.
        var reopened = DecidePoll(harness, group, "Admit Bob?", ActionBlockHtml($"admit-member {bob.ToChecksumString()}"));
        // Malformed: a wrong checksum, an unknown action, a non-number.
        var malformed = DecidePoll(harness, group, "Several things", ActionBlockHtml($"admit-member {WrongChecksum(ada)}", "promote-member 0x00", "amend-parameter quorum lots"));
        await harness.Ingestor().ReconcileGroupAsync(group);
        harness.Loomio.EditOutcome(revised, "<p>On reflection: not yet.</p>");
        harness.Loomio.Reopen(reopened);
        await harness.Ingestor().ReconcileGroupAsync(group);

        var pipeline = harness.Pipeline();
        await harness.RunUntilConfirmedAsync(pipeline);
        for (var i = 0; i < 5; i++)
        {
            await pipeline.RunRoundAsync();
            await harness.Client.Rpc.CallAsync("evm_mine", []);
        }

        Assert.Equal("superseded", Assert.Single(await ActionsAsync(harness, revised)).Status);
        Assert.Equal("superseded", Assert.Single(await ActionsAsync(harness, reopened)).Status);
        Assert.StartsWith("action block ignored: a reopened version", (await GovernanceActions.NotesAsync(harness.Database, reopened))[2]);
        Assert.Empty(await ActionsAsync(harness, malformed));
        var note = (await GovernanceActions.NotesAsync(harness.Database, malformed))[1];
        Assert.Contains("line 1: '" + WrongChecksum(ada) + "' is not an Ethereum address (or its checksum is wrong)", note);
        Assert.Contains("unknown action 'promote-member'", note);
        Assert.Contains("value 'lots' is not a whole number", note);
        Assert.Empty(await Consent(harness).PendingAsync());
        Assert.Equal(BigInteger.Zero, await Identity(harness).CallAsync<BigInteger>("memberCount"));
    }

    [Fact]
    public async Task Admissions_without_consent_expire_and_a_reorg_after_minting_is_healed()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var group = harness.Loomio.AddGroup("Members");
        var ada = PrivateKey.FromHex(harness.Node.Accounts[3].PrivateKey);
        var bob = PrivateKey.FromHex(harness.Node.Accounts[4].PrivateKey);

        var late = DecidePoll(harness, group, "Admit Bob?", ActionBlockHtml($"admit-member {bob.Address.ToChecksumString()}"));
        await harness.Ingestor().ReconcileGroupAsync(group);
        var hurried = harness.Pipeline(consentWindow: TimeSpan.FromSeconds(1));
        await harness.RunUntilAsync(hurried, () => StatusIsAsync(harness, late, "awaiting_consent"), "awaiting consent");
        var pending = Assert.Single(await Consent(harness).PendingAsync());
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await harness.RunUntilAsync(hurried, () => StatusIsAsync(harness, late, "expired"), "expiry");
        var tooLate = await Assert.ThrowsAsync<ConsentRejectedException>(() => Consent(harness).AcceptAsync(pending.ActionId, pending.Agreement.Sign(bob)));
        Assert.Contains("expired", tooLate.Message);

        var admit = DecidePoll(harness, group, "Admit Ada?", ActionBlockHtml($"admit-member {ada.Address.ToChecksumString()}"));
        await harness.Ingestor().ReconcileGroupAsync(group);
        var pipeline = harness.Pipeline();
        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, admit, "awaiting_consent"), "awaiting consent");
        await ConsentAsync(harness, ada);
        await harness.RunUntilAsync(pipeline, async () => await StatusIsAsync(harness, admit, "executed") && (await MembershipQueries.MembershipsAsync(harness.Database)).Count == 1, "minted and mirrored");
        var firstBlock = Assert.Single(await MembershipQueries.MembershipsAsync(harness.Database)).AdmittedInBlock;

        // The blocks holding the mint are replaced by empty ones: the mirror forgets the event, the bridge mints again.
        var head = await harness.Client.BlockNumberAsync();
        await harness.Client.Rpc.CallAsync("anvil_reorg", [(int)(head - (ulong)firstBlock + 1), Array.Empty<object>()]);
        Assert.False(await Identity(harness).CallAsync<bool>("isMember", ada.Address));
        await harness.RunUntilAsync(pipeline, async () =>
            await StatusIsAsync(harness, admit, "executed") && await Identity(harness).CallAsync<bool>("isMember", ada.Address)
            && (await MembershipQueries.MembershipsAsync(harness.Database)).SingleOrDefault() is { Status: "active" } m && m.AdmittedInBlock != firstBlock, "minted again after the reorg");
        Assert.Single(await MembershipQueries.MembershipsAsync(harness.Database));
    }

    /// The attack of issue 15: an action the members did not want is public once scheduled, members
    /// veto it during the notice, and the bridge closes it for good (Glass Box entry, never sent).
    [Fact]
    public async Task A_vetoed_action_is_closed_and_never_executed()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var (pipeline, ada, revoke, actionId, schedule, _) = await ScheduleRevocationOfAMemberAsync(harness);
        var vetoDigest = await schedule.CallAsync<byte[]>("vetoDigest", actionId.ToArray());
        await schedule.SendAsync("veto", [actionId.ToArray(), new object?[] { ada.Sign(vetoDigest).ToBytes65() }]);

        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, revoke, "vetoed"), "veto seen");
        await AssertClosedForGoodAsync(harness, pipeline, ada, revoke, "vetoed");
    }

    /// The anchoring key is stolen: a majority of the members (here the only member) replace it
    /// without it, distrusting the batch that carried the revocation; the schedule cancels the
    /// revocation and the bridge closes it for good.
    [Fact]
    public async Task Members_recovering_the_anchoring_key_cancel_the_actions_of_the_batches_they_distrust()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var (pipeline, ada, revoke, actionId, schedule, _) = await ScheduleRevocationOfAMemberAsync(harness);
        var action = (object?[])(await schedule.CallAsync("actionOf", [actionId.ToArray()]))[0]!;
        var batch = (ulong)(BigInteger)action[3]!;
        var newAnchorer = PrivateKey.FromHex(harness.Node.Accounts[7].PrivateKey).Address;
        var consent = await schedule.CallAsync<byte[]>("recoveryDigest", newAnchorer, batch);
        await schedule.SendAsync("recover", [newAnchorer, batch, new object?[] { ada.Sign(consent).ToBytes65() }]);
        Assert.Equal(newAnchorer, await harness.AnchorContract.CallAsync<Address>("anchorer"));

        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, revoke, "cancelled"), "cancellation seen");
        await AssertClosedForGoodAsync(harness, pipeline, ada, revoke, "cancelled");
    }

    /// The bridge's keys change by decision, with notice like any action: nobody holds an owner key.
    [Fact]
    public async Task A_decision_replaces_the_issuing_and_anchoring_keys_after_its_notice()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var group = harness.Loomio.AddGroup("Members");
        var newIssuer = PrivateKey.FromHex(harness.Node.Accounts[8].PrivateKey).Address;
        var newAnchorer = PrivateKey.FromHex(harness.Node.Accounts[9].PrivateKey).Address;
        var rotate = DecidePoll(harness, group, "Rotate the bridge's keys?", ActionBlockHtml($"set-issuer {newIssuer.ToChecksumString()}", $"set-anchorer {newAnchorer.ToChecksumString()}"));
        await harness.Ingestor().ReconcileGroupAsync(group);
        var pipeline = harness.Pipeline();
        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, rotate, "executed"), "key changes executed");

        Assert.Equal(newIssuer, await Identity(harness).CallAsync<Address>("issuer"));
        Assert.Equal(newAnchorer, await harness.AnchorContract.CallAsync<Address>("anchorer"));
        Assert.Equal(["set-issuer", "set-anchorer"], (await ActionsAsync(harness, rotate)).Select(a => a.Kind));
    }

    /// A revision that orders nothing still supersedes on chain: the bridge schedules a marker for the
    /// new version, so the revocation already on the schedule can be executed by no one.
    [Fact]
    public async Task A_revised_outcome_ordering_nothing_supersedes_the_scheduled_revocation_on_chain()
    {
        await using var harness = await BridgeHarness.StartAsync(postgres);
        var (pipeline, ada, revoke, actionId, schedule, group) = await ScheduleRevocationOfAMemberAsync(harness);
        harness.Loomio.EditOutcome(revoke, "<p>On reflection: Ada stays.</p>");
        await harness.Ingestor().ReconcileGroupAsync(group);
        await harness.RunUntilAsync(pipeline, async () => (await ActionsAsync(harness, revoke)).Any(a => a.Status == "published"), "supersession published");

        Assert.Equal((int)ScheduledStatus.Superseded, (int)await schedule.CallAsync<BigInteger>("statusOf", actionId.ToArray()));
        var rows = await ActionsAsync(harness, revoke);
        Assert.Equal("superseded", rows.Single(a => a.Kind == "revoke-member").Status);
        var marker = rows.Single(a => a.Kind == "supersede-versions");
        Assert.Equal(2, marker.Version);
        await AssertClosedForGoodAsync(harness, pipeline, ada, revoke, "superseded", audited: false);
        await using var connection = await harness.Database.OpenAsync();
        Assert.Single(await GlassBoxLog.ReadAsync(connection, default), e => e.Kind == "intent" && e.Action == "governance.schedule" && e.Subject == marker.Leaf);
    }

    /// Admits a member through the bridge, then has the bridge schedule a decision revoking her;
    /// returns the pipeline, her key, the revoking poll, the revocation's action id and the
    /// schedule (sending as an account that is neither the bridge nor a member), and the Loomio group.
    private static async Task<(AnchoringPipeline Pipeline, PrivateKey Member, string Revoke, Hash32 ActionId, Contract Schedule, long Group)> ScheduleRevocationOfAMemberAsync(
        BridgeHarness harness)
    {
        var group = harness.Loomio.AddGroup("Members");
        var ada = PrivateKey.FromHex(harness.Node.Accounts[3].PrivateKey);
        var pipeline = harness.Pipeline();
        var admit = DecidePoll(harness, group, "Admit Ada?", ActionBlockHtml($"admit-member {ada.Address.ToChecksumString()}"));
        await harness.Ingestor().ReconcileGroupAsync(group);
        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, admit, "awaiting_consent"), "admission awaiting consent");
        await ConsentAsync(harness, ada);
        await harness.RunUntilAsync(pipeline, () => StatusIsAsync(harness, admit, "executed"), "admission executed");

        var revoke = DecidePoll(harness, group, "Revoke Ada?", ActionBlockHtml($"revoke-member {ada.Address.ToChecksumString()}"));
        await harness.Ingestor().ReconcileGroupAsync(group);
        for (var round = 0; !await StatusIsAsync(harness, revoke, "ready"); round++) // chain time stands still: the notice does not pass
        {
            Assert.True(round < 100, "the revocation was not scheduled");
            await pipeline.RunRoundAsync();
            await harness.Client.Rpc.CallAsync("evm_mine", []);
        }

        var schedule = new Contract(harness.Client, harness.Manifest["ActionSchedule"].Address, new CoopDeployer(TestToolchain.Runner()).Artifact(harness.Manifest, "ActionSchedule").Abi,
            new TransactionSender(harness.Client, new LocalSigner(PrivateKey.FromHex(harness.Node.Accounts[6].PrivateKey)))); // anyone submits the signatures
        var identity = Identity(harness);
        var row = Assert.Single(await ActionsAsync(harness, revoke));
        var tokenId = await identity.CallAsync<BigInteger>("tokenOf", ada.Address);
        var digest = await DigestAsync(await harness.Database.OpenAsync(), row.Id);
        var actionId = ActionLeaf.Id(harness.Manifest.ChainId, identity.Address, GovernanceActionKind.RevokeMember,
            ActionLeaf.Params(new GovernanceAction(GovernanceActionKind.RevokeMember, ada.Address), tokenId), digest);
        return (pipeline, ada, revoke, actionId, schedule, group);
    }

    /// Long after the notice, the closed revocation was never sent and the member is still one; what
    /// closed it on chain is in the Glass Box (<paramref name="audited"/>: a veto or cancellation seen;
    /// a supersession is the scheduling of the later version's marker instead).
    private static async Task AssertClosedForGoodAsync(BridgeHarness harness, AnchoringPipeline pipeline, PrivateKey member, string revoke, string status, bool audited = true)
    {
        for (var i = 0; i < 8; i++)
        {
            await pipeline.RunRoundAsync();
            await harness.AdvanceAsync(BridgeHarness.Notice);
        }

        var row = (await ActionsAsync(harness, revoke)).Single(a => a.Kind == "revoke-member");
        Assert.Equal(status, row.Status);
        Assert.True(await Identity(harness).CallAsync<bool>("isMember", member.Address));
        await using var connection = await harness.Database.OpenAsync();
        var log = await GlassBoxLog.ReadAsync(connection, default);
        Assert.Null(GlassBoxLog.FirstBrokenLink(log));
        if (audited) Assert.Single(log, e => e.Kind == "intent" && e.Action == $"governance.{status}" && e.Subject == row.Leaf);
        Assert.DoesNotContain(log, e => e.Kind == "intent" && e.Action == "governance.execute" && e.Subject == row.Leaf);
    }

    private static async Task<Hash32> DigestAsync(Npgsql.NpgsqlConnection connection, long actionId)
    {
        await using (connection)
        {
            await using var command = new Npgsql.NpgsqlCommand("SELECT v.sha256 FROM governance_actions a JOIN decision_versions v ON v.id = a.version_id WHERE a.id = $1", connection);
            command.Parameters.Add(new() { Value = actionId });
            return new Hash32((byte[])(await command.ExecuteScalarAsync())!);
        }
    }
}
