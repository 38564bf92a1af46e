namespace Iskander.Chain.Ethereum.Rlp;

/// <summary>A decoded RLP value of any shape: a byte string or a list of items.</summary>
public abstract record RlpItem
{
    /// <summary>Deepest nesting <see cref="Decode"/> accepts (hostile input cannot exhaust the stack).</summary>
    public const int MaxDepth = 128;

    /// <summary>Decodes one item that must span the whole input.</summary>
    /// <exception cref="RlpException">Non-canonical, truncated, too deep, or trailing data.</exception>
    public static RlpItem Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new RlpReader(encoded);
        var item = Read(ref reader, 0);
        reader.EnsureAtEnd();
        return item;
    }

    /// <summary>Canonical encoding of this item.</summary>
    public byte[] Encode()
    {
        var buffer = new byte[EncodedLength];
        var writer = new RlpWriter(buffer);
        Write(ref writer);
        writer.Complete();
        return buffer;
    }

    /// <summary>Encoded size in bytes.</summary>
    public abstract int EncodedLength { get; }

    private protected abstract void Write(ref RlpWriter writer);

    private static RlpItem Read(ref RlpReader reader, int depth)
    {
        if (depth > MaxDepth) throw new RlpException($"RLP nesting deeper than {MaxDepth}");
        if (!reader.NextIsList) return new RlpString(reader.ReadBytes().ToArray());
        var list = reader.ReadList();
        var items = new List<RlpItem>();
        while (!list.IsAtEnd) items.Add(Read(ref list, depth + 1));
        return new RlpList(items);
    }

    /// <summary>A byte string.</summary>
    public sealed record RlpString(byte[] Value) : RlpItem
    {
        /// <inheritdoc />
        public override int EncodedLength => RlpLength.OfBytes(Value);

        private protected override void Write(ref RlpWriter writer) => writer.WriteBytes(Value);

        /// <inheritdoc />
        public bool Equals(RlpString? other) => other is not null && Value.AsSpan().SequenceEqual(other.Value);

        /// <inheritdoc />
        public override int GetHashCode() => Value.Length;
    }

    /// <summary>A list of items.</summary>
    public sealed record RlpList(IReadOnlyList<RlpItem> Items) : RlpItem
    {
        /// <inheritdoc />
        public override int EncodedLength => RlpLength.OfList(ContentLength);

        private int ContentLength => Items.Sum(i => i.EncodedLength);

        private protected override void Write(ref RlpWriter writer)
        {
            writer.WriteListHeader(ContentLength);
            foreach (var item in Items) item.Write(ref writer);
        }

        /// <inheritdoc />
        public bool Equals(RlpList? other) => other is not null && Items.SequenceEqual(other.Items);

        /// <inheritdoc />
        public override int GetHashCode() => Items.Count;
    }
}
