namespace Iskander.Chain.Content;

/// <summary>Unsigned LEB128 varints as multiformats and protobuf use them (minimal encoding enforced on read).</summary>
public static class Varint
{
    /// <summary>Bytes needed for <paramref name="value"/>.</summary>
    public static int Size(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    /// <summary>Writes <paramref name="value"/> and returns the bytes written.</summary>
    public static int Write(ulong value, Span<byte> destination)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Appends <paramref name="value"/> to <paramref name="stream"/>.</summary>
    public static void Write(ulong value, Stream stream)
    {
        Span<byte> buffer = stackalloc byte[10];
        stream.Write(buffer[..Write(value, buffer)]);
    }

    /// <summary>Reads a varint of at most 9 bytes (63 bits), rejecting non-minimal encodings.</summary>
    /// <exception cref="FormatException">Truncated, too long, or not minimal.</exception>
    public static ulong Read(ReadOnlySpan<byte> source, out int length)
    {
        ulong value = 0;
        for (var i = 0; i < 9; i++)
        {
            if (i >= source.Length) throw new FormatException("truncated varint");
            var b = source[i];
            value |= (ulong)(b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0) throw new FormatException("varint is not minimally encoded");
                length = i + 1;
                return value;
            }
        }

        throw new FormatException("varint longer than 9 bytes");
    }
}
