using System.Numerics;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Crypto;

namespace Iskander.Chain.Governance.Tests;

public sealed class ActionBlockTests
{
    private const string Ada = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    private const string Bob = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

    [Fact]
    public void A_markdown_fence_yields_its_actions_in_order_with_defaults()
    {
        var block = ActionBlock.Parse($"We decided.\n\n```iskander-actions\n# founders\nadmit-member {Ada} role=steward uri=ipfs://card\n\nadmit-member {Bob}\namend-parameter confirmations 12\n```\nThanks.", "md");
        Assert.True(block.Present);
        Assert.Empty(block.Errors);
        Assert.Equal(
            [
                new GovernanceAction(GovernanceActionKind.AdmitMember, Address.Parse(Ada), "steward", "ipfs://card"),
                new GovernanceAction(GovernanceActionKind.AdmitMember, Address.Parse(Bob), "member", ""),
                new GovernanceAction(GovernanceActionKind.AmendParameter, Parameter: "confirmations", Value: 12),
            ],
            block.Actions);
    }

    [Fact]
    public void An_html_code_block_is_read_with_entities_and_line_breaks_decoded()
    {
        var block = ActionBlock.Parse($"<p>Decided.</p><pre><code class=\"language-iskander-actions\">revoke-member {Ada}<br>amend-parameter max&#95;pay&#95;ratio 300</code></pre>", "html");
        Assert.Equal([GovernanceActionKind.RevokeMember, GovernanceActionKind.AmendParameter], block.Actions.Select(a => a.Kind));
        Assert.Equal("max_pay_ratio", block.Actions[1].Parameter);
    }

    [Fact]
    public void Statements_without_a_block_or_with_another_language_order_nothing()
    {
        Assert.False(ActionBlock.Parse("<p>Adopted.</p>", "html").Present);
        Assert.False(ActionBlock.Parse(null, null).Present);
        Assert.False(ActionBlock.Parse($"```text\nadmit-member {Ada}\n```", "md").Present);
        // A markdown fence inside an HTML statement is prose, not a block.
        Assert.False(ActionBlock.Parse($"<p>```iskander-actions\nadmit-member {Ada}\n```</p>", "html").Present);
    }

    [Theory]
    [InlineData("admit-member 0x1234", "is not an Ethereum address")]
    [InlineData("admit-member 0x70997970c51812dc3a010c7d01b50e0d17dc79C8", "checksum is wrong")]
    [InlineData("admit-member " + Ada + " role=", "role '' must be")]
    [InlineData("admit-member " + Ada + " role=a b", "takes one address")]
    [InlineData("admit-member " + Ada + " colour=red", "has no 'colour'")]
    [InlineData("admit-member " + Ada + " role=x role=y", "'role' is given twice")]
    [InlineData("revoke-member", "exactly one address")]
    [InlineData("amend-parameter confirmations -1", "is not a whole number")]
    [InlineData("amend-parameter confirmations 115792089237316195423570985008687907853269984665640564039457584007913129639936", "is not a whole number")]
    [InlineData("amend-parameter this-name-is-far-too-long-for-bytes32 1", "must be 1–31")]
    [InlineData("dissolve-cooperative now", "unknown action 'dissolve-cooperative'")]
    [InlineData("supersede-versions", "unknown action 'supersede-versions'")]
    [InlineData("set-anchorer 0x0000000000000000000000000000000000000000", "other than zero")]
    [InlineData("set-issuer " + Ada + " " + Ada, "takes exactly one address, the new key")] // the bridge's own marker, never ordered by a decision
    public void Malformed_lines_void_the_whole_block_with_a_reason(string line, string expected)
    {
        var block = ActionBlock.Parse($"```iskander-actions\namend-parameter quorum 3\n{line}\n```", "md");
        Assert.True(block.Present);
        Assert.Empty(block.Actions); // the valid first line is not executed either
        Assert.Contains(block.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Repeated_actions_and_several_blocks_are_errors()
    {
        Assert.Contains("the same action appears twice", Assert.Single(ActionBlock.Parse($"```iskander-actions\nrevoke-member {Ada}\nrevoke-member {Ada.ToLowerInvariant()}\n```", "md").Errors));
        Assert.Contains("2 iskander-actions blocks", Assert.Single(ActionBlock.Parse($"```iskander-actions\nrevoke-member {Ada}\n```\n```iskander-actions\nrevoke-member {Bob}\n```", "md").Errors));
        Assert.Equal("the action block is empty", Assert.Single(ActionBlock.Parse("```iskander-actions\n# nothing yet\n```", "md").Errors));
        var many = string.Join("\n", Enumerable.Range(0, ActionBlock.MaxActions + 1).Select(i => $"amend-parameter p{i} {i}"));
        Assert.Contains("at most 32", Assert.Single(ActionBlock.Parse($"```iskander-actions\n{many}\n```", "md").Errors));
    }

    [Fact]
    public void Action_keys_identify_the_same_order_across_versions()
    {
        var a = ActionBlock.Parse($"```iskander-actions\nadmit-member {Ada} role=worker\n```", "md").Actions[0];
        var b = ActionBlock.Parse($"```iskander-actions\nadmit-member {Ada.ToLowerInvariant()} role=worker uri=x\n```", "md").Actions[0];
        var c = ActionBlock.Parse($"```iskander-actions\nadmit-member {Ada} role=steward\n```", "md").Actions[0];
        Assert.Equal(a.Key, b.Key);
        Assert.NotEqual(a.Key, c.Key);
    }

    [Fact]
    public void Action_leaves_bind_chain_target_kind_parameters_decision_poll_and_version()
    {
        var member = new GovernanceAction(GovernanceActionKind.AdmitMember, Address.Parse(Ada), "member", "");
        var target = Address.Parse(Bob);
        var digest = Hash32.Keccak("record"u8);
        var id = ActionLeaf.Id(31337, target, member.Kind, ActionLeaf.Params(member), digest);
        Assert.NotEqual(id, ActionLeaf.Id(1, target, member.Kind, ActionLeaf.Params(member), digest));
        Assert.NotEqual(id, ActionLeaf.Id(31337, Address.Parse(Ada), member.Kind, ActionLeaf.Params(member), digest));
        Assert.NotEqual(id, ActionLeaf.Id(31337, target, member.Kind, ActionLeaf.Params(member with { Role = "steward" }), digest));
        Assert.NotEqual(id, ActionLeaf.Id(31337, target, member.Kind, ActionLeaf.Params(member), Hash32.Keccak("other"u8)));
        var poll = ActionLeaf.PollId("loomio.example/7");
        var leaf = ActionLeaf.Compute(id, poll, 1);
        Assert.NotEqual(leaf, ActionLeaf.Compute(id, poll, 2));
        Assert.NotEqual(leaf, ActionLeaf.Compute(id, ActionLeaf.PollId("loomio.example/8"), 1));
        Assert.Throws<ArgumentNullException>(() => ActionLeaf.Params(member with { Kind = GovernanceActionKind.RevokeMember }));
        Assert.Equal(new BigInteger(7), new BigInteger(ActionLeaf.Params(member with { Kind = GovernanceActionKind.RevokeMember }, 7)[32..], isUnsigned: true, isBigEndian: true));
    }

    [Fact]
    public void Agreements_check_who_signed_them()
    {
        var member = PrivateKey.FromHex("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
        var stranger = PrivateKey.FromHex("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
        var agreement = MembershipAgreement.Create(31337, Address.Parse(Bob), Address.Parse(Ada), member.Address, "member", "", Hash32.Keccak("r"u8));
        Assert.True(agreement.CheckConsent(agreement.Sign(member)).Valid);
        Assert.Contains(stranger.Address.ToChecksumString(), agreement.CheckConsent(agreement.Sign(stranger)).Problem);
        Assert.False(agreement.CheckConsent(new byte[64]).Valid);
        var parsed = MembershipAgreement.Parse(agreement.ToJson());
        Assert.Equal(agreement.Digest, parsed.Digest);
        Assert.Equal(member.Address, parsed.Member);
    }
}
