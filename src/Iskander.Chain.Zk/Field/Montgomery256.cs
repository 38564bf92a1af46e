using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Iskander.Chain.Zk.Field;

/// <summary>
/// The word-level steps of 4×64-bit Montgomery arithmetic (CIOS) shared by the BN254 fields. The
/// modulus is passed as arguments: every caller passes constants, so after inlining the JIT folds
/// them exactly as if each field had its own copy.
/// </summary>
internal static class Montgomery256
{
    /// <summary>
    /// The high 64 bits of a·b (the low ones are plain a·b). MULX's high half alone: the BCL's
    /// <see cref="Math.BigMul(ulong, ulong, out ulong)"/> returns the low half through memory, a
    /// store and a reload on every product's critical path, which made products ~2.5× slower.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MultiplyHigh(ulong a, ulong b) =>
        Bmi2.X64.IsSupported ? Bmi2.X64.MultiplyNoFlags(a, b)
        : ArmBase.Arm64.IsSupported ? ArmBase.Arm64.MultiplyHigh(a, b)
        : Math.BigMul(a, b, out _);

    /// <summary>a·b + c + d as a high word (returned) and a low word; it never exceeds 128 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MultiplyAdd(ulong a, ulong b, ulong c, ulong d, out ulong low)
    {
        var high = MultiplyHigh(a, b);
        var sum = (a * b) + c;
        high += sum < c ? 1UL : 0UL;
        sum += d;
        high += sum < d ? 1UL : 0UL;
        low = sum;
        return high;
    }

    /// <summary>
    /// One step of CIOS without the carry words ("no-carry" CIOS): t ← (t + x·b + m·p) / 2⁶⁴ over
    /// four words, the product row and its reduction interleaved. Valid because the modulus's top
    /// word is below 2⁶³ − 1 (both BN254 moduli are under 2²⁵⁴): for b below 2p and t below b + p the
    /// new t is below b + p &lt; 2²⁵⁶, so it never needs a fifth word. Four steps over the limbs of
    /// a give a·b·2⁻²⁵⁶ mod p, below 2p when a and b are (4p² / 2²⁵⁶ &lt; p).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MontgomeryStep(ulong x, ulong b0, ulong b1, ulong b2, ulong b3, ulong pInv, ulong p0, ulong p1, ulong p2, ulong p3,
        ref ulong t0, ref ulong t1, ref ulong t2, ref ulong t3)
    {
        var a = MultiplyAdd(x, b0, t0, 0, out var u0);
        var m = u0 * pInv;
        // m·p₀ ≡ −u₀ (mod 2⁶⁴): the low word of m·p₀ + u₀ is 0, with a carry exactly when u₀ ≠ 0.
        var c = MultiplyHigh(m, p0) + (u0 != 0 ? 1UL : 0UL);
        a = MultiplyAdd(x, b1, t1, a, out var u1);
        c = MultiplyAdd(m, p1, u1, c, out t0);
        a = MultiplyAdd(x, b2, t2, a, out var u2);
        c = MultiplyAdd(m, p2, u2, c, out t1);
        a = MultiplyAdd(x, b3, t3, a, out var u3);
        c = MultiplyAdd(m, p3, u3, c, out t2);
        t3 = c + a;
    }

    /// <summary>One CIOS row with carry words, for sums of products: t += x·b over six words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddRow(ulong x, ulong b0, ulong b1, ulong b2, ulong b3, ref ulong t0, ref ulong t1, ref ulong t2, ref ulong t3, ref ulong t4, ref ulong t5)
    {
        var carry = MultiplyAdd(x, b0, t0, 0, out t0);
        carry = MultiplyAdd(x, b1, t1, carry, out t1);
        carry = MultiplyAdd(x, b2, t2, carry, out t2);
        carry = MultiplyAdd(x, b3, t3, carry, out t3);
        t4 += carry;
        t5 += t4 < carry ? 1UL : 0UL;
    }

    /// <summary>One CIOS reduction: t ← (t + m·p) / 2⁶⁴ with m chosen so that the low word vanishes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ReduceStep(ulong pInv, ulong p0, ulong p1, ulong p2, ulong p3, ref ulong t0, ref ulong t1, ref ulong t2, ref ulong t3, ref ulong t4, ref ulong t5)
    {
        var m = t0 * pInv;
        // As in MontgomeryStep: the low word of m·p₀ + t₀ is 0, with a carry exactly when t₀ ≠ 0.
        var carry = MultiplyHigh(m, p0) + (t0 != 0 ? 1UL : 0UL);
        carry = MultiplyAdd(m, p1, t1, carry, out t0);
        carry = MultiplyAdd(m, p2, t2, carry, out t1);
        carry = MultiplyAdd(m, p3, t3, carry, out t2);
        t3 = t4 + carry;
        t4 = t5 + (t3 < carry ? 1UL : 0UL);
        t5 = 0;
    }

    /// <summary>a·b·2⁻²⁵⁶ mod p, below 2p, for a and b below 2p and p below 2²⁵⁴ (no-carry CIOS, <see cref="MontgomeryStep"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MultiplyBelow2P(ulong a0, ulong a1, ulong a2, ulong a3, ulong b0, ulong b1, ulong b2, ulong b3,
        ulong pInv, ulong p0, ulong p1, ulong p2, ulong p3, out ulong r0, out ulong r1, out ulong r2, out ulong r3)
    {
        ulong t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        MontgomeryStep(a0, b0, b1, b2, b3, pInv, p0, p1, p2, p3, ref t0, ref t1, ref t2, ref t3);
        MontgomeryStep(a1, b0, b1, b2, b3, pInv, p0, p1, p2, p3, ref t0, ref t1, ref t2, ref t3);
        MontgomeryStep(a2, b0, b1, b2, b3, pInv, p0, p1, p2, p3, ref t0, ref t1, ref t2, ref t3);
        MontgomeryStep(a3, b0, b1, b2, b3, pInv, p0, p1, p2, p3, ref t0, ref t1, ref t2, ref t3);
        r0 = t0;
        r1 = t1;
        r2 = t2;
        r3 = t3;
    }

    /// <summary>a + b + carry, with the carry out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AddCarry(ulong a, ulong b, ref ulong carry)
    {
        var sum = a + b;
        var carryOut = sum < a ? 1UL : 0UL;
        var result = sum + carry;
        carryOut += result < sum ? 1UL : 0UL;
        carry = carryOut;
        return result;
    }

    /// <summary>a − b − borrow, with the borrow out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SubBorrow(ulong a, ulong b, ref ulong borrow)
    {
        var difference = a - b;
        var borrowOut = a < b ? 1UL : 0UL;
        var result = difference - borrow;
        borrowOut += difference < borrow ? 1UL : 0UL;
        borrow = borrowOut;
        return result;
    }

    /// <summary>(a + b) mod p for a, b &lt; p: the sum, then p taken off when it reached p (no branch on the value).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddModulo(ulong a0, ulong a1, ulong a2, ulong a3, ulong b0, ulong b1, ulong b2, ulong b3, ulong p0, ulong p1, ulong p2, ulong p3,
        out ulong r0, out ulong r1, out ulong r2, out ulong r3)
    {
        ulong carry = 0;
        r0 = AddCarry(a0, b0, ref carry);
        r1 = AddCarry(a1, b1, ref carry);
        r2 = AddCarry(a2, b2, ref carry);
        r3 = AddCarry(a3, b3, ref carry);
        SubtractIfNotBelow(ref r0, ref r1, ref r2, ref r3, p0, p1, p2, p3);
    }

    /// <summary>(a − b) mod p for a, b &lt; p: the difference, then p added back when it went negative (no branch on the value).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SubtractModulo(ulong a0, ulong a1, ulong a2, ulong a3, ulong b0, ulong b1, ulong b2, ulong b3, ulong p0, ulong p1, ulong p2, ulong p3,
        out ulong r0, out ulong r1, out ulong r2, out ulong r3)
    {
        ulong borrow = 0;
        r0 = SubBorrow(a0, b0, ref borrow);
        r1 = SubBorrow(a1, b1, ref borrow);
        r2 = SubBorrow(a2, b2, ref borrow);
        r3 = SubBorrow(a3, b3, ref borrow);
        var mask = 0UL - borrow;
        ulong carry = 0;
        r0 = AddCarry(r0, p0 & mask, ref carry);
        r1 = AddCarry(r1, p1 & mask, ref carry);
        r2 = AddCarry(r2, p2 & mask, ref carry);
        r3 = AddCarry(r3, p3 & mask, ref carry);
    }

    /// <summary>r − m when r ≥ m, else r; without a branch on the value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SubtractIfNotBelow(ref ulong r0, ref ulong r1, ref ulong r2, ref ulong r3, ulong m0, ulong m1, ulong m2, ulong m3)
    {
        ulong borrow = 0;
        var d0 = SubBorrow(r0, m0, ref borrow);
        var d1 = SubBorrow(r1, m1, ref borrow);
        var d2 = SubBorrow(r2, m2, ref borrow);
        var d3 = SubBorrow(r3, m3, ref borrow);
        var keep = 0UL - borrow;
        r0 = d0 ^ ((d0 ^ r0) & keep);
        r1 = d1 ^ ((d1 ^ r1) & keep);
        r2 = d2 ^ ((d2 ^ r2) & keep);
        r3 = d3 ^ ((d3 ^ r3) & keep);
    }

    /// <summary>A non-negative integer below 2²⁵⁶ as four little-endian limbs.</summary>
    public static ulong[] ToLimbs(BigInteger value)
    {
        Span<byte> bytes = stackalloc byte[32];
        value.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return [BitConverter.ToUInt64(bytes), BitConverter.ToUInt64(bytes[8..]), BitConverter.ToUInt64(bytes[16..]), BitConverter.ToUInt64(bytes[24..])];
    }

    /// <summary>Decimal, or hexadecimal with <c>0x</c>, below <paramref name="modulus"/>.</summary>
    /// <exception cref="FormatException">Not a number, negative, or ≥ the modulus.</exception>
    public static BigInteger ParseCanonical(string text, BigInteger modulus, string fieldName)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var value = BigInteger.Zero;
        var ok = trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? trimmed.Length > 2 && BigInteger.TryParse("0" + trimmed[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : trimmed.Length > 0 && trimmed.All(char.IsAsciiDigit) && BigInteger.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (!ok) throw new FormatException($"'{text}' is not a decimal or 0x-hex number");
        if (value >= modulus) throw new FormatException($"{text} is not a {fieldName} element: it is ≥ the modulus");
        return value;
    }
}
