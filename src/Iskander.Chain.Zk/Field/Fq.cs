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
public readonly struct Fq : IFieldElement<Fq>
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
    public static Fq Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var value = BigInteger.Zero;
        var ok = trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? trimmed.Length > 2 && BigInteger.TryParse("0" + trimmed[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : trimmed.Length > 0 && trimmed.All(char.IsAsciiDigit) && BigInteger.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (!ok) throw new FormatException($"'{text}' is not a decimal or 0x-hex number");
        if (value >= Modulus) throw new FormatException($"{text} is not a base-field element: it is ≥ q");
        return FromBigInteger(value);
    }

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
        ulong carry = 0;
        var r0 = AddCarry(a._l0, b._l0, ref carry);
        var r1 = AddCarry(a._l1, b._l1, ref carry);
        var r2 = AddCarry(a._l2, b._l2, ref carry);
        var r3 = AddCarry(a._l3, b._l3, ref carry);
        return new Fq(r0, r1, r2, r3).SubtractModulusIfNeeded();
    }

    /// <summary>Difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fq operator -(Fq a, Fq b)
    {
        ulong borrow = 0;
        var r0 = SubBorrow(a._l0, b._l0, ref borrow);
        var r1 = SubBorrow(a._l1, b._l1, ref borrow);
        var r2 = SubBorrow(a._l2, b._l2, ref borrow);
        var r3 = SubBorrow(a._l3, b._l3, ref borrow);
        // Add q back when it went negative, without a branch on the value.
        var mask = 0UL - borrow;
        ulong carry = 0;
        r0 = AddCarry(r0, P0 & mask, ref carry);
        r1 = AddCarry(r1, P1 & mask, ref carry);
        r2 = AddCarry(r2, P2 & mask, ref carry);
        r3 = AddCarry(r3, P3 & mask, ref carry);
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

    // Montgomery multiplication, CIOS: a·b·R⁻¹ mod q. q's top limb leaves room, so the result of
    // a product of canonical operands is below 2q and one conditional subtraction suffices.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.AggressiveInlining)]
    private Fq Multiply(Fq b)
    {
        ulong t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0;
        AddRow(_l0, b._l0, b._l1, b._l2, b._l3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        ReduceStep(PInv, P0, P1, P2, P3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        AddRow(_l1, b._l0, b._l1, b._l2, b._l3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        ReduceStep(PInv, P0, P1, P2, P3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        AddRow(_l2, b._l0, b._l1, b._l2, b._l3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        ReduceStep(PInv, P0, P1, P2, P3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        AddRow(_l3, b._l0, b._l1, b._l2, b._l3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        ReduceStep(PInv, P0, P1, P2, P3, ref t0, ref t1, ref t2, ref t3, ref t4, ref t5);
        return new Fq(t0, t1, t2, t3).SubtractModulusIfNeeded();
    }

    // this − q when this ≥ q, else this; without a branch on the value.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Fq SubtractModulusIfNeeded()
    {
        ulong borrow = 0;
        var r0 = SubBorrow(_l0, P0, ref borrow);
        var r1 = SubBorrow(_l1, P1, ref borrow);
        var r2 = SubBorrow(_l2, P2, ref borrow);
        var r3 = SubBorrow(_l3, P3, ref borrow);
        var keep = 0UL - borrow;
        return new Fq(r0 ^ ((r0 ^ _l0) & keep), r1 ^ ((r1 ^ _l1) & keep), r2 ^ ((r2 ^ _l2) & keep), r3 ^ ((r3 ^ _l3) & keep));
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

    private static ulong[] ToLimbs(BigInteger value)
    {
        Span<byte> bytes = stackalloc byte[32];
        value.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return [BitConverter.ToUInt64(bytes), BitConverter.ToUInt64(bytes[8..]), BitConverter.ToUInt64(bytes[16..]), BitConverter.ToUInt64(bytes[24..])];
    }

    private static Fq FromLimbs(ulong[] limbs) => new(limbs[0], limbs[1], limbs[2], limbs[3]);
}
