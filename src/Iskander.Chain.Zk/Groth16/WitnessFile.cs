using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Groth16;

/// <summary>
/// A circuit's witness as snarkjs writes it (<c>.wtns</c>: section 1 the field and the number of
/// values, section 2 the values as 32-byte little-endian integers, value 0 being the constant 1 and
/// then the public signals).
/// </summary>
public sealed class WitnessFile
{
    private static readonly Dictionary<int, string> SectionNames = new() { [1] = "header", [2] = "witness" };

    private WitnessFile(ulong[] limbs) => Limbs = limbs;

    /// <summary>Number of values.</summary>
    public int Count => Limbs.Length / 4;

    /// <summary>The values' canonical little-endian limbs, four per value: the scalars of the multi-scalar multiplications as they are.</summary>
    internal ulong[] Limbs { get; }

    /// <summary>Value <paramref name="index"/>.</summary>
    public Fr this[int index] => Fr.FromCanonicalLimbs(Limbs.AsSpan(index * 4, 4));

    /// <summary>Reads and checks <paramref name="path"/>.</summary>
    /// <exception cref="ProvingFileException">The file is not a BN254 witness, or is truncated or corrupted.</exception>
    public static WitnessFile Read(string path)
    {
        using var file = SnarkjsBinFile.Open(path, "wtns", SectionNames);
        file.Section(1, 4 + 32 + 4);
        file.ExpectPrime(1, 0, Fr.Modulus, "scalar field");
        var count = file.ReadUInt32(1, 36);
        if (count is 0 or > int.MaxValue / 4) throw file.Error(1, $"declares {count:N0} values");
        file.Section(2, count * 32L);
        var limbs = new ulong[count * 4L];
        file.Read(2, 0, limbs.AsSpan());
        for (var i = 0; i < count; i++)
        {
            if (!Fr.IsCanonical(limbs.AsSpan(i * 4, 4))) throw file.Error(2, $"holds value {i:N0} that is not a field element (≥ r)");
        }

        return new WitnessFile(limbs);
    }
}
