using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Iskander.Chain.Zk.Field;

/// <summary>
/// A SIMD register of 64-bit lanes, as much as the lane-sliced field arithmetic needs: the JIT
/// specialises generic code over these structs, so one implementation serves AVX-512 and AVX2.
/// </summary>
internal interface ILanes<T>
    where T : unmanaged, ILanes<T>
{
    /// <summary>Lanes per register.</summary>
    static abstract int Count { get; }

    /// <summary>Whether the processor runs this register type.</summary>
    static abstract bool IsSupported { get; }

    /// <summary>Every lane = <paramref name="value"/>.</summary>
    static abstract T Broadcast(ulong value);

    /// <summary>Lanes from <see cref="Count"/> consecutive values.</summary>
    static abstract T Load(ReadOnlySpan<ulong> source);

    /// <summary>Per lane, the product of the low 32 bits of each operand (exact, 64 bits).</summary>
    static abstract T MultiplyLow32(T a, T b);

    /// <summary>Per lane, sum + (low 32 bits of a) · (low 32 bits of b).</summary>
    static abstract T MultiplyAdd(T sum, T a, T b);

    /// <summary>Per-lane sum (mod 2⁶⁴).</summary>
    static abstract T operator +(T a, T b);

    /// <summary>Per-lane difference (mod 2⁶⁴).</summary>
    static abstract T operator -(T a, T b);

    /// <summary>Per-lane bitwise and.</summary>
    static abstract T operator &(T a, T b);

    /// <summary>Per-lane bitwise or.</summary>
    static abstract T operator |(T a, T b);

    /// <summary>Per-lane logical right shift.</summary>
    static abstract T operator >>>(T a, int bits);

    /// <summary>Per-lane left shift.</summary>
    static abstract T operator <<(T a, int bits);

    /// <summary>
    /// columns[w], lane l = address[rowStarts[l] + w] for w below 4: four consecutive words of every
    /// lane's row, transposed (<paramref name="rowStarts"/> has <see cref="Count"/> values).
    /// </summary>
    static abstract unsafe void LoadColumns(ulong* address, ReadOnlySpan<int> rowStarts, Span<T> columns);

    /// <summary>Writes the lanes to <see cref="Count"/> consecutive values.</summary>
    void Store(Span<ulong> destination);
}

/// <summary>Eight lanes (AVX-512).</summary>
internal readonly struct Lanes8 : ILanes<Lanes8>
{
    private readonly Vector512<ulong> _v;

    private Lanes8(Vector512<ulong> v) => _v = v;

    public static int Count => 8;

    public static bool IsSupported => Avx512F.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Broadcast(ulong value) => new(Vector512.Create(value));

    public static Lanes8 Load(ReadOnlySpan<ulong> source) => new(Vector512.Create(source));

    // Two 4 × 4 transposes of rows loaded whole, one per half: gathers (microcoded on some
    // processors) cost more than the arithmetic they fed.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void LoadColumns(ulong* address, ReadOnlySpan<int> rowStarts, Span<Lanes8> columns)
    {
        Lanes4.Transpose(address, rowStarts[..4], out var l0, out var l1, out var l2, out var l3);
        Lanes4.Transpose(address, rowStarts[4..8], out var h0, out var h1, out var h2, out var h3);
        columns[0] = new(Vector512.Create(l0, h0));
        columns[1] = new(Vector512.Create(l1, h1));
        columns[2] = new(Vector512.Create(l2, h2));
        columns[3] = new(Vector512.Create(l3, h3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 MultiplyLow32(Lanes8 a, Lanes8 b) => new(Avx512F.Multiply(a._v.AsUInt32(), b._v.AsUInt32()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 MultiplyAdd(Lanes8 sum, Lanes8 a, Lanes8 b) => new(sum._v + Avx512F.Multiply(a._v.AsUInt32(), b._v.AsUInt32()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator +(Lanes8 a, Lanes8 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator -(Lanes8 a, Lanes8 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator &(Lanes8 a, Lanes8 b) => new(a._v & b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator >>>(Lanes8 a, int bits) => new(a._v >>> bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator <<(Lanes8 a, int bits) => new(a._v << bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator |(Lanes8 a, Lanes8 b) => new(a._v | b._v);

    public void Store(Span<ulong> destination) => _v.CopyTo(destination);
}

/// <summary>Four lanes (AVX2).</summary>
internal readonly struct Lanes4 : ILanes<Lanes4>
{
    private readonly Vector256<ulong> _v;

    private Lanes4(Vector256<ulong> v) => _v = v;

    public static int Count => 4;

    public static bool IsSupported => Avx2.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Broadcast(ulong value) => new(Vector256.Create(value));

    public static Lanes4 Load(ReadOnlySpan<ulong> source) => new(Vector256.Create(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void LoadColumns(ulong* address, ReadOnlySpan<int> rowStarts, Span<Lanes4> columns)
    {
        Transpose(address, rowStarts, out var c0, out var c1, out var c2, out var c3);
        columns[0] = new(c0);
        columns[1] = new(c1);
        columns[2] = new(c2);
        columns[3] = new(c3);
    }

    /// <summary>The 4 × 4 transpose of the rows of four words at address + rowStarts[l].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Transpose(ulong* address, ReadOnlySpan<int> rowStarts, out Vector256<ulong> c0, out Vector256<ulong> c1, out Vector256<ulong> c2, out Vector256<ulong> c3)
    {
        var r0 = Vector256.Load(address + rowStarts[0]);
        var r1 = Vector256.Load(address + rowStarts[1]);
        var r2 = Vector256.Load(address + rowStarts[2]);
        var r3 = Vector256.Load(address + rowStarts[3]);
        // Pairs of rows interleaved within 128-bit halves, then the halves exchanged.
        var t0 = Avx2.UnpackLow(r0, r1);
        var t1 = Avx2.UnpackHigh(r0, r1);
        var t2 = Avx2.UnpackLow(r2, r3);
        var t3 = Avx2.UnpackHigh(r2, r3);
        c0 = Avx2.Permute2x128(t0, t2, 0x20);
        c1 = Avx2.Permute2x128(t1, t3, 0x20);
        c2 = Avx2.Permute2x128(t0, t2, 0x31);
        c3 = Avx2.Permute2x128(t1, t3, 0x31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 MultiplyLow32(Lanes4 a, Lanes4 b) => new(Avx2.Multiply(a._v.AsUInt32(), b._v.AsUInt32()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 MultiplyAdd(Lanes4 sum, Lanes4 a, Lanes4 b) => new(sum._v + Avx2.Multiply(a._v.AsUInt32(), b._v.AsUInt32()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator +(Lanes4 a, Lanes4 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator -(Lanes4 a, Lanes4 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator &(Lanes4 a, Lanes4 b) => new(a._v & b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator >>>(Lanes4 a, int bits) => new(a._v >>> bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator <<(Lanes4 a, int bits) => new(a._v << bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator |(Lanes4 a, Lanes4 b) => new(a._v | b._v);

    public void Store(Span<ulong> destination) => _v.CopyTo(destination);
}
