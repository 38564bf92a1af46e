using System.Buffers.Binary;
using System.Numerics;

namespace Iskander.Chain.Ethereum.Rlp;

/// <summary>
/// Writes canonical RLP into a buffer sized in advance with <see cref="RlpLength"/>. Writing past
/// the end throws, and <see cref="Complete"/> checks the buffer was filled exactly.
/// </summary>
public ref struct RlpWriter : IRlpSink
{
    private readonly Span<byte> _buffer;
    private int _position;

    /// <summary>Creates a writer over <paramref name="buffer"/>.</summary>
    public RlpWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly int Position => _position;

    /// <summary>Writes a list header for items that take <paramref name="contentLength"/> bytes.</summary>
    public void WriteListHeader(int contentLength) => WriteHeader(0xc0, contentLength);

    /// <summary>Writes a byte string.</summary>
    public void WriteBytes(scoped ReadOnlySpan<byte> value)
    {
        if (value.Length == 1 && value[0] < 0x80)
        {
            _buffer[_position++] = value[0];
            return;
        }

        WriteHeader(0x80, value.Length);
        value.CopyTo(_buffer[_position..]);
        _position += value.Length;
    }

    /// <summary>Writes an unsigned integer as its minimal big-endian bytes.</summary>
    public void WriteUInt64(ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        WriteBytes(bytes[(8 - RlpLength.ByteCount(value))..]);
    }

    /// <summary>Writes a non-negative integer as its minimal big-endian bytes.</summary>
    public void WriteInteger(BigInteger value)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value), "RLP integers are non-negative");
        if (value <= ulong.MaxValue)
        {
            WriteUInt64((ulong)value);
            return;
        }

        Span<byte> bytes = stackalloc byte[value.GetByteCount(isUnsigned: true)];
        value.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: true);
        WriteBytes(bytes);
    }

    /// <summary>Copies already-encoded RLP as is.</summary>
    public void WriteEncoded(scoped ReadOnlySpan<byte> encoded)
    {
        encoded.CopyTo(_buffer[_position..]);
        _position += encoded.Length;
    }

    /// <summary>Checks that the buffer was filled exactly.</summary>
    public readonly void Complete()
    {
        if (_position != _buffer.Length)
        {
            throw new InvalidOperationException($"RLP buffer sized {_buffer.Length} but {_position} bytes were written");
        }
    }

    private void WriteHeader(byte offset, int length)
    {
        if (length < 56)
        {
            _buffer[_position++] = (byte)(offset + length);
            return;
        }

        var lengthOfLength = RlpLength.ByteCount((ulong)length);
        _buffer[_position++] = (byte)(offset + 55 + lengthOfLength);
        for (var i = lengthOfLength - 1; i >= 0; i--)
        {
            _buffer[_position++] = (byte)(length >> (8 * i));
        }
    }
}
