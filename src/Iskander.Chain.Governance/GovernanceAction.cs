using System.Globalization;
using System.Numerics;
using System.Text;
using Iskander.Chain.Ethereum;

namespace Iskander.Chain.Governance;

/// <summary>The kinds of action a decision can order (names as written in an action block).</summary>
public enum GovernanceActionKind
{
    /// <summary><c>admit-member</c>: issue a membership token (after the member's consent).</summary>
    AdmitMember,

    /// <summary><c>revoke-member</c>: revoke a member's token.</summary>
    RevokeMember,

    /// <summary><c>amend-parameter</c>: set a constitution parameter.</summary>
    AmendParameter,

    /// <summary><c>set-anchorer</c>: replace the bridge's anchoring key (after the notice, like any action).</summary>
    SetAnchorer,

    /// <summary><c>set-issuer</c>: replace the key that issues membership tokens.</summary>
    SetIssuer,

    /// <summary>
    /// <c>supersede-versions</c>: never written in an action block. The bridge adds it to a later
    /// version of a poll whose earlier versions' actions were anchored, so that scheduling it
    /// supersedes them on chain even when the later version orders nothing itself. It is never executed.
    /// </summary>
    SupersedeVersions,
}

/// <summary>Names and on-chain identifiers of <see cref="GovernanceActionKind"/>.</summary>
public static class GovernanceActionKinds
{
    /// <summary>The name written in action blocks and stored by the bridge.</summary>
    public static string Name(this GovernanceActionKind kind) => kind switch
    {
        GovernanceActionKind.AdmitMember => "admit-member",
        GovernanceActionKind.RevokeMember => "revoke-member",
        GovernanceActionKind.AmendParameter => "amend-parameter",
        GovernanceActionKind.SetAnchorer => "set-anchorer",
        GovernanceActionKind.SetIssuer => "set-issuer",
        GovernanceActionKind.SupersedeVersions => "supersede-versions",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The kind named <paramref name="name"/>, or null.</summary>
    public static GovernanceActionKind? Parse(string name) =>
        Enum.GetValues<GovernanceActionKind>().Select(k => (GovernanceActionKind?)k).FirstOrDefault(k => k!.Value.Name() == name);

    /// <summary>The kind as <c>GovernanceAction.sol</c> names it: keccak256 of the upper-case constant name.</summary>
    public static Hash32 OnChainKind(this GovernanceActionKind kind) => Hash32.Keccak(Encoding.ASCII.GetBytes(kind switch
    {
        GovernanceActionKind.AdmitMember => "ADMIT_MEMBER",
        GovernanceActionKind.RevokeMember => "REVOKE_MEMBER",
        GovernanceActionKind.SupersedeVersions => "SUPERSEDE",
        GovernanceActionKind.SetAnchorer => "SET_ANCHORER",
        GovernanceActionKind.SetIssuer => "SET_ISSUER",
        _ => "AMEND_PARAMETER",
    }));
}

/// <summary>
/// One action as a decision states it. Members and parameters are named exactly; a revocation names
/// the member, and the bridge finds the token it refers to when the action is anchored.
/// </summary>
/// <param name="Kind">What to do.</param>
/// <param name="Member">The member (admit, revoke), or the new key (set-anchorer, set-issuer).</param>
/// <param name="Role">The member's role (admit), at most 31 ASCII characters.</param>
/// <param name="Uri">Token metadata URI (admit), possibly empty.</param>
/// <param name="Parameter">Parameter name (amend), at most 31 ASCII characters.</param>
/// <param name="Value">New value (amend).</param>
public sealed record GovernanceAction(GovernanceActionKind Kind, Address? Member = null, string? Role = null, string? Uri = null, string? Parameter = null, BigInteger? Value = null)
{
    /// <summary>Identifies the action within a poll: two versions of one decision that order the same thing order it once.</summary>
    public string Key => Kind switch
    {
        GovernanceActionKind.AdmitMember => $"{Kind.Name()} {Member!.Value.ToString().ToLowerInvariant()} {Role}",
        GovernanceActionKind.RevokeMember or GovernanceActionKind.SetAnchorer or GovernanceActionKind.SetIssuer => $"{Kind.Name()} {Member!.Value.ToString().ToLowerInvariant()}",
        GovernanceActionKind.SupersedeVersions => Kind.Name(),
        _ => $"{Kind.Name()} {Parameter} {Value!.Value.ToString(CultureInfo.InvariantCulture)}",
    };

    /// <summary>Short ASCII text as a left-aligned, zero-padded <c>bytes32</c> (as Solidity's <c>bytes32("member")</c>).</summary>
    public static byte[] ShortText(string text)
    {
        var bytes = new byte[32];
        if (Encoding.ASCII.GetBytes(text, bytes) > 31) throw new ArgumentException("at most 31 characters", nameof(text));
        return bytes;
    }

    /// <summary>Reads a <see cref="ShortText"/> value back.</summary>
    public static string FromShortText(ReadOnlySpan<byte> word)
    {
        var end = word.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? word : word[..end]);
    }
}
