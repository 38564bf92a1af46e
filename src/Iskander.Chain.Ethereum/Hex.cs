using System.Globalization;
using System.Numerics;

namespace Iskander.Chain.Ethereum;

/// <summary>Hexadecimal encoding as Ethereum writes it: lower-case, with a <c>0x</c> prefix.</summary>
public static class Hex
{
    /// <summary>Encodes bytes as <c>0x</c>-prefixed lower-case hex.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes, bool prefix = true) =>
        prefix ? string.Concat("0x", Convert.ToHexStringLower(bytes)) : Convert.ToHexStringLower(bytes);

    /// <summary>Decodes hex with or without <c>0x</c>, in any case.</summary>
    /// <exception cref="FormatException">Odd length or a character that is not a hex digit.</exception>
    public static byte[] Decode(ReadOnlySpan<char> hex)
    {
        if (hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) hex = hex[2..];
        if (hex.Length % 2 != 0) throw new FormatException($"hex string has an odd number of digits ({hex.Length})");
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw new FormatException("hex string contains a character that is not a hex digit");
        }
    }

    /// <summary>Encodes a non-negative integer as a JSON-RPC quantity (<c>0x0</c>, <c>0x1a</c>: no leading zeros).</summary>
    public static string EncodeQuantity(BigInteger value)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value), "quantities are non-negative");
        return value.IsZero ? "0x0" : "0x" + value.ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
    }

    /// <summary>Encodes a non-negative integer as a JSON-RPC quantity.</summary>
    public static string EncodeQuantity(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>Decodes a JSON-RPC quantity strictly: <c>0x</c> prefix, at least one digit, no leading zeros, at most 256 bits.</summary>
    /// <exception cref="FormatException">The text is not a canonical quantity.</exception>
    public static BigInteger DecodeQuantity(ReadOnlySpan<char> quantity) =>
        BigInteger.Parse(string.Concat("0", QuantityDigits(quantity, 64)), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    /// <summary>Decodes a JSON-RPC quantity that must fit 64 bits (as strictly as <see cref="DecodeQuantity"/>).</summary>
    /// <exception cref="FormatException">The text is not a canonical quantity, or exceeds 64 bits.</exception>
    public static ulong DecodeQuantityUInt64(ReadOnlySpan<char> quantity) =>
        // Straight into 64 bits: block numbers and log indices are read for every log a follower receives.
        ulong.Parse(QuantityDigits(quantity, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    // The digits of a canonical quantity of at most maxDigits digits (without leading zeros, so at most 4 × maxDigits bits).
    private static ReadOnlySpan<char> QuantityDigits(ReadOnlySpan<char> quantity, int maxDigits)
    {
        if (!quantity.StartsWith("0x", StringComparison.Ordinal) || quantity.Length < 3)
        {
            throw new FormatException($"'{quantity}' is not a 0x-prefixed hex quantity");
        }

        var digits = quantity[2..];
        if (digits.Length > 1 && digits[0] == '0') throw new FormatException($"quantity '{quantity}' has leading zeros");
        foreach (var c in digits)
        {
            if (!char.IsAsciiHexDigit(c)) throw new FormatException($"quantity '{quantity}' contains '{c}'");
        }

        if (digits.Length > maxDigits) throw new FormatException($"quantity '{quantity}' exceeds {4 * maxDigits} bits");
        return digits;
    }
}
