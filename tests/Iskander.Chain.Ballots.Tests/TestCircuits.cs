using Iskander.Chain.Ballots.Circuits;
using Iskander.Chain.Testing;
using Iskander.Chain.Toolchain;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;
using Serilog;

namespace Iskander.Chain.Ballots.Tests;

/// <summary>
/// The test-shape circuits with Groth16 keys from the development ptau: built once per run for every
/// test class (on a fresh machine the setup takes minutes; classes run in parallel must not repeat
/// it) and cached across runs.
/// </summary>
public sealed class TestCircuits
{
    private static readonly Lazy<(CircuitBuilder Builder, CircuitKeys Process, CircuitKeys Tally)> Shared = new(() =>
    {
        var builder = new CircuitBuilder(TestToolchain.Runner(), new LoggerConfiguration().CreateLogger());
        var process = builder.BuildAsync(new BallotCircuit(BallotCircuitKind.ProcessMessages, BallotCircuitParameters.Test));
        var tally = builder.BuildAsync(new BallotCircuit(BallotCircuitKind.TallyVotes, BallotCircuitParameters.Test));
        return (builder, process.GetAwaiter().GetResult(), tally.GetAwaiter().GetResult());
    });

    public TestCircuits() => (Builder, Process, Tally) = Shared.Value;

    public CircuitBuilder Builder { get; }

    public CircuitKeys Process { get; }

    public CircuitKeys Tally { get; }

    /// <summary>A small off-chain poll of the test shape: three members signed up, each voting <paramref name="choice"/>(their position) once.</summary>
    public static (MaciPrivateKey Coordinator, PollProcessor Poll) ThreeVoterPoll(Func<int, ulong> choice)
    {
        var coordinator = MaciPrivateKey.Generate();
        var poll = new PollProcessor(BallotCircuitParameters.Test, 3, pollId: 1, initialCredits: 1);
        var voters = Enumerable.Range(0, 3).Select(_ => MaciPrivateKey.Generate()).ToList();
        foreach (var voter in voters) poll.SignUp(voter.PublicKey());
        for (var i = 0; i < voters.Count; i++)
        {
            poll.Publish(PublishedMessage.Create(voters[i], (ulong)i + 1, voters[i].PublicKey(), choice(i), 1, 1, 1, coordinator.PublicKey()));
        }

        return (coordinator, poll);
    }

    /// <summary>Whether <c>snarkjs groth16 verify</c> (the independent oracle) accepts the proof files.</summary>
    public static async Task<bool> SnarkjsVerifiesAsync(CircuitKeys keys, string proofPath, string publicPath)
    {
        var result = await TestToolchain.Runner().RunAsync(Tool.Snarkjs, ["groth16", "verify", keys.VerificationKey, publicPath, proofPath], new ToolRunOptions { AllowFailure = true });
        return result.ExitCode == 0 && result.StandardOutput.Contains("OK!", StringComparison.Ordinal);
    }
}
