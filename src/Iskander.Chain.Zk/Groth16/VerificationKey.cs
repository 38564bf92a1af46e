using System.Text.Json;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Groth16;

/// <summary>
/// A Groth16 verification key as snarkjs exports it (<c>verification_key.json</c>, protocol
/// <c>groth16</c>, curve <c>bn128</c>), and the verification itself: the check the exported Solidity
/// verifiers make, e(A, B) = e(α, β)·e(L, γ)·e(C, δ) with L = IC₀ + Σ sᵢ·ICᵢ, done in process with
/// <see cref="Bn254Pairing"/>.
/// </summary>
public sealed class VerificationKey
{
    private VerificationKey(AffinePoint<Fq> alpha, AffinePoint<Fq2> beta, AffinePoint<Fq2> gamma, AffinePoint<Fq2> delta, IReadOnlyList<AffinePoint<Fq>> ic)
    {
        Alpha1 = alpha;
        Beta2 = beta;
        Gamma2 = gamma;
        Delta2 = delta;
        IC = ic;
    }

    /// <summary>α in G1.</summary>
    public AffinePoint<Fq> Alpha1 { get; }

    /// <summary>β in G2.</summary>
    public AffinePoint<Fq2> Beta2 { get; }

    /// <summary>γ in G2.</summary>
    public AffinePoint<Fq2> Gamma2 { get; }

    /// <summary>δ in G2.</summary>
    public AffinePoint<Fq2> Delta2 { get; }

    /// <summary>The points of the public inputs: IC₀ for the constant 1, then one per public signal.</summary>
    public IReadOnlyList<AffinePoint<Fq>> IC { get; }

    /// <summary>Reads the key in <paramref name="path"/>.</summary>
    /// <exception cref="FormatException">Not a Groth16 bn128 verification key (the message names the file and the field).</exception>
    public static VerificationKey Load(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (FormatException e)
        {
            throw new FormatException($"{Path.GetFileName(path)}: {e.Message}", e);
        }
    }

    /// <summary>Reads snarkjs's JSON layout of a verification key.</summary>
    /// <exception cref="FormatException">Not a Groth16 bn128 verification key, or a point not on its curve (or, in G2, not in the order-r subgroup).</exception>
    public static VerificationKey Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (Text(root, "protocol") != "groth16" || Text(root, "curve") != "bn128") throw new FormatException("not a Groth16 key on bn128");
            var ic = root.GetProperty("IC").EnumerateArray().Select((point, i) => OnCurve(SnarkjsJson.G1(point, $"IC[{i}]"), $"IC[{i}]")).ToList();
            if (ic.Count == 0) throw new FormatException("no IC points");
            if (root.TryGetProperty("nPublic", out var count) && count.GetInt32() != ic.Count - 1) throw new FormatException($"{ic.Count} IC points for nPublic {count}");
            AffinePoint<Fq2> G2(string name) => SnarkjsJson.G2(root.GetProperty(name), name) is var point && InG2(point) ? point : throw new FormatException($"{name} is not in G2");
            return new VerificationKey(OnCurve(SnarkjsJson.G1(root.GetProperty("vk_alpha_1"), "vk_alpha_1"), "vk_alpha_1"), G2("vk_beta_2"), G2("vk_gamma_2"), G2("vk_delta_2"), ic);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"not a snarkjs verification key: {e.Message}", e);
        }
    }

    /// <summary>
    /// Whether <paramref name="proof"/> proves its public signals for this key. False too when the
    /// signals are not as many as the key's inputs or a proof point is off its curve or outside its
    /// group (the Solidity verifiers revert or fail on those).
    /// </summary>
    public bool Verify(Groth16Proof proof)
    {
        if (proof.PublicSignals.Count != IC.Count - 1) return false;
        if (!proof.A.IsOnCurve(Bn254.G1B) || !proof.C.IsOnCurve(Bn254.G1B) || !InG2(proof.B)) return false;
        var inputs = IC[0].ToJacobian();
        for (var i = 0; i < proof.PublicSignals.Count; i++) inputs = inputs.Add(IC[i + 1].ToJacobian().Multiply(Bn254.Limbs(proof.PublicSignals[i])));
        return Bn254Pairing.ProductIsOne([(proof.A.Negate(), proof.B), (Alpha1, Beta2), (inputs.ToAffine(), Gamma2), (proof.C, Delta2)]);
    }

    private static AffinePoint<Fq> OnCurve(AffinePoint<Fq> point, string name) => point.IsOnCurve(Bn254.G1B) ? point : throw new FormatException($"{name} is not on the curve");

    private static bool InG2(AffinePoint<Fq2> point) => point.IsOnCurve(Bn254.G2B) && Bn254.IsInG2Subgroup(point);

    private static string? Text(JsonElement root, string name) => root.TryGetProperty(name, out var value) ? value.GetString() : null;
}
