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
        var shapes = new (BallotCircuitKind Kind, BallotCircuitParameters Parameters, string Note)[]
        {
            (BallotCircuitKind.ProcessMessages, new(5, 1, 1), "PSE MACI NonQV (5,1,1) compiled: 21,218"),
            (BallotCircuitKind.ProcessMessages, BallotCircuitParameters.Test, "test shape"),
            (BallotCircuitKind.TallyVotes, BallotCircuitParameters.Test, "test shape (2 batches of 4 ballots)"),
            (BallotCircuitKind.ProcessMessages, BallotCircuitParameters.Coop, "coop shape"),
            (BallotCircuitKind.TallyVotes, BallotCircuitParameters.Coop, "coop shape (4 batches of 32 ballots, 25 options)"),
            (BallotCircuitKind.ProcessMessages, new(10, 1, 1), "one message at the large shape's depths"),
            (BallotCircuitKind.ProcessMessages, BallotCircuitParameters.Large, "large shape"),
            (BallotCircuitKind.TallyVotes, BallotCircuitParameters.Large, "large shape (16 batches of 64 ballots, 5 options)"),
        };
        var counts = new Dictionary<string, long>();
        foreach (var (kind, parameters, note) in shapes)
        {
            var compiled = await builder.CompileAsync(new BallotCircuit(kind, parameters));
            counts[compiled.Circuit.Name] = compiled.Constraints;
            var isProcess = kind == BallotCircuitKind.ProcessMessages;
            var perMessage = isProcess ? (compiled.Constraints / parameters.BatchSize).ToString("N0", CultureInfo.InvariantCulture) : "-";
            var reference = isProcess ? $"{note}; MACI NonQV fit {MaciNonQvFit(parameters):N0}" : note;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {kind} | ({parameters.StateTreeDepth}, {(isProcess ? parameters.BatchSize : $"t = {parameters.TallyBatchDepth}")}, {parameters.VoteOptionTreeDepth}) | {compiled.Constraints:N0} | {perMessage} | {Math.Ceiling(Math.Log2(compiled.Constraints + 12))} | {reference} |");
        }

        // What the vote-option tree costs a message: each message hashes the whole tree twice (old
        // and new ballot), so the cost grows with 5^d; a path-based update grows with d.
        text.AppendLine().AppendLine("## One message by vote-option tree depth (s = 7, batch 1)").AppendLine()
            .AppendLine("| d | options | constraints | vs d − 1 | Poseidon5 hashes of the whole tree (×2) |").AppendLine("|---:|---:|---:|---:|---:|");
        long previous = 0;
        for (var depth = 1; depth <= 3; depth++)
        {
            var compiled = await builder.CompileAsync(new BallotCircuit(BallotCircuitKind.ProcessMessages, new(7, 1, depth)));
            var hashes = ((int)Math.Pow(5, depth) - 1) / 4;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {depth} | {(int)Math.Pow(5, depth)} | {compiled.Constraints:N0} | {(previous == 0 ? "-" : $"+{compiled.Constraints - previous:N0}")} | {hashes} |");
            previous = compiled.Constraints;
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
            await prover.ProveAsync(tally, poll.TallyRemaining()[^1].Inputs, work.Path, $"t{run}");
            tallyTimes.Add(clock.Elapsed.TotalSeconds);
        }

        double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        var perConstraint = Median(processTimes) / process.Compiled.Constraints;
        var bytesPerConstraint = (double)new FileInfo(process.ProvingKey).Length / process.Compiled.Constraints;
        text.AppendLine().AppendLine("## Proving (snarkjs 0.7.6, witness + Groth16 prove + local verify, median of 3)").AppendLine()
            .AppendLine("| proof | constraints | time | zkey | basis |").AppendLine("|---|---:|---:|---:|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| process batch, test shape | {process.Compiled.Constraints:N0} | {Median(processTimes):0.0} s | {new FileInfo(process.ProvingKey).Length / 1048576.0:0.0} MiB | measured |")
            .AppendLine(CultureInfo.InvariantCulture, $"| tally, test shape | {tally.Compiled.Constraints:N0} | {Median(tallyTimes):0.0} s | {new FileInfo(tally.ProvingKey).Length / 1048576.0:0.0} MiB | measured |");
        foreach (var name in new[] { BallotCircuitParameters.Coop, BallotCircuitParameters.Large }.SelectMany(p => new[] { new BallotCircuit(BallotCircuitKind.ProcessMessages, p).Name, new BallotCircuit(BallotCircuitKind.TallyVotes, p).Name }))
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {counts[name]:N0} | ~{counts[name] * perConstraint:0} s | ~{counts[name] * bytesPerConstraint / 1048576.0:0} MiB | extrapolated (linear in constraints) |");
        }

        return text.ToString();
    }

    // PSE MACI's processor, affine fit over its compiled QV counts (1,853 + N·(14,220 + 979·s + 1,011·d)), less ~761 a message for NonQV.
    private static long MaciNonQvFit(BallotCircuitParameters p) =>
        1_853 + (p.BatchSize * (14_220L + (979 * p.StateTreeDepth) + (1_011 * p.VoteOptionTreeDepth) - 761));
}
