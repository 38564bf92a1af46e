namespace Iskander.Chain.Toolchain;

/// <summary>Asks each tool for its version, the way each tool prefers to be asked.</summary>
public static class ToolVersions
{
    /// <summary>Runs the tool's version query and returns a one-line version string.</summary>
    /// <exception cref="ToolException">The tool is missing, fails or hangs.</exception>
    public static async Task<string> ProbeAsync(ToolRunner runner, Tool tool, CancellationToken cancellationToken = default)
    {
        // snarkjs has no version flag: it prints "snarkjs@x.y.z" above its usage text and exits 99.
        var options = new ToolRunOptions { Timeout = TimeSpan.FromSeconds(60), AllowFailure = tool == Tool.Snarkjs };
        var result = await runner.RunAsync(tool, ["--version"], options, cancellationToken).ConfigureAwait(false);
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = tool switch
        {
            Tool.Solc => lines.FirstOrDefault(l => l.StartsWith("Version:", StringComparison.Ordinal)),
            Tool.Circom => lines.FirstOrDefault(l => l.StartsWith("circom compiler", StringComparison.Ordinal)),
            Tool.Snarkjs => lines.FirstOrDefault(l => l.StartsWith("snarkjs@", StringComparison.Ordinal)),
            _ => lines.FirstOrDefault(),
        };
        return line ?? throw new ToolFailedException(tool, result.ExitCode, "--version", "no version in its output");
    }
}
