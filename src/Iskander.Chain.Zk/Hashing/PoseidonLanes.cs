using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Hashing;

/// <summary>
/// The optimised Poseidon permutation of <see cref="Poseidon.Permute"/> run on several states at
/// once, one per SIMD lane (<see cref="LaneField{T, TField}"/>): a whole Merkle level or a batch of leaves
/// hashes in roughly the time of one lane's worth of work per register.
/// </summary>
internal static class PoseidonLanes
{
    /// <summary>Hashes of consecutive groups of <paramref name="arity"/> inputs, <see cref="ILanes{T}.Count"/> at a time.</summary>
    public static void HashMany<T>(ReadOnlySpan<Fr> inputs, int arity, Span<Fr> hashes)
        where T : unmanaged, ILanes<T>
    {
        const int limbs = LaneField<T, Fr>.Limbs;
        var width = arity + 1;
        var constants = PoseidonParameters.ForWidth(width).LaneConstants;
        var count = inputs.Length / arity;
        Span<T> state = stackalloc T[width * limbs];
        for (var first = 0; first < count; first += T.Count)
        {
            var inChunk = Math.Min(T.Count, count - first);
            if (inChunk == 1)
            {
                // One state alone is faster on the scalar path.
                hashes[first] = Poseidon.Hash(inputs.Slice(first * arity, arity));
                continue;
            }

            state[..limbs].Clear();
            LaneField<T, Fr>.Load(inputs.Slice(first * arity, inChunk * arity), arity, arity, state[limbs..]);
            Permute(state, width, constants);
            LaneField<T, Fr>.Store(state[..limbs], hashes.Slice(first, inChunk));
        }
    }

    private static void Permute<T>(Span<T> state, int width, PoseidonLaneConstants constants)
        where T : unmanaged, ILanes<T>
    {
        const int limbs = LaneField<T, Fr>.Limbs;
        var half = PoseidonParameters.FullRounds / 2;
        Span<T> scratch = stackalloc T[limbs];
        Span<T> mixed = stackalloc T[width * limbs];
        for (var round = 0; round < half; round++)
        {
            FullSBoxes(state, width, constants.Full.AsSpan(round * width * limbs), scratch);
            Mix(state, width, round == half - 1 ? constants.PreSparse : constants.Mds, mixed);
        }

        var element0 = state[..limbs];
        var first = mixed[..limbs];
        for (var round = 0; round < constants.PartialRounds; round++)
        {
            LaneField<T, Fr>.AddConstant(element0, constants.Partial.AsSpan(round * limbs, limbs));
            Pow5(element0, scratch);
            var (firstRow, column) = constants.Sparse[round];
            LaneField<T, Fr>.MultiplySum(new ConstantLimbs<T>(firstRow), state, width, default, first);
            for (var i = 1; i < width; i++)
            {
                var element = state.Slice(i * limbs, limbs);
                LaneField<T, Fr>.MultiplySum(new ConstantLimbs<T>(column.AsSpan((i - 1) * limbs, limbs)), element0, 1, element, element);
            }

            first.CopyTo(element0);
        }

        for (var round = half; round < PoseidonParameters.FullRounds; round++)
        {
            FullSBoxes(state, width, constants.Full.AsSpan(round * width * limbs), scratch);
            Mix(state, width, constants.Mds, mixed);
        }
    }

    private static void FullSBoxes<T>(Span<T> state, int width, ReadOnlySpan<ulong> roundConstants, Span<T> scratch)
        where T : unmanaged, ILanes<T>
    {
        const int limbs = LaneField<T, Fr>.Limbs;
        for (var i = 0; i < width; i++)
        {
            var element = state.Slice(i * limbs, limbs);
            LaneField<T, Fr>.AddConstant(element, roundConstants.Slice(i * limbs, limbs));
            Pow5(element, scratch);
        }
    }

    private static void Pow5<T>(Span<T> value, Span<T> scratch)
        where T : unmanaged, ILanes<T>
    {
        LaneField<T, Fr>.Multiply(value, value, scratch);
        LaneField<T, Fr>.Multiply(scratch, scratch, scratch);
        LaneField<T, Fr>.Multiply(scratch, value, value);
    }

    // state ← M·state, each output one dot product with a single reduction.
    private static void Mix<T>(Span<T> state, int width, ulong[] matrix, Span<T> mixed)
        where T : unmanaged, ILanes<T>
    {
        const int limbs = LaneField<T, Fr>.Limbs;
        var rowLength = width * limbs;
        for (var i = 0; i < width; i++)
        {
            LaneField<T, Fr>.MultiplySum(new ConstantLimbs<T>(matrix.AsSpan(i * rowLength, rowLength)), state, width, default, mixed.Slice(i * limbs, limbs));
        }

        mixed.CopyTo(state);
    }
}

/// <summary><see cref="PoseidonParameters"/>' optimised constants in lane Montgomery form, rows flattened term-major.</summary>
internal sealed class PoseidonLaneConstants
{
    public PoseidonLaneConstants(PoseidonParameters parameters)
    {
        var t = parameters.Width;
        PartialRounds = parameters.PartialRounds;
        Full = Flatten(parameters.FastFullConstants);
        Partial = Flatten(parameters.PartialConstants);
        Mds = Flatten(Rows(parameters.Mds, t));
        PreSparse = Flatten(Rows(parameters.PreSparseMatrix, t));
        Sparse = parameters.SparseMatrices.Select(s => (Flatten(s.FirstRow), Flatten(s.Column))).ToArray();
    }

    public int PartialRounds { get; }

    public ulong[] Full { get; }

    public ulong[] Partial { get; }

    public ulong[] Mds { get; }

    public ulong[] PreSparse { get; }

    /// <summary>Per partial round: the first row [m00, row…] and the column.</summary>
    public (ulong[] FirstRow, ulong[] Column)[] Sparse { get; }

    private static IEnumerable<Fr> Rows(Fr[,] matrix, int t)
    {
        for (var i = 0; i < t; i++)
        {
            for (var j = 0; j < t; j++) yield return matrix[i, j];
        }
    }

    private static ulong[] Flatten(IEnumerable<Fr> values) => values.SelectMany(LaneForm<Fr>.Constant).ToArray();
}
