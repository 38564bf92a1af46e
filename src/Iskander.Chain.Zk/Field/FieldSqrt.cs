using System.Numerics;

namespace Iskander.Chain.Zk.Field;

/// <summary>Square roots in the BN254 scalar field (Tonelli–Shanks; p − 1 = 2²⁸ · q).</summary>
public static class FieldSqrt
{
    private const int TwoAdicity = 28;
    private static readonly BigInteger OddPart = (Fr.Modulus - 1) >> TwoAdicity;
    // 5 is a quadratic non-residue modulo p; its odd power generates the 2-Sylow subgroup.
    private static readonly Fr RootOfUnity = Fr.FromUInt64(5).Pow(OddPart);

    /// <summary>A square root of <paramref name="value"/>, or null when it is not a square.</summary>
    public static Fr? Sqrt(Fr value)
    {
        if (value.IsZero) return Fr.Zero;
        if (value.Pow((Fr.Modulus - 1) / 2) != Fr.One) return null;
        var m = TwoAdicity;
        var c = RootOfUnity;
        var t = value.Pow(OddPart);
        var r = value.Pow((OddPart + 1) / 2);
        while (t != Fr.One)
        {
            var i = 0;
            var power = t;
            while (power != Fr.One)
            {
                power = power.Square();
                i++;
            }

            var b = c;
            for (var j = 0; j < m - i - 1; j++) b = b.Square();
            m = i;
            c = b.Square();
            t *= c;
            r *= b;
        }

        return r;
    }
}
