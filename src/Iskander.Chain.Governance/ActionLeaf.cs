using System.Numerics;
using System.Text;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;

namespace Iskander.Chain.Governance;

/// <summary>Where a cooperative's governed contracts live: what binds an action leaf to one chain and contract.</summary>
/// <param name="ChainId">Chain id.</param>
/// <param name="Identity">CoopIdentity (admit, revoke).</param>
/// <param name="Constitution">Constitution (amend).</param>
/// <param name="Schedule">ActionSchedule (the target of supersession markers, which nothing executes).</param>
public sealed record GovernanceTargets(ulong ChainId, Address Identity, Address Constitution, Address Schedule)
{
    /// <summary>The contract that executes <paramref name="kind"/>.</summary>
    public Address For(GovernanceActionKind kind) => kind switch
    {
        GovernanceActionKind.AmendParameter => Constitution,
        GovernanceActionKind.SupersedeVersions or GovernanceActionKind.SetAnchorer => Schedule,
        _ => Identity,
    };
}

/// <summary>
/// Action identities and leaves (docs/formats.md), equal to <c>GovernanceAction.id</c> and
/// <c>GovernanceAction.leaf</c> in the contracts. The identity keccak256(abi.encode(chainId, target,
/// kind, params, decisionDigest)) is what the executing contract recomputes from its own arguments;
/// the leaf keccak256(0x00 ‖ keccak256("iskander.governance-action.v2") ‖ keccak256(abi.encode(id,
/// poll, version))) adds the poll and version the schedule orders supersession by. Leaves are
/// anchored in the same Merkle batch as the decision record that orders them.
/// </summary>
public static class ActionLeaf
{
    /// <summary>Format tag of version-2 action leaves.</summary>
    public static readonly Hash32 TagV2 = Hash32.Keccak(Encoding.ASCII.GetBytes("iskander.governance-action.v2"));

    /// <summary>
    /// The ABI-encoded parameters the contract checks: <c>(member, role)</c> to admit,
    /// <c>(member, tokenId)</c> to revoke, <c>(name, value)</c> to amend, <c>(newKey)</c> to replace a key, none for a supersession marker.
    /// </summary>
    /// <param name="action">The action.</param>
    /// <param name="tokenId">The member's current token (revocations only).</param>
    public static byte[] Params(GovernanceAction action, BigInteger? tokenId = null) => action.Kind switch
    {
        GovernanceActionKind.AdmitMember => AbiCodec.Encode(["address", "bytes32"], [action.Member!.Value, GovernanceAction.ShortText(action.Role!)]),
        GovernanceActionKind.RevokeMember => AbiCodec.Encode(["address", "uint256"], [action.Member!.Value, tokenId ?? throw new ArgumentNullException(nameof(tokenId), "a revocation names the token")]),
        GovernanceActionKind.SupersedeVersions => [],
        GovernanceActionKind.SetAnchorer or GovernanceActionKind.SetIssuer => AbiCodec.Encode(["address"], [action.Member!.Value]),
        _ => AbiCodec.Encode(["bytes32", "uint256"], [GovernanceAction.ShortText(action.Parameter!), action.Value!.Value]),
    };

    /// <summary>The identity of <paramref name="kind"/> with <paramref name="parameters"/> at <paramref name="target"/>, ordered by the record with <paramref name="decisionDigest"/>.</summary>
    public static Hash32 Id(ulong chainId, Address target, GovernanceActionKind kind, byte[] parameters, Hash32 decisionDigest) =>
        Hash32.Keccak(AbiCodec.Encode(["uint256", "address", "bytes32", "bytes", "bytes32"],
            [new BigInteger(chainId), target, kind.OnChainKind().ToArray(), parameters, decisionDigest.ToArray()]));

    /// <summary>The poll identity an action carries: keccak256 of the poll key's UTF-8 bytes (e.g. <c>loomio.example/42</c>).</summary>
    public static Hash32 PollId(string pollKey) => Hash32.Keccak(Encoding.UTF8.GetBytes(pollKey));

    /// <summary>The leaf that anchors action <paramref name="actionId"/> as ordered by version <paramref name="version"/> of poll <paramref name="poll"/>.</summary>
    public static Hash32 Compute(Hash32 actionId, Hash32 poll, ulong version)
    {
        var body = Hash32.Keccak(AbiCodec.Encode(["bytes32", "bytes32", "uint64"], [actionId.ToArray(), poll.ToArray(), version]));
        Span<byte> preimage = stackalloc byte[65];
        preimage[0] = 0x00;
        TagV2.Bytes.CopyTo(preimage[1..]);
        body.Bytes.CopyTo(preimage[33..]);
        return Hash32.Keccak(preimage);
    }
}
