using System.CommandLine;
using Iskander.Chain.Cli;

// Settings from the optional file first (the environment wins), so every command and option default sees them.
string? defaultDataDirectory = null;
try
{
    defaultDataDirectory = Iskander.Chain.Toolchain.ProjectLayout.Discover().DefaultDataDirectory;
}
catch (Iskander.Chain.Toolchain.ProjectRootNotFoundException)
{
    // Commands that need the checkout say so themselves; the settings file can still be named by ISKANDER_CONFIG.
}

{
    var problems = ConfigFile.Apply(defaultDataDirectory ?? Directory.GetCurrentDirectory());
    if (problems.Count > 0)
    {
        foreach (var problem in problems) Console.Error.WriteLine($"configuration: {problem}");
        return 2;
    }
}

var root = new RootCommand("iskander-chain: anchors cooperative decisions on an EVM chain and runs secret ballots.")
{
    VersionCommand.Create(),
    DoctorCommand.Create(),
    ServeCommand.Create(),
    ContentCommand.Create(),
    DemoCommand.Create(),
    VerifyCommand.Create(),
    AuditCommand.Create(),
    WatchCommand.Create(),
    DecisionsCommand.Create(),
    MemberCommand.Create(),
    BallotCommand.Create(),
};

// Ctrl-C / SIGTERM cancel the running command; give it time to stop its child services cleanly.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
return await root.Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
