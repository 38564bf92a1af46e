using BenchmarkDotNet.Attributes;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Hashing;

namespace Iskander.Chain.Bench;

/// <summary>
/// BN254 field products alone (no peer): nanoseconds per multiplication, as a chain of dependent
/// products (latency) and as four independent chains (throughput, what a hash or an MSM can use).
/// </summary>
public class FieldBenchmarks
{
    /// <summary>Products per invocation of each row.</summary>
    public const int Products = 1024;

    private readonly Fr _frA = Fr.Parse("0x2a1b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809");
    private readonly Fr _frB = Fr.Parse("0x1f0e0d0c0b0a090807060504030201f0e0d0c0b0a09080706050403020100fed");
    private readonly Fq _fqA = Fq.Parse("0x2a1b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809");
    private readonly Fq _fqB = Fq.Parse("0x1f0e0d0c0b0a090807060504030201f0e0d0c0b0a09080706050403020100fed");
    private readonly Fr[] _five = [Fr.FromUInt64(1), Fr.FromUInt64(2), Fr.FromUInt64(3), Fr.FromUInt64(4), Fr.FromUInt64(5)];

    [Benchmark(Description = "Fr multiply, dependent (ns per product)", OperationsPerInvoke = Products)]
    public Fr FrMultiplyLatency() => MultiplyLatency(_frA, _frB);

    [Benchmark(Description = "Fr multiply, 4 independent chains (ns per product)", OperationsPerInvoke = Products)]
    public Fr FrMultiplyThroughput() => MultiplyThroughput(_frA, _frB);

    [Benchmark(Description = "Fr square, dependent (ns per product)", OperationsPerInvoke = Products)]
    public Fr FrSquareLatency() => SquareLatency(_frA);

    [Benchmark(Description = "Fq multiply, dependent (ns per product)", OperationsPerInvoke = Products)]
    public Fq FqMultiplyLatency() => MultiplyLatency(_fqA, _fqB);

    [Benchmark(Description = "Fq multiply, 4 independent chains (ns per product)", OperationsPerInvoke = Products)]
    public Fq FqMultiplyThroughput() => MultiplyThroughput(_fqA, _fqB);

    [Benchmark(Description = "Fq square, dependent (ns per product)", OperationsPerInvoke = Products)]
    public Fq FqSquareLatency() => SquareLatency(_fqA);

    [Benchmark(Description = "Poseidon t=3 (2 inputs)")]
    public Fr Poseidon3() => Poseidon.Hash(_frA, _frB);

    [Benchmark(Description = "Poseidon t=6 (5 inputs)")]
    public Fr Poseidon6() => Poseidon.Hash(_five);

    // The JIT specialises these per field struct, so each row measures that field's own code.
    private static T MultiplyLatency<T>(T x, T y)
        where T : struct, IFieldElement<T>
    {
        for (var i = 0; i < Products; i++) x *= y;
        return x;
    }

    private static T MultiplyThroughput<T>(T x, T y)
        where T : struct, IFieldElement<T>
    {
        T a = x, b = x + y, c = x + x, d = y + y;
        for (var i = 0; i < Products / 4; i++)
        {
            a *= y;
            b *= y;
            c *= y;
            d *= y;
        }

        return a + b + c + d;
    }

    private static T SquareLatency<T>(T x)
        where T : struct, IFieldElement<T>
    {
        for (var i = 0; i < Products; i++) x = x.Square();
        return x;
    }
}
