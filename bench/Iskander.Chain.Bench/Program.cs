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
var suite = args.FirstOrDefault() ?? "ethereum";
if (suite != "ethereum")
{
    Console.Error.WriteLine($"unknown suite '{suite}' (available: ethereum)");
    return 2;
}

var layout = ProjectLayout.Discover();
var job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(8);
var config = ManualConfig.CreateMinimumViable().AddJob(job).WithOptions(ConfigOptions.DisableLogFile);
var summary = BenchmarkRunner.Run<EthereumBenchmarks>(config);
var ours = summary.Reports
    .Where(r => r.ResultStatistics is not null)
    .ToDictionary(r => r.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\''), r => 1e9 / r.ResultStatistics!.Mean);

var node = await new ToolRunner(new Toolchain(layout)).RunAsync(Tool.Node, [Path.Combine(layout.Root, "bench", "ethers-bench.mjs")],
    new ToolRunOptions { Timeout = TimeSpan.FromMinutes(10) });
using var peer = JsonDocument.Parse(node.StandardOutput);
var peerName = peer.RootElement.GetProperty("peer").GetString();

var table = new StringBuilder()
    .AppendLine(CultureInfo.InvariantCulture, $"| operation | Iskander.Chain (ops/s) | {peerName} (ops/s) | ratio |")
    .AppendLine("|---|---:|---:|---:|");
foreach (var row in peer.RootElement.GetProperty("rows").EnumerateObject())
{
    var theirs = row.Value.GetDouble();
    var mine = ours.TryGetValue(row.Name, out var value) ? value : double.NaN;
    table.AppendLine(CultureInfo.InvariantCulture, $"| {row.Name} | {mine:N0} | {theirs:N0} | {mine / theirs:0.0}× |");
}

var header = $"Measured {DateTime.UtcNow:yyyy-MM-dd} on {Environment.ProcessorCount} cores, .NET {Environment.Version}, Node {peer.RootElement.GetProperty("node").GetString()}.";
var text = $"# Ethereum primitives: Iskander.Chain vs {peerName}\n\n{header}\n\n{table}";
var resultsDirectory = Directory.CreateDirectory(Path.Combine(layout.Root, "bench", "results")).FullName;
await File.WriteAllTextAsync(Path.Combine(resultsDirectory, $"{suite}.md"), text);
Console.WriteLine();
Console.WriteLine(text);
return 0;
