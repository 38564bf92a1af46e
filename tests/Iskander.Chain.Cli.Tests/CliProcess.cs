using System.Diagnostics;
using System.Text;

namespace Iskander.Chain.Cli.Tests;

/// <summary>Runs the real <c>iskander-chain</c> program (built next to the tests) as a child process.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(string Text, TaskCompletionSource<string> Line)> _waiters = [];

    private CliProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public static CliProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "iskander-chain.dll"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return new CliProcess(Process.Start(start)!);
    }

    /// <summary>Runs to completion and returns the exit code and everything printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        using var cli = Start(arguments, environment);
        var exitCode = await cli.WaitForExitAsync(timeout ?? TimeSpan.FromMinutes(2));
        return (exitCode, cli.Output);
    }

    /// <summary>Waits for a line containing <paramref name="text"/>; fails with the output so far after the timeout.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            var existing = _output.ToString().Split('\n').FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (existing is not null) return existing;
            _waiters.Add((text, waiter));
        }

        var finished = await Task.WhenAny(waiter.Task, Task.Delay(timeout), _process.WaitForExitAsync());
        if (finished != waiter.Task)
        {
            throw new Xunit.Sdk.XunitException($"no line containing '{text}' (exited: {_process.HasExited}); output:\n{Output}");
        }

        return await waiter.Task;
    }

    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL: the process gets no chance to clean up, as in a power cut or an OOM kill.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGKILL of this process alone: its children (the embedded anvil) live on as orphans, as after <c>kill -9</c> of its pid.</summary>
    public async Task KillAloneAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"iskander-chain did not exit within {timeout}; output:\n{Output}");
        }

        _process.WaitForExit(); // flushes the asynchronous output readers
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            foreach (var (text, waiter) in _waiters)
            {
                if (line.Contains(text, StringComparison.Ordinal)) waiter.TrySetResult(line);
            }

            _waiters.RemoveAll(w => w.Line.Task.IsCompleted);
        }
    }
}
