using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Groth16;

/// <summary>
/// The multi-scalar multiplication's rounds of pairwise affine G1 additions, computed in SIMD lanes
/// (<see cref="LaneField{T, TField}"/> over <see cref="Fq"/>) instead of one scalar product at a time.
/// </summary>
/// <remarks>
/// Points are kept in <em>lane scale</em>: coordinates multiplied by 2²⁴ once per multiplication
/// (<see cref="ToLaneScale"/>). An <see cref="Fq"/> holding x·2²⁴ has Montgomery limbs x·2²⁸⁰ mod q,
/// which is exactly x in the lane arithmetic's Montgomery form (R = 2²⁸⁰): moving a coordinate into
/// lanes is then a bit split and back a bit join, with no conversion product. Scaling is linear, so
/// negation and the equal-x tests work on scaled points unchanged; only the rare doubling (and the
/// bucket sums' Jacobian additions after the rounds) need the true coordinates.
/// </remarks>
internal abstract class LaneAffineAdditions
{
    private static readonly Fq Scale = Fq.FromUInt64(1UL << 24);
    private static readonly Fq Unscale = Scale.Inverse();

    /// <summary>Whether this processor has lanes for it (AVX-512 or AVX2).</summary>
    public static bool IsSupported => Lanes8.IsSupported || Lanes4.IsSupported;

    /// <summary>Lane additions for rounds of up to <paramref name="maxPairs"/> pairs, on the widest registers this processor has.</summary>
    public static LaneAffineAdditions Create(int maxPairs) =>
        Lanes8.IsSupported ? new LaneAffineAdditions<Lanes8>(maxPairs)
        : Lanes4.IsSupported ? new LaneAffineAdditions<Lanes4>(maxPairs)
        : throw new PlatformNotSupportedException("no SIMD lanes for the base field");

    /// <summary>The point with both coordinates multiplied by 2²⁴ (see the remarks).</summary>
    public static AffinePoint<Fq> ToLaneScale(in AffinePoint<Fq> point) => point.IsInfinity ? point : new(point.X * Scale, point.Y * Scale);

    /// <summary>The point a lane-scaled one stands for.</summary>
    public static AffinePoint<Fq> FromLaneScale(in AffinePoint<Fq> point) => point.IsInfinity ? point : new(point.X * Unscale, point.Y * Unscale);

    /// <summary>
    /// One round over lane-scaled points, as <c>PairRound</c> of the scalar path: the i-th pair of
    /// every group (points 2i and 2i + 1 of its run) is replaced by its sum at i, an odd group's last
    /// point follows the sums, and the counts are halved (rounded up); false when no group has two.
    /// </summary>
    public abstract bool PairRound(AffinePoint<Fq>[] points, int[] starts, int[] counts);

    // p + q where the lane formula does not apply: a point at infinity or equal x.
    private protected static AffinePoint<Fq> AddApart(in AffinePoint<Fq> p, in AffinePoint<Fq> q)
    {
        if (p.IsInfinity) return q;
        if (q.IsInfinity) return p;
        return p.Y.Equals(q.Y) ? ToLaneScale(FromLaneScale(p).ToJacobian().Double().ToAffine()) : AffinePoint<Fq>.Infinity;
    }
}

/// <summary>
/// <see cref="LaneAffineAdditions"/> on registers of <typeparamref name="T"/>'s lanes. The round's
/// pairs go in steps of <c>L</c> = lane count, lane j taking pairs j, j + L, j + 2L, …: each lane
/// runs its own Montgomery batch-inversion chain, and the L chain products are inverted together on
/// the scalar side (one inversion per chunk of a round). Three passes over a chunk's steps: forward, the
/// chains' products of x₂ − x₁ (only the x coordinates read); backward, each step's inverses (no
/// point read); forward again, the sums, written straight to their places (a pair's sum goes below
/// every point still to be read, as in the scalar path).
/// </summary>
[SkipLocalsInit]
internal sealed class LaneAffineAdditions<T> : LaneAffineAdditions
    where T : unmanaged, ILanes<T>
{
    private const int Limbs = LaneField<T, Fq>.Limbs;
    private const int Words = 4;

    // Working registers of a step, element by element (each Limbs long).
    private const int X1 = 0, Y1 = 1, X2 = 2, Y2 = 3, Dx = 4, Inverse = 5, Lambda = 6, LaneOne = 7, Squared = 8, NegatedSum = 9, Difference = 10, NegatedY = 11, Elements = 12;

    // 2⁴⁸, for the lanes' inverses (see InvertLanes).
    private static readonly Fq LaneInverseFactor = Fq.FromUInt64(1UL << 48);

    // The Montgomery words of 1 in lane scale (the Fq value 2²⁴): 1 in lane form.
    private static readonly ulong[] LaneOneWords = MontgomeryWords(Fq.FromUInt64(1UL << 24));

    // Where a point's coordinates are, in 64-bit words: found on a probe point rather than assumed,
    // since the runtime chooses the layout of a struct holding a bool.
    private static readonly int PointWords = Unsafe.SizeOf<AffinePoint<Fq>>() % 8 == 0 ? Unsafe.SizeOf<AffinePoint<Fq>>() / 8 : throw new PlatformNotSupportedException("points are not whole words");
    private static readonly int XWord = WordOffset(x: true), YWord = WordOffset(x: false);

    // Pairs per batch inversion: a round is taken in chunks of this many, each with its own chains
    // and inversion, so that a chunk's points and lane buffers (about 300 KB each) stay in a core's
    // L2 cache across the three passes. Measured 8–12 % faster than one inversion per round at 2^16
    // and 2^19 points; the extra inversions cost about 5 % of a chunk.
    private const int ChunkPairs = 2048;

    private static readonly int ChunkSteps = ChunkPairs / T.Count;
    // Per pair (padded to whole steps): its points' index and where its sum goes; the word offsets
    // of its two points; all ones when the lanes add it, zero when it is added apart or padding.
    private readonly int[] _left, _out, _first, _second;
    private readonly ulong[] _keep;
    private readonly T[] _prefix, _differences;
    private readonly T[] _registers = new T[Elements * Limbs];

    public LaneAffineAdditions(int maxPairs)
    {
        var padded = (maxPairs + T.Count - 1) / T.Count * T.Count;
        _left = new int[padded];
        _out = new int[padded];
        _first = new int[padded];
        _second = new int[padded];
        _keep = new ulong[padded];
        _prefix = new T[Math.Min(ChunkSteps, (maxPairs + T.Count - 1) / T.Count) * Limbs];
        _differences = new T[_prefix.Length];
        var one = LaneForm<Fq>.One;
        for (var limb = 0; limb < Limbs; limb++) _registers[(LaneOne * Limbs) + limb] = T.Broadcast(one[limb]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool PairRound(AffinePoint<Fq>[] points, int[] starts, int[] counts)
    {
        var pairs = 0;
        for (var g = 0; g < starts.Length; g++)
        {
            var start = starts[g];
            for (var i = 0; i < counts[g] >> 1; i++)
            {
                _left[pairs] = start + (2 * i);
                _first[pairs] = (start + (2 * i)) * PointWords;
                _second[pairs] = (start + (2 * i) + 1) * PointWords;
                _out[pairs++] = start + i;
            }
        }

        if (pairs == 0) return false;
        var steps = (pairs + T.Count - 1) / T.Count;
        // Padding lanes read point 0 and are replaced like pairs added apart.
        _first.AsSpan(pairs, (steps * T.Count) - pairs).Clear();
        _second.AsSpan(pairs, (steps * T.Count) - pairs).Clear();
        _keep.AsSpan(pairs, (steps * T.Count) - pairs).Clear();
        Span<T> running = stackalloc T[Limbs];
        for (var first = 0; first < steps; first += ChunkSteps)
        {
            var end = Math.Min(steps, first + ChunkSteps);
            _registers.AsSpan(LaneOne * Limbs, Limbs).CopyTo(running);
            for (var step = first; step < end; step++) ChainStep(points, step, pairs, running, step - first);
            InvertLanes(running);
            for (var step = end - 1; step >= first; step--) InverseStep(step - first, running);
            for (var step = first; step < end; step++) SumStep(points, step, pairs, step - first);
        }

        // An odd group's last point after its sums: above them, below the next group.
        for (var g = 0; g < starts.Length; g++)
        {
            var count = counts[g];
            var half = count >> 1;
            if ((count & 1) != 0) points[starts[g] + half] = points[starts[g] + count - 1];
            counts[g] = count - half;
        }

        return true;
    }

    private static int WordOffset(bool x)
    {
        var probe = new AffinePoint<Fq>(Fq.FromUInt64(3), Fq.FromUInt64(5));
        var target = MontgomeryWords(x ? probe.X : probe.Y);
        var words = MemoryMarshal.Cast<AffinePoint<Fq>, ulong>(MemoryMarshal.CreateReadOnlySpan(ref probe, 1));
        for (var i = 0; i + Words <= words.Length; i++)
        {
            if (words.Slice(i, Words).SequenceEqual(target)) return i;
        }

        throw new PlatformNotSupportedException("no coordinate words in a point");
    }

    private static ulong[] MontgomeryWords(Fq value)
    {
        var words = new ulong[Words];
        value.GetMontgomeryLimbs(words);
        return words;
    }

    private static Span<T> Element(Span<T> registers, int element) => registers.Slice(element * Limbs, Limbs);

    // Each method on its own, so that the JIT's inlining budget covers every lane operation in it.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void ChainStep(AffinePoint<Fq>[] points, int step, int pairs, Span<T> running, int slot)
    {
        var r = _registers.AsSpan();
        LoadStep(points, step, pairs, xOnly: true);
        var difference = _differences.AsSpan(slot * Limbs, Limbs);
        LaneField<T, Fq>.Subtract(Element(r, X2), Element(r, X1), difference);
        running.CopyTo(_prefix.AsSpan(slot * Limbs, Limbs));
        LaneField<T, Fq>.Multiply(running, difference, running);
    }

    // The running inverse times the product before the step is the step's inverse (kept where that product was).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void InverseStep(int slot, Span<T> running)
    {
        var prefix = _prefix.AsSpan(slot * Limbs, Limbs);
        LaneField<T, Fq>.Multiply(running, prefix, prefix);
        LaneField<T, Fq>.Multiply(running, _differences.AsSpan(slot * Limbs, Limbs), running);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void SumStep(AffinePoint<Fq>[] points, int step, int pairs, int slot)
    {
        var r = _registers.AsSpan();
        LoadStep(points, step, pairs, xOnly: false);
        _prefix.AsSpan(slot * Limbs, Limbs).CopyTo(Element(r, Inverse));
        AddStep(r);
        StoreStep(points, step, pairs);
    }

    // λ = (y₂ − y₁)/(x₂ − x₁), x₃ = λ² − x₁ − x₂, y₃ = λ(x₁ − x₃) − y₁, with x₃ and y₃ each one
    // two-term product sum so that they come out below 2²⁵⁴ (products reduce; differences add 8q).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void AddStep(Span<T> r)
    {
        // dy in the Lambda registers, then λ = dy·inverse.
        LaneField<T, Fq>.Subtract(Element(r, Y2), Element(r, Y1), Element(r, Lambda));
        LaneField<T, Fq>.Multiply(Element(r, Lambda), Element(r, Inverse), Element(r, Lambda));
        Element(r, Lambda).CopyTo(Element(r, Squared));
        LaneField<T, Fq>.Negate(Element(r, X1), Element(r, NegatedSum));
        LaneField<T, Fq>.Subtract(Element(r, NegatedSum), Element(r, X2), Element(r, NegatedSum));
        var lambdaAndOne = new LaneLimbs<T>(r.Slice(Lambda * Limbs, 2 * Limbs));
        // x₃ goes where x₂ was (x₂ is not needed again), y₃ where y₂ was.
        LaneField<T, Fq>.MultiplySum(lambdaAndOne, r.Slice(Squared * Limbs, 2 * Limbs), 2, default, Element(r, X2));
        LaneField<T, Fq>.Subtract(Element(r, X1), Element(r, X2), Element(r, Difference));
        LaneField<T, Fq>.Negate(Element(r, Y1), Element(r, NegatedY));
        LaneField<T, Fq>.MultiplySum(lambdaAndOne, r.Slice(Difference * Limbs, 2 * Limbs), 2, default, Element(r, Y2));
    }

    // The L lanes' chain products inverted together: lane value v is the Fq value v·2²⁴ (see the
    // remarks of LaneAffineAdditions), so its lane inverse is the Fq value 2²⁴/v = 2⁴⁸/(v·2²⁴).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void InvertLanes(Span<T> running)
    {
        var lanes = T.Count;
        Span<Fq> products = stackalloc Fq[lanes];
        Span<Fq> scratch = stackalloc Fq[lanes];
        Span<ulong> byLane = stackalloc ulong[Limbs * lanes];
        Span<ulong> limbs = stackalloc ulong[Limbs];
        Span<ulong> words = stackalloc ulong[4];
        for (var limb = 0; limb < Limbs; limb++) running[limb].Store(byLane.Slice(limb * lanes, lanes));
        for (var lane = 0; lane < lanes; lane++)
        {
            for (var limb = 0; limb < Limbs; limb++) limbs[limb] = byLane[(limb * lanes) + lane];
            LaneForm.Combine(limbs, words);
            products[lane] = Fq.FromMontgomeryLimbs(words);
        }

        BatchInversion.Invert(products, scratch);
        for (var lane = 0; lane < lanes; lane++)
        {
            (products[lane] * LaneInverseFactor).GetMontgomeryLimbs(words);
            LaneForm.Split(words, limbs);
            for (var limb = 0; limb < Limbs; limb++) byLane[(limb * lanes) + lane] = limbs[limb];
        }

        for (var limb = 0; limb < Limbs; limb++) running[limb] = T.Load(byLane.Slice(limb * lanes, lanes));
    }

    // The step's pairs into the X1…Y2 registers: each coordinate's four words loaded whole per lane
    // and transposed in registers (copies through memory or gathers cost more than the arithmetic),
    // then cut into limbs. A pair the formula cannot take (infinity, equal x) and the lanes past the last pair
    // get x₁ = 0, x₂ = 1 instead, keeping zeros out of the chains.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void LoadStep(AffinePoint<Fq>[] points, int step, int pairs, bool xOnly)
    {
        var lanes = T.Count;
        var from = step * lanes;
        if (xOnly)
        {
            // The first pass decides which pairs the lanes take; the points do not move before the last.
            for (var pair = from; pair < Math.Min(pairs, from + lanes); pair++)
            {
                ref readonly var p = ref points[_left[pair]];
                ref readonly var q = ref points[_left[pair] + 1];
                _keep[pair] = p.IsInfinity || q.IsInfinity || p.X.Equals(q.X) ? 0 : ulong.MaxValue;
            }
        }

        var keepMask = T.Load(_keep.AsSpan(from, lanes));
        // keep is all ones or zero, so this is its complement.
        var replaceMask = T.Broadcast(ulong.MaxValue) - keepMask;
        var r = _registers.AsSpan();
        Span<T> registers = stackalloc T[Words];
        fixed (AffinePoint<Fq>* start = points)
        {
            var words = (ulong*)start;
            for (var element = X1; element <= Y2; element += xOnly ? X2 - X1 : 1)
            {
                T.LoadColumns(words + (element is X1 or X2 ? XWord : YWord), (element is X1 or Y1 ? _first : _second).AsSpan(from, lanes), registers);
                for (var word = 0; word < Words; word++)
                {
                    var value = registers[word] & keepMask;
                    registers[word] = element == X2 ? value | (T.Broadcast(LaneOneWords[word]) & replaceMask) : value;
                }

                LaneField<T, Fq>.SplitWords(registers, Element(r, element));
            }
        }
    }

    // x₃ and y₃ (in the X2 and Y2 registers) out to the pairs' places; pairs done apart are added here.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StoreStep(AffinePoint<Fq>[] points, int step, int pairs)
    {
        var lanes = T.Count;
        var r = _registers.AsSpan();
        Span<ulong> byLane = stackalloc ulong[2 * Words * lanes];
        Span<T> registers = stackalloc T[Words];
        LaneField<T, Fq>.JoinWords(Element(r, X2), registers);
        for (var word = 0; word < Words; word++) registers[word].Store(byLane.Slice(word * lanes, lanes));
        LaneField<T, Fq>.JoinWords(Element(r, Y2), registers);
        for (var word = 0; word < Words; word++) registers[word].Store(byLane.Slice((Words + word) * lanes, lanes));

        Span<ulong> words = stackalloc ulong[Words];
        for (var lane = 0; lane < lanes; lane++)
        {
            var pair = (step * lanes) + lane;
            if (pair >= pairs) break;
            if (_keep[pair] == 0)
            {
                // Its own points are still in place: earlier sums went below them.
                points[_out[pair]] = AddApart(points[_left[pair]], points[_left[pair] + 1]);
                continue;
            }

            // Results are below q + 2²³⁷: one conditional subtraction makes them canonical, as the
            // equal-x tests of later rounds need.
            for (var word = 0; word < Words; word++) words[word] = byLane[(word * lanes) + lane];
            var x = Fq.FromMontgomeryLimbs(words);
            for (var word = 0; word < Words; word++) words[word] = byLane[((Words + word) * lanes) + lane];
            points[_out[pair]] = new AffinePoint<Fq>(x, Fq.FromMontgomeryLimbs(words));
        }
    }
}
