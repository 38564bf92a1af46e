using System.Text.Json;
using System.Text.Json.Nodes;
using Iskander.Chain.Toolchain;

namespace Iskander.Chain.Testing;

/// <summary>
/// Runs an independent JavaScript implementation (ethers.js, circomlibjs, …) from
/// <c>tests/oracles/</c> with JSON in and out, so that our results are checked against code nobody
/// here wrote. One process handles a whole batch of cases.
/// </summary>
public static class NodeOracle
{
    /// <summary>Sends <paramref name="cases"/> to <paramref name="script"/>'s <paramref name="operation"/> and returns one result per case.</summary>
    public static async Task<IReadOnlyList<JsonNode>> RunAsync(string script, string operation, IEnumerable<object> cases)
    {
        var input = JsonSerializer.Serialize(new { op = operation, cases });
        var scriptPath = Path.Combine(TestToolchain.Layout.Root, "tests", "oracles", script);
        var result = await TestToolchain.Runner().RunAsync(Tool.Node, [scriptPath],
            new ToolRunOptions { StandardInput = input, Timeout = TimeSpan.FromMinutes(5) });
        var output = JsonNode.Parse(result.StandardOutput) ?? throw new InvalidOperationException("oracle printed nothing");
        return output["results"]!.AsArray().Select(r => r!).ToList();
    }

    /// <summary>
    /// As <see cref="RunAsync"/>, on the project's pinned Node 22 (npm <c>node22</c>): today's Helia
    /// packages need it, the machine's Node is older.
    /// </summary>
    public static async Task<IReadOnlyList<JsonNode>> RunOnNode22Async(string script, string operation, IEnumerable<object> cases)
    {
        var node = Path.Combine(TestToolchain.Layout.NodeModules, "node22", "bin", "node");
        if (!File.Exists(node)) throw new FileNotFoundException($"Node 22 is missing at {node}: run scripts/bootstrap");
        var input = JsonSerializer.Serialize(new { op = operation, cases });
        var scriptPath = Path.Combine(TestToolchain.Layout.Root, "tests", "oracles", script);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var result = await CliWrap.Buffered.BufferedCommandExtensions.ExecuteBufferedAsync(
            CliWrap.Cli.Wrap(node).WithArguments([scriptPath]).WithStandardInputPipe(CliWrap.PipeSource.FromString(input)).WithValidation(CliWrap.CommandResultValidation.None),
            timeout.Token);
        if (result.ExitCode != 0) throw new InvalidOperationException($"{script} failed ({result.ExitCode}): {result.StandardError}");
        var output = JsonNode.Parse(result.StandardOutput) ?? throw new InvalidOperationException("oracle printed nothing");
        return output["results"]!.AsArray().Select(r => r!).ToList();
    }

    /// <summary>A seed for randomised cross-checks: <c>ISKANDER_TEST_SEED</c> when set (to replay a failure), else fresh.</summary>
    public static int Seed(Xunit.Abstractions.ITestOutputHelper output)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ISKANDER_TEST_SEED"), out var fixedSeed)
            ? fixedSeed
            : Random.Shared.Next();
        output.WriteLine($"random seed {seed} (replay with ISKANDER_TEST_SEED={seed})");
        return seed;
    }
}
