using System.Numerics;

namespace Iskander.Chain.Ethereum.Crypto;

/// <summary>A secp256k1 signature with its recovery id (0 or 1 for every signature Ethereum accepts).</summary>
/// <param name="R">The r value, 1 ≤ r &lt; n.</param>
/// <param name="S">The s value, 1 ≤ s ≤ n/2 for signatures made here.</param>
/// <param name="RecoveryId">Parity of R's y coordinate (bit 0) and whether R's x overflowed n (bit 1).</param>
public readonly record struct EcdsaSignature(BigInteger R, BigInteger S, byte RecoveryId)
{
    /// <summary>The 65-byte form r ‖ s ‖ v with v = 27 + recovery id (as <c>eth_sign</c> and <c>ecrecover</c> use).</summary>
    public byte[] ToBytes65()
    {
        var bytes = new byte[65];
        R.TryWriteBytes(bytes.AsSpan(32 - R.GetByteCount(true), R.GetByteCount(true)), out _, isUnsigned: true, isBigEndian: true);
        S.TryWriteBytes(bytes.AsSpan(64 - S.GetByteCount(true), S.GetByteCount(true)), out _, isUnsigned: true, isBigEndian: true);
        bytes[64] = (byte)(27 + RecoveryId);
        return bytes;
    }

    /// <summary>Parses r ‖ s ‖ v (v = 0, 1, 27 or 28).</summary>
    /// <exception cref="FormatException">Not 65 bytes, or v is none of those values.</exception>
    public static EcdsaSignature FromBytes65(ReadOnlySpan<byte> signature)
    {
        if (signature.Length != 65) throw new FormatException($"a signature has 65 bytes (r ‖ s ‖ v), not {signature.Length}");
        var v = signature[64];
        var recoveryId = v switch
        {
            0 or 1 => v,
            27 or 28 => (byte)(v - 27),
            _ => throw new FormatException($"signature v must be 0, 1, 27 or 28, not {v}"),
        };
        return new EcdsaSignature(
            new BigInteger(signature[..32], isUnsigned: true, isBigEndian: true),
            new BigInteger(signature[32..64], isUnsigned: true, isBigEndian: true),
            recoveryId);
    }
}
