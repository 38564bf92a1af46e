using System.Numerics;
using System.Runtime.CompilerServices;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Groth16;

/// <summary>
/// Σ kᵢ·Pᵢ by Pippenger's bucket method with signed windows: each scalar is cut into digits of
/// c bits in [−2^(c−1), 2^(c−1)], so a window needs only 2^(c−1) buckets (a negative digit adds
/// −P), and a scalar above r/2 is replaced by r − k with −P (small negative values, common in
/// witnesses, become small). Buckets are affine and filled by batches of affine additions sharing
/// one field inversion (about 6 multiplications per addition instead of 11 for a mixed Jacobian
/// one). Windows are independent and run in parallel; zero digits cost nothing, which makes the
/// many small witness values (bits, counters) cheap.
/// </summary>
internal static class MultiScalarMultiplication
{
    private const int ScalarBits = 254;

    // Most additions per shared inversion (~380 multiplications, then under one per addition); a
    // quarter of the buckets at most, so that few points find their bucket already taken.
    private const int MaxBatchSize = 1024;

    private static readonly ulong[] Order = [0x43e1f593f0000001, 0x2833e84879b97091, 0xb85045b68181585d, 0x30644e72e131a029];

    /// <summary>The window width for <paramref name="count"/> points: about log₂(n) − 3, where the bucket additions (n per window) and the bucket sums (2^c per window) balance.</summary>
    public static int WindowBits(int count) => Math.Clamp(BitOperations.Log2((uint)Math.Max(count, 1)) - 3, 2, 15);

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

    // digits[window·n + i]: scalar i's digit in that window, with the carry of a digit above 2^(c−1)
    // taken into the next window; a scalar above r/2 becomes r − k with every digit negated.
    private static short[] SignedDigits(ReadOnlyMemory<ulong> scalars, int n, int c, int windows)
    {
        var digits = new short[windows * n];
        Parallel.For(0, (n + 4095) / 4096, chunk => FillDigits(scalars.Span, digits, n, c, windows, chunk * 4096, Math.Min(n, (chunk + 1) * 4096)));
        return digits;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillDigits(ReadOnlySpan<ulong> limbs, short[] digits, int n, int c, int windows, int from, int to)
    {
        var half = 1 << (c - 1);
        var mask = (1UL << c) - 1;
        Span<ulong> scalar = stackalloc ulong[4];
        for (var i = from; i < to; i++)
        {
            limbs.Slice(i * 4, 4).CopyTo(scalar);
            var negate = IsAboveHalfOrder(scalar);
            if (negate)
            {
                ulong borrow = 0;
                for (var l = 0; l < 4; l++) scalar[l] = Montgomery256Sub(Order[l], scalar[l], ref borrow);
            }

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
                digit -= carry << c;
                digits[(window * n) + i] = (short)(negate ? -digit : digit);
            }
        }
    }

    // k > (r − 1)/2, compared limb by limb from the top.
    private static bool IsAboveHalfOrder(ReadOnlySpan<ulong> k)
    {
        for (var l = 3; l >= 0; l--)
        {
            var halfLimb = (Order[l] >> 1) | (l < 3 ? Order[l + 1] << 63 : 0);
            if (k[l] != halfLimb) return k[l] > halfLimb;
        }

        return false;
    }

    private static ulong Montgomery256Sub(ulong a, ulong b, ref ulong borrow)
    {
        var difference = a - b;
        var borrowOut = a < b ? 1UL : 0UL;
        var result = difference - borrow;
        borrowOut += difference < borrow ? 1UL : 0UL;
        borrow = borrowOut;
        return result;
    }

    // One window: points into affine buckets by digit, in batches of affine additions with one shared
    // inversion; a bucket takes at most one addition per batch, and a point for a bucket that already
    // has one goes to the bucket's Jacobian overflow instead (so a window of mostly equal digits, as
    // the bits of a witness give, costs what plain mixed additions cost rather than a batch each).
    // Then Σ d·bucket_d as a running sum from the top bucket down.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static JacobianPoint<T> WindowSum<T>(ReadOnlySpan<AffinePoint<T>> points, ReadOnlySpan<short> digits, int bucketCount)
        where T : struct, IFieldElement<T>
    {
        var buckets = new AffinePoint<T>[bucketCount];
        buckets.AsSpan().Fill(AffinePoint<T>.Infinity);
        var overflow = new JacobianPoint<T>[bucketCount];
        var batch = new AffineBatch<T>(buckets, Math.Clamp(bucketCount / 4, 16, MaxBatchSize));
        for (var i = 0; i < points.Length; i++)
        {
            var digit = digits[i];
            if (digit == 0 || points[i].IsInfinity) continue;
            var point = digit > 0 ? points[i] : points[i].Negate();
            var bucket = Math.Abs(digit) - 1;
            if (!batch.TryAdd(bucket, point)) overflow[bucket] = overflow[bucket].AddMixed(point);
        }

        batch.Flush();
        var running = JacobianPoint<T>.Infinity;
        var sum = JacobianPoint<T>.Infinity;
        for (var k = bucketCount - 1; k >= 0; k--)
        {
            running = running.AddMixed(buckets[k]).Add(overflow[k]);
            sum = sum.Add(running);
        }

        return sum;
    }

    /// <summary>Pending affine additions bucket += point, at most one per bucket, done together with one inversion.</summary>
    private sealed class AffineBatch<T>(AffinePoint<T>[] buckets, int size)
        where T : struct, IFieldElement<T>
    {
        private readonly int[] _bucket = new int[size];
        private readonly AffinePoint<T>[] _point = new AffinePoint<T>[size];
        private readonly T[] _denominator = new T[size];
        private readonly T[] _prefix = new T[size];
        private readonly int[] _pendingIn = new int[buckets.Length];
        private int _count, _generation = 1;

        /// <summary>Queues bucket += point, or does it at once when the bucket is empty; false when the bucket already has an addition queued.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool TryAdd(int bucket, AffinePoint<T> point)
        {
            if (_pendingIn[bucket] == _generation) return false;
            if (buckets[bucket].IsInfinity)
            {
                buckets[bucket] = point;
                return true;
            }

            _pendingIn[bucket] = _generation;
            _bucket[_count] = bucket;
            _point[_count] = point;
            if (++_count == size) Flush();
            return true;
        }

        /// <summary>Does every queued addition: λ = (y₂ − y₁)/(x₂ − x₁) with the inverses from one inversion (Montgomery's trick).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Flush()
        {
            var running = T.One;
            for (var j = 0; j < _count; j++)
            {
                var difference = _point[j].X - buckets[_bucket[j]].X;
                // Equal x: the same point (a doubling) or its negation; both rare, done apart below.
                _denominator[j] = difference.IsZero ? T.One : difference;
                _prefix[j] = running;
                running *= _denominator[j];
            }

            var inverse = _count > 0 ? running.Inverse() : T.One;
            for (var j = _count - 1; j >= 0; j--)
            {
                var bucket = _bucket[j];
                var p = buckets[bucket];
                var q = _point[j];
                var denominatorInverse = inverse * _prefix[j];
                inverse *= _denominator[j];
                if (p.X.Equals(q.X))
                {
                    buckets[bucket] = p.Y.Equals(q.Y) ? p.ToJacobian().Double().ToAffine() : AffinePoint<T>.Infinity;
                    continue;
                }

                var lambda = (q.Y - p.Y) * denominatorInverse;
                var x = lambda.Square() - p.X - q.X;
                buckets[bucket] = new AffinePoint<T>(x, (lambda * (p.X - x)) - p.Y);
            }

            _count = 0;
            _generation++;
        }
    }
}
