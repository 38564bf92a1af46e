namespace Iskander.Chain.Cli;

/// <summary>The exit codes every command uses (documented in docs/operations.md).</summary>
internal static class ExitCodes
{
    /// <summary>Done; every check passed.</summary>
    public const int Ok = 0;

    /// <summary>A check failed, or a service could not be reached or failed while running.</summary>
    public const int Failed = 1;

    /// <summary>A setting, an option or an input file is wrong: fix it and run again.</summary>
    public const int BadInput = 2;

    /// <summary>Refused to protect data: the data folder is in use, the database belongs to another deployment, or the embedded chain is gone.</summary>
    public const int Refused = 3;
}

/// <summary>A problem the user can act on: one line that names the thing and the fix, and the exit code to end with. Never carries a secret.</summary>
internal sealed class UserErrorException(string message, int exitCode = ExitCodes.BadInput) : Exception(message)
{
    /// <summary>The exit code the command ends with.</summary>
    public int ExitCode { get; } = exitCode;
}
