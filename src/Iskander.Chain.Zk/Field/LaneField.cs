using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Iskander.Chain.Zk.Field;

/// <summary>Where the first operand of a lane-field multiplication comes from.</summary>
internal interface ILimbSource<TSelf, T>
    where TSelf : ILimbSource<TSelf, T>, allows ref struct
    where T : unmanaged, ILanes<T>
{
    /// <summary>Limb <paramref name="index"/> in every lane.</summary>
    T Limb(int index);

    /// <summary>The source from limb <paramref name="limbs"/> on (the next term of a sum).</summary>
    TSelf Skip(int limbs);
}

/// <summary>Per-lane values (a different element in every lane).</summary>
internal readonly ref struct LaneLimbs<T> : ILimbSource<LaneLimbs<T>, T>
    where T : unmanaged, ILanes<T>
{
    private readonly ref readonly T _first;

    /// <summary>The limbs of <paramref name="limbs"/>; callers index within it (the kernel's indices are fixed by the limb count).</summary>
    public LaneLimbs(ReadOnlySpan<T> limbs) => _first = ref MemoryMarshal.GetReference(limbs);

    private LaneLimbs(ref readonly T first) => _first = ref first;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public LaneLimbs<T> Skip(int limbs) => new(ref Unsafe.Add(ref Unsafe.AsRef(in _first), limbs));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Limb(int index) => Unsafe.Add(ref Unsafe.AsRef(in _first), index);
}

/// <summary>Constants, the same in every lane (broadcast as they are read, which costs no more than a load).</summary>
internal readonly ref struct ConstantLimbs<T> : ILimbSource<ConstantLimbs<T>, T>
    where T : unmanaged, ILanes<T>
{
    private readonly ref readonly ulong _first;

    /// <summary>The limbs of <paramref name="limbs"/>; callers index within it.</summary>
    public ConstantLimbs(ReadOnlySpan<ulong> limbs) => _first = ref MemoryMarshal.GetReference(limbs);

    private ConstantLimbs(ref readonly ulong first) => _first = ref first;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ConstantLimbs<T> Skip(int limbs) => new(ref Unsafe.Add(ref Unsafe.AsRef(in _first), limbs));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Limb(int index) => T.Broadcast(Unsafe.Add(ref Unsafe.AsRef(in _first), index));
}

/// <summary>
/// BN254 field arithmetic (the scalar field <see cref="Fr"/> or the base field <see cref="Fq"/>, by
/// <typeparamref name="TField"/>) on several independent elements at once, one per SIMD lane. An
/// element is ten limbs of 28 bits (ten registers, limb-major), in Montgomery form with R = 2²⁸⁰.
/// Why this shape: SIMD multiplies 32 × 32 → 64 bits with no carries, so 28-bit limbs leave room to
/// add a whole column of products (and a sum of several products) before propagating anything. The
/// modulus comes from <typeparamref name="TField"/>'s constants, which the JIT folds into each
/// specialised copy. Values are kept below about 2²⁵⁶ but not canonical; the element type does the
/// final reduction.
/// </summary>
/// <remarks>
/// Headroom (both moduli are below 2²⁵⁴, so this holds for either): results have 28-bit limbs (the
/// top one a few bits); adding one constant makes limbs below 2²⁹. A column then sums at most 7
/// terms × 10 products below 2⁵⁸ (or 10 below 2⁵⁸ for a square of such a sum) plus at most 10
/// reduction products m·pᵢ below 2⁵⁶ (p's limb 0 among them when it is not 1) and a carry: under
/// 2⁶³, so no lane overflows. The Montgomery result is below (Σ a·b)/2²⁸⁰ + p: for operands below
/// 2²⁵⁸ (what <see cref="Subtract"/> returns from such inputs) that is below p + 2²³⁷ &lt; 2²⁵⁴.
/// </remarks>
[SkipLocalsInit]
internal static class LaneField<T, TField>
    where T : unmanaged, ILanes<T>
    where TField : struct, ILaneModulus<TField>
{
    /// <summary>Limbs per element.</summary>
    public const int Limbs = LaneForm.Limbs;

    private const int Bits = LaneForm.Bits;
    private const ulong Mask = LaneForm.Mask;
    private const int ScalarLimbs = 4;
    private const int Carry = (2 * Limbs) - 1;
    private const int Multipliers = Carry + 1;

    /// <summary>
    /// The multiple 8p written with limbs 0…8 raised by 2²⁸ − 1 (limb 0 by 2²⁸) and borrowed back
    /// from the limb above, for subtractions: every limb is then at least as large as a 28-bit limb,
    /// and the top one (8p's is 24) larger than the top limb of any value below 2²⁵⁶.
    /// </summary>
    private static readonly ulong[] Subtrahend = PaddedMultiple(8);

    /// <summary>1 in lane Montgomery form (2²⁸⁰ mod p), for <see cref="ConstantLimbs{T}"/>.</summary>
    public static ReadOnlySpan<ulong> One => LaneForm<TField>.One;

    // m = −column·p⁻¹ (mod 2²⁸) makes column + m·p₀ ≡ 0 (mod 2²⁸); the carry is what remains above.
    // When p₀ = 1 (Fr) m is just −column and m·p₀ is m; otherwise μ = −p⁻¹ mod 2²⁸ multiplies the low
    // 32 bits of the column, whose low 28 bits are all the product's low 28 bits depend on.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Multiplier(T column, T mask, out T carry)
    {
        if (TField.LaneP0 == 1)
        {
            var negated = (default(T) - column) & mask;
            carry = (column + negated) >>> Bits;
            return negated;
        }

        var m = T.MultiplyLow32(column, T.Broadcast(TField.LaneMu)) & mask;
        carry = T.MultiplyAdd(column, m, T.Broadcast(TField.LaneP0)) >>> Bits;
        return m;
    }

    /// <summary>
    /// destination = (Σ over <paramref name="terms"/> of aⱼ·bⱼ) / R + addend (mod p). Summing before
    /// reducing costs one reduction for a whole dot product. destination may be any of the inputs.
    /// </summary>
    /// <remarks>
    /// The products' 19 columns are summed first (each term's limbs of a held in registers while
    /// b's limbs stream from memory), then reduced Montgomery-style column by column. The column
    /// code below is written out in full so that it runs without loops or bounds checks, and split
    /// into four methods so that the JIT inlines every lane operation in each.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplySum<TA>(TA a, ReadOnlySpan<T> b, int terms, ReadOnlySpan<T> addend, Span<T> destination)
        where TA : ILimbSource<TA, T>, allows ref struct
    {
        Span<T> columns = stackalloc T[Multipliers + Limbs];
        var bLimbs = new LaneLimbs<T>(b[..(terms * Limbs)]);
        for (var term = 0; term < terms; term++)
        {
            var offset = term * Limbs;
            AccumulateLow(a.Skip(offset), bLimbs.Skip(offset), columns, term == 0);
            AccumulateHigh(a.Skip(offset), bLimbs.Skip(offset), columns, term == 0);
        }

        ReduceLow(columns);
        ReduceHigh(columns, addend, destination);
    }

    // Columns 0…9 of a·b.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateLow<TA>(TA a, LaneLimbs<T> b, Span<T> columns, bool first)
        where TA : ILimbSource<TA, T>, allows ref struct
    {
        var a0 = a.Limb(0);
        var a1 = a.Limb(1);
        var a2 = a.Limb(2);
        var a3 = a.Limb(3);
        var a4 = a.Limb(4);
        var a5 = a.Limb(5);
        var a6 = a.Limb(6);
        var a7 = a.Limb(7);
        var a8 = a.Limb(8);
        var a9 = a.Limb(9);
        T sum;

        sum = first ? default : columns[0];
        sum = T.MultiplyAdd(sum, a0, b.Limb(0));
        columns[0] = sum;

        sum = first ? default : columns[1];
        sum = T.MultiplyAdd(sum, a0, b.Limb(1));
        sum = T.MultiplyAdd(sum, a1, b.Limb(0));
        columns[1] = sum;

        sum = first ? default : columns[2];
        sum = T.MultiplyAdd(sum, a0, b.Limb(2));
        sum = T.MultiplyAdd(sum, a1, b.Limb(1));
        sum = T.MultiplyAdd(sum, a2, b.Limb(0));
        columns[2] = sum;

        sum = first ? default : columns[3];
        sum = T.MultiplyAdd(sum, a0, b.Limb(3));
        sum = T.MultiplyAdd(sum, a1, b.Limb(2));
        sum = T.MultiplyAdd(sum, a2, b.Limb(1));
        sum = T.MultiplyAdd(sum, a3, b.Limb(0));
        columns[3] = sum;

        sum = first ? default : columns[4];
        sum = T.MultiplyAdd(sum, a0, b.Limb(4));
        sum = T.MultiplyAdd(sum, a1, b.Limb(3));
        sum = T.MultiplyAdd(sum, a2, b.Limb(2));
        sum = T.MultiplyAdd(sum, a3, b.Limb(1));
        sum = T.MultiplyAdd(sum, a4, b.Limb(0));
        columns[4] = sum;

        sum = first ? default : columns[5];
        sum = T.MultiplyAdd(sum, a0, b.Limb(5));
        sum = T.MultiplyAdd(sum, a1, b.Limb(4));
        sum = T.MultiplyAdd(sum, a2, b.Limb(3));
        sum = T.MultiplyAdd(sum, a3, b.Limb(2));
        sum = T.MultiplyAdd(sum, a4, b.Limb(1));
        sum = T.MultiplyAdd(sum, a5, b.Limb(0));
        columns[5] = sum;

        sum = first ? default : columns[6];
        sum = T.MultiplyAdd(sum, a0, b.Limb(6));
        sum = T.MultiplyAdd(sum, a1, b.Limb(5));
        sum = T.MultiplyAdd(sum, a2, b.Limb(4));
        sum = T.MultiplyAdd(sum, a3, b.Limb(3));
        sum = T.MultiplyAdd(sum, a4, b.Limb(2));
        sum = T.MultiplyAdd(sum, a5, b.Limb(1));
        sum = T.MultiplyAdd(sum, a6, b.Limb(0));
        columns[6] = sum;

        sum = first ? default : columns[7];
        sum = T.MultiplyAdd(sum, a0, b.Limb(7));
        sum = T.MultiplyAdd(sum, a1, b.Limb(6));
        sum = T.MultiplyAdd(sum, a2, b.Limb(5));
        sum = T.MultiplyAdd(sum, a3, b.Limb(4));
        sum = T.MultiplyAdd(sum, a4, b.Limb(3));
        sum = T.MultiplyAdd(sum, a5, b.Limb(2));
        sum = T.MultiplyAdd(sum, a6, b.Limb(1));
        sum = T.MultiplyAdd(sum, a7, b.Limb(0));
        columns[7] = sum;

        sum = first ? default : columns[8];
        sum = T.MultiplyAdd(sum, a0, b.Limb(8));
        sum = T.MultiplyAdd(sum, a1, b.Limb(7));
        sum = T.MultiplyAdd(sum, a2, b.Limb(6));
        sum = T.MultiplyAdd(sum, a3, b.Limb(5));
        sum = T.MultiplyAdd(sum, a4, b.Limb(4));
        sum = T.MultiplyAdd(sum, a5, b.Limb(3));
        sum = T.MultiplyAdd(sum, a6, b.Limb(2));
        sum = T.MultiplyAdd(sum, a7, b.Limb(1));
        sum = T.MultiplyAdd(sum, a8, b.Limb(0));
        columns[8] = sum;

        sum = first ? default : columns[9];
        sum = T.MultiplyAdd(sum, a0, b.Limb(9));
        sum = T.MultiplyAdd(sum, a1, b.Limb(8));
        sum = T.MultiplyAdd(sum, a2, b.Limb(7));
        sum = T.MultiplyAdd(sum, a3, b.Limb(6));
        sum = T.MultiplyAdd(sum, a4, b.Limb(5));
        sum = T.MultiplyAdd(sum, a5, b.Limb(4));
        sum = T.MultiplyAdd(sum, a6, b.Limb(3));
        sum = T.MultiplyAdd(sum, a7, b.Limb(2));
        sum = T.MultiplyAdd(sum, a8, b.Limb(1));
        sum = T.MultiplyAdd(sum, a9, b.Limb(0));
        columns[9] = sum;
    }

    // Columns 10…18 of a·b.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateHigh<TA>(TA a, LaneLimbs<T> b, Span<T> columns, bool first)
        where TA : ILimbSource<TA, T>, allows ref struct
    {
        var a1 = a.Limb(1);
        var a2 = a.Limb(2);
        var a3 = a.Limb(3);
        var a4 = a.Limb(4);
        var a5 = a.Limb(5);
        var a6 = a.Limb(6);
        var a7 = a.Limb(7);
        var a8 = a.Limb(8);
        var a9 = a.Limb(9);
        T sum;

        sum = first ? default : columns[10];
        sum = T.MultiplyAdd(sum, a1, b.Limb(9));
        sum = T.MultiplyAdd(sum, a2, b.Limb(8));
        sum = T.MultiplyAdd(sum, a3, b.Limb(7));
        sum = T.MultiplyAdd(sum, a4, b.Limb(6));
        sum = T.MultiplyAdd(sum, a5, b.Limb(5));
        sum = T.MultiplyAdd(sum, a6, b.Limb(4));
        sum = T.MultiplyAdd(sum, a7, b.Limb(3));
        sum = T.MultiplyAdd(sum, a8, b.Limb(2));
        sum = T.MultiplyAdd(sum, a9, b.Limb(1));
        columns[10] = sum;

        sum = first ? default : columns[11];
        sum = T.MultiplyAdd(sum, a2, b.Limb(9));
        sum = T.MultiplyAdd(sum, a3, b.Limb(8));
        sum = T.MultiplyAdd(sum, a4, b.Limb(7));
        sum = T.MultiplyAdd(sum, a5, b.Limb(6));
        sum = T.MultiplyAdd(sum, a6, b.Limb(5));
        sum = T.MultiplyAdd(sum, a7, b.Limb(4));
        sum = T.MultiplyAdd(sum, a8, b.Limb(3));
        sum = T.MultiplyAdd(sum, a9, b.Limb(2));
        columns[11] = sum;

        sum = first ? default : columns[12];
        sum = T.MultiplyAdd(sum, a3, b.Limb(9));
        sum = T.MultiplyAdd(sum, a4, b.Limb(8));
        sum = T.MultiplyAdd(sum, a5, b.Limb(7));
        sum = T.MultiplyAdd(sum, a6, b.Limb(6));
        sum = T.MultiplyAdd(sum, a7, b.Limb(5));
        sum = T.MultiplyAdd(sum, a8, b.Limb(4));
        sum = T.MultiplyAdd(sum, a9, b.Limb(3));
        columns[12] = sum;

        sum = first ? default : columns[13];
        sum = T.MultiplyAdd(sum, a4, b.Limb(9));
        sum = T.MultiplyAdd(sum, a5, b.Limb(8));
        sum = T.MultiplyAdd(sum, a6, b.Limb(7));
        sum = T.MultiplyAdd(sum, a7, b.Limb(6));
        sum = T.MultiplyAdd(sum, a8, b.Limb(5));
        sum = T.MultiplyAdd(sum, a9, b.Limb(4));
        columns[13] = sum;

        sum = first ? default : columns[14];
        sum = T.MultiplyAdd(sum, a5, b.Limb(9));
        sum = T.MultiplyAdd(sum, a6, b.Limb(8));
        sum = T.MultiplyAdd(sum, a7, b.Limb(7));
        sum = T.MultiplyAdd(sum, a8, b.Limb(6));
        sum = T.MultiplyAdd(sum, a9, b.Limb(5));
        columns[14] = sum;

        sum = first ? default : columns[15];
        sum = T.MultiplyAdd(sum, a6, b.Limb(9));
        sum = T.MultiplyAdd(sum, a7, b.Limb(8));
        sum = T.MultiplyAdd(sum, a8, b.Limb(7));
        sum = T.MultiplyAdd(sum, a9, b.Limb(6));
        columns[15] = sum;

        sum = first ? default : columns[16];
        sum = T.MultiplyAdd(sum, a7, b.Limb(9));
        sum = T.MultiplyAdd(sum, a8, b.Limb(8));
        sum = T.MultiplyAdd(sum, a9, b.Limb(7));
        columns[16] = sum;

        sum = first ? default : columns[17];
        sum = T.MultiplyAdd(sum, a8, b.Limb(9));
        sum = T.MultiplyAdd(sum, a9, b.Limb(8));
        columns[17] = sum;

        sum = first ? default : columns[18];
        sum = T.MultiplyAdd(sum, a9, b.Limb(9));
        columns[18] = sum;
    }

    // Columns 0…9: the multipliers m₀…m₉ that clear them.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ReduceLow(Span<T> columns)
    {
        var mask = T.Broadcast(Mask);
        T carry;
        T m0, m1, m2, m3, m4, m5, m6, m7, m8, m9;
        T sum;

        sum = columns[0];
        m0 = Multiplier(sum, mask, out carry);

        sum = columns[1];
        sum = T.MultiplyAdd(sum, m0, T.Broadcast(TField.LaneP1));
        sum += carry;
        m1 = Multiplier(sum, mask, out carry);

        sum = columns[2];
        sum = T.MultiplyAdd(sum, m0, T.Broadcast(TField.LaneP2));
        sum = T.MultiplyAdd(sum, m1, T.Broadcast(TField.LaneP1));
        sum += carry;
        m2 = Multiplier(sum, mask, out carry);

        sum = columns[3];
        sum = T.MultiplyAdd(sum, m0, T.Broadcast(TField.LaneP3));
        sum = T.MultiplyAdd(sum, m1, T.Broadcast(TField.LaneP2));
        sum = T.MultiplyAdd(sum, m2, T.Broadcast(TField.LaneP1));
        sum += carry;
        m3 = Multiplier(sum, mask, out carry);

        sum = columns[4];
        sum = T.MultiplyAdd(sum, m0, T.Broadcast(TField.LaneP4));
        sum = T.MultiplyAdd(sum, m1, T.Broadcast(TField.LaneP3));
        sum = T.MultiplyAdd(sum, m2, T.Broadcast(TField.LaneP2));
        sum = T.MultiplyAdd(sum, m3, T.Broadcast(TField.LaneP1));
        sum += carry;
        m4 = Multiplier(sum, mask, out carry);

        sum = columns[5];
        sum = T.MultiplyAdd(sum, m0, T.Broadcast(TField.LaneP5));
        sum = T.MultiplyAdd(sum, m1, T.Broadcast(TField.LaneP4));
        sum = T.MultiplyAdd(sum, m2, T.Broadcast(TField.LaneP3));
        sum = T.MultiplyAdd(sum, m3, T.Broadcast(TField.LaneP2));
        sum = T.MultiplyAdd(sum, m4, T.Broadcast(TField.LaneP1));
        sum += carry;
        m5 = Multiplier(sum, mask, out carry);

        sum = columns[6];
        sum = T.MultiplyAdd(sum, m0, T.Broadcast(TField.LaneP6));
        sum = T.MultiplyAdd(sum, m1, T.Broadcast(TField.LaneP5));
        sum = T.MultiplyAdd(sum, m2, T.Broadcast(TField.LaneP4));
        sum = T.MultiplyAdd(sum, m3, T.Broadcast(TField.LaneP3));
        sum = T.MultiplyAdd(sum, m4, T.Broadcast(TField.LaneP2));
        sum = T.MultiplyAdd(sum, m5, T.Broadcast(TField.LaneP1));
        sum += carry;
        m6 = Multiplier(sum, mask, out carry);

        sum = columns[7];
        sum = T.MultiplyAdd(sum, m0, T.Broadcast(TField.LaneP7));
        sum = T.MultiplyAdd(sum, m1, T.Broadcast(TField.LaneP6));
        sum = T.MultiplyAdd(sum, m2, T.Broadcast(TField.LaneP5));
        sum = T.MultiplyAdd(sum, m3, T.Broadcast(TField.LaneP4));
        sum = T.MultiplyAdd(sum, m4, T.Broadcast(TField.LaneP3));
        sum = T.MultiplyAdd(sum, m5, T.Broadcast(TField.LaneP2));
        sum = T.MultiplyAdd(sum, m6, T.Broadcast(TField.LaneP1));
        sum += carry;
        m7 = Multiplier(sum, mask, out carry);

        sum = columns[8];
        sum = T.MultiplyAdd(sum, m0, T.Broadcast(TField.LaneP8));
        sum = T.MultiplyAdd(sum, m1, T.Broadcast(TField.LaneP7));
        sum = T.MultiplyAdd(sum, m2, T.Broadcast(TField.LaneP6));
        sum = T.MultiplyAdd(sum, m3, T.Broadcast(TField.LaneP5));
        sum = T.MultiplyAdd(sum, m4, T.Broadcast(TField.LaneP4));
        sum = T.MultiplyAdd(sum, m5, T.Broadcast(TField.LaneP3));
        sum = T.MultiplyAdd(sum, m6, T.Broadcast(TField.LaneP2));
        sum = T.MultiplyAdd(sum, m7, T.Broadcast(TField.LaneP1));
        sum += carry;
        m8 = Multiplier(sum, mask, out carry);

        sum = columns[9];
        sum = T.MultiplyAdd(sum, m0, T.Broadcast(TField.LaneP9));
        sum = T.MultiplyAdd(sum, m1, T.Broadcast(TField.LaneP8));
        sum = T.MultiplyAdd(sum, m2, T.Broadcast(TField.LaneP7));
        sum = T.MultiplyAdd(sum, m3, T.Broadcast(TField.LaneP6));
        sum = T.MultiplyAdd(sum, m4, T.Broadcast(TField.LaneP5));
        sum = T.MultiplyAdd(sum, m5, T.Broadcast(TField.LaneP4));
        sum = T.MultiplyAdd(sum, m6, T.Broadcast(TField.LaneP3));
        sum = T.MultiplyAdd(sum, m7, T.Broadcast(TField.LaneP2));
        sum = T.MultiplyAdd(sum, m8, T.Broadcast(TField.LaneP1));
        sum += carry;
        m9 = Multiplier(sum, mask, out carry);

        columns[Multipliers + 0] = m0;
        columns[Multipliers + 1] = m1;
        columns[Multipliers + 2] = m2;
        columns[Multipliers + 3] = m3;
        columns[Multipliers + 4] = m4;
        columns[Multipliers + 5] = m5;
        columns[Multipliers + 6] = m6;
        columns[Multipliers + 7] = m7;
        columns[Multipliers + 8] = m8;
        columns[Multipliers + 9] = m9;
        columns[Carry] = carry;
    }

    // Columns 10…18: the result's limbs.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ReduceHigh(Span<T> columns, ReadOnlySpan<T> addend, Span<T> destination)
    {
        var mask = T.Broadcast(Mask);
        var carry = columns[Carry];
        var m1 = columns[Multipliers + 1];
        var m2 = columns[Multipliers + 2];
        var m3 = columns[Multipliers + 3];
        var m4 = columns[Multipliers + 4];
        var m5 = columns[Multipliers + 5];
        var m6 = columns[Multipliers + 6];
        var m7 = columns[Multipliers + 7];
        var m8 = columns[Multipliers + 8];
        var m9 = columns[Multipliers + 9];
        T sum;

        sum = columns[10];
        sum = T.MultiplyAdd(sum, m1, T.Broadcast(TField.LaneP9));
        sum = T.MultiplyAdd(sum, m2, T.Broadcast(TField.LaneP8));
        sum = T.MultiplyAdd(sum, m3, T.Broadcast(TField.LaneP7));
        sum = T.MultiplyAdd(sum, m4, T.Broadcast(TField.LaneP6));
        sum = T.MultiplyAdd(sum, m5, T.Broadcast(TField.LaneP5));
        sum = T.MultiplyAdd(sum, m6, T.Broadcast(TField.LaneP4));
        sum = T.MultiplyAdd(sum, m7, T.Broadcast(TField.LaneP3));
        sum = T.MultiplyAdd(sum, m8, T.Broadcast(TField.LaneP2));
        sum = T.MultiplyAdd(sum, m9, T.Broadcast(TField.LaneP1));
        sum += carry;
        if (!addend.IsEmpty) sum += addend[0];
        destination[0] = sum & mask;
        carry = sum >>> Bits;

        sum = columns[11];
        sum = T.MultiplyAdd(sum, m2, T.Broadcast(TField.LaneP9));
        sum = T.MultiplyAdd(sum, m3, T.Broadcast(TField.LaneP8));
        sum = T.MultiplyAdd(sum, m4, T.Broadcast(TField.LaneP7));
        sum = T.MultiplyAdd(sum, m5, T.Broadcast(TField.LaneP6));
        sum = T.MultiplyAdd(sum, m6, T.Broadcast(TField.LaneP5));
        sum = T.MultiplyAdd(sum, m7, T.Broadcast(TField.LaneP4));
        sum = T.MultiplyAdd(sum, m8, T.Broadcast(TField.LaneP3));
        sum = T.MultiplyAdd(sum, m9, T.Broadcast(TField.LaneP2));
        sum += carry;
        if (!addend.IsEmpty) sum += addend[1];
        destination[1] = sum & mask;
        carry = sum >>> Bits;

        sum = columns[12];
        sum = T.MultiplyAdd(sum, m3, T.Broadcast(TField.LaneP9));
        sum = T.MultiplyAdd(sum, m4, T.Broadcast(TField.LaneP8));
        sum = T.MultiplyAdd(sum, m5, T.Broadcast(TField.LaneP7));
        sum = T.MultiplyAdd(sum, m6, T.Broadcast(TField.LaneP6));
        sum = T.MultiplyAdd(sum, m7, T.Broadcast(TField.LaneP5));
        sum = T.MultiplyAdd(sum, m8, T.Broadcast(TField.LaneP4));
        sum = T.MultiplyAdd(sum, m9, T.Broadcast(TField.LaneP3));
        sum += carry;
        if (!addend.IsEmpty) sum += addend[2];
        destination[2] = sum & mask;
        carry = sum >>> Bits;

        sum = columns[13];
        sum = T.MultiplyAdd(sum, m4, T.Broadcast(TField.LaneP9));
        sum = T.MultiplyAdd(sum, m5, T.Broadcast(TField.LaneP8));
        sum = T.MultiplyAdd(sum, m6, T.Broadcast(TField.LaneP7));
        sum = T.MultiplyAdd(sum, m7, T.Broadcast(TField.LaneP6));
        sum = T.MultiplyAdd(sum, m8, T.Broadcast(TField.LaneP5));
        sum = T.MultiplyAdd(sum, m9, T.Broadcast(TField.LaneP4));
        sum += carry;
        if (!addend.IsEmpty) sum += addend[3];
        destination[3] = sum & mask;
        carry = sum >>> Bits;

        sum = columns[14];
        sum = T.MultiplyAdd(sum, m5, T.Broadcast(TField.LaneP9));
        sum = T.MultiplyAdd(sum, m6, T.Broadcast(TField.LaneP8));
        sum = T.MultiplyAdd(sum, m7, T.Broadcast(TField.LaneP7));
        sum = T.MultiplyAdd(sum, m8, T.Broadcast(TField.LaneP6));
        sum = T.MultiplyAdd(sum, m9, T.Broadcast(TField.LaneP5));
        sum += carry;
        if (!addend.IsEmpty) sum += addend[4];
        destination[4] = sum & mask;
        carry = sum >>> Bits;

        sum = columns[15];
        sum = T.MultiplyAdd(sum, m6, T.Broadcast(TField.LaneP9));
        sum = T.MultiplyAdd(sum, m7, T.Broadcast(TField.LaneP8));
        sum = T.MultiplyAdd(sum, m8, T.Broadcast(TField.LaneP7));
        sum = T.MultiplyAdd(sum, m9, T.Broadcast(TField.LaneP6));
        sum += carry;
        if (!addend.IsEmpty) sum += addend[5];
        destination[5] = sum & mask;
        carry = sum >>> Bits;

        sum = columns[16];
        sum = T.MultiplyAdd(sum, m7, T.Broadcast(TField.LaneP9));
        sum = T.MultiplyAdd(sum, m8, T.Broadcast(TField.LaneP8));
        sum = T.MultiplyAdd(sum, m9, T.Broadcast(TField.LaneP7));
        sum += carry;
        if (!addend.IsEmpty) sum += addend[6];
        destination[6] = sum & mask;
        carry = sum >>> Bits;

        sum = columns[17];
        sum = T.MultiplyAdd(sum, m8, T.Broadcast(TField.LaneP9));
        sum = T.MultiplyAdd(sum, m9, T.Broadcast(TField.LaneP8));
        sum += carry;
        if (!addend.IsEmpty) sum += addend[7];
        destination[7] = sum & mask;
        carry = sum >>> Bits;

        sum = columns[18];
        sum = T.MultiplyAdd(sum, m9, T.Broadcast(TField.LaneP9));
        sum += carry;
        if (!addend.IsEmpty) sum += addend[8];
        destination[8] = sum & mask;
        carry = sum >>> Bits;

        destination[Limbs - 1] = addend.IsEmpty ? carry : carry + addend[Limbs - 1];
    }
/// <summary>destination = a·b (mod p).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Multiply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination) =>
        MultiplySum(new LaneLimbs<T>(a), b, 1, default, destination);

    /// <summary>value += constant, limb by limb (no carries: limbs stay below 2²⁹, which products allow).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddConstant(Span<T> value, ReadOnlySpan<ulong> constant)
    {
        for (var i = 0; i < Limbs; i++) value[i] += T.Broadcast(constant[i]);
    }

    /// <summary>
    /// destination = a − b + 8p, with 28-bit limbs again (the top one holds the rest). b must have
    /// 28-bit limbs below the top one and be below 2²⁵⁶ (any product result is); a must have 28-bit
    /// limbs below the top one and may be of any size. The result is below a + 8p (for a below 2²⁵⁶,
    /// below 2²⁵⁸: products of it stay in bounds). destination may be a or b.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Subtract(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination) => SubtractFrom(a, b, destination, hasMinuend: true);

    /// <summary>destination = 8p − b (that is, −b), under the conditions of <see cref="Subtract"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Negate(ReadOnlySpan<T> b, Span<T> destination) => SubtractFrom(default, b, destination, hasMinuend: false);

    // Every limb of the padded 8p is at least b's, so no lane goes below zero; the carries then make
    // the limbs 28 bits again. Without a minuend a counts as 0. Written out: a loop kept the carry in
    // memory, on the critical path. Fully optimised even where the JIT's budget leaves it a call (the
    // first, unoptimised compilation of lane code runs many times slower).
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void SubtractFrom(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination, bool hasMinuend)
    {
        var mask = T.Broadcast(Mask);
        var padded = Subtrahend.AsSpan(0, Limbs);
        if (hasMinuend) a = a[..Limbs];
        b = b[..Limbs];
        destination = destination[..Limbs];
        T limb;

        limb = T.Broadcast(padded[0]) - b[0];
        if (hasMinuend) limb += a[0];
        destination[0] = limb & mask;

        limb = T.Broadcast(padded[1]) - b[1] + (limb >>> Bits);
        if (hasMinuend) limb += a[1];
        destination[1] = limb & mask;

        limb = T.Broadcast(padded[2]) - b[2] + (limb >>> Bits);
        if (hasMinuend) limb += a[2];
        destination[2] = limb & mask;

        limb = T.Broadcast(padded[3]) - b[3] + (limb >>> Bits);
        if (hasMinuend) limb += a[3];
        destination[3] = limb & mask;

        limb = T.Broadcast(padded[4]) - b[4] + (limb >>> Bits);
        if (hasMinuend) limb += a[4];
        destination[4] = limb & mask;

        limb = T.Broadcast(padded[5]) - b[5] + (limb >>> Bits);
        if (hasMinuend) limb += a[5];
        destination[5] = limb & mask;

        limb = T.Broadcast(padded[6]) - b[6] + (limb >>> Bits);
        if (hasMinuend) limb += a[6];
        destination[6] = limb & mask;

        limb = T.Broadcast(padded[7]) - b[7] + (limb >>> Bits);
        if (hasMinuend) limb += a[7];
        destination[7] = limb & mask;

        limb = T.Broadcast(padded[8]) - b[8] + (limb >>> Bits);
        if (hasMinuend) limb += a[8];
        destination[8] = limb & mask;

        limb = T.Broadcast(padded[9]) - b[9] + (limb >>> Bits);
        if (hasMinuend) limb += a[9];
        destination[9] = limb;
    }

    /// <summary>
    /// Four 64-bit words per lane (<paramref name="words"/>, least significant first) cut into the
    /// ten 28-bit limbs, with no conversion: the words of a value below 2²⁵⁶ as they are.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SplitWords(ReadOnlySpan<T> words, Span<T> limbs)
    {
        var mask = T.Broadcast(Mask);
        T w0 = words[0], w1 = words[1], w2 = words[2], w3 = words[3];
        limbs = limbs[..Limbs];
        limbs[0] = w0 & mask;
        limbs[1] = (w0 >>> 28) & mask;
        limbs[2] = ((w0 >>> 56) | (w1 << 8)) & mask;
        limbs[3] = (w1 >>> 20) & mask;
        limbs[4] = ((w1 >>> 48) | (w2 << 16)) & mask;
        limbs[5] = (w2 >>> 12) & mask;
        limbs[6] = ((w2 >>> 40) | (w3 << 24)) & mask;
        limbs[7] = (w3 >>> 4) & mask;
        limbs[8] = (w3 >>> 32) & mask;
        limbs[9] = w3 >>> 60;
    }

    /// <summary>
    /// The inverse of <see cref="SplitWords"/>: 28-bit limbs (the top one below 2⁴, as results below
    /// 2²⁵⁶ have) joined into four 64-bit words per lane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void JoinWords(ReadOnlySpan<T> limbs, Span<T> words)
    {
        limbs = limbs[..Limbs];
        words[0] = limbs[0] | (limbs[1] << 28) | (limbs[2] << 56);
        words[1] = (limbs[2] >>> 8) | (limbs[3] << 20) | (limbs[4] << 48);
        words[2] = (limbs[4] >>> 16) | (limbs[5] << 12) | (limbs[6] << 40);
        words[3] = (limbs[6] >>> 24) | (limbs[7] << 4) | (limbs[8] << 32) | (limbs[9] << 60);
    }

    /// <summary>Loads element <c>i</c> of lane <c>l</c> from <c>elements[l · stride + i]</c> (zero where the lane is beyond the span).</summary>
    public static void Load(ReadOnlySpan<TField> elements, int stride, int count, Span<T> destination)
    {
        var lanes = T.Count;
        Span<ulong> limbsByLane = stackalloc ulong[Limbs * lanes];
        Span<ulong> montgomery = stackalloc ulong[ScalarLimbs];
        Span<ulong> split = stackalloc ulong[Limbs];
        for (var element = 0; element < count; element++)
        {
            limbsByLane.Clear();
            for (var lane = 0; lane < lanes && (lane * stride) + element < elements.Length; lane++)
            {
                elements[(lane * stride) + element].GetMontgomeryLimbs(montgomery);
                LaneForm.Split(montgomery, split);
                for (var limb = 0; limb < Limbs; limb++) limbsByLane[(limb * lanes) + lane] = split[limb];
            }

            var value = destination.Slice(element * Limbs, Limbs);
            for (var limb = 0; limb < Limbs; limb++) value[limb] = T.Load(limbsByLane.Slice(limb * lanes, lanes));
            MultiplySum(new ConstantLimbs<T>(LaneForm<TField>.ToLaneForm), value, 1, default, value);
        }
    }

    /// <summary>Writes each lane's element to <c>destination[lane]</c> (as many lanes as fit).</summary>
    public static void Store(ReadOnlySpan<T> value, Span<TField> destination)
    {
        var lanes = T.Count;
        Span<T> scalarForm = stackalloc T[Limbs];
        MultiplySum(new ConstantLimbs<T>(LaneForm<TField>.ToScalarForm), value, 1, default, scalarForm);
        Span<ulong> limbsByLane = stackalloc ulong[Limbs * lanes];
        for (var limb = 0; limb < Limbs; limb++) scalarForm[limb].Store(limbsByLane.Slice(limb * lanes, lanes));
        Span<ulong> split = stackalloc ulong[Limbs];
        Span<ulong> montgomery = stackalloc ulong[ScalarLimbs];
        for (var lane = 0; lane < lanes && lane < destination.Length; lane++)
        {
            for (var limb = 0; limb < Limbs; limb++) split[limb] = limbsByLane[(limb * lanes) + lane];
            LaneForm.Combine(split, montgomery);
            destination[lane] = TField.FromMontgomeryLimbs(montgomery);
        }
    }

    // k·p with limbs 0…8 raised by 2²⁸ − 1 (limb 0 by 2²⁸), the raise taken back from the next limb up.
    private static ulong[] PaddedMultiple(int k)
    {
        var limbs = LaneForm.Split(k * TField.Modulus);
        for (var i = 0; i < Limbs - 1; i++)
        {
            limbs[i] += 1UL << Bits;
            limbs[i + 1] -= 1;
        }

        return limbs;
    }
}

/// <summary>The lane arithmetic's number format, independent of the register width and the field.</summary>
internal static class LaneForm
{
    /// <summary>Limbs per element.</summary>
    public const int Limbs = 10;

    /// <summary>Bits per limb.</summary>
    public const int Bits = 28;

    /// <summary>A limb's bits.</summary>
    public const ulong Mask = (1UL << Bits) - 1;

    /// <summary>Element <paramref name="element"/> of a register file laid out element after element.</summary>
    public static Span<T> Element<T>(Span<T> registers, int element) => registers.Slice(element * Limbs, Limbs);

    /// <summary>A value below 2²⁸⁰ in limbs.</summary>
    public static ulong[] Split(BigInteger value)
    {
        var limbs = new ulong[Limbs];
        for (var i = 0; i < Limbs; i++) limbs[i] = (ulong)((value >> (Bits * i)) & Mask);
        return limbs;
    }

    /// <summary>4 × 64 bits → 10 × 28 bits.</summary>
    public static void Split(ReadOnlySpan<ulong> words, Span<ulong> limbs)
    {
        for (var i = 0; i < Limbs; i++)
        {
            var bit = Bits * i;
            var (word, shift) = (bit / 64, bit % 64);
            var value = words[word] >> shift;
            if (shift > 64 - Bits && word + 1 < words.Length) value |= words[word + 1] << (64 - shift);
            limbs[i] = value & Mask;
        }
    }

    /// <summary>10 limbs of 28 bits (the top one may be a little wider; the value is below 2²⁵⁶) → 4 × 64 bits.</summary>
    public static void Combine(ReadOnlySpan<ulong> limbs, Span<ulong> words)
    {
        words.Clear();
        for (var i = 0; i < Limbs; i++)
        {
            var bit = Bits * i;
            var (word, shift) = (bit / 64, bit % 64);
            words[word] |= limbs[i] << shift;
            if (shift > 64 - Bits && word + 1 < words.Length) words[word + 1] |= limbs[i] >> (64 - shift);
        }
    }
}

/// <summary>A field's constants in lane form.</summary>
internal static class LaneForm<TField>
    where TField : struct, ILaneModulus<TField>
{
    // Scalar Montgomery form (R = 2²⁵⁶) to lane form and back, each one multiplication:
    // (xR)·2³⁰⁴ / 2²⁸⁰ = x·2²⁸⁰, and (x·2²⁸⁰)·2²⁵⁶ / 2²⁸⁰ = xR.

    /// <summary>The multiplier taking scalar Montgomery form to lane form.</summary>
    public static readonly ulong[] ToLaneForm = LaneForm.Split(BigInteger.ModPow(2, 304, TField.Modulus));

    /// <summary>The multiplier taking lane form back to scalar Montgomery form.</summary>
    public static readonly ulong[] ToScalarForm = LaneForm.Split(BigInteger.ModPow(2, 256, TField.Modulus));

    /// <summary>1 in lane Montgomery form.</summary>
    public static readonly ulong[] One = LaneForm.Split(BigInteger.ModPow(2, LaneForm.Bits * LaneForm.Limbs, TField.Modulus));

    /// <summary>A constant in lane Montgomery form, for <see cref="ConstantLimbs{T}"/>.</summary>
    public static ulong[] Constant(TField value)
    {
        // The Montgomery limbs hold x·2²⁵⁶; lane form is x·2²⁸⁰.
        Span<ulong> montgomery = stackalloc ulong[4];
        value.GetMontgomeryLimbs(montgomery);
        var scaled = new BigInteger(System.Runtime.InteropServices.MemoryMarshal.AsBytes(montgomery), isUnsigned: true) << ((LaneForm.Bits * LaneForm.Limbs) - 256);
        return LaneForm.Split(BigInteger.Remainder(scaled, TField.Modulus));
    }
}

/// <summary>
/// A field the lane arithmetic serves: its modulus in 28-bit limbs as constants (so that the JIT
/// folds them into each specialised copy of <see cref="LaneField{T, TField}"/>) and access to the
/// element type's scalar Montgomery limbs (R = 2²⁵⁶).
/// </summary>
internal interface ILaneModulus<TSelf>
    where TSelf : struct, ILaneModulus<TSelf>
{
    /// <summary>The modulus p (below 2²⁵⁴).</summary>
    static abstract BigInteger Modulus { get; }

    /// <summary>Limb 0 of p (28 bits).</summary>
    static abstract ulong LaneP0 { get; }

    /// <summary>Limb 1 of p.</summary>
    static abstract ulong LaneP1 { get; }

    /// <summary>Limb 2 of p.</summary>
    static abstract ulong LaneP2 { get; }

    /// <summary>Limb 3 of p.</summary>
    static abstract ulong LaneP3 { get; }

    /// <summary>Limb 4 of p.</summary>
    static abstract ulong LaneP4 { get; }

    /// <summary>Limb 5 of p.</summary>
    static abstract ulong LaneP5 { get; }

    /// <summary>Limb 6 of p.</summary>
    static abstract ulong LaneP6 { get; }

    /// <summary>Limb 7 of p.</summary>
    static abstract ulong LaneP7 { get; }

    /// <summary>Limb 8 of p.</summary>
    static abstract ulong LaneP8 { get; }

    /// <summary>Limb 9 of p (the top bits).</summary>
    static abstract ulong LaneP9 { get; }

    /// <summary>μ = −p⁻¹ mod 2²⁸, the Montgomery multiplier's factor (unused when limb 0 is 1).</summary>
    static abstract ulong LaneMu { get; }

    /// <summary>The element whose Montgomery limbs are these, a value below 2p.</summary>
    static abstract TSelf FromMontgomeryLimbs(ReadOnlySpan<ulong> limbs);

    /// <summary>The Montgomery-form limbs (value·2²⁵⁶ mod p).</summary>
    void GetMontgomeryLimbs(Span<ulong> limbs);
}
