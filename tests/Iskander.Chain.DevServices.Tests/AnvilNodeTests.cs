using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Iskander.Chain.DevServices;
using Iskander.Chain.Testing;
using Iskander.Chain.Toolchain;

namespace Iskander.Chain.DevServices.Tests;

public sealed class AnvilNodeTests
{
    [Fact]
    public async Task Anvil_starts_answers_chain_id_31337_and_stops()
    {
        var node = await AnvilNode.StartAsync(TestToolchain.Create());
        Assert.Equal(31337UL, await RpcProbe.TryChainIdAsync(node.RpcUrl));
        Assert.Equal("127.0.0.1", node.RpcUrl.Host);
        Assert.Equal(10, node.Accounts.Count);
        // anvil's public dev account 0 for the default mnemonic.
        Assert.Equal("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", node.Accounts[0].Address);
        Assert.Equal("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", node.Accounts[0].PrivateKey);
        Assert.DoesNotContain(node.Accounts[0].PrivateKey, node.Accounts[0].ToString(), StringComparison.Ordinal);

        await node.DisposeAsync();
        Assert.False(node.IsRunning);
        Assert.Null(await RpcProbe.TryChainIdAsync(node.RpcUrl));
    }

    [Fact]
    public async Task Two_nodes_run_side_by_side_with_independent_chains()
    {
        await using var first = await AnvilNode.StartAsync(TestToolchain.Create());
        await using var second = await AnvilNode.StartAsync(TestToolchain.Create(), new AnvilOptions { ChainId = 1337, Accounts = 3 });

        Assert.NotEqual(first.Port, second.Port);
        Assert.Equal(31337UL, await RpcProbe.TryChainIdAsync(first.RpcUrl));
        Assert.Equal(1337UL, await RpcProbe.TryChainIdAsync(second.RpcUrl));
        Assert.Equal(3, second.Accounts.Count);

        await MineAsync(first.RpcUrl, blocks: 5);
        Assert.Equal(5UL, await RpcProbe.TryBlockNumberAsync(first.RpcUrl));
        Assert.Equal(0UL, await RpcProbe.TryBlockNumberAsync(second.RpcUrl));
    }

    [Fact]
    public async Task Interval_mining_produces_blocks_without_transactions()
    {
        await using var node = await AnvilNode.StartAsync(TestToolchain.Create(), new AnvilOptions { BlockTime = 1 });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await RpcProbe.TryBlockNumberAsync(node.RpcUrl, timeout.Token) < 2)
        {
            await Task.Delay(200, timeout.Token);
        }
    }

    [Fact]
    public async Task State_file_keeps_the_chain_across_restarts()
    {
        using var directory = new TempDirectory();
        var options = new AnvilOptions { StateFile = directory.Combine("state.json") };
        await using (var node = await AnvilNode.StartAsync(TestToolchain.Create(), options))
        {
            await MineAsync(node.RpcUrl, blocks: 7);
        }

        // Stopped, the node leaves its state and nothing else (no pid file, no accounts file).
        Assert.Equal(["state.json"], Directory.GetFileSystemEntries(directory.Path).Select(Path.GetFileName));

        await using var restarted = await AnvilNode.StartAsync(TestToolchain.Create(), options);
        Assert.Equal(7UL, await RpcProbe.TryBlockNumberAsync(restarted.RpcUrl));
        Assert.True(File.Exists(directory.Combine("state.json.accounts.json")), "a node on a state file writes its accounts beside it, not in the shared temporary folder");
    }

    [Fact]
    public async Task Block_0_stays_the_chains_own_genesis_over_many_restarts()
    {
        using var directory = new TempDirectory();
        var options = new AnvilOptions { StateFile = directory.Combine("state.json") };
        string genesis;
        await using (var first = await AnvilNode.StartAsync(TestToolchain.Create(), options))
        {
            genesis = await BlockHashAsync(first.RpcUrl, 0);
            await MineAsync(first.RpcUrl, blocks: 3);
        }

        for (var restart = 1; restart <= 6; restart++)
        {
            // Later timestamps for anvil's own genesis at each start: a copy made in the same second would be the same block.
            await Task.Delay(TimeSpan.FromSeconds(1.1));
            await using var node = await AnvilNode.StartAsync(TestToolchain.Create(), options);
            Assert.Equal((restart, genesis), (restart, await BlockHashAsync(node.RpcUrl, 0)));
            Assert.Equal(await BlockHashAsync(node.RpcUrl, 0), await ParentHashAsync(node.RpcUrl, 1));
            await MineAsync(node.RpcUrl, blocks: 1);
        }

        // Why the repair is needed: the state anvil saved holds its own genesis beside the chain's.
        Assert.Equal(2, GenesisCount(directory.Combine("state.json")));
    }

    [Fact]
    public void Later_copies_of_the_genesis_are_removed_and_the_earliest_kept()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("state.json");
        static string Block(int number, int timestamp) => $$"""{"header":{"number":"0x{{number:x}}","timestamp":"0x{{timestamp:x}}","stateRoot":"0xab"},"transactions":[]}""";
        File.WriteAllText(path, $$"""{"block":{"number":"0x1"},"blocks":[{{Block(0, 0x20)}},{{Block(1, 0x12)}},{{Block(0, 0x10)}},{{Block(0, 0x30)}}],"best_block_number":"0x1"}""");

        Assert.Equal(2, AnvilStateFile.RemoveLaterGeneses(path));
        var blocks = JsonNode.Parse(File.ReadAllText(path))!["blocks"]!.AsArray().Select(b => (b!["header"]!["number"]!.GetValue<string>(), b["header"]!["timestamp"]!.GetValue<string>()));
        Assert.Equal([("0x1", "0x12"), ("0x0", "0x10")], blocks);
        Assert.Equal("0x1", JsonNode.Parse(File.ReadAllText(path))!["best_block_number"]!.GetValue<string>());

        // One genesis: the file is left as it is.
        var before = File.GetLastWriteTimeUtc(path);
        var text = File.ReadAllText(path);
        Assert.Equal(0, AnvilStateFile.RemoveLaterGeneses(path));
        Assert.Equal((text, before), (File.ReadAllText(path), File.GetLastWriteTimeUtc(path)));

        File.WriteAllText(path, "{\"blocks\":[{\"header\":{\"number\":7}}]}");
        var error = Assert.Throws<DevServiceException>(() => AnvilStateFile.RemoveLaterGeneses(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        File.WriteAllText(path, "not json");
        Assert.Contains("is not an anvil state file", Assert.Throws<DevServiceException>(() => AnvilStateFile.RemoveLaterGeneses(path)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 0.01, 1)]
    [InlineData(1, 0.2, 4)]
    [InlineData(1, 10, 60)]
    [InlineData(90, 0.01, 90)]
    public void Saves_space_out_as_they_take_longer_but_never_beyond_a_minute(double configured, double lastSave, double expected) =>
        Assert.Equal(TimeSpan.FromSeconds(expected), AnvilNode.NextSaveDelay(TimeSpan.FromSeconds(configured), TimeSpan.FromSeconds(lastSave)));

    [Fact]
    public async Task A_missing_anvil_binary_fails_with_a_hint()
    {
        var toolchain = TestToolchain.Create(new Dictionary<Tool, string> { [Tool.Anvil] = "/nonexistent/anvil" });
        var error = await Assert.ThrowsAsync<ToolNotFoundException>(() => AnvilNode.StartAsync(toolchain));
        Assert.Equal("/nonexistent/anvil", error.SearchedPath);
        Assert.Contains("scripts/bootstrap", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_already_serving_another_chain_is_reported()
    {
        await using var first = await AnvilNode.StartAsync(TestToolchain.Create(), new AnvilOptions { ChainId = 5 });
        var error = await Assert.ThrowsAsync<DevServiceException>(() =>
            AnvilNode.StartAsync(TestToolchain.Create(), new AnvilOptions { Port = first.Port, StartTimeout = TimeSpan.FromSeconds(10) }));
        Assert.True(
            error.Message.Contains("Address already in use", StringComparison.Ordinal) || error.Message.Contains("chain id 5", StringComparison.Ordinal),
            error.Message);
    }

    private static int GenesisCount(string stateFile) =>
        JsonNode.Parse(File.ReadAllText(stateFile))!["blocks"]!.AsArray().Count(b => b!["header"]!["number"]!.GetValue<string>() == "0x0");

    private static async Task<string> BlockHashAsync(Uri rpcUrl, int number) => (await BlockAsync(rpcUrl, number))["hash"]!.GetValue<string>();

    private static async Task<string> ParentHashAsync(Uri rpcUrl, int number) => (await BlockAsync(rpcUrl, number))["parentHash"]!.GetValue<string>();

    private static async Task<JsonNode> BlockAsync(Uri rpcUrl, int number)
    {
        using var http = new HttpClient();
        var request = new { jsonrpc = "2.0", id = 1, method = "eth_getBlockByNumber", @params = new object[] { $"0x{number:x}", false } };
        using var response = await http.PostAsJsonAsync(rpcUrl, request);
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!["result"]!;
    }

    private static async Task MineAsync(Uri rpcUrl, int blocks)
    {
        using var http = new HttpClient();
        var request = new { jsonrpc = "2.0", id = 1, method = "anvil_mine", @params = new object[] { $"0x{blocks:x}" } };
        using var response = await http.PostAsJsonAsync(rpcUrl, request);
        response.EnsureSuccessStatusCode();
    }
}
