using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Iskander.Chain.Toolchain;
using Serilog;

namespace Iskander.Chain.Ballots.Circuits;

/// <summary>A compiled circuit, and once set up, its Groth16 keys and Solidity verifier.</summary>
/// <param name="Circuit">Which circuit at which parameters.</param>
/// <param name="Directory">Where its files are.</param>
/// <param name="Constraints">R1CS constraints.</param>
/// <param name="SourceKey">Hash of the sources, parameters and compiler that produced it.</param>
public sealed record CompiledCircuit(BallotCircuit Circuit, string Directory, long Constraints, string SourceKey)
{
    /// <summary>The R1CS.</summary>
    public string R1cs => Path.Combine(Directory, "circuit.r1cs");

    /// <summary>The witness generator.</summary>
    public string Wasm => Path.Combine(Directory, "circuit_js", "circuit.wasm");
}

/// <summary>Groth16 keys of a compiled circuit.</summary>
/// <param name="Compiled">The circuit.</param>
/// <param name="Directory">Where the keys are.</param>
/// <param name="PowersOfTau">The powers of tau they were set up from.</param>
/// <param name="Key">Hash of everything that determines them.</param>
public sealed record CircuitKeys(CompiledCircuit Compiled, string Directory, PowersOfTau PowersOfTau, string Key)
{
    /// <summary>The proving key.</summary>
    public string ProvingKey => Path.Combine(Directory, "circuit.zkey");

    /// <summary>The verification key (JSON).</summary>
    public string VerificationKey => Path.Combine(Directory, "verification_key.json");

    /// <summary>The Solidity verifier exported by snarkjs (contract renamed to <see cref="BallotCircuit.VerifierName"/>).</summary>
    public string SolidityVerifier => Path.Combine(Directory, Compiled.Circuit.VerifierName + ".sol");
}

/// <summary>
/// Builds the ballot circuits: compiles them with circom2 from the project root, sets up Groth16
/// keys with snarkjs from a prepared powers-of-tau file, applies a deterministic development
/// contribution (a public beacon, so the keys are reproducible — never for a real ballot), and
/// exports the verification key and the Solidity verifier. Everything is cached by a hash of the
/// circuit sources, the parameters, the tools' versions and the ptau, with a manifest per entry;
/// entries are built in a temporary folder and renamed into place, so an interrupted build leaves
/// nothing half made.
/// </summary>
public sealed class CircuitBuilder(ToolRunner runner, ILogger log, string? cacheDirectory = null)
{
    /// <summary>The development beacon (public, so anyone can reproduce the keys; it provides no secrecy).</summary>
    public const string DevelopmentBeacon = "49736b616e6465722e436861696e206465762062656163";

    /// <summary>The cache: <c>$ISKANDER_CIRCUITS_DIR</c>, else <c>~/.cache/iskander-chain/circuits</c>.</summary>
    public string CacheDirectory { get; } = cacheDirectory ?? (Environment.GetEnvironmentVariable("ISKANDER_CIRCUITS_DIR") is { Length: > 0 } configured
        ? configured
        : Path.Combine(Path.GetDirectoryName(PowersOfTau.DevelopmentDirectory)!, "circuits"));

    /// <summary>Node heap for snarkjs (setup and proving of large circuits need several GiB).</summary>
    public string NodeOptions { get; init; } = "--max-old-space-size=8192";

    /// <summary>Compiles <paramref name="circuit"/> (or returns the cached build).</summary>
    public async Task<CompiledCircuit> CompileAsync(BallotCircuit circuit, CancellationToken cancellationToken = default)
    {
        var key = SourceKey(circuit);
        var directory = Path.Combine(CacheDirectory, $"{circuit.Name}-{key[..16]}");
        if (TryReadManifest(directory, out var manifest)) return new CompiledCircuit(circuit, directory, manifest.GetProperty("constraints").GetInt64(), key);
        using var entryLock = await CacheLock.AcquireAsync(directory, log, cancellationToken).ConfigureAwait(false);
        if (TryReadManifest(directory, out manifest)) return new CompiledCircuit(circuit, directory, manifest.GetProperty("constraints").GetInt64(), key);

        log.Information("Compiling {Circuit} with circom2 (cached afterwards under {Directory})", circuit.Name, directory);
        var clock = Stopwatch.StartNew();
        var building = directory + ".building-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(building);
        try
        {
            var main = Path.Combine(building, "circuit.circom");
            await File.WriteAllTextAsync(main, circuit.MainSource(), cancellationToken).ConfigureAwait(false);
            var result = await runner.RunAsync(Tool.Circom, [main, "--r1cs", "--wasm", "--O2", "-l", runner.Toolchain.Layout.Root, "-l", runner.Toolchain.Layout.NodeModules, "-o", building],
                new ToolRunOptions { Timeout = TimeSpan.FromHours(2), OnLine = line => log.Debug("circom: {Line}", line) }, cancellationToken).ConfigureAwait(false);
            var constraints = ParseConstraints(result.StandardOutput + result.StandardError);
            await WriteManifestAsync(building, new Dictionary<string, object>
            {
                ["circuit"] = circuit.Name, ["sourceKey"] = key, ["constraints"] = constraints, ["compileSeconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
                ["publicInputs"] = circuit.PublicInputs,
            }, cancellationToken).ConfigureAwait(false);
            Publish(building, directory);
            log.Information("Compiled {Circuit}: {Constraints} constraints in {Seconds:0} s", circuit.Name, constraints, clock.Elapsed.TotalSeconds);
            return new CompiledCircuit(circuit, directory, constraints, key);
        }
        finally
        {
            if (Directory.Exists(building)) Directory.Delete(building, recursive: true);
        }
    }

    /// <summary>Compiles and sets up <paramref name="circuit"/> (or returns the cached keys); the smallest development ptau that fits unless <paramref name="powersOfTau"/> is given.</summary>
    public async Task<CircuitKeys> BuildAsync(BallotCircuit circuit, PowersOfTau? powersOfTau = null, CancellationToken cancellationToken = default)
    {
        var compiled = await CompileAsync(circuit, cancellationToken).ConfigureAwait(false);
        var ptau = powersOfTau ?? await PowersOfTau.DevelopmentForAsync(compiled.Constraints + circuit.PublicInputs.Count + 1, log, cancellationToken).ConfigureAwait(false);
        if (1L << ptau.Power < compiled.Constraints) throw new InvalidOperationException($"{Path.GetFileName(ptau.Path)} holds 2^{ptau.Power} constraints; {circuit.Name} has {compiled.Constraints}");
        var key = Hash($"{compiled.SourceKey}\n{ptau.Sha256}\n{DevelopmentBeacon}");
        var directory = Path.Combine(compiled.Directory, $"keys-{key[..16]}");
        if (TryReadManifest(directory, out _)) return new CircuitKeys(compiled, directory, ptau, key);
        using var entryLock = await CacheLock.AcquireAsync(directory, log, cancellationToken).ConfigureAwait(false);
        if (TryReadManifest(directory, out _)) return new CircuitKeys(compiled, directory, ptau, key);

        var building = directory + ".building-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(building);
        try
        {
            var environment = new Dictionary<string, string?> { ["NODE_OPTIONS"] = NodeOptions };
            var clock = Stopwatch.StartNew();
            log.Information("Groth16 setup of {Circuit} ({Constraints} constraints) with {Ptau}: a few minutes on two cores", circuit.Name, compiled.Constraints, Path.GetFileName(ptau.Path));
            var initial = Path.Combine(building, "circuit_0.zkey");
            // Verbose, so that the minutes of a first setup show progress (a line every few seconds at most).
            var lastProgress = Stopwatch.StartNew();
            await runner.RunAsync(Tool.Snarkjs, ["groth16", "setup", compiled.R1cs, ptau.Path, initial, "-v"], new ToolRunOptions
            {
                Timeout = TimeSpan.FromHours(6), Environment = environment, OnLine = line =>
                {
                    if (lastProgress.Elapsed < TimeSpan.FromSeconds(10)) return;
                    lastProgress.Restart();
                    log.Information("Groth16 setup of {Circuit}: {Progress}", circuit.Name, line.Trim());
                },
            }, cancellationToken).ConfigureAwait(false);
            var setupSeconds = clock.Elapsed.TotalSeconds;
            log.Information("Applying the development beacon contribution to {Circuit}", circuit.Name);
            var final = Path.Combine(building, "circuit.zkey");
            await Snarkjs(["zkey", "beacon", initial, final, DevelopmentBeacon, "10", "-n=Iskander.Chain development beacon"], environment, cancellationToken).ConfigureAwait(false);
            File.Delete(initial);
            await Snarkjs(["zkey", "export", "verificationkey", final, Path.Combine(building, "verification_key.json")], environment, cancellationToken).ConfigureAwait(false);
            var verifier = Path.Combine(building, "verifier.sol");
            await Snarkjs(["zkey", "export", "solidityverifier", final, verifier], environment, cancellationToken).ConfigureAwait(false);
            var solidity = await File.ReadAllTextAsync(verifier, cancellationToken).ConfigureAwait(false);
            if (!solidity.Contains("contract Groth16Verifier", StringComparison.Ordinal)) throw new InvalidOperationException("snarkjs exported an unexpected verifier (no contract Groth16Verifier)");
            await File.WriteAllTextAsync(Path.Combine(building, circuit.VerifierName + ".sol"),
                solidity.Replace("contract Groth16Verifier", $"contract {circuit.VerifierName}", StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
            File.Delete(verifier);
            await WriteManifestAsync(building, new Dictionary<string, object>
            {
                ["circuit"] = circuit.Name, ["key"] = key, ["sourceKey"] = compiled.SourceKey, ["constraints"] = compiled.Constraints,
                ["ptau"] = Path.GetFileName(ptau.Path), ["ptauPower"] = ptau.Power, ["ptauSha256"] = ptau.Sha256, ["ptauInsecureDevelopment"] = ptau.IsInsecureDevelopmentFile, ["beacon"] = DevelopmentBeacon,
                ["setupSeconds"] = Math.Round(setupSeconds, 1), ["zkeyBytes"] = new FileInfo(final).Length,
                ["zkeySha256"] = FileSha256(final), ["verifierContract"] = circuit.VerifierName,
            }, cancellationToken).ConfigureAwait(false);
            Publish(building, directory);
            log.Information("Keys of {Circuit} ready in {Seconds:0} s", circuit.Name, clock.Elapsed.TotalSeconds);
            return new CircuitKeys(compiled, directory, ptau, key);
        }
        finally
        {
            if (Directory.Exists(building)) Directory.Delete(building, recursive: true);
        }
    }

    private Task<ToolResult> Snarkjs(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken) =>
        runner.RunAsync(Tool.Snarkjs, arguments, new ToolRunOptions { Timeout = TimeSpan.FromHours(6), Environment = environment, OnLine = line => log.Debug("snarkjs: {Line}", line) }, cancellationToken);

    // Sources (every .circom under circuits/src), the main component, and the tools' versions.
    private string SourceKey(BallotCircuit circuit)
    {
        var builder = new StringBuilder("iskander-chain circuits v1\n").Append(circuit.MainSource());
        var sources = Path.Combine(runner.Toolchain.Layout.Root, "circuits", "src");
        foreach (var file in Directory.GetFiles(sources, "*.circom", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            builder.Append('\n').Append(Path.GetRelativePath(sources, file)).Append('\n').Append(File.ReadAllText(file));
        }

        foreach (var package in new[] { "circom2", "snarkjs", "circomlib" })
        {
            var manifest = Path.Combine(runner.Toolchain.Layout.NodeModules, package, "package.json");
            using var document = JsonDocument.Parse(File.ReadAllText(manifest));
            builder.Append('\n').Append(package).Append('@').Append(document.RootElement.GetProperty("version").GetString());
        }

        return Hash(builder.ToString());
    }

    private static long ParseConstraints(string output)
    {
        long total = 0;
        var found = false;
        foreach (Match match in Regex.Matches(output, @"(?:non-linear|linear) constraints: (\d+)", RegexOptions.CultureInvariant))
        {
            total += long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            found = true;
        }

        return found ? total : throw new InvalidOperationException("circom did not report its constraint count");
    }

    private static bool TryReadManifest(string directory, out JsonElement manifest)
    {
        var path = Path.Combine(directory, "manifest.json");
        if (!File.Exists(path))
        {
            manifest = default;
            return false;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        manifest = document.RootElement.Clone();
        return true;
    }

    private static Task WriteManifestAsync(string directory, Dictionary<string, object> manifest, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(Path.Combine(directory, "manifest.json"), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }), cancellationToken);

    // Another process may have finished the same entry meanwhile: theirs is as good as ours.
    private static void Publish(string building, string directory)
    {
        try
        {
            Directory.Move(building, directory);
        }
        catch (IOException) when (File.Exists(Path.Combine(directory, "manifest.json")))
        {
        }
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string FileSha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
