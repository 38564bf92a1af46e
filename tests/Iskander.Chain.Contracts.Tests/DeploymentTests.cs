using System.Numerics;
using System.Text;
using Iskander.Chain.Anchoring;
using Iskander.Chain.DevServices;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Testing;

namespace Iskander.Chain.Contracts.Tests;

/// <summary>The forge deploy script on a real anvil node, and the bridge's use of its manifest.</summary>
public sealed class DeploymentTests
{
    [Fact]
    public async Task The_deploy_script_writes_a_manifest_the_bridge_uses_to_anchor_and_verify()
    {
        await using var node = await AnvilNode.StartAsync(TestToolchain.Create());
        var deployerKey = PrivateKey.FromHex(node.Accounts[0].PrivateKey);
        var anchorerKey = PrivateKey.FromHex(node.Accounts[1].PrivateKey);
        var manifestPath = Path.Combine(TestToolchain.Layout.Root, "deployments", $"test-{Guid.NewGuid():N}.json");
        var deployer = new CoopDeployer(TestToolchain.Runner());
        try
        {
            var manifest = await deployer.DeployAsync(node.RpcUrl, deployerKey, manifestPath,
                new CoopDeploymentOptions { CooperativeName = "Riverside Coop", Anchorer = anchorerKey.Address, Confirmations = 3 });

            Assert.Equal(31337UL, manifest.ChainId);
            Assert.Equal(anchorerKey.Address, manifest.Anchorer);
            Assert.Equal(deployerKey.Address, manifest.Issuer);

            var client = new EthClient(new JsonRpcClient(node.RpcUrl));
            var anchorer = new TransactionSender(client, new LocalSigner(anchorerKey));
            var anchor = new Contract(client, manifest["DecisionAnchor"].Address, deployer.Artifact(manifest, "DecisionAnchor").Abi, anchorer);
            var tree = new DecisionMerkleTree(Enumerable.Range(0, 10).Select(i => DecisionLeaf.FromRecord(Encoding.UTF8.GetBytes($"record {i}"))).ToList());
            await anchor.SendAsync("anchor", [tree.Root.ToArray(), 10UL]);
            Assert.True(await anchor.CallAsync<bool>("verifyInclusion", [DecisionRef.For(tree, 7).ToAbiTuple()]));

            var constitution = new Contract(client, manifest["Constitution"].Address, deployer.Artifact(manifest, "Constitution").Abi);
            Assert.Equal(new BigInteger(3), await constitution.CallAsync<BigInteger>("parameter", [Encoding.ASCII.GetBytes("confirmations").Concat(new byte[19]).ToArray()]));
            var genesis = (object?[])(await constitution.CallAsync("genesis", []))[0]!;
            Assert.Equal("Riverside Coop", genesis[0]);
            Assert.Equal(manifest["CoopIdentity"].Address, genesis[4]);

            var identity = new Contract(client, manifest["CoopIdentity"].Address, deployer.Artifact(manifest, "CoopIdentity").Abi);
            Assert.Equal(deployerKey.Address, await identity.CallAsync<Address>("issuer"));
            Assert.Equal(manifest["ActionSchedule"].Address, await identity.CallAsync<Address>("actionSchedule"));
            Assert.Equal(manifest["ActionSchedule"].Address, await constitution.CallAsync<Address>("actionSchedule"));
            var schedule = new Contract(client, manifest["ActionSchedule"].Address, deployer.Artifact(manifest, "ActionSchedule").Abi);
            Assert.Equal(manifest["DecisionAnchor"].Address, await schedule.CallAsync<Address>("decisionAnchor"));
            Assert.Equal(manifest["Constitution"].Address, await schedule.CallAsync<Address>("constitution"));
            // No owner anywhere: only the schedule (a decision with notice, or a member majority) replaces the anchoring key.
            Assert.Equal(manifest["ActionSchedule"].Address, await anchor.CallAsync<Address>("governor"));
            Assert.Equal(new BigInteger(5001), await constitution.CallAsync<BigInteger>("parameter", Iskander.Chain.Governance.GovernanceAction.ShortText("recoveryQuorumBps")));
            Assert.Equal(manifest["CoopIdentity"].Address, await schedule.CallAsync<Address>("identity"));
            Assert.Equal(new BigInteger(48 * 3600), await constitution.CallAsync<BigInteger>("parameter", Iskander.Chain.Governance.GovernanceAction.ShortText("noticePeriod")));
            Assert.True(await identity.CallAsync<bool>("supportsInterface", [Hex.Decode("0xeb72bb7c")]));
        }
        finally
        {
            File.Delete(manifestPath);
        }
    }

    [Fact]
    public void A_manifest_missing_a_contract_is_refused()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("manifest.json");
        File.WriteAllText(path, """
            {"formatVersion":1,"chainId":31337,"deployBlock":0,
             "anchorer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
             "issuer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
             "contracts":{"DecisionAnchor":{"address":"0x5FbDB2315678afecb367f032d93F642f64180aa3","creationCodeHash":"0x19dbf9638e17d331d94eb7e97a8124cae5edbcd99f3e3bb0312315e2da2a92f5"}}}
            """);
        var error = Assert.Throws<FormatException>(() => DeploymentManifest.Load(path));
        Assert.Contains("CoopIdentity", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_of_another_format_version_is_refused()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("manifest.json");
        File.WriteAllText(path, """{"formatVersion":2}""");
        Assert.Contains("format 2", Assert.Throws<FormatException>(() => DeploymentManifest.Load(path)).Message, StringComparison.Ordinal);
    }
}
