using System.Globalization;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Toolchain;

namespace Iskander.Chain.Contracts;

/// <summary>Settings for a deployment; keys come from the caller (a keystore or the environment), never from files in the repository.</summary>
public sealed record CoopDeploymentOptions
{
    /// <summary>Name of the cooperative.</summary>
    public string CooperativeName { get; init; } = "Development Cooperative";

    /// <summary>The bridge's anchoring key; default: the deployer.</summary>
    public Address? Anchorer { get; init; }

    /// <summary>The bridge's issuing key; default: the deployer.</summary>
    public Address? Issuer { get; init; }

    /// <summary>Confirmations parameter written into the constitution.</summary>
    public int Confirmations { get; init; } = 2;

    /// <summary>
    /// Notice before a scheduled action can execute, which is also the floor no amendment can go
    /// below; default 48 hours. The contracts refuse less than 48 hours except on a local
    /// development chain (chain id 31337), where tests and the demo use seconds or minutes.
    /// </summary>
    public TimeSpan NoticePeriod { get; init; } = TimeSpan.FromHours(48);
}

/// <summary>
/// Deploys the cooperative's contracts by running <c>contracts/script/Deploy.s.sol</c> with forge,
/// then loads and checks the manifest it wrote: right chain, and creation-code hashes equal to the
/// artifacts this build uses.
/// </summary>
public sealed class CoopDeployer(ToolRunner runner)
{
    /// <summary>Deploys to <paramref name="rpcUrl"/> and returns the manifest, written to <paramref name="manifestPath"/> (under <c>deployments/</c>).</summary>
    /// <exception cref="ToolFailedException">forge script failed; the message carries its output.</exception>
    public async Task<DeploymentManifest> DeployAsync(Uri rpcUrl, PrivateKey deployer, string manifestPath, CoopDeploymentOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new CoopDeploymentOptions();
        var root = runner.Toolchain.Layout.Root;
        var relativeManifest = Path.GetRelativePath(root, Path.GetFullPath(manifestPath, root));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, relativeManifest))!);
        var environment = new Dictionary<string, string?>
        {
            ["DEPLOYER_PRIVATE_KEY"] = deployer.ExportHex(),
            ["DEPLOYMENT_MANIFEST"] = relativeManifest,
            ["COOP_NAME"] = options.CooperativeName,
            ["CONFIRMATIONS"] = options.Confirmations.ToString(CultureInfo.InvariantCulture),
            ["NOTICE_PERIOD"] = ((long)options.NoticePeriod.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            ["NOTICE_FLOOR"] = ((long)options.NoticePeriod.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        };
        if (options.Anchorer is { } anchorer) environment["BRIDGE_ANCHORER"] = anchorer.ToChecksumString();
        if (options.Issuer is { } issuer) environment["BRIDGE_ISSUER"] = issuer.ToChecksumString();

        await runner.RunAsync(Tool.Forge, ["script", "contracts/script/Deploy.s.sol:Deploy", "--rpc-url", rpcUrl.ToString(), "--broadcast", "--slow"],
            new ToolRunOptions { Environment = environment, Timeout = TimeSpan.FromMinutes(5) }, cancellationToken).ConfigureAwait(false);

        var manifest = DeploymentManifest.Load(Path.Combine(root, relativeManifest));
        using var rpc = new JsonRpcClient(rpcUrl);
        var chainId = await new EthClient(rpc).ChainIdAsync(cancellationToken).ConfigureAwait(false);
        if (manifest.ChainId != chainId) throw new InvalidOperationException($"manifest says chain {manifest.ChainId}, node is chain {chainId}");
        return manifest;
    }

    /// <summary>Loads the artifact of <paramref name="name"/> from the build and checks it is the code the manifest says was deployed.</summary>
    /// <exception cref="InvalidOperationException">The build differs from what was deployed.</exception>
    public ForgeArtifact Artifact(DeploymentManifest manifest, string name)
    {
        var artifact = ForgeArtifact.Load(Path.Combine(runner.Toolchain.Layout.Root, "out"), name + ".sol", name);
        if (artifact.BytecodeHash != manifest[name].CreationCodeHash)
        {
            throw new InvalidOperationException($"{name} in this build ({artifact.BytecodeHash}) is not the deployed code ({manifest[name].CreationCodeHash}); rebuild or redeploy");
        }

        return artifact;
    }
}
