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

    /// <summary>Hash of two elements (Merkle nodes, chain hash).</summary>
    public static Fr Hash(Fr a, Fr b) => Hash([a, b]);

    /// <summary>
    /// The Poseidon permutation in place (width = state length, 2 … 7): per round, add the round
    /// constants, apply x⁵ to every element (full rounds) or the first (partial rounds), mix with the MDS matrix.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Permute(Span<Fr> state)
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
