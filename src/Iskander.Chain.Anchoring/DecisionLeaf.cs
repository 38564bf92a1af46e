using System.Text;
using Iskander.Chain.Ethereum;

namespace Iskander.Chain.Anchoring;

/// <summary>
/// The 32-byte value anchored for one decision version (docs/formats.md):
/// keccak256(0x00 ‖ tag ‖ sha2-256 digest of the canonical record bytes). The tag names the format
/// version and the CID parameters (CIDv1, raw codec, sha2-256), so the digest alone rebuilds the
/// record's CID and nothing node-local enters the leaf. Must equal <c>DecisionMerkle.decisionLeaf</c>.
/// </summary>
public static class DecisionLeaf
{
    /// <summary>Format tag of version-1 decision leaves.</summary>
    public static readonly Hash32 TagV1 = Hash32.Keccak(Encoding.ASCII.GetBytes("iskander.decision-record.v1:cidv1-raw-sha2-256"));

    /// <summary>The leaf for a record whose sha2-256 digest is <paramref name="digest"/>.</summary>
    public static Hash32 FromDigest(Hash32 digest)
    {
        Span<byte> preimage = stackalloc byte[65];
        preimage[0] = 0x00;
        TagV1.Bytes.CopyTo(preimage[1..]);
        digest.Bytes.CopyTo(preimage[33..]);
        return Hash32.Keccak(preimage);
    }

    /// <summary>The leaf for canonical record bytes.</summary>
    public static Hash32 FromRecord(ReadOnlySpan<byte> canonicalRecord) =>
        FromDigest(new Hash32(System.Security.Cryptography.SHA256.HashData(canonicalRecord)));
}
