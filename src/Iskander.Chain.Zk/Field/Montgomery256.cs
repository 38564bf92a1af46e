using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Iskander.Chain.Zk.Field;

/// <summary>
/// The word-level steps of 4×64-bit Montgomery arithmetic (CIOS) shared by the BN254 fields. The
/// modulus is passed as arguments: every caller passes constants, so after inlining the JIT folds
/// them exactly as if each field had its own copy.
/// </summary>
internal static class Montgomery256
{
    /// <summary>One CIOS row: t += x·b over six words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddRow(ulong x, ulong b0, ulong b1, ulong b2, ulong b3, ref ulong t0, ref ulong t1, ref ulong t2, ref ulong t3, ref ulong t4, ref ulong t5)
    {
        ulong hi, lo, carry;
        hi = Math.BigMul(x, b0, out lo);
        lo += t0; hi += lo < t0 ? 1UL : 0UL; t0 = lo; carry = hi;
        hi = Math.BigMul(x, b1, out lo);
        lo += t1; hi += lo < t1 ? 1UL : 0UL; lo += carry; hi += lo < carry ? 1UL : 0UL; t1 = lo; carry = hi;
        hi = Math.BigMul(x, b2, out lo);
        lo += t2; hi += lo < t2 ? 1UL : 0UL; lo += carry; hi += lo < carry ? 1UL : 0UL; t2 = lo; carry = hi;
        hi = Math.BigMul(x, b3, out lo);
        lo += t3; hi += lo < t3 ? 1UL : 0UL; lo += carry; hi += lo < carry ? 1UL : 0UL; t3 = lo; carry = hi;
        t4 += carry;
        t5 += t4 < carry ? 1UL : 0UL;
    }

    /// <summary>One CIOS reduction: t ← (t + m·p) / 2⁶⁴ with m chosen so that the low word vanishes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ReduceStep(ulong pInv, ulong p0, ulong p1, ulong p2, ulong p3, ref ulong t0, ref ulong t1, ref ulong t2, ref ulong t3, ref ulong t4, ref ulong t5)
    {
        ulong hi, lo, carry;
        var m = t0 * pInv;
        hi = Math.BigMul(m, p0, out lo);
        lo += t0; hi += lo < t0 ? 1UL : 0UL; carry = hi;
        hi = Math.BigMul(m, p1, out lo);
        lo += t1; hi += lo < t1 ? 1UL : 0UL; lo += carry; hi += lo < carry ? 1UL : 0UL; t0 = lo; carry = hi;
        hi = Math.BigMul(m, p2, out lo);
        lo += t2; hi += lo < t2 ? 1UL : 0UL; lo += carry; hi += lo < carry ? 1UL : 0UL; t1 = lo; carry = hi;
        hi = Math.BigMul(m, p3, out lo);
        lo += t3; hi += lo < t3 ? 1UL : 0UL; lo += carry; hi += lo < carry ? 1UL : 0UL; t2 = lo; carry = hi;
        t3 = t4 + carry;
        t4 = t5 + (t3 < carry ? 1UL : 0UL);
        t5 = 0;
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
