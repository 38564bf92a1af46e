using Iskander.Chain.Content.Car;

namespace Iskander.Chain.Content.Stores;

/// <summary>
/// The zero-configuration content store: a <see cref="FileSystemBlockStore"/> plus pins, with
/// UnixFS import (Kubo's CIDv1 defaults), verified reads and CAR export. Chosen over a PostgreSQL
/// table so that block bytes stay out of the database's write-ahead log and backups, can be served
/// and exported without touching the database, and can be handed to a Kubo node as a CAR.
/// </summary>
public sealed class EmbeddedContentStore : IContentStore
{
    /// <summary>Largest CAR <see cref="ImportCarAsync"/> accepts (it is verified in memory).</summary>
    public const int MaxCarImportBytes = 256 * 1024 * 1024;

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
    public Task CopyToAsync(Cid root, Stream destination, CancellationToken cancellationToken = default) =>
        UnixFsDag.CopyFileAsync(_blocks.GetBlockAsync, root, destination, cancellationToken);

    /// <inheritdoc />
    public Task<bool> HasAsync(Cid root, CancellationToken cancellationToken = default) =>
        UnixFsDag.IsCompleteAsync(_blocks.GetBlockAsync, root, cancellationToken);

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
    public Task ExportCarAsync(Cid root, Stream destination, CancellationToken cancellationToken = default) =>
        UnixFsDag.ExportCarAsync(_blocks.GetBlockAsync, root, destination, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Cid>> ImportCarAsync(Stream car, CancellationToken cancellationToken = default)
    {
        var (roots, blocks) = CarReader.Read(await ReadBoundedAsync(car, MaxCarImportBytes, cancellationToken).ConfigureAwait(false));
        foreach (var (cid, block) in blocks) await _blocks.PutBlockAsync(cid, block, cancellationToken).ConfigureAwait(false);
        foreach (var root in roots)
        {
            if (!await HasAsync(root, cancellationToken).ConfigureAwait(false)) throw new ContentNotFoundException(root);
            await PinAsync(root, cancellationToken).ConfigureAwait(false);
        }

        return roots;
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> GetBlockAsync(Cid cid, CancellationToken cancellationToken = default) => _blocks.GetBlockAsync(cid, cancellationToken);

    private string PinPath(Cid root) => Path.Combine(_pins, root.ToV1().ToString());

    private static async Task<byte[]> ReadBoundedAsync(Stream source, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit) throw new CarFormatException($"CAR is larger than {limit} bytes");
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
