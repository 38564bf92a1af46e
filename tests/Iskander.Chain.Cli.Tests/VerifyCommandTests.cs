using System.Text.Json.Nodes;
using Iskander.Chain.Anchoring;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Content;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Testing;

namespace Iskander.Chain.Cli.Tests;

/// <summary>
/// <c>iskander-chain verify</c> as a real process against a cooperative deployed on a real anvil: the
/// DecisionAnchor is the one the verifier names (<c>--anchor</c>, a manifest), never the bundle's.
/// </summary>
public sealed class VerifyCommandTests
{
    [Fact]
    public async Task A_bundle_naming_its_own_DecisionAnchor_fails_against_the_cooperatives_and_never_passes_without_one()
    {
        await using var coop = await CoopOnChain.StartAsync();
        // The attacker deploys a DecisionAnchor of the genuine build, with itself as anchorer,
        // anchors a fabricated record there and points the bundle at it: every link of its own chain holds.
        var attacker = coop.Sender(5);
        var own = await Contract.DeployAsync(attacker, ForgeArtifact.Load(Path.Combine(TestToolchain.Layout.Root, "out"), "DecisionAnchor.sol", "DecisionAnchor"),
            [attacker.Account]);
        using var files = new TempDirectory();
        var forged = await AnchoredBundleAsync(coop, own, "revoke-member " + coop.Key(2).Address.ToChecksumString(), files.Combine("forged.json"));
        var real = coop.Manifest["DecisionAnchor"].Address;
        var rpc = coop.Node.RpcUrl.ToString();
        var noSetting = new Dictionary<string, string> { ["ISKANDER_DEPLOYMENT"] = "" };

        // Without a trusted anchor the content links are checked, the chain links never pass (the forgery
        // would pass every link against its own contract).
        var (untrustedExit, untrusted) = await CliProcess.RunAsync(["verify", forged, "--rpc", rpc, "--confirmations", "1"], noSetting);
        Assert.True(untrustedExit == 1, untrusted);
        Assert.Contains("PASS        bytes → CID", untrusted, StringComparison.Ordinal);
        Assert.Contains("UNRESOLVED  leaf → root", untrusted, StringComparison.Ordinal);
        Assert.Contains("UNRESOLVED  root → chain", untrusted, StringComparison.Ordinal);
        Assert.Contains($"UNRESOLVED  anchor → cooperative: the bundle names DecisionAnchor {own.Address} on chain {coop.Manifest.ChainId}, which it cannot vouch for itself: pass --anchor ADDRESS or --deployment FILE",
            untrusted, StringComparison.Ordinal);
        Assert.Equal(2, untrusted.Split('\n').Count(l => l.TrimStart().StartsWith("PASS", StringComparison.Ordinal)));

        // With the cooperative's anchor named by the verifier, the forgery fails and says why.
        foreach (var (trust, environment, source) in new (string[], Dictionary<string, string>, string)[]
                 {
                     (["--anchor", real.ToString()], noSetting, "--anchor"),
                     (["--deployment", coop.ManifestPath], noSetting, $"deployment {coop.ManifestPath}"),
                     ([], new() { ["ISKANDER_DEPLOYMENT"] = coop.ManifestPath }, $"deployment {coop.ManifestPath}"),
                 })
        {
            var (exit, output) = await CliProcess.RunAsync(["verify", forged, "--rpc", rpc, "--confirmations", "1", .. trust], environment);
            Assert.True(exit == 1, output);
            Assert.Contains($"checked against DecisionAnchor {real} on chain {coop.Manifest.ChainId} ({source})", output, StringComparison.Ordinal);
            Assert.Contains($"FAIL        anchor → cooperative: the bundle names DecisionAnchor {own.Address} on chain {coop.Manifest.ChainId}; the cooperative's ({source}) is {real} on chain {coop.Manifest.ChainId}",
                output, StringComparison.Ordinal);
            Assert.Contains("FAIL        root → chain: DecisionAnchor does not hold root", output, StringComparison.Ordinal);
        }

        // The genuine anchor named on another chain is no better.
        var honest = await AnchoredBundleAsync(coop, coop.Anchor, "admit-member", files.Combine("honest.json"));
        var elsewhere = JsonNode.Parse(await File.ReadAllTextAsync(honest))!;
        elsewhere["chainId"] = 1;
        await File.WriteAllTextAsync(files.Combine("elsewhere.json"), elsewhere.ToJsonString());
        var (elsewhereExit, elsewhereOutput) = await CliProcess.RunAsync(["verify", files.Combine("elsewhere.json"), "--rpc", rpc, "--confirmations", "1", "--anchor", real.ToString()], noSetting);
        Assert.True(elsewhereExit == 1, elsewhereOutput);
        Assert.Contains($"FAIL        anchor → cooperative: the bundle names DecisionAnchor {real} on chain 1; the cooperative's (--anchor) is {real} on chain {coop.Manifest.ChainId}",
            elsewhereOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_honest_bundle_passes_against_the_cooperatives_anchor_named_by_flag_or_manifest_and_bad_trust_input_is_refused()
    {
        await using var coop = await CoopOnChain.StartAsync();
        using var files = new TempDirectory();
        var honest = await AnchoredBundleAsync(coop, coop.Anchor, "admit-member", files.Combine("honest.json"));
        var real = coop.Manifest["DecisionAnchor"].Address;
        var rpc = coop.Node.RpcUrl.ToString();
        var noSetting = new Dictionary<string, string> { ["ISKANDER_DEPLOYMENT"] = "" };
        foreach (var (trust, environment, source) in new (string[], Dictionary<string, string>, string)[]
                 {
                     (["--anchor", real.ToString().ToLowerInvariant()], noSetting, "--anchor"),
                     (["--deployment", coop.ManifestPath], noSetting, $"deployment {coop.ManifestPath}"),
                     ([], new() { ["ISKANDER_DEPLOYMENT"] = coop.ManifestPath }, $"deployment {coop.ManifestPath}"),
                 })
        {
            var (exit, output) = await CliProcess.RunAsync(["verify", honest, "--rpc", rpc, "--confirmations", "1", .. trust], environment);
            Assert.True(exit == 0, output);
            Assert.Contains($"checked against DecisionAnchor {real} on chain {coop.Manifest.ChainId} ({source})", output, StringComparison.Ordinal);
            Assert.Contains($"PASS        anchor → cooperative: the bundle names DecisionAnchor {real} on chain {coop.Manifest.ChainId}, the cooperative's ({source})", output, StringComparison.Ordinal);
            Assert.Equal(5, output.Split('\n').Count(l => l.TrimStart().StartsWith("PASS", StringComparison.Ordinal)));
        }

        var otherChain = JsonNode.Parse(await File.ReadAllTextAsync(coop.ManifestPath))!;
        otherChain["chainId"] = 1;
        await File.WriteAllTextAsync(files.Combine("mainnet.json"), otherChain.ToJsonString());
        foreach (var (trust, message) in new (string[], string)[]
                 {
                     (["--anchor", real.ToString(), "--deployment", coop.ManifestPath], "pass either --anchor or --deployment, not both"),
                     (["--anchor", "0x1234"], "--anchor: '0x1234' is not an address"),
                     (["--anchor", coop.Key(5).Address.ToString()], $"there is no contract at {coop.Key(5).Address} on chain {coop.Manifest.ChainId}"),
                     (["--anchor", coop.Identity.Address.ToString()], $"the contract at {coop.Identity.Address} on chain {coop.Manifest.ChainId} does not answer batchOf: not a DecisionAnchor"),
                     (["--deployment", files.Combine("mainnet.json")], $"is on chain {coop.Manifest.ChainId}, the deployment in {files.Combine("mainnet.json")} on chain 1"),
                     (["--deployment", files.Combine("missing.json")], "missing.json"),
                 })
        {
            var (exit, output) = await CliProcess.RunAsync(["verify", honest, "--rpc", rpc, .. trust], noSetting);
            Assert.True(exit == 2, output);
            Assert.Contains(message, output, StringComparison.Ordinal);
        }
    }

    // Anchors a two-leaf batch whose first leaf is a record saying `text`, and writes the evidence bundle of that record naming `anchor`.
    private static async Task<string> AnchoredBundleAsync(CoopOnChain coop, Contract anchor, string text, string path)
    {
        var record = System.Text.Encoding.UTF8.GetBytes($$"""{"decision":"{{text}}","nonce":"{{Guid.NewGuid():N}}"}""");
        var tree = new DecisionMerkleTree([DecisionLeaf.FromRecord(record), DecisionLeaf.FromRecord("another"u8)]);
        var receipt = await anchor.SendAsync("anchor", [tree.Root.ToArray(), 2UL]);
        var decision = new AnchoredDecision("pol00001", 1, "closed", Cid.ForRawBlock(record).ToString(), record, DecisionRef.For(tree, 0), "confirmed", (long)receipt.BlockNumber);
        var bundle = await EvidenceBundle.CreateAsync(decision, coop.Manifest.ChainId, anchor.Address);
        await File.WriteAllTextAsync(path, bundle.ToJson());
        return path;
    }
}
