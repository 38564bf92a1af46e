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
