using System.Numerics;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Testing;
using Xunit.Abstractions;

namespace Iskander.Chain.Anchoring.Tests;

/// <summary>Batches built in C# anchored through the forge-built DecisionAnchor on a real anvil node.</summary>
public sealed class DecisionAnchorContractTests(AnvilFixture anvil, ITestOutputHelper output) : IClassFixture<AnvilFixture>
{
    private async Task<(Contract AsAnchorer, Contract AsDeployer, EthClient Client)> DeployAsync()
    {
        var client = new EthClient(new JsonRpcClient(anvil.Node.RpcUrl));
        var deployer = new TransactionSender(client, new LocalSigner(PrivateKey.FromHex(anvil.Node.Accounts[0].PrivateKey)));
        var anchorer = new TransactionSender(client, new LocalSigner(PrivateKey.FromHex(anvil.Node.Accounts[1].PrivateKey)));
        var artifact = ForgeArtifact.Load(Path.Combine(TestToolchain.Layout.Root, "out"), "DecisionAnchor.sol", "DecisionAnchor");
        var deployed = await Contract.DeployAsync(deployer, artifact, [anchorer.Account]);
        return (deployed.WithSender(anchorer), deployed, client);
    }

    private static DecisionMerkleTree Batch(int size, string salt) =>
        new(Enumerable.Range(0, size).Select(i => DecisionLeaf.FromRecord(System.Text.Encoding.UTF8.GetBytes($"{salt} {i}"))).ToList());

    [Fact]
    public async Task A_batch_built_here_is_anchored_and_every_sampled_citation_verifies_on_chain()
    {
        var (anchor, _, _) = await DeployAsync();
        var tree = Batch(100, "coop");
        var receipt = await anchor.SendAsync("anchor", [tree.Root.ToArray(), (ulong)tree.Size]);
        var anchored = Assert.Single(anchor.DecodeEvents(receipt));
        Assert.Equal(BigInteger.One, anchored["sequence"]);
        Assert.Equal(tree.Root.ToArray(), anchored["root"]);

        foreach (var index in new[] { 0, 1, 37, 63, 64, 99 })
        {
            var citation = DecisionRef.For(tree, index);
            Assert.True(await anchor.CallAsync<bool>("verifyInclusion", [citation.ToAbiTuple()]), $"leaf {index}");
            var moved = citation with { Index = (ulong)((index + 1) % 100) };
            Assert.False(await anchor.CallAsync<bool>("verifyInclusion", [moved.ToAbiTuple()]), $"leaf {index} at another index");
        }

        Assert.Equal(DecisionLeaf.FromDigest(new Hash32(new byte[32])).ToArray(),
            await anchor.CallAsync<byte[]>("decisionLeaf", [new byte[32]]));
    }

    [Fact]
    public async Task Re_anchoring_a_root_reverts_with_an_error_the_bridge_can_recognise()
    {
        var (anchor, _, _) = await DeployAsync();
        var tree = Batch(3, "twice");
        await anchor.SendAsync("anchor", [tree.Root.ToArray(), 3UL]);
        var error = await Assert.ThrowsAsync<ContractRevertException>(() => anchor.SendAsync("anchor", [tree.Root.ToArray(), 3UL]));
        Assert.Equal("RootAlreadyAnchored", error.ErrorName);
        Assert.Equal(BigInteger.One, error.Revert.Arguments[1]);
    }

    [Fact]
    public async Task The_deployer_key_cannot_anchor()
    {
        var (_, asDeployer, _) = await DeployAsync();
        var error = await Assert.ThrowsAsync<ContractRevertException>(() => asDeployer.SendAsync("anchor", [Batch(1, "deployer").Root.ToArray(), 1UL]));
        Assert.Equal("NotAnchorer", error.ErrorName);
    }

    [Fact]
    public async Task Anchor_execution_gas_is_the_same_for_1_100_and_10000_leaves()
    {
        var (anchor, _, _) = await DeployAsync();
        await anchor.SendAsync("anchor", [Batch(1, "warm-up").Root.ToArray(), 1UL]); // the first batch also initialises the counter
        var execution = new Dictionary<int, ulong>();
        foreach (var size in new[] { 1, 100, 10_000 })
        {
            var root = Batch(size, "gas").Root;
            var receipt = await anchor.SendAsync("anchor", [root.ToArray(), (ulong)size]);
            // Only the calldata bytes may differ (a zero byte costs 4 gas, any other 16).
            var callData = anchor.Abi.Function("anchor").EncodeCall(root.ToArray(), (ulong)size);
            var calldataGas = (ulong)callData.Sum(b => b == 0 ? 4 : 16);
            execution[size] = receipt.GasUsed - calldataGas;
            output.WriteLine($"anchor at {size} leaves: {receipt.GasUsed} gas ({calldataGas} of it calldata)");
        }

        Assert.Equal(execution[1], execution[100]);
        Assert.Equal(execution[1], execution[10_000]);
    }
}
