using System.Buffers.Binary;

namespace Iskander.Chain.Ethereum.Abi;

/// <summary>Head/tail encoding shared by tuples and arrays: static items inline, dynamic items by offset.</summary>
internal static class AbiSequence
{
    public static int EncodedSize(int count, Func<int, AbiType> typeAt, IReadOnlyList<object?> values)
    {
        var size = 0;
        for (var i = 0; i < count; i++)
        {
            var type = typeAt(i);
            size += type.HeadSize + (type.IsDynamic ? type.EncodedSize(values[i]) : 0);
        }

        return size;
    }

    public static void Write(int count, Func<int, AbiType> typeAt, IReadOnlyList<object?> values, Span<byte> destination)
    {
        var tail = 0;
        for (var i = 0; i < count; i++) tail += typeAt(i).HeadSize;
        var head = 0;
        for (var i = 0; i < count; i++)
        {
            var type = typeAt(i);
            if (type.IsDynamic)
            {
                var size = type.EncodedSize(values[i]);
                destination.Slice(head, AbiType.WordSize).Clear();
                BinaryPrimitives.WriteUInt64BigEndian(destination.Slice(head + 24, 8), (ulong)tail);
                type.Write(values[i], destination.Slice(tail, size));
                tail += size;
            }
            else
            {
                type.Write(values[i], destination.Slice(head, type.StaticSize));
            }

            head += type.HeadSize;
        }
    }

    public static object?[] Read(int count, Func<int, AbiType> typeAt, ReadOnlySpan<byte> data, int start, AbiDecodeContext context)
    {
        context.Spend(count);
        var values = new object?[count];
        var tail = 0;
        for (var i = 0; i < count; i++) tail += typeAt(i).HeadSize;
        var head = start;
        for (var i = 0; i < count; i++)
        {
            var type = typeAt(i);
            if (type.IsDynamic)
            {
                var offset = AbiType.ReadSize(data, head, context, "offset");
                if (offset > data.Length - start) throw new AbiException($"offset {offset} at {head} points past the data");
                // The canonical encoding puts each tail right where the previous one ends. Anything
                // else (gaps, overlaps, aliases, reordering) decodes bytes that re-encode differently.
                if (offset != tail) throw new AbiException($"offset {offset} at {head} is not {tail}, where the previous item ends (non-canonical layout)");
                values[i] = type.Read(data, start + offset, context);
                // Canonical tails are read in order, so the furthest byte read is this item's end.
                tail = context.Furthest - start;
            }
            else
            {
                values[i] = type.Read(data, head, context);
            }

            head += type.HeadSize;
        }

        return values;
    }
}

/// <summary>A tuple <c>(T1,…,Tn)</c>; values are lists (decoded as <c>object?[]</c>).</summary>
public sealed class AbiTuple : AbiType
{
    /// <summary>Creates a tuple of <paramref name="components"/>.</summary>
    public AbiTuple(IReadOnlyList<AbiType> components)
    {
        Components = components;
        Name = $"({string.Join(',', components.Select(c => c.Name))})";
        IsDynamic = components.Any(c => c.IsDynamic);
        StaticSize = IsDynamic ? 0 : components.Sum(c => c.StaticSize);
    }

    /// <summary>The component types.</summary>
    public IReadOnlyList<AbiType> Components { get; }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override bool IsDynamic { get; }

    internal override int StaticSize { get; }

    internal override int EncodedSize(object? value) => AbiSequence.EncodedSize(Components.Count, i => Components[i], Check(value));

    internal override void Write(object? value, Span<byte> destination) =>
        AbiSequence.Write(Components.Count, i => Components[i], Check(value), destination);

    internal override object Read(ReadOnlySpan<byte> data, int start, AbiDecodeContext context) =>
        AbiSequence.Read(Components.Count, i => Components[i], data, start, context);

    private IReadOnlyList<object?> Check(object? value)
    {
        var items = AbiValues.Items(value, this);
        return items.Count == Components.Count
            ? items
            : throw new AbiException($"{Name} takes {Components.Count} values, not {items.Count}");
    }
}

/// <summary>A dynamic-length array <c>T[]</c>: a length word, then the items as a tuple.</summary>
public sealed class AbiArray(AbiType element) : AbiType
{
    /// <summary>The element type.</summary>
    public AbiType Element { get; } = element;

    /// <inheritdoc />
    public override string Name { get; } = element.Name + "[]";

    /// <inheritdoc />
    public override bool IsDynamic => true;

    internal override int StaticSize => throw new InvalidOperationException($"{Name} is dynamic");

    internal override int EncodedSize(object? value)
    {
        var items = AbiValues.Items(value, this);
        return WordSize + AbiSequence.EncodedSize(items.Count, _ => Element, items);
    }

    internal override void Write(object? value, Span<byte> destination)
    {
        var items = AbiValues.Items(value, this);
        destination[..WordSize].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(destination.Slice(24, 8), (ulong)items.Count);
        AbiSequence.Write(items.Count, _ => Element, items, destination[WordSize..]);
    }

    internal override object Read(ReadOnlySpan<byte> data, int start, AbiDecodeContext context)
    {
        var count = ReadSize(data, start, context, "array length");
        var contentStart = start + WordSize;
        // Every element takes at least one head word, so a count the data cannot hold is refused before allocating.
        if ((long)count * Math.Max(Element.HeadSize, WordSize) > data.Length - contentStart)
        {
            throw new AbiException($"{Name} of length {count} at offset {start} cannot fit in the remaining data");
        }

        return AbiSequence.Read(count, _ => Element, data, contentStart, context);
    }
}

/// <summary>A fixed-length array <c>T[k]</c>: k items encoded as a tuple; dynamic when T is.</summary>
public sealed class AbiFixedArray : AbiType
{
    /// <summary>Creates <c>element[length]</c>.</summary>
    public AbiFixedArray(AbiType element, int length)
    {
        if (length < 1) throw new AbiException($"fixed array length must be at least 1, not {length}");
        Element = element;
        Length = length;
        Name = $"{element.Name}[{length}]";
    }

    /// <summary>The element type.</summary>
    public AbiType Element { get; }

    /// <summary>k.</summary>
    public int Length { get; }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override bool IsDynamic => Element.IsDynamic;

    internal override int StaticSize => checked(Element.StaticSize * Length);

    internal override int EncodedSize(object? value) => AbiSequence.EncodedSize(Length, _ => Element, Check(value));

    internal override void Write(object? value, Span<byte> destination) =>
        AbiSequence.Write(Length, _ => Element, Check(value), destination);

    internal override object Read(ReadOnlySpan<byte> data, int start, AbiDecodeContext context)
    {
        if ((long)Length * Element.HeadSize > data.Length - start)
        {
            throw new AbiException($"{Name} at offset {start} cannot fit in the remaining data");
        }

        return AbiSequence.Read(Length, _ => Element, data, start, context);
    }

    private IReadOnlyList<object?> Check(object? value)
    {
        var items = AbiValues.Items(value, this);
        return items.Count == Length ? items : throw new AbiException($"{Name} takes {Length} values, not {items.Count}");
    }
}
