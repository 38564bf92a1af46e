using System.Numerics;
using System.Security.Cryptography;
using Iskander.Chain.Anchoring;
using Iskander.Chain.Ballots.Chain;
using Iskander.Chain.Contracts;
using Iskander.Chain.DevServices;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Governance;

using Iskander.Chain.Zk.Keys;

namespace Iskander.Chain.Testing;

/// <summary>
/// A cooperative on a real anvil chain: the contracts deployed by the forge scripts, members
/// admitted and revoked the way governance does it (an anchored action leaf, the member's signed
/// consent), and a secret ballot deployed for its CoopIdentity.
/// </summary>
public sealed class CoopOnChain : IAsyncDisposable
{
    private readonly List<string> _manifests = [];

    private CoopOnChain(AnvilNode node, DeploymentManifest manifest, string manifestPath)
    {
        Node = node;
        Manifest = manifest;
        _manifests.Add(manifestPath);
        Client = new EthClient(new JsonRpcClient(node.RpcUrl));
        var deployer = new CoopDeployer(TestToolchain.Runner());
        Bridge = new TransactionSender(Client, new LocalSigner(Key(1)));
        Anchor = new Contract(Client, manifest["DecisionAnchor"].Address, deployer.Artifact(manifest, "DecisionAnchor").Abi, Bridge);
        Identity = new Contract(Client, manifest["CoopIdentity"].Address, deployer.Artifact(manifest, "CoopIdentity").Abi, Bridge);
    }

    public AnvilNode Node { get; }

    /// <summary>The cooperative's deployment manifest file.</summary>
    public string ManifestPath => _manifests[0];

    /// <summary>The manifest file of the ballot deployed last.</summary>
    public string? LastBallotManifestPath { get; private set; }

    public DeploymentManifest Manifest { get; }

    public EthClient Client { get; }

    public TransactionSender Bridge { get; }

    public Contract Anchor { get; }

    public Contract Identity { get; }

    public static async Task<CoopOnChain> StartAsync()
    {
        var node = await AnvilNode.StartAsync(TestToolchain.Create());
        var path = Path.Combine(TestToolchain.Layout.Root, "deployments", $"ballot-coop-{Guid.NewGuid():N}.json");
        var bridge = PrivateKey.FromHex(node.Accounts[1].PrivateKey).Address;
        var manifest = await new CoopDeployer(TestToolchain.Runner()).DeployAsync(node.RpcUrl, PrivateKey.FromHex(node.Accounts[0].PrivateKey), path,
            new CoopDeploymentOptions { Anchorer = bridge, Issuer = bridge });
        return new CoopOnChain(node, manifest, path);
    }

    public PrivateKey Key(int account) => PrivateKey.FromHex(Node.Accounts[account].PrivateKey);

    public TransactionSender Sender(int account) => new(Client, new LocalSigner(Key(account)));

    /// <summary>Admits the holder of dev account <paramref name="account"/> as governance does: anchored action, signed consent, give.</summary>
    public async Task<BigInteger> AdmitAsync(int account)
    {
        var member = Key(account);
        var action = new GovernanceAction(GovernanceActionKind.AdmitMember, member.Address, "member", "");
        var digest = new Hash32(RandomNumberGenerator.GetBytes(32));
        var reference = await AnchorActionAsync(action, null, digest);
        var agreement = MembershipAgreement.Create(Manifest.ChainId, Identity.Address, Manifest.Issuer, member.Address, "member", "", digest, reference);
        await Identity.SendAsync("give", [member.Address, agreement.Metadata, agreement.Sign(member)]);
        return await Identity.CallAsync<BigInteger>("tokenOf", member.Address);
    }

    /// <summary>Revokes the membership of dev account <paramref name="account"/> by an anchored decision.</summary>
    public async Task RevokeAsync(int account)
    {
        var member = Key(account).Address;
        var tokenId = await Identity.CallAsync<BigInteger>("tokenOf", member);
        var digest = new Hash32(RandomNumberGenerator.GetBytes(32));
        var reference = await AnchorActionAsync(new GovernanceAction(GovernanceActionKind.RevokeMember, member), tokenId, digest);
        await Identity.SendAsync("revoke", [tokenId, digest.ToArray(), reference.ToAbiTuple()]);
    }

    /// <summary>Dev account <paramref name="account"/> leaves the cooperative (unequips its token; no decision needed).</summary>
    public async Task LeaveAsync(int account)
    {
        var tokenId = await Identity.CallAsync<BigInteger>("tokenOf", Key(account).Address);
        await Identity.WithSender(Sender(account)).SendAsync("unequip", [tokenId]);
    }

    /// <summary>Deploys a ballot for this cooperative's members, coordinated by <paramref name="coordinator"/>, open for an hour of chain time, with <paramref name="initialCredits"/> per member.</summary>
    public async Task<(BallotManifest Manifest, MaciVotingClient Coordinator)> DeployBallotAsync(MaciPublicKey coordinator, int voteOptions, ulong initialCredits = 1)
    {
        var path = Path.Combine(TestToolchain.Layout.Root, "deployments", $"ballot-{Guid.NewGuid():N}.json");
        _manifests.Add(path);
        LastBallotManifestPath = path;
        var head = await Client.GetBlockByNumberAsync(await Client.BlockNumberAsync());
        var manifest = await new BallotDeployer(TestToolchain.Runner()).DeployAsync(Node.RpcUrl, Key(0), path,
            new BallotDeploymentOptions(Identity.Address, coordinator.Hash().ToBigInteger(), voteOptions, DateTimeOffset.FromUnixTimeSeconds((long)head!.Timestamp + 3600), initialCredits));
        var abi = ForgeArtifact.LoadAbi(Path.Combine(TestToolchain.Layout.Root, "out"), "MACIVoting.sol", "MACIVoting");
        return (manifest, new MaciVotingClient(Client, manifest.Ballot, abi, Sender(0)));
    }

    /// <summary>Moves chain time past a ballot's deadline.</summary>
    public async Task PassDeadlineAsync()
    {
        await Client.Rpc.CallAsync("evm_increaseTime", [3601]);
        await Client.Rpc.CallAsync("evm_mine", []);
    }

    private async Task<DecisionRef> AnchorActionAsync(GovernanceAction action, BigInteger? tokenId, Hash32 digest)
    {
        var leaf = ActionLeaf.Compute(Manifest.ChainId, Identity.Address, action.Kind, ActionLeaf.Params(action, tokenId), digest);
        var tree = new DecisionMerkleTree([leaf]);
        await Anchor.SendAsync("anchor", [tree.Root.ToArray(), 1UL]);
        return DecisionRef.For(tree, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        foreach (var path in _manifests) File.Delete(path);
    }
}
