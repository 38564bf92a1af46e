namespace Iskander.Chain.Toolchain;

/// <summary>
/// Where the project's checkout lives: the folder holding <c>foundry.toml</c> and <c>package.json</c>,
/// whose <c>node_modules</c> carries the pinned toolchain.
/// </summary>
public sealed class ProjectLayout
{
    /// <summary>Environment variable that names the project root explicitly.</summary>
    public const string RootVariable = "ISKANDER_ROOT";

    /// <summary>Creates a layout rooted at <paramref name="root"/>.</summary>
    public ProjectLayout(string root)
    {
        Root = Path.GetFullPath(root);
    }

    /// <summary>Absolute path of the project root.</summary>
    public string Root { get; }

    /// <summary><c>node_modules</c> under the root.</summary>
    public string NodeModules => Path.Combine(Root, "node_modules");

    /// <summary>Default data directory for embedded services (<c>./.data</c>).</summary>
    public string DefaultDataDirectory => Path.Combine(Root, ".data");

    /// <summary>
    /// Finds the project root: <see cref="RootVariable"/> when set, else the nearest ancestor of
    /// <paramref name="start"/> (default: the current directory, then the application's directory)
    /// that holds both <c>foundry.toml</c> and <c>package.json</c>.
    /// </summary>
    /// <exception cref="ProjectRootNotFoundException">No such folder exists.</exception>
    public static ProjectLayout Discover(string? start = null)
    {
        var configured = Environment.GetEnvironmentVariable(RootVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return IsRoot(configured)
                ? new ProjectLayout(configured)
                : throw new ProjectRootNotFoundException(
                    $"{RootVariable}={configured} does not contain foundry.toml and package.json.");
        }

        var starts = start is not null
            ? new[] { start }
            : new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory };
        foreach (var candidate in starts)
        {
            for (var dir = new DirectoryInfo(Path.GetFullPath(candidate)); dir is not null; dir = dir.Parent)
            {
                if (IsRoot(dir.FullName)) return new ProjectLayout(dir.FullName);
            }
        }

        throw new ProjectRootNotFoundException(
            $"No Iskander.Chain checkout found above {string.Join(" or ", starts)}; run from the checkout or set {RootVariable}.");
    }

    private static bool IsRoot(string dir) =>
        File.Exists(Path.Combine(dir, "foundry.toml")) && File.Exists(Path.Combine(dir, "package.json"));
}

/// <summary>The project root could not be found.</summary>
public sealed class ProjectRootNotFoundException(string message) : Exception(message);
