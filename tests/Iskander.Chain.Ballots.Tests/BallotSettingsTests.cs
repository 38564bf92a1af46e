using System.Numerics;
using Iskander.Chain.Ballots.Chain;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Testing;
using Iskander.Chain.Toolchain;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;

namespace Iskander.Chain.Ballots.Tests;

/// <summary>
/// A ballot's settings on a real chain: the contract's limits are the C# limits, the poll id is
/// derived per chain and contract (so a message cannot be replayed into another ballot), and the
/// coordinator reads settings of any allowed size.
/// </summary>
public sealed class BallotSettingsTests
{
    [Fact]
    public async Task The_contracts_limits_are_the_coordinators()
    {
        await using var coop = await CoopOnChain.StartAsync();
        var (manifest, _) = await coop.DeployBallotAsync(MaciPrivateKey.Generate().PublicKey(), voteOptions: 3);
        var abi = ForgeArtifact.LoadAbi(Path.Combine(TestToolchain.Layout.Root, "out"), "MACIVoting.sol", "MACIVoting");
        var limits = (await new Contract(coop.Client, manifest.Ballot, abi).CallAsync("limits", [])).Select(v => (BigInteger)v!).ToArray();
        Assert.Equal(
            new BigInteger[] { BallotLimits.CommandFieldBits, BallotLimits.MaxStateTreeDepth, BallotLimits.MaxBatchSize, BallotLimits.MaxVoteOptionTreeDepth, BallotLimits.MaxInitialCredits },
            limits);
    }

    [Fact]
    public async Task Each_ballot_derives_its_poll_id_and_a_message_replayed_from_another_ballot_is_not_applied()
    {
        await using var coop = await CoopOnChain.StartAsync();
        await coop.AdmitAsync(2);
        var coordinator = MaciPrivateKey.Generate(); // one coordinator for both ballots, as the bridge has
        var (first, a) = await coop.DeployBallotAsync(coordinator.PublicKey(), voteOptions: 3);
        var (second, b) = await coop.DeployBallotAsync(coordinator.PublicKey(), voteOptions: 3);
        var chainId = await coop.Client.ChainIdAsync();
        var idA = (await a.SettingsAsync()).PollId;
        var idB = (await b.SettingsAsync()).PollId;
        Assert.Equal(ExpectedPollId(chainId, first.Ballot), idA);
        Assert.Equal(ExpectedPollId(chainId, second.Ballot), idB);
        Assert.NotEqual(idA, idB);

        // The member reuses one key in both ballots; a vote for A is copied into B.
        var voter = MaciPrivateKey.Generate();
        var index = (ulong)await a.WithSender(coop.Sender(2)).SignUpAsync(voter.PublicKey());
        Assert.Equal((int)index, await b.WithSender(coop.Sender(2)).SignUpAsync(voter.PublicKey()));
        var vote = PublishedMessage.Create(voter, index, voter.PublicKey(), 1, 1, 1, idA, coordinator.PublicKey());
        await a.WithSender(coop.Sender(2)).PublishAsync(vote);
        await b.WithSender(coop.Sender(9)).PublishAsync(vote);

        int Applied(ulong pollId)
        {
            var poll = new PollProcessor(BallotCircuitParameters.Test, 3, pollId, 1);
            poll.SignUp(voter.PublicKey());
            poll.Publish(vote);
            poll.CloseVoting();
            return poll.ProcessNextBatch(coordinator, Fr.Random()).ValidMessages;
        }

        Assert.Equal(1, Applied(idA));
        Assert.Equal(0, Applied(idB));
    }

    [Fact]
    public async Task The_coordinator_reads_settings_beyond_the_range_of_an_int()
    {
        await using var coop = await CoopOnChain.StartAsync();
        var credits = (ulong)int.MaxValue + 1;
        var (_, ballot) = await coop.DeployBallotAsync(MaciPrivateKey.Generate().PublicKey(), voteOptions: 3, credits);
        var settings = await ballot.SettingsAsync();
        Assert.Equal(credits, settings.InitialCredits);
        Assert.Equal(BallotCircuitParameters.Test, settings.Parameters);
        Assert.Equal(3, settings.VoteOptions);
        Assert.Equal(credits, new PollProcessor(settings.Parameters, settings.VoteOptions, settings.PollId, settings.InitialCredits).InitialCredits);
    }

    // keccak256(abi.encode(chainId, address)) reduced to a command field, computed here independently of the contract.
    private static ulong ExpectedPollId(ulong chainId, Address ballot)
    {
        var encoded = new byte[64];
        new BigInteger(chainId).ToByteArray(isUnsigned: true, isBigEndian: true).CopyTo(encoded, 32 - new BigInteger(chainId).GetByteCount(isUnsigned: true));
        ballot.ToArray().CopyTo(encoded, 44);
        var hash = new BigInteger(Hash32.Keccak(encoded).ToArray(), isUnsigned: true, isBigEndian: true);
        return (ulong)(hash & BallotLimits.MaxCommandField);
    }
}
