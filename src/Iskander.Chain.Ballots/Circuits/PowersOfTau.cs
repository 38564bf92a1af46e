using System.Diagnostics;
using System.Security.Cryptography;
using Iskander.Chain.Zk.Setup;
using Serilog;

namespace Iskander.Chain.Ballots.Circuits;

/// <summary>A prepared (phase-2-ready) powers-of-tau file: its path, power and SHA-256.</summary>
/// <param name="Path">The file.</param>
/// <param name="Power">2^power constraints fit.</param>
/// <param name="Sha256">Hex SHA-256 of the file.</param>
public sealed record PowersOfTau(string Path, int Power, string Sha256)
{
    /// <summary>Smallest development file written (smaller circuits use it too).</summary>
    public const int SmallestDevelopmentPower = 8;

    /// <summary>
    /// Whether this is one of the project's development files (<see cref="DevelopmentPowersOfTau"/>):
    /// its τ is public, so keys set up on it prove nothing.
    /// </summary>
    public bool IsInsecureDevelopmentFile => DevelopmentPowersOfTau.IsDevelopmentFileName(System.IO.Path.GetFileName(Path));

    /// <summary>
    /// Where the development files live: a per-user cache outside the checkout
    /// (<c>$ISKANDER_PTAU_DIR</c>, else <c>$XDG_CACHE_HOME/iskander-chain/ptau</c>, else
    /// <c>~/.cache/iskander-chain/ptau</c>). They are written there on first use, in seconds.
    /// </summary>
    public static string DevelopmentDirectory
    {
        get
        {
            if (Environment.GetEnvironmentVariable("ISKANDER_PTAU_DIR") is { Length: > 0 } explicitDir) return explicitDir;
            var cacheHome = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
                ? xdg
                : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return System.IO.Path.Combine(cacheHome, "iskander-chain", "ptau");
        }
    }

    /// <summary>The development files present, smallest first.</summary>
    public static IReadOnlyList<string> AvailableDevelopmentFiles() =>
        Directory.Exists(DevelopmentDirectory)
            ? Directory.GetFiles(DevelopmentDirectory, DevelopmentPowersOfTau.FilePrefix + "*.ptau").OrderBy(f => f.Length).ThenBy(f => f, StringComparer.Ordinal).ToList()
            : [];

    /// <summary>
    /// The development file for 2^power ≥ <paramref name="constraints"/> (counting public inputs and
    /// one more, as snarkjs's domain does), written into <see cref="DevelopmentDirectory"/> first if it
    /// is not there yet. INSECURE: every log line says so.
    /// </summary>
    /// <exception cref="InvalidOperationException">The circuit needs more than 2^<see cref="DevelopmentPowersOfTau.MaxPower"/>.</exception>
    public static async Task<PowersOfTau> DevelopmentForAsync(long constraints, ILogger log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        var power = SmallestDevelopmentPower;
        while (1L << power < constraints) power++;
        if (power > DevelopmentPowersOfTau.MaxPower)
        {
            throw new InvalidOperationException($"{constraints} constraints need 2^{power}; development files stop at 2^{DevelopmentPowersOfTau.MaxPower}: supply a ceremony file (--ptau)");
        }

        var path = System.IO.Path.Combine(DevelopmentDirectory, DevelopmentPowersOfTau.FileName(power));
        if (!File.Exists(path))
        {
            using var entryLock = await CacheLock.AcquireAsync(path, log, cancellationToken).ConfigureAwait(false);
            if (!File.Exists(path)) await WriteDevelopmentFileAsync(path, power, log, cancellationToken).ConfigureAwait(false);
        }

        log.Warning("Using {File}: {Warning}", System.IO.Path.GetFileName(path), DevelopmentPowersOfTau.Warning);
        return Open(path, power, expectedSha256: null);
    }

    /// <summary>An operator-supplied file (e.g. a Perpetual Powers of Tau round), checked against its published SHA-256.</summary>
    /// <exception cref="InvalidOperationException">The file's hash differs from <paramref name="expectedSha256"/>.</exception>
    public static PowersOfTau Open(string path, int power, string? expectedSha256)
    {
        using var stream = File.OpenRead(path);
        var sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (expectedSha256 is not null && !string.Equals(sha, expectedSha256.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{path} has SHA-256 {sha}, not the published {expectedSha256}: refusing to use it");
        }

        return new PowersOfTau(path, power, sha);
    }

    // Written beside its final name and moved into place, so a reader never sees half a file.
    private static async Task WriteDevelopmentFileAsync(string path, int power, ILogger log, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        log.Warning("Writing {File} (2^{Power}, {Points:N0} points): {Warning}", System.IO.Path.GetFileName(path), power, DevelopmentPowersOfTau.PointCount(power), DevelopmentPowersOfTau.Warning);
        var clock = Stopwatch.StartNew();
        var partial = $"{path}.{Guid.NewGuid():N}.partial";
        try
        {
            var lastReport = TimeSpan.Zero;
            var progress = new SynchronousProgress<PowersOfTauProgress>(p =>
            {
                if (clock.Elapsed - lastReport < TimeSpan.FromSeconds(5) && p.PointsWritten < p.PointsTotal) return;
                lastReport = clock.Elapsed;
                log.Information("INSECURE development ptau 2^{Power}: {Section}, {Percent:0}% of {Points:N0} points", power, p.Section, 100.0 * p.PointsWritten / p.PointsTotal, p.PointsTotal);
            });
            await using (var stream = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true))
            {
                await DevelopmentPowersOfTau.WriteAsync(stream, power, progress, cancellationToken).ConfigureAwait(false);
            }

            File.Move(partial, path, overwrite: true);
            log.Warning("Wrote {File} in {Seconds:0.0} s: {Warning}", System.IO.Path.GetFileName(path), clock.Elapsed.TotalSeconds, DevelopmentPowersOfTau.Warning);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    // Reports on the writer's own thread, in order (Progress<T> would post to the thread pool).
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
