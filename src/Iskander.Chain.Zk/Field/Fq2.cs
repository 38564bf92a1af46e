using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Iskander.Chain.Zk.Field;

/// <summary>
/// An element c0 + c1·u of Fq² = Fq[u]/(u² + 1), the field of BN254's G2 coordinates.
/// </summary>
/// <param name="C0">The real part.</param>
/// <param name="C1">The coefficient of u.</param>
public readonly record struct Fq2(Fq C0, Fq C1) : IFieldElement<Fq2>, ILaneCoordinate<Fq2>
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

    // G2 coordinates in lanes: two base-field parts, each product of Fq² parts one product sum with a
    // single reduction (c₀ = a₀b₀ − a₁b₁ as a₀b₀ + (−a₁)b₁, the negated operand a product result, which
    // Negate takes). Scratch registers (base-field elements after x₁, y₁, x₂, y₂, parts in turn):
    // the inverse as i₁, i₀, −i₁ (so [i₀, −i₁] and [i₁, i₀] are both adjacent); y₂ − y₁; λ as
    // [λ₀, −λ₁, 1] and [λ₁, λ₀, 1], the first operands of the parts' sums; their second operands.
    private const int LaneI1 = 8, LaneI0 = 9, LaneNegatedI1 = 10, LaneDy = 11, LaneLambdaReal = 13, LaneLambdaU = 16, LaneReal = 19, LaneU = 22, LaneEnd = 25;
    private const int Limbs = LaneForm.Limbs;

    static int ILaneCoordinate<Fq2>.Parts => 2;

    static int ILaneCoordinate<Fq2>.LaneScratch => LaneEnd - 8;

    static Fq ILaneCoordinate<Fq2>.Part(in Fq2 value, int part) => part == 0 ? value.C0 : value.C1;

    static Fq2 ILaneCoordinate<Fq2>.FromParts(ReadOnlySpan<Fq> parts) => new(parts[0], parts[1]);

    static Fq2 ILaneCoordinate<Fq2>.Scale(in Fq2 value, Fq factor) => value * factor;

    static void ILaneCoordinate<Fq2>.LaneInitialize<T>(Span<T> registers)
    {
        var one = LaneForm<Fq>.One;
        for (var limb = 0; limb < Limbs; limb++) registers[((LaneLambdaReal + 2) * Limbs) + limb] = registers[((LaneLambdaU + 2) * Limbs) + limb] = T.Broadcast(one[limb]);
    }

    // N(d) = d₀² + d₁², one two-term product sum.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ILaneCoordinate<Fq2>.LaneDifferenceNorm<T>(ReadOnlySpan<T> x1, ReadOnlySpan<T> x2, Span<T> norm)
    {
        Span<T> difference = stackalloc T[2 * Limbs];
        LaneField<T, Fq>.Subtract(x2[..Limbs], x1[..Limbs], difference[..Limbs]);
        LaneField<T, Fq>.Subtract(x2[Limbs..], x1[Limbs..], difference[Limbs..]);
        LaneField<T, Fq>.MultiplySum(new LaneLimbs<T>(difference), difference, 2, default, norm);
    }

    // 1/(x₂ − x₁) = (d₀ − d₁u)/N, λ = (y₂ − y₁)/(x₂ − x₁), x₃ = λ² − x₁ − x₂, y₃ = λ(x₁ − x₃) − y₁;
    // each part of x₃ and y₃ one three-term product sum (the third term 1 times −x₁ − x₂ or −y₁), so
    // that they come out below q + 2²³⁷: operands below 2²⁵⁸, three terms (the lane field allows seven).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void ILaneCoordinate<Fq2>.LaneAdd<T>(Span<T> r, ReadOnlySpan<T> normInverse)
    {
        const int x1 = 0, y1 = 2, x2 = 4, y2 = 6;
        LaneField<T, Fq>.Subtract(LaneForm.Element(r, x2), LaneForm.Element(r, x1), LaneForm.Element(r, LaneI0));
        LaneField<T, Fq>.Multiply(LaneForm.Element(r, LaneI0), normInverse, LaneForm.Element(r, LaneI0));
        LaneField<T, Fq>.Subtract(LaneForm.Element(r, x2 + 1), LaneForm.Element(r, x1 + 1), LaneForm.Element(r, LaneNegatedI1));
        LaneField<T, Fq>.Multiply(LaneForm.Element(r, LaneNegatedI1), normInverse, LaneForm.Element(r, LaneNegatedI1));
        LaneField<T, Fq>.Negate(LaneForm.Element(r, LaneNegatedI1), LaneForm.Element(r, LaneI1));
        LaneField<T, Fq>.Subtract(LaneForm.Element(r, y2), LaneForm.Element(r, y1), LaneForm.Element(r, LaneDy));
        LaneField<T, Fq>.Subtract(LaneForm.Element(r, y2 + 1), LaneForm.Element(r, y1 + 1), LaneForm.Element(r, LaneDy + 1));
        var dy = new LaneLimbs<T>(r.Slice(LaneDy * Limbs, 2 * Limbs));
        LaneField<T, Fq>.MultiplySum(dy, r.Slice(LaneI0 * Limbs, 2 * Limbs), 2, default, LaneForm.Element(r, LaneLambdaReal));
        LaneField<T, Fq>.MultiplySum(dy, r.Slice(LaneI1 * Limbs, 2 * Limbs), 2, default, LaneForm.Element(r, LaneLambdaU));
        LaneForm.Element(r, LaneLambdaReal).CopyTo(LaneForm.Element(r, LaneLambdaU + 1));
        LaneField<T, Fq>.Negate(LaneForm.Element(r, LaneLambdaU), LaneForm.Element(r, LaneLambdaReal + 1));

        // x₃ (where x₂ was): second operands [λ₀, λ₁, −x₁ − x₂] per part.
        LaneForm.Element(r, LaneLambdaReal).CopyTo(LaneForm.Element(r, LaneReal));
        LaneForm.Element(r, LaneLambdaU).CopyTo(LaneForm.Element(r, LaneReal + 1));
        for (var part = 0; part < 2; part++)
        {
            var sum = LaneForm.Element(r, (part == 0 ? LaneReal : LaneU) + 2);
            LaneField<T, Fq>.Negate(LaneForm.Element(r, x1 + part), sum);
            LaneField<T, Fq>.Subtract(sum, LaneForm.Element(r, x2 + part), sum);
        }

        LaneProductSums(r, x2);

        // y₃ (where y₂ was): second operands [x₁ − x₃, −y₁] per part.
        LaneField<T, Fq>.Subtract(LaneForm.Element(r, x1), LaneForm.Element(r, x2), LaneForm.Element(r, LaneReal));
        LaneField<T, Fq>.Subtract(LaneForm.Element(r, x1 + 1), LaneForm.Element(r, x2 + 1), LaneForm.Element(r, LaneReal + 1));
        LaneField<T, Fq>.Negate(LaneForm.Element(r, y1), LaneForm.Element(r, LaneReal + 2));
        LaneField<T, Fq>.Negate(LaneForm.Element(r, y1 + 1), LaneForm.Element(r, LaneU + 2));
        LaneProductSums(r, y2);
    }

    // destination = λ·b + c: real part [λ₀, −λ₁, 1]·[b₀, b₁, c₀], u part [λ₁, λ₀, 1]·[b₀, b₁, c₁]
    // (b₀, b₁ copied from the real part's operands to the u part's).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LaneProductSums<T>(Span<T> r, int destination)
        where T : unmanaged, ILanes<T>
    {
        r.Slice(LaneReal * Limbs, 2 * Limbs).CopyTo(r.Slice(LaneU * Limbs, 2 * Limbs));
        LaneField<T, Fq>.MultiplySum(new LaneLimbs<T>(r.Slice(LaneLambdaReal * Limbs, 3 * Limbs)), r.Slice(LaneReal * Limbs, 3 * Limbs), 3, default, LaneForm.Element(r, destination));
        LaneField<T, Fq>.MultiplySum(new LaneLimbs<T>(r.Slice(LaneLambdaU * Limbs, 3 * Limbs)), r.Slice(LaneU * Limbs, 3 * Limbs), 3, default, LaneForm.Element(r, destination + 1));
    }
}
