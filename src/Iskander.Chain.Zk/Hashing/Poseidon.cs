using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Hashing;

/// <summary>
/// The Poseidon hash as circomlib's <c>Poseidon(n)</c> and MACI's <c>hashN</c>: the permutation of
/// the state <c>[0, x₁ … xₙ]</c>, output element 0. 1 to 6 inputs.
/// </summary>
public static class Poseidon
{
    /// <summary>Hash of 1 to 6 field elements.</summary>
    public static Fr Hash(ReadOnlySpan<Fr> inputs)
    {
        if (inputs.Length is < 1 or > PoseidonParameters.MaxWidth - 1) throw new ArgumentOutOfRangeException(nameof(inputs), "Poseidon takes 1 to 6 inputs");
        Span<Fr> state = stackalloc Fr[inputs.Length + 1];
        inputs.CopyTo(state[1..]);
        Permute(state);
        return state[0];
    }

    /// <summary>
    /// The hashes of consecutive groups of <paramref name="arity"/> inputs — the same values as
    /// <see cref="Hash(ReadOnlySpan{Fr})"/> on each group — computed several at a time in SIMD lanes
    /// where the processor has AVX-512 or AVX2 (a Merkle level, a batch of leaves).
    /// </summary>
    /// <exception cref="ArgumentException">Inputs not a whole number of groups, or too few outputs.</exception>
    public static void HashMany(ReadOnlySpan<Fr> inputs, int arity, Span<Fr> hashes)
    {
        if (arity is < 1 or > PoseidonParameters.MaxWidth - 1) throw new ArgumentOutOfRangeException(nameof(arity), "Poseidon takes 1 to 6 inputs");
        if (inputs.Length % arity != 0) throw new ArgumentException($"{inputs.Length} inputs are not groups of {arity}", nameof(inputs));
        if (hashes.Length < inputs.Length / arity) throw new ArgumentException($"room for {hashes.Length} hashes, {inputs.Length / arity} needed", nameof(hashes));
        if (Lanes8.IsSupported) PoseidonLanes.HashMany<Lanes8>(inputs, arity, hashes);
        else if (Lanes4.IsSupported) PoseidonLanes.HashMany<Lanes4>(inputs, arity, hashes);
        else
        {
            for (var i = 0; i < inputs.Length / arity; i++) hashes[i] = Hash(inputs.Slice(i * arity, arity));
        }
    }

    /// <summary>Hash of two elements (Merkle nodes, chain hash).</summary>
    public static Fr Hash(Fr a, Fr b) => Hash([a, b]);

    /// <summary>
    /// The Poseidon permutation in place (width = state length, 2 … 7), in the optimised form of the
    /// Poseidon paper's appendix B (see <see cref="PoseidonParameters"/>): the same function as the
    /// textbook rounds, with the partial rounds' linear layers as sparse matrices. Intermediate
    /// values stay below 2p rather than canonical (one subtraction fewer per operation), each dot
    /// product is reduced once, and the state is made canonical at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Permute(Span<Fr> state)
    {
        var parameters = PoseidonParameters.ForWidth(state.Length);
        var half = PoseidonParameters.FullRounds / 2;
        Span<Fr> mixed = stackalloc Fr[state.Length];
        FullRounds(state, parameters, 0, half, mixed);
        PartialRounds(state, parameters);
        FullRounds(state, parameters, half, PoseidonParameters.FullRounds, mixed);
        for (var i = 0; i < state.Length; i++) state[i] = state[i].Canonical();
    }

    // The rounds are separate methods, not inlined into Permute: the JIT stops inlining in a method
    // once its inlinees' locals reach a limit, and one method holding every round left many field
    // products as calls whose results go through memory.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void FullRounds(Span<Fr> state, PoseidonParameters parameters, int from, int to, Span<Fr> mixed)
    {
        var width = state.Length;
        var full = parameters.FastFullConstants;
        var half = PoseidonParameters.FullRounds / 2;
        for (var round = from; round < to; round++)
        {
            for (var i = 0; i < width; i++) state[i] = Pow5(Fr.AddBelow2P(state[i], full[(round * width) + i]));
            Mix(state, round == half - 1 ? parameters.PreSparseMatrix : parameters.Mds, mixed);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void PartialRounds(Span<Fr> state, PoseidonParameters parameters)
    {
        var width = state.Length;
        var partial = parameters.PartialConstants;
        var sparse = parameters.SparseMatrices;
        for (var round = 0; round < partial.Length; round++)
        {
            var s0 = Pow5(Fr.AddBelow2P(state[0], partial[round]));
            var (firstRow, column) = sparse[round];
            state[0] = s0;
            var first = Fr.SumOfProductsBelow2P(firstRow, state);
            for (var i = 1; i < width; i++) state[i] = Fr.AddBelow2P(state[i], column[i - 1].MultiplyBelow2P(s0));
            state[0] = first;
        }
    }

    // Not inlined: its three products would take most of the room for inlinees' locals of the
    // rounds that call it (see FullRounds).
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static Fr Pow5(Fr x)
    {
        var square = x.MultiplyBelow2P(x);
        return square.MultiplyBelow2P(square).MultiplyBelow2P(x);
    }

    private static void Mix(Span<Fr> state, Fr[,] matrix, Span<Fr> scratch)
    {
        var width = state.Length;
        for (var i = 0; i < width; i++) scratch[i] = Fr.SumOfProductsBelow2P(MemoryMarshal.CreateReadOnlySpan(ref matrix[i, 0], width), state);
        scratch.CopyTo(state);
    }

    /// <summary>The textbook permutation (every round dense), kept as the reference the optimised one is tested against.</summary>
    internal static void PermuteReference(Span<Fr> state)
    {
        var parameters = PoseidonParameters.ForWidth(state.Length);
        var width = state.Length;
        var constants = parameters.RoundConstants;
        var mds = parameters.Mds;
        var rounds = PoseidonParameters.FullRounds + parameters.PartialRounds;
        var firstPartial = PoseidonParameters.FullRounds / 2;
        var lastPartial = firstPartial + parameters.PartialRounds;
        Span<Fr> mixed = stackalloc Fr[width];
        for (var round = 0; round < rounds; round++)
        {
            var offset = round * width;
            for (var i = 0; i < width; i++) state[i] += constants[offset + i];
            if (round < firstPartial || round >= lastPartial)
            {
                for (var i = 0; i < width; i++) state[i] = state[i].Pow5();
            }
            else
            {
                state[0] = state[0].Pow5();
            }

            for (var i = 0; i < width; i++)
            {
                var sum = Fr.Zero;
                for (var j = 0; j < width; j++) sum += mds[i, j] * state[j];
                mixed[i] = sum;
            }

            mixed.CopyTo(state);
        }
    }
}
