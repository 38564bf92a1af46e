namespace Iskander.Chain.Ethereum.Crypto;

/// <summary>
/// A secp256k1 private key with its address. Its text form never shows the key, so it cannot reach
/// logs by accident; <see cref="ExportHex"/> is the one deliberate way out.
/// </summary>
public sealed class PrivateKey
{
    private readonly byte[] _key;

    /// <summary>Wraps 32 key bytes.</summary>
    /// <exception cref="ArgumentException">Not a valid secp256k1 private key.</exception>
    public PrivateKey(ReadOnlySpan<byte> key)
    {
        if (!Secp256k1.IsValidPrivateKey(key)) throw new ArgumentException("a private key is 32 bytes with 1 ≤ d < n", nameof(key));
        _key = key.ToArray();
        PublicKey = Secp256k1.PublicKey(_key);
        Address = Address.FromPublicKey(PublicKey);
    }

    /// <summary>Parses a hex key (with or without 0x).</summary>
    public static PrivateKey FromHex(string hex) => new(Hex.Decode(hex));

    /// <summary>A fresh key from the system's cryptographic random generator.</summary>
    public static PrivateKey Generate()
    {
        Span<byte> candidate = stackalloc byte[32];
        do
        {
            System.Security.Cryptography.RandomNumberGenerator.Fill(candidate);
        }
        while (!Secp256k1.IsValidPrivateKey(candidate));
        return new PrivateKey(candidate);
    }

    /// <summary>The 64-byte public key x ‖ y.</summary>
    public byte[] PublicKey { get; }

    /// <summary>The account address.</summary>
    public Address Address { get; }

    /// <summary>Signs a 32-byte hash (RFC 6979, low s).</summary>
    public EcdsaSignature Sign(ReadOnlySpan<byte> hash) => Secp256k1.Sign(hash, _key);

    /// <summary>The key as hex, for keystores and explicit exports only.</summary>
    public string ExportHex() => Hex.Encode(_key);

    /// <summary>The key bytes, for keystore encryption only.</summary>
    internal ReadOnlySpan<byte> Bytes => _key;

    /// <inheritdoc />
    public override string ToString() => $"PrivateKey({Address})";
}
