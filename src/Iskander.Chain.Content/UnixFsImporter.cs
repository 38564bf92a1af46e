namespace Iskander.Chain.Content;

/// <summary>Receives the blocks of an import as they are produced.</summary>
public interface IBlockSink
{
    /// <summary>Stores one block.</summary>
    ValueTask PutBlockAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken);
}

/// <summary>A sink that keeps nothing: for computing a CID without storing the blocks.</summary>
public sealed class DiscardingBlockSink : IBlockSink
{
    /// <summary>The one instance.</summary>
    public static DiscardingBlockSink Instance { get; } = new();

    private DiscardingBlockSink()
    {
    }

    /// <inheritdoc />
    public ValueTask PutBlockAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>Import parameters; the defaults are Kubo's for <c>ipfs add --cid-version=1</c>.</summary>
public sealed record UnixFsImportOptions
{
    /// <summary>CID version: 1 (default) or 0.</summary>
    public int CidVersion { get; init; } = 1;

    /// <summary>Store chunks as raw blocks (Kubo's default with CIDv1) instead of UnixFS file leaves.</summary>
    public bool RawLeaves { get; init; } = true;

    /// <summary>Fixed chunk size (Kubo: 262,144 bytes).</summary>
    public int ChunkSize { get; init; } = 262_144;

    /// <summary>Links per node in the balanced layout (Kubo: 174).</summary>
    public int MaxLinksPerNode { get; init; } = 174;

    /// <summary>Kubo's defaults for CIDv0 (<c>ipfs add</c> without options): dag-pb leaves.</summary>
    public static UnixFsImportOptions KuboV0 { get; } = new() { CidVersion = 0, RawLeaves = false };

    /// <summary>Kubo's defaults for CIDv1 (<c>ipfs add --cid-version=1</c>): raw leaves.</summary>
    public static UnixFsImportOptions KuboV1 { get; } = new();
}

/// <summary>The result of an import.</summary>
/// <param name="Root">Root CID.</param>
/// <param name="FileSize">Bytes of content.</param>
/// <param name="DagSize">Bytes of all blocks (the root's Tsize).</param>
/// <param name="BlockCount">Blocks written.</param>
public sealed record ImportedFile(Cid Root, ulong FileSize, ulong DagSize, int BlockCount);

/// <summary>
/// Imports a byte stream as a UnixFS file exactly as Kubo does with the same parameters: fixed-size
/// chunks, balanced layout (all leaves at one depth, at most <see cref="UnixFsImportOptions.MaxLinksPerNode"/>
/// links per node), raw or dag-pb leaves, and a single-chunk file reduced to its leaf. Reads the
/// stream chunk by chunk and writes blocks as it goes: memory stays at one chunk plus one small
/// record per block, whatever the file size.
/// </summary>
public static class UnixFsImporter
{
    private sealed record Node(Cid Cid, ulong Tsize, ulong FileSize, bool IsRawLeaf);

    /// <summary>Imports <paramref name="content"/>, writing blocks to <paramref name="sink"/>.</summary>
    public static async Task<ImportedFile> ImportAsync(Stream content, IBlockSink sink, UnixFsImportOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= UnixFsImportOptions.KuboV1;
        if (options.CidVersion == 0 && options.RawLeaves) throw new ArgumentException("CIDv0 cannot have raw leaves");
        // Chunks are read in small batches and hashed in parallel (hashing is the whole cost and
        // SHA-256 runs at memory speed per core); blocks still reach the sink in file order.
        var batch = new byte[Math.Max(2, Environment.ProcessorCount * 2)][];
        for (var i = 0; i < batch.Length; i++) batch[i] = new byte[options.ChunkSize];
        var lengths = new int[batch.Length];
        var leaves = new (Node Node, ReadOnlyMemory<byte> Block)[batch.Length];
        var level = new List<Node>();
        var blocks = 0;
        ulong total = 0;
        var ended = false;
        while (!ended)
        {
            var filled = 0;
            while (filled < batch.Length)
            {
                var read = await ReadChunkAsync(content, batch[filled], cancellationToken).ConfigureAwait(false);
                if (read == 0 && (level.Count > 0 || filled > 0))
                {
                    ended = true;
                    break;
                }

                lengths[filled++] = read;
                if (read < options.ChunkSize)
                {
                    ended = true;
                    break;
                }
            }

            if (filled == 1) leaves[0] = PrepareLeaf(batch[0].AsMemory(0, lengths[0]), options);
            else Parallel.For(0, filled, i => leaves[i] = PrepareLeaf(batch[i].AsMemory(0, lengths[i]), options));
            for (var i = 0; i < filled; i++)
            {
                await sink.PutBlockAsync(leaves[i].Node.Cid, leaves[i].Block, cancellationToken).ConfigureAwait(false);
                level.Add(leaves[i].Node);
                total += (ulong)lengths[i];
                blocks++;
            }
        }

        if (level.Count == 1) return new ImportedFile(level[0].Cid, total, level[0].Tsize, blocks);

        // Balanced layout: group each level into parents of at most MaxLinksPerNode until one remains.
        while (level.Count > 1)
        {
            var parents = new List<Node>((level.Count + options.MaxLinksPerNode - 1) / options.MaxLinksPerNode);
            for (var start = 0; start < level.Count; start += options.MaxLinksPerNode)
            {
                var children = level.GetRange(start, Math.Min(options.MaxLinksPerNode, level.Count - start));
                parents.Add(await WriteParentAsync(children, sink, options, cancellationToken).ConfigureAwait(false));
                blocks++;
            }

            level = parents;
        }

        return new ImportedFile(level[0].Cid, total, level[0].Tsize, blocks);
    }

    /// <summary>Imports bytes already in memory.</summary>
    public static Task<ImportedFile> ImportAsync(ReadOnlyMemory<byte> content, IBlockSink sink, UnixFsImportOptions? options = null,
        CancellationToken cancellationToken = default) =>
        ImportAsync(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false), sink, options, cancellationToken);

    private static async Task<int> ReadChunkAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await content.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            filled += read;
        }

        return filled;
    }

    private static (Node Node, ReadOnlyMemory<byte> Block) PrepareLeaf(ReadOnlyMemory<byte> chunk, UnixFsImportOptions options)
    {
        if (options.RawLeaves)
        {
            var rawCid = Cid.V1(Multicodec.Raw, Multihash.Sha256(chunk.Span));
            return (new Node(rawCid, (ulong)chunk.Length, (ulong)chunk.Length, true), chunk);
        }

        var unixfs = new UnixFsData(UnixFsData.FileType, chunk.ToArray(), (ulong)chunk.Length, []);
        var block = new DagPbNode([], unixfs.Encode()).Encode();
        return (new Node(DagPbCid(block, options), (ulong)block.Length, (ulong)chunk.Length, false), block);
    }

    private static async Task<Node> WriteParentAsync(List<Node> children, IBlockSink sink, UnixFsImportOptions options, CancellationToken cancellationToken)
    {
        // Children without content (only an empty chunk can be one) are not linked, as in Kubo.
        var linked = children.Where(c => c.FileSize > 0).ToList();
        var fileSize = linked.Aggregate(0UL, (sum, c) => sum + c.FileSize);
        var unixfs = new UnixFsData(UnixFsData.FileType, null, fileSize, linked.Select(c => c.FileSize).ToList());
        var node = new DagPbNode(linked.Select(c => new DagPbLink(c.Cid, string.Empty, c.Tsize)).ToList(), unixfs.Encode());
        var block = node.Encode();
        var cid = DagPbCid(block, options);
        await sink.PutBlockAsync(cid, block, cancellationToken).ConfigureAwait(false);
        var tsize = (ulong)block.Length + linked.Aggregate(0UL, (sum, c) => sum + c.Tsize);
        return new Node(cid, tsize, fileSize, false);
    }

    private static Cid DagPbCid(byte[] block, UnixFsImportOptions options) =>
        options.CidVersion == 0 ? Cid.V0(Multihash.Sha256(block)) : Cid.V1(Multicodec.DagPb, Multihash.Sha256(block));
}
