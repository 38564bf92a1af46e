using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using Org.BouncyCastle.Utilities;
using BcInteger = Org.BouncyCastle.Math.BigInteger;
using NumericsInteger = System.Numerics.BigInteger;

namespace Iskander.Chain.Ethereum.Crypto;

/// <summary>
/// secp256k1 signing and recovery as Ethereum uses them, on BouncyCastle's curve arithmetic:
/// RFC 6979 deterministic nonces (HMAC-SHA256, <see cref="Rfc6979"/>), low-s normalisation, recovery ids, and recovery
/// that rejects out-of-range and malleable signatures.
/// </summary>
public static class Secp256k1
{
    private static readonly X9ECParameters Parameters = CustomNamedCurves.GetByName("secp256k1");
    private static readonly ECCurve Curve = Parameters.Curve;
    private static readonly ECPoint G = Parameters.G;
    private static readonly FixedPointCombMultiplier BaseMultiplier = new();

    /// <summary>The group order n.</summary>
    internal static readonly BcInteger N = Parameters.N;

    private static readonly BcInteger HalfN = N.ShiftRight(1);
    private static readonly BcInteger FieldPrime = Curve.Field.Characteristic;

    /// <summary>True when <paramref name="key"/> is a valid private key (1 ≤ d &lt; n, 32 bytes).</summary>
    public static bool IsValidPrivateKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != 32) return false;
        var d = new BcInteger(1, key.ToArray());
        return d.SignValue > 0 && d.CompareTo(N) < 0;
    }

    /// <summary>The 64-byte public key x ‖ y of a private key.</summary>
    public static byte[] PublicKey(ReadOnlySpan<byte> privateKey)
    {
        var d = PrivateScalar(privateKey);
        return EncodeUncompressed(BaseMultiplier.Multiply(G, d));
    }

    /// <summary>Signs a 32-byte hash with an RFC 6979 nonce; the result has s ≤ n/2.</summary>
    public static EcdsaSignature Sign(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> privateKey)
    {
        if (hash.Length != 32) throw new ArgumentException("secp256k1 signs 32-byte hashes", nameof(hash));
        var d = PrivateScalar(privateKey);
        var e = new BcInteger(1, hash.ToArray());
        Span<byte> nonceKey = stackalloc byte[32];
        Span<byte> nonceValue = stackalloc byte[32];
        var nonces = new Rfc6979(N, privateKey, hash, nonceKey, nonceValue);
        while (true)
        {
            var k = nonces.Next();
            var point = BaseMultiplier.Multiply(G, k).Normalize();
            var x = point.AffineXCoord.ToBigInteger();
            var r = x.Mod(N);
            if (r.SignValue == 0) continue;
            var s = BigIntegers.ModOddInverse(N, k).Multiply(e.Add(d.Multiply(r))).Mod(N);
            if (s.SignValue == 0) continue;

            var recoveryId = (byte)((point.AffineYCoord.TestBitZero() ? 1 : 0) | (x.CompareTo(N) >= 0 ? 2 : 0));
            if (s.CompareTo(HalfN) > 0)
            {
                // Ethereum accepts only low-s signatures; negating s mirrors R, flipping the y parity.
                s = N.Subtract(s);
                recoveryId ^= 1;
            }

            return new EcdsaSignature(ToNumerics(r), ToNumerics(s), recoveryId);
        }
    }

    /// <summary>Recovers the 64-byte public key x ‖ y that made <paramref name="signature"/> over <paramref name="hash"/>.</summary>
    /// <param name="hash">The signed 32-byte hash.</param>
    /// <param name="signature">The signature.</param>
    /// <param name="allowHighS">Accept s &gt; n/2 (never for transactions since Homestead).</param>
    /// <exception cref="InvalidSignatureException">r or s out of range, high s, or no point for r.</exception>
    public static byte[] RecoverPublicKey(ReadOnlySpan<byte> hash, EcdsaSignature signature, bool allowHighS = false)
    {
        if (hash.Length != 32) throw new ArgumentException("secp256k1 signs 32-byte hashes", nameof(hash));
        var r = ToBouncy(signature.R);
        var s = ToBouncy(signature.S);
        if (r.SignValue <= 0 || r.CompareTo(N) >= 0) throw new InvalidSignatureException("signature r is out of range");
        if (s.SignValue <= 0 || s.CompareTo(N) >= 0) throw new InvalidSignatureException("signature s is out of range");
        if (!allowHighS && s.CompareTo(HalfN) > 0) throw new InvalidSignatureException("signature s is above n/2 (malleable)");
        if (signature.RecoveryId > 3) throw new InvalidSignatureException($"recovery id {signature.RecoveryId} is not 0–3");

        var x = (signature.RecoveryId & 2) != 0 ? r.Add(N) : r;
        if (x.CompareTo(FieldPrime) >= 0) throw new InvalidSignatureException("signature r does not correspond to a curve point");
        var compressed = new byte[33];
        compressed[0] = (byte)(0x02 | (signature.RecoveryId & 1));
        var xBytes = x.ToByteArrayUnsigned();
        xBytes.CopyTo(compressed, 33 - xBytes.Length);
        ECPoint bigR;
        try
        {
            bigR = Curve.DecodePoint(compressed);
        }
        catch (ArgumentException)
        {
            throw new InvalidSignatureException("signature r does not correspond to a curve point");
        }

        var e = new BcInteger(1, hash.ToArray());
        var rInverse = BigIntegers.ModOddInverse(N, r);
        var q = ECAlgorithms.SumOfTwoMultiplies(bigR, s.Multiply(rInverse).Mod(N), G, N.Subtract(e).Multiply(rInverse).Mod(N));
        if (q.IsInfinity) throw new InvalidSignatureException("signature recovers to the point at infinity");
        return EncodeUncompressed(q);
    }

    /// <summary>Recovers the address that made <paramref name="signature"/> over <paramref name="hash"/>.</summary>
    /// <exception cref="InvalidSignatureException">The signature is invalid.</exception>
    public static Address RecoverAddress(ReadOnlySpan<byte> hash, EcdsaSignature signature, bool allowHighS = false) =>
        Address.FromPublicKey(RecoverPublicKey(hash, signature, allowHighS));

    private static BcInteger PrivateScalar(ReadOnlySpan<byte> privateKey)
    {
        if (!IsValidPrivateKey(privateKey)) throw new ArgumentException("a private key is 32 bytes with 1 ≤ d < n", nameof(privateKey));
        return new BcInteger(1, privateKey.ToArray());
    }

    private static byte[] EncodeUncompressed(ECPoint point) => point.Normalize().GetEncoded(false)[1..];

    private static NumericsInteger ToNumerics(BcInteger value) =>
        new(value.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);

    private static BcInteger ToBouncy(NumericsInteger value)
    {
        if (value.Sign < 0) return BcInteger.One.Negate();
        return new BcInteger(1, value.ToByteArray(isUnsigned: true, isBigEndian: true));
    }
}
