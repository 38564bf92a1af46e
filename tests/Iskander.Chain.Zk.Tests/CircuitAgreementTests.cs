using System.Text.Json;
using Iskander.Chain.Testing;
using Iskander.Chain.Toolchain;
using Iskander.Chain.Zk.Encryption;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Hashing;
using Iskander.Chain.Zk.Keys;

namespace Iskander.Chain.Zk.Tests;

/// <summary>Compiles circuits/test/PrimitivesAgreement.circom once with circom2 (real compiler, real snarkjs).</summary>
public sealed class AgreementCircuit : IDisposable
{
    public AgreementCircuit()
    {
        var source = Path.Combine(TestToolchain.Layout.Root, "circuits", "test", "PrimitivesAgreement.circom");
        TestToolchain.Runner().RunAsync(Tool.Circom, [source, "--r1cs", "--wasm", "-l", TestToolchain.Layout.NodeModules, "-o", Directory.Path],
            new ToolRunOptions { Timeout = TimeSpan.FromMinutes(5) }).GetAwaiter().GetResult();
    }

    public TempDirectory Directory { get; } = new();

    public string R1cs => Directory.Combine("PrimitivesAgreement.r1cs");

    public string Wasm => Directory.Combine("PrimitivesAgreement_js", "PrimitivesAgreement.wasm");

    public void Dispose() => Directory.Dispose();
}

/// <summary>
/// The circuits and the C# primitives agree: a witness built from C# values (Poseidon, an
/// EdDSA-Poseidon signature by a MACI key, a Poseidon ciphertext under an ECDH key) satisfies the
/// compiled circuit (snarkjs computes the witness and checks every R1CS constraint), and any
/// tampered value is refused.
/// </summary>
public sealed class CircuitAgreementTests(AgreementCircuit circuit) : IClassFixture<AgreementCircuit>
{
    private static Dictionary<string, object> HonestInput()
    {
        var voter = MaciPrivateKey.Parse("macisk.3cd46064ea59936f82efb384059dd4f5b6b8e5c7546614caf7c1c3be0daea00f");
        var coordinator = MaciPrivateKey.Generate();
        var a = Fr.FromUInt64(11);
        var b = Fr.Parse("21888242871839275222246405745257275088548364400416034343698204186575808495616");
        var message = Poseidon.Hash([Fr.FromUInt64(1), Fr.FromUInt64(2), Fr.FromUInt64(3), Fr.FromUInt64(4)]);
        var signature = voter.Sign(message);
        var sharedKey = voter.SharedKey(coordinator.PublicKey());
        var plaintext = Enumerable.Range(0, 7).Select(i => Poseidon.Hash(Fr.FromUInt64((ulong)i), message)).ToArray();
        return new Dictionary<string, object>
        {
            ["hashInputs"] = new[] { a.ToString(), b.ToString() },
            ["hash"] = Poseidon.Hash(a, b).ToString(),
            ["publicKey"] = new[] { voter.PublicKey().Point.X.ToString(), voter.PublicKey().Point.Y.ToString() },
            ["message"] = message.ToString(),
            ["r8"] = new[] { signature.R8.X.ToString(), signature.R8.Y.ToString() },
            ["s"] = signature.S.ToString(),
            ["sharedKey"] = new[] { sharedKey.X.ToString(), sharedKey.Y.ToString() },
            ["ciphertext"] = PoseidonCipher.Encrypt(plaintext, sharedKey, 0).Select(f => f.ToString()).ToArray(),
            ["plaintext"] = plaintext.Select(f => f.ToString()).ToArray(),
        };
    }

    private async Task<ToolResult> CalculateWitnessAsync(Dictionary<string, object> input, string name)
    {
        var inputPath = circuit.Directory.Combine($"{name}.json");
        await File.WriteAllTextAsync(inputPath, JsonSerializer.Serialize(input));
        return await TestToolchain.Runner().RunAsync(Tool.Snarkjs, ["wtns", "calculate", circuit.Wasm, inputPath, circuit.Directory.Combine($"{name}.wtns")],
            new ToolRunOptions { AllowFailure = true, Timeout = TimeSpan.FromMinutes(2) });
    }

    [Fact]
    public async Task A_witness_from_CSharp_values_satisfies_every_constraint()
    {
        var calculated = await CalculateWitnessAsync(HonestInput(), "honest");
        Assert.True(calculated.ExitCode == 0, calculated.StandardError + calculated.StandardOutput);
        var check = await TestToolchain.Runner().RunAsync(Tool.Snarkjs, ["wtns", "check", circuit.R1cs, circuit.Directory.Combine("honest.wtns")],
            new ToolRunOptions { AllowFailure = true, Timeout = TimeSpan.FromMinutes(2) });
        Assert.True(check.ExitCode == 0, check.StandardError + check.StandardOutput);
        Assert.Contains("WITNESS IS CORRECT", check.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hash")]
    [InlineData("s")]
    [InlineData("message")]
    [InlineData("plaintext")]
    [InlineData("ciphertext")]
    public async Task A_tampered_value_is_refused(string field)
    {
        var input = HonestInput();
        static string Bump(string value) => (Fr.Parse(value) + Fr.One).ToString();
        input[field] = input[field] switch
        {
            string single => Bump(single),
            string[] many => many.Select((v, i) => i == 3 ? Bump(v) : v).ToArray(),
            _ => throw new InvalidOperationException(),
        };
        var calculated = await CalculateWitnessAsync(input, $"tampered-{field}");
        Assert.NotEqual(0, calculated.ExitCode);
        Assert.Contains("Assert Failed", calculated.StandardError + calculated.StandardOutput, StringComparison.Ordinal);
    }
}
