namespace Iskander.Chain.Toolchain;

/// <summary>Base type for failures of external tools.</summary>
public abstract class ToolException(Tool tool, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The tool concerned.</summary>
    public Tool Tool { get; } = tool;
}

/// <summary>A tool is missing; <see cref="Hint"/> says how to provide it.</summary>
public sealed class ToolNotFoundException(Tool tool, string? searchedPath, string hint)
    : ToolException(tool, $"{tool} not found{(searchedPath is null ? string.Empty : $" at {searchedPath}")}: {hint}")
{
    /// <summary>Where the tool was expected, if anywhere.</summary>
    public string? SearchedPath { get; } = searchedPath;

    /// <summary>What to do about it.</summary>
    public string Hint { get; } = hint;
}

/// <summary>A tool ran and exited with a failure code.</summary>
public sealed class ToolFailedException(Tool tool, int exitCode, string arguments, string errorTail)
    : ToolException(tool, $"{tool} {arguments} exited with code {exitCode}: {errorTail}")
{
    /// <summary>The process exit code.</summary>
    public int ExitCode { get; } = exitCode;

    /// <summary>The last part of what the tool wrote to standard error (or output).</summary>
    public string ErrorTail { get; } = errorTail;
}

/// <summary>A tool did not finish within its time limit and was killed.</summary>
public sealed class ToolTimeoutException(Tool tool, string arguments, TimeSpan timeout)
    : ToolException(tool, $"{tool} {arguments} did not finish within {timeout.TotalSeconds:0.#} s and was killed")
{
    /// <summary>The limit that was exceeded.</summary>
    public TimeSpan Timeout { get; } = timeout;
}
