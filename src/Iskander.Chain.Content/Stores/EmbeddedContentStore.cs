namespace Iskander.Chain.Content.Stores;

/// <summary>
/// The zero-configuration content store: a <see cref="FileSystemBlockStore"/> plus pins, with
/// UnixFS import (Kubo's CIDv1 defaults), verified reads and CAR export. Chosen over a PostgreSQL
/// table so that block bytes stay out of the database's write-ahead log and backups, can be served
/// and exported without touching the database, and can be handed to a Kubo node as a CAR.
/// </summary>
public sealed class EmbeddedContentStore : IContentStore
{
    private readonly FileSystemBlockStore _blocks;
    private readonly string _pins;

    /// <summary>Uses <paramref name="directory"/> (<c>blocks/</c> and <c>pins/</c> inside).</summary>
    public EmbeddedContentStore(string directory)
    {
        _blocks = new FileSystemBlockStore(Path.Combine(directory, "blocks"));
        _pins = Directory.CreateDirectory(Path.Combine(directory, "pins")).FullName;
    }

    /// <summary>The underlying blocks.</summary>
    public IBlockStore Blocks => _blocks;

    /// <inheritdoc />
    public async Task<ImportedFile> PutAsync(Stream content, CancellationToken cancellationToken = default)
    {
        var imported = await UnixFsImporter.ImportAsync(content, _blocks, UnixFsImportOptions.KuboV1, cancellationToken).ConfigureAwait(false);
        await PinAsync(imported.Root, cancellationToken).ConfigureAwait(false);
        return imported;
    }

    /// <inheritdoc />
    public async Task CopyToAsync(Cid root, Stream destination, CancellationToken cancellationToken = default)
    {
        await foreach (var (_, block) in WalkAsync(root, cancellationToken).ConfigureAwait(false))
        {
            if (block.Cid.Codec == Multicodec.Raw)
            {
                await destination.WriteAsync(block.Bytes, cancellationToken).ConfigureAwait(false);
            }
            else if (UnixFsData.Decode(DagPbNode.Decode(block.Bytes).Data ?? []) is { Data: { Length: > 0 } data })
            {
                await destination.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public async Task<bool> HasAsync(Cid root, CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var _ in WalkAsync(root, cancellationToken).ConfigureAwait(false))
            {
            }

            return true;
        }
        catch (ContentNotFoundException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public Task PinAsync(Cid root, CancellationToken cancellationToken = default)
    {
        var path = PinPath(root);
        if (!File.Exists(path)) File.WriteAllText(path, string.Empty);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task UnpinAsync(Cid root, CancellationToken cancellationToken = default)
    {
        File.Delete(PinPath(root));
        return Task.CompletedTask;
    }

    /// <summary>Whether <paramref name="root"/> is pinned.</summary>
    public bool IsPinned(Cid root) => File.Exists(PinPath(root));

    /// <inheritdoc />
    public async Task ExportCarAsync(Cid root, Stream destination, CancellationToken cancellationToken = default)
    {
        var car = await Car.CarWriter.CreateAsync(destination, [root], cancellationToken).ConfigureAwait(false);
        await foreach (var (_, block) in WalkAsync(root, cancellationToken).ConfigureAwait(false))
        {
            await car.PutBlockAsync(block.Cid, block.Bytes, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> GetBlockAsync(Cid cid, CancellationToken cancellationToken = default) => _blocks.GetBlockAsync(cid, cancellationToken);

    private string PinPath(Cid root) => Path.Combine(_pins, root.ToV1().ToString());

    private sealed record Block(Cid Cid, byte[] Bytes);

    // Depth-first, pre-order: the order of the file's bytes, and the order `ipfs dag export` writes.
    private async IAsyncEnumerable<(int Depth, Block Block)> WalkAsync(Cid root,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stack = new Stack<(Cid Cid, int Depth)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (cid, depth) = stack.Pop();
            if (depth > 64) throw new FormatException($"DAG under {root} is deeper than 64 levels");
            var bytes = await _blocks.GetBlockAsync(cid, cancellationToken).ConfigureAwait(false) ?? throw new ContentNotFoundException(cid);
            yield return (depth, new Block(cid, bytes));
            if (cid.Codec != Multicodec.DagPb) continue;
            var node = DagPbNode.Decode(bytes);
            for (var i = node.Links.Count - 1; i >= 0; i--) stack.Push((node.Links[i].Hash, depth + 1));
        }
    }
}
