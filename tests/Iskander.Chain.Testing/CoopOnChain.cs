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
        Schedule = new Contract(Client, manifest["ActionSchedule"].Address, deployer.Artifact(manifest, "ActionSchedule").Abi, Bridge);
    }

    /// <summary>The notice of this test cooperative's schedule (a development chain allows seconds).</summary>
    public static readonly TimeSpan Notice = TimeSpan.FromSeconds(60);

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

    public Contract Schedule { get; }

    public static async Task<CoopOnChain> StartAsync()
    {
        var node = await AnvilNode.StartAsync(TestToolchain.Create());
        var path = Path.Combine(TestToolchain.Layout.Root, "deployments", $"ballot-coop-{Guid.NewGuid():N}.json");
        var bridge = PrivateKey.FromHex(node.Accounts[1].PrivateKey).Address;
        var manifest = await new CoopDeployer(TestToolchain.Runner()).DeployAsync(node.RpcUrl, PrivateKey.FromHex(node.Accounts[0].PrivateKey), path,
            new CoopDeploymentOptions { Anchorer = bridge, Issuer = bridge, NoticePeriod = Notice });
        return new CoopOnChain(node, manifest, path);
    }

    public PrivateKey Key(int account) => PrivateKey.FromHex(Node.Accounts[account].PrivateKey);

    public TransactionSender Sender(int account) => new(Client, new LocalSigner(Key(account)));

    /// <summary>Admits the holder of dev account <paramref name="account"/> as governance does: anchored and scheduled action, notice, signed consent, give.</summary>
    public async Task<BigInteger> AdmitAsync(int account)
    {
        var member = Key(account);
        var action = new GovernanceAction(GovernanceActionKind.AdmitMember, member.Address, "member", "");
        var digest = new Hash32(RandomNumberGenerator.GetBytes(32));
        await ScheduleAsync(action, null, digest);
        var agreement = MembershipAgreement.Create(Manifest.ChainId, Identity.Address, Manifest.Issuer, member.Address, "member", "", digest);
        await Identity.SendAsync("give", [member.Address, agreement.Metadata, agreement.Sign(member)]);
        return await Identity.CallAsync<BigInteger>("tokenOf", member.Address);
    }

    /// <summary>Revokes the membership of dev account <paramref name="account"/> by an anchored decision.</summary>
    public async Task RevokeAsync(int account)
    {
        var member = Key(account).Address;
        var tokenId = await Identity.CallAsync<BigInteger>("tokenOf", member);
        var digest = new Hash32(RandomNumberGenerator.GetBytes(32));
        await ScheduleAsync(new GovernanceAction(GovernanceActionKind.RevokeMember, member), tokenId, digest);
        await Identity.SendAsync("revoke", [tokenId, digest.ToArray()]);
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
    public Task PassDeadlineAsync() => AdvanceAsync(TimeSpan.FromSeconds(3601));

    /// <summary>Moves chain time forward by <paramref name="time"/> and mines a block.</summary>
    public async Task AdvanceAsync(TimeSpan time)
    {
        await Client.Rpc.CallAsync("evm_increaseTime", [(long)time.TotalSeconds]);
        await Client.Rpc.CallAsync("evm_mine", []);
    }

    /// <summary>
    /// Anchors the leaf of <paramref name="action"/> ordered by the record with <paramref name="digest"/> (its own poll,
    /// version 1), schedules it on the ActionSchedule, and lets the notice pass unless <paramref name="passNotice"/> is false.
    /// </summary>
    /// <returns>The action's on-chain id and its leaf.</returns>
    public async Task<(Hash32 ActionId, Hash32 Leaf)> ScheduleAsync(GovernanceAction action, BigInteger? tokenId, Hash32 digest, bool passNotice = true)
    {
        var parameters = ActionLeaf.Params(action, tokenId);
        var poll = ActionLeaf.PollId($"test/{digest}");
        var actionId = ActionLeaf.Id(Manifest.ChainId, Identity.Address, action.Kind, parameters, digest);
        var leaf = ActionLeaf.Compute(actionId, poll, 1);
        var tree = new DecisionMerkleTree([leaf]);
        await Anchor.SendAsync("anchor", [tree.Root.ToArray(), 1UL]);
        await Schedule.SendAsync("schedule", [Identity.Address, action.Kind.OnChainKind().ToArray(), parameters, digest.ToArray(), poll.ToArray(), 1UL, DecisionRef.For(tree, 0).ToAbiTuple()]);
        if (passNotice) await AdvanceAsync(Notice);
        return (actionId, leaf);
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        foreach (var path in _manifests) File.Delete(path);
    }
}
