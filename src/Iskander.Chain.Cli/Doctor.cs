using Iskander.Chain.Toolchain;

namespace Iskander.Chain.Cli;

/// <summary>Outcome of one doctor check. Warnings do not fail the doctor.</summary>
internal enum CheckStatus { Ok, Warn, Fail }

/// <summary>One line of the doctor's table.</summary>
internal sealed record CheckResult(string Name, CheckStatus Status, string Detail, string? Hint = null);

/// <summary>Checks every tool and resource the service needs, each with a fix hint on failure.</summary>
internal sealed class Doctor(ToolRunner runner, string dataDirectory)
{
    private static readonly Tool[] Tools =
        [Tool.Node, Tool.Forge, Tool.Anvil, Tool.Cast, Tool.Solc, Tool.Snarkjs, Tool.Circom, Tool.Initdb, Tool.PgCtl];

    public async Task<IReadOnlyList<CheckResult>> RunAsync(CancellationToken cancellationToken)
    {
        var results = new List<CheckResult>();
        foreach (var tool in Tools)
        {
            results.Add(await CheckToolAsync(tool, cancellationToken).ConfigureAwait(false));
        }

        results.Add(CheckPostgresOsUser());
        results.Add(CheckDataDirectory());
        results.Add(CheckPowersOfTau());
        return results;
    }

    private async Task<CheckResult> CheckToolAsync(Tool tool, CancellationToken cancellationToken)
    {
        var name = tool.ToString().ToLowerInvariant();
        try
        {
            var command = runner.Toolchain.Locate(tool);
            var version = await ToolVersions.ProbeAsync(runner, tool, cancellationToken).ConfigureAwait(false);
            return new CheckResult(name, CheckStatus.Ok, $"{version} ({command.PrefixArguments.FirstOrDefault() ?? command.Executable})");
        }
        catch (ToolNotFoundException ex)
        {
            return new CheckResult(name, CheckStatus.Fail, $"not found{(ex.SearchedPath is null ? string.Empty : $" at {ex.SearchedPath}")}", ex.Hint);
        }
        catch (ToolException ex)
        {
            return new CheckResult(name, CheckStatus.Fail, ex.Message,
                $"reinstall it with scripts/bootstrap, or point {Toolchain.Toolchain.EnvironmentVariableFor(tool)} at a working copy");
        }
    }

    private static CheckResult CheckPostgresOsUser()
    {
        if (!ToolRunner.IsRoot()) return new CheckResult("postgres-user", CheckStatus.Ok, "not root: PostgreSQL runs as the current user");
        var exists = File.ReadLines("/etc/passwd").Any(line => line.StartsWith("postgres:", StringComparison.Ordinal));
        return exists
            ? new CheckResult("postgres-user", CheckStatus.Ok, "running as root: the embedded cluster runs as OS user postgres")
            : new CheckResult("postgres-user", CheckStatus.Fail, "running as root but OS user postgres does not exist",
                "apt-get install postgresql-15 creates it (scripts/bootstrap does this)");
    }

    private CheckResult CheckDataDirectory()
    {
        try
        {
            Directory.CreateDirectory(dataDirectory);
            var probe = Path.Combine(dataDirectory, $".doctor-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
            return new CheckResult("data-dir", CheckStatus.Ok, $"{dataDirectory} is writable");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new CheckResult("data-dir", CheckStatus.Fail, $"{dataDirectory}: {ex.Message}",
                "choose a writable folder with --data-dir or ISKANDER_DATA_DIR");
        }
    }

    private static CheckResult CheckPowersOfTau()
    {
        var files = Iskander.Chain.Ballots.Circuits.PowersOfTau.AvailableDevelopmentFiles();
        return new CheckResult("dev-ptau", CheckStatus.Ok, files.Count > 0
            ? $"{string.Join(", ", files.Select(Path.GetFileName))} in {Iskander.Chain.Ballots.Circuits.PowersOfTau.DevelopmentDirectory} (INSECURE, development only)"
            : $"none yet in {Iskander.Chain.Ballots.Circuits.PowersOfTau.DevelopmentDirectory}; written on first use in seconds (INSECURE, development only)");
    }
}
