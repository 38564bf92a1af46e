using System.Runtime.CompilerServices;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Groth16;

/// <summary>
/// The 2^k-th roots of unity of the scalar field, with ffjavascript's choice of root
/// (ω₂₈ = 5^((r−1)/2²⁸), ω_k its 2^(28−k)-th power) so that evaluations line up with the Lagrange
/// points of snarkjs's keys, and radix-2 FFTs over them (natural order in and out).
/// </summary>
internal sealed class EvaluationDomain
{
    /// <summary>The largest k with 2^k-th roots of unity in the field.</summary>
    public const int MaxPower = 28;

    private static readonly Fr[] Roots = BuildRoots();

    private readonly Fr[] _twiddles, _inverseTwiddles;
    private readonly Fr _sizeInverse;

    /// <summary>The domain of the 2^<paramref name="power"/>-th roots of unity.</summary>
    public EvaluationDomain(int power)
    {
        if (power is < 1 or > MaxPower) throw new ArgumentOutOfRangeException(nameof(power), $"1…{MaxPower}");
        Power = power;
        var half = Size / 2;
        _twiddles = Powers(Roots[power], half);
        _inverseTwiddles = Powers(Roots[power].Inverse(), half);
        _sizeInverse = Fr.FromUInt64((ulong)Size).Inverse();
    }

    /// <summary>k.</summary>
    public int Power { get; }

    /// <summary>2^k.</summary>
    public int Size => 1 << Power;

    /// <summary>The primitive 2^<paramref name="power"/>-th root of unity snarkjs uses.</summary>
    public static Fr Root(int power) => Roots[power];

    /// <summary>Evaluations at ω⁰…ω^(n−1) of the polynomial with these coefficients, in place.</summary>
    public void Forward(Span<Fr> values) => Transform(values, _twiddles);

    /// <summary>Coefficients of the polynomial with these evaluations at ω⁰…ω^(n−1), in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(Span<Fr> values)
    {
        Transform(values, _inverseTwiddles);
        for (var i = 0; i < values.Length; i++) values[i] *= _sizeInverse;
    }

    /// <summary>
    /// Evaluations on the coset shift·⟨ω⟩ of the polynomial with these evaluations on ⟨ω⟩, in place:
    /// its coefficients, then those of p(shift·x) (cᵢ·shiftⁱ, with the inverse transform's 1/n in
    /// the same product), then a forward transform.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ToCoset(Span<Fr> values, Fr shift)
    {
        Transform(values, _inverseTwiddles);
        var factor = _sizeInverse;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] *= factor;
            factor *= shift;
        }

        Transform(values, _twiddles);
    }

    // Iterative Cooley–Tukey, decimation in time: bit-reversal permutation, then butterflies of growing span.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Transform(Span<Fr> values, Fr[] twiddles)
    {
        if (values.Length != Size) throw new ArgumentException($"the domain holds {Size} values, not {values.Length}", nameof(values));
        for (int i = 1, j = 0; i < values.Length; i++)
        {
            var bit = values.Length >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) (values[i], values[j]) = (values[j], values[i]);
        }

        for (var span = 2; span <= values.Length; span <<= 1)
        {
            var half = span >> 1;
            var stride = values.Length / span;
            for (var start = 0; start < values.Length; start += span)
            {
                // ω⁰ = 1: the first butterfly of a block needs no product.
                var first = values[start];
                var second = values[start + half];
                values[start] = first + second;
                values[start + half] = first - second;
                for (var k = 1; k < half; k++)
                {
                    var even = values[start + k];
                    var odd = values[start + k + half] * twiddles[k * stride];
                    values[start + k] = even + odd;
                    values[start + k + half] = even - odd;
                }
            }
        }
    }

    private static Fr[] Powers(Fr root, int count)
    {
        var powers = new Fr[count];
        var power = Fr.One;
        for (var i = 0; i < count; i++)
        {
            powers[i] = power;
            power *= root;
        }

        return powers;
    }

    private static Fr[] BuildRoots()
    {
        var roots = new Fr[MaxPower + 1];
        roots[MaxPower] = Fr.FromUInt64(5).Pow((Fr.Modulus - 1) >> MaxPower);
        for (var k = MaxPower - 1; k >= 0; k--) roots[k] = roots[k + 1].Square();
        return roots;
    }
}
