using System.Text;

namespace Iskander.Chain.Content;

/// <summary>The multibase encodings CIDs use here: base32 lower-case without padding (<c>b…</c>) and base58btc (<c>z…</c>, and bare for CIDv0).</summary>
public static class Multibase
{
    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static readonly sbyte[] Base32Values = Table(Base32Alphabet);
    private static readonly sbyte[] Base58Values = Table(Base58Alphabet);

    /// <summary>RFC 4648 base32, lower case, no padding.</summary>
    public static string EncodeBase32(ReadOnlySpan<byte> data)
    {
        var text = new StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Base32Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0) text.Append(Base32Alphabet[(buffer << (5 - bits)) & 31]);
        return text.ToString();
    }

    /// <summary>Decodes lower-case unpadded base32; leftover bits must be zero.</summary>
    /// <exception cref="FormatException">A character outside the alphabet or non-zero trailing bits.</exception>
    public static byte[] DecodeBase32(ReadOnlySpan<char> text)
    {
        var output = new byte[text.Length * 5 / 8];
        int buffer = 0, bits = 0, index = 0;
        foreach (var c in text)
        {
            var value = c < 128 ? Base32Values[c] : -1;
            if (value < 0) throw new FormatException($"'{c}' is not a base32 (lower-case) character");
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                output[index++] = (byte)(buffer >> (bits - 8));
                bits -= 8;
            }
        }

        if (bits >= 5 || (buffer & ((1 << bits) - 1)) != 0) throw new FormatException("base32 text has non-zero trailing bits");
        return output;
    }

    /// <summary>Bitcoin's base58.</summary>
    public static string EncodeBase58(ReadOnlySpan<byte> data)
    {
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0) zeros++;
        var digits = new byte[data.Length * 138 / 100 + 1];
        var length = 0;
        foreach (var b in data[zeros..])
        {
            var carry = (int)b;
            for (var i = 0; i < length; i++)
            {
                carry += digits[i] << 8;
                digits[i] = (byte)(carry % 58);
                carry /= 58;
            }

            while (carry > 0)
            {
                digits[length++] = (byte)(carry % 58);
                carry /= 58;
            }
        }

        var text = new StringBuilder(zeros + length);
        text.Append('1', zeros);
        for (var i = length - 1; i >= 0; i--) text.Append(Base58Alphabet[digits[i]]);
        return text.ToString();
    }

    /// <summary>Decodes base58.</summary>
    /// <exception cref="FormatException">A character outside the alphabet.</exception>
    public static byte[] DecodeBase58(ReadOnlySpan<char> text)
    {
        var zeros = 0;
        while (zeros < text.Length && text[zeros] == '1') zeros++;
        var bytes = new byte[text.Length * 733 / 1000 + 1];
        var length = 0;
        foreach (var c in text[zeros..])
        {
            var value = c < 128 ? Base58Values[c] : -1;
            if (value < 0) throw new FormatException($"'{c}' is not a base58 character");
            var carry = (int)value;
            for (var i = 0; i < length; i++)
            {
                carry += bytes[i] * 58;
                bytes[i] = (byte)carry;
                carry >>= 8;
            }

            while (carry > 0)
            {
                bytes[length++] = (byte)carry;
                carry >>= 8;
            }
        }

        var output = new byte[zeros + length];
        for (var i = 0; i < length; i++) output[zeros + i] = bytes[length - 1 - i];
        return output;
    }

    private static sbyte[] Table(string alphabet)
    {
        var table = Enumerable.Repeat((sbyte)-1, 128).ToArray();
        for (var i = 0; i < alphabet.Length; i++) table[alphabet[i]] = (sbyte)i;
        return table;
    }
}
