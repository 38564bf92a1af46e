using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Iskander.Chain.Anchoring.Records;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Governance;
using Iskander.Chain.Watchtower;

namespace Iskander.Chain.Bridge.Tests;

/// <summary>Each way a scheduled action can fail to be what its decision record orders, on records built here (the chain-backed cases are in <see cref="WatchtowerTests"/>).</summary>
public sealed class ActionAuditTests
{
    private static readonly GovernanceTargets Targets = new(31337, Address.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"), Address.Parse("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"),
        Address.Parse("0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"));
    private static readonly Address Ada = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");

    private static byte[] Record(string pollKey = "polKEY01", int version = 1, string state = "decided", string statement = "```iskander-actions\nrevoke-member 0x70997970C51812dc3A010C7d01b50e0d17dc79C8\n```",
        string schema = "iskander.decision/1") =>
        JsonCanonicalizer.Canonicalize(new JsonObject
        {
            ["schema"] = schema, ["source"] = new JsonObject { ["instance"] = "https://loomio.example.org", ["pollKey"] = pollKey }, ["version"] = version, ["state"] = state,
            ["outcome"] = new JsonObject { ["statement"] = statement, ["statementFormat"] = "md" },
        });

    // The event the schedule would publish for `action` ordered by `record` (as the bridge schedules it).
    private static ScheduledActionEvent Scheduled(byte[] record, GovernanceAction action, BigInteger? tokenId = null, string pollKey = "polKEY01", ulong version = 1, Address? target = null)
    {
        var digest = new Hash32(SHA256.HashData(record));
        var parameters = ActionLeaf.Params(action, tokenId);
        var to = target ?? Targets.For(action.Kind);
        var id = ActionLeaf.Id(Targets.ChainId, to, action.Kind, parameters, digest);
        var poll = ActionLeaf.PollId(pollKey);
        return new ScheduledActionEvent(id, poll, to, version, action.Kind.OnChainKind(), parameters, digest, ActionLeaf.Compute(id, poll, version), 0, 1);
    }

    private static readonly GovernanceAction RevokeAda = new(GovernanceActionKind.RevokeMember, Ada);

    /// The bridge's marker for a later version that orders nothing: it passes on the later version's record alone.
    [Fact]
    public void A_supersession_marker_passes_on_a_later_version_of_its_poll()
    {
        var revised = Record(version: 2, state: "outcome_revised", statement: "On reflection: Ada stays.");
        var audit = ActionAudit.Check(Scheduled(revised, new GovernanceAction(GovernanceActionKind.SupersedeVersions), version: 2), revised, Targets);
        Assert.True(audit.Passed, audit.Detail);
        Assert.StartsWith("supersede-versions: poll polKEY01 v2 (outcome_revised) supersedes the poll's earlier versions", audit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_action_the_record_orders_passes_with_the_token_the_bridge_bound()
    {
        var record = Record();
        var audit = ActionAudit.Check(Scheduled(record, RevokeAda, 7), record, Targets);
        Assert.True(audit.Passed, audit.Detail);
        Assert.StartsWith($"revoke-member {Ada.ToChecksumString()} (token 0x7), ordered by poll polKEY01 v1 (bafkrei", audit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_mismatch_is_an_alarm_that_says_what_is_wrong()
    {
        var record = Record();
        var other = Address.Parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
        var cases = new (ScheduledActionEvent Action, byte[]? Record, string Expected)[]
        {
            (Scheduled(record, RevokeAda, 7), null, "is not published"),
            (Scheduled(record, new GovernanceAction(GovernanceActionKind.RevokeMember, other), 7), record, "does not order it (it orders: revoke-member 0x70997970c51812dc3a010c7d01b50e0d17dc79c8)"),
            (Scheduled(record, new GovernanceAction(GovernanceActionKind.AmendParameter, Parameter: "vetoQuorumBps", Value: 1)), record, "does not order it"),
            (Scheduled(record, RevokeAda, 7, pollKey: "polOTHER"), record, "the action names poll"),
            (Scheduled(record, RevokeAda, 7, version: 2), record, "the action names version 2 of poll polKEY01, its record"),
            (Scheduled(record, RevokeAda, 7, target: Targets.Constitution), record, "which is not the cooperative's CoopIdentity"),
            (Scheduled(Record(state: "reopened"), RevokeAda, 7), Record(state: "reopened"), "is 'reopened', a state that orders no action"),
            (Scheduled(Record(statement: "Adopted."), RevokeAda, 7), Record(statement: "Adopted."), "has no action block"),
            (Scheduled(Record(statement: "```iskander-actions\nrevoke-member 0x00\n```"), RevokeAda, 7), Record(statement: "```iskander-actions\nrevoke-member 0x00\n```"), "is void (line 1:"),
            (Scheduled(Record(schema: "iskander.ballot-result/1"), RevokeAda, 7), Record(schema: "iskander.ballot-result/1"), "is not an iskander.decision/1 record"),
        };
        foreach (var (action, bytes, expected) in cases)
        {
            var audit = ActionAudit.Check(action, bytes, Targets);
            Assert.False(audit.Passed, audit.Detail);
            Assert.Contains(expected, audit.Detail, StringComparison.Ordinal);
        }

        // A supersession marker on a first version has nothing to supersede; one with parameters is not the bridge's.
        var supersede = new GovernanceAction(GovernanceActionKind.SupersedeVersions);
        Assert.Contains("is the poll's first version", ActionAudit.Check(Scheduled(record, supersede), record, Targets).Detail, StringComparison.Ordinal);
        var second = Record(version: 2, statement: "Not after all.");
        var withParams = Scheduled(second, supersede, version: 2) with { Params = [1] };
        Assert.Contains("carries no parameters", ActionAudit.Check(withParams, second, Targets).Detail, StringComparison.Ordinal);

        // A kind no action block can order.
        var release = Scheduled(record, RevokeAda, 7) with { Kind = Hash32.Keccak("RELEASE_ESCROW"u8) };
        Assert.Contains("is not one a decision record can order", ActionAudit.Check(release, record, Targets).Detail, StringComparison.Ordinal);
    }
}
