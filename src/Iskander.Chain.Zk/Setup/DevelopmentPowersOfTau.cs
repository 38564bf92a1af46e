using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Setup;

/// <summary>Progress of writing a powers-of-tau file: points written so far out of all.</summary>
/// <param name="Section">The section being written (snarkjs's name for it).</param>
/// <param name="PointsWritten">Points written so far, over all sections.</param>
/// <param name="PointsTotal">Points in the whole file.</param>
public readonly record struct PowersOfTauProgress(string Section, long PointsWritten, long PointsTotal);

/// <summary>
/// Writes an <b>insecure</b>, phase-2-prepared BN254 powers-of-tau file in snarkjs's format from
/// fixed, public τ, α and β: anyone can forge proofs for keys set up on it. It exists so that
/// development and tests need no ceremony file: since the secrets are known, every point is one
/// fixed-base scalar multiplication (the Lagrange sections come from L_i(τ) computed as scalars, not
/// from FFTs over points), which takes seconds where snarkjs's ceremony commands take many minutes.
/// The file says what it is three times: in its name, in an extra section snarkjs ignores, and in
/// every log line of the tools that use it.
/// </summary>
public static class DevelopmentPowersOfTau
{
    /// <summary>The text of the file's note section and of the warnings that accompany it.</summary>
    public const string Warning = "INSECURE development powers of tau: tau, alpha and beta are public, so anyone can forge proofs for keys set up on this file; never use it for a real ballot";

    /// <summary>Largest power written (2^20 constraints; files above that belong to real ceremonies).</summary>
    public const int MaxPower = 20;

    /// <summary>Id of the extra section holding <see cref="Warning"/> (snarkjs indexes sections by id and ignores unknown ones).</summary>
    public const int NoteSectionId = 100;

    private const int ChunkPoints = 2048;

    /// <summary>τ: public, from a fixed label, so every file of a power is the same bytes everywhere.</summary>
    public static Fr Tau { get; } = FromLabel("tau");

    /// <summary>α: public, from a fixed label.</summary>
    public static Fr Alpha { get; } = FromLabel("alpha");

    /// <summary>β: public, from a fixed label.</summary>
    public static Fr Beta { get; } = FromLabel("beta");

    /// <summary>How every development file's name begins; it says what the file is.</summary>
    public const string FilePrefix = "insecure_dev_";

    /// <summary>The file name for <paramref name="power"/>.</summary>
    public static string FileName(int power) => $"{FilePrefix}{power}.ptau";

    /// <summary>Whether a file name is one of this writer's.</summary>
    public static bool IsDevelopmentFileName(string fileName) => fileName.StartsWith(FilePrefix, StringComparison.Ordinal);

    /// <summary>Points in a file of <paramref name="power"/> (G1 and G2 together), for progress.</summary>
    public static long PointCount(int power) => (2L << power) - 1 + (1L << power) * 3 + 1 + (4L << power) - 1 + 3 * ((2L << power) - 1);

    /// <summary>
    /// Writes the prepared file for 2^<paramref name="power"/> constraints: sections 1–7 (header,
    /// τⁱ·G1, τⁱ·G2, α·τⁱ·G1, β·τⁱ·G1, β·G2, no contributions), 12–15 (the Lagrange forms
    /// <c>powersoftau prepare phase2</c> adds, byte for byte as it writes them) and the note section.
    /// </summary>
    public static async Task WriteAsync(Stream output, int power, IProgress<PowersOfTauProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (power is < 1 or > MaxPower) throw new ArgumentOutOfRangeException(nameof(power), $"power must be 1…{MaxPower}");
        // Scalars are below r < 2²⁵⁴; wide windows pay off from a few thousand points on.
        var windowBits = power >= 12 ? 13 : 8;
        var g1 = new FixedBaseTable<Fq>(Bn254.G1Generator, 254, windowBits);
        var g2 = new FixedBaseTable<Fq2>(Bn254.G2Generator, 254, windowBits);
        var writer = new SectionWriter(output, PointCount(power), progress, cancellationToken);
        var size = 1L << power;

        await writer.HeaderAsync(12).ConfigureAwait(false);
        var header = new byte[44];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 32);
        Fq.Modulus.TryWriteBytes(header.AsSpan(4, 32), out _, isUnsigned: true, isBigEndian: false);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(36), (uint)power);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(40), (uint)power);
        await writer.RawSectionAsync(1, header).ConfigureAwait(false);

        await writer.PointsAsync(2, "tauG1", g1, 2 * size - 1, (start, scalars) => Powers(Fr.One, start, scalars)).ConfigureAwait(false);
        await writer.PointsAsync(3, "tauG2", g2, size, (start, scalars) => Powers(Fr.One, start, scalars)).ConfigureAwait(false);
        await writer.PointsAsync(4, "alphaTauG1", g1, size, (start, scalars) => Powers(Alpha, start, scalars)).ConfigureAwait(false);
        await writer.PointsAsync(5, "betaTauG1", g1, size, (start, scalars) => Powers(Beta, start, scalars)).ConfigureAwait(false);
        await writer.PointsAsync(6, "betaG2", g2, 1, (_, scalars) => scalars[0] = Beta).ConfigureAwait(false);
        await writer.RawSectionAsync(7, new byte[4]).ConfigureAwait(false); // no contributions

        var lagrange = new LagrangeBlocks(power);
        await writer.PointsAsync(12, "lTauG1", g1, (4 * size) - 1, (start, scalars) => lagrange.Fill(Fr.One, start, scalars, truncateLastBlock: true)).ConfigureAwait(false);
        await writer.PointsAsync(13, "lTauG2", g2, (2 * size) - 1, (start, scalars) => lagrange.Fill(Fr.One, start, scalars, truncateLastBlock: false)).ConfigureAwait(false);
        await writer.PointsAsync(14, "lAlphaTauG1", g1, (2 * size) - 1, (start, scalars) => lagrange.Fill(Alpha, start, scalars, truncateLastBlock: false)).ConfigureAwait(false);
        await writer.PointsAsync(15, "lBetaTauG1", g1, (2 * size) - 1, (start, scalars) => lagrange.Fill(Beta, start, scalars, truncateLastBlock: false)).ConfigureAwait(false);
        await writer.RawSectionAsync(NoteSectionId, Encoding.UTF8.GetBytes(Warning)).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    // factor·τ^(start+j) for each slot.
    private static void Powers(Fr factor, long start, Span<Fr> scalars)
    {
        var value = factor * Tau.Pow(start);
        for (var j = 0; j < scalars.Length; j++)
        {
            scalars[j] = value;
            value *= Tau;
        }
    }

    private static Fr FromLabel(string name) =>
        Fr.Reduce(new BigInteger(SHA256.HashData(Encoding.UTF8.GetBytes($"iskander-chain insecure development powers of tau: {name}")), isUnsigned: true, isBigEndian: true));

    /// <summary>
    /// L_i(τ) for the blocks of a Lagrange section: block k (2^k entries, starting at index 2^k − 1)
    /// holds the Lagrange basis of the domain of 2^k-th roots of unity, L_i(τ) = ωⁱ/N·(τᴺ − 1)/(τ − ωⁱ)
    /// with ffjavascript's ω. Section 12's extra block k = P + 1 is what snarkjs's inverse FFT
    /// makes of only 2ᴺ − 1 powers (the missing τᴺ⁻¹ counted as zero): L_i(τ) − ωⁱ/N·τᴺ⁻¹.
    /// </summary>
    private sealed class LagrangeBlocks
    {
        private readonly int _power;
        private readonly Fr[] _roots, _vanishingOverN, _lastPowerOverN;

        public LagrangeBlocks(int power)
        {
            _power = power;
            var blocks = power + 2;
            _roots = new Fr[blocks];
            _vanishingOverN = new Fr[blocks];
            _lastPowerOverN = new Fr[blocks];
            // ffjavascript: ω₂₈ = 5^((r−1)/2²⁸), ω_k = ω₂₈ squared 28 − k times.
            var root = Fr.FromUInt64(5).Pow((Fr.Modulus - 1) >> 28);
            var roots = new Fr[29];
            roots[28] = root;
            for (var k = 27; k >= 0; k--) roots[k] = roots[k + 1].Square();
            for (var k = 0; k < blocks; k++)
            {
                var n = 1L << k;
                var inverseN = Fr.FromUInt64((ulong)n).Inverse();
                _roots[k] = roots[k];
                _vanishingOverN[k] = (Tau.Pow(n) - Fr.One) * inverseN;
                _lastPowerOverN[k] = Tau.Pow(n - 1) * inverseN;
            }
        }

        public void Fill(Fr factor, long start, Span<Fr> scalars, bool truncateLastBlock)
        {
            var done = 0;
            while (done < scalars.Length)
            {
                var index = start + done;
                var k = 63 - BitOperations.LeadingZeroCount((ulong)(index + 1));
                var i = index - ((1L << k) - 1);
                var run = (int)Math.Min(scalars.Length - done, (1L << k) - i);
                FillBlock(k, i, factor, scalars.Slice(done, run), truncateLastBlock && k == _power + 1);
                done += run;
            }
        }

        private void FillBlock(int k, long first, Fr factor, Span<Fr> scalars, bool truncated)
        {
            var omega = _roots[k];
            var omegaI = omega.Pow(first);
            var rootPowers = new Fr[scalars.Length];
            var denominators = new Fr[scalars.Length];
            for (var j = 0; j < scalars.Length; j++)
            {
                rootPowers[j] = omegaI;
                denominators[j] = Tau - omegaI;
                omegaI *= omega;
            }

            BatchInvert(denominators);
            var scaled = _vanishingOverN[k] * factor;
            var correction = truncated ? _lastPowerOverN[k] * factor : Fr.Zero;
            for (var j = 0; j < scalars.Length; j++) scalars[j] = rootPowers[j] * (scaled * denominators[j] - correction);
        }

        private static void BatchInvert(Span<Fr> values)
        {
            // τ is a hash output, so τ = ωⁱ (a zero here) would mean a broken hash.
            if (values.Contains(Fr.Zero)) throw new InvalidOperationException("τ is a root of unity: choose another development τ");
            BatchInversion.Invert(values, new Fr[values.Length]);
        }
    }

    /// <summary>The binfile container (magic, version, section count, then id/length/payload sections) with points computed in parallel chunks.</summary>
    private sealed class SectionWriter(Stream output, long pointsTotal, IProgress<PowersOfTauProgress>? progress, CancellationToken cancellationToken)
    {
        private long _written;

        public async Task HeaderAsync(int sections)
        {
            var header = new byte[12];
            "ptau"u8.CopyTo(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), 1);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)sections);
            await output.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        }

        public async Task RawSectionAsync(int id, byte[] payload)
        {
            await SectionHeaderAsync(id, payload.Length).ConfigureAwait(false);
            await output.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
        }

        public Task PointsAsync(int id, string name, FixedBaseTable<Fq> table, long count, ScalarFill fill) =>
            PointsAsync(id, name, table, count, fill, Bn254.G1Size, Bn254.WriteG1Lem);

        public Task PointsAsync(int id, string name, FixedBaseTable<Fq2> table, long count, ScalarFill fill) =>
            PointsAsync(id, name, table, count, fill, Bn254.G2Size, Bn254.WriteG2Lem);

        private async Task PointsAsync<T>(int id, string name, FixedBaseTable<T> table, long count, ScalarFill fill, int pointSize, PointWriter<T> write)
            where T : struct, IFieldElement<T>
        {
            await SectionHeaderAsync(id, count * pointSize).ConfigureAwait(false);
            var chunks = (int)((count + ChunkPoints - 1) / ChunkPoints);
            var parallel = Environment.ProcessorCount;
            for (var round = 0; round < chunks; round += parallel)
            {
                var inRound = Math.Min(parallel, chunks - round);
                var buffers = new byte[inRound][];
                Parallel.For(0, inRound, new ParallelOptions { CancellationToken = cancellationToken }, slot =>
                {
                    var start = (long)(round + slot) * ChunkPoints;
                    var length = (int)Math.Min(ChunkPoints, count - start);
                    buffers[slot] = Compute(table, start, length, pointSize, fill, write);
                });
                foreach (var buffer in buffers)
                {
                    await output.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
                    _written += buffer.Length / pointSize;
                }

                progress?.Report(new PowersOfTauProgress(name, _written, pointsTotal));
            }
        }

        private static byte[] Compute<T>(FixedBaseTable<T> table, long start, int length, int pointSize, ScalarFill fill, PointWriter<T> write)
            where T : struct, IFieldElement<T>
        {
            var scalars = new Fr[length];
            fill(start, scalars);
            var jacobian = new JacobianPoint<T>[length];
            var limbs = new ulong[4];
            Span<byte> bytes = stackalloc byte[32];
            for (var i = 0; i < length; i++)
            {
                scalars[i].WriteLittleEndian(bytes);
                for (var l = 0; l < 4; l++) limbs[l] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(8 * l)..]);
                jacobian[i] = table.Multiply(limbs);
            }

            var affine = new AffinePoint<T>[length];
            JacobianPoint<T>.ToAffine(jacobian, affine);
            var buffer = new byte[length * pointSize];
            for (var i = 0; i < length; i++) write(affine[i], buffer.AsSpan(i * pointSize, pointSize));

            return buffer;
        }

        private async Task SectionHeaderAsync(int id, long length)
        {
            var header = new byte[12];
            BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)id);
            BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(4), (ulong)length);
            await output.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        }
    }

    private delegate void ScalarFill(long start, Span<Fr> scalars);

    private delegate void PointWriter<T>(AffinePoint<T> point, Span<byte> destination)
        where T : struct, IFieldElement<T>;
}
