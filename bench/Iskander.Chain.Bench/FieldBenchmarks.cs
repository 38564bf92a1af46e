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
    public Fr FrMultiplyLatency()
    {
        var x = _frA;
        var y = _frB;
        for (var i = 0; i < Products; i++) x *= y;
        return x;
    }

    [Benchmark(Description = "Fr multiply, 4 independent chains (ns per product)", OperationsPerInvoke = Products)]
    public Fr FrMultiplyThroughput()
    {
        var y = _frB;
        Fr a = _frA, b = _frA + y, c = _frA + _frA, d = y + y;
        for (var i = 0; i < Products / 4; i++)
        {
            a *= y;
            b *= y;
            c *= y;
            d *= y;
        }

        return a + b + c + d;
    }

    [Benchmark(Description = "Fr square, dependent (ns per product)", OperationsPerInvoke = Products)]
    public Fr FrSquareLatency()
    {
        var x = _frA;
        for (var i = 0; i < Products; i++) x = x.Square();
        return x;
    }

    [Benchmark(Description = "Fq multiply, dependent (ns per product)", OperationsPerInvoke = Products)]
    public Fq FqMultiplyLatency()
    {
        var x = _fqA;
        var y = _fqB;
        for (var i = 0; i < Products; i++) x *= y;
        return x;
    }

    [Benchmark(Description = "Fq multiply, 4 independent chains (ns per product)", OperationsPerInvoke = Products)]
    public Fq FqMultiplyThroughput()
    {
        var y = _fqB;
        Fq a = _fqA, b = _fqA + y, c = _fqA + _fqA, d = y + y;
        for (var i = 0; i < Products / 4; i++)
        {
            a *= y;
            b *= y;
            c *= y;
            d *= y;
        }

        return a + b + c + d;
    }

    [Benchmark(Description = "Fq square, dependent (ns per product)", OperationsPerInvoke = Products)]
    public Fq FqSquareLatency()
    {
        var x = _fqA;
        for (var i = 0; i < Products; i++) x = x.Square();
        return x;
    }

    [Benchmark(Description = "Poseidon t=3 (2 inputs)")]
    public Fr Poseidon3() => Poseidon.Hash(_frA, _frB);

    [Benchmark(Description = "Poseidon t=6 (5 inputs)")]
    public Fr Poseidon6() => Poseidon.Hash(_five);
}
