using System.Buffers.Binary;
using System.Text;
using Iskander.Chain.Ethereum;

namespace Iskander.Chain.Anchoring;

/// <summary>
/// The 32-byte value anchored for a head of the Glass Box (docs/formats.md, "Audit head leaf"):
/// keccak256(0x00 ‖ tag ‖ keccak256(abi.encode(uint64 seq, bytes32 hash))), where <c>hash</c> is
/// the log's chained hash at entry <c>seq</c>. Anchored in the same Merkle batches as decisions, it
/// proves that entries 1..seq existed, exactly so, when the batch was anchored. Its own tag keeps it
/// apart from decision and action leaves.
/// </summary>
public static class AuditHeadLeaf
{
    /// <summary>Format tag of version-1 audit head leaves.</summary>
    public static readonly Hash32 TagV1 = Hash32.Keccak(Encoding.ASCII.GetBytes("iskander.audit-head.v1"));

    /// <summary>The leaf for the Glass Box head at entry <paramref name="seq"/> whose chained hash is <paramref name="hash"/>.</summary>
    public static Hash32 Compute(long seq, Hash32 hash)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seq);
        // abi.encode(uint64, bytes32): the number right-aligned in its own 32-byte word.
        Span<byte> encoded = stackalloc byte[64];
        encoded.Clear();
        BinaryPrimitives.WriteUInt64BigEndian(encoded[24..32], (ulong)seq);
        hash.Bytes.CopyTo(encoded[32..]);
        Span<byte> preimage = stackalloc byte[65];
        preimage[0] = 0x00;
        TagV1.Bytes.CopyTo(preimage[1..]);
        Hash32.Keccak(encoded).Bytes.CopyTo(preimage[33..]);
        return Hash32.Keccak(preimage);
    }
}
