using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using static Iskander.Chain.Zk.Field.Montgomery256;

namespace Iskander.Chain.Zk.Field;

/// <summary>
/// An element of the BN254 base field (q = 2188…8583), the field of G1 coordinates and of the
/// components of G2's. Four 64-bit limbs in Montgomery form with R = 2²⁵⁶, the same representation
/// snarkjs writes into .ptau and .zkey files ("LEM"), so those bytes are exactly the limbs.
/// </summary>
public readonly struct Fq : IFieldElement<Fq>, ILaneModulus<Fq>, ILaneCoordinate<Fq>
{
    /// <summary>The modulus q.</summary>
    public static readonly BigInteger Modulus = BigInteger.Parse("21888242871839275222246405745257275088696311157297823662689037894645226208583", CultureInfo.InvariantCulture);

    private const ulong P0 = 0x3c208c16d87cfd47, P1 = 0x97816a916871ca8d, P2 = 0xb85045b68181585d, P3 = 0x30644e72e131a029;
    private const ulong PInv = 0x87d20782e4866389; // −q⁻¹ mod 2⁶⁴
    private static readonly Fq R2 = FromLimbs(ToLimbs(BigInteger.ModPow(2, 512, Modulus)));
    private static readonly bool[] InverseExponentBits = Bits(Modulus - 2);

    private readonly ulong _l0, _l1, _l2, _l3;

    private Fq(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        _l0 = l0;
        _l1 = l1;
        _l2 = l2;
        _l3 = l3;
    }

    /// <summary>0.</summary>
    public static Fq Zero => default;

    /// <summary>1.</summary>
    public static Fq One { get; } = FromUInt64(1);

    /// <inheritdoc />
    public bool IsZero => (_l0 | _l1 | _l2 | _l3) == 0;

    /// <summary>A small value.</summary>
    public static Fq FromUInt64(ulong value) => new Fq(value, 0, 0, 0).Multiply(R2);

    /// <summary>A canonical value in [0, q).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or ≥ q.</exception>
    public static Fq FromBigInteger(BigInteger value) =>
        value.Sign >= 0 && value < Modulus ? FromLimbs(ToLimbs(value)).Multiply(R2) : throw new ArgumentOutOfRangeException(nameof(value), "not a canonical base-field element (must be in [0, q))");

    /// <summary>Decimal, or hexadecimal with <c>0x</c>; must be canonical (&lt; q).</summary>
    /// <exception cref="FormatException">Not a number, negative, or ≥ q.</exception>
    public static Fq Parse(string text) => FromBigInteger(ParseCanonical(text, Modulus, "base-field"));

    /// <summary>The canonical integer value.</summary>
    public BigInteger ToBigInteger()
    {
        Span<byte> bytes = stackalloc byte[32];
        WriteBigEndian(bytes);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>The canonical value as 32 big-endian bytes (Ethereum's precompiles and calldata).</summary>
    public void WriteBigEndian(Span<byte> destination)
    {
        var plain = Multiply(new Fq(1, 0, 0, 0));
        BinaryPrimitives.WriteUInt64BigEndian(destination, plain._l3);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], plain._l2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], plain._l1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], plain._l0);
    }

    /// <summary>32 big-endian bytes holding a canonical value.</summary>
    /// <exception cref="FormatException">The value is ≥ q.</exception>
    public static Fq ReadBigEndian(ReadOnlySpan<byte> source) => ReadCanonical(
        BinaryPrimitives.ReadUInt64BigEndian(source[24..]), BinaryPrimitives.ReadUInt64BigEndian(source[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(source[8..]), BinaryPrimitives.ReadUInt64BigEndian(source)).Multiply(R2);

    /// <summary>The Montgomery form (value·2²⁵⁶ mod q) as 32 little-endian bytes: snarkjs's LEM.</summary>
    public void WriteMontgomeryLittleEndian(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, _l0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], _l1);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], _l2);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], _l3);
    }

    /// <summary>An element from its LEM bytes (<see cref="WriteMontgomeryLittleEndian"/>).</summary>
    /// <exception cref="FormatException">The Montgomery form is ≥ q (no canonical writer produces it).</exception>
    public static Fq ReadMontgomeryLittleEndian(ReadOnlySpan<byte> source) => ReadCanonical(
        BinaryPrimitives.ReadUInt64LittleEndian(source), BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
        BinaryPrimitives.ReadUInt64LittleEndian(source[16..]), BinaryPrimitives.ReadUInt64LittleEndian(source[24..]));

    /// <summary>Sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fq operator +(Fq a, Fq b)
    {
        AddModulo(a._l0, a._l1, a._l2, a._l3, b._l0, b._l1, b._l2, b._l3, P0, P1, P2, P3, out var r0, out var r1, out var r2, out var r3);
        return new Fq(r0, r1, r2, r3);
    }

    /// <summary>Difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fq operator -(Fq a, Fq b)
    {
        SubtractModulo(a._l0, a._l1, a._l2, a._l3, b._l0, b._l1, b._l2, b._l3, P0, P1, P2, P3, out var r0, out var r1, out var r2, out var r3);
        return new Fq(r0, r1, r2, r3);
    }

    /// <summary>Negation.</summary>
    public static Fq operator -(Fq a) => Zero - a;

    /// <summary>Product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fq operator *(Fq a, Fq b) => a.Multiply(b);

    /// <summary>Equality of values.</summary>
    public static bool operator ==(Fq a, Fq b) => a.Equals(b);

    /// <summary>Inequality of values.</summary>
    public static bool operator !=(Fq a, Fq b) => !a.Equals(b);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fq Square() => Multiply(this);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fq Double() => this + this;

    /// <summary>this^exponent (square and multiply).</summary>
    public Fq Pow(BigInteger exponent)
    {
        if (exponent.Sign < 0) throw new ArgumentOutOfRangeException(nameof(exponent));
        var result = One;
        foreach (var bit in Bits(exponent))
        {
            result = result.Square();
            if (bit) result *= this;
        }

        return result;
    }

    /// <inheritdoc />
    public Fq Inverse()
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

    /// <summary>A square root (q ≡ 3 mod 4, so a^((q+1)/4)), or null when this is not a square.</summary>
    public Fq? Sqrt()
    {
        var root = Pow((Modulus + 1) / 4);
        return root.Square() == this ? root : null;
    }

    /// <inheritdoc />
    public bool Equals(Fq other) => _l0 == other._l0 && _l1 == other._l1 && _l2 == other._l2 && _l3 == other._l3;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Fq other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_l0, _l1, _l2, _l3);

    /// <summary>Decimal, as snarkjs prints coordinates.</summary>
    public override string ToString() => ToBigInteger().ToString(CultureInfo.InvariantCulture);

    // Montgomery multiplication (no-carry CIOS, see Montgomery256): a·b·R⁻¹ mod q, below 2q for
    // canonical operands, so one conditional subtraction makes it canonical. Never inlined: an
    // inlined product brings ~100 locals, and the JIT stops inlining in a method past a limit on
    // locals, so curve formulas with a dozen products left even additions and getters as calls; a
    // call per product costs a few nanoseconds of ~40.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private Fq Multiply(Fq b)
    {
        MultiplyBelow2P(_l0, _l1, _l2, _l3, b._l0, b._l1, b._l2, b._l3, PInv, P0, P1, P2, P3, out var r0, out var r1, out var r2, out var r3);
        return new Fq(r0, r1, r2, r3).SubtractModulusIfNeeded();
    }

    /// <summary>
    /// a·b + c·d with a single Montgomery reduction for the sum (CIOS over both products: each limb
    /// step adds both rows, then reduces once), for Fq² products. Canonical operands give a sum
    /// below 2q·q + q·2²⁵⁶, so the reduced value is below 2q and one subtraction makes it canonical.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    internal static Fq SumOfProducts(Fq a, Fq b, Fq c, Fq d)
    {
        ulong t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0;
        AddRow(a._l0, b._l0, b._l1, b._l2, b._l3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        AddRow(c._l0, d._l0, d._l1, d._l2, d._l3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        ReduceStep(PInv, P0, P1, P2, P3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        AddRow(a._l1, b._l0, b._l1, b._l2, b._l3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        AddRow(c._l1, d._l0, d._l1, d._l2, d._l3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        ReduceStep(PInv, P0, P1, P2, P3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        AddRow(a._l2, b._l0, b._l1, b._l2, b._l3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        AddRow(c._l2, d._l0, d._l1, d._l2, d._l3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        ReduceStep(PInv, P0, P1, P2, P3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        AddRow(a._l3, b._l0, b._l1, b._l2, b._l3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        AddRow(c._l3, d._l0, d._l1, d._l2, d._l3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        ReduceStep(PInv, P0, P1, P2, P3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        return new Fq(t0, t1, t2, t3).SubtractModulusIfNeeded();
    }

    // One conditional subtraction of q, without a branch on the value.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Fq SubtractModulusIfNeeded()
    {
        ulong r0 = _l0, r1 = _l1, r2 = _l2, r3 = _l3;
        SubtractIfNotBelow(ref r0, ref r1, ref r2, ref r3, P0, P1, P2, P3);
        return new Fq(r0, r1, r2, r3);
    }

    /// <summary>The internal Montgomery-form limbs (value·2²⁵⁶ mod q), for the lane-sliced arithmetic.</summary>
    internal void GetMontgomeryLimbs(Span<ulong> limbs)
    {
        limbs[0] = _l0;
        limbs[1] = _l1;
        limbs[2] = _l2;
        limbs[3] = _l3;
    }

    /// <summary>The element whose Montgomery-form limbs are <paramref name="limbs"/>, a value below 2q.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Fq FromMontgomeryLimbs(ReadOnlySpan<ulong> limbs) => new Fq(limbs[0], limbs[1], limbs[2], limbs[3]).SubtractModulusIfNeeded();

    // The modulus in the lane arithmetic's 28-bit limbs.
    static ulong ILaneModulus<Fq>.LaneP0 => 0x87cfd47;

    static ulong ILaneModulus<Fq>.LaneP1 => 0x208c16d;

    static ulong ILaneModulus<Fq>.LaneP2 => 0x1ca8d3c;

    static ulong ILaneModulus<Fq>.LaneP3 => 0x6a91687;

    static ulong ILaneModulus<Fq>.LaneP4 => 0x85d9781;

    static ulong ILaneModulus<Fq>.LaneP5 => 0xb681815;

    static ulong ILaneModulus<Fq>.LaneP6 => 0x9b85045;

    static ulong ILaneModulus<Fq>.LaneP7 => 0xe131a02;

    static ulong ILaneModulus<Fq>.LaneP8 => 0x644e72;

    static ulong ILaneModulus<Fq>.LaneP9 => 0x3;

    static ulong ILaneModulus<Fq>.LaneMu => 0x4866389;

    static BigInteger ILaneModulus<Fq>.Modulus => Modulus;

    static Fq ILaneModulus<Fq>.FromMontgomeryLimbs(ReadOnlySpan<ulong> limbs) => FromMontgomeryLimbs(limbs);

    void ILaneModulus<Fq>.GetMontgomeryLimbs(Span<ulong> limbs) => GetMontgomeryLimbs(limbs);

    // G1 coordinates in lanes: one part. Scratch registers (base-field elements after x₁, y₁, x₂, y₂):
    // λ and 1 adjacent, then λ and −x₁ − x₂, then x₁ − x₃ and −y₁, each pair one two-term product sum.
    private const int LaneLambda = 4, LaneOne = 5, LaneSquared = 6, LaneNegatedSum = 7, LaneDifference = 8, LaneNegatedY = 9;

    static int ILaneCoordinate<Fq>.Parts => 1;

    static int ILaneCoordinate<Fq>.LaneScratch => LaneNegatedY + 1 - 4;

    static Fq ILaneCoordinate<Fq>.Part(in Fq value, int part) => value;

    static Fq ILaneCoordinate<Fq>.FromParts(ReadOnlySpan<Fq> parts) => parts[0];

    static Fq ILaneCoordinate<Fq>.Scale(in Fq value, Fq factor) => value * factor;

    static void ILaneCoordinate<Fq>.LaneInitialize<T>(Span<T> registers)
    {
        var one = LaneForm<Fq>.One;
        for (var limb = 0; limb < LaneForm.Limbs; limb++) registers[(LaneOne * LaneForm.Limbs) + limb] = T.Broadcast(one[limb]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void ILaneCoordinate<Fq>.LaneDifferenceNorm<T>(ReadOnlySpan<T> x1, ReadOnlySpan<T> x2, Span<T> norm) => LaneField<T, Fq>.Subtract(x2, x1, norm);

    // λ = (y₂ − y₁)/(x₂ − x₁), x₃ = λ² − x₁ − x₂, y₃ = λ(x₁ − x₃) − y₁, with x₃ and y₃ each one
    // two-term product sum so that they come out below 2²⁵⁴ (products reduce; differences add 8q).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void ILaneCoordinate<Fq>.LaneAdd<T>(Span<T> r, ReadOnlySpan<T> normInverse)
    {
        const int x1 = 0, y1 = 1, x2 = 2, y2 = 3;
        // dy in the λ registers, then λ = dy·inverse.
        LaneField<T, Fq>.Subtract(LaneForm.Element(r, y2), LaneForm.Element(r, y1), LaneForm.Element(r, LaneLambda));
        LaneField<T, Fq>.Multiply(LaneForm.Element(r, LaneLambda), normInverse, LaneForm.Element(r, LaneLambda));
        LaneForm.Element(r, LaneLambda).CopyTo(LaneForm.Element(r, LaneSquared));
        LaneField<T, Fq>.Negate(LaneForm.Element(r, x1), LaneForm.Element(r, LaneNegatedSum));
        LaneField<T, Fq>.Subtract(LaneForm.Element(r, LaneNegatedSum), LaneForm.Element(r, x2), LaneForm.Element(r, LaneNegatedSum));
        var lambdaAndOne = new LaneLimbs<T>(r.Slice(LaneLambda * LaneForm.Limbs, 2 * LaneForm.Limbs));
        // x₃ goes where x₂ was (x₂ is not needed again), y₃ where y₂ was.
        LaneField<T, Fq>.MultiplySum(lambdaAndOne, r.Slice(LaneSquared * LaneForm.Limbs, 2 * LaneForm.Limbs), 2, default, LaneForm.Element(r, x2));
        LaneField<T, Fq>.Subtract(LaneForm.Element(r, x1), LaneForm.Element(r, x2), LaneForm.Element(r, LaneDifference));
        LaneField<T, Fq>.Negate(LaneForm.Element(r, y1), LaneForm.Element(r, LaneNegatedY));
        LaneField<T, Fq>.MultiplySum(lambdaAndOne, r.Slice(LaneDifference * LaneForm.Limbs, 2 * LaneForm.Limbs), 2, default, LaneForm.Element(r, y2));
    }


    private static Fq ReadCanonical(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        ulong borrow = 0;
        SubBorrow(l0, P0, ref borrow);
        SubBorrow(l1, P1, ref borrow);
        SubBorrow(l2, P2, ref borrow);
        SubBorrow(l3, P3, ref borrow);
        return borrow == 1 ? new Fq(l0, l1, l2, l3) : throw new FormatException("not a base-field element: the value is ≥ q");
    }

    private static bool[] Bits(BigInteger exponent) =>
        Enumerable.Range(0, (int)exponent.GetBitLength()).Reverse().Select(i => !(exponent >> i).IsEven).ToArray();

    private static Fq FromLimbs(ulong[] limbs) => new(limbs[0], limbs[1], limbs[2], limbs[3]);
}
