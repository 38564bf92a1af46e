using Serilog;

namespace Iskander.Chain.Ballots.Circuits;

/// <summary>
/// An exclusive lock on one cache entry across processes (an open lock file no one else may open),
/// so that two processes needing the same circuit keys or powers of tau on a fresh machine build
/// them once: the second waits, then finds the entry ready. The operating system releases it when
/// the holder exits, even after a crash.
/// </summary>
internal sealed class CacheLock : IDisposable
{
    private readonly FileStream _file;

    private CacheLock(FileStream file) => _file = file;

    /// <summary>Waits for and takes the lock on <paramref name="entry"/> (the file <c>entry.lock</c>).</summary>
    public static async Task<CacheLock> AcquireAsync(string entry, ILogger log, CancellationToken cancellationToken)
    {
        var path = entry + ".lock";
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var waited = false;
        while (true)
        {
            try
            {
                return new CacheLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException)
            {
                if (!waited) log.Information("Another process is building {Entry}; waiting for it", Path.GetFileName(entry));
                waited = true;
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}
