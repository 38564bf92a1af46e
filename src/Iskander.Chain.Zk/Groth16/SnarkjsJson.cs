using System.Text.Json;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;

namespace Iskander.Chain.Zk.Groth16;

/// <summary>Curve points in snarkjs's JSON files: decimal coordinates, affine points written projectively with z = 1. Not checked against any curve.</summary>
internal static class SnarkjsJson
{
    /// <summary>[x, y, "1"].</summary>
    /// <exception cref="FormatException">Another shape, or a coordinate not below p.</exception>
    public static AffinePoint<Fq> G1(JsonElement point, string name)
    {
        var coordinates = Strings(point, name);
        if (coordinates.Length != 3 || coordinates[2] != "1") throw new FormatException($"{name} is not an affine G1 point [x, y, \"1\"]");
        return new AffinePoint<Fq>(Fq.Parse(coordinates[0]), Fq.Parse(coordinates[1]));
    }

    /// <summary>[[x0, x1], [y0, y1], ["1", "0"]].</summary>
    /// <exception cref="FormatException">Another shape, or a coordinate not below p.</exception>
    public static AffinePoint<Fq2> G2(JsonElement point, string name)
    {
        var rows = point.ValueKind == JsonValueKind.Array ? point.EnumerateArray().Select(row => Strings(row, name)).ToArray() : [];
        if (rows.Length != 3 || rows.Any(row => row.Length != 2) || rows[2][0] != "1" || rows[2][1] != "0")
        {
            throw new FormatException($"{name} is not an affine G2 point [[x0, x1], [y0, y1], [\"1\", \"0\"]]");
        }

        return new AffinePoint<Fq2>(new Fq2(Fq.Parse(rows[0][0]), Fq.Parse(rows[0][1])), new Fq2(Fq.Parse(rows[1][0]), Fq.Parse(rows[1][1])));
    }

    private static string[] Strings(JsonElement array, string name) =>
        array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.String ? c.GetString()! : throw new FormatException($"{name}: a coordinate is not a string")).ToArray()
            : throw new FormatException($"{name} is not an array");
}
