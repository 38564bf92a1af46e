using System.Numerics;
using System.Text;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;

namespace Iskander.Chain.Governance;

/// <summary>Where a cooperative's governed contracts live: what binds an action leaf to one chain and contract.</summary>
/// <param name="ChainId">Chain id.</param>
/// <param name="Identity">CoopIdentity (admit, revoke).</param>
/// <param name="Constitution">Constitution (amend).</param>
public sealed record GovernanceTargets(ulong ChainId, Address Identity, Address Constitution)
{
    /// <summary>The contract that executes <paramref name="kind"/>.</summary>
    public Address For(GovernanceActionKind kind) => kind == GovernanceActionKind.AmendParameter ? Constitution : Identity;
}

/// <summary>
/// Action leaves (docs/formats.md), equal to <c>GovernanceAction.leaf</c> in the contracts:
/// keccak256(0x00 ‖ keccak256("iskander.governance-action.v1") ‖ keccak256(abi.encode(chainId,
/// target, kind, params, decisionDigest))). They are anchored in the same Merkle batch as the decision
/// record that orders them, and the executing contract recomputes them from its own arguments.
/// </summary>
public static class ActionLeaf
{
    /// <summary>Format tag of version-1 action leaves.</summary>
    public static readonly Hash32 TagV1 = Hash32.Keccak(Encoding.ASCII.GetBytes("iskander.governance-action.v1"));

    /// <summary>
    /// The ABI-encoded parameters the contract checks: <c>(member, role)</c> to admit,
    /// <c>(member, tokenId)</c> to revoke, <c>(name, value)</c> to amend.
    /// </summary>
    /// <param name="action">The action.</param>
    /// <param name="tokenId">The member's current token (revocations only).</param>
    public static byte[] Params(GovernanceAction action, BigInteger? tokenId = null) => action.Kind switch
    {
        GovernanceActionKind.AdmitMember => AbiCodec.Encode(["address", "bytes32"], [action.Member!.Value, GovernanceAction.ShortText(action.Role!)]),
        GovernanceActionKind.RevokeMember => AbiCodec.Encode(["address", "uint256"], [action.Member!.Value, tokenId ?? throw new ArgumentNullException(nameof(tokenId), "a revocation names the token")]),
        _ => AbiCodec.Encode(["bytes32", "uint256"], [GovernanceAction.ShortText(action.Parameter!), action.Value!.Value]),
    };

    /// <summary>The leaf authorising <paramref name="kind"/> with <paramref name="parameters"/> at <paramref name="target"/>, ordered by the record with <paramref name="decisionDigest"/>.</summary>
    public static Hash32 Compute(ulong chainId, Address target, GovernanceActionKind kind, byte[] parameters, Hash32 decisionDigest)
    {
        var body = Hash32.Keccak(AbiCodec.Encode(["uint256", "address", "bytes32", "bytes", "bytes32"],
            [new BigInteger(chainId), target, kind.OnChainKind().ToArray(), parameters, decisionDigest.ToArray()]));
        Span<byte> preimage = stackalloc byte[65];
        preimage[0] = 0x00;
        TagV1.Bytes.CopyTo(preimage[1..]);
        body.Bytes.CopyTo(preimage[33..]);
        return Hash32.Keccak(preimage);
    }
}
