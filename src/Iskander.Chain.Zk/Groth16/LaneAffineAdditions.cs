using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Groth16;

/// <summary>
/// The multi-scalar multiplication's rounds of pairwise affine additions, computed in SIMD lanes
/// (<see cref="LaneField{T, TField}"/> over <see cref="Fq"/>) instead of one scalar product at a time,
/// for G1 (coordinates in <see cref="Fq"/>) and G2 (in <see cref="Fq2"/>, two lane elements each).
/// </summary>
/// <remarks>
/// Points are kept in <em>lane scale</em>: coordinates multiplied by 2²⁴ once per multiplication
/// (<see cref="ToLaneScale"/>). An <see cref="Fq"/> holding x·2²⁴ has Montgomery limbs x·2²⁸⁰ mod q,
/// which is exactly x in the lane arithmetic's Montgomery form (R = 2²⁸⁰): moving a coordinate into
/// lanes is then a bit split and back a bit join, with no conversion product. Scaling is linear, so
/// negation and the equal-x tests work on scaled points unchanged; only the rare doubling (and the
/// bucket sums' Jacobian additions after the rounds) need the true coordinates.
/// </remarks>
internal abstract class LaneAffineAdditions<TField>
    where TField : struct, IFieldElement<TField>, ILaneCoordinate<TField>
{
    private static readonly Fq Scale = Fq.FromUInt64(1UL << 24);
    private static readonly Fq Unscale = Scale.Inverse();

    /// <summary>Whether this processor has lanes for it (AVX-512 or AVX2).</summary>
    public static bool IsSupported => Lanes8.IsSupported || Lanes4.IsSupported;

    /// <summary>Lane additions for rounds of up to <paramref name="maxPairs"/> pairs, on the widest registers this processor has.</summary>
    public static LaneAffineAdditions<TField> Create(int maxPairs) =>
        Lanes8.IsSupported ? new LaneAffineAdditions<Lanes8, TField>(maxPairs)
        : Lanes4.IsSupported ? new LaneAffineAdditions<Lanes4, TField>(maxPairs)
        : throw new PlatformNotSupportedException("no SIMD lanes for the base field");

    /// <summary>The point with both coordinates multiplied by 2²⁴ (see the remarks).</summary>
    public static AffinePoint<TField> ToLaneScale(in AffinePoint<TField> point) => point.IsInfinity ? point : new(TField.Scale(point.X, Scale), TField.Scale(point.Y, Scale));

    /// <summary>The point a lane-scaled one stands for.</summary>
    public static AffinePoint<TField> FromLaneScale(in AffinePoint<TField> point) => point.IsInfinity ? point : new(TField.Scale(point.X, Unscale), TField.Scale(point.Y, Unscale));

    /// <summary>
    /// One round over lane-scaled points, as <c>PairRound</c> of the scalar path: the i-th pair of
    /// every group (points 2i and 2i + 1 of its run) is replaced by its sum at i, an odd group's last
    /// point follows the sums, and the counts are halved (rounded up); false when no group has two.
    /// </summary>
    public abstract bool PairRound(AffinePoint<TField>[] points, int[] starts, int[] counts);

    // p + q where the lane formula does not apply: a point at infinity or equal x.
    private protected static AffinePoint<TField> AddApart(in AffinePoint<TField> p, in AffinePoint<TField> q)
    {
        if (p.IsInfinity) return q;
        if (q.IsInfinity) return p;
        return p.Y.Equals(q.Y) ? ToLaneScale(FromLaneScale(p).ToJacobian().Double().ToAffine()) : AffinePoint<TField>.Infinity;
    }
}

/// <summary>
/// <see cref="LaneAffineAdditions{TField}"/> on registers of <typeparamref name="T"/>'s lanes. The round's
/// pairs go in steps of <c>L</c> = lane count, lane j taking pairs j, j + L, j + 2L, …: each lane
/// runs its own Montgomery batch-inversion chain over the base-field values N(x₂ − x₁) (see
/// <see cref="ILaneCoordinate{TSelf}.LaneDifferenceNorm"/>), and the L chain products are inverted
/// together on the scalar side (one inversion per chunk of a round). Three passes over a chunk's
/// steps: forward, the chains' products (only the x coordinates read); backward, each step's inverses
/// (no point read); forward again, the sums, written straight to their places (a pair's sum goes
/// below every point still to be read, as in the scalar path).
/// </summary>
[SkipLocalsInit]
internal sealed class LaneAffineAdditions<T, TField> : LaneAffineAdditions<TField>
    where T : unmanaged, ILanes<T>
    where TField : struct, IFieldElement<TField>, ILaneCoordinate<TField>
{
    private const int Limbs = LaneField<T, Fq>.Limbs;
    private const int Words = 4;

    // The working registers of a step: x₁, y₁, x₂, y₂ (element by element, each TField.Parts base-field
    // elements of Limbs registers), then the field's scratch.
    private const int X1 = 0, Y1 = 1, X2 = 2, Y2 = 3;

    // 2⁴⁸, for the lanes' inverses (see InvertLanes).
    private static readonly Fq LaneInverseFactor = Fq.FromUInt64(1UL << 48);

    // The Montgomery words of 1 in lane scale (the Fq value 2²⁴): 1 in lane form.
    private static readonly ulong[] LaneOneWords = MontgomeryWords(Fq.FromUInt64(1UL << 24));

    // Where a point's coordinates' parts are, in 64-bit words: found on a probe point rather than
    // assumed, since the runtime chooses the layout of a struct holding a bool.
    private static readonly int PointWords = Unsafe.SizeOf<AffinePoint<TField>>() % 8 == 0 ? Unsafe.SizeOf<AffinePoint<TField>>() / 8 : throw new PlatformNotSupportedException("points are not whole words");
    private static readonly int[] XWords = WordOffsets(x: true), YWords = WordOffsets(x: false);

    // Pairs per batch inversion: a round is taken in chunks of this many, each with its own chains
    // and inversion, so that a chunk's points and lane buffers (about 300 KB each for G1; G2's points
    // are twice the size, so half the pairs) stay in a core's L2 cache across the three passes.
    // Measured 8–12 % faster than one inversion per round at 2^16 and 2^19 G1 points; the extra
    // inversions cost about 5 % of a chunk. (For G2, 2,048 pairs measured the same as 1,024.)
    private static readonly int ChunkPairs = 2048 / TField.Parts;

    private static readonly int ChunkSteps = ChunkPairs / T.Count;
    // Per pair (padded to whole steps): its points' index and where its sum goes; the word offsets
    // of its two points; all ones when the lanes add it, zero when it is added apart or padding.
    private readonly int[] _left, _out, _first, _second;
    private readonly ulong[] _keep;
    private readonly T[] _prefix, _differences;
    private readonly T[] _registers = new T[((4 * TField.Parts) + TField.LaneScratch) * Limbs];
    private readonly T[] _one = new T[Limbs];

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
        TField.LaneInitialize<T>(_registers);
        for (var limb = 0; limb < Limbs; limb++) _one[limb] = T.Broadcast(LaneForm<Fq>.One[limb]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool PairRound(AffinePoint<TField>[] points, int[] starts, int[] counts)
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
            _one.CopyTo(running);
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

    // The word offset of every part of x (or y), on a probe point whose parts are all different.
    private static int[] WordOffsets(bool x)
    {
        Span<Fq> parts = stackalloc Fq[TField.Parts];
        for (var part = 0; part < TField.Parts; part++) parts[part] = Fq.FromUInt64((ulong)(3 + part));
        var probeX = TField.FromParts(parts);
        for (var part = 0; part < TField.Parts; part++) parts[part] = Fq.FromUInt64((ulong)(3 + TField.Parts + part));
        var probe = new AffinePoint<TField>(probeX, TField.FromParts(parts));
        var words = MemoryMarshal.Cast<AffinePoint<TField>, ulong>(MemoryMarshal.CreateReadOnlySpan(ref probe, 1));
        var offsets = new int[TField.Parts];
        for (var part = 0; part < TField.Parts; part++)
        {
            var target = MontgomeryWords(TField.Part(x ? probe.X : probe.Y, part));
            offsets[part] = -1;
            for (var i = 0; i + Words <= words.Length && offsets[part] < 0; i++)
            {
                if (words.Slice(i, Words).SequenceEqual(target)) offsets[part] = i;
            }

            if (offsets[part] < 0) throw new PlatformNotSupportedException("no coordinate words in a point");
        }

        return offsets;
    }

    private static ulong[] MontgomeryWords(Fq value)
    {
        var words = new ulong[Words];
        value.GetMontgomeryLimbs(words);
        return words;
    }

    // A coordinate's registers (TField.Parts base-field elements).
    private static Span<T> Coordinate(Span<T> registers, int coordinate) => registers.Slice(coordinate * TField.Parts * Limbs, TField.Parts * Limbs);

    // Each method on its own, so that the JIT's inlining budget covers every lane operation in it.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void ChainStep(AffinePoint<TField>[] points, int step, int pairs, Span<T> running, int slot)
    {
        var r = _registers.AsSpan();
        LoadStep(points, step, pairs, xOnly: true);
        var difference = _differences.AsSpan(slot * Limbs, Limbs);
        TField.LaneDifferenceNorm<T>(Coordinate(r, X1), Coordinate(r, X2), difference);
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
    private void SumStep(AffinePoint<TField>[] points, int step, int pairs, int slot)
    {
        LoadStep(points, step, pairs, xOnly: false);
        TField.LaneAdd<T>(_registers, _prefix.AsSpan(slot * Limbs, Limbs));
        StoreStep(points, step, pairs);
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

    // The step's pairs into the x₁…y₂ registers: each part's four words loaded whole per lane and
    // transposed in registers (copies through memory or gathers cost more than the arithmetic), then
    // cut into limbs. A pair the formula cannot take (infinity, equal x) and the lanes past the last
    // pair get x₁ = 0, x₂ = 1 instead, keeping zeros out of the chains.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void LoadStep(AffinePoint<TField>[] points, int step, int pairs, bool xOnly)
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
        fixed (ulong* words = &Unsafe.As<AffinePoint<TField>, ulong>(ref MemoryMarshal.GetArrayDataReference(points)))
        {
            for (var coordinate = X1; coordinate <= Y2; coordinate += xOnly ? X2 - X1 : 1)
            {
                var rows = (coordinate is X1 or Y1 ? _first : _second).AsSpan(from, lanes);
                for (var part = 0; part < TField.Parts; part++)
                {
                    T.LoadColumns(words + (coordinate is X1 or X2 ? XWords : YWords)[part], rows, registers);
                    // The replacement x₂ = 1 is 1 in part 0 and 0 in the others.
                    var one = coordinate == X2 && part == 0;
                    for (var word = 0; word < Words; word++)
                    {
                        var value = registers[word] & keepMask;
                        registers[word] = one ? value | (T.Broadcast(LaneOneWords[word]) & replaceMask) : value;
                    }

                    LaneField<T, Fq>.SplitWords(registers, Coordinate(r, coordinate).Slice(part * Limbs, Limbs));
                }
            }
        }
    }

    // x₃ and y₃ (in the x₂ and y₂ registers) out to the pairs' places; pairs done apart are added here.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StoreStep(AffinePoint<TField>[] points, int step, int pairs)
    {
        var lanes = T.Count;
        var r = _registers.AsSpan();
        var partWords = Words * lanes;
        // By lane: x's parts, then y's; each part word by word, lane by lane.
        Span<ulong> byLane = stackalloc ulong[2 * TField.Parts * partWords];
        Span<T> registers = stackalloc T[Words];
        for (var part = 0; part < 2 * TField.Parts; part++)
        {
            var coordinate = part < TField.Parts ? X2 : Y2;
            LaneField<T, Fq>.JoinWords(Coordinate(r, coordinate).Slice(part % TField.Parts * Limbs, Limbs), registers);
            for (var word = 0; word < Words; word++) registers[word].Store(byLane.Slice((part * partWords) + (word * lanes), lanes));
        }

        Span<ulong> words = stackalloc ulong[Words];
        Span<Fq> parts = stackalloc Fq[2 * TField.Parts];
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
            for (var part = 0; part < 2 * TField.Parts; part++)
            {
                for (var word = 0; word < Words; word++) words[word] = byLane[(part * partWords) + (word * lanes) + lane];
                parts[part] = Fq.FromMontgomeryLimbs(words);
            }

            points[_out[pair]] = new AffinePoint<TField>(TField.FromParts(parts[..TField.Parts]), TField.FromParts(parts[TField.Parts..]));
        }
    }
}
