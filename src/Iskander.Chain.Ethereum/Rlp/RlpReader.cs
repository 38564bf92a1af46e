using System.Numerics;

namespace Iskander.Chain.Ethereum.Rlp;

/// <summary>
/// Strict RLP decoding over a span: rejects every non-canonical form (single bytes below 0x80
/// wrapped in a header, long forms for short payloads, leading zeros in lengths and integers) and
/// any length that runs past the input. Lengths are checked against what remains before use, so
/// hostile input cannot cause large allocations.
/// </summary>
public ref struct RlpReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    /// <summary>Creates a reader over <paramref name="data"/>.</summary>
    public RlpReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>True when every byte has been read.</summary>
    public readonly bool IsAtEnd => _position == _data.Length;

    /// <summary>True when the next item is a list.</summary>
    public readonly bool NextIsList => !IsAtEnd && _data[_position] >= 0xc0;

    /// <summary>Reads a byte string.</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        var (isList, offset, length) = ReadHeader();
        if (isList) throw new RlpException($"expected a byte string at offset {_position - offset}, found a list");
        return Take(length);
    }

    /// <summary>Reads a list and returns a reader over its items.</summary>
    public RlpReader ReadList()
    {
        var (isList, offset, length) = ReadHeader();
        if (!isList) throw new RlpException($"expected a list at offset {_position - offset}, found a byte string");
        return new RlpReader(Take(length));
    }

    /// <summary>Reads the raw encoding (header included) of the next item.</summary>
    public ReadOnlySpan<byte> ReadEncodedItem()
    {
        var start = _position;
        var (_, _, length) = ReadHeader();
        Take(length);
        return _data[start.._position];
    }

    /// <summary>Reads a canonical unsigned integer of at most 8 bytes.</summary>
    public ulong ReadUInt64()
    {
        var bytes = ReadIntegerBytes(8);
        ulong value = 0;
        foreach (var b in bytes) value = (value << 8) | b;
        return value;
    }

    /// <summary>Reads a canonical unsigned integer of at most <paramref name="maxBytes"/> bytes (default 32).</summary>
    public BigInteger ReadInteger(int maxBytes = 32) =>
        new(ReadIntegerBytes(maxBytes), isUnsigned: true, isBigEndian: true);

    /// <summary>Reads a byte string of exactly <paramref name="length"/> bytes.</summary>
    public ReadOnlySpan<byte> ReadFixedBytes(int length)
    {
        var bytes = ReadBytes();
        return bytes.Length == length ? bytes : throw new RlpException($"expected {length} bytes, found {bytes.Length}");
    }

    /// <summary>Throws unless every byte has been read (no trailing data).</summary>
    public readonly void EnsureAtEnd()
    {
        if (!IsAtEnd) throw new RlpException($"{_data.Length - _position} trailing byte(s) after the RLP item");
    }

    private ReadOnlySpan<byte> ReadIntegerBytes(int maxBytes)
    {
        var bytes = ReadBytes();
        if (bytes.Length > maxBytes) throw new RlpException($"integer of {bytes.Length} bytes exceeds {maxBytes}");
        if (bytes.Length > 0 && bytes[0] == 0) throw new RlpException("integer has leading zero bytes");
        return bytes;
    }

    private (bool IsList, int HeaderLength, int Length) ReadHeader()
    {
        if (IsAtEnd) throw new RlpException("unexpected end of RLP input");
        var prefix = _data[_position++];
        if (prefix < 0x80)
        {
            _position--; // a single byte is its own encoding
            return (false, 0, 1);
        }

        var isList = prefix >= 0xc0;
        var shortBase = isList ? 0xc0 : 0x80;
        if (prefix <= shortBase + 55)
        {
            var length = prefix - shortBase;
            if (!isList && length == 1 && Remaining > 0 && _data[_position] < 0x80)
            {
                throw new RlpException($"single byte 0x{_data[_position]:x2} below 0x80 must not have a header");
            }

            return (isList, 1, length);
        }

        var lengthOfLength = prefix - shortBase - 55;
        if (lengthOfLength > Remaining) throw new RlpException("length of length runs past the end of the input");
        var lengthBytes = _data.Slice(_position, lengthOfLength);
        if (lengthBytes[0] == 0) throw new RlpException("long-form length has leading zeros");
        if (lengthOfLength > 4) throw new RlpException($"length of {lengthOfLength} bytes is too large");
        ulong longLength = 0;
        foreach (var b in lengthBytes) longLength = (longLength << 8) | b;
        _position += lengthOfLength;
        if (longLength < 56) throw new RlpException($"long form used for a payload of {longLength} bytes (< 56)");
        if (longLength > (ulong)Remaining) throw new RlpException($"declared length {longLength} exceeds the {Remaining} remaining byte(s)");
        return (isList, 1 + lengthOfLength, (int)longLength);
    }

    private readonly int Remaining => _data.Length - _position;

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length > Remaining) throw new RlpException($"declared length {length} exceeds the {Remaining} remaining byte(s)");
        var slice = _data.Slice(_position, length);
        _position += length;
        return slice;
    }
}
