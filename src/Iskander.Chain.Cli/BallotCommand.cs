using System.CommandLine;
using Iskander.Chain.Ballots.Circuits;
using Iskander.Chain.Toolchain;
using Iskander.Chain.Zk.Maci;

namespace Iskander.Chain.Cli;

/// <summary><c>iskander-chain ballot …</c>: secret ballots: voter commands and circuit builds.</summary>
internal static class BallotCommand
{
    public static Command Create()
    {
        var command = new Command("ballot", "Secret ballots (MACI-style): the voter's commands, and the circuits' keys and verifiers.") { Circuits(), DevelopmentPtau() };
        foreach (var voter in BallotVoterCommands.Create()) command.Subcommands.Add(voter);
        return command;
    }

    private static Command DevelopmentPtau()
    {
        var power = new Option<int>("--power") { Description = "2^power constraints (8…20; smaller circuits use 2^8).", Required = true };
        var command = new Command("dev-ptau", "Write the INSECURE development powers of tau for 2^power constraints into the cache (public τ: for tests and local development only; circuit builds write it on first use).") { power };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var log = Logging.CreateConsoleLogger();
            try
            {
                var ptau = await PowersOfTau.DevelopmentForAsync(1L << parseResult.GetValue(power), log, cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"{ptau.Path} sha256 {ptau.Sha256}");
                return 0;
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException)
            {
                log.Error("Cannot write the development powers of tau: {Reason}", ex.Message);
                return 1;
            }
        });
        return command;
    }

    private static Command Circuits()
    {
        var shape = new Option<string>("--shape") { Description = "Parameter set: test (7 members, batches of 2, 5 options), coop (127 members, batches of 16, 25 options), large (1,023 members, batches of 16, 5 options), or s,batch,d.", DefaultValueFactory = _ => "test" };
        var compileOnly = new Option<bool>("--compile-only") { Description = "Compile and report constraint counts; no Groth16 setup." };
        var exportVerifiers = new Option<bool>("--export-verifiers") { Description = "Copy the Solidity verifiers into contracts/src/verifiers." };
        var ptau = new Option<FileInfo?>("--ptau") { Description = "A prepared powers-of-tau file (e.g. a Perpetual Powers of Tau round); default: the smallest development file that fits." };
        var ptauPower = new Option<int>("--ptau-power") { Description = "The power of --ptau." };
        var ptauHash = new Option<string?>("--ptau-sha256") { Description = "The published SHA-256 of --ptau; the file is refused when it differs." };
        var command = new Command("circuits", "Compile the ballot circuits, set up Groth16 keys (deterministic development beacon) and export verification keys and Solidity verifiers; cached by content.")
        {
            shape, compileOnly, exportVerifiers, ptau, ptauPower, ptauHash,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var log = Logging.CreateConsoleLogger();
            var parameters = BallotCircuitParameters.Parse(parseResult.GetValue(shape)!);
            if (parameters is null)
            {
                Console.Error.WriteLine("--shape is test, coop, large or s,batch,d (e.g. 10,16,1)");
                return 2;
            }

            try
            {
                BallotLimits.Check(parameters, 1, 0, 0);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                Console.Error.WriteLine($"--shape: {ex.Message}");
                return 2;
            }

            try
            {
                var layout = ProjectLayout.Discover();
                var builder = new CircuitBuilder(new ToolRunner(new Toolchain.Toolchain(layout), log), log);
                PowersOfTau? supplied = parseResult.GetValue(ptau) is { } file
                    ? PowersOfTau.Open(file.FullName, parseResult.GetValue(ptauPower) is > 0 and var power ? power : throw new InvalidOperationException("--ptau needs --ptau-power"), parseResult.GetValue(ptauHash))
                    : null;
                foreach (var kind in Enum.GetValues<BallotCircuitKind>())
                {
                    var circuit = new BallotCircuit(kind, parameters);
                    if (parseResult.GetValue(compileOnly))
                    {
                        var compiled = await builder.CompileAsync(circuit, cancellationToken).ConfigureAwait(false);
                        Console.WriteLine($"{circuit.Name}: {compiled.Constraints:N0} constraints ({compiled.Directory})");
                        continue;
                    }

                    var keys = await builder.BuildAsync(circuit, supplied, cancellationToken).ConfigureAwait(false);
                    Console.WriteLine($"{circuit.Name}: {keys.Compiled.Constraints:N0} constraints, ptau 2^{keys.PowersOfTau.Power}, zkey {new FileInfo(keys.ProvingKey).Length / 1_048_576.0:0.0} MiB ({keys.Directory})");
                    if (parseResult.GetValue(exportVerifiers))
                    {
                        var target = Path.Combine(layout.Root, "contracts", "src", "verifiers", circuit.VerifierName + ".sol");
                        File.Copy(keys.SolidityVerifier, target, overwrite: true);
                        Console.WriteLine($"  verifier → {Path.GetRelativePath(layout.Root, target)}");
                    }
                }

                return 0;
            }
            catch (Exception ex) when (ex is ToolException or InvalidOperationException or IOException)
            {
                log.Error("Cannot build the circuits: {Reason}", ex.Message);
                return 1;
            }
        });
        return command;
    }
}
