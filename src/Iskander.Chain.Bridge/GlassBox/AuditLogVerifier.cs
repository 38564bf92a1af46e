using System.Globalization;
using Iskander.Chain.Anchoring;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Ethereum;

namespace Iskander.Chain.Bridge.GlassBox;

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
