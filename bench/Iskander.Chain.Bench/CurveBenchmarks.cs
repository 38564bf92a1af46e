using BenchmarkDotNet.Attributes;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Bench;

/// <summary>
/// BN254 G1/G2 rows of the comparison with ffjavascript (snarkjs's curve library, WebAssembly).
/// Inputs match <c>bench/curve-bench.mjs</c>: multiples of the generators by fixed 253-bit scalars.
/// </summary>
public class CurveBenchmarks
{
    /// <summary>Points per batch-normalisation row.</summary>
    public const int BatchSize = 1024;

    private static readonly ulong[] Scalar = Bn254.Limbs((System.Numerics.BigInteger.One << 252) + 987654321);
    private readonly FixedBaseTable<Fq> _g1Table = new(Bn254.G1Generator);
    private readonly FixedBaseTable<Fq2> _g2Table = new(Bn254.G2Generator);
    private readonly Fq _a = Fq.FromUInt64(3), _b = Fq.FromUInt64(5);
    private JacobianPoint<Fq> _p1, _q1;
    private AffinePoint<Fq> _q1Affine;
    private JacobianPoint<Fq2> _p2, _q2;
    private JacobianPoint<Fq>[] _batch = [];
    private readonly AffinePoint<Fq>[] _affine = new AffinePoint<Fq>[BatchSize];

    [GlobalSetup]
    public void Setup()
    {
        _p1 = Bn254.G1Generator.ToJacobian().Multiply(Bn254.Limbs(11));
        _q1 = Bn254.G1Generator.ToJacobian().Multiply(Bn254.Limbs(13));
        _q1Affine = _q1.ToAffine();
        _p2 = Bn254.G2Generator.ToJacobian().Multiply(Bn254.Limbs(11));
        _q2 = Bn254.G2Generator.ToJacobian().Multiply(Bn254.Limbs(13));
        _batch = Enumerable.Range(1, BatchSize).Select(i => Bn254.G1Generator.ToJacobian().Multiply(Bn254.Limbs(i))).ToArray();
    }

    [Benchmark(Description = "Fq multiplication")]
    public Fq Multiply() => _a * _b;

    [Benchmark(Description = "G1 add (Jacobian)")]
    public JacobianPoint<Fq> AddG1() => _p1.Add(_q1);

    [Benchmark(Description = "G1 add mixed (affine operand)")]
    public JacobianPoint<Fq> AddMixedG1() => _p1.AddMixed(_q1Affine);

    [Benchmark(Description = "G1 double")]
    public JacobianPoint<Fq> DoubleG1() => _p1.Double();

    [Benchmark(Description = "G1 scalar multiplication (variable base)")]
    public JacobianPoint<Fq> MultiplyG1() => _p1.Multiply(Scalar);

    [Benchmark(Description = "G1 scalar multiplication (fixed base)")]
    public JacobianPoint<Fq> MultiplyG1Fixed() => _g1Table.Multiply(Scalar);

    [Benchmark(Description = "G2 add (Jacobian)")]
    public JacobianPoint<Fq2> AddG2() => _p2.Add(_q2);

    [Benchmark(Description = "G2 scalar multiplication (variable base)")]
    public JacobianPoint<Fq2> MultiplyG2() => _p2.Multiply(Scalar);

    [Benchmark(Description = "G2 scalar multiplication (fixed base)")]
    public JacobianPoint<Fq2> MultiplyG2Fixed() => _g2Table.Multiply(Scalar);

    [Benchmark(Description = "G1 to affine, 1024 points (batched)")]
    public AffinePoint<Fq>[] Normalise()
    {
        JacobianPoint<Fq>.ToAffine(_batch, _affine);
        return _affine;
    }
}
