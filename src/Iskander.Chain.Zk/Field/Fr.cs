using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using static Iskander.Chain.Zk.Field.Montgomery256;

namespace Iskander.Chain.Zk.Field;

/// <summary>
/// An element of the BN254 scalar field (p = 2188…5617), the field circom circuits, Poseidon and
/// BabyJubJub coordinates live in. Stored as four 64-bit limbs in Montgomery form so that a
/// multiplication is a few dozen machine instructions and never allocates; <see cref="BigInteger"/>
/// is used only at the edges (parsing, printing).
/// </summary>
public readonly struct Fr : IFieldElement<Fr>, ILaneModulus<Fr>
{
    /// <summary>The modulus p.</summary>
    public static readonly BigInteger Modulus = BigInteger.Parse("21888242871839275222246405745257275088548364400416034343698204186575808495617", CultureInfo.InvariantCulture);

    private const ulong P0 = 0x43e1f593f0000001, P1 = 0x2833e84879b97091, P2 = 0xb85045b68181585d, P3 = 0x30644e72e131a029;
    private const ulong PInv = 0xc2e1f593efffffff; // −p⁻¹ mod 2⁶⁴
    private const ulong TwoP0 = P0 << 1, TwoP1 = (P1 << 1) | (P0 >> 63), TwoP2 = (P2 << 1) | (P1 >> 63), TwoP3 = (P3 << 1) | (P2 >> 63);
    private static readonly bool[] InverseExponentBits = Enumerable.Range(0, (int)(Modulus - 2).GetBitLength()).Reverse().Select(i => !((Modulus - 2) >> i).IsEven).ToArray();
    private static readonly Fr R2 = FromLimbsUnchecked(ToLimbs(BigInteger.ModPow(2, 512, Modulus)));

    private readonly ulong _l0, _l1, _l2, _l3;

    private Fr(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        _l0 = l0;
        _l1 = l1;
        _l2 = l2;
        _l3 = l3;
    }

    /// <summary>0.</summary>
    public static Fr Zero => default;

    /// <summary>1.</summary>
    public static Fr One { get; } = FromUInt64(1);

    /// <summary>Whether this is 0.</summary>
    public bool IsZero => (_l0 | _l1 | _l2 | _l3) == 0;

    /// <summary>A small value.</summary>
    public static Fr FromUInt64(ulong value) => new Fr(value, 0, 0, 0).MulRaw(R2);

    /// <summary>A canonical value in [0, p).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or ≥ p.</exception>
    public static Fr FromBigInteger(BigInteger value) =>
        value.Sign >= 0 && value < Modulus ? FromLimbsUnchecked(ToLimbs(value)).MulRaw(R2) : throw new ArgumentOutOfRangeException(nameof(value), "not a canonical field element (must be in [0, p))");

    /// <summary>A uniformly random element (rejection sampling over 254-bit values), for salts.</summary>
    public static Fr Random()
    {
        Span<byte> bytes = stackalloc byte[32];
        while (true)
        {
            System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
            bytes[31] &= 0x3F;
            var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
            if (value < Modulus) return FromBigInteger(value);
        }
    }

    /// <summary>Any integer, reduced modulo p.</summary>
    public static Fr Reduce(BigInteger value)
    {
        var reduced = BigInteger.Remainder(value, Modulus);
        return FromBigInteger(reduced.Sign < 0 ? reduced + Modulus : reduced);
    }

    /// <summary>32 little-endian bytes, reduced modulo p.</summary>
    public static Fr ReduceLittleEndian(ReadOnlySpan<byte> bytes) => Reduce(new BigInteger(bytes, isUnsigned: true, isBigEndian: false));

    /// <summary>Decimal, or hexadecimal with <c>0x</c>; must be canonical (&lt; p).</summary>
    /// <exception cref="FormatException">Not a number, negative, or ≥ p.</exception>
    public static Fr Parse(string text) => FromBigInteger(ParseCanonical(text, Modulus, "field"));

    /// <summary>The canonical integer value.</summary>
    public BigInteger ToBigInteger()
    {
        var plain = MulRaw(new Fr(1, 0, 0, 0));
        Span<byte> bytes = stackalloc byte[32];
        plain.WriteLittleEndianLimbs(bytes);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
    }

    /// <summary>The canonical value as 32 little-endian bytes.</summary>
    public void WriteLittleEndian(Span<byte> destination) => MulRaw(new Fr(1, 0, 0, 0)).WriteLittleEndianLimbs(destination);

    /// <summary>Whether the canonical value is odd (for point compression's sign).</summary>
    public bool IsOdd => (MulRaw(new Fr(1, 0, 0, 0))._l0 & 1) == 1;

    /// <summary>Sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Fr operator +(Fr a, Fr b)
    {
        AddModulo(a._l0, a._l1, a._l2, a._l3, b._l0, b._l1, b._l2, b._l3, P0, P1, P2, P3, out var r0, out var r1, out var r2, out var r3);
        return new Fr(r0, r1, r2, r3);
    }

    /// <summary>Difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Fr operator -(Fr a, Fr b)
    {
        SubtractModulo(a._l0, a._l1, a._l2, a._l3, b._l0, b._l1, b._l2, b._l3, P0, P1, P2, P3, out var r0, out var r1, out var r2, out var r3);
        return new Fr(r0, r1, r2, r3);
    }

    /// <summary>Negation.</summary>
    public static Fr operator -(Fr a) => Zero - a;

    /// <summary>Product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fr operator *(Fr a, Fr b) => a.MulRaw(b);

    /// <summary>Equality of values.</summary>
    public static bool operator ==(Fr a, Fr b) => a.Equals(b);

    /// <summary>Inequality of values.</summary>
    public static bool operator !=(Fr a, Fr b) => !a.Equals(b);

    /// <summary>Square.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fr Square() => MulRaw(this);

    /// <summary>2·this.</summary>
    public Fr Double() => this + this;

    /// <summary>x⁵, Poseidon's S-box.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public Fr Pow5()
    {
        var square = MulRaw(this);
        return square.MulRaw(square).MulRaw(this);
    }

    /// <summary>this^exponent (square and multiply over the exponent's bits).</summary>
    public Fr Pow(BigInteger exponent)
    {
        if (exponent.Sign < 0) throw new ArgumentOutOfRangeException(nameof(exponent));
        var result = One;
        var bits = exponent.GetBitLength();
        for (var i = bits - 1; i >= 0; i--)
        {
            result = result.Square();
            if (!(exponent >> (int)i).IsEven) result *= this;
        }

        return result;
    }

    /// <summary>Multiplicative inverse (Fermat: x^(p−2)).</summary>
    /// <exception cref="DivideByZeroException">Zero has no inverse.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Fr Inverse()
    {
        if (IsZero) throw new DivideByZeroException("0 has no inverse in the field");
        var result = One;
        foreach (var bit in InverseExponentBits)
        {
            result = result.Square();
            if (bit) result *= this;
        }

        return result;
    }

    /// <inheritdoc />
    public bool Equals(Fr other) => _l0 == other._l0 && _l1 == other._l1 && _l2 == other._l2 && _l3 == other._l3;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Fr other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_l0, _l1, _l2, _l3);

    /// <summary>Decimal, as circom and snarkjs print field elements.</summary>
    public override string ToString() => ToBigInteger().ToString(CultureInfo.InvariantCulture);

    /// <summary>The internal Montgomery-form limbs (value·2²⁵⁶ mod p), for the lane-sliced arithmetic.</summary>
    internal void GetMontgomeryLimbs(Span<ulong> limbs)
    {
        limbs[0] = _l0;
        limbs[1] = _l1;
        limbs[2] = _l2;
        limbs[3] = _l3;
    }

    /// <summary>The element whose Montgomery-form limbs are <paramref name="limbs"/>, a value below 2p.</summary>
    internal static Fr FromMontgomeryLimbs(ReadOnlySpan<ulong> limbs) => new Fr(limbs[0], limbs[1], limbs[2], limbs[3]).SubtractModulusIfNeeded();

    // The modulus in the lane arithmetic's 28-bit limbs (limb 0 is 1: p ≡ 1 mod 2²⁸).
    static ulong ILaneModulus<Fr>.LaneP0 => 0x1;

    static ulong ILaneModulus<Fr>.LaneP1 => 0xe1f593f;

    static ulong ILaneModulus<Fr>.LaneP2 => 0x9709143;

    static ulong ILaneModulus<Fr>.LaneP3 => 0xe84879b;

    static ulong ILaneModulus<Fr>.LaneP4 => 0x85d2833;

    static ulong ILaneModulus<Fr>.LaneP5 => 0xb681815;

    static ulong ILaneModulus<Fr>.LaneP6 => 0x9b85045;

    static ulong ILaneModulus<Fr>.LaneP7 => 0xe131a02;

    static ulong ILaneModulus<Fr>.LaneP8 => 0x644e72;

    static ulong ILaneModulus<Fr>.LaneP9 => 0x3;

    static ulong ILaneModulus<Fr>.LaneMu => 0xfffffff;

    static BigInteger ILaneModulus<Fr>.Modulus => Modulus;

    static Fr ILaneModulus<Fr>.FromMontgomeryLimbs(ReadOnlySpan<ulong> limbs) => FromMontgomeryLimbs(limbs);

    void ILaneModulus<Fr>.GetMontgomeryLimbs(Span<ulong> limbs) => GetMontgomeryLimbs(limbs);

    /// <summary>Whether four little-endian limbs hold a canonical value (below p).</summary>
    internal static bool IsCanonical(ReadOnlySpan<ulong> limbs)
    {
        ulong borrow = 0;
        SubBorrow(limbs[0], P0, ref borrow);
        SubBorrow(limbs[1], P1, ref borrow);
        SubBorrow(limbs[2], P2, ref borrow);
        SubBorrow(limbs[3], P3, ref borrow);
        return borrow == 1;
    }

    /// <summary>The element whose canonical value is <paramref name="limbs"/> (checked by the caller with <see cref="IsCanonical"/>), without a <see cref="BigInteger"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Fr FromCanonicalLimbs(ReadOnlySpan<ulong> limbs) => new Fr(limbs[0], limbs[1], limbs[2], limbs[3]).MulRaw(R2);

    /// <summary>this·2⁻²⁵⁶: one Montgomery reduction (snarkjs stores zkey coefficients as n·2⁵¹² so that its Montgomery product with a plain witness value is n·w).</summary>
    internal Fr DivideByMontgomeryRadix() => MulRaw(new Fr(1, 0, 0, 0));

    /// <summary>Selects <paramref name="b"/> when <paramref name="choice"/> is 1 and <paramref name="a"/> when 0, without a branch.</summary>
    internal static Fr Select(ulong choice, Fr a, Fr b)
    {
        var mask = 0UL - choice;
        return new Fr(a._l0 ^ ((a._l0 ^ b._l0) & mask), a._l1 ^ ((a._l1 ^ b._l1) & mask), a._l2 ^ ((a._l2 ^ b._l2) & mask), a._l3 ^ ((a._l3 ^ b._l3) & mask));
    }

    // Montgomery multiplication, CIOS: a·b·R⁻¹ mod p, unrolled over the four limbs. Compiled
    // optimised at once (no tier-0 phase): it is the inner loop of everything in this library.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.AggressiveInlining)]
    private Fr MulRaw(Fr b) => MultiplyBelow2P(b).SubtractModulusIfNeeded();

    /// <summary>
    /// The Montgomery product without the final subtraction: for operands below 2p the result is
    /// below 2p (4p &lt; 2²⁵⁶), which is all a chain of products and sums needs. Such values must be
    /// made canonical with <see cref="Canonical"/> before they are compared or leave the chain.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.AggressiveInlining)]
    internal Fr MultiplyBelow2P(Fr b)
    {
        Montgomery256.MultiplyBelow2P(_l0, _l1, _l2, _l3, b._l0, b._l1, b._l2, b._l3, PInv, P0, P1, P2, P3, out var r0, out var r1, out var r2, out var r3);
        return new Fr(r0, r1, r2, r3);
    }

    /// <summary>
    /// Σ aᵢ·bᵢ over at most 7 terms, operands below 2p and the <paramref name="a"/> side canonical,
    /// with a single Montgomery reduction for the whole sum (CIOS over the sum: each limb step adds
    /// every term's row, then reduces once); the result is below 2p.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Fr SumOfProductsBelow2P(ReadOnlySpan<Fr> a, ReadOnlySpan<Fr> b)
    {
        // The sum is below 14p², so the accumulator stays under 2³²⁰ and the reduced value under 4p.
        ulong t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0;
        for (var i = 0; i < a.Length; i++) AddRow(a[i]._l0, b[i], ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        ReduceStep(ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        for (var i = 0; i < a.Length; i++) AddRow(a[i]._l1, b[i], ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        ReduceStep(ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        for (var i = 0; i < a.Length; i++) AddRow(a[i]._l2, b[i], ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        ReduceStep(ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        for (var i = 0; i < a.Length; i++) AddRow(a[i]._l3, b[i], ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        ReduceStep(ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        return new Fr(t0, t1, t2, t3).SubtractTwoModulusIfNeeded();
    }

    /// <summary>A sum of two values below 2p, kept below 2p (see <see cref="MultiplyBelow2P"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.AggressiveInlining)]
    internal static Fr AddBelow2P(Fr a, Fr b)
    {
        ulong carry = 0;
        return new Fr(AddCarry(a._l0, b._l0, ref carry), AddCarry(a._l1, b._l1, ref carry), AddCarry(a._l2, b._l2, ref carry), AddCarry(a._l3, b._l3, ref carry)).SubtractTwoModulusIfNeeded();
    }

    /// <summary>The canonical form of a value below 2p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Fr Canonical() => SubtractModulusIfNeeded();

    // CIOS, one limb of the first operand at a time: t += x·b over six words, then ReduceStep.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow(ulong x, Fr b, ref ulong t0, ref ulong t1, ref ulong t2, ref ulong t3, ref ulong t4, ref ulong t5) =>
        Montgomery256.AddRow(x, b._l0, b._l1, b._l2, b._l3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);

    // t ← (t + m·p) / 2⁶⁴ with m chosen so that the low word vanishes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ReduceStep(ref ulong t0, ref ulong t1, ref ulong t2, ref ulong t3, ref ulong t4, ref ulong t5) =>
        Montgomery256.ReduceStep(PInv, P0, P1, P2, P3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);

    // Values stay below 2p < 2²⁵⁶, so one conditional subtraction makes them canonical.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Fr SubtractModulusIfNeeded() => SubtractIfNotBelow(P0, P1, P2, P3);

    // Values below 4p (< 2²⁵⁶) brought below 2p.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Fr SubtractTwoModulusIfNeeded() => SubtractIfNotBelow(TwoP0, TwoP1, TwoP2, TwoP3);

    // this − m when this ≥ m, else this; without a branch on the value.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Fr SubtractIfNotBelow(ulong m0, ulong m1, ulong m2, ulong m3)
    {
        ulong r0 = _l0, r1 = _l1, r2 = _l2, r3 = _l3;
        Montgomery256.SubtractIfNotBelow(ref r0, ref r1, ref r2, ref r3, m0, m1, m2, m3);
        return new Fr(r0, r1, r2, r3);
    }

    private void WriteLittleEndianLimbs(Span<byte> destination)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(destination, _l0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], _l1);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], _l2);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], _l3);
    }

    private static Fr FromLimbsUnchecked(ulong[] limbs) => new(limbs[0], limbs[1], limbs[2], limbs[3]);
}
