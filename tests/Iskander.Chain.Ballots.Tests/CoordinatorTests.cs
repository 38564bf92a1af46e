using System.Numerics;
using Iskander.Chain.Ballots.Proving;
using Iskander.Chain.Bridge.Ballots;
using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Contracts;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Testing;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;
using Serilog;
using Xunit.Abstractions;

namespace Iskander.Chain.Ballots.Tests;

/// <summary>The bridge's coordinator on a real chain and database: stopped in the middle of proving, it resumes without remaking a proof, finishes, and its result is anchored as a decision.</summary>
public sealed class CoordinatorTests(TestCircuits circuits, PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<TestCircuits>, IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_coordinator_stopped_while_proving_resumes_finishes_and_the_result_is_anchored()
    {
        await using var coop = await CoopOnChain.StartAsync();
        for (var account = 2; account <= 4; account++) await coop.AdmitAsync(account);
        var coordinatorKey = MaciPrivateKey.Generate();
        var (manifest, deployer) = await coop.DeployBallotAsync(coordinatorKey.PublicKey(), voteOptions: 3);
        var pollId = (await deployer.SettingsAsync()).PollId;
        var voters = new List<(MaciPrivateKey Key, ulong Index)>();
        for (var i = 0; i < 3; i++)
        {
            var key = MaciPrivateKey.Generate();
            voters.Add((key, (ulong)await deployer.WithSender(coop.Sender(2 + i)).SignUpAsync(key.PublicKey())));
        }

        var choices = new ulong[] { 2, 0, 2, 1, 2 }; // voter 1 changes her mind: 0 then 1 (published last, so nonce 1 wins)
        var owners = new[] { 0, 1, 2, 1, 0 };
        var nonces = new ulong[] { 1, 1, 1, 1, 1 };
        for (var m = 0; m < choices.Length; m++)
        {
            var (key, index) = voters[owners[m]];
            await deployer.WithSender(coop.Sender(9)).PublishAsync(PublishedMessage.Create(key, index, key.PublicKey(), choices[m], 1, nonces[m], pollId, coordinatorKey.PublicKey()));
        }

        await using var database = new BridgeDatabase(await postgres.CreateDatabaseAsync());
        await database.MigrateAsync();
        var log = new LoggerConfiguration().CreateLogger();
        var store = new BallotStore(database);
        var ballot = await store.RegisterAsync(manifest.Ballot, manifest.ChainId, manifest.DeployBlock, "Which roof?", pollId, 3, BallotCircuitParameters.Test, 1);
        using var work = new TempDirectory();
        BallotCoordinator Coordinator()
        {
            var contract = deployer.WithSender(coop.Sender(1)); // the bridge's key sends the coordinator's transactions
            return new BallotCoordinator(database, store, ballot, contract, new BallotMirror(database, coop.Client, ballot, contract, log), coordinatorKey,
                new BallotKeys(circuits.Process, circuits.Tally), new Groth16Prover(TestToolchain.Runner(), log), work.Path, log);
        }

        // Before the deadline there is nothing to prove.
        await Coordinator().RunOnceAsync();
        Assert.False((await deployer.StatusAsync()).VotingClosed);
        await coop.PassDeadlineAsync();

        // Stop it once one proof is made and the next is under way; then again as soon as the first
        // tally batch is proven (a tally proof of the test shape takes well under a second).
        foreach (var (proofs, most, wait) in new[] { (1, 3, 1000), (4, 4, 0) })
        {
            using var stop = new CancellationTokenSource();
            var run = Coordinator().RunOnceAsync(stop.Token);
            while (await store.ProvenCountAsync(ballot.Id) < proofs && !run.IsCompleted) await Task.Delay(50);
            await Task.Delay(wait);
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            var provenBefore = await store.ProvenCountAsync(ballot.Id);
            output.WriteLine($"stopped after {provenBefore} proof(s)");
            Assert.InRange(provenBefore, proofs, most);
        }

        // A new coordinator (as after a restart) finishes from the database and the chain.
        await Coordinator().RunOnceAsync();
        Assert.Equal(new BigInteger[] { 0, 1, 2, 0, 0 }, await deployer.ResultsAsync());
        Assert.Equal(5, await store.ProvenCountAsync(ballot.Id)); // three batches and two tally batches, each proven once
        Assert.False(await Coordinator().RunOnceAsync()); // nothing left to do

        // Every transaction was announced first; the result is anchored as a decision and verifies.
        await using (var connection = await database.OpenAsync())
        {
            var audit = await GlassBoxLog.ReadAsync(connection, default);
            Assert.Null(GlassBoxLog.FirstBrokenLink(audit));
            // A transaction interrupted by a stop is resolved from the contract's state (and sent again under
            // a new intent if it never landed): the intents that took effect are one per step.
            Assert.All(audit.Where(e => e.Kind == "intent"), intent => Assert.Contains(audit, o => o.IntentSeq == intent.Seq));
            static bool TookEffect(GlassBoxEntry outcome) => !outcome.Detail.ContainsKey("interrupted") || outcome.Detail["onChain"]!.GetValue<bool>();
            var completed = audit.Where(e => e.Kind == "intent" && audit.Any(o => o.IntentSeq == e.Seq && TookEffect(o))).Select(e => e.Action);
            Assert.Equal(["ballot.close", "ballot.process", "ballot.process", "ballot.process", "ballot.tally", "ballot.tally", "ballot.results"], completed);
        }

        var contracts = BridgeContracts.Connect(coop.Client, coop.Manifest, name => new CoopDeployer(TestToolchain.Runner()).Artifact(coop.Manifest, name).Abi, coop.Key(1));
        var pipeline = AnchoringPipeline.Create(database, new EmbeddedContentStore(work.Combine("content")), contracts.Anchor, log,
            new AnchoringPipelineOptions { MaxWait = TimeSpan.Zero, Confirmations = 1 });
        for (var round = 0; round < 20 && (await DecisionQueries.StatusCountsAsync(database)).GetValueOrDefault("batched/confirmed") == 0; round++) await pipeline.RunRoundAsync();
        var anchored = Assert.Single(await DecisionQueries.AnchoredAsync(database, BallotResultRecord.Key(ballot)));
        Assert.Equal(BallotResultRecord.State, anchored.State);
        Assert.Contains("\"results\":[\"0\",\"1\",\"2\"]", System.Text.Encoding.UTF8.GetString(anchored.Record), StringComparison.Ordinal);
        Assert.All(await new DecisionVerifier(new EmbeddedContentStore(work.Combine("content")), contracts.Anchor, 1).VerifyAsync(anchored), c => Assert.Equal(Verdict.Pass, c.Verdict));
    }
}
