using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Iskander.Chain.Bench;
using Iskander.Chain.Toolchain;

// One command, one table: BenchmarkDotNet measures our side, the Node script the JavaScript peer,
// on the same inputs in the same run; the table goes to stdout and bench/results/<suite>.md.
var suites = new Dictionary<string, BenchSuite>
{
    ["ethereum"] = new("Ethereum primitives", typeof(EthereumBenchmarks), "ethers-bench.mjs", new Dictionary<string, long>()),
    ["content"] = new("Content addressing", typeof(ContentBenchmarks), "unixfs-bench.mjs", ContentBenchmarks.BytesPerOperation),
    ["zk"] = new("ZK primitives", typeof(ZkBenchmarks), "zk-bench.mjs", new Dictionary<string, long>()),
    ["curve"] = new("BN254 curve", typeof(CurveBenchmarks), "curve-bench.mjs", new Dictionary<string, long>()),
};
var name = args.FirstOrDefault() ?? "ethereum";
if (name == "anchoring")
{
    // A whole-system run, not a BenchmarkDotNet suite.
    var anchoringLayout = ProjectLayout.Discover();
    var figures = await AnchoringThroughput.RunAsync(anchoringLayout);
    var anchoringText = $"# Anchoring end to end\n\nMeasured {DateTime.UtcNow:yyyy-MM-dd} on {Environment.ProcessorCount} cores, .NET {Environment.Version}; anvil (automine), PostgreSQL 15, embedded content store, Loomio emulator.\n\n{figures}";
    await File.WriteAllTextAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(anchoringLayout.Root, "bench", "results")).FullName, "anchoring.md"), anchoringText);
    Console.WriteLine(anchoringText);
    return 0;
}

if (name == "watch")
{
    // A whole-system run, not a BenchmarkDotNet suite.
    var watchLayout = ProjectLayout.Discover();
    var watchText = $"# Watching the contracts: catch-up\n\nMeasured {DateTime.UtcNow:yyyy-MM-dd} on {Environment.ProcessorCount} cores, .NET {Environment.Version}; anvil, PostgreSQL 15, both on the same machine.\n\n{await WatchThroughput.RunAsync(watchLayout)}";
    await File.WriteAllTextAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(watchLayout.Root, "bench", "results")).FullName, "watch.md"), watchText);
    Console.WriteLine(watchText);
    return 0;
}

if (name == "coordinator")
{
    // bench/run coordinator [shape] [members]: the coordinator's whole proving work for one ballot; a whole-system run.
    var coordinatorLayout = ProjectLayout.Discover();
    var shape = args.ElementAtOrDefault(1) ?? "test";
    var parameters = Iskander.Chain.Zk.Maci.BallotCircuitParameters.Parse(shape) ?? throw new ArgumentException($"unknown shape {shape}");
    var members = int.Parse(args.ElementAtOrDefault(2) ?? parameters.MaxMembers.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    var coordinatorText = $"# A ballot's coordinator end to end\n\nMeasured {DateTime.UtcNow:yyyy-MM-dd} on {Environment.ProcessorCount} cores, .NET {Environment.Version}, snarkjs 0.7.6 (witness), the C# prover and verifier.\n\n{await CoordinatorRun.RunAsync(coordinatorLayout, parameters, members)}";
    await File.WriteAllTextAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(coordinatorLayout.Root, "bench", "results")).FullName, $"coordinator-{shape.Replace(',', '_')}.md"), coordinatorText);
    Console.WriteLine(coordinatorText);
    return 0;
}

if (name == "ballots")
{
    var ballotLayout = ProjectLayout.Discover();
    var ballotText = $"# Secret ballots\n\nMeasured {DateTime.UtcNow:yyyy-MM-dd} on {Environment.ProcessorCount} cores, .NET {Environment.Version}, circom2 0.2.23 (circom 2.2.x, --O2), snarkjs 0.7.6.\n\n{await BallotFigures.RunAsync(ballotLayout)}";
    await File.WriteAllTextAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(ballotLayout.Root, "bench", "results")).FullName, "ballots.md"), ballotText);
    Console.WriteLine(ballotText);
    return 0;
}

if (name == "prove")
{
    // One-shot timings of whole proofs (seconds each), not a BenchmarkDotNet suite.
    var proveLayout = ProjectLayout.Discover();
    // bench/run prove [shape]: the test shape (and the MSM alone) by default; another shape in its own file.
    var proveShape = args.ElementAtOrDefault(1) ?? "test";
    var proveParameters = Iskander.Chain.Zk.Maci.BallotCircuitParameters.Parse(proveShape) ?? throw new ArgumentException($"unknown shape {proveShape}");
    var proveText = $"# Groth16 proving\n\nMeasured {DateTime.UtcNow:yyyy-MM-dd} on {Environment.ProcessorCount} cores, .NET {Environment.Version}, snarkjs 0.7.6.\n\n{await ProveFigures.RunAsync(proveLayout, proveParameters)}";
    await File.WriteAllTextAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(proveLayout.Root, "bench", "results")).FullName, proveShape == "test" ? "prove.md" : $"prove-{proveShape.Replace(',', '_')}.md"), proveText);
    Console.WriteLine(proveText);
    return 0;
}

var job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(8);
var config = ManualConfig.CreateMinimumViable().AddJob(job).WithOptions(ConfigOptions.DisableLogFile);

if (name == "nethereum")
{
    // Both stacks are .NET: one BenchmarkDotNet run, rows paired as "ours: X" / "Nethereum: X".
    var nethereumLayout = ProjectLayout.Discover();
    var rates = BenchmarkRunner.Run<NethereumBenchmarks>(config).Reports
        .Where(r => r.ResultStatistics is not null)
        .ToDictionary(r => r.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\''), r => 1e9 / r.ResultStatistics!.Mean);
    var pairs = new StringBuilder().AppendLine("| operation | Iskander.Chain (ops/s) | Nethereum 6.1.0 (ops/s) | ratio |").AppendLine("|---|---:|---:|---:|");
    foreach (var (row, mine) in rates.Where(p => p.Key.StartsWith("ours: ", StringComparison.Ordinal)).OrderBy(p => p.Key, StringComparer.Ordinal))
    {
        var operation = row["ours: ".Length..];
        var theirs = rates[$"Nethereum: {operation}"];
        pairs.AppendLine(CultureInfo.InvariantCulture, $"| {operation} | {mine:N0} | {theirs:N0} | {mine / theirs:0.0}× |");
    }

    var nethereumText = $"# Ethereum decoding: Iskander.Chain vs Nethereum 6.1.0\n\nMeasured {DateTime.UtcNow:yyyy-MM-dd} on {Environment.ProcessorCount} cores, .NET {Environment.Version}.\n\n{pairs}";
    await File.WriteAllTextAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(nethereumLayout.Root, "bench", "results")).FullName, "nethereum.md"), nethereumText);
    Console.WriteLine(nethereumText);
    return 0;
}

if (name == "field")
{
    // Field products alone, for work on the arithmetic: BenchmarkDotNet's own table, no peer.
    BenchmarkRunner.Run<FieldBenchmarks>(config);
    return 0;
}

if (name == "ptau")
{
    // One-shot timings of whole files (seconds each), not a BenchmarkDotNet suite.
    var ptauLayout = ProjectLayout.Discover();
    var ptauText = $"# Development powers of tau by power\n\nMeasured {DateTime.UtcNow:yyyy-MM-dd} on {Environment.ProcessorCount} cores, .NET {Environment.Version}, snarkjs 0.7.6.\n\n{await PowersOfTauFigures.RunAsync(ptauLayout, args.Skip(1).ToArray())}";
    await File.WriteAllTextAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(ptauLayout.Root, "bench", "results")).FullName, "ptau.md"), ptauText);
    Console.WriteLine(ptauText);
    return 0;
}

if (!suites.TryGetValue(name, out var suite))
{
    Console.Error.WriteLine($"unknown suite '{name}' (available: {string.Join(", ", suites.Keys)}, field, nethereum, anchoring, watch, ballots, ptau, prove)");
    return 2;
}

var layout = ProjectLayout.Discover();
var summary = BenchmarkRunner.Run(suite.Benchmarks, config);

// Rows that process a known number of bytes are reported as MiB/s, the rest as operations per second.
var ours = summary.Reports
    .Where(r => r.ResultStatistics is not null)
    .ToDictionary(r => r.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\''), r =>
    {
        var perSecond = 1e9 / r.ResultStatistics!.Mean;
        var row = r.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\'');
        return suite.BytesPerOperation.TryGetValue(row, out var bytes) ? perSecond * bytes / (1 << 20) : perSecond;
    });

var node = await new ToolRunner(new Toolchain(layout)).RunAsync(Tool.Node, [Path.Combine(layout.Root, "bench", suite.PeerScript)],
    new ToolRunOptions { Timeout = TimeSpan.FromMinutes(10) });
using var peer = JsonDocument.Parse(node.StandardOutput);
var peerName = peer.RootElement.GetProperty("peer").GetString();
var peerRows = peer.RootElement.GetProperty("rows").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());

var table = new StringBuilder()
    .AppendLine(CultureInfo.InvariantCulture, $"| operation | unit | Iskander.Chain | {peerName} | ratio |")
    .AppendLine("|---|---|---:|---:|---:|");
foreach (var (row, mine) in ours.OrderBy(pair => pair.Key, StringComparer.Ordinal))
{
    var unit = suite.BytesPerOperation.ContainsKey(row) ? "MiB/s" : "ops/s";
    var theirs = peerRows.TryGetValue(row, out var value) ? value : double.NaN;
    var peerCell = double.IsNaN(theirs) ? "—" : theirs.ToString("N0", CultureInfo.InvariantCulture);
    var ratioCell = double.IsNaN(theirs) ? "—" : (mine / theirs).ToString("0.0", CultureInfo.InvariantCulture) + "×";
    table.AppendLine(CultureInfo.InvariantCulture, $"| {row} | {unit} | {mine:N0} | {peerCell} | {ratioCell} |");
}

var header = $"Measured {DateTime.UtcNow:yyyy-MM-dd} on {Environment.ProcessorCount} cores, .NET {Environment.Version}, Node {peer.RootElement.GetProperty("node").GetString()}.";
var text = $"# {suite.Title}: Iskander.Chain vs {peerName}\n\n{header}\n\n{table}";
var resultsDirectory = Directory.CreateDirectory(Path.Combine(layout.Root, "bench", "results")).FullName;
await File.WriteAllTextAsync(Path.Combine(resultsDirectory, $"{name}.md"), text);
Console.WriteLine();
Console.WriteLine(text);
return 0;

/// <summary>A benchmark suite: the BenchmarkDotNet class, its JavaScript peer and the rows measured in bytes.</summary>
internal sealed record BenchSuite(string Title, Type Benchmarks, string PeerScript, IReadOnlyDictionary<string, long> BytesPerOperation);
