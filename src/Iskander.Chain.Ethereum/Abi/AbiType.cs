using System.Buffers.Binary;

namespace Iskander.Chain.Ethereum.Abi;

/// <summary>
/// One Solidity ABI type. Each knows whether it is dynamic, how large its encoding is (first pass)
/// and how to write and read it (second pass). Offsets and lengths read from data are checked
/// against the buffer before they are used.
/// </summary>
public abstract class AbiType
{
    /// <summary>Size of one ABI word.</summary>
    public const int WordSize = 32;

    /// <summary>Canonical type name as it appears in signatures (<c>uint256</c>, <c>(address,bytes)[]</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Whether the encoding lives in the tail (referenced by an offset in the head).</summary>
    public abstract bool IsDynamic { get; }

    /// <summary>Bytes this type takes in the head of an enclosing tuple.</summary>
    public int HeadSize => IsDynamic ? WordSize : StaticSize;

    /// <summary>Size of a static type's encoding.</summary>
    internal abstract int StaticSize { get; }

    /// <summary>Size of <paramref name="value"/>'s own encoding (its tail, for dynamic types).</summary>
    internal abstract int EncodedSize(object? value);

    /// <summary>Writes <paramref name="value"/>'s encoding into exactly <see cref="EncodedSize"/> bytes.</summary>
    internal abstract void Write(object? value, Span<byte> destination);

    /// <summary>Reads a value whose encoding starts at <paramref name="start"/>.</summary>
    internal abstract object Read(ReadOnlySpan<byte> data, int start, AbiDecodeContext context);

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Parses a canonical or human type string: <c>uint</c>, <c>bytes32[2][]</c>, <c>(uint8,string)</c>, <c>tuple(address)[]</c>.</summary>
    public static AbiType Parse(string type) => AbiTypeParser.Parse(type);

    /// <summary>Reads one 32-byte word, checking it lies inside the data.</summary>
    internal static ReadOnlySpan<byte> Word(ReadOnlySpan<byte> data, int start, AbiDecodeContext context)
    {
        if (start < 0 || start > data.Length - WordSize)
        {
            throw new AbiException($"ABI data too short: a word at offset {start} needs {start + WordSize} bytes, have {data.Length}");
        }

        context.Reached(start + WordSize);
        return data.Slice(start, WordSize);
    }

    /// <summary>Reads an offset or length word as a checked value no larger than the data.</summary>
    internal static int ReadSize(ReadOnlySpan<byte> data, int start, AbiDecodeContext context, string what)
    {
        var word = Word(data, start, context);
        if (word[..24].ContainsAnyExcept((byte)0)) throw new AbiException($"ABI {what} at offset {start} is larger than any buffer");
        var value = BinaryPrimitives.ReadUInt64BigEndian(word[24..]);
        if (value > (ulong)data.Length) throw new AbiException($"ABI {what} {value} at offset {start} points past the {data.Length}-byte data");
        return (int)value;
    }
}
