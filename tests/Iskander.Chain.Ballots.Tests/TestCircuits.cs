using Iskander.Chain.Ballots.Circuits;
using Iskander.Chain.Testing;
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
}
