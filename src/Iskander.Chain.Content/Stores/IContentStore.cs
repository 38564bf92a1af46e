namespace Iskander.Chain.Content.Stores;

/// <summary>Blocks by CID.</summary>
public interface IBlockStore : IBlockSink
{
    /// <summary>The verified bytes of a block, or null when absent.</summary>
    /// <exception cref="ContentIntegrityException">The stored bytes do not hash to the CID.</exception>
    ValueTask<byte[]?> GetBlockAsync(Cid cid, CancellationToken cancellationToken = default);

    /// <summary>Whether the block is present.</summary>
    ValueTask<bool> HasBlockAsync(Cid cid, CancellationToken cancellationToken = default);
}

/// <summary>
/// Content-addressed storage of decision records and other files: put bytes and get their CID,
/// read them back verified, pin what must be kept, export a DAG as a CAR.
/// </summary>
public interface IContentStore
{
    /// <summary>Imports <paramref name="content"/> as UnixFS (Kubo's CIDv1 defaults) and pins it.</summary>
    Task<ImportedFile> PutAsync(Stream content, CancellationToken cancellationToken = default);

    /// <summary>The file under <paramref name="root"/>, verified block by block.</summary>
    /// <exception cref="ContentNotFoundException">A block is missing.</exception>
    /// <exception cref="ContentIntegrityException">A block does not hash to its CID.</exception>
    Task CopyToAsync(Cid root, Stream destination, CancellationToken cancellationToken = default);

    /// <summary>Whether every block of <paramref name="root"/>'s DAG is present.</summary>
    Task<bool> HasAsync(Cid root, CancellationToken cancellationToken = default);

    /// <summary>Keeps <paramref name="root"/>.</summary>
    Task PinAsync(Cid root, CancellationToken cancellationToken = default);

    /// <summary>Stops keeping <paramref name="root"/>.</summary>
    Task UnpinAsync(Cid root, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="root"/>'s DAG as a CAR v1 with that root.</summary>
    Task ExportCarAsync(Cid root, Stream destination, CancellationToken cancellationToken = default);

    /// <summary>
    /// Imports a CAR (every block verified) and pins its roots; fails when a root's DAG is incomplete.
    /// </summary>
    /// <returns>The CAR's roots.</returns>
    Task<IReadOnlyList<Cid>> ImportCarAsync(Stream car, CancellationToken cancellationToken = default);

    /// <summary>One raw block (for trustless gateway responses).</summary>
    ValueTask<byte[]?> GetBlockAsync(Cid cid, CancellationToken cancellationToken = default);
}

/// <summary>A block the DAG needs is not in the store.</summary>
public sealed class ContentNotFoundException(Cid cid) : Exception($"block {cid} is not in the content store")
{
    /// <summary>The missing block.</summary>
    public Cid Cid { get; } = cid;
}

/// <summary>Stored bytes do not hash to their CID: the store was altered or damaged.</summary>
public sealed class ContentIntegrityException(Cid cid, string where) : Exception($"block {cid} in {where} does not hash to its CID")
{
    /// <summary>The damaged block.</summary>
    public Cid Cid { get; } = cid;
}

/// <summary>Convenience operations over any <see cref="IContentStore"/>.</summary>
public static class ContentStoreExtensions
{
    /// <summary>Imports bytes.</summary>
    public static Task<ImportedFile> PutAsync(this IContentStore store, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        store.PutAsync(new MemoryStream(content.ToArray(), writable: false), cancellationToken);

    /// <summary>Reads a whole (small) file into memory.</summary>
    public static async Task<byte[]> GetAsync(this IContentStore store, Cid root, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await store.CopyToAsync(root, buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
