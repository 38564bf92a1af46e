using System.Diagnostics;
using Iskander.Chain.Ethereum.JsonRpc;

namespace Iskander.Chain.Ethereum.Tests;

/// <summary>The JSON-RPC client against a node that misbehaves in every way we can script.</summary>
public sealed class JsonRpcClientTests
{
    // A generous call timeout: on a loaded machine a first connection can take seconds, and a timeout
    // must never stand in for the scripted answer a test expects. The stall test sets its own.
    private static readonly JsonRpcClientOptions Fast = new()
    {
        CallTimeout = TimeSpan.FromSeconds(20),
        MaxRetries = 2,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        MaxResponseBytes = 1024 * 1024,
    };

    [Fact]
    public async Task An_html_error_page_is_a_clear_transport_error()
    {
        using var node = new HostileNode().Then(_ => (200, "<!DOCTYPE html><html><body>Bad gateway</body></html>"));
        var client = new EthClient(new JsonRpcClient(node.Url, Fast));
        var error = await Assert.ThrowsAsync<RpcTransportException>(() => client.ChainIdAsync());
        Assert.Contains("not JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains("<!DOCTYPE html>", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, node.Requests);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff_then_succeed()
    {
        using var node = new HostileNode()
            .Then(_ => (503, "overloaded"))
            .Then(_ => (429, "slow down"))
            .Then(id => HostileNode.Result(id, "\"0x7a69\""));
        var client = new EthClient(new JsonRpcClient(node.Url, Fast));
        Assert.Equal(31337UL, await client.ChainIdAsync());
        Assert.Equal(3, node.Requests);
    }

    [Fact]
    public async Task Retries_give_up_after_the_limit()
    {
        using var node = new HostileNode().Then(_ => (500, "a")).Then(_ => (500, "b")).Then(_ => (500, "c")).Then(_ => (500, "d"));
        var client = new EthClient(new JsonRpcClient(node.Url, Fast));
        var error = await Assert.ThrowsAsync<RpcTransportException>(() => client.BlockNumberAsync());
        Assert.Contains("HTTP 500", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, node.Requests);
    }

    [Fact]
    public async Task A_response_with_the_wrong_id_is_refused()
    {
        using var node = new HostileNode().Then(id => HostileNode.Result(id + 7, "\"0x1\""));
        var client = new EthClient(new JsonRpcClient(node.Url, Fast));
        var error = await Assert.ThrowsAsync<RpcProtocolException>(() => client.BlockNumberAsync());
        Assert.Contains("does not belong", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("null", "returned null")]
    [InlineData("{\"a\":1}", "expected a string")]
    [InlineData("\"0x0001\"", "leading zeros")]
    [InlineData("\"12\"", "0x-prefixed")]
    public async Task Wrong_result_shapes_are_protocol_errors(string result, string reason)
    {
        using var node = new HostileNode().Then(id => HostileNode.Result(id, result));
        var client = new EthClient(new JsonRpcClient(node.Url, Fast));
        var error = await Assert.ThrowsAsync<RpcProtocolException>(() => client.BlockNumberAsync());
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_receipts_name_the_bad_field()
    {
        using var node = new HostileNode().Then(id => HostileNode.Result(id,
            """{"transactionHash":"0x12","blockHash":"0x0000000000000000000000000000000000000000000000000000000000000001","blockNumber":"0x1"}"""));
        var client = new EthClient(new JsonRpcClient(node.Url, Fast));
        var error = await Assert.ThrowsAsync<RpcProtocolException>(() => client.GetTransactionReceiptAsync(new Hash32(new byte[32])));
        Assert.Contains("transactionHash", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stalled_node_times_out_per_attempt_without_hanging()
    {
        using var node = new HostileNode()
            .ThenAfter(TimeSpan.FromMinutes(5), id => HostileNode.Result(id, "\"0x1\""))
            .ThenAfter(TimeSpan.FromMinutes(5), id => HostileNode.Result(id, "\"0x1\""))
            .ThenAfter(TimeSpan.FromMinutes(5), id => HostileNode.Result(id, "\"0x1\""));
        var client = new EthClient(new JsonRpcClient(node.Url, Fast with { CallTimeout = TimeSpan.FromSeconds(1) }));
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcTransportException>(() => client.BlockNumberAsync());
        Assert.Contains("no answer", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, node.Requests); // each attempt timed out on its own; the node never answered
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task An_oversized_response_is_refused_instead_of_buffered()
    {
        var huge = new string('a', 2 * 1024 * 1024);
        using var node = new HostileNode().Then(id => HostileNode.Result(id, $"\"{huge}\""));
        var client = new EthClient(new JsonRpcClient(node.Url, Fast));
        var error = await Assert.ThrowsAsync<RpcTransportException>(() => client.BlockNumberAsync());
        Assert.Contains("exceeds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_rpc_errors_carry_code_message_and_revert_data()
    {
        using var node = new HostileNode().Then(id => (200,
            $$$"""{"jsonrpc":"2.0","id":{{{id}}},"error":{"code":3,"message":"execution reverted","data":"0x08c379a0"}}"""));
        var client = new EthClient(new JsonRpcClient(node.Url, Fast));
        var error = await Assert.ThrowsAsync<JsonRpcErrorException>(() => client.CallAsync(new CallRequest { To = Address.Zero }));
        Assert.Equal(3, error.Code);
        Assert.Equal("execution reverted", error.RpcMessage);
        Assert.Equal(new byte[] { 0x08, 0xc3, 0x79, 0xa0 }, error.RevertData);
    }

    [Fact]
    public async Task An_unreachable_node_fails_after_retries_with_its_address()
    {
        var port = DevServices.LoopbackPort.Free();
        var client = new EthClient(new JsonRpcClient(new Uri($"http://127.0.0.1:{port}/"), Fast));
        var error = await Assert.ThrowsAsync<RpcTransportException>(() => client.ChainIdAsync());
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }
}
