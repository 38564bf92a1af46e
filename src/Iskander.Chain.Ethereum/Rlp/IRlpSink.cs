using System.Numerics;

namespace Iskander.Chain.Ethereum.Rlp;

/// <summary>
/// A target for RLP fields: either <see cref="RlpWriter"/> (writes) or <see cref="RlpLengthCounter"/>
/// (sizes). Encoders emit their fields once, generically, and run twice: size, then write.
/// </summary>
public interface IRlpSink
{
    /// <summary>A byte string.</summary>
    void WriteBytes(scoped ReadOnlySpan<byte> value);

    /// <summary>An unsigned integer.</summary>
    void WriteUInt64(ulong value);

    /// <summary>A non-negative integer.</summary>
    void WriteInteger(BigInteger value);

    /// <summary>A list header for items of <paramref name="contentLength"/> bytes.</summary>
    void WriteListHeader(int contentLength);
}

/// <summary>Sums the encoded size of what is written to it.</summary>
public struct RlpLengthCounter : IRlpSink
{
    /// <summary>Total encoded size so far.</summary>
    public int Length { get; private set; }

    /// <inheritdoc />
    public void WriteBytes(scoped ReadOnlySpan<byte> value) => Length += RlpLength.OfBytes(value);

    /// <inheritdoc />
    public void WriteUInt64(ulong value) => Length += RlpLength.OfUInt64(value);

    /// <inheritdoc />
    public void WriteInteger(BigInteger value) => Length += RlpLength.OfInteger(value);

    /// <inheritdoc />
    public void WriteListHeader(int contentLength) => Length += RlpLength.OfHeader(contentLength);
}
