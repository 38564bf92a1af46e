using System.Numerics;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.Keystore;
using Iskander.Chain.Zk.Keys;

namespace Iskander.Chain.Ballots.Chain;

/// <summary>
/// A ballot (BabyJubJub) key at rest: its 32-byte MACI seed kept in a Web3 Secret Storage v3 file,
/// the same encrypted format as Ethereum keys (the seed is drawn in secp256k1's range so the format
/// holds it). Used for voters' keys and the coordinator's key alike.
/// </summary>
public static class BallotKeyFile
{
    /// <summary>A new key and its encrypted file content.</summary>
    public static (MaciPrivateKey Key, string Json) Create(string password)
    {
        var seed = PrivateKey.Generate();
        return (FromSeed(seed), KeystoreV3.Encrypt(seed, password));
    }

    /// <summary>Decrypts a key file's content.</summary>
    /// <exception cref="KeystorePasswordException">Wrong password or altered file.</exception>
    public static MaciPrivateKey Decrypt(string json, string password) => FromSeed(KeystoreV3.Decrypt(json, password));

    /// <summary>The MACI key whose seed is <paramref name="seed"/>'s 32 bytes.</summary>
    public static MaciPrivateKey FromSeed(PrivateKey seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        return new MaciPrivateKey(new BigInteger(Hex.Decode(seed.ExportHex()), isUnsigned: true, isBigEndian: true));
    }
}
