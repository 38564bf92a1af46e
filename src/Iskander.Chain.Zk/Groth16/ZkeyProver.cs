using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Groth16;

/// <summary>A Groth16 proof (π_A, π_B, π_C) and the public signals it proves.</summary>
/// <param name="A">π_A in G1.</param>
/// <param name="B">π_B in G2.</param>
/// <param name="C">π_C in G1.</param>
/// <param name="PublicSignals">The public signals, in the circuit's order.</param>
public sealed record Groth16Proof(AffinePoint<Fq> A, AffinePoint<Fq2> B, AffinePoint<Fq> C, IReadOnlyList<Fr> PublicSignals)
{
    private static readonly JsonSerializerOptions SnarkjsLayout = new() { WriteIndented = true, IndentSize = 1 };

    /// <summary>The proof as snarkjs writes <c>proof.json</c> (projective coordinates with z = 1, G2 as [c0, c1] pairs).</summary>
    public string ToProofJson() => JsonSerializer.Serialize(new
    {
        pi_a = Coordinates(A),
        pi_b = new[] { new[] { Text(B.X.C0), Text(B.X.C1) }, [Text(B.Y.C0), Text(B.Y.C1)], ["1", "0"] },
        pi_c = Coordinates(C),
        protocol = "groth16",
        curve = "bn128",
    }, SnarkjsLayout);

    /// <summary>Reads snarkjs's <c>proof.json</c> and <c>public.json</c> (points are not checked here: <see cref="VerificationKey.Verify"/> does).</summary>
    /// <exception cref="FormatException">Not snarkjs's layout, or a number out of its field.</exception>
    public static Groth16Proof FromSnarkjs(string proofJson, string publicJson)
    {
        try
        {
            using var proof = JsonDocument.Parse(proofJson);
            using var signals = JsonDocument.Parse(publicJson);
            var root = proof.RootElement;
            return new Groth16Proof(SnarkjsJson.G1(root.GetProperty("pi_a"), "pi_a"), SnarkjsJson.G2(root.GetProperty("pi_b"), "pi_b"), SnarkjsJson.G1(root.GetProperty("pi_c"), "pi_c"),
                signals.RootElement.EnumerateArray().Select(signal => Fr.Parse(signal.GetString() ?? throw new FormatException("a public signal is not a string"))).ToList());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"not a snarkjs proof: {e.Message}", e);
        }
    }

    /// <summary>The public signals as snarkjs writes <c>public.json</c>.</summary>
    public string ToPublicJson() => JsonSerializer.Serialize(PublicSignals.Select(signal => signal.ToString()), SnarkjsLayout);

    private static string[] Coordinates(AffinePoint<Fq> point) => [Text(point.X), Text(point.Y), "1"];

    private static string Text(Fq value) => value.ToBigInteger().ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Proves Groth16 statements from snarkjs's proving key (<c>.zkey</c>) and witness (<c>.wtns</c>)
/// as <c>snarkjs groth16 prove</c> does, so snarkjs and the verifiers it exports accept the proofs:
/// the QAP's A and B at the domain points from the key's coefficients and the witness (C = A·B
/// there), their coefficients by an inverse FFT, their values on the coset ω₂ₙ·⟨ωₙ⟩ by a forward
/// FFT, A·B − C there as the scalars of the H points (which are the odd Lagrange points of the
/// domain of size 2n, so the division by the vanishing polynomial is in the key), then the
/// multi-scalar multiplications and the blinding by fresh random r and s.
/// </summary>
public static class ZkeyProver
{
    /// <summary>Proves the witness in <paramref name="witnessPath"/> with the key in <paramref name="zkeyPath"/>.</summary>
    /// <exception cref="ProvingFileException">A file is damaged, or they do not belong together.</exception>
    public static Groth16Proof Prove(string zkeyPath, string witnessPath)
    {
        var witness = WitnessFile.Read(witnessPath);
        using var zkey = ZkeyFile.Open(zkeyPath);
        if (witness.Count != zkey.VariableCount)
        {
            throw new ProvingFileException($"{Path.GetFileName(witnessPath)} holds {witness.Count:N0} values; the circuit of {Path.GetFileName(zkeyPath)} has {zkey.VariableCount:N0}");
        }

        var scalarsH = QuotientScalars(zkey, witness);
        var all = witness.Limbs.AsMemory();
        var a = MultiScalarMultiplication.Compute<Fq>(zkey.ReadA(), all);
        var b1 = MultiScalarMultiplication.Compute<Fq>(zkey.ReadB1(), all);
        var b2 = MultiScalarMultiplication.Compute<Fq2>(zkey.ReadB2(), all);
        var c = MultiScalarMultiplication.Compute<Fq>(zkey.ReadC(), all[((zkey.PublicCount + 1) * 4)..]);
        var h = MultiScalarMultiplication.Compute<Fq>(zkey.ReadH(), scalarsH);

        // Fresh blinding for every proof: fixed r and s would make the proof a function of the witness
        // alone, so a guessed witness (few members, few options) could be checked against it.
        var r = Fr.Random();
        var s = Fr.Random();
        var delta1 = zkey.Delta1.ToJacobian();
        var piA = a.AddMixed(zkey.Alpha1).Add(delta1.Multiply(Bn254.Limbs(r)));
        var piB = b2.AddMixed(zkey.Beta2).Add(zkey.Delta2.ToJacobian().Multiply(Bn254.Limbs(s)));
        var piB1 = b1.AddMixed(zkey.Beta1).Add(delta1.Multiply(Bn254.Limbs(s)));
        var piC = c.Add(h).Add(piA.Multiply(Bn254.Limbs(s))).Add(piB1.Multiply(Bn254.Limbs(r))).Add(delta1.Multiply(Bn254.Limbs(-(r * s))));
        var publicSignals = Enumerable.Range(1, zkey.PublicCount).Select(i => witness[i]).ToList();
        return new Groth16Proof(piA.ToAffine(), piB.ToAffine(), piC.ToAffine(), publicSignals);
    }

    /// <summary>Proves, then writes <c>proof.json</c> and <c>public.json</c> as snarkjs does.</summary>
    public static Groth16Proof ProveToFiles(string zkeyPath, string witnessPath, string proofPath, string publicPath)
    {
        var proof = Prove(zkeyPath, witnessPath);
        File.WriteAllText(proofPath, proof.ToProofJson());
        File.WriteAllText(publicPath, proof.ToPublicJson());
        return proof;
    }

    // (A·B − C) on the odd coset of the domain, as canonical limbs: the scalars of the H points.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong[] QuotientScalars(ZkeyFile zkey, WitnessFile witness)
    {
        var n = zkey.DomainSize;
        var values = new Fr[witness.Count];
        Parallel.For(0, values.Length, i => values[i] = witness[i]);
        var a = new Fr[n];
        var b = new Fr[n];
        foreach (var chunk in zkey.ReadCoefficients())
        {
            // A and B on one core each: a row takes entries of one matrix only from one thread.
            Parallel.For(0, 2, matrix => Accumulate(chunk, matrix, values, matrix == 0 ? a : b));
        }

        var c = new Fr[n];
        Parallel.For(0, n, i => c[i] = a[i] * b[i]);
        var domain = new EvaluationDomain(zkey.Power);
        var shift = EvaluationDomain.Root(zkey.Power + 1);
        Parallel.ForEach([a, b, c], values => domain.ToCoset(values, shift));
        var scalars = new ulong[n * 4];
        Parallel.For(0, n, i => ((a[i] * b[i]) - c[i]).WriteLittleEndian(MemoryMarshal.AsBytes(scalars.AsSpan(i * 4, 4))));
        return scalars;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate(ArraySegment<QapCoefficient> entries, int matrix, Fr[] witness, Fr[] target)
    {
        foreach (var entry in entries)
        {
            if (entry.Matrix == matrix) target[entry.Row] += entry.Value * witness[entry.Signal];
        }
    }
}
