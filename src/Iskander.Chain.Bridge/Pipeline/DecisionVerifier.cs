using Iskander.Chain.Anchoring;
using Iskander.Chain.Content;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.JsonRpc;

namespace Iskander.Chain.Bridge.Pipeline;

/// <summary>A check's result: never a bare boolean.</summary>
public enum Verdict
{
    /// <summary>Checked and holds.</summary>
    Pass,

    /// <summary>Checked and does not hold.</summary>
    Fail,

    /// <summary>Could not be decided now (content unreachable, too few confirmations).</summary>
    Unresolved,

    /// <summary>Does not apply.</summary>
    NotApplicable,
}

/// <summary>One verification step.</summary>
/// <param name="Name">What was checked, e.g. <c>bytes → CID</c>.</param>
/// <param name="Verdict">Its result.</param>
/// <param name="Detail">Why, in words.</param>
public sealed record VerificationCheck(string Name, Verdict Verdict, string Detail);

/// <summary>
/// Verifies an anchored decision version from its bytes to the chain, each link on its own:
/// the bytes hash to the CID, the CID's digest gives the leaf, the proof leads from the leaf to the
/// root, and the DecisionAnchor contract holds the root (and confirms the inclusion itself) in a block
/// with enough confirmations. Nothing is taken from the bridge's database on trust except which
/// version to check.
/// </summary>
public sealed class DecisionVerifier(IContentStore? store, AnchorChain chain, int confirmations)
{
    /// <summary>Runs every check, reading the record's bytes from the content store.</summary>
    public async Task<IReadOnlyList<VerificationCheck>> VerifyAsync(AnchoredDecision decision, CancellationToken cancellationToken = default)
    {
        var cid = Cid.Parse(decision.Cid);
        try
        {
            return await VerifyAsync(await store!.GetAsync(cid, cancellationToken).ConfigureAwait(false), cid, decision.Reference, chain, confirmations, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ContentNotFoundException or ContentIntegrityException)
        {
            var checks = new List<VerificationCheck> { new("bytes → CID", ex is ContentIntegrityException ? Verdict.Fail : Verdict.Unresolved, ex.Message) };
            checks.AddRange((await VerifyAsync(null, cid, decision.Reference, chain, confirmations, cancellationToken).ConfigureAwait(false)).Skip(1));
            return checks;
        }
    }

    /// <summary>
    /// Runs every check on given bytes (an evidence bundle's), independent of any bridge database or
    /// store. Without a <paramref name="chain"/> (no DecisionAnchor the verifier trusts) only the
    /// content links are checked; the chain links stay UNRESOLVED.
    /// </summary>
    public static async Task<IReadOnlyList<VerificationCheck>> VerifyAsync(byte[]? bytes, Cid cid, DecisionRef reference, AnchorChain? chain, int confirmations, CancellationToken cancellationToken = default)
    {
        var checks = new List<VerificationCheck>();
        var computed = bytes is null ? null : Cid.ForRawBlock(bytes);
        checks.Add(computed is null ? new("bytes → CID", Verdict.Unresolved, "no bytes to check")
            : computed.Equals(cid) ? new("bytes → CID", Verdict.Pass, $"{bytes!.Length} bytes hash to {cid}")
            : new("bytes → CID", Verdict.Fail, $"the bytes hash to {computed}, not {cid}"));

        var leaf = DecisionLeaf.FromDigest(new Hash32(cid.Hash.Digest));
        checks.Add(leaf == reference.Leaf
            ? new("CID → leaf", Verdict.Pass, $"leaf {leaf}")
            : new("CID → leaf", Verdict.Fail, $"the CID gives leaf {leaf}, the proof starts from {reference.Leaf}"));

        checks.AddRange(await VerifyInclusionAsync(reference, chain, confirmations, cancellationToken).ConfigureAwait(false));
        return checks;
    }

    /// <summary>
    /// The chain links of <paramref name="reference"/>: its proof leads to the root, with the batch
    /// size the chain holds (<c>leaf → root</c>), and the cooperative's DecisionAnchor holds the root
    /// with enough confirmations (<c>root → chain</c>). Without a trusted <paramref name="chain"/> both stay UNRESOLVED.
    /// </summary>
    public static async Task<IReadOnlyList<VerificationCheck>> VerifyInclusionAsync(DecisionRef reference, AnchorChain? chain, int confirmations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var checks = new List<VerificationCheck>();
        if (chain is null)
        {
            checks.Add(new("leaf → root", Verdict.Unresolved, "the batch size comes from the cooperative's DecisionAnchor, and none is trusted"));
            checks.Add(new("root → chain", Verdict.Unresolved, "no trusted DecisionAnchor to look the root up in"));
            return checks;
        }

        AnchoredBatch onChain;
        try
        {
            onChain = await chain.BatchOfAsync(reference.Root, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JsonRpcErrorException or AbiException)
        {
            // The node answered, but not as a DecisionAnchor would (a revert, or no code at the address): the anchor is not there.
            checks.Add(new("leaf → root", Verdict.Unresolved, "the batch size comes from the chain, which gave none"));
            checks.Add(new("root → chain", Verdict.Fail, $"the contract at {chain.Address} is not a DecisionAnchor that answers batchOf ({ex.Message})"));
            return checks;
        }

        if (!onChain.IsAnchored)
        {
            checks.Add(new("leaf → root", Verdict.Unresolved, "the batch size comes from the chain, which does not hold this root"));
            checks.Add(new("root → chain", Verdict.Fail, $"DecisionAnchor does not hold root {reference.Root}"));
            return checks;
        }

        checks.Add(DecisionMerkleTree.Verify(reference.Root, reference.Leaf, reference.Index, onChain.LeafCount, reference.Proof)
            ? new("leaf → root", Verdict.Pass, $"leaf {reference.Index} of {onChain.LeafCount} under root {reference.Root}")
            : new("leaf → root", Verdict.Fail, "the proof does not lead to the root"));
        var head = await chain.Client.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        var depth = head + 1 - onChain.BlockNumber;
        checks.Add(depth >= (ulong)confirmations
            ? new("root → chain", Verdict.Pass, $"batch {onChain.Sequence} in block {onChain.BlockNumber}, {depth} confirmations")
            : new("root → chain", Verdict.Unresolved, $"batch {onChain.Sequence} in block {onChain.BlockNumber}, only {depth} of {confirmations} confirmations"));
        return checks;
    }
}

/// <summary>
/// The optional last check: re-read the poll from Loomio and rebuild this version's record from what
/// Loomio says now. Equal bytes: Loomio still says what was anchored. Different: Loomio changed since,
/// which is not a failure of the anchor — a later version should record the change.
/// </summary>
public static class LoomioReread
{
    /// <summary>Compares <paramref name="record"/> with Loomio's current answer.</summary>
    public static async Task<VerificationCheck> CheckAsync(Loomio.LoomioClient loomio, Uri configuredInstance, byte[] record, CancellationToken cancellationToken = default)
    {
        const string Name = "Loomio re-read";
        var json = System.Text.Json.Nodes.JsonNode.Parse(record)!;
        var source = json["source"]!;
        var instance = new Uri(source["instance"]!.GetValue<string>());
        if (!string.Equals(instance.GetLeftPart(UriPartial.Authority), configuredInstance.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
        {
            return new(Name, Verdict.NotApplicable, $"the record comes from {instance.GetLeftPart(UriPartial.Authority)}, the configured Loomio is {configuredInstance.GetLeftPart(UriPartial.Authority)}");
        }

        var key = source["pollKey"]!.GetValue<string>();
        var state = Loomio.DecisionStates.Parse(json["state"]!.GetValue<string>());
        var previous = json["previous"]?["sha256"]?.GetValue<string>();
        Loomio.LoomioDocument? document;
        try
        {
            document = await loomio.GetPollAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Loomio.LoomioAccessDeniedException)
        {
            document = null; // withdrawn from the bot user's view: rebuilt without poll data, as recorded
        }

        var poll = document?.Polls.FirstOrDefault(p => p.Key == key);
        if (poll?.DiscardedAt is not null) poll = null;
        var rebuilt = Loomio.DecisionRecordBuilder.Build(instance, poll, source["pollId"]!.GetValue<long>(), key, poll is null ? null : document!.CurrentOutcome(poll),
            document?.PollOptions ?? [], json["version"]!.GetValue<int>(), previous is null ? null : Convert.FromHexString(previous), state);
        return rebuilt.AsSpan().SequenceEqual(record)
            ? new(Name, Verdict.Pass, $"Loomio's current answer for {key} rebuilds these exact bytes")
            : new(Name, Verdict.Unresolved, $"Loomio's answer for {key} has changed since this version: a later version should record the change");
    }
}
