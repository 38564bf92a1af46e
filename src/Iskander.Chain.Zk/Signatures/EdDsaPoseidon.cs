using System.Numerics;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Hashing;

namespace Iskander.Chain.Zk.Signatures;

/// <summary>An EdDSA-Poseidon signature: the point R8 and the scalar S.</summary>
/// <param name="R8">r·Base8.</param>
/// <param name="S">r + H(R8, A, m)·s mod l.</param>
public readonly record struct EdDsaSignature(BabyJubJubPoint R8, BigInteger S);

/// <summary>
/// EdDSA over BabyJubJub with a Poseidon challenge, as circomlib's <c>EdDSAPoseidonVerifier</c>,
/// circomlibjs <c>signPoseidon</c> and <c>@zk-kit/eddsa-poseidon</c> (BLAKE-512 key expansion).
/// Private keys are byte strings: circomlib uses raw bytes, MACI the UTF-8 decimal of its key.
/// </summary>
public static class EdDsaPoseidon
{
    /// <summary>The secret scalar s (pruned first half of BLAKE-512 of the key) and the nonce prefix (second half).</summary>
    internal static (BigInteger Scalar, byte[] Prefix) Expand(ReadOnlySpan<byte> privateKey)
    {
        var hash = Blake512.Hash(privateKey);
        var scalarBytes = hash.AsSpan(0, 32);
        scalarBytes[0] &= 0xF8;
        scalarBytes[31] &= 0x7F;
        scalarBytes[31] |= 0x40;
        return (new BigInteger(scalarBytes, isUnsigned: true, isBigEndian: false), hash[32..]);
    }

    /// <summary>The public key A = Base8·(s >> 3).</summary>
    public static BabyJubJubPoint PublicKey(ReadOnlySpan<byte> privateKey) =>
        BabyJubJub.Multiply(BabyJubJub.Base8, Expand(privateKey).Scalar >> 3);

    /// <summary>Signs one field element.</summary>
    public static EdDsaSignature Sign(ReadOnlySpan<byte> privateKey, Fr message)
    {
        var (s, prefix) = Expand(privateKey);
        var publicKey = BabyJubJub.Multiply(BabyJubJub.Base8, s >> 3);
        Span<byte> nonceInput = stackalloc byte[64];
        prefix.CopyTo(nonceInput);
        message.WriteLittleEndian(nonceInput[32..]);
        var r = new BigInteger(Blake512.Hash(nonceInput), isUnsigned: true, isBigEndian: false) % BabyJubJub.SubgroupOrder;
        var r8 = BabyJubJub.Multiply(BabyJubJub.Base8, r);
        var challenge = Poseidon.Hash([r8.X, r8.Y, publicKey.X, publicKey.Y, message]).ToBigInteger();
        return new EdDsaSignature(r8, (r + challenge * s) % BabyJubJub.SubgroupOrder);
    }

    /// <summary>
    /// Whether <paramref name="signature"/> signs <paramref name="message"/> under <paramref name="publicKey"/>:
    /// S &lt; l, both points on the curve, and S·Base8 = R8 + 8·H·A.
    /// </summary>
    public static bool Verify(BabyJubJubPoint publicKey, Fr message, EdDsaSignature signature)
    {
        if (signature.S.Sign < 0 || signature.S >= BabyJubJub.SubgroupOrder) return false;
        if (!BabyJubJub.IsOnCurve(publicKey) || !BabyJubJub.IsOnCurve(signature.R8)) return false;
        var challenge = Poseidon.Hash([signature.R8.X, signature.R8.Y, publicKey.X, publicKey.Y, message]).ToBigInteger();
        var left = BabyJubJub.MultiplyVariableTime(BabyJubJub.Base8, signature.S);
        var right = BabyJubJub.Add(signature.R8, BabyJubJub.MultiplyVariableTime(publicKey, 8 * challenge));
        return left == right;
    }
}
