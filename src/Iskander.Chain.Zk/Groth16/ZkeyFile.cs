using System.Numerics;
using System.Runtime.InteropServices;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Groth16;

/// <summary>One non-zero entry of the A or B matrix of the circuit's QAP: A or B at <paramref name="Row"/> gains <paramref name="Value"/>·w[<paramref name="Signal"/>].</summary>
/// <param name="Matrix">0 for A, 1 for B.</param>
/// <param name="Row">The constraint (an index into the evaluation domain).</param>
/// <param name="Signal">The witness index.</param>
/// <param name="Value">The coefficient.</param>
internal readonly record struct QapCoefficient(int Matrix, int Row, int Signal, Fr Value);

/// <summary>
/// A Groth16 proving key as snarkjs writes it (<c>.zkey</c>, protocol 1): the header sections are
/// read and checked when the file is opened; the large ones (coefficients and point sections) are
/// read when the prover needs them, one at a time, so only one of them is in memory at once.
/// Points are checked on the curve as they are read; G2 points of the large section are not
/// checked for subgroup membership (a full scalar multiplication each), the header's are.
/// </summary>
public sealed class ZkeyFile : IDisposable
{
    /// <summary>Section ids of the Groth16 zkey format.</summary>
    private const int Header = 1, GrothHeader = 2, Ic = 3, Coefficients = 4, PointsA = 5, PointsB1 = 6, PointsB2 = 7, PointsC = 8, PointsH = 9;

    // Two field descriptions, three counts, then α1, β1, β2, γ2, δ1, δ2.
    private const int GrothHeaderLength = 4 + 32 + 4 + 32 + 12 + (3 * Bn254.G1Size) + (3 * Bn254.G2Size);
    private const int CoefficientSize = 12 + 32;
    private const int ChunkPoints = 1 << 13;

    private static readonly Dictionary<int, string> SectionNames = new()
    {
        [Header] = "header", [GrothHeader] = "Groth16 header", [Ic] = "IC", [Coefficients] = "coefficients", [PointsA] = "A points",
        [PointsB1] = "B1 points", [PointsB2] = "B2 points", [PointsC] = "C points", [PointsH] = "H points", [10] = "contributions",
    };

    private readonly SnarkjsBinFile _file;

    private ZkeyFile(SnarkjsBinFile file) => _file = file;

    /// <summary>Number of witness values (the constant 1, the public signals, then the private ones).</summary>
    public int VariableCount { get; private init; }

    /// <summary>Number of public signals.</summary>
    public int PublicCount { get; private init; }

    /// <summary>log₂ of the evaluation domain's size.</summary>
    public int Power { get; private init; }

    /// <summary>The evaluation domain's size (constraints and public inputs, rounded up to a power of two).</summary>
    public int DomainSize => 1 << Power;

    /// <summary>α·G1.</summary>
    public AffinePoint<Fq> Alpha1 { get; private init; }

    /// <summary>β·G1.</summary>
    public AffinePoint<Fq> Beta1 { get; private init; }

    /// <summary>β·G2.</summary>
    public AffinePoint<Fq2> Beta2 { get; private init; }

    /// <summary>δ·G1.</summary>
    public AffinePoint<Fq> Delta1 { get; private init; }

    /// <summary>δ·G2.</summary>
    public AffinePoint<Fq2> Delta2 { get; private init; }

    /// <summary>Opens <paramref name="path"/> and checks its header and the sizes of every section the prover reads.</summary>
    /// <exception cref="ProvingFileException">Not a BN254 Groth16 zkey, or truncated or corrupted.</exception>
    public static ZkeyFile Open(string path)
    {
        var file = SnarkjsBinFile.Open(path, "zkey", SectionNames);
        try
        {
            file.Section(Header, 4);
            var protocol = file.ReadUInt32(Header, 0);
            if (protocol != 1) throw file.Error(Header, $"names protocol {protocol}; only Groth16 (1) is supported");
            file.Section(GrothHeader, GrothHeaderLength);
            file.ExpectPrime(GrothHeader, 0, Fq.Modulus, "base field");
            file.ExpectPrime(GrothHeader, 36, Fr.Modulus, "scalar field");
            var variables = file.ReadUInt32(GrothHeader, 72);
            var publics = file.ReadUInt32(GrothHeader, 76);
            var domainSize = file.ReadUInt32(GrothHeader, 80);
            if (variables is 0 or > 1u << 28) throw file.Error(GrothHeader, $"declares {variables:N0} variables");
            if (publics >= variables) throw file.Error(GrothHeader, $"declares {publics:N0} public signals for {variables:N0} variables");
            // The H points are the odd powers of a domain twice as large, and BN254's scalar field has 2²⁸-th roots of unity.
            if (domainSize < 2 || !BitOperations.IsPow2(domainSize) || domainSize > 1u << 27) throw file.Error(GrothHeader, $"declares a domain of {domainSize:N0}, not a power of two from 2 to 2²⁷");
            var points = new byte[GrothHeaderLength - 84];
            file.Read(GrothHeader, 84, points.AsSpan());
            var zkey = new ZkeyFile(file)
            {
                VariableCount = (int)variables, PublicCount = (int)publics, Power = BitOperations.Log2(domainSize),
                Alpha1 = HeaderPoint(file, () => Bn254.ReadG1Lem(points)),
                Beta1 = HeaderPoint(file, () => Bn254.ReadG1Lem(points.AsSpan(64))),
                Beta2 = HeaderPoint(file, () => Bn254.ReadG2Lem(points.AsSpan(128))),
                Delta1 = HeaderPoint(file, () => Bn254.ReadG1Lem(points.AsSpan(384))),
                Delta2 = HeaderPoint(file, () => Bn254.ReadG2Lem(points.AsSpan(448))),
            };
            var coefficients = file.Section(Coefficients);
            if (coefficients.Length < 4 || file.ReadUInt32(Coefficients, 0) * (long)CoefficientSize + 4 != coefficients.Length)
            {
                throw file.Error(Coefficients, $"is {coefficients.Length:N0} bytes, which does not match the count it declares");
            }

            file.Section(PointsA, variables * (long)Bn254.G1Size);
            file.Section(PointsB1, variables * (long)Bn254.G1Size);
            file.Section(PointsB2, variables * (long)Bn254.G2Size);
            file.Section(PointsC, (variables - publics - 1) * (long)Bn254.G1Size);
            file.Section(PointsH, domainSize * (long)Bn254.G1Size);
            return zkey;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The A and B entries of the QAP, in chunks (each chunk's array is reused for the next).</summary>
    internal IEnumerable<ArraySegment<QapCoefficient>> ReadCoefficients()
    {
        var count = (long)_file.ReadUInt32(Coefficients, 0);
        var chunk = new QapCoefficient[Math.Min(count, 1 << 14)];
        var bytes = new byte[chunk.Length * CoefficientSize];
        for (long done = 0; done < count;)
        {
            var n = (int)Math.Min(chunk.Length, count - done);
            _file.Read(Coefficients, 4 + (done * CoefficientSize), bytes.AsSpan(0, n * CoefficientSize));
            for (var i = 0; i < n; i++)
            {
                var entry = bytes.AsSpan(i * CoefficientSize, CoefficientSize);
                var words = MemoryMarshal.Cast<byte, uint>(entry[..12]);
                var limbs = MemoryMarshal.Cast<byte, ulong>(entry[12..]);
                if (words[0] > 1 || words[1] >= DomainSize || words[2] >= VariableCount || !Fr.IsCanonical(limbs))
                {
                    throw _file.Error(Coefficients, $"entry {done + i:N0} is corrupted (matrix {words[0]}, row {words[1]:N0}, signal {words[2]:N0})");
                }

                // Stored as n·2⁵¹² mod r: one reduction of the limbs read as a Montgomery form gives n.
                chunk[i] = new QapCoefficient((int)words[0], (int)words[1], (int)words[2], Fr.FromMontgomeryLimbs(limbs).DivideByMontgomeryRadix());
            }

            done += n;
            yield return new ArraySegment<QapCoefficient>(chunk, 0, n);
        }
    }

    /// <summary>The A points (one per variable).</summary>
    internal AffinePoint<Fq>[] ReadA() => ReadG1(PointsA, VariableCount);

    /// <summary>The B points in G1 (one per variable).</summary>
    internal AffinePoint<Fq>[] ReadB1() => ReadG1(PointsB1, VariableCount);

    /// <summary>The B points in G2 (one per variable).</summary>
    internal AffinePoint<Fq2>[] ReadB2()
    {
        var points = new AffinePoint<Fq2>[VariableCount];
        ReadPoints(PointsB2, Bn254.G2Size, points, (bytes, i) =>
        {
            var point = bytes.IndexOfAnyExcept((byte)0) < 0 ? AffinePoint<Fq2>.Infinity
                : new AffinePoint<Fq2>(new Fq2(Fq.ReadMontgomeryLittleEndian(bytes), Fq.ReadMontgomeryLittleEndian(bytes[32..])),
                    new Fq2(Fq.ReadMontgomeryLittleEndian(bytes[64..]), Fq.ReadMontgomeryLittleEndian(bytes[96..])));
            return point.IsOnCurve(Bn254.G2B) ? point : throw _file.Error(PointsB2, $"point {i:N0} is not on BN254's G2 twist");
        });
        return points;
    }

    /// <summary>The C points (one per private variable).</summary>
    internal AffinePoint<Fq>[] ReadC() => ReadG1(PointsC, VariableCount - PublicCount - 1);

    /// <summary>The H points (one per domain element).</summary>
    internal AffinePoint<Fq>[] ReadH() => ReadG1(PointsH, DomainSize);

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();

    private AffinePoint<Fq>[] ReadG1(int id, int count)
    {
        var points = new AffinePoint<Fq>[count];
        ReadPoints(id, Bn254.G1Size, points, (bytes, i) =>
        {
            var point = bytes.IndexOfAnyExcept((byte)0) < 0 ? AffinePoint<Fq>.Infinity
                : new AffinePoint<Fq>(Fq.ReadMontgomeryLittleEndian(bytes), Fq.ReadMontgomeryLittleEndian(bytes[32..]));
            return point.IsOnCurve(Bn254.G1B) ? point : throw _file.Error(id, $"point {i:N0} is not on BN254's G1");
        });
        return points;
    }

    private delegate AffinePoint<T> PointParser<T>(ReadOnlySpan<byte> bytes, int index)
        where T : struct, IFieldElement<T>;

    // Chunk by chunk through one buffer; a coordinate ≥ q is reported with the section.
    private void ReadPoints<T>(int id, int size, AffinePoint<T>[] points, PointParser<T> parse)
        where T : struct, IFieldElement<T>
    {
        var bytes = new byte[Math.Min(points.Length, ChunkPoints) * size];
        for (var done = 0; done < points.Length;)
        {
            var n = Math.Min(ChunkPoints, points.Length - done);
            _file.Read(id, (long)done * size, bytes.AsSpan(0, n * size));
            var first = done;
            try
            {
                Parallel.For(0, n, i => points[first + i] = parse(bytes.AsSpan(i * size, size), first + i));
            }
            catch (AggregateException e) when (e.InnerException is FormatException inner)
            {
                throw inner is ProvingFileException ? inner : _file.Error(id, $"holds a point with a coordinate that is not a base-field element ({inner.Message})");
            }

            done += n;
        }
    }

    private static AffinePoint<T> HeaderPoint<T>(SnarkjsBinFile file, Func<AffinePoint<T>> read)
        where T : struct, IFieldElement<T>
    {
        try
        {
            return read();
        }
        catch (FormatException e)
        {
            throw file.Error(GrothHeader, $"holds an invalid point: {e.Message}");
        }
    }
}
