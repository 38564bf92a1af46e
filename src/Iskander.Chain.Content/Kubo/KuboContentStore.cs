using Iskander.Chain.Content.Stores;

namespace Iskander.Chain.Content.Kubo;

/// <summary>
/// The content store backed by a Kubo node. Every put computes the CID locally first and accepts
/// Kubo's answer only when it is the same CID (otherwise the node's parameters differ from ours and
/// the decision's commitment would point at nothing: the put fails and Kubo's pin is dropped).
/// Reads fetch blocks one by one and verify each before a byte is written, so a lying node is caught.
/// </summary>
public sealed class KuboContentStore(KuboRpcClient client) : IContentStore
{
    /// <inheritdoc />
    /// <exception cref="KuboCidMismatchException">Kubo stored the content under another CID.</exception>
    public async Task<ImportedFile> PutAsync(Stream content, CancellationToken cancellationToken = default)
    {
        // The bytes are read twice (local CID, upload); a stream that cannot rewind is spooled to a temporary file.
        Stream source = content;
        FileStream? spool = null;
        try
        {
            if (!content.CanSeek)
            {
                spool = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
                await content.CopyToAsync(spool, cancellationToken).ConfigureAwait(false);
                spool.Position = 0;
                source = spool;
            }

            var start = source.Position;
            var local = await UnixFsImporter.ImportAsync(source, DiscardingBlockSink.Instance, UnixFsImportOptions.KuboV1, cancellationToken).ConfigureAwait(false);
            source.Position = start;
            var added = await client.AddAsync(source, local.Root.ToString(), pin: true, cancellationToken).ConfigureAwait(false);
            if (!Cid.TryParse(added.Hash, out var returned) || !returned!.Equals(local.Root))
            {
                if (returned is not null) await client.PinRemoveAsync(returned, CancellationToken.None).ConfigureAwait(false);
                throw new KuboCidMismatchException(local.Root, added.Hash);
            }

            return local;
        }
        finally
        {
            if (spool is not null) await spool.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task CopyToAsync(Cid root, Stream destination, CancellationToken cancellationToken = default) =>
        UnixFsDag.CopyFileAsync(ReadBlockAsync, root, destination, cancellationToken);

    /// <inheritdoc />
    public Task<bool> HasAsync(Cid root, CancellationToken cancellationToken = default) =>
        UnixFsDag.IsCompleteAsync(ReadBlockAsync, root, cancellationToken);

    /// <inheritdoc />
    public Task PinAsync(Cid root, CancellationToken cancellationToken = default) => client.PinAddAsync(root, cancellationToken);

    /// <inheritdoc />
    public Task UnpinAsync(Cid root, CancellationToken cancellationToken = default) => client.PinRemoveAsync(root, cancellationToken);

    /// <inheritdoc />
    public Task ExportCarAsync(Cid root, Stream destination, CancellationToken cancellationToken = default) =>
        UnixFsDag.ExportCarAsync(ReadBlockAsync, root, destination, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Cid>> ImportCarAsync(Stream car, CancellationToken cancellationToken = default)
    {
        var roots = await client.DagImportAsync(car, cancellationToken).ConfigureAwait(false);
        return roots.Select(text => Cid.TryParse(text, out var cid) ? cid! : throw new KuboRpcException("dag/import", null, $"root '{text}' is not a CID")).ToList();
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> GetBlockAsync(Cid cid, CancellationToken cancellationToken = default) => ReadBlockAsync(cid, cancellationToken);

    private async ValueTask<byte[]?> ReadBlockAsync(Cid cid, CancellationToken cancellationToken) =>
        await client.BlockGetAsync(cid, cancellationToken).ConfigureAwait(false);
}
