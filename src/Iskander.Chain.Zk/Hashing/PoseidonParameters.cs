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

    private PoseidonParameters(int width, int partialRounds, Fr[] roundConstants, Fr[,] mds)
    {
        Width = width;
        PartialRounds = partialRounds;
        RoundConstants = roundConstants;
        Mds = mds;
    }

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
