namespace Iskander.Chain.Ethereum;

/// <summary>A 20-byte Ethereum account address. Formats with the EIP-55 checksum.</summary>
public readonly struct Address : IEquatable<Address>
{
    /// <summary>Size in bytes.</summary>
    public const int Size = 20;

    private static readonly byte[] ZeroBytes = new byte[Size];
    private readonly byte[]? _bytes;

    /// <summary>The zero address.</summary>
    public static Address Zero => default;

    /// <summary>Creates an address from exactly 20 bytes.</summary>
    public Address(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new ArgumentException($"an address has 20 bytes, not {bytes.Length}", nameof(bytes));
        _bytes = bytes.ToArray();
    }

    /// <summary>The address bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes ?? ZeroBytes;

    /// <summary>Copies the bytes into a new array.</summary>
    public byte[] ToArray() => Bytes.ToArray();

    /// <summary>
    /// Parses <c>0x</c> + 40 hex digits. All-lower or all-upper case is accepted as unchecksummed;
    /// mixed case must carry a valid EIP-55 checksum.
    /// </summary>
    /// <exception cref="FormatException">Wrong length, non-hex digits, or a bad checksum.</exception>
    public static Address Parse(ReadOnlySpan<char> text)
    {
        if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || text.Length != 2 + 2 * Size)
        {
            throw new FormatException($"an address is 0x followed by 40 hex digits: '{text}'");
        }

        var digits = text[2..];
        var address = new Address(Hex.Decode(digits));
        var hasLower = digits.ContainsAnyInRange('a', 'f');
        var hasUpper = digits.ContainsAnyInRange('A', 'F');
        if (hasLower && hasUpper && !digits.SequenceEqual(address.ToChecksumString().AsSpan(2)))
        {
            throw new FormatException($"address '{text}' has an invalid EIP-55 checksum");
        }

        return address;
    }

    /// <summary>Parses, returning false instead of throwing.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Address address)
    {
        try
        {
            address = Parse(text);
            return true;
        }
        catch (FormatException)
        {
            address = default;
            return false;
        }
    }

    /// <summary>The address of a public key: the last 20 bytes of keccak256 of its 64-byte uncompressed form (without the 0x04 prefix).</summary>
    public static Address FromPublicKey(ReadOnlySpan<byte> uncompressedWithoutPrefix)
    {
        if (uncompressedWithoutPrefix.Length != 64) throw new ArgumentException("expected the 64-byte public key (x ‖ y)", nameof(uncompressedWithoutPrefix));
        Span<byte> hash = stackalloc byte[32];
        Keccak256.Hash(uncompressedWithoutPrefix, hash);
        return new Address(hash[12..]);
    }

    /// <summary>EIP-55 mixed-case checksum form.</summary>
    public string ToChecksumString()
    {
        var lower = Convert.ToHexStringLower(Bytes);
        Span<byte> hash = stackalloc byte[32];
        Span<byte> ascii = stackalloc byte[40];
        for (var i = 0; i < 40; i++) ascii[i] = (byte)lower[i];
        Keccak256.Hash(ascii, hash);
        return string.Create(42, (lower, hash.ToArray()), static (chars, state) =>
        {
            chars[0] = '0';
            chars[1] = 'x';
            for (var i = 0; i < 40; i++)
            {
                var c = state.lower[i];
                var nibble = (i % 2 == 0 ? state.Item2[i / 2] >> 4 : state.Item2[i / 2]) & 0x0f;
                chars[i + 2] = c >= 'a' && nibble >= 8 ? char.ToUpperInvariant(c) : c;
            }
        });
    }

    /// <summary>Lower-case hex with <c>0x</c>.</summary>
    public string ToLowerHex() => Hex.Encode(Bytes);

    /// <inheritdoc />
    public override string ToString() => ToChecksumString();

    /// <inheritdoc />
    public bool Equals(Address other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Address other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => BitConverter.ToInt32(Bytes[..4]);

    /// <summary>Equality.</summary>
    public static bool operator ==(Address left, Address right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Address left, Address right) => !left.Equals(right);

}
