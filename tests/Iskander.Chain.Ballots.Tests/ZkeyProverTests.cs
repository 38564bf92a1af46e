using System.Buffers.Binary;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Iskander.Chain.Ballots.Circuits;
using Iskander.Chain.Ballots.Proving;
using Iskander.Chain.Testing;
using Iskander.Chain.Toolchain;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Groth16;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Setup;
using Serilog;

namespace Iskander.Chain.Ballots.Tests;

/// <summary>
/// The C# Groth16 prover on the real ballot keys: its proofs pass <c>snarkjs groth16 verify</c>
/// (the exported Solidity verifiers on anvil check them in <see cref="VerifierFixtureTests"/>,
/// whose prover uses it by default), a tampered witness gives a proof that fails, proofs are
/// randomised, and damaged zkey and wtns files fail with an error naming the section. The in-process
/// verifier answers as snarkjs does on every proof here, good and bad.
/// </summary>
public sealed class ZkeyProverTests(TestCircuits circuits) : IClassFixture<TestCircuits>
{
    private static readonly Lazy<Task<(string Process, string Tally)>> Witnesses = new(CalculateWitnessesAsync);

    // Witnesses of a three-voter poll (one process batch, the tally), from the circuits' WebAssembly; kept for the run.
    private static async Task<(string Process, string Tally)> CalculateWitnessesAsync()
    {
        var circuits = new TestCircuits();
        var (coordinator, poll) = TestCircuits.ThreeVoterPoll(i => (ulong)i % 2);
        var directory = Directory.CreateTempSubdirectory("iskander-zkey-prover").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(directory, recursive: true);
        var process = await WitnessAsync(circuits.Process, poll.ProcessNextBatch(coordinator, Fr.Random()).Inputs, Path.Combine(directory, "process"));
        while (poll.BatchesLeft > 0) poll.ProcessNextBatch(coordinator, Fr.Random());
        var tally = await WitnessAsync(circuits.Tally, poll.TallyRemaining()[^1].Inputs, Path.Combine(directory, "tally"));
        return (process, tally);
    }

    private static async Task<string> WitnessAsync(CircuitKeys keys, IReadOnlyDictionary<string, object> inputs, string stem)
    {
        await File.WriteAllTextAsync(stem + ".input.json", JsonSerializer.Serialize(inputs));
        await TestToolchain.Runner().RunAsync(Tool.Snarkjs, ["wtns", "calculate", keys.Compiled.Wasm, stem + ".input.json", stem + ".wtns"]);
        return stem + ".wtns";
    }

    // Proves, then asks snarkjs and the in-process verifier, which must agree.
    private static async Task<(Zk.Groth16.Groth16Proof Proof, bool Verifies)> ProveAndVerifyAsync(CircuitKeys keys, string witness, string directory, string label)
    {
        var proofPath = Path.Combine(directory, label + ".proof.json");
        var publicPath = Path.Combine(directory, label + ".public.json");
        var proof = ZkeyProver.ProveToFiles(keys.ProvingKey, witness, proofPath, publicPath);
        var snarkjs = await TestCircuits.SnarkjsVerifiesAsync(keys, proofPath, publicPath);
        Assert.Equal(snarkjs, Groth16Prover.Verify(keys, proofPath, publicPath));
        return (proof, snarkjs);
    }

    [Fact]
    public async Task Proofs_of_every_ballot_circuit_verify_with_snarkjs_and_are_randomised()
    {
        var (processWitness, tallyWitness) = await Witnesses.Value;
        using var work = new TempDirectory();
        foreach (var (keys, witness) in new[] { (circuits.Process, processWitness), (circuits.Tally, tallyWitness) })
        {
            var name = keys.Compiled.Circuit.Name;
            var (first, firstVerifies) = await ProveAndVerifyAsync(keys, witness, work.Path, name + "-1");
            Assert.True(firstVerifies, $"{name}: snarkjs rejects the C# proof");
            var (second, secondVerifies) = await ProveAndVerifyAsync(keys, witness, work.Path, name + "-2");
            Assert.True(secondVerifies);
            Assert.NotEqual(first.A, second.A);
            Assert.NotEqual(first.C, second.C);
            Assert.Equal(keys.Compiled.Circuit.PublicInputs.Count, first.PublicSignals.Count);
            Assert.Equal(first.PublicSignals, second.PublicSignals);

            // The files are snarkjs's own shape, which its JSON readers (and ours) take.
            var parsed = Proving.Groth16Proof.Parse(await File.ReadAllTextAsync(Path.Combine(work.Path, name + "-1.proof.json")), await File.ReadAllTextAsync(Path.Combine(work.Path, name + "-1.public.json")));
            Assert.Equal(first.A.X.ToBigInteger(), parsed.A[0]);
            Assert.Equal(first.B.X.C1.ToBigInteger(), parsed.B[0][1]);
            using var document = JsonDocument.Parse(first.ToProofJson());
            Assert.Equal("groth16", document.RootElement.GetProperty("protocol").GetString());
            Assert.Equal("bn128", document.RootElement.GetProperty("curve").GetString());
            Assert.Equal(["1", "0"], document.RootElement.GetProperty("pi_b")[2].EnumerateArray().Select(e => e.GetString()));
        }
    }

    [Fact]
    public async Task A_tampered_witness_gives_a_proof_that_does_not_verify()
    {
        var (processWitness, _) = await Witnesses.Value;
        using var work = new TempDirectory();
        var bytes = await File.ReadAllBytesAsync(processWitness);
        var values = BinFileSections.Read(new MemoryStream(bytes), "wtns").Single(s => s.Id == 2);
        // The last private value, plus one: the public signals are the same, the constraints no longer hold.
        var at = (int)(values.Offset + values.Length - 32);
        var tampered = Fr.ReduceLittleEndian(bytes.AsSpan(at, 32)) + Fr.One;
        tampered.WriteLittleEndian(bytes.AsSpan(at, 32));
        var path = Path.Combine(work.Path, "tampered.wtns");
        await File.WriteAllBytesAsync(path, bytes);
        var (_, verifies) = await ProveAndVerifyAsync(circuits.Process, path, work.Path, "tampered");
        Assert.False(verifies);
    }

    [Fact]
    public async Task The_in_process_verifier_refuses_each_altered_proof_as_snarkjs_does()
    {
        var (_, tallyWitness) = await Witnesses.Value;
        using var work = new TempDirectory();
        var keys = circuits.Tally;
        var (good, verifies) = await ProveAndVerifyAsync(keys, tallyWitness, work.Path, "good");
        Assert.True(verifies);
        var proofJson = await File.ReadAllTextAsync(Path.Combine(work.Path, "good.proof.json"));
        var publicJson = await File.ReadAllTextAsync(Path.Combine(work.Path, "good.public.json"));
        static string Text(Fq value) => value.ToBigInteger().ToString();
        var doubledA = good.A.ToJacobian().Double().ToAffine();
        var variants = new (string Name, Action<JsonNode> Proof, Action<JsonArray> Public)[]
        {
            ("a public signal + 1", _ => { }, signals => signals[1] = (BigInteger.Parse(signals[1]!.GetValue<string>()) + 1).ToString()),
            ("a public signal fewer", _ => { }, signals => signals.RemoveAt(signals.Count - 1)),
            ("A doubled", proof => proof["pi_a"] = new JsonArray(Text(doubledA.X), Text(doubledA.Y), "1"), _ => { }),
            ("C negated", proof => proof["pi_c"]![1] = Text(-good.C.Y), _ => { }),
            ("A off the curve", proof => proof["pi_a"]![1] = Text(good.A.Y + Fq.One), _ => { }),
            ("B's coordinates swapped", proof => proof["pi_b"]![0] = new JsonArray(Text(good.B.X.C1), Text(good.B.X.C0)), _ => { }),
        };
        foreach (var (name, alterProof, alterPublic) in variants)
        {
            var proof = JsonNode.Parse(proofJson)!;
            var signals = JsonNode.Parse(publicJson)!.AsArray();
            alterProof(proof);
            alterPublic(signals);
            var proofPath = Path.Combine(work.Path, "altered.proof.json");
            var publicPath = Path.Combine(work.Path, "altered.public.json");
            await File.WriteAllTextAsync(proofPath, proof.ToJsonString());
            await File.WriteAllTextAsync(publicPath, signals.ToJsonString());
            Assert.False(await TestCircuits.SnarkjsVerifiesAsync(keys, proofPath, publicPath), $"snarkjs accepts {name}");
            Assert.False(Groth16Prover.Verify(keys, proofPath, publicPath), $"we accept {name}");
        }

        // Numbers out of their fields, and damaged keys, are errors that name what is wrong.
        var outOfField = JsonNode.Parse(publicJson)!.AsArray();
        outOfField[0] = Fr.Modulus.ToString();
        Assert.Throws<FormatException>(() => Zk.Groth16.Groth16Proof.FromSnarkjs(proofJson, outOfField.ToJsonString()));
        var key = JsonNode.Parse(await File.ReadAllTextAsync(keys.VerificationKey))!;
        key["vk_alpha_1"]![1] = "5";
        Assert.Contains("vk_alpha_1", Assert.Throws<FormatException>(() => VerificationKey.Parse(key.ToJsonString())).Message);
        key = JsonNode.Parse(await File.ReadAllTextAsync(keys.VerificationKey))!;
        key["IC"]!.AsArray().RemoveAt(0);
        Assert.Contains("nPublic", Assert.Throws<FormatException>(() => VerificationKey.Parse(key.ToJsonString())).Message);
        Assert.Contains("not a snarkjs verification key", Assert.Throws<FormatException>(() => VerificationKey.Parse("[1]")).Message);
    }

    [Fact]
    public async Task The_snarkjs_engine_still_proves()
    {
        var (coordinator, poll) = TestCircuits.ThreeVoterPoll(i => (ulong)i % 2);
        while (poll.BatchesLeft > 0) poll.ProcessNextBatch(coordinator, Fr.Random());
        var tally = poll.TallyRemaining()[^1];
        var prover = new Groth16Prover(TestToolchain.Runner(), new LoggerConfiguration().CreateLogger()) { Engine = ProverEngine.Snarkjs };
        using var work = new TempDirectory();
        var proof = await prover.ProveAsync(circuits.Tally, tally.Inputs, work.Path, "tally");
        Assert.Equal(tally.TallyCommitment.ToBigInteger(), proof.PublicSignals[2]);
    }

    [Fact]
    public void The_prover_setting_names_an_engine_and_defaults_to_csharp()
    {
        Assert.Equal(ProverEngine.CSharp, new Groth16Prover(TestToolchain.Runner(), new LoggerConfiguration().CreateLogger()).Engine);
        Assert.Equal(ProverEngine.CSharp, Groth16Prover.ParseEngine(null));
        Assert.Equal(ProverEngine.CSharp, Groth16Prover.ParseEngine("csharp"));
        Assert.Equal(ProverEngine.Snarkjs, Groth16Prover.ParseEngine(" Snarkjs "));
        Assert.Contains("'rapidsnark'", Assert.Throws<FormatException>(() => Groth16Prover.ParseEngine("rapidsnark")).Message, StringComparison.Ordinal);
    }

    /// <summary>A byte-level change to a zkey or wtns and the section its error must name.</summary>
    public sealed record Damage(string Name, bool Zkey, Action<byte[], IReadOnlyList<BinFileSection>> Apply, string Expected)
    {
        public override string ToString() => Name;
    }

    private static BinFileSection Section(IReadOnlyList<BinFileSection> sections, int id) => sections.Single(s => s.Id == id);

    private static void SetUInt32(byte[] bytes, long at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)at), value);

    public static TheoryData<Damage> Damages() =>
    [
        new("empty zkey", true, (b, _) => Array.Clear(b), "not a zkey file"),
        new("wrong magic", true, (b, _) => b[0] = (byte)'w', "not a zkey file"),
        new("PLONK zkey", true, (b, s) => SetUInt32(b, Section(s, 1).Offset, 2), "section 1 (header) names protocol 2"),
        new("other curve", true, (b, s) => b[Section(s, 2).Offset + 4] ^= 1, "section 2 (Groth16 header) is for another curve"),
        new("domain not a power of two", true, (b, s) => SetUInt32(b, Section(s, 2).Offset + 80, 3000), "section 2 (Groth16 header) declares a domain of 3,000"),
        new("α off the curve", true, (b, s) => b[Section(s, 2).Offset + 84 + 40] ^= 1, "section 2 (Groth16 header) holds an invalid point"),
        new("coefficient count", true, (b, s) => SetUInt32(b, Section(s, 4).Offset, 7), "section 4 (coefficients) is"),
        new("coefficient signal out of range", true, (b, s) => SetUInt32(b, Section(s, 4).Offset + 4 + 8, uint.MaxValue), "section 4 (coefficients) entry 0 is corrupted"),
        new("coordinate ≥ q", true, (b, s) => b.AsSpan((int)Section(s, 5).Offset + (64 * 3), 32).Fill(0xFF), "section 5 (A points) holds a point with a coordinate that is not a base-field element"),
        new("G2 point off the twist", true, (b, s) => b[Section(s, 7).Offset + (128 * 5) + 100] ^= 1, "section 7 (B2 points)"),
        new("H point off the curve", true, (b, s) => b[Section(s, 9).Offset + (64 * 9) + 40] ^= 1, "section 9 (H points) point 9 is not on BN254's G1"),
        new("empty wtns", false, (b, _) => Array.Clear(b), "not a wtns file"),
        new("witness of another field", false, (b, s) => b[Section(s, 1).Offset + 4] ^= 1, "section 1 (header) is for another curve"),
        new("witness value ≥ r", false, (b, s) => b.AsSpan((int)Section(s, 2).Offset + (32 * 5), 32).Fill(0xFF), "section 2 (witness) holds value 5 that is not a field element"),
        new("witness count", false, (b, s) => SetUInt32(b, Section(s, 1).Offset + 36, 12), "section 2 (witness) is"),
    ];

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task Damaged_files_fail_with_an_error_naming_the_section(Damage damage)
    {
        var (processWitness, _) = await Witnesses.Value;
        using var work = new TempDirectory();
        var original = damage.Zkey ? circuits.Process.ProvingKey : processWitness;
        var bytes = await File.ReadAllBytesAsync(original);
        damage.Apply(bytes, BinFileSections.Read(new MemoryStream(bytes.ToArray()), damage.Zkey ? "zkey" : "wtns"));
        var damaged = Path.Combine(work.Path, Path.GetFileName(original));
        await File.WriteAllBytesAsync(damaged, bytes);
        var error = await Assert.ThrowsAsync<ProvingFileException>(() => Task.Run(() => damage.Zkey ? ZkeyProver.Prove(damaged, processWitness) : ZkeyProver.Prove(circuits.Process.ProvingKey, damaged))
            .WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.Contains(damage.Expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(Path.GetFileName(original), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_files_fail_with_a_clear_error_at_every_cut()
    {
        var (processWitness, tallyWitness) = await Witnesses.Value;
        using var work = new TempDirectory();
        foreach (var original in new[] { circuits.Process.ProvingKey, processWitness })
        {
            var bytes = await File.ReadAllBytesAsync(original);
            var sections = BinFileSections.Read(new MemoryStream(bytes), original.EndsWith(".zkey", StringComparison.Ordinal) ? "zkey" : "wtns");
            // Inside the file header, every section header, and the middle and last byte of every section.
            var cuts = new long[] { 0, 3, 11 }.Concat(sections.SelectMany(s => new[] { s.Offset - 5, s.Offset + (s.Length / 2), s.Offset + s.Length - 1 })).Where(c => c < bytes.Length).Distinct();
            foreach (var cut in cuts)
            {
                var truncated = Path.Combine(work.Path, Path.GetFileName(original));
                await File.WriteAllBytesAsync(truncated, bytes[..(int)cut]);
                var zkey = original == circuits.Process.ProvingKey ? truncated : circuits.Process.ProvingKey;
                var witness = original == processWitness ? truncated : processWitness;
                var error = await Assert.ThrowsAsync<ProvingFileException>(() => Task.Run(() => ZkeyProver.Prove(zkey, witness)).WaitAsync(TimeSpan.FromMinutes(1)));
                Assert.StartsWith(Path.GetFileName(original), error.Message, StringComparison.Ordinal);
            }
        }

        // A witness of another circuit.
        var mismatch = Assert.Throws<ProvingFileException>(() => ZkeyProver.Prove(circuits.Process.ProvingKey, tallyWitness));
        Assert.Contains("the circuit of circuit.zkey has", mismatch.Message, StringComparison.Ordinal);
    }
}
