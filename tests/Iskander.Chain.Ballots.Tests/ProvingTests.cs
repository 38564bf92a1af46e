using System.Numerics;
using Iskander.Chain.Ballots.Circuits;
using Iskander.Chain.Ballots.Proving;
using Iskander.Chain.Testing;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;
using Serilog;

namespace Iskander.Chain.Ballots.Tests;

/// <summary>Groth16 keys built from the circuits and real proofs of a small poll, checked by snarkjs; the committed Solidity verifiers are exactly what the build exports.</summary>
public sealed class ProvingTests(TestCircuits circuits) : IClassFixture<TestCircuits>
{
    [Fact]
    public async Task Every_batch_and_the_tally_are_proven_and_verify()
    {
        var (coordinator, poll) = TestCircuits.ThreeVoterPoll(i => (ulong)i % 2);

        var prover = new Groth16Prover(TestToolchain.Runner(), new LoggerConfiguration().CreateLogger());
        using var work = new TempDirectory();
        while (poll.BatchesLeft > 0)
        {
            var batch = poll.ProcessNextBatch(coordinator, Fr.Random());
            var proof = await prover.ProveAsync(circuits.Process, batch.Inputs, work.Path, $"batch-{batch.Index}");
            Assert.Equal(9, proof.PublicSignals.Count);
            Assert.Equal(batch.NewSbCommitment.ToBigInteger(), proof.PublicSignals[5]);
        }

        Groth16Proof? tallyProof = null;
        TallyResult? tally = null;
        foreach (var batch in poll.TallyRemaining())
        {
            tallyProof = await prover.ProveAsync(circuits.Tally, batch.Inputs, work.Path, "tally");
            Assert.Equal(batch.TallyCommitment.ToBigInteger(), tallyProof.PublicSignals[2]);
            Assert.Equal(batch.Batch, (int)tallyProof.PublicSignals[3]);
            tally = batch;
        }

        Assert.Equal([2, 1, 0, 0, 0], tally!.Results.Select(r => (int)r));

        // A proof presented with other public signals does not verify.
        var forgedPublic = Path.Combine(work.Path, "forged.public.json");
        await File.WriteAllTextAsync(forgedPublic, System.Text.Json.JsonSerializer.Serialize(tallyProof!.PublicSignals.Select((s, i) => (i == 2 ? s + 1 : s).ToString())));
        Assert.True(Groth16Prover.Verify(circuits.Tally, Path.Combine(work.Path, "tally.proof.json"), Path.Combine(work.Path, "tally.public.json")));
        Assert.False(Groth16Prover.Verify(circuits.Tally, Path.Combine(work.Path, "tally.proof.json"), forgedPublic));
        Assert.False(await TestCircuits.SnarkjsVerifiesAsync(circuits.Tally, Path.Combine(work.Path, "tally.proof.json"), forgedPublic));
        var roundTrip = Groth16Proof.FromJson(tallyProof.ToJson());
        Assert.Equal(tallyProof.ToContractArray(), roundTrip.ToContractArray());
    }

    [Fact]
    public async Task Builds_are_cached_by_sources_parameters_and_ptau()
    {
        var again = await circuits.Builder.BuildAsync(new BallotCircuit(BallotCircuitKind.ProcessMessages, BallotCircuitParameters.Test));
        Assert.Equal(circuits.Process.Directory, again.Directory);
        Assert.Equal(circuits.Process.Key, again.Key);
        var other = await circuits.Builder.CompileAsync(new BallotCircuit(BallotCircuitKind.TallyVotes, new BallotCircuitParameters(2, 1, 1)));
        Assert.NotEqual(circuits.Tally.Compiled.SourceKey, other.SourceKey);
        Assert.True(other.Constraints < circuits.Tally.Compiled.Constraints);
        Assert.Throws<InvalidOperationException>(() => PowersOfTau.Open(circuits.Process.PowersOfTau.Path, 16, new string('0', 64)));
    }

    [Theory]
    [InlineData(BallotCircuitKind.ProcessMessages)]
    [InlineData(BallotCircuitKind.TallyVotes)]
    public void The_committed_Solidity_verifiers_are_the_exported_ones(BallotCircuitKind kind)
    {
        var keys = kind == BallotCircuitKind.ProcessMessages ? circuits.Process : circuits.Tally;
        var committed = Path.Combine(TestToolchain.Layout.Root, "contracts", "src", "verifiers", keys.Compiled.Circuit.VerifierName + ".sol");
        Assert.True(File.Exists(committed), $"{committed} is missing: run scripts/circuits");
        Assert.Equal(File.ReadAllText(keys.SolidityVerifier), File.ReadAllText(committed));
        // `ballot verify` tells members these verifiers come from the forgeable development setup.
        Assert.True(keys.PowersOfTau.IsInsecureDevelopmentFile);
    }

    [Fact]
    public void Development_keys_coordinate_only_on_local_development_chains_unless_forced()
    {
        var keys = circuits.Process;
        BallotKeyPolicy.EnsureUsable(keys, 31337, allowInsecure: false);
        BallotKeyPolicy.EnsureUsable(keys, 1337, allowInsecure: false);
        var refused = Assert.Throws<InvalidOperationException>(() => BallotKeyPolicy.EnsureUsable(keys, 1, allowInsecure: false));
        Assert.Contains("INSECURE", refused.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => BallotKeyPolicy.EnsureUsable(keys, 100, allowInsecure: false));
        BallotKeyPolicy.EnsureUsable(keys, 1, allowInsecure: true);
        var ceremony = keys with { PowersOfTau = keys.PowersOfTau with { Path = Path.Combine(Path.GetTempPath(), "powersOfTau28_hez_final_16.ptau") } };
        BallotKeyPolicy.EnsureUsable(ceremony, 1, allowInsecure: false);
    }
}
