namespace Iskander.Chain.Ethereum.Abi;

/// <summary>Encodes and decodes lists of ABI values (function arguments, return values, event data).</summary>
public static class AbiCodec
{
    /// <summary>Encodes <paramref name="values"/> as the tuple of <paramref name="types"/>.</summary>
    /// <exception cref="AbiException">A value does not fit its type, or the counts differ.</exception>
    public static byte[] Encode(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        if (types.Count != values.Count) throw new AbiException($"{types.Count} ABI types but {values.Count} values");
        var size = AbiSequence.EncodedSize(types.Count, i => types[i], values);
        var buffer = new byte[size];
        AbiSequence.Write(types.Count, i => types[i], values, buffer);
        return buffer;
    }

    /// <summary>Encodes after <paramref name="prefix"/> (a selector) in one allocation.</summary>
    public static byte[] EncodeWithPrefix(ReadOnlySpan<byte> prefix, IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        if (types.Count != values.Count) throw new AbiException($"{types.Count} ABI types but {values.Count} values");
        var size = AbiSequence.EncodedSize(types.Count, i => types[i], values);
        var buffer = new byte[prefix.Length + size];
        prefix.CopyTo(buffer);
        AbiSequence.Write(types.Count, i => types[i], values, buffer.AsSpan(prefix.Length));
        return buffer;
    }

    /// <summary>
    /// Decodes the tuple of <paramref name="types"/> from <paramref name="data"/>. Decoding is strict:
    /// only the canonical encoding is accepted, so whatever decodes re-encodes to the same bytes.
    /// </summary>
    /// <param name="types">The types, in order.</param>
    /// <param name="data">The encoded bytes.</param>
    /// <param name="allowTrailingBytes">Accept bytes after the last one the encoding references.</param>
    /// <exception cref="AbiException">Truncated data, offsets or lengths outside the data, offsets that
    /// are not the canonical ones (gaps, overlaps, reordered tails), dirty padding or high bits, invalid
    /// UTF-8, or trailing bytes.</exception>
    public static object?[] Decode(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data, bool allowTrailingBytes = false)
    {
        var context = new AbiDecodeContext(data.Length);
        var values = AbiSequence.Read(types.Count, i => types[i], data, 0, context);
        if (!allowTrailingBytes && context.Furthest != data.Length)
        {
            throw new AbiException($"{data.Length - context.Furthest} trailing byte(s) after the ABI data");
        }

        return values;
    }

    /// <summary>Parses type strings and encodes: <c>Encode(["uint256", "string"], [1, "x"])</c>.</summary>
    public static byte[] Encode(IReadOnlyList<string> types, IReadOnlyList<object?> values) =>
        Encode(types.Select(AbiType.Parse).ToList(), values);
}
