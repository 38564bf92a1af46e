using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Iskander.Chain.Ballots.Circuits;
using Iskander.Chain.Ballots.Proving;
using Iskander.Chain.Testing;
using Iskander.Chain.Toolchain;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Groth16;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;
using Serilog;

namespace Iskander.Chain.Bench;

/// <summary>
/// Groth16 proving: our prover and <c>snarkjs groth16 prove</c> on the same zkey and witness (a full
/// process batch of the shape asked for, the test shape by default), each run in turn, median of a
/// few runs; and, with the test shape, the G1 multi-scalar multiplication alone at 2^16 and 2^19
/// points with the window the prover chooses, and the G2 one at 2^15 points in lanes and scalar.
/// </summary>
internal static class ProveFigures
{
    private const int Runs = 3;

    public static async Task<string> RunAsync(ProjectLayout layout, BallotCircuitParameters shape)
    {
        var log = new LoggerConfiguration().CreateLogger();
        var runner = new ToolRunner(new Toolchain.Toolchain(layout), log);
        var keys = await new CircuitBuilder(runner, log).BuildAsync(new BallotCircuit(BallotCircuitKind.ProcessMessages, shape));
        using var work = new TempDirectory();
        var witness = await WitnessAsync(runner, keys, shape, work.Path);

        var ours = new List<double>();
        var theirs = new List<double>();
        var oursCpu = new List<double>();
        var theirsCpu = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            var clock = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            ZkeyProver.ProveToFiles(keys.ProvingKey, witness, Path.Combine(work.Path, "ours.proof.json"), Path.Combine(work.Path, "ours.public.json"));
            ours.Add(clock.Elapsed.TotalSeconds);
            oursCpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
            Console.Error.WriteLine($"ours: {ours[^1]:0.00} s, CPU {oursCpu[^1]:0.00} s");
            clock.Restart();
            var children = ChildrenCpuSeconds();
            await runner.RunAsync(Tool.Snarkjs, ["groth16", "prove", keys.ProvingKey, witness, Path.Combine(work.Path, "snarkjs.proof.json"), Path.Combine(work.Path, "snarkjs.public.json")],
                new ToolRunOptions { Timeout = TimeSpan.FromHours(1) });
            theirs.Add(clock.Elapsed.TotalSeconds);
            theirsCpu.Add(ChildrenCpuSeconds() - children);
            Console.Error.WriteLine($"snarkjs: {theirs[^1]:0.00} s, CPU {theirsCpu[^1]:0.00} s");
        }

        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        var verified = await runner.RunAsync(Tool.Snarkjs, ["groth16", "verify", keys.VerificationKey, Path.Combine(work.Path, "ours.public.json"), Path.Combine(work.Path, "ours.proof.json")],
            new ToolRunOptions { AllowFailure = true });
        if (verified.ExitCode != 0) throw new InvalidOperationException("snarkjs does not verify our proof: the timing would be of a wrong prover");

        // Verification as the coordinator does it before sending (in process, key read from its file) and as snarkjs does it (a process).
        var oursVerify = new List<double>();
        var theirsVerify = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            var clock = Stopwatch.StartNew();
            if (!Groth16Prover.Verify(keys, Path.Combine(work.Path, "ours.proof.json"), Path.Combine(work.Path, "ours.public.json"))) throw new InvalidOperationException("our verifier rejects a proof snarkjs accepts");
            oursVerify.Add(clock.Elapsed.TotalSeconds);
            clock.Restart();
            await runner.RunAsync(Tool.Snarkjs, ["groth16", "verify", keys.VerificationKey, Path.Combine(work.Path, "ours.public.json"), Path.Combine(work.Path, "ours.proof.json")]);
            theirsVerify.Add(clock.Elapsed.TotalSeconds);
        }

        var zkey = new FileInfo(keys.ProvingKey).Length;
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"## Prove: {keys.Compiled.Circuit.Name} ({keys.Compiled.Constraints:N0} constraints, zkey {zkey / 1048576.0:0.0} MiB), same zkey and witness, median of {Runs}").AppendLine()
            .AppendLine("| prover | seconds (wall) | ratio | CPU seconds | ratio |").AppendLine("|---|---:|---:|---:|---:|")
            .AppendLine(CultureInfo.InvariantCulture, $"| snarkjs 0.7.6 `groth16 prove` (Node, WebAssembly, all cores) | {Median(theirs):0.00} | 1× | {Median(theirsCpu):0.00} | 1× |")
            .AppendLine(CultureInfo.InvariantCulture, $"| Iskander.Chain `ZkeyProver` (in process, all cores) | {Median(ours):0.00} | {Median(theirs) / Median(ours):0.0}× | {Median(oursCpu):0.00} | {Median(theirsCpu) / Median(oursCpu):0.0}× |")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Runs in turn (ours, snarkjs): {string.Join("; ", ours.Zip(theirs, (a, b) => $"{a:0.00} s, {b:0.00} s"))}. Load average at the end: {LoadAverage()} (other processes share the cores; compare ratios of one run).")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Peak working set of the benchmark process after our runs: {peak / 1048576.0:0} MiB (includes the runtime and the benchmark itself).")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"## Verify the same proof, median of {Runs}").AppendLine()
            .AppendLine("| verifier | seconds (wall) | ratio |").AppendLine("|---|---:|---:|")
            .AppendLine(CultureInfo.InvariantCulture, $"| snarkjs 0.7.6 `groth16 verify` (a Node process, as the coordinator ran it before) | {Median(theirsVerify):0.000} | 1× |")
            .AppendLine(CultureInfo.InvariantCulture, $"| Iskander.Chain `VerificationKey.Verify` (in process, key read and checked each time) | {Median(oursVerify):0.000} | {Median(theirsVerify) / Median(oursVerify):0}× |")
            .AppendLine();

        if (shape != BallotCircuitParameters.Test) return text.ToString();
        text.AppendLine("## G1 multi-scalar multiplication (random full-width scalars)").AppendLine()
            .AppendLine("| points | window bits | seconds | µs per point |").AppendLine("|---:|---:|---:|---:|");
        foreach (var power in new[] { 16, 19 })
        {
            var (points, scalars) = RandomInstance(Bn254.G1Generator, 1 << power);
            var times = new List<double>();
            for (var run = 0; run < Runs; run++)
            {
                var clock = Stopwatch.StartNew();
                MultiScalarMultiplication.Compute<Fq>(points, scalars);
                times.Add(clock.Elapsed.TotalSeconds);
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"| 2^{power} | {MultiScalarMultiplication.WindowBits(points.Length)} | {Median(times):0.000} | {Median(times) * 1e6 / points.Length:0.00} |");
            Console.Error.WriteLine(text.ToString().Split('\n')[^2]);
        }

        // G2 at about the test shape's B2 size (31,219 terms), in SIMD lanes and on the scalar path.
        text.AppendLine().AppendLine("## G2 multi-scalar multiplication (random full-width scalars)").AppendLine()
            .AppendLine("| points | additions | seconds | µs per point |").AppendLine("|---:|---|---:|---:|");
        var (g2Points, g2Scalars) = RandomInstance(Bn254.G2Generator, 1 << 15);
        foreach (var lanes in new[] { true, false })
        {
            var times = new List<double>();
            for (var run = 0; run < Runs; run++)
            {
                var clock = Stopwatch.StartNew();
                MultiScalarMultiplication.Compute<Fq2>(g2Points, g2Scalars, lanes: lanes);
                times.Add(clock.Elapsed.TotalSeconds);
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"| 2^15 | {(lanes ? "SIMD lanes" : "scalar")} | {Median(times):0.000} | {Median(times) * 1e6 / g2Points.Length:0.00} |");
            Console.Error.WriteLine(text.ToString().Split('\n')[^2]);
        }

        return text.ToString();
    }

    // A full process batch: as many members as the batch holds (or the tree), one vote each; its witness from the circuit's WebAssembly.
    private static async Task<string> WitnessAsync(ToolRunner runner, CircuitKeys keys, BallotCircuitParameters shape, string directory)
    {
        var coordinator = MaciPrivateKey.Generate();
        var poll = CoordinatorRun.ClosedPoll(shape, Math.Min(shape.BatchSize, shape.MaxMembers), coordinator);
        var input = Path.Combine(directory, "input.json");
        await File.WriteAllTextAsync(input, JsonSerializer.Serialize(poll.ProcessNextBatch(coordinator, Fr.Random()).Inputs));
        var witness = Path.Combine(directory, "batch.wtns");
        await runner.RunAsync(Tool.Snarkjs, ["wtns", "calculate", keys.Compiled.Wasm, input, witness], new ToolRunOptions { Timeout = TimeSpan.FromHours(1) });
        return witness;
    }

    // Consecutive multiples of G (one addition each, then one batch inversion) and random scalars below r.
    private static (AffinePoint<T>[] Points, ulong[] Scalars) RandomInstance<T>(AffinePoint<T> generator, int count)
        where T : struct, IFieldElement<T>
    {
        var jacobian = new JacobianPoint<T>[count];
        jacobian[0] = generator.ToJacobian();
        for (var i = 1; i < count; i++) jacobian[i] = jacobian[i - 1].AddMixed(generator);
        var points = new AffinePoint<T>[count];
        JacobianPoint<T>.ToAffine(jacobian, points);
        var scalars = new ulong[count * 4];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(scalars.AsSpan());
        for (var i = 0; i < count; i++) Fr.Random().WriteLittleEndian(bytes.Slice(i * 32, 32));
        return (points, scalars);
    }

    // CPU seconds of this process's finished children (Linux /proc/self/stat cutime + cstime, in USER_HZ = 100 ticks), 0 elsewhere.
    private static double ChildrenCpuSeconds()
    {
        if (!File.Exists("/proc/self/stat")) return 0;
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / 100.0;
    }

    // The 1-minute load average where the system reports one (Linux), else "unknown".
    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
