using Iskander.Chain.Zk.Setup;

namespace Iskander.Chain.Ballots.Circuits;

/// <summary>
/// Where circuit keys may be used: keys set up on the development powers of tau are forgeable by
/// anyone (its τ is public), so a coordinator uses them only on a local development chain unless
/// the operator explicitly forces it.
/// </summary>
public static class BallotKeyPolicy
{
    /// <summary>Chain ids of local development chains (anvil's and Hardhat's/Ganache's defaults).</summary>
    public static readonly IReadOnlySet<ulong> DevelopmentChainIds = new HashSet<ulong> { 31337, 1337 };

    /// <summary>Setting that forces forgeable development keys onto another chain (for staging chains only).</summary>
    public const string AllowInsecureKeysVariable = "ISKANDER_ALLOW_INSECURE_BALLOT_KEYS";

    /// <summary>Throws when <paramref name="keys"/> come from the development file and <paramref name="chainId"/> is not a local development chain, unless <paramref name="allowInsecure"/>.</summary>
    /// <exception cref="InvalidOperationException">Forgeable keys on a real chain.</exception>
    public static void EnsureUsable(CircuitKeys keys, ulong chainId, bool allowInsecure)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (!keys.PowersOfTau.IsInsecureDevelopmentFile || DevelopmentChainIds.Contains(chainId) || allowInsecure) return;
        throw new InvalidOperationException(
            $"the keys of {keys.Compiled.Circuit.Name} were set up on {Path.GetFileName(keys.PowersOfTau.Path)} ({DevelopmentPowersOfTau.Warning}); chain {chainId} is not a local development chain: " +
            $"build the circuits on a ceremony file (README, \"Production keys\") and set ISKANDER_BALLOT_PTAU, or set {AllowInsecureKeysVariable}=1 on a throwaway chain");
    }
}
