using System.Numerics;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Curves;

/// <summary>
/// The ate pairing of BN254, enough to check products of pairings as Ethereum's pairing precompile
/// (EIP-197) does: Π e(Pᵢ, Qᵢ) = 1. Written for clarity over speed (a verification is a few tens of
/// milliseconds): the Miller loop runs over T = t − 1 = p − r in affine coordinates on the twist,
/// lines are full Fq¹² products, and the final exponentiation is one plain power by (p¹² − 1)/r.
/// Every constant is derived from p, r and ξ = 9 + u; none is copied. Any non-degenerate bilinear
/// pairing decides such a product the same way, which is why the plain ate pairing (rather than the
/// optimal ate pairing the precompile computes) is enough.
/// </summary>
public static class Bn254Pairing
{
    // The ate loop length: the Frobenius trace t is p + 1 − #E = p + 1 − r, and T = t − 1.
    private static readonly BigInteger LoopLength = Fq.Modulus - Fr.Modulus;
    private static readonly BigInteger FinalExponent = (BigInteger.Pow(Fq.Modulus, 12) - 1) / Fr.Modulus;

    /// <summary>
    /// Whether Π e(Pᵢ, Qᵢ) is 1. Pairs with a point at infinity contribute 1. The caller checks that
    /// the points are on their curves and the G2 points in the order-r subgroup (see
    /// <see cref="Bn254.IsInG2Subgroup"/>): the pairing of points outside G1 × G2 means nothing.
    /// </summary>
    public static bool ProductIsOne(IReadOnlyList<(AffinePoint<Fq> P, AffinePoint<Fq2> Q)> pairs)
    {
        var product = Fq12.One;
        foreach (var (p, q) in pairs) product *= MillerLoop(p, q);
        return FinalExponentiation(product).Equals(Fq12.One);
    }

    /// <summary>e(P, Q) itself (tests check bilinearity and non-degeneracy with it).</summary>
    internal static Fq12 Pair(AffinePoint<Fq> p, AffinePoint<Fq2> q) => FinalExponentiation(MillerLoop(p, q));

    private static Fq12 FinalExponentiation(Fq12 f) => f.Pow(FinalExponent);

    // f_{T,Q}(P) without its vertical lines: their values lie in Fq⁶, which the final exponentiation
    // (a multiple of p⁶ − 1) sends to 1.
    private static Fq12 MillerLoop(AffinePoint<Fq> p, AffinePoint<Fq2> q)
    {
        if (p.IsInfinity || q.IsInfinity) return Fq12.One;
        var f = Fq12.One;
        var (x, y) = (q.X, q.Y);
        var three = Fq2.One + Fq2.One + Fq2.One;
        for (var bit = (int)LoopLength.GetBitLength() - 2; bit >= 0; bit--)
        {
            var slope = three * x.Square() * y.Double().Inverse();
            f = f.Square() * Line(slope, x, y, p);
            (x, y) = Next(slope, x, y, x);
            if (((LoopLength >> bit) & 1).IsZero) continue;
            // T is far below r, so the running point never equals ±Q here: the chord is defined.
            slope = (q.Y - y) * (q.X - x).Inverse();
            f *= Line(slope, x, y, p);
            (x, y) = Next(slope, x, y, q.X);
        }

        return f;
    }

    // The point after (x, y) on the line of the given slope through it and a point with x-coordinate `other`.
    private static (Fq2 X, Fq2 Y) Next(Fq2 slope, Fq2 x, Fq2 y, Fq2 other)
    {
        var x3 = slope.Square() - x - other;
        return (x3, (slope * (x - x3)) - y);
    }

    // The line through the untwisted point ψ(x, y) = (x·w², y·w³) with the untwisted slope λ·w, at P:
    // y_P − λ·x_P·w + (λ·x − y)·w³, where w³ = v·w.
    private static Fq12 Line(Fq2 slope, Fq2 x, Fq2 y, AffinePoint<Fq> p) =>
        new(new Fq6(new Fq2(p.Y, Fq.Zero), Fq2.Zero, Fq2.Zero), new Fq6(-(slope * p.X), (slope * x) - y, Fq2.Zero));
}

/// <summary>Fq⁶ = Fq²[v]/(v³ − ξ) with ξ = 9 + u: the middle of BN254's tower.</summary>
internal readonly record struct Fq6(Fq2 C0, Fq2 C1, Fq2 C2)
{
    /// <summary>ξ = 9 + u, the non-residue of the tower (also the twist's: b′ = 3/ξ).</summary>
    public static readonly Fq2 Xi = new(Fq.FromUInt64(9), Fq.One);

    public static Fq6 operator +(Fq6 a, Fq6 b) => new(a.C0 + b.C0, a.C1 + b.C1, a.C2 + b.C2);

    public static Fq6 operator *(Fq6 a, Fq6 b) => new(
        (a.C0 * b.C0) + (Xi * ((a.C1 * b.C2) + (a.C2 * b.C1))),
        (a.C0 * b.C1) + (a.C1 * b.C0) + (Xi * (a.C2 * b.C2)),
        (a.C0 * b.C2) + (a.C1 * b.C1) + (a.C2 * b.C0));

    /// <summary>This times v: v·(c₀ + c₁v + c₂v²) = ξc₂ + c₀v + c₁v².</summary>
    public Fq6 MultiplyByV() => new(Xi * C2, C0, C1);
}

/// <summary>Fq¹² = Fq⁶[w]/(w² − v): where BN254's pairing takes its values.</summary>
internal readonly record struct Fq12(Fq6 C0, Fq6 C1)
{
    public static Fq12 One { get; } = new(new Fq6(Fq2.One, Fq2.Zero, Fq2.Zero), default);

    public static Fq12 operator *(Fq12 a, Fq12 b) =>
        new((a.C0 * b.C0) + (a.C1 * b.C1).MultiplyByV(), (a.C0 * b.C1) + (a.C1 * b.C0));

    public Fq12 Square() => this * this;

    /// <summary>This to a non-negative power (square and multiply, from the top bit).</summary>
    public Fq12 Pow(BigInteger exponent)
    {
        var bytes = exponent.ToByteArray(isUnsigned: true, isBigEndian: true);
        var result = One;
        foreach (var value in bytes)
        {
            for (var bit = 7; bit >= 0; bit--)
            {
                result = result.Square();
                if (((value >> bit) & 1) != 0) result *= this;
            }
        }

        return result;
    }
}
