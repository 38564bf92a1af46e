using System.Diagnostics;
using System.Text;
using CliWrap;
using Serilog;

namespace Iskander.Chain.Toolchain;

/// <summary>Options for one run of a tool.</summary>
public sealed record ToolRunOptions
{
    /// <summary>Working directory; default: the project root.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Time after which the process tree is killed; default 10 minutes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>When true a non-zero exit code is returned in the result instead of thrown.</summary>
    public bool AllowFailure { get; init; }

    /// <summary>Text written to the process's standard input.</summary>
    public string? StandardInput { get; init; }

    /// <summary>Extra environment variables (a null value removes the variable).</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>When running as root, start the tool as this OS user (PostgreSQL refuses root).</summary>
    public string? RunAsUser { get; init; }

    /// <summary>Called for each line of standard output and standard error as it arrives, for progress display.</summary>
    public Action<string>? OnLine { get; init; }
}

/// <summary>What a finished tool run produced.</summary>
/// <param name="ExitCode">Process exit code.</param>
/// <param name="StandardOutput">Everything written to standard output.</param>
/// <param name="StandardError">Everything written to standard error.</param>
/// <param name="Duration">Wall-clock time of the run.</param>
public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError, TimeSpan Duration);

/// <summary>
/// Runs external tools as processes with captured output, a time limit, cancellation and errors
/// that say which tool failed and why. Output is kept in memory; tools that stream large data
/// should write it to files instead.
/// </summary>
public sealed class ToolRunner(Toolchain toolchain, ILogger? logger = null)
{
    private const int ErrorTailLength = 2000;
    private readonly ILogger _log = (logger ?? Serilog.Core.Logger.None).ForContext<ToolRunner>();

    /// <summary>The toolchain this runner resolves tools from.</summary>
    public Toolchain Toolchain { get; } = toolchain;

    /// <summary>Runs <paramref name="tool"/> with <paramref name="arguments"/>.</summary>
    /// <exception cref="ToolNotFoundException">The tool is missing.</exception>
    /// <exception cref="ToolFailedException">It exited non-zero and <see cref="ToolRunOptions.AllowFailure"/> is false.</exception>
    /// <exception cref="ToolTimeoutException">It ran longer than <see cref="ToolRunOptions.Timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired; the process was killed.</exception>
    public async Task<ToolResult> RunAsync(
        Tool tool, IEnumerable<string> arguments, ToolRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ToolRunOptions();
        var command = Toolchain.Locate(tool);
        var (executable, allArguments) = BuildCommandLine(command, arguments.ToList(), options.RunAsUser);
        var display = string.Join(' ', arguments);

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var cli = Cli.Wrap(executable)
            .WithArguments(allArguments)
            .WithWorkingDirectory(options.WorkingDirectory ?? Toolchain.Layout.Root)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.Merge(PipeTarget.ToStringBuilder(stdout), LinePipe(options.OnLine)))
            .WithStandardErrorPipe(PipeTarget.Merge(PipeTarget.ToStringBuilder(stderr), LinePipe(options.OnLine)));
        if (options.StandardInput is not null) cli = cli.WithStandardInputPipe(PipeSource.FromString(options.StandardInput));
        if (options.Environment is not null) cli = cli.WithEnvironmentVariables(options.Environment);

        using var timeout = new CancellationTokenSource(options.Timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var clock = Stopwatch.StartNew();
        _log.Debug("Running {Tool} {Arguments}", tool, display);
        try
        {
            var result = await cli.ExecuteAsync(linked.Token).ConfigureAwait(false);
            var toolResult = new ToolResult(result.ExitCode, stdout.ToString(), stderr.ToString(), clock.Elapsed);
            _log.Debug("{Tool} exited with {ExitCode} after {Elapsed}", tool, result.ExitCode, clock.Elapsed);
            if (result.ExitCode != 0 && !options.AllowFailure)
            {
                throw new ToolFailedException(tool, result.ExitCode, display, Tail(toolResult));
            }

            return toolResult;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ToolTimeoutException(tool, display, options.Timeout);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new ToolFailedException(tool, -1, display, $"could not start {executable}: {ex.Message}");
        }
    }

    private static (string Executable, IReadOnlyList<string> Arguments) BuildCommandLine(
        ToolCommand command, IReadOnlyList<string> arguments, string? runAsUser)
    {
        var direct = command.PrefixArguments.Concat(arguments).ToList();
        if (runAsUser is null || !IsRoot()) return (command.Executable, direct);
        return ("runuser", ["-u", runAsUser, "--", command.Executable, .. direct]);
    }

    /// <summary>True when this process runs as the superuser.</summary>
    [System.Runtime.Versioning.SupportedOSPlatformGuard("linux")]
    public static bool IsRoot() => OperatingSystem.IsLinux() && Environment.UserName == "root";

    private static PipeTarget LinePipe(Action<string>? onLine) =>
        onLine is null ? PipeTarget.Null : PipeTarget.ToDelegate(onLine);

    private static string Tail(ToolResult result)
    {
        var text = string.IsNullOrWhiteSpace(result.StandardError) ? result.StandardOutput : result.StandardError;
        text = text.Trim();
        return text.Length <= ErrorTailLength ? text : "…" + text[^ErrorTailLength..];
    }
}
