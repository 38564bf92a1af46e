using System.Numerics;

namespace Iskander.Chain.Ethereum.Rlp;

/// <summary>Encoded sizes, for the first pass of two-pass encoding (size, then write into an exact buffer).</summary>
public static class RlpLength
{
    /// <summary>Size of the header that precedes a payload of <paramref name="payloadLength"/> bytes.</summary>
    public static int OfHeader(int payloadLength) => payloadLength < 56 ? 1 : 1 + ByteCount((ulong)payloadLength);

    /// <summary>Encoded size of a byte string.</summary>
    public static int OfBytes(ReadOnlySpan<byte> value) =>
        value.Length == 1 && value[0] < 0x80 ? 1 : OfHeader(value.Length) + value.Length;

    /// <summary>Encoded size of an unsigned integer (big-endian, no leading zeros; zero is the empty string).</summary>
    public static int OfUInt64(ulong value) => value < 0x80 ? 1 : 1 + ByteCount(value);

    /// <summary>Encoded size of a non-negative big integer.</summary>
    public static int OfInteger(BigInteger value)
    {
        if (value < 0x80) return 1;
        var length = value.GetByteCount(isUnsigned: true);
        return OfHeader(length) + length;
    }

    /// <summary>Encoded size of a list whose items take <paramref name="contentLength"/> bytes.</summary>
    public static int OfList(int contentLength) => OfHeader(contentLength) + contentLength;

    internal static int ByteCount(ulong value) => value == 0 ? 0 : (64 - BitOperations.LeadingZeroCount(value) + 7) / 8;
}
