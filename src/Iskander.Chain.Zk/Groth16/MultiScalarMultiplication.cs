using System.Numerics;
using System.Runtime.CompilerServices;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Groth16;

/// <summary>
/// Σ kᵢ·Pᵢ by Pippenger's bucket method with signed windows: each scalar is cut into digits of
/// c bits in [−2^(c−1), 2^(c−1)], so a window needs only 2^(c−1) buckets (a negative digit adds
/// −P), and a scalar above r/2 is replaced by r − k with −P (small negative values, common in
/// witnesses, become small). Terms with a zero scalar or a point at infinity are dropped first,
/// and the window width is chosen for the terms that remain. In each window the points are sorted
/// by bucket, then every bucket is summed by rounds of pairwise affine additions, all the window's
/// pairs of a round sharing one field inversion (Montgomery's trick: about 6 multiplications per
/// addition instead of 11 for a mixed Jacobian one, and no bucket ever waits for another). Windows
/// are independent and run in parallel; zero digits cost nothing. The rounds run in SIMD lanes
/// where the processor has them (<see cref="LaneAffineAdditions{TField}"/>): for G1 1.4–1.6× faster at 2^16–2^19 points.
/// </summary>
internal static class MultiScalarMultiplication
{
    private const int ScalarBits = 254;

    private static readonly ulong[] Order = [0x43e1f593f0000001, 0x2833e84879b97091, 0xb85045b68181585d, 0x30644e72e131a029];

    /// <summary>The window width for <paramref name="count"/> points: about log₂(n) − 2, where the bucket additions (n per window) and the bucket sums (2^c affine additions per window) balance.</summary>
    public static int WindowBits(int count) => Math.Clamp(BitOperations.Log2((uint)Math.Max(count, 1)) - 2, 2, 15);

    /// <summary>
    /// Σ scalars[i]·points[i]; scalars are four canonical little-endian limbs each (below r). The
    /// pairwise additions run in SIMD lanes where the processor has them, unless <paramref name="lanes"/> is false.
    /// </summary>
    public static JacobianPoint<T> Compute<T>(ReadOnlyMemory<AffinePoint<T>> points, ReadOnlyMemory<ulong> scalars, int windowBits = 0, bool lanes = true)
        where T : struct, IFieldElement<T>, ILaneCoordinate<T>
    {
        var n = points.Length;
        if (scalars.Length != n * 4) throw new ArgumentException($"{scalars.Length / 4} scalars for {n} points", nameof(scalars));
        var used = UsedTerms(points.Span, scalars.Span);
        var m = used.Length;
        if (m == 0) return JacobianPoint<T>.Infinity;
        var c = windowBits > 0 ? windowBits : WindowBits(m);
        // The last window must hold the top carry: its highest bit (≥ bit 254) is zero in every scalar.
        var windows = (ScalarBits + c) / c;
        var digits = SignedDigits(scalars, used, c, windows);
        var sums = new JacobianPoint<T>[windows];
        var inLanes = lanes && LaneAffineAdditions<T>.IsSupported;
        if (inLanes)
        {
            // The used points once in lane scale (a product per coordinate part), so that no round converts them.
            points = ToLaneScale(points, used);
            used = Enumerable.Range(0, m).ToArray();
        }

        // One worker per core, each with its own buckets, taking windows until none is left.
        var next = -1;
        Parallel.For(0, Math.Min(windows, Environment.ProcessorCount), _ =>
        {
            var buckets = new WindowBuckets<T>(m, 1 << (c - 1), inLanes);
            for (int window; (window = Interlocked.Increment(ref next)) < windows;) sums[window] = buckets.Sum(points.Span, used, digits.AsSpan(window * m, m));
        });
        var result = sums[windows - 1];
        for (var window = windows - 2; window >= 0; window--)
        {
            for (var i = 0; i < c; i++) result = result.Double();
            result = result.Add(sums[window]);
        }

        return result;
    }

    private static AffinePoint<T>[] ToLaneScale<T>(ReadOnlyMemory<AffinePoint<T>> points, int[] used)
        where T : struct, IFieldElement<T>, ILaneCoordinate<T>
    {
        var scaled = new AffinePoint<T>[used.Length];
        Parallel.For(0, (used.Length + 4095) / 4096, chunk =>
        {
            var span = points.Span;
            for (var j = chunk * 4096; j < Math.Min(used.Length, (chunk + 1) * 4096); j++) scaled[j] = LaneAffineAdditions<T>.ToLaneScale(span[used[j]]);
        });
        return scaled;
    }

    // The indices of the terms that contribute: a non-zero scalar and a finite point.
    private static int[] UsedTerms<T>(ReadOnlySpan<AffinePoint<T>> points, ReadOnlySpan<ulong> scalars)
        where T : struct, IFieldElement<T>
    {
        var used = new int[points.Length];
        var m = 0;
        for (var i = 0; i < points.Length; i++)
        {
            if (!points[i].IsInfinity && scalars.Slice(i * 4, 4).IndexOfAnyExcept(0UL) >= 0) used[m++] = i;
        }

        return used[..m];
    }

    // digits[window·m + j]: the digit of term used[j] in that window, with the carry of a digit above
    // 2^(c−1) taken into the next window; a scalar above r/2 becomes r − k with every digit negated.
    private static short[] SignedDigits(ReadOnlyMemory<ulong> scalars, int[] used, int c, int windows)
    {
        var m = used.Length;
        var digits = new short[windows * m];
        Parallel.For(0, (m + 4095) / 4096, chunk => FillDigits(scalars.Span, used, digits, c, windows, chunk * 4096, Math.Min(m, (chunk + 1) * 4096)));
        return digits;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillDigits(ReadOnlySpan<ulong> limbs, int[] used, short[] digits, int c, int windows, int from, int to)
    {
        var m = used.Length;
        var half = 1 << (c - 1);
        var mask = (1UL << c) - 1;
        Span<ulong> scalar = stackalloc ulong[4];
        for (var j = from; j < to; j++)
        {
            limbs.Slice(used[j] * 4, 4).CopyTo(scalar);
            var negate = IsAboveHalfOrder(scalar);
            if (negate)
            {
                ulong borrow = 0;
                for (var l = 0; l < 4; l++) scalar[l] = SubtractWithBorrow(Order[l], scalar[l], ref borrow);
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
                digits[(window * m) + j] = (short)(negate ? -digit : digit);
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

    private static ulong SubtractWithBorrow(ulong a, ulong b, ref ulong borrow)
    {
        var difference = a - b;
        var borrowOut = a < b ? 1UL : 0UL;
        var result = difference - borrow;
        borrowOut += difference < borrow ? 1UL : 0UL;
        borrow = borrowOut;
        return result;
    }

    /// <summary>
    /// One window's buckets, reused by a worker for its windows. Points are kept in groups (runs of
    /// an array, each with a start and a count) that rounds of pairwise affine additions halve until
    /// every group holds at most one point: first the buckets, then the groups of the bucket sum.
    /// </summary>
    private sealed class WindowBuckets<T>
        where T : struct, IFieldElement<T>, ILaneCoordinate<T>
    {
        private readonly int _bucketCount, _low, _high, _lowBits;
        private readonly int[] _start, _count, _groupStart, _groupCount;
        private readonly AffinePoint<T>[] _points, _bucketPoints;
        private readonly T[] _inverses, _scratch;
        private readonly LaneAffineAdditions<T>? _lanes;

        // inLanes: the points are in lane scale, and the rounds run in lanes.
        public WindowBuckets(int terms, int bucketCount, bool inLanes)
        {
            _bucketCount = bucketCount;
            // Bucket b is (b_high·L + b_low) with L = _low a power of two near √K.
            _lowBits = (BitOperations.Log2((uint)bucketCount) + 1) / 2;
            _low = 1 << _lowBits;
            _high = bucketCount >> _lowBits;
            _start = new int[bucketCount];
            _count = new int[bucketCount];
            _groupStart = new int[_low + _high];
            _groupCount = new int[_low + _high];
            _points = new AffinePoint<T>[terms];
            _bucketPoints = new AffinePoint<T>[2 * bucketCount];
            var pairs = (Math.Max(terms, 2 * bucketCount) / 2) + 1;
            if (inLanes)
            {
                _lanes = LaneAffineAdditions<T>.Create(pairs);
                _inverses = _scratch = [];
            }
            else
            {
                _inverses = new T[pairs];
                _scratch = new T[pairs];
            }
        }

        /// <summary>Σ digits[j]·points[used[j]].</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public JacobianPoint<T> Sum(ReadOnlySpan<AffinePoint<T>> points, int[] used, ReadOnlySpan<short> digits)
        {
            Array.Clear(_count);
            foreach (var digit in digits)
            {
                if (digit != 0) _count[Math.Abs(digit) - 1]++;
            }

            var offset = 0;
            for (var b = 0; b < _bucketCount; b++)
            {
                _start[b] = offset;
                offset += _count[b];
                _count[b] = 0;
            }

            for (var j = 0; j < digits.Length; j++)
            {
                var digit = digits[j];
                if (digit == 0) continue;
                var b = Math.Abs(digit) - 1;
                var point = points[used[j]];
                _points[_start[b] + _count[b]++] = digit > 0 ? point : point.Negate();
            }

            while (Round(_points, _start, _count))
            {
            }

            return BucketSum();
        }

        // Σ (b+1)·B_b over the buckets. With b = h·L + l it is Σ_l (l+1)·C_l + L·Σ_h h·D_h, where
        // C_l = Σ_h B_(h·L+l) and D_h = Σ_l B_(h·L+l): 2K affine additions in batches for the C's and
        // D's, then running sums over only L + K/L points (instead of 2K Jacobian additions).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private JacobianPoint<T> BucketSum()
        {
            var filled = 0;
            for (var l = 0; l < _low; l++)
            {
                _groupStart[l] = filled;
                for (var h = 0; h < _high; h++)
                {
                    var b = (h << _lowBits) + l;
                    if (_count[b] != 0) _bucketPoints[filled++] = _points[_start[b]];
                }
            }

            for (var h = 0; h < _high; h++)
            {
                _groupStart[_low + h] = filled;
                for (var l = 0; l < _low; l++)
                {
                    var b = (h << _lowBits) + l;
                    if (_count[b] != 0) _bucketPoints[filled++] = _points[_start[b]];
                }
            }

            for (var g = 0; g < _low + _high; g++) _groupCount[g] = (g + 1 < _low + _high ? _groupStart[g + 1] : filled) - _groupStart[g];
            while (Round(_bucketPoints, _groupStart, _groupCount))
            {
            }

            if (_lanes is not null)
            {
                // The running sums below add Jacobian points: the group sums' true coordinates.
                for (var g = 0; g < _low + _high; g++)
                {
                    if (_groupCount[g] != 0) _bucketPoints[_groupStart[g]] = LaneAffineAdditions<T>.FromLaneScale(_bucketPoints[_groupStart[g]]);
                }
            }

            var low = WeightedSum(0, _low);
            var high = WeightedSum(_low + 1, _high - 1);
            for (var i = 0; i < _lowBits; i++) high = high.Double();
            return low.Add(high);
        }

        // Σ (i + 1)·group_(first + i) for i below count: a running sum from the top.
        private JacobianPoint<T> WeightedSum(int first, int count)
        {
            var running = JacobianPoint<T>.Infinity;
            var sum = JacobianPoint<T>.Infinity;
            for (var g = first + count - 1; g >= first; g--)
            {
                if (_groupCount[g] != 0) running = running.AddMixed(_bucketPoints[_groupStart[g]]);
                sum = sum.Add(running);
            }

            return sum;
        }

        private bool Round(AffinePoint<T>[] points, int[] starts, int[] counts) =>
            _lanes is not null ? _lanes.PairRound(points, starts, counts) : PairRound(points, starts, counts);

        // Adds the points of every group in pairs, λ = (y₂ − y₁)/(x₂ − x₁) with the inverses of all the
        // round's x₂ − x₁ from one inversion, and keeps the sums (and an odd group's last point); false
        // when no group has two. The i-th pair of a group (points 2i and 2i + 1 of its run) is replaced
        // by its sum at i: going forward, every write is below the points still to be read.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool PairRound(AffinePoint<T>[] points, int[] starts, int[] counts)
        {
            var pairs = 0;
            for (var g = 0; g < starts.Length; g++)
            {
                var end = starts[g] + (counts[g] & ~1);
                for (var left = starts[g]; left < end; left += 2)
                {
                    ref readonly var p = ref points[left];
                    ref readonly var q = ref points[left + 1];
                    // Infinity (a cancelled pair) or equal x (a doubling or a cancellation): rare, done
                    // apart in Add; a 1 keeps the batch free of zeros.
                    _inverses[pairs++] = p.IsInfinity || q.IsInfinity || p.X.Equals(q.X) ? T.One : q.X - p.X;
                }
            }

            if (pairs == 0) return false;
            T.InvertAll(_inverses.AsSpan(0, pairs), _scratch);
            var k = 0;
            for (var g = 0; g < starts.Length; g++)
            {
                var start = starts[g];
                var count = counts[g];
                var half = count >> 1;
                for (var i = 0; i < half; i++) points[start + i] = Add(points[start + (2 * i)], points[start + (2 * i) + 1], _inverses[k++]);
                // The odd point after the sums (below its own place, above every sum written).
                if ((count & 1) != 0) points[start + half] = points[start + count - 1];
                counts[g] = count - half;
            }

            return true;
        }

        // p + q given 1/(x_q − x_p) when both are finite with different x.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static AffinePoint<T> Add(in AffinePoint<T> p, in AffinePoint<T> q, T differenceInverse)
        {
            if (p.IsInfinity) return q;
            if (q.IsInfinity) return p;
            if (p.X.Equals(q.X)) return p.Y.Equals(q.Y) ? p.ToJacobian().Double().ToAffine() : AffinePoint<T>.Infinity;
            var lambda = (q.Y - p.Y) * differenceInverse;
            var x = lambda.Square() - p.X - q.X;
            return new AffinePoint<T>(x, (lambda * (p.X - x)) - p.Y);
        }
    }
}
