using System.Globalization;
using System.Numerics;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Curves;

/// <summary>A point of BabyJubJub in affine coordinates.</summary>
/// <param name="X">x coordinate.</param>
/// <param name="Y">y coordinate.</param>
public readonly record struct BabyJubJubPoint(Fr X, Fr Y)
{
    /// <summary>The neutral element (0, 1).</summary>
    public static BabyJubJubPoint Identity => new(Fr.Zero, Fr.One);

    /// <summary>Whether this is the neutral element.</summary>
    public bool IsIdentity => X.IsZero && Y == Fr.One;

    /// <summary>Decimal coordinates, as circom inputs.</summary>
    public override string ToString() => $"({X}, {Y})";
}

/// <summary>
/// The BabyJubJub twisted Edwards curve a·x² + y² = 1 + d·x²·y² over the BN254 scalar field
/// (a = 168700, d = 168696), as circomlib and MACI use it. Arithmetic runs in projective
/// coordinates with the complete addition law, so doubling and adding are one formula and only the
/// final conversion inverts. Scalar multiplication by secrets is a Montgomery ladder with
/// branch-free swaps.
/// </summary>
public static class BabyJubJub
{
    /// <summary>a.</summary>
    public static readonly Fr A = Fr.FromUInt64(168700);

    /// <summary>d.</summary>
    public static readonly Fr D = Fr.FromUInt64(168696);

    /// <summary>Order l of the prime subgroup that <see cref="Base8"/> generates.</summary>
    public static readonly BigInteger SubgroupOrder = BigInteger.Parse("2736030358979909402780800718157159386076813972158567259200215660948447373041", CultureInfo.InvariantCulture);

    /// <summary>The generator of the prime-order subgroup used for keys and signatures.</summary>
    public static readonly BabyJubJubPoint Base8 = new(
        Fr.Parse("5299619240641551281634865583518297030282874472190772894086521144482721001553"),
        Fr.Parse("16950150798460657717958625567821834550301663161624707787222815936182638968203"));

    private static readonly BigInteger HalfModulus = (Fr.Modulus - 1) / 2;

    /// <summary>Whether the coordinates satisfy the curve equation.</summary>
    public static bool IsOnCurve(BabyJubJubPoint point)
    {
        var x2 = point.X.Square();
        var y2 = point.Y.Square();
        return A * x2 + y2 == Fr.One + D * x2 * y2;
    }

    /// <summary>
    /// Whether the point is on the curve, in the prime-order subgroup (l·P = O) and not the identity:
    /// the check every public key and ephemeral key must pass (on-curve alone admits small-order
    /// components, MACI audit finding MACI-2).
    /// </summary>
    public static bool IsValidPublicPoint(BabyJubJubPoint point) =>
        IsOnCurve(point) && !point.IsIdentity && MultiplyVariableTime(point, SubgroupOrder).IsIdentity;

    /// <summary>
    /// Whether a state leaf may take the point as its key (the circuits' rule for a key change): on
    /// the curve and not of small order (8·P ≠ O). For a small-order key the signature equation
    /// S·Base8 = R8 + 8·h·A holds with S = 0 and R8 = O, whatever the message: no private key needed.
    /// </summary>
    public static bool IsUsableKey(BabyJubJubPoint point) => IsOnCurve(point) && !MultiplyVariableTime(point, 8).IsIdentity;

    /// <summary>
    /// Q with 8·Q = <paramref name="point"/> (Q = 8⁻¹ mod l · P), for a point of the prime-order
    /// subgroup: what the ballot contract takes to check a key's subgroup membership with three
    /// doublings instead of a full l·P multiplication.
    /// </summary>
    public static BabyJubJubPoint CofactorHint(BabyJubJubPoint point) => MultiplyVariableTime(point, BigInteger.ModPow(8, SubgroupOrder - 2, SubgroupOrder));

    /// <summary>P + Q.</summary>
    public static BabyJubJubPoint Add(BabyJubJubPoint p, BabyJubJubPoint q) => Projective.From(p).Add(Projective.From(q)).ToAffine();

    /// <summary>
    /// k·P for a secret scalar: a Montgomery ladder over all 256 bits with branch-free conditional
    /// swaps, so the sequence of field operations does not depend on the scalar's bits.
    /// </summary>
    public static BabyJubJubPoint Multiply(BabyJubJubPoint point, BigInteger scalar)
    {
        if (scalar.Sign < 0) throw new ArgumentOutOfRangeException(nameof(scalar), "scalar must be non-negative");
        Span<byte> bits = stackalloc byte[32];
        if (!scalar.TryWriteBytes(bits, out _, isUnsigned: true, isBigEndian: false)) throw new ArgumentOutOfRangeException(nameof(scalar), "scalar exceeds 256 bits");
        var r0 = Projective.Identity;
        var r1 = Projective.From(point);
        for (var i = 255; i >= 0; i--)
        {
            var bit = (ulong)((bits[i >> 3] >> (i & 7)) & 1);
            Projective.ConditionalSwap(bit, ref r0, ref r1);
            r1 = r0.Add(r1);
            r0 = r0.Add(r0);
            Projective.ConditionalSwap(bit, ref r0, ref r1);
        }

        return r0.ToAffine();
    }

    /// <summary>k·P for public values (verification, subgroup checks): double-and-add, faster, branches on the scalar.</summary>
    public static BabyJubJubPoint MultiplyVariableTime(BabyJubJubPoint point, BigInteger scalar)
    {
        if (scalar.Sign < 0) throw new ArgumentOutOfRangeException(nameof(scalar), "scalar must be non-negative");
        var result = Projective.Identity;
        var addend = Projective.From(point);
        var bits = scalar.GetBitLength();
        for (var i = bits - 1; i >= 0; i--)
        {
            result = result.Add(result);
            if (!(scalar >> (int)i).IsEven) result = result.Add(addend);
        }

        return result.ToAffine();
    }

    /// <summary>
    /// circomlib's 32-byte compression: y little-endian, the top bit set when x is "negative"
    /// (greater than (p − 1) / 2).
    /// </summary>
    public static byte[] Pack(BabyJubJubPoint point)
    {
        var packed = new byte[32];
        point.Y.WriteLittleEndian(packed);
        if (point.X.ToBigInteger() > HalfModulus) packed[31] |= 0x80;
        return packed;
    }

    /// <summary>Decompresses <see cref="Pack"/>'s output; fails on a y ≥ p or a y with no point.</summary>
    /// <exception cref="FormatException">Not the compression of a curve point.</exception>
    public static BabyJubJubPoint Unpack(ReadOnlySpan<byte> packed)
    {
        if (packed.Length != 32) throw new FormatException("a packed BabyJubJub point is 32 bytes");
        Span<byte> yBytes = stackalloc byte[32];
        packed.CopyTo(yBytes);
        var negative = (yBytes[31] & 0x80) != 0;
        yBytes[31] &= 0x7F;
        var yValue = new BigInteger(yBytes, isUnsigned: true, isBigEndian: false);
        if (yValue >= Fr.Modulus) throw new FormatException("packed point's y is not a field element");
        var y = Fr.FromBigInteger(yValue);
        var y2 = y.Square();
        var denominator = A - D * y2;
        if (denominator.IsZero) throw new FormatException("no curve point has this y");
        var x = FieldSqrt.Sqrt((Fr.One - y2) * denominator.Inverse()) ?? throw new FormatException("no curve point has this y");
        if (x.ToBigInteger() > HalfModulus) x = -x;
        if (negative) x = -x;
        if (negative && x.IsZero) throw new FormatException("x = 0 cannot carry a sign bit");
        return new BabyJubJubPoint(x, y);
    }

    /// <summary>Projective (X : Y : Z), x = X/Z, y = Y/Z.</summary>
    private readonly record struct Projective(Fr X, Fr Y, Fr Z)
    {
        public static Projective Identity => new(Fr.Zero, Fr.One, Fr.One);

        public static Projective From(BabyJubJubPoint point) => new(point.X, point.Y, Fr.One);

        // Complete twisted Edwards addition (Bernstein et al., "add-2008-bbjlp"): valid for doubling too.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public Projective Add(Projective other)
        {
            var a = Z * other.Z;
            var b = a.Square();
            var c = X * other.X;
            var d = Y * other.Y;
            var e = D * c * d;
            var f = b - e;
            var g = b + e;
            var x3 = a * f * ((X + Y) * (other.X + other.Y) - c - d);
            var y3 = a * g * (d - A * c);
            return new Projective(x3, y3, f * g);
        }

        public BabyJubJubPoint ToAffine()
        {
            var inverse = Z.Inverse();
            return new BabyJubJubPoint(X * inverse, Y * inverse);
        }

        public static void ConditionalSwap(ulong choice, ref Projective p, ref Projective q)
        {
            var newP = new Projective(Fr.Select(choice, p.X, q.X), Fr.Select(choice, p.Y, q.Y), Fr.Select(choice, p.Z, q.Z));
            var newQ = new Projective(Fr.Select(choice, q.X, p.X), Fr.Select(choice, q.Y, p.Y), Fr.Select(choice, q.Z, p.Z));
            p = newP;
            q = newQ;
        }
    }
}
