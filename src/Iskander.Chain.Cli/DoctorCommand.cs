using System.CommandLine;
using Iskander.Chain.Toolchain;

namespace Iskander.Chain.Cli;

/// <summary><c>iskander-chain doctor</c>: checks the toolchain and data folder; exit code 1 when something is missing.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("doctor", "Check every tool and resource the service needs and print a fix hint for each failure.")
        {
            dataDirectory,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            ProjectLayout layout;
            try
            {
                layout = ProjectLayout.Discover();
            }
            catch (ProjectRootNotFoundException ex)
            {
                await output.WriteLineAsync($"FAIL  checkout  {ex.Message}").ConfigureAwait(false);
                return 1;
            }

            var runner = new ToolRunner(new Toolchain.Toolchain(layout));
            var doctor = new Doctor(runner, CommonOptions.ResolveDataDirectory(parseResult.GetValue(dataDirectory), layout));
            var results = await doctor.RunAsync(cancellationToken).ConfigureAwait(false);
            await output.WriteAsync(Render(results)).ConfigureAwait(false);
            var failures = results.Count(r => r.Status == CheckStatus.Fail);
            await output.WriteLineAsync(failures == 0
                ? "doctor: all checks passed"
                : $"doctor: {failures} check(s) failed; follow the hints above").ConfigureAwait(false);
            return failures == 0 ? 0 : 1;
        });
        return command;
    }

    private static string Render(IReadOnlyList<CheckResult> results)
    {
        var nameWidth = results.Max(r => r.Name.Length);
        var text = new System.Text.StringBuilder();
        foreach (var result in results)
        {
            var status = result.Status switch { CheckStatus.Ok => "ok  ", CheckStatus.Warn => "WARN", _ => "FAIL" };
            text.Append(status).Append("  ").Append(result.Name.PadRight(nameWidth)).Append("  ").AppendLine(result.Detail);
            if (result.Hint is not null && result.Status != CheckStatus.Ok)
            {
                text.Append(' ', 6 + nameWidth).Append("  hint: ").AppendLine(result.Hint);
            }
        }

        return text.ToString();
    }
}
