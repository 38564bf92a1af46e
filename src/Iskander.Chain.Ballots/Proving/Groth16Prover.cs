using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Iskander.Chain.Ballots.Circuits;
using Iskander.Chain.Toolchain;
using Iskander.Chain.Zk.Groth16;
using Serilog;

namespace Iskander.Chain.Ballots.Proving;

/// <summary>A Groth16 proof and its public signals, as snarkjs writes them.</summary>
/// <param name="A">π_A (x, y).</param>
/// <param name="B">π_B ((x1, x0), (y1, y0)) as snarkjs writes it: [[x0, x1], [y0, y1]].</param>
/// <param name="C">π_C (x, y).</param>
/// <param name="PublicSignals">The public inputs, in the circuit's order.</param>
public sealed record Groth16Proof(BigInteger[] A, BigInteger[][] B, BigInteger[] C, IReadOnlyList<BigInteger> PublicSignals)
{
    /// <summary>Reads snarkjs' <c>proof.json</c> and <c>public.json</c> (coordinates checked against their fields).</summary>
    /// <exception cref="FormatException">Not snarkjs's layout, or a number out of its field.</exception>
    public static Groth16Proof Parse(string proofJson, string publicJson) => From(Zk.Groth16.Groth16Proof.FromSnarkjs(proofJson, publicJson));

    /// <summary>The same proof with its coordinates as integers.</summary>
    public static Groth16Proof From(Zk.Groth16.Groth16Proof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return new Groth16Proof(
            [proof.A.X.ToBigInteger(), proof.A.Y.ToBigInteger()],
            [[proof.B.X.C0.ToBigInteger(), proof.B.X.C1.ToBigInteger()], [proof.B.Y.C0.ToBigInteger(), proof.B.Y.C1.ToBigInteger()]],
            [proof.C.X.ToBigInteger(), proof.C.Y.ToBigInteger()],
            proof.PublicSignals.Select(signal => signal.ToBigInteger()).ToList());
    }

    /// <summary>
    /// The proof as the contracts take it: <c>uint256[8] = [a.x, a.y, b.x1, b.x0, b.y1, b.y0, c.x, c.y]</c>.
    /// The G2 coordinates' limbs are swapped for the pairing precompile, as snarkjs' own calldata export does.
    /// </summary>
    public BigInteger[] ToContractArray() => [A[0], A[1], B[0][1], B[0][0], B[1][1], B[1][0], C[0], C[1]];

    /// <summary>The proof as JSON for storage (snarkjs' layout).</summary>
    public string ToJson() => JsonSerializer.Serialize(new
    {
        pi_a = A.Select(Text), pi_b = B.Select(row => row.Select(Text)), pi_c = C.Select(Text), publicSignals = PublicSignals.Select(Text),
    });

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    public static Groth16Proof FromJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        static BigInteger[] Numbers(JsonElement array) => array.EnumerateArray().Select(e => BigInteger.Parse(e.GetString()!, CultureInfo.InvariantCulture)).ToArray();
        return new Groth16Proof(Numbers(root.GetProperty("pi_a")), root.GetProperty("pi_b").EnumerateArray().Select(Numbers).ToArray(),
            Numbers(root.GetProperty("pi_c")), Numbers(root.GetProperty("publicSignals")));
    }

    private static string Text(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The proof is not valid for its verification key, or proves other public inputs than expected.</summary>
public sealed class InvalidProofException(string message) : Exception(message);

/// <summary>Which program makes the Groth16 proof from the witness.</summary>
public enum ProverEngine
{
    /// <summary>The C# prover of <c>Iskander.Chain.Zk</c>, in process (the default: several times faster).</summary>
    CSharp,

    /// <summary><c>snarkjs groth16 prove</c> as an external process.</summary>
    Snarkjs,
}

/// <summary>
/// Proves a circuit's inputs: the witness with snarkjs's <c>wtns calculate</c> (the circuit's
/// WebAssembly witness generator), the proof with <see cref="Engine"/>, then the Groth16 check in
/// process (<see cref="VerificationKey"/>, the pairing check the Solidity verifiers make) before
/// anything is sent anywhere. Each external step has a time limit and
/// honours cancellation (the process is killed); the Node heap is raised for large circuits. Files
/// go to a working folder the caller owns.
/// </summary>
public sealed class Groth16Prover(ToolRunner runner, ILogger log)
{
    /// <summary>What makes the proof from the witness.</summary>
    public ProverEngine Engine { get; init; } = ProverEngine.CSharp;

    /// <summary>The engine a setting names: <c>csharp</c> (also when unset) or <c>snarkjs</c>.</summary>
    /// <exception cref="FormatException">Any other name.</exception>
    public static ProverEngine ParseEngine(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" or "csharp" => ProverEngine.CSharp,
        "snarkjs" => ProverEngine.Snarkjs,
        _ => throw new FormatException($"the prover is csharp or snarkjs, not '{name}'"),
    };

    /// <summary>Most time one witness or proof may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Node options for snarkjs.</summary>
    public string NodeOptions { get; init; } = "--max-old-space-size=8192";

    /// <summary>Proves <paramref name="inputs"/> for <paramref name="keys"/> in <paramref name="workDirectory"/>, verifies the proof, and checks its public signals are the inputs' public values.</summary>
    /// <exception cref="InvalidProofException">The proof does not verify, or its public signals differ from the inputs'.</exception>
    public async Task<Groth16Proof> ProveAsync(CircuitKeys keys, IReadOnlyDictionary<string, object> inputs, string workDirectory, string label, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(workDirectory);
        var input = Path.Combine(workDirectory, $"{label}.input.json");
        var witness = Path.Combine(workDirectory, $"{label}.wtns");
        var proofPath = Path.Combine(workDirectory, $"{label}.proof.json");
        var publicPath = Path.Combine(workDirectory, $"{label}.public.json");
        await File.WriteAllTextAsync(input, JsonSerializer.Serialize(inputs), cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        log.Information("Proving {Label} ({Circuit}, {Constraints} constraints): witness", label, keys.Compiled.Circuit.Name, keys.Compiled.Constraints);
        await Run(["wtns", "calculate", keys.Compiled.Wasm, input, witness], cancellationToken).ConfigureAwait(false);
        log.Information("Proving {Label}: witness in {Seconds:0.0} s, Groth16 proof ({Engine})", label, clock.Elapsed.TotalSeconds, Engine);
        if (Engine == ProverEngine.Snarkjs) await Run(["groth16", "prove", keys.ProvingKey, witness, proofPath, publicPath], cancellationToken).ConfigureAwait(false);
        else await Task.Run(() => ZkeyProver.ProveToFiles(keys.ProvingKey, witness, proofPath, publicPath), cancellationToken).ConfigureAwait(false);
        var proofJson = await File.ReadAllTextAsync(proofPath, cancellationToken).ConfigureAwait(false);
        var publicJson = await File.ReadAllTextAsync(publicPath, cancellationToken).ConfigureAwait(false);
        var made = Zk.Groth16.Groth16Proof.FromSnarkjs(proofJson, publicJson);
        var proof = Groth16Proof.From(made);
        var expected = keys.Compiled.Circuit.PublicInputs.Select(name => BigInteger.Parse((string)inputs[name], CultureInfo.InvariantCulture)).ToList();
        if (!proof.PublicSignals.SequenceEqual(expected)) throw new InvalidProofException($"{label}: the proof's public signals are not the inputs' public values");
        if (!VerificationKey.Load(keys.VerificationKey).Verify(made)) throw new InvalidProofException($"{label}: the proof just made does not verify with {Path.GetFileName(keys.VerificationKey)}");
        File.Delete(witness);
        log.Information("Proved {Label} in {Seconds:0.0} s (verified locally)", label, clock.Elapsed.TotalSeconds);
        return proof;
    }

    /// <summary>Whether the proof in <paramref name="proofPath"/> with public signals <paramref name="publicPath"/> verifies with the circuit's key (in process).</summary>
    /// <exception cref="FormatException">A file is not in snarkjs's layout.</exception>
    public static bool Verify(CircuitKeys keys, string proofPath, string publicPath) =>
        VerificationKey.Load(keys.VerificationKey).Verify(Zk.Groth16.Groth16Proof.FromSnarkjs(File.ReadAllText(proofPath), File.ReadAllText(publicPath)));

    private Task<ToolResult> Run(IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        runner.RunAsync(Tool.Snarkjs, arguments, new ToolRunOptions { Timeout = Timeout, Environment = Environment(), OnLine = line => log.Debug("snarkjs: {Line}", line) }, cancellationToken);

    private Dictionary<string, string?> Environment() => new() { ["NODE_OPTIONS"] = NodeOptions };
}
