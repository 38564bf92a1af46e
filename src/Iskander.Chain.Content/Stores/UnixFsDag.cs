namespace Iskander.Chain.Content.Stores;

/// <summary>Reads one verified block, or null when the source does not have it.</summary>
public delegate ValueTask<byte[]?> BlockReader(Cid cid, CancellationToken cancellationToken);

/// <summary>
/// Walks a UnixFS file DAG block by block through any <see cref="BlockReader"/>, so every store
/// serves files and CARs the same way: a block is verified before a byte of it goes out.
/// </summary>
public static class UnixFsDag
{
    /// <summary>Deepest DAG accepted (Kubo's balanced layout needs 4 levels for a terabyte).</summary>
    public const int MaxDepth = 64;

    /// <summary>The blocks of <paramref name="root"/>'s DAG, depth-first pre-order: the order of the file's bytes and of <c>ipfs dag export</c>.</summary>
    /// <exception cref="ContentNotFoundException">A block is missing.</exception>
    public static async IAsyncEnumerable<(Cid Cid, byte[] Bytes)> WalkAsync(BlockReader read, Cid root,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var stack = new Stack<(Cid Cid, int Depth)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (cid, depth) = stack.Pop();
            if (depth > MaxDepth) throw new FormatException($"DAG under {root} is deeper than {MaxDepth} levels");
            var bytes = await read(cid, cancellationToken).ConfigureAwait(false) ?? throw new ContentNotFoundException(cid);
            if (!cid.Hash.Matches(bytes)) throw new ContentIntegrityException(cid, "the block source");
            yield return (cid, bytes);
            if (cid.Codec != Multicodec.DagPb) continue;
            var node = DagPbNode.Decode(bytes);
            for (var i = node.Links.Count - 1; i >= 0; i--) stack.Push((node.Links[i].Hash, depth + 1));
        }
    }

    /// <summary>Writes the file's bytes to <paramref name="destination"/>.</summary>
    public static async Task CopyFileAsync(BlockReader read, Cid root, Stream destination, CancellationToken cancellationToken = default)
    {
        await foreach (var (cid, block) in WalkAsync(read, root, cancellationToken).ConfigureAwait(false))
        {
            if (cid.Codec == Multicodec.Raw)
            {
                await destination.WriteAsync(block, cancellationToken).ConfigureAwait(false);
            }
            else if (UnixFsData.Decode(DagPbNode.Decode(block).Data ?? []) is { Data: { Length: > 0 } data })
            {
                await destination.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Whether every block of the DAG is available.</summary>
    public static async Task<bool> IsCompleteAsync(BlockReader read, Cid root, CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var _ in WalkAsync(read, root, cancellationToken).ConfigureAwait(false))
            {
            }

            return true;
        }
        catch (ContentNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Writes the DAG as a CAR v1 with <paramref name="root"/> as its only root.</summary>
    public static async Task ExportCarAsync(BlockReader read, Cid root, Stream destination, CancellationToken cancellationToken = default)
    {
        var car = await Car.CarWriter.CreateAsync(destination, [root], cancellationToken).ConfigureAwait(false);
        await foreach (var (cid, block) in WalkAsync(read, root, cancellationToken).ConfigureAwait(false))
        {
            await car.PutBlockAsync(cid, block, cancellationToken).ConfigureAwait(false);
        }
    }
}
