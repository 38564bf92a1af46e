using System.Diagnostics;
using System.Globalization;
using System.Text;
using Iskander.Chain.Ballots.Circuits;
using Iskander.Chain.Ballots.Proving;
using Iskander.Chain.Testing;
using Iskander.Chain.Toolchain;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;
using Serilog;

namespace Iskander.Chain.Bench;

/// <summary>
/// Secret-ballot figures: constraints per circuit shape (next to PSE MACI's published counts),
/// snarkjs prove times for the test shape (measured) and the coop shape (extrapolated: its 2^19
/// powers of tau is not available offline), and gas of every ballot transaction on anvil with real
/// proofs.
/// </summary>
internal static class BallotFigures
{
    public static async Task<string> RunAsync(ProjectLayout layout)
    {
        var log = new LoggerConfiguration().CreateLogger();
        var runner = new ToolRunner(new Toolchain.Toolchain(layout), log);
        var builder = new CircuitBuilder(runner, log);
        var text = new StringBuilder();

        // Constraints.
        text.AppendLine("## Constraints").AppendLine()
            .AppendLine("| circuit | shape (s, batch, d) | constraints | per message | ptau power | reference |").AppendLine("|---|---|---:|---:|---:|---|");
        var shapes = new (BallotCircuitKind Kind, BallotCircuitParameters Parameters, string Reference)[]
        {
            (BallotCircuitKind.ProcessMessages, new(5, 1, 1), "PSE MACI NonQV (5,1,1): 21,218"),
            (BallotCircuitKind.ProcessMessages, BallotCircuitParameters.Test, "test shape"),
            (BallotCircuitKind.TallyVotes, BallotCircuitParameters.Test, "test shape (8 ballots)"),
            (BallotCircuitKind.ProcessMessages, BallotCircuitParameters.Coop, "coop shape"),
            (BallotCircuitKind.TallyVotes, BallotCircuitParameters.Coop, "coop shape (128 ballots, 25 options)"),
        };
        var counts = new Dictionary<string, long>();
        foreach (var (kind, parameters, reference) in shapes)
        {
            var compiled = await builder.CompileAsync(new BallotCircuit(kind, parameters));
            counts[compiled.Circuit.Name] = compiled.Constraints;
            var perMessage = kind == BallotCircuitKind.ProcessMessages ? (compiled.Constraints / parameters.BatchSize).ToString("N0", CultureInfo.InvariantCulture) : "-";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {kind} | ({parameters.StateTreeDepth}, {(kind == BallotCircuitKind.ProcessMessages ? parameters.BatchSize : "-")}, {parameters.VoteOptionTreeDepth}) | {compiled.Constraints:N0} | {perMessage} | {Math.Ceiling(Math.Log2(compiled.Constraints + 12))} | {reference} |");
        }

        // Prove times (test shape: measured; coop: extrapolated linearly in constraints).
        var process = await builder.BuildAsync(new BallotCircuit(BallotCircuitKind.ProcessMessages, BallotCircuitParameters.Test));
        var tally = await builder.BuildAsync(new BallotCircuit(BallotCircuitKind.TallyVotes, BallotCircuitParameters.Test));
        var prover = new Groth16Prover(runner, log) { Engine = ProverEngine.Snarkjs }; // this table is of snarkjs; bench/run prove compares ours
        var coordinator = MaciPrivateKey.Generate();
        using var work = new TempDirectory();
        var processTimes = new List<double>();
        var tallyTimes = new List<double>();
        for (var run = 0; run < 3; run++)
        {
            var poll = new PollProcessor(BallotCircuitParameters.Test, 5, 1, 1);
            var voter = MaciPrivateKey.Generate();
            poll.SignUp(voter.PublicKey());
            poll.Publish(PublishedMessage.Create(voter, 1, voter.PublicKey(), 2, 1, 1, 1, coordinator.PublicKey()));
            var clock = Stopwatch.StartNew();
            await prover.ProveAsync(process, poll.ProcessNextBatch(coordinator, Fr.Random()).Inputs, work.Path, $"p{run}");
            processTimes.Add(clock.Elapsed.TotalSeconds);
            clock.Restart();
            await prover.ProveAsync(tally, poll.Tally(Fr.Random(), Fr.Random()).Inputs, work.Path, $"t{run}");
            tallyTimes.Add(clock.Elapsed.TotalSeconds);
        }

        double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        var perConstraint = Median(processTimes) / process.Compiled.Constraints;
        var bytesPerConstraint = (double)new FileInfo(process.ProvingKey).Length / process.Compiled.Constraints;
        text.AppendLine().AppendLine("## Proving (snarkjs 0.7.6, witness + Groth16 prove + local verify, median of 3)").AppendLine()
            .AppendLine("| proof | constraints | time | zkey | basis |").AppendLine("|---|---:|---:|---:|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| process batch, test shape | {process.Compiled.Constraints:N0} | {Median(processTimes):0.0} s | {new FileInfo(process.ProvingKey).Length / 1048576.0:0.0} MiB | measured |")
            .AppendLine(CultureInfo.InvariantCulture, $"| tally, test shape | {tally.Compiled.Constraints:N0} | {Median(tallyTimes):0.0} s | {new FileInfo(tally.ProvingKey).Length / 1048576.0:0.0} MiB | measured |");
        foreach (var name in new[] { new BallotCircuit(BallotCircuitKind.ProcessMessages, BallotCircuitParameters.Coop).Name, new BallotCircuit(BallotCircuitKind.TallyVotes, BallotCircuitParameters.Coop).Name })
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {counts[name]:N0} | ~{counts[name] * perConstraint:0} s | ~{counts[name] * bytesPerConstraint / 1048576.0:0} MiB | extrapolated (linear in constraints) |");
        }

        return text.ToString();
    }
}
