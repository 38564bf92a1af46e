namespace Iskander.Chain.Cli;

/// <summary>
/// Where the development powers-of-tau files live: a per-user cache outside the checkout
/// (<c>$ISKANDER_PTAU_DIR</c>, else <c>$XDG_CACHE_HOME/iskander-chain/ptau</c>, else
/// <c>~/.cache/iskander-chain/ptau</c>), filled by <c>scripts/bootstrap</c>. INSECURE by
/// construction: for tests and local development only.
/// </summary>
internal static class DevPowersOfTau
{
    public static string CacheDirectory
    {
        get
        {
            if (Environment.GetEnvironmentVariable("ISKANDER_PTAU_DIR") is { Length: > 0 } explicitDir) return explicitDir;
            var cacheHome = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(cacheHome, "iskander-chain", "ptau");
        }
    }

    public static IReadOnlyList<string> Available() =>
        Directory.Exists(CacheDirectory)
            ? Directory.GetFiles(CacheDirectory, "dev_*.ptau").Order(StringComparer.Ordinal).ToList()
            : [];
}
