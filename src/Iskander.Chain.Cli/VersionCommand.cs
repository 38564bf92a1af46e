using System.CommandLine;
using System.Reflection;

namespace Iskander.Chain.Cli;

/// <summary><c>iskander-chain version</c>: prints the program's version.</summary>
internal static class VersionCommand
{
    public static string Text =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static Command Create()
    {
        var command = new Command("version", "Print the version of iskander-chain.");
        command.SetAction(parseResult =>
        {
            parseResult.InvocationConfiguration.Output.WriteLine($"iskander-chain {Text}");
            return 0;
        });
        return command;
    }
}
