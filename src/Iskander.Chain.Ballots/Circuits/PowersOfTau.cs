using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Iskander.Chain.Ballots.Circuits;

/// <summary>A prepared (phase-2-ready) powers-of-tau file: its path, power and SHA-256.</summary>
/// <param name="Path">The file.</param>
/// <param name="Power">2^power constraints fit.</param>
/// <param name="Sha256">Hex SHA-256 of the file.</param>
public sealed record PowersOfTau(string Path, int Power, string Sha256)
{
    /// <summary>
    /// Where the development files live: a per-user cache outside the checkout
    /// (<c>$ISKANDER_PTAU_DIR</c>, else <c>$XDG_CACHE_HOME/iskander-chain/ptau</c>, else
    /// <c>~/.cache/iskander-chain/ptau</c>), filled by <c>scripts/bootstrap</c>. Their entropy is
    /// public: INSECURE by construction, for tests and local development only.
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
            ? Directory.GetFiles(DevelopmentDirectory, "dev_*.ptau").OrderBy(PowerOfName).ToList()
            : [];

    /// <summary>The smallest development file that holds <paramref name="constraints"/> constraints.</summary>
    /// <exception cref="InvalidOperationException">None is large enough (or none is installed).</exception>
    public static PowersOfTau DevelopmentFor(long constraints)
    {
        var file = AvailableDevelopmentFiles().FirstOrDefault(f => 1L << PowerOfName(f) >= constraints)
            ?? throw new InvalidOperationException($"no development powers-of-tau in {DevelopmentDirectory} holds {constraints} constraints (run scripts/bootstrap, or supply a ptau file)");
        return Open(file, PowerOfName(file), expectedSha256: null);
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

    private static int PowerOfName(string path) =>
        Regex.Match(System.IO.Path.GetFileName(path), @"_(\d+)\.ptau$", RegexOptions.CultureInvariant) is { Success: true } match ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : int.MaxValue;
}
