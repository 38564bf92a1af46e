using Iskander.Chain.Ethereum;

namespace Iskander.Chain.Bridge.Pipeline;

/// <summary>
/// The DecisionAnchor a verifier holds to be its cooperative's, named on the verifier's side (an
/// address it was given, a deployment manifest it keeps). An evidence bundle names a contract too, but
/// anyone can deploy a DecisionAnchor and anchor a fabricated record in it, so the bundle's word
/// proves nothing by itself.
/// </summary>
/// <param name="ChainId">The chain the contract is on.</param>
/// <param name="Address">The contract.</param>
/// <param name="Source">Where the verifier got it from, for the report (e.g. <c>--anchor</c>, a manifest's path).</param>
/// <param name="DeployBlock">A block at or before the contract's deployment (the manifest's; 0 when only the address is known).</param>
public sealed record TrustedAnchor(ulong ChainId, Address Address, string Source, ulong DeployBlock = 0)
{
    /// <summary>Name of the check that the bundle's anchor is the trusted one.</summary>
    public const string CheckName = "anchor → cooperative";

    /// <summary>PASS when <paramref name="bundle"/> names this contract on this chain, else FAIL naming both.</summary>
    public VerificationCheck Check(EvidenceBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var named = $"the bundle names DecisionAnchor {bundle.DecisionAnchor} on chain {bundle.ChainId}";
        return bundle.ChainId == ChainId && bundle.DecisionAnchor == Address
            ? new(CheckName, Verdict.Pass, $"{named}, the cooperative's ({Source})")
            : new(CheckName, Verdict.Fail, $"{named}; the cooperative's ({Source}) is {Address} on chain {ChainId}");
    }

    /// <summary>The verdict without a trusted anchor: never a pass, whatever the bundle says.</summary>
    /// <param name="bundle">The bundle being verified.</param>
    /// <param name="hint">How the verifier names its cooperative's anchor.</param>
    public static VerificationCheck Missing(EvidenceBundle bundle, string hint)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return new(CheckName, Verdict.Unresolved, $"the bundle names DecisionAnchor {bundle.DecisionAnchor} on chain {bundle.ChainId}, which it cannot vouch for itself: {hint}");
    }
}
