using System.Numerics;
using System.Runtime.InteropServices;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Curves;

/// <summary>
/// BN254 (alt_bn128, snarkjs's <c>bn128</c>): G1 is y² = x³ + 3 over Fq, G2 its sextic twist
/// y² = x³ + 3/(9 + u) over Fq², both of prime order r (the modulus of <see cref="Fr"/>). The
/// generators are Ethereum's and snarkjs's. Points travel in two encodings: snarkjs's files
/// (little-endian Montgomery, "LEM") and Ethereum's precompiles and calldata (big-endian, G2 with the
/// imaginary part first); both write infinity as zeros.
/// </summary>
public static class Bn254
{
    /// <summary>Bytes of a G1 point in either encoding.</summary>
    public const int G1Size = 64;

    /// <summary>Bytes of a G2 point in either encoding.</summary>
    public const int G2Size = 128;

    /// <summary>b of G1.</summary>
    public static readonly Fq G1B = Fq.FromUInt64(3);

    /// <summary>b′ = 3/(9 + u) of G2.</summary>
    public static readonly Fq2 G2B = new(
        Fq.Parse("19485874751759354771024239261021720505790618469301721065564631296452457478373"),
        Fq.Parse("266929791119991161246907387137283842545076965332900288569378510910307636690"));

    /// <summary>The generator (1, 2) of G1.</summary>
    public static readonly AffinePoint<Fq> G1Generator = new(Fq.One, Fq.FromUInt64(2));

    /// <summary>The generator of G2.</summary>
    public static readonly AffinePoint<Fq2> G2Generator = new(
        new Fq2(Fq.Parse("10857046999023057135944570762232829481370756359578518086990519993285655852781"), Fq.Parse("11559732032986387107991004021392285783925812861821192530917403151452391805634")),
        new Fq2(Fq.Parse("8495653923123431417604973247489272438418190587263600148770280649306958101930"), Fq.Parse("4082367875863433681332203403145435568316851327593401208105741076214120093531")));

    private static readonly ulong[] OrderLimbs = Limbs(Fr.Modulus);

    /// <summary>The canonical value of <paramref name="scalar"/> as four little-endian limbs, for the multiplications.</summary>
    public static ulong[] Limbs(Fr scalar) => Limbs(scalar.ToBigInteger());

    /// <summary>A non-negative integer below 2²⁵⁶ as four little-endian limbs.</summary>
    public static ulong[] Limbs(BigInteger value)
    {
        if (value.Sign < 0 || value.GetBitLength() > 256) throw new ArgumentOutOfRangeException(nameof(value), "a scalar must be in [0, 2²⁵⁶)");
        var bytes = new byte[32];
        value.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return MemoryMarshal.Cast<byte, ulong>(bytes).ToArray();
    }

    /// <summary>Whether a G2 point is in the order-r subgroup (r·Q = O), as Ethereum's pairing precompile requires.</summary>
    public static bool IsInG2Subgroup(AffinePoint<Fq2> point) => point.ToJacobian().Multiply(OrderLimbs).IsInfinity;

    /// <summary>Writes a G1 point as snarkjs stores it (x‖y, each LEM; infinity as zeros).</summary>
    public static void WriteG1Lem(AffinePoint<Fq> point, Span<byte> destination)
    {
        if (point.IsInfinity)
        {
            destination[..G1Size].Clear();
            return;
        }

        point.X.WriteMontgomeryLittleEndian(destination);
        point.Y.WriteMontgomeryLittleEndian(destination[32..]);
    }

    /// <summary>Writes a G2 point as snarkjs stores it (x.c0‖x.c1‖y.c0‖y.c1, each LEM; infinity as zeros).</summary>
    public static void WriteG2Lem(AffinePoint<Fq2> point, Span<byte> destination)
    {
        if (point.IsInfinity)
        {
            destination[..G2Size].Clear();
            return;
        }

        point.X.C0.WriteMontgomeryLittleEndian(destination);
        point.X.C1.WriteMontgomeryLittleEndian(destination[32..]);
        point.Y.C0.WriteMontgomeryLittleEndian(destination[64..]);
        point.Y.C1.WriteMontgomeryLittleEndian(destination[96..]);
    }

    /// <summary>Reads a G1 point in snarkjs's form, checking that it is on the curve.</summary>
    /// <exception cref="FormatException">A coordinate is not canonical, or the point is not on G1.</exception>
    public static AffinePoint<Fq> ReadG1Lem(ReadOnlySpan<byte> source) =>
        CheckedG1(source[..G1Size].IndexOfAnyExcept((byte)0) < 0 ? AffinePoint<Fq>.Infinity
            : new(Fq.ReadMontgomeryLittleEndian(source), Fq.ReadMontgomeryLittleEndian(source[32..])));

    /// <summary>Reads a G2 point in snarkjs's form, checking that it is on the curve and in the subgroup.</summary>
    /// <exception cref="FormatException">A coordinate is not canonical, or the point is not in G2.</exception>
    public static AffinePoint<Fq2> ReadG2Lem(ReadOnlySpan<byte> source) =>
        CheckedG2(source[..G2Size].IndexOfAnyExcept((byte)0) < 0 ? AffinePoint<Fq2>.Infinity
            : new(new Fq2(Fq.ReadMontgomeryLittleEndian(source), Fq.ReadMontgomeryLittleEndian(source[32..])),
                new Fq2(Fq.ReadMontgomeryLittleEndian(source[64..]), Fq.ReadMontgomeryLittleEndian(source[96..]))));

    /// <summary>Writes a G1 point as Ethereum's precompiles take it (x‖y, 32-byte big-endian words; infinity as zeros).</summary>
    public static void WriteG1Evm(AffinePoint<Fq> point, Span<byte> destination)
    {
        if (point.IsInfinity)
        {
            destination[..G1Size].Clear();
            return;
        }

        point.X.WriteBigEndian(destination);
        point.Y.WriteBigEndian(destination[32..]);
    }

    /// <summary>Writes a G2 point as Ethereum's pairing precompile takes it (x.c1‖x.c0‖y.c1‖y.c0, big-endian words).</summary>
    public static void WriteG2Evm(AffinePoint<Fq2> point, Span<byte> destination)
    {
        if (point.IsInfinity)
        {
            destination[..G2Size].Clear();
            return;
        }

        point.X.C1.WriteBigEndian(destination);
        point.X.C0.WriteBigEndian(destination[32..]);
        point.Y.C1.WriteBigEndian(destination[64..]);
        point.Y.C0.WriteBigEndian(destination[96..]);
    }

    /// <summary>Reads a G1 point in Ethereum's form, checking that it is on the curve.</summary>
    /// <exception cref="FormatException">A coordinate is ≥ q, or the point is not on G1.</exception>
    public static AffinePoint<Fq> ReadG1Evm(ReadOnlySpan<byte> source) =>
        CheckedG1(source[..G1Size].IndexOfAnyExcept((byte)0) < 0 ? AffinePoint<Fq>.Infinity
            : new(Fq.ReadBigEndian(source), Fq.ReadBigEndian(source[32..])));

    /// <summary>Reads a G2 point in Ethereum's form, checking that it is on the curve and in the subgroup.</summary>
    /// <exception cref="FormatException">A coordinate is ≥ q, or the point is not in G2.</exception>
    public static AffinePoint<Fq2> ReadG2Evm(ReadOnlySpan<byte> source) =>
        CheckedG2(source[..G2Size].IndexOfAnyExcept((byte)0) < 0 ? AffinePoint<Fq2>.Infinity
            : new(new Fq2(Fq.ReadBigEndian(source[32..]), Fq.ReadBigEndian(source)),
                new Fq2(Fq.ReadBigEndian(source[96..]), Fq.ReadBigEndian(source[64..]))));

    private static AffinePoint<Fq> CheckedG1(AffinePoint<Fq> point) =>
        point.IsOnCurve(G1B) ? point : throw new FormatException("not a point of BN254's G1 (off the curve y² = x³ + 3)");

    private static AffinePoint<Fq2> CheckedG2(AffinePoint<Fq2> point) =>
        !point.IsOnCurve(G2B) ? throw new FormatException("not a point of BN254's G2 twist (off the curve)")
        : !IsInG2Subgroup(point) ? throw new FormatException("a G2 point outside the order-r subgroup")
        : point;
}
