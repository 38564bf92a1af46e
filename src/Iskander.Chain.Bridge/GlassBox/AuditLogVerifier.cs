using System.Globalization;
using System.Text.Json.Nodes;
using Iskander.Chain.Anchoring;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Ethereum;

namespace Iskander.Chain.Bridge.GlassBox;

/// <summary>What accounting for the anchors found.</summary>
/// <param name="Check">The verdict.</param>
/// <param name="Unreported">Anchors the bridge does not report: made with the anchoring key behind its back (or by a bridge hiding them).</param>
public sealed record AnchorAccounting(VerificationCheck Check, IReadOnlyList<AnchoredRoot> Unreported);

/// <summary>
/// Verifies a copy of the Glass Box against the chain, trusting nothing the bridge says about it:
/// the entries chain from the first to the last; each head the bridge says it anchored is rebuilt
/// from the log's own hash at that entry (never from the head's recorded hash), so a log rewritten
/// after anchoring — even one whose chain was recomputed — no longer leads to the anchored root;
/// and every entry older than the allowed delay is covered by a head the chain holds (except the
/// anchoring of a batch holding only a head, which waits for the next entry of another kind).
/// </summary>
public static class AuditLogVerifier
{
    /// <summary>Name of the check that the entries chain.</summary>
    public const string ChainCheck = "entries → hash chain";

    /// <summary>Name of the check that old entries are covered by anchored heads.</summary>
    public const string CoverageCheck = "entries → anchored heads";

    /// <summary>Name of the check that every anchored batch is explained.</summary>
    public const string BatchesCheck = "anchored batches → explained";

    /// <summary>
    /// Accounts for every root the cooperative's DecisionAnchor holds from <paramref name="fromBlock"/>
    /// on, as the contract's own <c>BatchAnchored</c> events list them: each must be a batch the bridge
    /// reports (<see cref="BatchLeaves"/>), whose leaves, recomputed from what they commit to, give the
    /// root and the leaf count the chain holds; and every Glass Box head among them must match the log.
    /// So a bridge cannot hide a head it anchored before rewriting its log, nor pass off an anchor as
    /// something it is not.
    /// </summary>
    /// <param name="entries">The whole log, in order.</param>
    /// <param name="batches">The batches the bridge reports, each with its leaves.</param>
    /// <param name="chain">The cooperative's DecisionAnchor, as the verifier trusts it.</param>
    /// <param name="chainId">Its chain (action leaves are bound to it).</param>
    /// <param name="fromBlock">Where to start listing anchors (the deployment block).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public static async Task<AnchorAccounting> AccountForAnchorsAsync(IReadOnlyList<GlassBoxEntry> entries, IReadOnlyList<JsonObject> batches, AnchorChain? chain, ulong chainId,
        ulong fromBlock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(batches);
        if (chain is null) return new(new(BatchesCheck, Verdict.Unresolved, "no trusted DecisionAnchor to list the anchors of"), []);
        var anchored = await chain.AnchoredRootsAsync(fromBlock, cancellationToken).ConfigureAwait(false);
        var reported = new Dictionary<string, JsonObject>(StringComparer.OrdinalIgnoreCase);
        foreach (var batch in batches) reported[batch["root"]?.GetValue<string>() ?? throw new FormatException("a batch has no root")] = batch;
        var logHashes = entries.ToDictionary(e => e.Seq, e => Hex.Encode(e.Hash));
        var problems = new List<string>();
        var unreported = new List<AnchoredRoot>();
        var (leafTotal, headTotal) = (0, 0);
        foreach (var root in anchored)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"batch {root.Sequence} (root {root.Root}, block {root.BlockNumber})");
            if (!reported.TryGetValue(root.Root.ToString(), out var batch))
            {
                problems.Add($"{name} is not one the bridge reports");
                unreported.Add(root);
                continue;
            }

            var leaves = (batch["leaves"] as JsonArray ?? throw new FormatException("a batch has no leaves")).Select(l => l as JsonObject ?? throw new FormatException("a leaf is a JSON object"))
                .OrderBy(l => l["index"]!.GetValue<int>()).ToList();
            if (leaves.Count == 0 || (ulong)leaves.Count != root.LeafCount || leaves.Select((l, i) => l["index"]!.GetValue<int>() != i).Any(wrong => wrong))
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{name} holds {root.LeafCount} leaves; the bridge explains {leaves.Count}, not at positions 0 to {root.LeafCount - 1}"));
                continue;
            }

            if (new DecisionMerkleTree(leaves.Select(l => BatchLeaves.Recompute(l, chainId)).ToList()).Root != root.Root)
            {
                problems.Add($"{name}: the leaves recomputed from what the bridge says they commit to do not give its root");
                continue;
            }

            leafTotal += leaves.Count;
            foreach (var head in leaves.Where(l => l["kind"]!.GetValue<string>() == BatchLeaves.AuditHead))
            {
                headTotal++;
                var seq = head["seq"]!.GetValue<long>();
                var anchoredHash = head["hash"]!.GetValue<string>();
                if (!logHashes.TryGetValue(seq, out var logHash)) problems.Add(string.Create(CultureInfo.InvariantCulture, $"{name} anchored the log's head at entry {seq}, which the log no longer has"));
                else if (!string.Equals(logHash, anchoredHash, StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture, $"{name} anchored the log at entry {seq} as {anchoredHash}; the log hashes to {logHash} there: rewritten after it was anchored"));
                }
            }
        }

        return new(problems.Count > 0
            ? new(BatchesCheck, Verdict.Fail, string.Join("; ", problems.Take(3)) + (problems.Count > 3 ? string.Create(CultureInfo.InvariantCulture, $"; and {problems.Count - 3} more") : string.Empty))
            : new(BatchesCheck, Verdict.Pass, string.Create(CultureInfo.InvariantCulture,
                $"all {anchored.Count} batches the DecisionAnchor holds since block {fromBlock} are the bridge's, their {leafTotal} leaves recomputed; the {headTotal} heads among them match the log")), unreported);
    }

    /// <summary>Runs every check; <paramref name="entries"/> must be the whole log, in order.</summary>
    /// <param name="entries">The log.</param>
    /// <param name="heads">The heads the bridge says it batched.</param>
    /// <param name="chain">The cooperative's DecisionAnchor, as the verifier trusts it (null: chain links stay UNRESOLVED).</param>
    /// <param name="confirmations">Blocks required on top of an anchor.</param>
    /// <param name="maxUnanchored">How long an entry may wait for an anchored head.</param>
    /// <param name="now">The time to judge waiting against.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public static async Task<IReadOnlyList<VerificationCheck>> VerifyAsync(IReadOnlyList<GlassBoxEntry> entries, IReadOnlyList<AnchoredAuditHead> heads, AnchorChain? chain,
        int confirmations, TimeSpan maxUnanchored, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(heads);
        var checks = new List<VerificationCheck>();
        var broken = GlassBoxLog.FirstBrokenLink(entries);
        checks.Add(broken is { } seq
            ? new(ChainCheck, Verdict.Fail, $"entry {seq} does not follow from the entry before it: changed, removed or inserted after it was logged")
            : new(ChainCheck, Verdict.Pass, entries.Count == 0 ? "the log is empty" : $"entries 1 to {entries.Count} chain"));

        var bySeq = entries.ToDictionary(e => e.Seq);
        long covered = 0;
        foreach (var head in heads.OrderBy(h => h.Seq))
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"head at entry {head.Seq}");
            if (!bySeq.TryGetValue(head.Seq, out var entry))
            {
                checks.Add(new(name, Verdict.Fail, "the log has no such entry"));
                continue;
            }

            var leaf = AuditHeadLeaf.Compute(head.Seq, new Hash32(entry.Hash));
            if (leaf != head.Reference.Leaf)
            {
                checks.Add(new(name, Verdict.Fail, $"the log hashes to {Hex.Encode(entry.Hash)} at this entry, giving leaf {leaf}; the anchored head is leaf {head.Reference.Leaf}: the log was rewritten after it was anchored"));
                continue;
            }

            if (head.BatchStatus != "confirmed")
            {
                checks.Add(new(name, Verdict.Unresolved, $"its batch is {head.BatchStatus}, not anchored yet"));
                continue;
            }

            var links = await DecisionVerifier.VerifyInclusionAsync(head.Reference, chain, confirmations, cancellationToken).ConfigureAwait(false);
            var failed = links.FirstOrDefault(l => l.Verdict != Verdict.Pass);
            checks.Add(failed is null
                ? new(name, Verdict.Pass, string.Join("; ", links.Select(l => l.Detail)))
                : new(name, failed.Verdict, $"{failed.Name}: {failed.Detail}"));
            // A head past a broken link covers only what precedes the break.
            if (failed is null && (broken is null || head.Seq < broken)) covered = Math.Max(covered, head.Seq);
        }

        // The anchoring of a batch holding only a head waits for the next entry of another kind (AuditHeads): never overdue.
        var alone = heads.Where(h => h.Reference.Root == h.Reference.Leaf).Select(h => h.Reference.Root.ToString()).ToHashSet(StringComparer.Ordinal);
        var waiting = entries.Where(e => e.Seq > covered).ToList();
        var overdue = waiting.Where(e => now - e.RecordedAt > maxUnanchored && !(e.Action == "anchor.submit" && alone.Contains(e.Subject))).ToList();
        checks.Add(overdue.Count > 0
            ? new(CoverageCheck, Verdict.Fail, string.Create(CultureInfo.InvariantCulture,
                $"entries {overdue[0].Seq} to {overdue[^1].Seq} (the oldest logged {overdue[0].RecordedAtText}) are not covered by any head the chain holds, after more than {maxUnanchored}"))
            : new(CoverageCheck, Verdict.Pass, string.Create(CultureInfo.InvariantCulture,
                $"entries 1 to {covered} are covered by anchored heads; {waiting.Count} later entries are younger than {maxUnanchored}")));
        return checks;
    }
}
