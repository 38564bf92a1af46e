using System.Numerics;
using Iskander.Chain.DevServices;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Chain;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Testing;

namespace Iskander.Chain.Ethereum.Tests;

/// <summary>The chain follower on a real anvil node: confirmations, reorgs, range limits, resumption.</summary>
public sealed class ChainFollowerTests
{
    private static async Task<(AnvilNode Node, EthClient Client, Contract Probe)> StartAsync()
    {
        var node = await AnvilNode.StartAsync(TestToolchain.Create());
        var client = new EthClient(new JsonRpcClient(node.RpcUrl));
        var sender = new TransactionSender(client, new LocalSigner(PrivateKey.FromHex(node.Accounts[0].PrivateKey)));
        var artifact = ForgeArtifact.Load(Path.Combine(TestToolchain.Layout.Root, "out"), "AbiProbe.sol", "AbiProbe");
        return (node, client, await Contract.DeployAsync(sender, artifact, []));
    }

    private static Task<TransactionReceipt> AddMemberAsync(Contract probe, string name) =>
        probe.SendAsync("add", [new object?[] { Address.Zero, name, Array.Empty<object>() }, Array.Empty<byte>()]);

    [Fact]
    public async Task Logs_are_delivered_once_each_after_the_required_confirmations()
    {
        var (node, client, probe) = await StartAsync();
        await using var _ = node;
        var follower = new ChainFollower(client, new InMemoryChainCursorStore(), new FollowerOptions { Confirmations = 2, Addresses = [probe.Address] });

        var first = await AddMemberAsync(probe, "one");
        var second = await AddMemberAsync(probe, "two");
        await client.Rpc.CallAsync("evm_mine", []);
        var step = await follower.PollAsync();
        Assert.Equal(second.BlockNumber + 1, step.Head);
        Assert.Equal([first.TransactionHash], step.Logs.Select(l => l.TransactionHash).Distinct());

        await client.Rpc.CallAsync("evm_mine", []);
        step = await follower.PollAsync();
        Assert.Equal([second.TransactionHash], step.Logs.Select(l => l.TransactionHash).Distinct());
        Assert.Empty((await follower.PollAsync()).Logs);
    }

    [Fact]
    public async Task A_reorg_is_reported_with_its_fork_point_and_the_new_branch_is_followed()
    {
        var (node, client, probe) = await StartAsync();
        await using var _ = node;
        var store = new InMemoryChainCursorStore();
        var follower = new ChainFollower(client, store, new FollowerOptions { Addresses = [probe.Address] });
        for (var i = 0; i < 4; i++) await AddMemberAsync(probe, $"member {i}");
        var before = await follower.PollAsync();
        Assert.Equal(4, before.Logs.Count);
        var head = before.Head;

        await client.Rpc.CallAsync("anvil_reorg", [3, Array.Empty<object>()]);
        var after = await follower.PollAsync();
        Assert.Equal(new ReorgInfo(head - 3, 3), after.Reorg);
        Assert.Equal(head, after.ProcessedUpTo);
        Assert.Empty(after.Logs); // the replacement blocks carry none of the dropped transactions

        var stored = await store.LoadRecentAsync(1, default);
        Assert.Equal((await client.GetBlockByNumberAsync(head))!.Hash, stored[0].Hash);
    }

    [Fact]
    public async Task A_reorg_deeper_than_the_bound_stops_the_follower()
    {
        var (node, client, _) = await StartAsync();
        await using var __ = node;
        await client.Rpc.CallAsync("anvil_mine", ["0x8"]);
        var follower = new ChainFollower(client, new InMemoryChainCursorStore(), new FollowerOptions { MaxReorgDepth = 2 });
        await follower.PollAsync();
        await client.Rpc.CallAsync("anvil_reorg", [5, Array.Empty<object>()]);
        await Assert.ThrowsAsync<ReorgTooDeepException>(() => follower.PollAsync());
    }

    [Fact]
    public async Task Refused_log_ranges_shrink_until_the_node_accepts_them()
    {
        var (node, client, probe) = await StartAsync();
        await using var _ = node;
        for (var i = 0; i < 3; i++)
        {
            await AddMemberAsync(probe, $"m{i}");
            await client.Rpc.CallAsync("anvil_mine", ["0x7"]);
        }

        using var proxy = new RangeLimitingProxy(node.RpcUrl, maxRange: 5);
        var limited = new EthClient(new JsonRpcClient(proxy.Url));
        var follower = new ChainFollower(limited, new InMemoryChainCursorStore(), new FollowerOptions { Addresses = [probe.Address], InitialLogRange = 1000 });
        var step = await follower.PollAsync();
        Assert.Equal(3, step.Logs.Count);
        Assert.True(proxy.Refusals > 0);
        Assert.True(follower.LogRange <= 5, $"range {follower.LogRange}");
    }

    [Fact]
    public async Task A_new_follower_on_the_same_store_resumes_without_redelivering()
    {
        var (node, client, probe) = await StartAsync();
        await using var _ = node;
        var store = new InMemoryChainCursorStore();
        await AddMemberAsync(probe, "before restart");
        Assert.Single((await new ChainFollower(client, store, new FollowerOptions { Addresses = [probe.Address] }).PollAsync()).Logs);

        var receipt = await AddMemberAsync(probe, "after restart");
        var resumed = await new ChainFollower(client, store, new FollowerOptions { Addresses = [probe.Address] }).PollAsync();
        Assert.Equal(receipt.TransactionHash, Assert.Single(resumed.Logs).TransactionHash);
        Assert.Equal(new BigInteger(1), (BigInteger)probe.Abi.Event("MemberAdded").Decode(resumed.Logs[0].Topics, resumed.Logs[0].Data)["index"]!);
    }
}
