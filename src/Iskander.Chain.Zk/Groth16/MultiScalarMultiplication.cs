using System.Numerics;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Groth16;

/// <summary>
/// Σ kᵢ·Pᵢ by Pippenger's bucket method with signed windows: each scalar is cut into digits of
/// c bits in [−2^(c−1), 2^(c−1)], so a window needs only 2^(c−1) buckets (a negative digit adds
/// −P). Windows are independent and run in parallel; zero digits cost nothing, which makes the
/// many small witness values (bits, counters) cheap.
/// </summary>
internal static class MultiScalarMultiplication
{
    private const int ScalarBits = 254;

    /// <summary>The window width for <paramref name="count"/> points: about log₂(n) − 3, where the bucket additions (n per window) and the bucket sums (2^c per window) balance.</summary>
    public static int WindowBits(int count) => Math.Clamp(BitOperations.Log2((uint)Math.Max(count, 1)) - 3, 2, 16);

    /// <summary>Σ scalars[i]·points[i]; scalars are four canonical little-endian limbs each (below r).</summary>
    public static JacobianPoint<T> Compute<T>(ReadOnlyMemory<AffinePoint<T>> points, ReadOnlyMemory<ulong> scalars, int windowBits = 0)
        where T : struct, IFieldElement<T>
    {
        var n = points.Length;
        if (scalars.Length != n * 4) throw new ArgumentException($"{scalars.Length / 4} scalars for {n} points", nameof(scalars));
        if (n == 0) return JacobianPoint<T>.Infinity;
        var c = windowBits > 0 ? windowBits : WindowBits(n);
        // The last window must hold the top carry: its highest bit (≥ bit 254) is zero in every scalar.
        var windows = (ScalarBits + c) / c;
        var digits = SignedDigits(scalars, n, c, windows);
        var sums = new JacobianPoint<T>[windows];
        Parallel.For(0, windows, window => sums[window] = WindowSum(points.Span, digits.AsSpan(window * n, n), 1 << (c - 1)));
        var result = sums[windows - 1];
        for (var window = windows - 2; window >= 0; window--)
        {
            for (var i = 0; i < c; i++) result = result.Double();
            result = result.Add(sums[window]);
        }

        return result;
    }

    // digits[window·n + i]: scalar i's digit in that window, with the carry of a digit above 2^(c−1) taken into the next window.
    private static short[] SignedDigits(ReadOnlyMemory<ulong> scalars, int n, int c, int windows)
    {
        var digits = new short[windows * n];
        var half = 1 << (c - 1);
        var mask = (1UL << c) - 1;
        Parallel.For(0, (n + 4095) / 4096, chunk =>
        {
            var limbs = scalars.Span;
            for (var i = chunk * 4096; i < Math.Min(n, (chunk + 1) * 4096); i++)
            {
                var scalar = limbs.Slice(i * 4, 4);
                var carry = 0;
                for (var window = 0; window < windows; window++)
                {
                    var bit = window * c;
                    var limb = bit >> 6;
                    var shift = bit & 63;
                    var value = limb < 4 ? scalar[limb] >> shift : 0;
                    if (shift + c > 64 && limb + 1 < 4) value |= scalar[limb + 1] << (64 - shift);
                    var digit = (int)(value & mask) + carry;
                    carry = digit > half ? 1 : 0;
                    digits[(window * n) + i] = (short)(digit - (carry << c));
                }
            }
        });
        return digits;
    }

    // One window: points into buckets by digit, then Σ d·bucket_d as a running sum from the top bucket down.
    private static JacobianPoint<T> WindowSum<T>(ReadOnlySpan<AffinePoint<T>> points, ReadOnlySpan<short> digits, int bucketCount)
        where T : struct, IFieldElement<T>
    {
        var buckets = new JacobianPoint<T>[bucketCount];
        for (var i = 0; i < points.Length; i++)
        {
            var digit = digits[i];
            if (digit > 0) buckets[digit - 1] = buckets[digit - 1].AddMixed(points[i]);
            else if (digit < 0) buckets[-digit - 1] = buckets[-digit - 1].AddMixed(points[i].Negate());
        }

        var running = JacobianPoint<T>.Infinity;
        var sum = JacobianPoint<T>.Infinity;
        for (var k = bucketCount - 1; k >= 0; k--)
        {
            running = running.Add(buckets[k]);
            sum = sum.Add(running);
        }

        return sum;
    }
}
