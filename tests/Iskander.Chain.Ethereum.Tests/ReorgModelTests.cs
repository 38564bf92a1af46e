using Iskander.Chain.Ethereum.Chain;
using Iskander.Chain.Ethereum.JsonRpc;

namespace Iskander.Chain.Ethereum.Tests;

/// <summary>When a block counts as final: the deeper of the node's <c>finalized</c> block and the model's depth.</summary>
public sealed class ReorgModelTests
{
    private static (int, string) Finalized(long id, ulong number) => HostileNode.Result(id,
        $$"""{"number":"0x{{number:x}}","hash":"0x{{new string('1', 64)}}","parentHash":"0x{{new string('2', 64)}}","timestamp":"0x1"}""");

    [Fact]
    public async Task A_node_without_the_finalized_tag_leaves_depth_alone_to_decide()
    {
        using var node = new HostileNode().Then(id => (200, $$$"""{"jsonrpc":"2.0","id":{{{id}}},"error":{"code":-32602,"message":"unknown block tag finalized"}}"""));
        var client = new EthClient(new JsonRpcClient(node.Url));
        Assert.Equal(1_000UL - ReorgModel.DefaultMaxDepth, await new ReorgModel().FinalBoundaryAsync(client, 1_000));
    }

    [Fact]
    public async Task A_finalized_tag_lagging_more_than_the_depth_keeps_blocks_above_it_open()
    {
        using var node = new HostileNode().Then(id => Finalized(id, 400));
        var client = new EthClient(new JsonRpcClient(node.Url));
        Assert.Equal(400UL, await new ReorgModel().FinalBoundaryAsync(client, 1_000)); // a rollup: final only far below
    }

    [Fact]
    public async Task A_finalized_tag_near_the_head_does_not_shorten_the_depth()
    {
        using var node = new HostileNode().Then(id => Finalized(id, 936));
        var client = new EthClient(new JsonRpcClient(node.Url));
        Assert.Equal(872UL, await new ReorgModel().FinalBoundaryAsync(client, 1_000)); // anvil says head − 64; a reorg can still cross it
    }

    [Fact]
    public async Task Nothing_is_final_on_a_chain_shorter_than_the_depth()
    {
        using var node = new HostileNode().Then(id => Finalized(id, 0));
        var client = new EthClient(new JsonRpcClient(node.Url));
        Assert.Equal(0UL, await new ReorgModel().FinalBoundaryAsync(client, 100));
    }
}
