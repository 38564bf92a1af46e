using System.Numerics;
using System.Security.Cryptography;
using Iskander.Chain.Anchoring;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Governance;
using Iskander.Chain.Host;
using Iskander.Chain.Testing;
using Serilog;

namespace Iskander.Chain.Cli.Tests;

/// <summary><c>iskander-chain watch --once</c> as a real process against a cooperative on a real anvil whose anchoring key schedules actions no record orders.</summary>
public sealed class WatchCommandTests
{
    // The anchoring key alone anchors and schedules a revocation of dev account `account` that no decision ordered.
    private static async Task<Hash32> FabricateRevocationAsync(CoopOnChain coop, int account)
    {
        var member = coop.Key(account).Address;
        var tokenId = await coop.Identity.CallAsync<BigInteger>("tokenOf", member);
        var action = new GovernanceAction(GovernanceActionKind.RevokeMember, member);
        var parameters = ActionLeaf.Params(action, tokenId);
        var digest = new Hash32(RandomNumberGenerator.GetBytes(32));
        var actionId = ActionLeaf.Id(coop.Manifest.ChainId, coop.Identity.Address, action.Kind, parameters, digest);
        var poll = ActionLeaf.PollId($"forged/{digest}");
        var tree = new DecisionMerkleTree([ActionLeaf.Compute(actionId, poll, 1)]);
        await coop.Anchor.SendAsync("anchor", [tree.Root.ToArray(), 1UL]);
        await coop.Schedule.SendAsync("schedule", [coop.Identity.Address, action.Kind.OnChainKind().ToArray(), parameters, digest.ToArray(), poll.ToArray(), 1UL, DecisionRef.For(tree, 0).ToAbiTuple()]);
        return actionId;
    }

    private static string[] Lines(string output, string prefix) => output.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task Once_alarms_with_exit_code_1_vetoes_with_the_members_key_and_resumes_without_repeating_a_line()
    {
        await using var coop = await CoopOnChain.StartAsync();
        using var files = new TempDirectory();
        // A gateway that has no record at all: every action's record is missing.
        await using var gateway = await BridgeWebHost.StartAsync(new BridgeWebHostOptions { Listen = "http://127.0.0.1:0", ContentStore = new EmbeddedContentStore(files.Combine("empty")) },
            new LoggerConfiguration().CreateLogger());
        await coop.AdmitAsync(2); // the test cooperative admits by bare leaves, with no record either: executed, too late to veto
        var revocation = await FabricateRevocationAsync(coop, 2);
        for (var i = 0; i < 2; i++) await coop.Client.Rpc.CallAsync("evm_mine", []);
        string[] watch = ["watch", "--once", "--rpc", coop.Node.RpcUrl.ToString(), "--deployment", coop.ManifestPath, "--gateway", gateway.Address.ToString(), "--data-dir", files.Path];
        var member = new Dictionary<string, string> { ["ISKANDER_MEMBER_KEY"] = coop.Node.Accounts[2].PrivateKey };

        // Nothing is trusted from the bridge: without the deployment, nothing runs.
        var (unnamed, refusal) = await CliProcess.RunAsync(["watch", "--once", "--rpc", coop.Node.RpcUrl.ToString()], new Dictionary<string, string> { ["ISKANDER_DEPLOYMENT"] = "" });
        Assert.True(unnamed == 2, refusal);
        Assert.Contains("name the cooperative's deployment you trust", refusal, StringComparison.Ordinal);

        // The only member's watchtower (quorum 1) raises both alarms and vetoes the revocation alone.
        var (exit, output) = await CliProcess.RunAsync(watch, member);
        Assert.True(exit == 1, output);
        Assert.Equal(2, Lines(output, "ALARM ").Length);
        Assert.Contains(Lines(output, "ALARM "), l => l.StartsWith($"ALARM {revocation} revoke-member {coop.Key(2).Address.ToChecksumString()}", StringComparison.Ordinal)
                                                     && l.Contains("is not published (no content source has it)", StringComparison.Ordinal));
        Assert.Contains("can no longer be vetoed (executed)", output, StringComparison.Ordinal);
        Assert.Contains($"VETOED {revocation}: submitted with 1 member signature(s) (quorum 1); it can never run", output, StringComparison.Ordinal);
        Assert.Contains("0 passed, 2 alarm(s), 1 veto(es) submitted", output, StringComparison.Ordinal);
        Assert.Equal(4, await coop.Schedule.CallAsync<BigInteger>("statusOf", revocation.ToArray())); // Vetoed
        Assert.True(await coop.Identity.CallAsync<bool>("isMember", coop.Key(2).Address));

        // Restarted: the cursor resumes; nothing is repeated and the exit code is clean.
        var (again, resumed) = await CliProcess.RunAsync(watch, member);
        Assert.True(again == 0, resumed);
        Assert.Empty(Lines(resumed, "ALARM "));
        Assert.Contains("0 passed, 0 alarm(s), 0 veto(es) submitted", resumed, StringComparison.Ordinal);

        // A later fabrication is the only thing the next run reports; without a key it is only an alarm.
        var later = await FabricateRevocationAsync(coop, 2);
        for (var i = 0; i < 2; i++) await coop.Client.Rpc.CallAsync("evm_mine", []);
        var (third, next) = await CliProcess.RunAsync(watch, new Dictionary<string, string> { ["ISKANDER_MEMBER_KEY"] = "" });
        Assert.True(third == 1, next);
        Assert.StartsWith($"ALARM {later} ", Assert.Single(Lines(next, "ALARM ")), StringComparison.Ordinal);
        Assert.Contains("no member key: alarms only", next, StringComparison.Ordinal);
        Assert.Equal(1, await coop.Schedule.CallAsync<BigInteger>("statusOf", later.ToArray())); // still Pending
    }

    [Fact]
    public async Task The_read_token_goes_to_the_gateways_so_members_can_read_private_records()
    {
        const string Token = "watchreadtoken0123456789abcdef0123456789";
        await using var coop = await CoopOnChain.StartAsync();
        using var files = new TempDirectory();
        // A gateway that notes the credentials it is sent, and holds nothing.
        var port = FreePort();
        using var gateway = new System.Net.HttpListener { Prefixes = { $"http://127.0.0.1:{port}/" } };
        gateway.Start();
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var serving = Task.Run(async () =>
        {
            while (gateway.IsListening)
            {
                System.Net.HttpListenerContext context;
                try
                {
                    context = await gateway.GetContextAsync();
                }
                catch (Exception ex) when (ex is System.Net.HttpListenerException or ObjectDisposedException)
                {
                    return; // stopped
                }

                seen.Enqueue($"{context.Request.Url!.AbsolutePath} {context.Request.Headers["Authorization"]}");
                context.Response.StatusCode = 404;
                context.Response.Close();
            }
        });
        var revocation = await FabricateRevocationAsync(coop, 2);
        for (var i = 0; i < 2; i++) await coop.Client.Rpc.CallAsync("evm_mine", []);

        var (exit, output) = await CliProcess.RunAsync(
            ["watch", "--once", "--rpc", coop.Node.RpcUrl.ToString(), "--deployment", coop.ManifestPath, "--gateway", $"http://127.0.0.1:{port}/", "--data-dir", files.Path],
            new Dictionary<string, string> { ["ISKANDER_READ_TOKEN"] = Token, ["ISKANDER_MEMBER_KEY"] = "" });
        gateway.Stop();
        await serving;
        Assert.True(exit == 1, output); // the record is nowhere: an alarm
        Assert.Contains($"ALARM {revocation} ", output, StringComparison.Ordinal);
        var request = Assert.Single(seen);
        Assert.StartsWith("/ipfs/", request, StringComparison.Ordinal);
        Assert.EndsWith($" Bearer {Token}", request, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }
}
