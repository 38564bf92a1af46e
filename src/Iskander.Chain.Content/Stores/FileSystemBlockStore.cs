namespace Iskander.Chain.Content.Stores;

/// <summary>
/// Blocks as files, one per multihash, sharded by the next-to-last two characters of the key (as
/// Kubo's flatfs). A block is written to a temporary file, flushed to disk and then renamed into
/// place, so a crash can lose a block that was being written but never leaves a partial block
/// under its final name; every read is verified against the CID besides.
/// </summary>
public sealed class FileSystemBlockStore : IBlockStore
{
    private readonly string _directory;

    /// <summary>Uses (and creates) <paramref name="directory"/>.</summary>
    public FileSystemBlockStore(string directory)
    {
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
    }

    /// <inheritdoc />
    public async ValueTask PutBlockAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        if (!cid.Hash.Matches(block.Span)) throw new ArgumentException($"block does not hash to {cid}", nameof(block));
        var path = PathOf(cid);
        if (File.Exists(path)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await file.WriteAsync(block, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <inheritdoc />
    public async ValueTask<byte[]?> GetBlockAsync(Cid cid, CancellationToken cancellationToken = default)
    {
        var path = PathOf(cid);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return cid.Hash.Matches(bytes) ? bytes : throw new ContentIntegrityException(cid, path);
    }

    /// <inheritdoc />
    public ValueTask<bool> HasBlockAsync(Cid cid, CancellationToken cancellationToken = default) => ValueTask.FromResult(File.Exists(PathOf(cid)));

    private string PathOf(Cid cid)
    {
        var key = Multibase.EncodeBase32(cid.Hash.Bytes).ToUpperInvariant();
        return Path.Combine(_directory, key[^3..^1], key + ".data");
    }
}
