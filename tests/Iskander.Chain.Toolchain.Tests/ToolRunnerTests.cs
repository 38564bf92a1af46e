using System.Diagnostics;
using Iskander.Chain.Testing;
using Iskander.Chain.Toolchain;

namespace Iskander.Chain.Toolchain.Tests;

public sealed class ToolRunnerTests
{
    private readonly ToolRunner _runner = TestToolchain.Runner();

    [Fact]
    public async Task Output_and_exit_code_are_captured()
    {
        var result = await _runner.RunAsync(Tool.Node, ["-e", "console.log('out'); console.error('err'); process.exitCode = 3"],
            new ToolRunOptions { AllowFailure = true });
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("out", result.StandardOutput.Trim());
        Assert.Equal("err", result.StandardError.Trim());
    }

    [Fact]
    public async Task A_failing_tool_throws_with_its_error_output()
    {
        var error = await Assert.ThrowsAsync<ToolFailedException>(() =>
            _runner.RunAsync(Tool.Node, ["-e", "console.error('the reason'); process.exit(7)"]));
        Assert.Equal(7, error.ExitCode);
        Assert.Equal("the reason", error.ErrorTail);
        Assert.Equal(Tool.Node, error.Tool);
    }

    [Fact]
    public async Task A_hanging_tool_is_killed_at_its_timeout()
    {
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ToolTimeoutException>(() =>
            _runner.RunAsync(Tool.Node, ["-e", "setTimeout(() => {}, 60000)"], new ToolRunOptions { Timeout = TimeSpan.FromSeconds(1) }));
        Assert.Equal(TimeSpan.FromSeconds(1), error.Timeout);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Cancellation_kills_the_tool_and_surfaces_as_cancellation()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _runner.RunAsync(Tool.Node, ["-e", "setTimeout(() => {}, 60000)"], cancellationToken: cancel.Token));
    }

    [Fact]
    public async Task Standard_input_and_progress_lines_are_passed_through()
    {
        var lines = new List<string>();
        var result = await _runner.RunAsync(Tool.Node,
            ["-e", "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{console.log('got '+s.trim());console.log('done')})"],
            new ToolRunOptions { StandardInput = "ballot", OnLine = line => { lock (lines) lines.Add(line); } });
        Assert.Equal("got ballot\ndone", result.StandardOutput.Trim());
        Assert.Equal(["got ballot", "done"], lines);
    }

    [Fact]
    public void An_overridden_path_that_does_not_exist_is_reported_with_a_hint()
    {
        var toolchain = TestToolchain.Create(new Dictionary<Tool, string> { [Tool.Forge] = "/nonexistent/forge" });
        var error = Assert.Throws<ToolNotFoundException>(() => toolchain.Locate(Tool.Forge));
        Assert.Contains("ISKANDER_FORGE_PATH", error.Hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Tool.Forge, "forge Version: 1.7.1")]
    [InlineData(Tool.Anvil, "anvil Version: 1.7.1")]
    [InlineData(Tool.Cast, "cast Version: 1.7.1")]
    [InlineData(Tool.Snarkjs, "snarkjs@0.7.6")]
    [InlineData(Tool.Circom, "circom compiler 2.2.3")]
    [InlineData(Tool.Solc, "Version: 0.8.37+commit.f401782d.Linux.g++")]
    public async Task Pinned_tools_report_their_pinned_versions(Tool tool, string expected)
    {
        Assert.Equal(expected, await ToolVersions.ProbeAsync(_runner, tool));
    }
}
