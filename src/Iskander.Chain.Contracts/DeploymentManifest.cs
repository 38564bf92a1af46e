using System.Text.Json;
using Iskander.Chain.Ethereum;

namespace Iskander.Chain.Contracts;

/// <summary>One deployed contract: where it is and which build it came from.</summary>
/// <param name="Address">Its address.</param>
/// <param name="CreationCodeHash">keccak256 of the creation code it was deployed from.</param>
public sealed record DeployedContract(Address Address, Hash32 CreationCodeHash);

/// <summary>
/// What <c>contracts/script/Deploy.s.sol</c> writes: chain id, the block at or before which the
/// contracts were deployed (where followers start), the keys' addresses, and each contract's
/// address and creation-code hash.
/// </summary>
public sealed record DeploymentManifest(
    int FormatVersion,
    ulong ChainId,
    ulong DeployBlock,
    Address Anchorer,
    Address Issuer,
    IReadOnlyDictionary<string, DeployedContract> Contracts)
{
    /// <summary>Names of the contracts every manifest must list.</summary>
    public static readonly IReadOnlyList<string> RequiredContracts = ["DecisionAnchor", "ActionSchedule", "CoopIdentity", "Constitution", "InterCoopEscrow"];

    /// <summary>The contract called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The manifest does not list it.</exception>
    public DeployedContract this[string name] =>
        Contracts.TryGetValue(name, out var contract) ? contract : throw new KeyNotFoundException($"the deployment manifest has no {name}");

    /// <summary>Reads and validates a manifest file.</summary>
    /// <exception cref="FormatException">Not a version-1 manifest, or a required contract is missing.</exception>
    public static DeploymentManifest Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        try
        {
            var version = root.GetProperty("formatVersion").GetInt32();
            if (version != 1) throw new FormatException($"deployment manifest format {version} is not supported (expected 1)");
            var contracts = root.GetProperty("contracts").EnumerateObject().ToDictionary(
                c => c.Name,
                c => new DeployedContract(
                    Address.Parse(c.Value.GetProperty("address").GetString()!),
                    Hash32.Parse(c.Value.GetProperty("creationCodeHash").GetString()!)));
            var missing = RequiredContracts.Where(name => !contracts.ContainsKey(name)).ToList();
            if (missing.Count > 0) throw new FormatException($"deployment manifest lacks {string.Join(", ", missing)}");
            return new DeploymentManifest(
                version,
                root.GetProperty("chainId").GetUInt64(),
                root.GetProperty("deployBlock").GetUInt64(),
                Address.Parse(root.GetProperty("anchorer").GetString()!),
                Address.Parse(root.GetProperty("issuer").GetString()!),
                contracts);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"{path} is not a deployment manifest: {ex.Message}", ex);
        }
    }
}
