using System.Numerics;
using Iskander.Chain.Contracts;
using Iskander.Chain.Testing;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;

namespace Iskander.Chain.Cli.Tests;

/// <summary>The voter's commands as real processes against a real ballot on anvil, publishing directly (<c>--direct</c>; the relay is in <see cref="BallotRelayTests"/>); the coordinator's replay (with its key) shows what they did.</summary>
public sealed class BallotCommandTests
{
    [Fact]
    public async Task Members_sign_up_vote_change_key_and_withdraw_from_the_command_line()
    {
        await using var coop = await CoopOnChain.StartAsync();
        await coop.AdmitAsync(2);
        await coop.AdmitAsync(3);
        var coordinator = MaciPrivateKey.Generate();
        var (manifest, ballot) = await coop.DeployBallotAsync(coordinator.PublicKey(), voteOptions: 3);
        using var keys = new TempDirectory();
        var common = new Dictionary<string, string>
        {
            ["ISKANDER_RPC_URL"] = coop.Node.RpcUrl.ToString(),
            ["ISKANDER_BALLOT_KEY_PASSWORD"] = "correct horse battery staple",
            ["ISKANDER_COORDINATOR_PUBLIC_KEY"] = coordinator.PublicKey().Serialize(),
        };
        Dictionary<string, string> As(int account, int? relay = null)
        {
            var environment = new Dictionary<string, string>(common) { ["ISKANDER_MEMBER_KEY"] = coop.Node.Accounts[account].PrivateKey };
            if (relay is { } r) environment["ISKANDER_RELAY_KEY"] = coop.Node.Accounts[r].PrivateKey;
            return environment;
        }

        async Task<string> Run(Dictionary<string, string> environment, params string[] arguments)
        {
            var (exit, output) = await CliProcess.RunAsync(["ballot", .. arguments], environment);
            Assert.True(exit == 0, output);
            return output;
        }

        var target = manifest.Ballot.ToString();
        var ada = keys.Combine("ada.json");
        var bob = keys.Combine("bob.json");
        Assert.StartsWith("macipk.", (await Run(common, "keygen", "--out", ada)).Trim());
        await Run(common, "keygen", "--out", bob);
        Assert.DoesNotContain("macisk", await File.ReadAllTextAsync(ada), StringComparison.Ordinal); // encrypted, never in clear
        Assert.Contains("as voter 1", await Run(As(2), "signup", "--ballot", target, "--key", ada), StringComparison.Ordinal);
        Assert.Contains("as voter 2", await Run(As(3), "signup", "--ballot", target, "--key", bob), StringComparison.Ordinal);
        var (refusedExit, refused) = await CliProcess.RunAsync(["ballot", "signup", "--ballot", target, "--key", bob], As(9));
        Assert.Equal(1, refusedExit);
        Assert.Contains("the ballot refused: NotMember", refused, StringComparison.Ordinal);

        await Run(As(2), "vote", "1", "--ballot", target, "--key", ada, "--direct");
        await Run(As(3), "vote", "0", "--ballot", target, "--key", bob, "--direct");
        var changed = await Run(As(2, relay: 9), "change-key", "--new-key", keys.Combine("ada-2.json"), "--vote", "2", "--ballot", target, "--key", ada, "--direct");
        Assert.Contains($"published from {coop.Key(9).Address.ToChecksumString()}", changed, StringComparison.Ordinal); // not Ada's address
        await Run(As(3), "invalidate", "--ballot", target, "--key", bob, "--direct");

        // Without --direct the vote goes to the bridge's relay; with no bridge there, it is not sent at all.
        var (unrelayedExit, unrelayed) = await CliProcess.RunAsync(["ballot", "vote", "0", "--ballot", target, "--key", bob, "--api", "http://127.0.0.1:9"], As(3));
        Assert.Equal(2, unrelayedExit);
        Assert.Contains("relay at http://127.0.0.1:9 is unreachable", unrelayed, StringComparison.Ordinal);
        Assert.Contains("2 member(s) signed up, 4 message(s)", await Run(common, "status", "--ballot", target), StringComparison.Ordinal);

        // Before the deadline nothing is proven yet, but the verifiers are already checkable.
        var (verifyExit, verify) = await CliProcess.RunAsync(["ballot", "verify", "--ballot", target], common);
        Assert.Equal(1, verifyExit);
        Assert.Contains("FAIL        voting closed", verify, StringComparison.Ordinal);
        Assert.Contains("PASS        processVerifier is the exported ProcessMessagesVerifier_3_2_1", verify, StringComparison.Ordinal);
        Assert.Contains("PASS        tallyVerifier is the exported TallyVotesVerifier_3_2_1", verify, StringComparison.Ordinal);
        Assert.Contains("SETUP       the verifiers' keys come from the INSECURE development powers of tau", verify, StringComparison.Ordinal);
        Assert.Contains("UNRESOLVED  every batch proven", verify, StringComparison.Ordinal);
        Assert.Contains("PASS        ballot is the exported MACIVoting", verify, StringComparison.Ordinal);
        Assert.Contains($"UNRESOLVED  ballot → cooperative: it gates on CoopIdentity {coop.Identity.Address}, which it cannot vouch for itself", verify, StringComparison.Ordinal);

        // What the coordinator will find: Ada's latest message (option 2, new key); Bob withdrew.
        var (signUps, messages) = await ballot.EventsAsync(manifest.DeployBlock, await coop.Client.BlockNumberAsync());
        var poll = new PollProcessor(BallotCircuitParameters.Test, 3, (await ballot.SettingsAsync()).PollId, 1);
        foreach (var signUp in signUps) poll.SignUp(new MaciPublicKey(signUp.PublicKey));
        foreach (var message in messages) poll.Publish(message.Message);
        while (poll.BatchesLeft > 0) poll.ProcessNextBatch(coordinator, Fr.Random());
        Assert.Equal(new BigInteger[] { 0, 0, 1, 0, 0 }, poll.TallyRemaining()[^1].Results);
    }

    [Fact]
    public async Task Ballot_verify_fails_a_ballot_of_another_cooperative_or_another_build()
    {
        await using var coop = await CoopOnChain.StartAsync();
        var coordinator = MaciPrivateKey.Generate().PublicKey();
        var (genuine, _) = await coop.DeployBallotAsync(coordinator, voteOptions: 3);
        // The attacker's own cooperative, and a ballot of the genuine build gated on its members.
        var ownManifest = Path.Combine(TestToolchain.Layout.Root, "deployments", $"attacker-{Guid.NewGuid():N}.json");
        var ownBallot = Path.Combine(TestToolchain.Layout.Root, "deployments", $"attacker-ballot-{Guid.NewGuid():N}.json");
        try
        {
            var attacker = coop.Key(5);
            var own = await new CoopDeployer(TestToolchain.Runner()).DeployAsync(coop.Node.RpcUrl, attacker, ownManifest,
                new CoopDeploymentOptions { Anchorer = attacker.Address, Issuer = attacker.Address });
            var head = await coop.Client.GetBlockByNumberAsync(await coop.Client.BlockNumberAsync());
            var forged = await new BallotDeployer(TestToolchain.Runner()).DeployAsync(coop.Node.RpcUrl, attacker, ownBallot,
                new BallotDeploymentOptions(own["CoopIdentity"].Address, coordinator.Hash().ToBigInteger(), 3, DateTimeOffset.FromUnixTimeSeconds((long)head!.Timestamp + 3600)));
            var environment = new Dictionary<string, string> { ["ISKANDER_RPC_URL"] = coop.Node.RpcUrl.ToString(), ["ISKANDER_DEPLOYMENT"] = coop.ManifestPath };

            var (genuineExit, genuineOutput) = await CliProcess.RunAsync(["ballot", "verify", "--ballot", genuine.Ballot.ToString()], environment);
            Assert.Equal(1, genuineExit); // voting is still open
            Assert.Contains($"ballot {genuine.Ballot} on chain {coop.Manifest.ChainId}", genuineOutput, StringComparison.Ordinal);
            Assert.Contains("PASS        ballot is the exported MACIVoting", genuineOutput, StringComparison.Ordinal);
            Assert.Contains($"PASS        ballot → cooperative: it gates on the cooperative's CoopIdentity {coop.Identity.Address} (deployment {coop.ManifestPath})", genuineOutput, StringComparison.Ordinal);

            var (forgedExit, forgedOutput) = await CliProcess.RunAsync(["ballot", "verify", "--ballot", forged.Ballot.ToString(), "--deployment", coop.ManifestPath], environment);
            Assert.Equal(1, forgedExit);
            Assert.Contains("PASS        ballot is the exported MACIVoting", forgedOutput, StringComparison.Ordinal);
            Assert.Contains($"FAIL        ballot → cooperative: it gates on CoopIdentity {own["CoopIdentity"].Address}; the cooperative's (deployment {coop.ManifestPath}) is {coop.Identity.Address}",
                forgedOutput, StringComparison.Ordinal);

            // Another contract answers nothing a ballot would: it is refused before any of its views is believed.
            var (otherExit, otherOutput) = await CliProcess.RunAsync(["ballot", "verify", "--ballot", coop.Anchor.Address.ToString()], environment);
            Assert.Equal(1, otherExit);
            Assert.Contains($"FAIL        ballot is the exported MACIVoting: {coop.Anchor.Address} holds", otherOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("PASS", otherOutput, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(ownManifest);
            File.Delete(ownBallot);
        }
    }
}
