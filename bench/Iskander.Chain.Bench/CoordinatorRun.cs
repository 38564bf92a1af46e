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
/// The coordinator's work for a ballot of <c>members</c> members who each vote once: replaying the
/// poll, then every processing batch and every tally batch as the coordinator proves them (witness
/// from the circuit's WebAssembly, the C# prover, the C# verifier), timed as a whole
/// with the peak memory of this process (the C# prover; the snarkjs children are not measured:
/// getrusage's figure for children includes the parent's size at each fork). The chain's part (sign-ups,
/// messages, verification on chain) is left out: it is measured by the Foundry gas figures and
/// does not grow the coordinator's time. Keys are built (or taken from the cache) before the clock
/// starts.
/// </summary>
internal static class CoordinatorRun
{
    public static async Task<string> RunAsync(ProjectLayout layout, BallotCircuitParameters parameters, int members)
    {
        if (members < 1 || members > parameters.MaxMembers) throw new ArgumentOutOfRangeException(nameof(members), $"1 to {parameters.MaxMembers} members at this shape");
        var log = new LoggerConfiguration().CreateLogger();
        var runner = new ToolRunner(new Toolchain.Toolchain(layout), log);
        var builder = new CircuitBuilder(runner, log);
        var process = await builder.BuildAsync(new BallotCircuit(BallotCircuitKind.ProcessMessages, parameters));
        var tally = await builder.BuildAsync(new BallotCircuit(BallotCircuitKind.TallyVotes, parameters));

        var coordinator = MaciPrivateKey.Generate();
        var poll = ClosedPoll(parameters, members, coordinator);

        var prover = new Groth16Prover(runner, log);
        using var work = new TempDirectory();
        var processTimes = new List<double>();
        var tallyTimes = new List<double>();
        var total = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        while (poll.BatchesLeft > 0)
        {
            var clock = Stopwatch.StartNew();
            var batch = poll.ProcessNextBatch(coordinator, Fr.Random());
            await prover.ProveAsync(process, batch.Inputs, work.Path, "process");
            processTimes.Add(clock.Elapsed.TotalSeconds);
            Console.Error.WriteLine($"process batch {processTimes.Count} of {poll.BatchCount}: {processTimes[^1]:0.0} s ({total.Elapsed.TotalMinutes:0.0} min in all)");
        }

        TallyResult? last = null;
        while (poll.TallyBatchesDone < parameters.TallyBatchCount)
        {
            var clock = Stopwatch.StartNew();
            last = poll.TallyNextBatch(Fr.Random(), Fr.Random());
            await prover.ProveAsync(tally, last.Inputs, work.Path, "tally");
            tallyTimes.Add(clock.Elapsed.TotalSeconds);
        }

        var elapsed = total.Elapsed;
        var ourCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var counted = last!.Results.Sum(r => (long)r);
        if (counted != members) throw new InvalidOperationException($"the tally counts {counted} votes of {members}: the timing would be of a wrong run");

        static string Median(List<double> values) => values.Count == 0 ? "-" : values.Order().ElementAt(values.Count / 2).ToString("0.0", CultureInfo.InvariantCulture);
        return new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"## {members:N0} members, shape ({parameters.StateTreeDepth}, {parameters.BatchSize}, {parameters.VoteOptionTreeDepth}, t = {parameters.TallyBatchDepth})").AppendLine()
            .AppendLine("| what | value |").AppendLine("|---|---:|")
            .AppendLine(CultureInfo.InvariantCulture, $"| coordinator time in all (replay, witnesses, proofs, local verification) | {elapsed.TotalMinutes:0.0} min |")
            .AppendLine(CultureInfo.InvariantCulture, $"| process proofs ({process.Compiled.Constraints:N0} constraints each) | {processTimes.Count} × median {Median(processTimes)} s |")
            .AppendLine(CultureInfo.InvariantCulture, $"| tally proofs ({tally.Compiled.Constraints:N0} constraints each) | {tallyTimes.Count} × median {Median(tallyTimes)} s |")
            .AppendLine(CultureInfo.InvariantCulture, $"| CPU seconds in this process (C# prover, replay) | {ourCpu:0} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| peak working set of this process | {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0} MiB |")
            .AppendLine(CultureInfo.InvariantCulture, $"| zkeys (process, tally) | {new FileInfo(process.ProvingKey).Length / 1048576.0:0.0} MiB, {new FileInfo(tally.ProvingKey).Length / 1048576.0:0.0} MiB |")
            .ToString();
    }

    /// <summary>A poll whose <paramref name="members"/> members each signed up and voted once (options round robin), closed.</summary>
    public static PollProcessor ClosedPoll(BallotCircuitParameters parameters, int members, MaciPrivateKey coordinator)
    {
        var poll = new PollProcessor(parameters, Math.Min(5, parameters.MaxVoteOptions), 1, 1);
        for (var i = 0; i < members; i++)
        {
            var voter = MaciPrivateKey.Generate();
            var index = poll.SignUp(voter.PublicKey());
            poll.Publish(PublishedMessage.Create(voter, (ulong)index, voter.PublicKey(), (ulong)(i % 5), 1, 1, 1, coordinator.PublicKey()));
        }

        poll.CloseVoting();
        return poll;
    }
}
