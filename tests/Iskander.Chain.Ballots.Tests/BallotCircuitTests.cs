using System.Numerics;
using System.Text.Json;
using Iskander.Chain.Testing;
using Iskander.Chain.Toolchain;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;
using Iskander.Chain.Zk.Signatures;

namespace Iskander.Chain.Ballots.Tests;

/// <summary>
/// The ballot circuits and the coordinator's C# replay agree: a whole poll (votes, a coerced vote
/// secretly overridden, a key change with a re-vote, an invalidation, invalid and garbage messages,
/// padding) processed batch by batch yields witnesses that satisfy every constraint, the tally is
/// the expected one, and every tampered input makes witness generation fail.
/// </summary>
public sealed class BallotCircuitTests(TestCircuits circuits) : IClassFixture<TestCircuits>, IDisposable
{
    private const ulong PollId = 7;
    private static readonly MaciPrivateKey Coordinator = new(BigInteger.Parse("48616c6c6f2c20636f6f7264696e61746f72", System.Globalization.NumberStyles.HexNumber));

    private static PollProcessor Poll(out Dictionary<string, MaciPrivateKey> keys)
    {
        var parameters = BallotCircuitParameters.Test;
        var poll = new PollProcessor(parameters, voteOptions: 5, PollId, initialCredits: 1);
        keys = new[] { "ada", "bob", "cy", "dee", "eve", "gus" }.ToDictionary(name => name, name => new MaciPrivateKey(new BigInteger(System.Text.Encoding.UTF8.GetBytes(name + " secret"))));
        foreach (var key in keys.Values) poll.SignUp(key.PublicKey());
        return poll;
    }

    // Publishes the whole story; returns the expected results.
    private static int[] PublishStory(PollProcessor poll, Dictionary<string, MaciPrivateKey> k)
    {
        var coordinator = Coordinator.PublicKey();
        PublishedMessage Vote(string who, ulong index, MaciPrivateKey signer, MaciPublicKey newKey, ulong option, ulong weight, ulong nonce) =>
            PublishedMessage.Create(signer, index, newKey, option, weight, nonce, PollId, coordinator);
        var cyHidden = MaciPrivateKey.Generate();
        var deeNew = MaciPrivateKey.Generate();
        var eveThrowaway = MaciPrivateKey.Generate();
        var messages = new List<PublishedMessage>
        {
            Vote("ada", 1, k["ada"], k["ada"].PublicKey(), 1, 1, 1),
            Vote("bob", 2, k["bob"], k["bob"].PublicKey(), 2, 1, 1),
            Vote("cy", 3, k["cy"], k["cy"].PublicKey(), 0, 1, 1),           // what the coercer watched
            Vote("dee", 4, k["dee"], k["dee"].PublicKey(), 0, 1, 1),        // Dee's first vote, replaced below
            Vote("eve", 5, k["eve"], k["eve"].PublicKey(), 1, 1, 1),        // withdrawn below
            Vote("gus", 6, k["ada"], k["gus"].PublicKey(), 4, 1, 1),        // signed by the wrong key
            Vote("gus", 6, k["gus"], k["gus"].PublicKey(), 4, 1, 3),        // wrong nonce
            Vote("gus", 6, k["gus"], k["gus"].PublicKey(), 7, 1, 1),        // no such option (muxed to 0, invalid)
            new(new MaciMessage(Enumerable.Range(1, 10).Select(i => Fr.FromUInt64((ulong)i * 1_000_003)).ToArray()), MaciPrivateKey.Generate().PublicKey().Point), // garbage
            Vote("cy", 3, k["cy"], cyHidden.PublicKey(), 3, 1, 1),          // Cy's real vote, with a new key, out of the coercer's sight
            Vote("dee", 4, deeNew, deeNew.PublicKey(), 2, 1, 2),            // re-vote with the new key (nonce 2) ...
            Vote("dee", 4, k["dee"], deeNew.PublicKey(), 0, 0, 1),          // ... after the key change (nonce 1, published last, applied first)
            Vote("eve", 5, k["eve"], eveThrowaway.PublicKey(), 0, 0, 1),    // invalidation: key change to a throwaway key, weight 0
        };
        foreach (var message in messages) poll.Publish(message);
        return [0, 1, 2, 1, 0];
    }

    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private async Task<ToolResult> WitnessAsync(string circuit, IReadOnlyDictionary<string, object> input, string name, bool check = false)
    {
        var compiled = circuit == "process" ? circuits.Process.Compiled : circuits.Tally.Compiled;
        var inputPath = _work.Combine($"{name}.json");
        await File.WriteAllTextAsync(inputPath, JsonSerializer.Serialize(input));
        var witness = _work.Combine($"{name}.wtns");
        var result = await TestToolchain.Runner().RunAsync(Tool.Snarkjs, ["wtns", "calculate", compiled.Wasm, inputPath, witness],
            new ToolRunOptions { AllowFailure = true, Timeout = TimeSpan.FromMinutes(3) });
        if (result.ExitCode != 0 || !check) return result;
        return await TestToolchain.Runner().RunAsync(Tool.Snarkjs, ["wtns", "check", compiled.R1cs, witness], new ToolRunOptions { AllowFailure = true, Timeout = TimeSpan.FromMinutes(3) });
    }

    [Fact]
    public async Task A_whole_poll_is_proven_batch_by_batch_and_tallies_to_the_expected_result()
    {
        var poll = Poll(out var keys);
        var expected = PublishStory(poll, keys);
        Assert.Equal(7, poll.BatchCount); // 13 messages in batches of 2: the last one padded
        var applied = 0;
        for (var batch = 0; poll.BatchesLeft > 0; batch++)
        {
            var result = poll.ProcessNextBatch(Coordinator, Fr.Random());
            applied += result.ValidMessages;
            var witness = await WitnessAsync("process", result.Inputs, $"batch-{batch}", check: batch == 0);
            Assert.True(witness.ExitCode == 0, $"batch {batch}: {witness.StandardError}{witness.StandardOutput}");
            if (batch == 0) Assert.Contains("WITNESS IS CORRECT", witness.StandardOutput, StringComparison.Ordinal);
        }

        // Ada, Bob, Cy's override, Dee's key change and re-vote, Eve's invalidation: 6 commands applied; 7 are no-ops.
        Assert.Equal(6, applied);
        // Two tally batches of four ballots, the second opening the first's commitment.
        var batches = poll.TallyRemaining();
        Assert.Equal(BallotCircuitParameters.Test.TallyBatchCount, batches.Count);
        Assert.True(batches[^1].Final);
        Assert.Equal(expected.Select(e => new BigInteger(e)), batches[^1].Results);
        Assert.Equal(new BigInteger(4), batches[^1].TotalSpent);
        foreach (var tally in batches)
        {
            var tallyWitness = await WitnessAsync("tally", tally.Inputs, $"tally-{tally.Batch}", check: true);
            Assert.True(tallyWitness.ExitCode == 0, tallyWitness.StandardError + tallyWitness.StandardOutput);
            Assert.Contains("WITNESS IS CORRECT", tallyWitness.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("outputBatchHash")]
    [InlineData("currentSbCommitment")]
    [InlineData("newSbCommitment")]
    [InlineData("coordinatorPublicKeyHash")]
    [InlineData("coordinatorPrivateKey")]
    [InlineData("inputBatchHash")]
    [InlineData("messages")]
    [InlineData("stateLeaves")]
    [InlineData("ballotVotes")]
    [InlineData("stateLeafSiblings")]
    [InlineData("totalSignups:9")]
    [InlineData("voteOptions:6")]
    public async Task A_tampered_processing_input_makes_the_witness_impossible(string tamper)
    {
        var poll = Poll(out var keys);
        PublishStory(poll, keys);
        var input = new Dictionary<string, object>(poll.ProcessNextBatch(Coordinator, Fr.Random()).Inputs);
        var (field, value) = tamper.Contains(':', StringComparison.Ordinal) ? (tamper.Split(':')[0], tamper.Split(':')[1]) : (tamper, null);
        input[field] = value ?? Bump(input[field]);
        var witness = await WitnessAsync("process", input, $"tampered-{field}");
        Assert.NotEqual(0, witness.ExitCode);
        Assert.Contains("Assert Failed", witness.StandardError + witness.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "newTallyCommitment")]
    [InlineData(1, "currentTallyCommitment")]
    [InlineData(1, "sbCommitment")]
    [InlineData(1, "votes")]
    [InlineData(1, "ballotNonces")]
    [InlineData(1, "batchSiblings")]
    [InlineData(1, "batchIndex")]
    [InlineData(1, "currentResults")]
    [InlineData(1, "currentSpent")]
    [InlineData(0, "currentResults")]
    [InlineData(0, "currentSpent")]
    [InlineData(0, "currentTallyCommitment")]
    public async Task A_tally_that_does_not_match_the_ballots_is_impossible(int batch, string field)
    {
        var poll = Poll(out var keys);
        PublishStory(poll, keys);
        while (poll.BatchesLeft > 0) poll.ProcessNextBatch(Coordinator, Fr.Random());
        // Batch 0 must start from nothing; batch 1 must open batch 0's commitment and sit at its own place in the ballot tree.
        var input = new Dictionary<string, object>(poll.TallyRemaining()[batch].Inputs);
        input[field] = Bump(input[field]);
        var witness = await WitnessAsync("tally", input, $"tally-{batch}-{field}");
        Assert.NotEqual(0, witness.ExitCode);
        Assert.Contains("Assert Failed", witness.StandardError + witness.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_change_to_a_small_order_point_is_refused_so_a_signature_without_a_private_key_never_counts()
    {
        var poll = Poll(out var keys);
        var coordinator = Coordinator.PublicKey();
        var smallOrder = new BabyJubJubPoint(Fr.Zero, Fr.Zero - Fr.One); // order 2, on the curve
        var keyless = new EdDsaSignature(BabyJubJubPoint.Identity, BigInteger.Zero);
        PublishedMessage Seal(VoteCommand command, EdDsaSignature signature)
        {
            var (message, ephemeral) = MaciMessage.Seal(command, signature, coordinator, MaciPrivateKey.Generate());
            return new PublishedMessage(message, ephemeral.Point);
        }

        // Processed last to first: Ada's key change to the small-order point, then a vote nobody signed.
        var forged = new VoteCommand(1, smallOrder, 3, 1, 2, PollId, Fr.Random());
        Assert.True(forged.VerifySignature(keyless, smallOrder)); // what such a key would let anyone do
        poll.Publish(Seal(forged, keyless));
        var change = new VoteCommand(1, smallOrder, 0, 0, 1, PollId, Fr.Random());
        poll.Publish(Seal(change, change.Sign(keys["ada"])));
        poll.CloseVoting();

        Assert.False(BabyJubJub.IsUsableKey(smallOrder));
        var batch = poll.ProcessNextBatch(Coordinator, Fr.Random());
        Assert.Equal(0, batch.ValidMessages);
        var witness = await WitnessAsync("process", batch.Inputs, "small-order", check: true); // the circuit refuses the key too
        Assert.Equal(0, witness.ExitCode);
        Assert.Equal(new BigInteger[5], poll.TallyRemaining()[^1].Results);
    }

    [Fact]
    public void Processing_refuses_what_the_circuits_cannot_hold()
    {
        var poll = new PollProcessor(BallotCircuitParameters.Test, 5, PollId, 1);
        for (var i = 0; i < BallotCircuitParameters.Test.MaxMembers; i++) poll.SignUp(MaciPrivateKey.Generate().PublicKey());
        Assert.Throws<InvalidOperationException>(() => poll.SignUp(MaciPrivateKey.Generate().PublicKey()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PollProcessor(BallotCircuitParameters.Test, 6, PollId, 1));
        Assert.Equal(0, poll.BatchCount);
        Assert.Equal(new BigInteger[5], poll.TallyRemaining()[^1].Results);
    }

    [Fact]
    public void Parameter_sets_are_named_or_spelled_out_and_tally_batches_fit_the_ballot_tree()
    {
        Assert.Same(BallotCircuitParameters.Test, BallotCircuitParameters.Parse("test"));
        Assert.Equal(new BallotCircuitParameters(10, 16, 1, 6), BallotCircuitParameters.Parse("large"));
        Assert.Equal(BallotCircuitParameters.Large, BallotCircuitParameters.Parse("10,16,1"));
        Assert.Equal(new BallotCircuitParameters(7, 16, 2, 3), BallotCircuitParameters.Parse("7,16,2,3"));
        foreach (var bad in new[] { "", "huge", "7,16", "7,16,2,3,1", "-1,2,1", "7, 16,2", "a,b,c" }) Assert.Null(BallotCircuitParameters.Parse(bad));

        // Tally proofs of about 50-90k constraints: 64, 32 or 8 ballots by option depth, never more than the tree.
        Assert.Equal(6, BallotCircuitParameters.DefaultTallyBatchDepth(10, 1));
        Assert.Equal(5, BallotCircuitParameters.DefaultTallyBatchDepth(7, 2));
        Assert.Equal(3, BallotCircuitParameters.DefaultTallyBatchDepth(10, 3));
        Assert.Equal(3, BallotCircuitParameters.DefaultTallyBatchDepth(3, 1));
        Assert.Equal(16, BallotCircuitParameters.Large.TallyBatchCount);
        Assert.Equal(2, BallotCircuitParameters.Test.TallyBatchCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PollProcessor(new BallotCircuitParameters(3, 2, 1, 4), 5, PollId, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PollProcessor(new BallotCircuitParameters(3, 2, 1, 0), 5, PollId, 1));
    }

    // Adds one to a decimal value, to the last element of an array, or to the first row of a matrix (slot 0: a real message in every batch).
    private static object Bump(object value) => value switch
    {
        string text => (Fr.Parse(text) + Fr.One).ToString(),
        string[] many => many.Select((v, i) => i == many.Length - 1 ? (string)Bump(v) : v).ToArray(),
        string[][] nested => nested.Select((row, i) => i == 0 ? (string[])Bump(row) : row).ToArray(),
        _ => throw new InvalidOperationException($"cannot tamper with {value.GetType()}"),
    };
}
