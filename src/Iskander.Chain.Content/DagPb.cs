namespace Iskander.Chain.Content;

/// <summary>A dag-pb link: child CID, name, cumulative size of the child's DAG.</summary>
/// <param name="Hash">Child CID.</param>
/// <param name="Name">Link name (empty for file chunks).</param>
/// <param name="Tsize">Child block size plus the Tsize of all its links.</param>
public sealed record DagPbLink(Cid Hash, string Name, ulong Tsize);

/// <summary>A dag-pb node: links and optional data.</summary>
/// <param name="Links">Links, in order.</param>
/// <param name="Data">Data (for UnixFS, the UnixFS protobuf), or null.</param>
public sealed record DagPbNode(IReadOnlyList<DagPbLink> Links, byte[]? Data)
{
    /// <summary>Canonical dag-pb encoding: links (field 2) first, then data (field 1), as the dag-pb spec and Kubo write it.</summary>
    public byte[] Encode()
    {
        using var stream = new MemoryStream();
        foreach (var link in Links)
        {
            var name = System.Text.Encoding.UTF8.GetBytes(link.Name);
            var linkLength = 1 + Varint.Size((ulong)link.Hash.Bytes.Length) + link.Hash.Bytes.Length
                + 1 + Varint.Size((ulong)name.Length) + name.Length
                + 1 + Varint.Size(link.Tsize);
            stream.WriteByte(0x12);
            Varint.Write((ulong)linkLength, stream);
            stream.WriteByte(0x0a);
            Varint.Write((ulong)link.Hash.Bytes.Length, stream);
            stream.Write(link.Hash.Bytes);
            stream.WriteByte(0x12);
            Varint.Write((ulong)name.Length, stream);
            stream.Write(name);
            stream.WriteByte(0x18);
            Varint.Write(link.Tsize, stream);
        }

        if (Data is not null)
        {
            stream.WriteByte(0x0a);
            Varint.Write((ulong)Data.Length, stream);
            stream.Write(Data);
        }

        return stream.ToArray();
    }

    /// <summary>Decodes a dag-pb block.</summary>
    /// <exception cref="FormatException">Not a well-formed dag-pb node.</exception>
    public static DagPbNode Decode(ReadOnlySpan<byte> block)
    {
        var links = new List<DagPbLink>();
        byte[]? data = null;
        var position = 0;
        while (position < block.Length)
        {
            var tag = block[position++];
            var length = (int)CheckedLength(block, ref position);
            var field = block.Slice(position, length);
            position += length;
            switch (tag)
            {
                case 0x12 when data is null:
                    links.Add(DecodeLink(field));
                    break;
                case 0x0a when data is null:
                    data = field.ToArray();
                    break;
                default:
                    throw new FormatException($"unexpected dag-pb field tag 0x{tag:x2} at offset {position - length}");
            }
        }

        return new DagPbNode(links, data);
    }

    private static DagPbLink DecodeLink(ReadOnlySpan<byte> link)
    {
        Cid? hash = null;
        var name = string.Empty;
        ulong tsize = 0;
        var position = 0;
        while (position < link.Length)
        {
            var tag = link[position++];
            if (tag == 0x18)
            {
                tsize = Varint.Read(link[position..], out var read);
                position += read;
                continue;
            }

            var length = (int)CheckedLength(link, ref position);
            var field = link.Slice(position, length);
            position += length;
            switch (tag)
            {
                case 0x0a:
                    hash = Cid.FromBytes(field);
                    break;
                case 0x12:
                    name = System.Text.Encoding.UTF8.GetString(field);
                    break;
                default:
                    throw new FormatException($"unexpected dag-pb link field tag 0x{tag:x2}");
            }
        }

        return new DagPbLink(hash ?? throw new FormatException("dag-pb link without a hash"), name, tsize);
    }

    private static ulong CheckedLength(ReadOnlySpan<byte> source, ref int position)
    {
        var length = Varint.Read(source[position..], out var read);
        position += read;
        if (length > (ulong)(source.Length - position)) throw new FormatException("dag-pb field runs past the end of the block");
        return length;
    }
}

/// <summary>The UnixFS <c>Data</c> protobuf carried in dag-pb nodes (files only).</summary>
/// <param name="Type">UnixFS type (2 = file).</param>
/// <param name="Data">Inline file bytes (leaves), or null.</param>
/// <param name="FileSize">Total file bytes under this node.</param>
/// <param name="BlockSizes">File bytes under each link.</param>
public sealed record UnixFsData(int Type, byte[]? Data, ulong FileSize, IReadOnlyList<ulong> BlockSizes)
{
    /// <summary>The UnixFS type of files.</summary>
    public const int FileType = 2;

    /// <summary>Encodes as UnixFS writes it: type, data (when non-empty), filesize, blocksizes.</summary>
    public byte[] Encode()
    {
        using var stream = new MemoryStream();
        stream.WriteByte(0x08);
        Varint.Write((ulong)Type, stream);
        if (Data is { Length: > 0 })
        {
            stream.WriteByte(0x12);
            Varint.Write((ulong)Data.Length, stream);
            stream.Write(Data);
        }

        stream.WriteByte(0x18);
        Varint.Write(FileSize, stream);
        foreach (var size in BlockSizes)
        {
            stream.WriteByte(0x20);
            Varint.Write(size, stream);
        }

        return stream.ToArray();
    }

    /// <summary>Decodes the fields this project uses (type, data, filesize, blocksizes); other known fields are skipped.</summary>
    public static UnixFsData Decode(ReadOnlySpan<byte> bytes)
    {
        int? type = null;
        byte[]? data = null;
        ulong fileSize = 0;
        var blockSizes = new List<ulong>();
        var position = 0;
        while (position < bytes.Length)
        {
            var tag = bytes[position++];
            var wireType = tag & 7;
            if (wireType == 0)
            {
                var value = Varint.Read(bytes[position..], out var read);
                position += read;
                switch (tag >> 3)
                {
                    case 1: type = (int)value; break;
                    case 3: fileSize = value; break;
                    case 4: blockSizes.Add(value); break;
                }
            }
            else if (wireType == 2)
            {
                var length = Varint.Read(bytes[position..], out var read);
                position += read;
                if (length > (ulong)(bytes.Length - position)) throw new FormatException("UnixFS field runs past the end");
                if (tag >> 3 == 2) data = bytes.Slice(position, (int)length).ToArray();
                position += (int)length;
            }
            else
            {
                throw new FormatException($"unsupported UnixFS wire type {wireType}");
            }
        }

        return new UnixFsData(type ?? throw new FormatException("UnixFS data without a type"), data, fileSize, blockSizes);
    }
}
