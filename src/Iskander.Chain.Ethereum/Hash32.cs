namespace Iskander.Chain.Ethereum;

/// <summary>A 32-byte value: a Keccak digest, a block or transaction hash, a storage key.</summary>
public readonly struct Hash32 : IEquatable<Hash32>
{
    /// <summary>Size in bytes.</summary>
    public const int Size = 32;

    private static readonly byte[] ZeroBytes = new byte[Size];
    private readonly byte[]? _bytes;

    /// <summary>Creates a hash from exactly 32 bytes.</summary>
    public Hash32(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new ArgumentException($"a 32-byte hash cannot have {bytes.Length} bytes", nameof(bytes));
        _bytes = bytes.ToArray();
    }

    /// <summary>The bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes ?? ZeroBytes;

    /// <summary>keccak256 of <paramref name="data"/>.</summary>
    public static Hash32 Keccak(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Size];
        Keccak256.Hash(data, digest);
        return new Hash32(digest);
    }

    /// <summary>Parses <c>0x</c> + 64 hex digits.</summary>
    /// <exception cref="FormatException">Not exactly 32 bytes of hex.</exception>
    public static Hash32 Parse(ReadOnlySpan<char> text)
    {
        var bytes = Hex.Decode(text);
        return bytes.Length == Size ? new Hash32(bytes) : throw new FormatException($"expected 32 bytes of hex, got {bytes.Length}");
    }

    /// <summary>Copies the bytes into a new array.</summary>
    public byte[] ToArray() => Bytes.ToArray();

    /// <inheritdoc />
    public override string ToString() => Hex.Encode(Bytes);

    /// <inheritdoc />
    public bool Equals(Hash32 other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Hash32 other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => BitConverter.ToInt32(Bytes[..4]);

    /// <summary>Equality.</summary>
    public static bool operator ==(Hash32 left, Hash32 right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Hash32 left, Hash32 right) => !left.Equals(right);

}
