using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Iskander.Chain.Zk.Field;

/// <summary>
/// An element c0 + c1·u of Fq² = Fq[u]/(u² + 1), the field of BN254's G2 coordinates.
/// </summary>
/// <param name="C0">The real part.</param>
/// <param name="C1">The coefficient of u.</param>
public readonly record struct Fq2(Fq C0, Fq C1) : IFieldElement<Fq2>
{
    /// <summary>0.</summary>
    public static Fq2 Zero => default;

    /// <summary>1.</summary>
    public static Fq2 One { get; } = new(Fq.One, Fq.Zero);

    /// <inheritdoc />
    public bool IsZero => C0.IsZero && C1.IsZero;

    /// <summary>Sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fq2 operator +(Fq2 a, Fq2 b) => new(a.C0 + b.C0, a.C1 + b.C1);

    /// <summary>Difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fq2 operator -(Fq2 a, Fq2 b) => new(a.C0 - b.C0, a.C1 - b.C1);

    /// <summary>Negation.</summary>
    public static Fq2 operator -(Fq2 a) => new(-a.C0, -a.C1);

    /// <summary>Product: (a0b0 − a1b1) + (a0b1 + a1b0)·u, each part one sum of two products with a single reduction (as many word products as Karatsuba's three reductions, fewer modular additions).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fq2 operator *(Fq2 a, Fq2 b) => new(Fq.SumOfProducts(a.C0, b.C0, a.C1, -b.C1), Fq.SumOfProducts(a.C0, b.C1, a.C1, b.C0));

    /// <summary>Product with a base-field element.</summary>
    public static Fq2 operator *(Fq2 a, Fq b) => new(a.C0 * b, a.C1 * b);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fq2 Square()
    {
        // (c0 + c1u)² = (c0 + c1)(c0 − c1) + 2c0c1·u: two products.
        var product = C0 * C1;
        return new((C0 + C1) * (C0 - C1), product + product);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fq2 Double() => new(C0.Double(), C1.Double());

    /// <inheritdoc />
    public Fq2 Inverse()
    {
        if (IsZero) throw new DivideByZeroException("0 has no inverse in the field");
        var norm = (C0.Square() + C1.Square()).Inverse();
        return new(C0 * norm, -(C1 * norm));
    }

    /// <summary>
    /// Inverses of many elements through their norms: 1/(a + bu) = (a − bu)/(a² + b²), the norms
    /// (one reduction each) inverted together in Fq, about 6 base-field products an element instead
    /// of Montgomery's trick's 3 Fq² ones (~10).
    /// </summary>
    /// <exception cref="DivideByZeroException">An element is zero.</exception>
    public static void InvertAll(Span<Fq2> values, Span<Fq2> scratch)
    {
        // The scratch as base-field elements: the norms, then their prefix products.
        var norms = MemoryMarshal.Cast<Fq2, Fq>(scratch);
        var n = values.Length;
        for (var k = 0; k < n; k++) norms[k] = Fq.SumOfProducts(values[k].C0, values[k].C0, values[k].C1, values[k].C1);
        BatchInversion.Invert(norms[..n], norms[n..(2 * n)]);
        for (var k = 0; k < n; k++) values[k] = new Fq2(values[k].C0 * norms[k], -(values[k].C1 * norms[k]));
    }

    /// <inheritdoc />
    public override string ToString() => $"({C0}, {C1})";
}
