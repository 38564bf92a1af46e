using System.Globalization;

namespace Iskander.Chain.Ethereum.Abi;

/// <summary>Parses ABI type strings into <see cref="AbiType"/>s, with limits on length and nesting.</summary>
internal static class AbiTypeParser
{
    private const int MaxLength = 4096;
    private const int MaxDepth = 32;

    public static AbiType Parse(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.Length > MaxLength) throw new AbiException($"ABI type string longer than {MaxLength} characters");
        return Parse(type.Trim(), 0);
    }

    private static AbiType Parse(string type, int depth)
    {
        if (depth > MaxDepth) throw new AbiException($"ABI type nested deeper than {MaxDepth}");
        if (type.EndsWith(']'))
        {
            var open = type.LastIndexOf('[');
            if (open <= 0) throw new AbiException($"malformed array type '{type}'");
            var element = Parse(type[..open], depth + 1);
            var size = type[(open + 1)..^1];
            if (size.Length == 0) return new AbiArray(element);
            if (!int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || size[0] == '0')
            {
                throw new AbiException($"malformed array length in '{type}'");
            }

            return new AbiFixedArray(element, length);
        }

        if (type.StartsWith("tuple(", StringComparison.Ordinal)) type = type[5..];
        if (type.StartsWith('('))
        {
            if (!type.EndsWith(')')) throw new AbiException($"malformed tuple type '{type}'");
            return new AbiTuple(SplitComponents(type[1..^1]).Select(c => Parse(c, depth + 1)).ToList());
        }

        return Elementary(type);
    }

    private static IEnumerable<string> SplitComponents(string inner)
    {
        if (inner.Length == 0) yield break;
        var level = 0;
        var start = 0;
        for (var i = 0; i < inner.Length; i++)
        {
            switch (inner[i])
            {
                case '(':
                    level++;
                    break;
                case ')':
                    if (--level < 0) throw new AbiException($"unbalanced parentheses in '({inner})'");
                    break;
                case ',' when level == 0:
                    yield return inner[start..i].Trim();
                    start = i + 1;
                    break;
            }
        }

        if (level != 0) throw new AbiException($"unbalanced parentheses in '({inner})'");
        yield return inner[start..].Trim();
    }

    private static AbiType Elementary(string type) => type switch
    {
        "address" => AbiAddress.Instance,
        "bool" => AbiBool.Instance,
        "string" => AbiString.Instance,
        "bytes" => AbiBytes.Instance,
        "uint" => new AbiUInt(256),
        "int" => new AbiInt(256),
        _ when type.StartsWith("uint", StringComparison.Ordinal) => new AbiUInt(Width(type, 4)),
        _ when type.StartsWith("int", StringComparison.Ordinal) => new AbiInt(Width(type, 3)),
        _ when type.StartsWith("bytes", StringComparison.Ordinal) => new AbiFixedBytes(Width(type, 5)),
        _ => throw new AbiException($"unknown ABI type '{type}'"),
    };

    private static int Width(string type, int prefix)
    {
        var digits = type[prefix..];
        return digits.Length > 0 && digits[0] != '0' && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var width)
            ? width
            : throw new AbiException($"unknown ABI type '{type}'");
    }
}
