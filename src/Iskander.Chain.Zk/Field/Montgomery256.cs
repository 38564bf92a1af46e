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
}
