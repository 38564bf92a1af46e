using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Contracts;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Governance;

namespace Iskander.Chain.Bridge.Pipeline;

/// <summary>The deployed contracts the bridge writes to, sharing one sender (one key, one nonce sequence).</summary>
/// <param name="Anchor">DecisionAnchor.</param>
/// <param name="Governance">ActionSchedule, CoopIdentity and Constitution.</param>
/// <param name="Sender">The bridge key's sender (one nonce sequence for every transaction the bridge sends).</param>
public sealed record BridgeContracts(AnchorChain Anchor, GovernanceChain Governance, TransactionSender Sender)
{
    /// <summary>Connects to the contracts of <paramref name="manifest"/> with the bridge's <paramref name="key"/> (the anchorer and issuer).</summary>
    /// <param name="client">The node.</param>
    /// <param name="manifest">The deployment.</param>
    /// <param name="abiOf">The ABI of a contract by name (from the build the manifest was checked against).</param>
    /// <param name="key">The bridge's key.</param>
    public static BridgeContracts Connect(EthClient client, DeploymentManifest manifest, Func<string, ContractAbi> abiOf, PrivateKey key)
    {
        var sender = new TransactionSender(client, new LocalSigner(key));
        var targets = new GovernanceTargets(manifest.ChainId, manifest["CoopIdentity"].Address, manifest["Constitution"].Address, manifest["ActionSchedule"].Address);
        return new BridgeContracts(
            new AnchorChain(client, manifest["DecisionAnchor"].Address, abiOf("DecisionAnchor"), sender),
            new GovernanceChain(client, targets, manifest["ActionSchedule"].Address, manifest.Issuer, manifest.DeployBlock, abiOf("ActionSchedule"), abiOf("CoopIdentity"), abiOf("Constitution"), sender),
            sender);
    }
}
