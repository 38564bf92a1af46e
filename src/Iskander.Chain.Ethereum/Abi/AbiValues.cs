using System.Collections;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Iskander.Chain.Ethereum.Abi;

/// <summary>Converts the C# values callers pass into the forms the encoders use.</summary>
internal static class AbiValues
{
    public static BigInteger Integer(object? value, AbiType type) => value switch
    {
        BigInteger b => b,
        int i => i,
        long l => l,
        uint u => u,
        ulong u => u,
        short s => s,
        ushort s => s,
        byte b => b,
        sbyte s => s,
        UInt128 u => u,
        Int128 i => i,
        _ => throw Mismatch(value, type, "an integer"),
    };

    public static byte[] Bytes(object? value, AbiType type) => value switch
    {
        byte[] b => b,
        ReadOnlyMemory<byte> m => m.ToArray(),
        Memory<byte> m => m.ToArray(),
        Hash32 h => h.ToArray(),
        string s when s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) => Hex.Decode(s),
        _ => throw Mismatch(value, type, "bytes"),
    };

    public static IReadOnlyList<object?> Items(object? value, AbiType type)
    {
        switch (value)
        {
            case IReadOnlyList<object?> list:
                return list;
            case ITuple tuple:
                return Enumerable.Range(0, tuple.Length).Select(i => tuple[i]).ToList();
            case IEnumerable enumerable and not string and not byte[]:
                return enumerable.Cast<object?>().ToList();
            default:
                throw Mismatch(value, type, "a list of values");
        }
    }

    public static AbiException Mismatch(object? value, AbiType type, string expected) =>
        new($"value {Describe(value)} does not fit ABI type {type.Name}: expected {expected}");

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string s => $"\"{(s.Length > 40 ? s[..40] + "…" : s)}\"",
        _ => $"of type {value.GetType().Name}",
    };
}
