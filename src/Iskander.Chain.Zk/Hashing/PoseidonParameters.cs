using System.Collections.Concurrent;
using System.Numerics;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Hashing;

/// <summary>
/// circomlib's Poseidon parameters for a state width t: x⁵ S-box, 8 full rounds, the partial-round
/// counts circomlib uses, and round constants plus the Cauchy MDS matrix derived exactly as the
/// Poseidon authors' reference script does (a Grain LFSR seeded with the field and the round
/// numbers). Nothing is copied from another implementation: the constants are regenerated, and the
/// tests compare them with the published tables and the hashes of circomlibjs.
/// </summary>
public sealed class PoseidonParameters
{
    /// <summary>Full rounds (half before, half after the partial rounds).</summary>
    public const int FullRounds = 8;

    /// <summary>Widest state supported (6 inputs, as MACI needs at most).</summary>
    public const int MaxWidth = 7;

    // circomlib's N_ROUNDS_P for t = 2, 3, ….
    private static readonly int[] PartialRoundsByWidth = [56, 57, 56, 60, 60, 63];
    private static readonly ConcurrentDictionary<int, PoseidonParameters> Cache = new();
    private readonly Lazy<PoseidonLaneConstants> _laneConstants;

    private PoseidonParameters(int width, int partialRounds, Fr[] roundConstants, Fr[,] mds)
    {
        Width = width;
        PartialRounds = partialRounds;
        RoundConstants = roundConstants;
        Mds = mds;
        (FastFullConstants, PartialConstants, PreSparseMatrix, SparseMatrices) = Optimise(width, partialRounds, roundConstants, mds);
        _laneConstants = new Lazy<PoseidonLaneConstants>(() => new PoseidonLaneConstants(this));
    }

    /// <summary>The optimised constants in the lane-sliced arithmetic's form (built on first use).</summary>
    internal PoseidonLaneConstants LaneConstants => _laneConstants.Value;

    /// <summary>Constants of the 8 full rounds in the optimised form (the first one after the partial rounds absorbs theirs).</summary>
    internal Fr[] FastFullConstants { get; }

    /// <summary>One scalar per partial round, added to element 0 only.</summary>
    internal Fr[] PartialConstants { get; }

    /// <summary>The linear layer of the last full round before the partial rounds (M with the first sparse factor's remainder folded in).</summary>
    internal Fr[,] PreSparseMatrix { get; }

    /// <summary>Per partial round, the sparse matrix [[m00, row], [column, I]] as its first row [m00, row…] (t) and its column (t − 1).</summary>
    internal (Fr[] FirstRow, Fr[] Column)[] SparseMatrices { get; }

    /// <summary>State width t (inputs + 1).</summary>
    public int Width { get; }

    /// <summary>Partial rounds.</summary>
    public int PartialRounds { get; }

    /// <summary>(8 + partial rounds) · t constants, round by round.</summary>
    internal Fr[] RoundConstants { get; }

    /// <summary>The t × t MDS matrix.</summary>
    internal Fr[,] Mds { get; }

    /// <summary>The parameters for state width <paramref name="width"/> (2 … 7), derived once.</summary>
    public static PoseidonParameters ForWidth(int width)
    {
        if (width is < 2 or > MaxWidth) throw new ArgumentOutOfRangeException(nameof(width), $"Poseidon widths 2 to {MaxWidth} are supported");
        return Cache.GetOrAdd(width, Derive);
    }

    /// <summary>Round constants as integers (for the tests against published tables).</summary>
    public IReadOnlyList<BigInteger> RoundConstantValues() => RoundConstants.Select(c => c.ToBigInteger()).ToList();

    /// <summary>MDS entry as an integer.</summary>
    public BigInteger MdsValue(int row, int column) => Mds[row, column].ToBigInteger();

    private static PoseidonParameters Derive(int width)
    {
        var partialRounds = PartialRoundsByWidth[width - 2];
        var grain = new GrainLfsr(width, FullRounds, partialRounds);
        var constants = new Fr[(FullRounds + partialRounds) * width];
        for (var i = 0; i < constants.Length; i++)
        {
            BigInteger candidate;
            do
            {
                candidate = grain.NextInteger(254);
            }
            while (candidate >= Fr.Modulus);
            constants[i] = Fr.FromBigInteger(candidate);
        }

        // Cauchy matrix M[i][j] = 1 / (x_i + y_j) from 2t further outputs (reduced, not rejected).
        var xs = new Fr[width];
        var ys = new Fr[width];
        for (var i = 0; i < width; i++) xs[i] = Fr.Reduce(grain.NextInteger(254));
        for (var i = 0; i < width; i++) ys[i] = Fr.Reduce(grain.NextInteger(254));
        var mds = new Fr[width, width];
        for (var i = 0; i < width; i++)
        {
            for (var j = 0; j < width; j++) mds[i, j] = (xs[i] + ys[j]).Inverse();
        }

        return new PoseidonParameters(width, partialRounds, constants, mds);
    }

    // The optimised permutation of the Poseidon paper (appendix B), derived here from C and M:
    // (1) a partial round's constants on elements 1…t−1 pass unchanged through its S-box, so they are
    //     pushed through M into the next round, leaving one scalar per partial round;
    // (2) a dense matrix X factors as A·B with B = diag(1, X̂) and A = [[x00, x_row·X̂⁻¹], [x_col, I]]
    //     (2t − 1 multiplications); B commutes with the partial S-box and the scalar constant, so it
    //     moves into the previous round, whose matrix B·M is factored in turn, from the last partial
    //     round back to the first; the last B joins the preceding full round's M.
    private static (Fr[] Full, Fr[] Partial, Fr[,] PreSparse, (Fr[], Fr[])[] Sparse) Optimise(int t, int partialRounds, Fr[] constants, Fr[,] m)
    {
        var half = FullRounds / 2;
        var full = new Fr[FullRounds * t];
        for (var r = 0; r < half; r++) Array.Copy(constants, r * t, full, r * t, t);
        var partial = new Fr[partialRounds];
        var carried = new Fr[t];
        for (var r = 0; r < partialRounds; r++)
        {
            var v = new Fr[t];
            for (var i = 0; i < t; i++) v[i] = constants[((half + r) * t) + i] + carried[i];
            partial[r] = v[0];
            v[0] = Fr.Zero;
            carried = Multiply(m, v);
        }

        for (var r = half; r < FullRounds; r++)
        {
            for (var i = 0; i < t; i++) full[(r * t) + i] = constants[((r + partialRounds) * t) + i] + (r == half ? carried[i] : Fr.Zero);
        }

        var sparse = new (Fr[], Fr[])[partialRounds];
        var x = m;
        for (var r = partialRounds - 1; r >= 0; r--)
        {
            var inner = new Fr[t - 1, t - 1];
            for (var i = 1; i < t; i++)
            {
                for (var j = 1; j < t; j++) inner[i - 1, j - 1] = x[i, j];
            }

            var innerInverse = Invert(inner);
            var row = new Fr[t - 1];
            for (var j = 0; j < t - 1; j++)
            {
                var sum = Fr.Zero;
                for (var k = 0; k < t - 1; k++) sum += x[0, k + 1] * innerInverse[k, j];
                row[j] = sum;
            }

            var column = new Fr[t - 1];
            for (var i = 1; i < t; i++) column[i - 1] = x[i, 0];
            sparse[r] = ([x[0, 0], .. row], column);

            // x ← B·M with B = diag(1, X̂).
            var next = new Fr[t, t];
            for (var j = 0; j < t; j++) next[0, j] = m[0, j];
            for (var i = 1; i < t; i++)
            {
                for (var j = 0; j < t; j++)
                {
                    var sum = Fr.Zero;
                    for (var k = 1; k < t; k++) sum += inner[i - 1, k - 1] * m[k, j];
                    next[i, j] = sum;
                }
            }

            x = next;
        }

        return (full, partial, x, sparse);
    }

    private static Fr[] Multiply(Fr[,] matrix, Fr[] vector)
    {
        var result = new Fr[vector.Length];
        for (var i = 0; i < vector.Length; i++)
        {
            var sum = Fr.Zero;
            for (var j = 0; j < vector.Length; j++) sum += matrix[i, j] * vector[j];
            result[i] = sum;
        }

        return result;
    }

    // Gauss–Jordan elimination over the field (the MDS sub-matrices are invertible).
    private static Fr[,] Invert(Fr[,] matrix)
    {
        var n = matrix.GetLength(0);
        var a = (Fr[,])matrix.Clone();
        var inverse = new Fr[n, n];
        for (var i = 0; i < n; i++) inverse[i, i] = Fr.One;
        for (var column = 0; column < n; column++)
        {
            var pivot = column;
            while (a[pivot, column].IsZero) pivot++;
            if (pivot != column)
            {
                for (var j = 0; j < n; j++)
                {
                    (a[pivot, j], a[column, j]) = (a[column, j], a[pivot, j]);
                    (inverse[pivot, j], inverse[column, j]) = (inverse[column, j], inverse[pivot, j]);
                }
            }

            var scale = a[column, column].Inverse();
            for (var j = 0; j < n; j++)
            {
                a[column, j] *= scale;
                inverse[column, j] *= scale;
            }

            for (var i = 0; i < n; i++)
            {
                if (i == column || a[i, column].IsZero) continue;
                var factor = a[i, column];
                for (var j = 0; j < n; j++)
                {
                    a[i, j] -= factor * a[column, j];
                    inverse[i, j] -= factor * inverse[column, j];
                }
            }
        }

        return inverse;
    }

    /// <summary>The 80-bit Grain LFSR of the Poseidon reference parameter script, in self-shrinking mode.</summary>
    private sealed class GrainLfsr
    {
        private readonly bool[] _state = new bool[80];
        private int _head;

        public GrainLfsr(int width, int fullRounds, int partialRounds)
        {
            var position = 0;
            void Put(long value, int bits)
            {
                for (var i = bits - 1; i >= 0; i--) _state[position++] = ((value >> i) & 1) == 1;
            }

            Put(1, 2); // prime field
            Put(0, 4); // S-box x^alpha
            Put(254, 12); // field size in bits
            Put(width, 12);
            Put(fullRounds, 10);
            Put(partialRounds, 10);
            Put((1L << 30) - 1, 30);
            for (var i = 0; i < 160; i++) Clock();
        }

        public BigInteger NextInteger(int bits)
        {
            var value = BigInteger.Zero;
            for (var i = 0; i < bits; i++) value = (value << 1) | (NextBit() ? 1 : 0);
            return value;
        }

        // Pairs of bits: when the first is 1 the second is output, otherwise both are discarded.
        private bool NextBit()
        {
            while (true)
            {
                var keep = Clock();
                var bit = Clock();
                if (keep) return bit;
            }
        }

        private bool Clock()
        {
            bool At(int i) => _state[(_head + i) % 80];
            var next = At(62) ^ At(51) ^ At(38) ^ At(23) ^ At(13) ^ At(0);
            _state[_head] = next;
            _head = (_head + 1) % 80;
            return next;
        }
    }
}
