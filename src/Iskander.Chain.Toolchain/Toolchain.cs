using System.Collections.ObjectModel;

namespace Iskander.Chain.Toolchain;

/// <summary>How to start one tool: the executable plus the arguments that always come first
/// (for JavaScript tools, the script that Node runs).</summary>
/// <param name="Tool">Which tool this is.</param>
/// <param name="Executable">Absolute path of the program to start.</param>
/// <param name="PrefixArguments">Arguments placed before the caller's own.</param>
public sealed record ToolCommand(Tool Tool, string Executable, IReadOnlyList<string> PrefixArguments);

/// <summary>
/// Locates the project's external tools. Each is found, in order, from an explicit override,
/// from its environment variable (<c>ISKANDER_ANVIL_PATH</c>, …; <c>ISKANDER_PG_BIN</c> for the
/// PostgreSQL programs' folder), then from the checkout's pinned <c>node_modules</c> or the
/// system's usual places.
/// </summary>
public sealed class Toolchain
{
    private static readonly string[] PostgresBinDirectories =
        ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"];

    private readonly IReadOnlyDictionary<Tool, string> _overrides;

    /// <summary>Creates a toolchain for a checkout.</summary>
    /// <param name="layout">The project checkout.</param>
    /// <param name="overrides">Explicit paths that win over everything else.</param>
    public Toolchain(ProjectLayout layout, IReadOnlyDictionary<Tool, string>? overrides = null)
    {
        Layout = layout;
        _overrides = overrides ?? ReadOnlyDictionary<Tool, string>.Empty;
    }

    /// <summary>The checkout whose <c>node_modules</c> is searched.</summary>
    public ProjectLayout Layout { get; }

    /// <summary>Name of the environment variable that overrides a tool's path.</summary>
    public static string EnvironmentVariableFor(Tool tool) => tool switch
    {
        Tool.Initdb or Tool.PgCtl => "ISKANDER_PG_BIN",
        _ => $"ISKANDER_{tool.ToString().ToUpperInvariant()}_PATH",
    };

    /// <summary>Resolves how to start <paramref name="tool"/>.</summary>
    /// <exception cref="ToolNotFoundException">The tool is not where it should be; the message says how to fix it.</exception>
    public ToolCommand Locate(Tool tool)
    {
        var path = ResolvePath(tool);
        if (path is null || !File.Exists(path))
        {
            throw new ToolNotFoundException(tool, path, HintFor(tool));
        }

        return IsNodeScript(tool)
            ? new ToolCommand(tool, Locate(Tool.Node).Executable, [path])
            : new ToolCommand(tool, path, []);
    }

    private static bool IsNodeScript(Tool tool) => tool is Tool.Solc or Tool.Snarkjs or Tool.Circom;

    private string? ResolvePath(Tool tool)
    {
        if (_overrides.TryGetValue(tool, out var explicitPath)) return Path.GetFullPath(explicitPath);

        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariableFor(tool));
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return tool is Tool.Initdb or Tool.PgCtl
                ? Path.Combine(fromEnvironment, ExecutableName(tool))
                : Path.GetFullPath(fromEnvironment);
        }

        return tool switch
        {
            Tool.Node => FindOnPath("node"),
            Tool.Forge or Tool.Anvil or Tool.Cast => FoundryBinary(tool),
            Tool.Solc => Path.Combine(Layout.Root, "scripts", "solc"),
            Tool.Snarkjs => Path.Combine(Layout.NodeModules, "snarkjs", "build", "cli.cjs"),
            Tool.Circom => Path.Combine(Layout.NodeModules, "circom2", "cli.js"),
            Tool.Initdb or Tool.PgCtl => PostgresBinDirectories
                .Select(dir => Path.Combine(dir, ExecutableName(tool)))
                .FirstOrDefault(File.Exists) ?? FindOnPath(ExecutableName(tool)),
            _ => throw new ArgumentOutOfRangeException(nameof(tool), tool, null),
        };
    }

    private string FoundryBinary(Tool tool)
    {
        var name = ExecutableName(tool);
        return Path.Combine(Layout.NodeModules, "@foundry-rs", $"{name}-linux-amd64", "bin", name);
    }

    private static string ExecutableName(Tool tool) => tool switch
    {
        Tool.PgCtl => "pg_ctl",
        _ => tool.ToString().ToLowerInvariant(),
    };

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    private static string HintFor(Tool tool) => tool switch
    {
        Tool.Node => "install Node.js 20 or newer (Debian: apt-get install nodejs npm) or set ISKANDER_NODE_PATH",
        Tool.Initdb or Tool.PgCtl =>
            "install PostgreSQL 15 (apt-get install postgresql-15, or run scripts/bootstrap) or set ISKANDER_PG_BIN to its bin folder",
        Tool.Solc => "scripts/solc is part of the checkout; restore it with git",
        _ => $"run scripts/bootstrap (npm ci installs the pinned toolchain) or set {EnvironmentVariableFor(tool)}",
    };
}
