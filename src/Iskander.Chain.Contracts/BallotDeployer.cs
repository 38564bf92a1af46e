using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Toolchain;

namespace Iskander.Chain.Contracts;

/// <summary>What <c>contracts/script/DeployBallot.s.sol</c> writes.</summary>
/// <param name="ChainId">Chain.</param>
/// <param name="DeployBlock">Block at or before the deployment (where followers start).</param>
/// <param name="Ballot">The MACIVoting contract.</param>
/// <param name="ProcessVerifier">Its processing verifier.</param>
/// <param name="TallyVerifier">Its tally verifier.</param>
/// <param name="Membership">The CoopIdentity that gates sign-up.</param>
/// <param name="CreationCodeHash">keccak256 of MACIVoting's creation code.</param>
public sealed record BallotManifest(ulong ChainId, ulong DeployBlock, Address Ballot, Address ProcessVerifier, Address TallyVerifier, Address Membership, Hash32 CreationCodeHash)
{
    /// <summary>Reads a ballot manifest.</summary>
    /// <exception cref="FormatException">Not a version-1 ballot manifest.</exception>
    public static BallotManifest Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        try
        {
            if (root.GetProperty("formatVersion").GetInt32() != 1) throw new FormatException($"{path}: unsupported ballot manifest format");
            return new BallotManifest(root.GetProperty("chainId").GetUInt64(), root.GetProperty("deployBlock").GetUInt64(),
                Address.Parse(root.GetProperty("ballot").GetString()!), Address.Parse(root.GetProperty("processVerifier").GetString()!),
                Address.Parse(root.GetProperty("tallyVerifier").GetString()!), Address.Parse(root.GetProperty("membership").GetString()!),
                Hash32.Parse(root.GetProperty("creationCodeHash").GetString()!));
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"{path} is not a ballot manifest: {ex.Message}", ex);
        }
    }
}

/// <summary>A secret ballot's settings at deployment.</summary>
/// <param name="Membership">The CoopIdentity whose current members may sign up.</param>
/// <param name="CoordinatorPublicKeyHash">hash2(x, y) of the coordinator's BabyJubJub key.</param>
/// <param name="VoteOptions">Number of options.</param>
/// <param name="VotingDeadline">Unix time when sign-up and voting end.</param>
/// <param name="InitialCredits">Credits per member (1: one member, one vote).</param>
public sealed record BallotDeploymentOptions(Address Membership, BigInteger CoordinatorPublicKeyHash, int VoteOptions, DateTimeOffset VotingDeadline, ulong InitialCredits = 1);

/// <summary>Deploys a MACIVoting ballot (test shape, with its verifiers) by running the forge script, and loads its manifest.</summary>
public sealed class BallotDeployer(ToolRunner runner)
{
    /// <summary>Deploys to <paramref name="rpcUrl"/>; the manifest goes to <paramref name="manifestPath"/> (under <c>deployments/</c>).</summary>
    public async Task<BallotManifest> DeployAsync(Uri rpcUrl, PrivateKey deployer, string manifestPath, BallotDeploymentOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var root = runner.Toolchain.Layout.Root;
        var relative = Path.GetRelativePath(root, Path.GetFullPath(manifestPath, root));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, relative))!);
        var environment = new Dictionary<string, string?>
        {
            ["DEPLOYER_PRIVATE_KEY"] = deployer.ExportHex(),
            ["BALLOT_MANIFEST"] = relative,
            ["BALLOT_MEMBERSHIP"] = options.Membership.ToChecksumString(),
            ["BALLOT_COORDINATOR_KEY_HASH"] = options.CoordinatorPublicKeyHash.ToString(CultureInfo.InvariantCulture),
            ["BALLOT_VOTE_OPTIONS"] = options.VoteOptions.ToString(CultureInfo.InvariantCulture),
            ["BALLOT_DEADLINE"] = options.VotingDeadline.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["BALLOT_CREDITS"] = options.InitialCredits.ToString(CultureInfo.InvariantCulture),
        };
        await runner.RunAsync(Tool.Forge, ["script", "contracts/script/DeployBallot.s.sol:DeployBallot", "--rpc-url", rpcUrl.ToString(), "--broadcast", "--slow"],
            new ToolRunOptions { Environment = environment, Timeout = TimeSpan.FromMinutes(5) }, cancellationToken).ConfigureAwait(false);
        return BallotManifest.Load(Path.Combine(root, relative));
    }
}
