using Iskander.Chain.Ballots.Circuits;
using Iskander.Chain.Testing;
using Iskander.Chain.Zk.Maci;
using Serilog;

namespace Iskander.Chain.Ballots.Tests;

/// <summary>The test-shape circuits with Groth16 keys from the development ptau, built once per run (and cached across runs).</summary>
public sealed class TestCircuits
{
    public TestCircuits()
    {
        Builder = new CircuitBuilder(TestToolchain.Runner(), new LoggerConfiguration().CreateLogger());
        var process = Builder.BuildAsync(new BallotCircuit(BallotCircuitKind.ProcessMessages, BallotCircuitParameters.Test));
        var tally = Builder.BuildAsync(new BallotCircuit(BallotCircuitKind.TallyVotes, BallotCircuitParameters.Test));
        Process = process.GetAwaiter().GetResult();
        Tally = tally.GetAwaiter().GetResult();
    }

    public CircuitBuilder Builder { get; }

    public CircuitKeys Process { get; }

    public CircuitKeys Tally { get; }
}
