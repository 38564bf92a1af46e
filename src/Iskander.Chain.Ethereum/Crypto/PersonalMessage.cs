using System.Globalization;
using System.Text;

namespace Iskander.Chain.Ethereum.Crypto;

/// <summary>EIP-191 version 0x45 ("personal_sign") message hashing, signing and recovery.</summary>
public static class PersonalMessage
{
    /// <summary>keccak256("\x19Ethereum Signed Message:\n" ‖ decimal length ‖ message).</summary>
    public static Hash32 Hash(ReadOnlySpan<byte> message)
    {
        var prefix = Encoding.ASCII.GetBytes("\x19" + "Ethereum Signed Message:\n" + message.Length.ToString(CultureInfo.InvariantCulture));
        var data = new byte[prefix.Length + message.Length];
        prefix.CopyTo(data, 0);
        message.CopyTo(data.AsSpan(prefix.Length));
        return Hash32.Keccak(data);
    }

    /// <summary>Hashes the UTF-8 bytes of <paramref name="message"/>.</summary>
    public static Hash32 Hash(string message) => Hash(Encoding.UTF8.GetBytes(message));

    /// <summary>Signs a message the way <c>personal_sign</c> does.</summary>
    public static EcdsaSignature Sign(ReadOnlySpan<byte> message, PrivateKey key) => key.Sign(Hash(message).Bytes);

    /// <summary>The address that signed <paramref name="message"/>.</summary>
    /// <exception cref="InvalidSignatureException">The signature is invalid.</exception>
    public static Address Recover(ReadOnlySpan<byte> message, EcdsaSignature signature) =>
        Secp256k1.RecoverAddress(Hash(message).Bytes, signature);
}
