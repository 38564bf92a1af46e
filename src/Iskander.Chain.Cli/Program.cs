using System.CommandLine;
using Iskander.Chain.Cli;

var root = new RootCommand("iskander-chain: anchors cooperative decisions on an EVM chain and runs secret ballots.")
{
    VersionCommand.Create(),
    DoctorCommand.Create(),
    ServeCommand.Create(),
    ContentCommand.Create(),
    DemoCommand.Create(),
    VerifyCommand.Create(),
    DecisionsCommand.Create(),
    MemberCommand.Create(),
};

// Ctrl-C / SIGTERM cancel the running command; give it time to stop its child services cleanly.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
return await root.Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
