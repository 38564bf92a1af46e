using System.Numerics;
using Iskander.Chain.Ballots.Chain;
using Iskander.Chain.Ballots.Proving;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Testing;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;
using Serilog;
using Xunit.Abstractions;

namespace Iskander.Chain.Ballots.Tests;

/// <summary>
/// A secret ballot end to end on a real chain: members of a real CoopIdentity sign up, vote from any
/// address, one is coerced and overrides in secret, one changes key and re-votes, one withdraws,
/// invalid messages are published; the coordinator replays the chain, proves every batch and the
/// tally with snarkjs, and the contract verifies each proof and the published results.
/// </summary>
public sealed class OnChainBallotTests(TestCircuits circuits, ITestOutputHelper output) : IClassFixture<TestCircuits>
{
    private readonly Groth16Prover _prover = new(TestToolchain.Runner(), new LoggerConfiguration().CreateLogger());

    private static async Task<string?> RevertOf(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (ContractRevertException ex)
        {
            return ex.ErrorName;
        }
    }

    // Replays the chain as the coordinator does: sign-ups and messages from the contract's events.
    private static async Task<PollProcessor> ReplayAsync(CoopOnChain coop, MaciVotingClient ballot, ulong fromBlock, int voteOptions)
    {
        var (signUps, messages) = await ballot.EventsAsync(fromBlock, await coop.Client.BlockNumberAsync());
        var poll = new PollProcessor(BallotCircuitParameters.Test, voteOptions, (await ballot.SettingsAsync()).PollId, 1);
        foreach (var signUp in signUps.OrderBy(s => s.StateIndex)) Assert.Equal(signUp.StateIndex, poll.SignUp(new MaciPublicKey(signUp.PublicKey)));
        foreach (var message in messages.OrderBy(m => m.Index)) poll.Publish(message.Message);
        return poll;
    }

    [Fact]
    public async Task A_secret_ballot_is_proven_and_verified_on_chain_and_publishes_the_real_tally()
    {
        await using var coop = await CoopOnChain.StartAsync();
        for (var account = 2; account <= 8; account++) await coop.AdmitAsync(account);
        await coop.RevokeAsync(8);
        var coordinator = MaciPrivateKey.Generate();
        var (manifest, ballot) = await coop.DeployBallotAsync(coordinator.PublicKey(), voteOptions: 5);
        var pollId = (await ballot.SettingsAsync()).PollId;
        var names = new[] { "ada", "bob", "cy", "dee", "eve", "gus" };
        var keys = names.ToDictionary(n => n, _ => MaciPrivateKey.Generate());
        var index = new Dictionary<string, ulong>();
        var gas = new Dictionary<string, ulong>();
        for (var i = 0; i < names.Length; i++)
        {
            index[names[i]] = (ulong)await ballot.WithSender(coop.Sender(2 + i)).SignUpAsync(keys[names[i]].PublicKey());
        }

        // Who may not sign up: a non-member, a revoked member, a member twice.
        Assert.Equal("NotMember", await RevertOf(() => ballot.WithSender(coop.Sender(9)).SignUpAsync(MaciPrivateKey.Generate().PublicKey())));
        Assert.Equal("NotMember", await RevertOf(() => ballot.WithSender(coop.Sender(8)).SignUpAsync(MaciPrivateKey.Generate().PublicKey())));
        Assert.Equal("AlreadySignedUp", await RevertOf(() => ballot.WithSender(coop.Sender(2)).SignUpAsync(MaciPrivateKey.Generate().PublicKey())));

        var coordinatorKey = coordinator.PublicKey();
        PublishedMessage Vote(string who, MaciPrivateKey signer, MaciPublicKey newKey, ulong option, ulong weight, ulong nonce) =>
            PublishedMessage.Create(signer, index[who], newKey, option, weight, nonce, pollId, coordinatorKey);
        var cyHidden = MaciPrivateKey.Generate();
        var deeNew = MaciPrivateKey.Generate();
        var story = new (int From, PublishedMessage Message)[]
        {
            (2, Vote("ada", keys["ada"], keys["ada"].PublicKey(), 1, 1, 1)),
            (3, Vote("bob", keys["bob"], keys["bob"].PublicKey(), 2, 1, 1)),
            (4, Vote("cy", keys["cy"], keys["cy"].PublicKey(), 0, 1, 1)),              // what the coercer watched Cy send
            (5, Vote("dee", keys["dee"], keys["dee"].PublicKey(), 0, 1, 1)),
            (6, Vote("eve", keys["eve"], keys["eve"].PublicKey(), 1, 1, 1)),
            (7, Vote("gus", keys["ada"], keys["gus"].PublicKey(), 4, 1, 1)),            // wrong signer
            (7, Vote("gus", keys["gus"], keys["gus"].PublicKey(), 9, 1, 1)),            // no such option
            (9, Vote("cy", keys["cy"], cyHidden.PublicKey(), 3, 1, 1)),                 // Cy's real vote, sent by another account
            (5, Vote("dee", deeNew, deeNew.PublicKey(), 2, 1, 2)),                      // Dee re-votes with her new key ...
            (5, Vote("dee", keys["dee"], deeNew.PublicKey(), 0, 0, 1)),                 // ... after changing key (applied first)
            (6, Vote("eve", keys["eve"], MaciPrivateKey.Generate().PublicKey(), 0, 0, 1)), // Eve withdraws
        };
        foreach (var (from, message) in story)
        {
            var receipt = await ballot.WithSender(coop.Sender(from)).PublishAsync(message);
            gas["publishMessage"] = receipt.GasUsed;
        }

        // The coordinator's replay from events agrees with the contract's chain and state.
        var poll = await ReplayAsync(coop, ballot, manifest.DeployBlock, 5);
        Assert.Equal("VotingOpen", await RevertOf(() => ballot.CloseVotingAsync()));
        await coop.PassDeadlineAsync();
        Assert.Equal("VotingEnded", await RevertOf(() => ballot.PublishAsync(Vote("ada", keys["ada"], keys["ada"].PublicKey(), 2, 1, 1))));
        await ballot.CloseVotingAsync();
        poll.CloseVoting();
        Assert.Equal(poll.Chain.BatchHashes.Select(h => h.ToBigInteger()), await ballot.BatchHashesAsync());
        Assert.Equal(poll.SbCommitment.ToBigInteger(), (await ballot.StatusAsync()).SbCommitment);
        Assert.Equal(poll.BatchCount, (await ballot.StatusAsync()).CurrentBatch);

        using var work = new TempDirectory();
        Groth16Proof? previous = null;
        Fr previousCommitment = default;
        while (poll.BatchesLeft > 0)
        {
            var batch = poll.ProcessNextBatch(coordinator, Fr.Random());
            var proof = await _prover.ProveAsync(circuits.Process, batch.Inputs, work.Path, $"batch-{batch.Index}");
            Assert.Equal("InvalidProof", await RevertOf(() => ballot.ProcessMessagesAsync(batch.NewSbCommitment + Fr.One, proof)));  // a proof of other inputs
            var forged = new Groth16Proof(proof.A, proof.B, [proof.C[0], proof.C[1] + 1], proof.PublicSignals);
            Assert.Equal("InvalidProof", await RevertOf(() => ballot.ProcessMessagesAsync(batch.NewSbCommitment, forged)));
            if (previous is not null) Assert.Equal("InvalidProof", await RevertOf(() => ballot.ProcessMessagesAsync(previousCommitment, previous))); // a replay
            gas["processMessages"] = (await ballot.ProcessMessagesAsync(batch.NewSbCommitment, proof)).GasUsed;
            Assert.Equal(batch.NewSbCommitment.ToBigInteger(), (await ballot.StatusAsync()).SbCommitment);
            (previous, previousCommitment) = (proof, batch.NewSbCommitment);
        }

        Assert.True((await ballot.StatusAsync()).ProcessingComplete);
        var batches = poll.TallyRemaining();
        Assert.Equal((await ballot.StatusAsync()).TallyBatchCount, batches.Count);
        var proofs = new List<Groth16Proof>();
        foreach (var batch in batches) proofs.Add(await _prover.ProveAsync(circuits.Tally, batch.Inputs, work.Path, $"tally-{batch.Batch}"));
        Assert.Equal("InvalidProof", await RevertOf(() => ballot.TallyVotesAsync(batches[1].TallyCommitment, proofs[1]))); // batch 1 before batch 0
        Assert.Equal("InvalidProof", await RevertOf(() => ballot.TallyVotesAsync(batches[0].TallyCommitment + Fr.One, proofs[0])));
        gas["tallyVotes"] = (await ballot.TallyVotesAsync(batches[0].TallyCommitment, proofs[0])).GasUsed;
        Assert.Equal("InvalidProof", await RevertOf(() => ballot.TallyVotesAsync(batches[0].TallyCommitment, proofs[0]))); // a replay
        Assert.Equal("WrongPhase", await RevertOf(() => ballot.PublishResultsAsync(batches[0]))); // results before the last batch
        await ballot.TallyVotesAsync(batches[1].TallyCommitment, proofs[1]);
        Assert.True((await ballot.StatusAsync()).TallyComplete);
        var tally = batches[^1];
        var inflated = tally with { Results = tally.Results.Select((r, i) => i == 0 ? r + 1 : r).ToList() };
        Assert.Equal("ResultsMismatch", await RevertOf(() => ballot.PublishResultsAsync(inflated)));
        gas["publishResults"] = (await ballot.PublishResultsAsync(tally)).GasUsed;

        // Ada 1, Bob 2, Cy's secret override 3, Dee's re-vote 2; Eve withdrew; Gus's messages were invalid.
        Assert.Equal(new BigInteger[] { 0, 1, 2, 1, 0 }, await ballot.ResultsAsync());
        Assert.Equal(new BigInteger(4), await ballot.ViewAsync<BigInteger>("totalSpent"));
        foreach (var (operation, used) in gas) output.WriteLine($"gas {operation}: {used:N0}");
    }

    [Fact]
    public async Task A_coerced_members_override_changes_the_tally_but_not_what_the_coercer_can_see()
    {
        // Two runs of the same poll: in one, Cy secretly overrides the vote the coercer watched; in the
        // other, the same account publishes a message Cy's key did not sign (a decoy). The coercer sees
        // the same transcript shape; only the coordinator's key tells them apart.
        var transcripts = new List<List<(string Event, int Sender)>>();
        var outcomes = new List<IReadOnlyList<BigInteger>>();
        foreach (var overrides in new[] { true, false })
        {
            await using var coop = await CoopOnChain.StartAsync();
            for (var account = 2; account <= 3; account++) await coop.AdmitAsync(account);
            var coordinator = MaciPrivateKey.Generate();
            var (manifest, ballot) = await coop.DeployBallotAsync(coordinator.PublicKey(), voteOptions: 2);
            var pollId = (await ballot.SettingsAsync()).PollId;
            var cy = MaciPrivateKey.Generate();
            var bob = MaciPrivateKey.Generate();
            var cyIndex = (ulong)await ballot.WithSender(coop.Sender(2)).SignUpAsync(cy.PublicKey());
            var bobIndex = (ulong)await ballot.WithSender(coop.Sender(3)).SignUpAsync(bob.PublicKey());
            await ballot.WithSender(coop.Sender(2)).PublishAsync(PublishedMessage.Create(cy, cyIndex, cy.PublicKey(), 0, 1, 1, pollId, coordinator.PublicKey()));
            await ballot.WithSender(coop.Sender(3)).PublishAsync(PublishedMessage.Create(bob, bobIndex, bob.PublicKey(), 1, 1, 1, pollId, coordinator.PublicKey()));
            var late = overrides
                ? PublishedMessage.Create(cy, cyIndex, MaciPrivateKey.Generate().PublicKey(), 1, 1, 1, pollId, coordinator.PublicKey())
                : PublishedMessage.Create(MaciPrivateKey.Generate(), cyIndex, MaciPrivateKey.Generate().PublicKey(), 1, 1, 1, pollId, coordinator.PublicKey());
            await ballot.WithSender(coop.Sender(9)).PublishAsync(late); // a relay account, not Cy's
            Assert.DoesNotContain(cy.PublicKey().Point.X, late.Message.Data); // nothing in clear links it to Cy
            Assert.NotEqual(cy.PublicKey().Point, late.EncryptionKey);

            var head = await coop.Client.BlockNumberAsync();
            var logs = await coop.Client.GetLogsAsync(new Ethereum.JsonRpc.LogFilter { FromBlock = manifest.DeployBlock, ToBlock = head, Addresses = [manifest.Ballot] });
            var transcript = new List<(string, int)>();
            foreach (var log in logs)
            {
                var transaction = await coop.Client.GetTransactionByHashAsync(log.TransactionHash);
                var sender = Enumerable.Range(0, 10).First(a => coop.Key(a).Address == transaction!.From);
                transcript.Add((ballot.Decode(log)?.GetType().Name ?? "other", sender));
            }

            transcripts.Add(transcript);
            var poll = await ReplayAsync(coop, ballot, manifest.DeployBlock, 2);
            await coop.PassDeadlineAsync();
            await ballot.CloseVotingAsync();
            poll.CloseVoting();
            using var work = new TempDirectory();
            while (poll.BatchesLeft > 0)
            {
                var batch = poll.ProcessNextBatch(coordinator, Fr.Random());
                await ballot.ProcessMessagesAsync(batch.NewSbCommitment, await _prover.ProveAsync(circuits.Process, batch.Inputs, work.Path, $"b{batch.Index}"));
            }

            var batches = poll.TallyRemaining();
            foreach (var batch in batches) await ballot.TallyVotesAsync(batch.TallyCommitment, await _prover.ProveAsync(circuits.Tally, batch.Inputs, work.Path, $"tally-{batch.Batch}"));
            await ballot.PublishResultsAsync(batches[^1]);
            outcomes.Add((await ballot.ResultsAsync()).Take(2).ToList());
        }

        Assert.Equal(transcripts[0], transcripts[1]);
        Assert.Equal(new BigInteger[] { 0, 2 }, outcomes[0]); // Cy's real vote counted
        Assert.Equal(new BigInteger[] { 1, 1 }, outcomes[1]); // the watched vote stands
    }
}
