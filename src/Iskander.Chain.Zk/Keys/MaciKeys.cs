using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Hashing;
using Iskander.Chain.Zk.Signatures;

namespace Iskander.Chain.Zk.Keys;

/// <summary>
/// A MACI private key: 32 random bytes read as an (unreduced) integer, serialised <c>macisk.</c> +
/// 64 hex digits. Everything derived from it goes through <see cref="FormattedScalar"/> or, for
/// signing, the UTF-8 bytes of its decimal string, exactly as MACI does.
/// </summary>
public sealed class MaciPrivateKey
{
    /// <summary>Serialisation prefix.</summary>
    public const string Prefix = "macisk.";

    private readonly BigInteger _raw;

    /// <summary>Wraps a raw key (0 ≤ raw &lt; 2²⁵⁶).</summary>
    public MaciPrivateKey(BigInteger raw)
    {
        if (raw.Sign < 0 || raw.GetBitLength() > 256) throw new ArgumentOutOfRangeException(nameof(raw), "a MACI private key is a 256-bit non-negative integer");
        _raw = raw;
    }

    /// <summary>A fresh random key.</summary>
    public static MaciPrivateKey Generate() => new(new BigInteger(RandomNumberGenerator.GetBytes(32), isUnsigned: true, isBigEndian: true));

    /// <summary>Parses <c>macisk.…</c>.</summary>
    /// <exception cref="FormatException">Wrong prefix or not hexadecimal.</exception>
    public static MaciPrivateKey Parse(string serialized)
    {
        if (!serialized.StartsWith(Prefix, StringComparison.Ordinal)) throw new FormatException($"a MACI private key starts with '{Prefix}'");
        var hex = serialized[Prefix.Length..];
        if (hex.Length is 0 or > 64 || !hex.All(char.IsAsciiHexDigit)) throw new FormatException("a MACI private key has up to 64 hex digits after its prefix");
        return new MaciPrivateKey(BigInteger.Parse("0" + hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
    }

    /// <summary>The raw integer (secret).</summary>
    public BigInteger Raw => _raw;

    /// <summary><c>macisk.</c> + 64 hex digits.</summary>
    public string Serialize() => Prefix + _raw.ToString("x64", CultureInfo.InvariantCulture)[^64..];

    /// <summary>The bytes MACI signs with: the UTF-8 decimal string of the key.</summary>
    internal byte[] SigningBytes() => Encoding.UTF8.GetBytes(_raw.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// MACI's <c>formatPrivateKeyForBabyJub</c>: BLAKE-512 of the decimal string, pruned, little-endian,
    /// shifted right by 3, modulo l. The scalar circuits take, and the one ECDH uses.
    /// </summary>
    public BigInteger FormattedScalar() => (EdDsaPoseidon.Expand(SigningBytes()).Scalar >> 3) % BabyJubJub.SubgroupOrder;

    /// <summary>The public key Base8·scalar.</summary>
    public MaciPublicKey PublicKey() => new(BabyJubJub.Multiply(BabyJubJub.Base8, FormattedScalar()));

    /// <summary>Signs a field element (EdDSA-Poseidon with this key).</summary>
    public EdDsaSignature Sign(Fr message) => EdDsaPoseidon.Sign(SigningBytes(), message);

    /// <summary>The ECDH shared key with <paramref name="other"/>: the full point other·scalar.</summary>
    public BabyJubJubPoint SharedKey(MaciPublicKey other) => BabyJubJub.Multiply(other.Point, FormattedScalar());

    /// <summary>Never prints the secret.</summary>
    public override string ToString() => "macisk.(secret)";
}

/// <summary>
/// A MACI public key: a BabyJubJub point in the prime-order subgroup, serialised <c>macipk.</c> +
/// the hex of its packed form read as an integer. Construction validates the point (on the curve,
/// in the subgroup, not the identity).
/// </summary>
public sealed record MaciPublicKey
{
    /// <summary>Serialisation prefix.</summary>
    public const string Prefix = "macipk.";

    /// <summary>Wraps and validates a point.</summary>
    /// <exception cref="ArgumentException">Off the curve, outside the subgroup, or the identity.</exception>
    public MaciPublicKey(BabyJubJubPoint point)
    {
        if (!BabyJubJub.IsValidPublicPoint(point)) throw new ArgumentException("not a valid public key: the point must be on BabyJubJub, in its prime-order subgroup and not the identity", nameof(point));
        Point = point;
    }

    /// <summary>The point.</summary>
    public BabyJubJubPoint Point { get; }

    /// <summary>Parses <c>macipk.…</c>, validating the point.</summary>
    /// <exception cref="FormatException">Wrong prefix, not hex, not a point, or an invalid point.</exception>
    public static MaciPublicKey Parse(string serialized)
    {
        if (!serialized.StartsWith(Prefix, StringComparison.Ordinal)) throw new FormatException($"a MACI public key starts with '{Prefix}'");
        var hex = serialized[Prefix.Length..];
        if (hex.Length is 0 or > 64 || !hex.All(char.IsAsciiHexDigit)) throw new FormatException("a MACI public key has up to 64 hex digits after its prefix");
        var packed = BigInteger.Parse("0" + hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        var bytes = new byte[32];
        packed.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        try
        {
            return new MaciPublicKey(BabyJubJub.Unpack(bytes));
        }
        catch (ArgumentException ex)
        {
            throw new FormatException(ex.Message);
        }
    }

    /// <summary><c>macipk.</c> + hex of the packed point as an integer (even number of digits, as MACI prints it).</summary>
    public string Serialize()
    {
        var hex = new BigInteger(BabyJubJub.Pack(Point), isUnsigned: true, isBigEndian: false).ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
        if (hex.Length == 0) hex = "0";
        return Prefix + (hex.Length % 2 == 1 ? "0" + hex : hex);
    }

    /// <summary><c>hash2(x, y)</c>: how contracts and circuits commit to the key.</summary>
    public Fr Hash() => Poseidon.Hash(Point.X, Point.Y);

    /// <summary>Checks a signature by this key.</summary>
    public bool Verify(Fr message, EdDsaSignature signature) => EdDsaPoseidon.Verify(Point, message, signature);
}
