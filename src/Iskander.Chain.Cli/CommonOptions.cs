using System.CommandLine;
using Iskander.Chain.Toolchain;

namespace Iskander.Chain.Cli;

/// <summary>Options shared by several commands, with their environment-variable defaults.</summary>
internal static class CommonOptions
{
    public const string DataDirectoryVariable = "ISKANDER_DATA_DIR";

    public static Option<DirectoryInfo?> DataDirectory() => new("--data-dir")
    {
        Description = $"Folder for embedded services' data (default: ${DataDirectoryVariable}, else ./.data in the checkout).",
    };

    /// <summary>The data folder: the option, else the environment variable, else <c>.data</c> in the checkout.</summary>
    public static string ResolveDataDirectory(DirectoryInfo? option, ProjectLayout layout) =>
        option?.FullName
        ?? (Environment.GetEnvironmentVariable(DataDirectoryVariable) is { Length: > 0 } fromEnvironment
            ? Path.GetFullPath(fromEnvironment)
            : layout.DefaultDataDirectory);
}
