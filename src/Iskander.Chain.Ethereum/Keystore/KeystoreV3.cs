using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Iskander.Chain.Ethereum.Crypto;

namespace Iskander.Chain.Ethereum.Keystore;

/// <summary>Key-derivation settings for new keystores.</summary>
/// <param name="N">scrypt cost (power of two).</param>
/// <param name="R">scrypt block size.</param>
/// <param name="P">scrypt parallelism.</param>
public sealed record ScryptParameters(int N, int R, int P)
{
    /// <summary>geth's standard (2^18, 8, 1): about a second to unlock; the default.</summary>
    public static ScryptParameters Standard { get; } = new(1 << 18, 8, 1);

    /// <summary>geth's "light" (2^12, 8, 6): for tests and low-value development keys only.</summary>
    public static ScryptParameters Light { get; } = new(1 << 12, 8, 6);
}

/// <summary>The password is wrong or the file was altered (the MAC does not match).</summary>
public sealed class KeystorePasswordException() : Exception("keystore MAC mismatch: wrong password or altered file");

/// <summary>
/// Web3 Secret Storage v3 keystores: decrypts scrypt and PBKDF2-HMAC-SHA256 files with AES-128-CTR
/// (accepting both <c>crypto</c> and <c>Crypto</c>), and writes scrypt files that geth, cast and
/// ethers read. The private key exists in memory only as a <see cref="PrivateKey"/>.
/// </summary>
public static class KeystoreV3
{
    /// <summary>Decrypts a keystore.</summary>
    /// <exception cref="KeystorePasswordException">Wrong password or altered file.</exception>
    /// <exception cref="FormatException">Not a version 3 keystore, or unsupported cipher or KDF.</exception>
    public static PrivateKey Decrypt(string json, string password)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (!root.TryGetProperty("version", out var version) || version.GetInt32() != 3) throw new FormatException("not a version 3 keystore");
        var crypto = root.TryGetProperty("crypto", out var lower) ? lower
            : root.TryGetProperty("Crypto", out var upper) ? upper
            : throw new FormatException("keystore has no crypto section");

        var cipher = crypto.GetProperty("cipher").GetString();
        if (cipher != "aes-128-ctr") throw new FormatException($"unsupported keystore cipher '{cipher}'");
        var ciphertext = Hex.Decode(crypto.GetProperty("ciphertext").GetString()!);
        var iv = Hex.Decode(crypto.GetProperty("cipherparams").GetProperty("iv").GetString()!);
        var derived = DeriveKey(crypto, Encoding.UTF8.GetBytes(password));

        var mac = Keccak256.Hash([.. derived.AsSpan(16, 16), .. ciphertext]);
        var expectedMac = Hex.Decode(crypto.GetProperty("mac").GetString()!);
        if (!CryptographicOperations.FixedTimeEquals(mac, expectedMac)) throw new KeystorePasswordException();

        var keyBytes = AesCtr(derived.AsSpan(0, 16), iv, ciphertext);
        try
        {
            var key = new PrivateKey(keyBytes);
            if (root.TryGetProperty("address", out var address) && address.GetString() is { Length: > 0 } stated
                && !string.Equals(stated.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? stated[2..] : stated, key.Address.ToLowerHex()[2..], StringComparison.OrdinalIgnoreCase))
            {
                throw new FormatException($"keystore states address {stated} but holds the key of {key.Address}");
            }

            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyBytes);
            CryptographicOperations.ZeroMemory(derived);
        }
    }

    /// <summary>Encrypts <paramref name="key"/> into a new scrypt keystore (JSON text).</summary>
    public static string Encrypt(PrivateKey key, string password, ScryptParameters? parameters = null)
    {
        parameters ??= ScryptParameters.Standard;
        var salt = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(16);
        var derived = Scrypt.Derive(Encoding.UTF8.GetBytes(password), salt, parameters.N, parameters.R, parameters.P, 32);
        var ciphertext = AesCtr(derived.AsSpan(0, 16), iv, key.Bytes);
        var mac = Keccak256.Hash([.. derived.AsSpan(16, 16), .. ciphertext]);
        CryptographicOperations.ZeroMemory(derived);

        var document = new JsonObject
        {
            ["address"] = key.Address.ToLowerHex()[2..],
            ["crypto"] = new JsonObject
            {
                ["cipher"] = "aes-128-ctr",
                ["ciphertext"] = Hex.Encode(ciphertext, prefix: false),
                ["cipherparams"] = new JsonObject { ["iv"] = Hex.Encode(iv, prefix: false) },
                ["kdf"] = "scrypt",
                ["kdfparams"] = new JsonObject
                {
                    ["dklen"] = 32,
                    ["n"] = parameters.N,
                    ["p"] = parameters.P,
                    ["r"] = parameters.R,
                    ["salt"] = Hex.Encode(salt, prefix: false),
                },
                ["mac"] = Hex.Encode(mac, prefix: false),
            },
            ["id"] = Guid.NewGuid().ToString(),
            ["version"] = 3,
        };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static byte[] DeriveKey(JsonElement crypto, byte[] password)
    {
        var kdf = crypto.GetProperty("kdf").GetString();
        var parameters = crypto.GetProperty("kdfparams");
        var salt = Hex.Decode(parameters.GetProperty("salt").GetString()!);
        var length = parameters.GetProperty("dklen").GetInt32();
        if (length < 32) throw new FormatException($"keystore dklen {length} is below 32");
        switch (kdf)
        {
            case "scrypt":
                return Scrypt.Derive(password, salt, parameters.GetProperty("n").GetInt32(), parameters.GetProperty("r").GetInt32(),
                    parameters.GetProperty("p").GetInt32(), length);
            case "pbkdf2":
                var prf = parameters.GetProperty("prf").GetString();
                if (prf != "hmac-sha256") throw new FormatException($"unsupported PBKDF2 PRF '{prf}'");
                var iterations = parameters.GetProperty("c").GetInt32();
                if (iterations < 1) throw new FormatException("PBKDF2 iteration count must be positive");
                return Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, length);
            default:
                throw new FormatException($"unsupported keystore KDF '{kdf}'");
        }
    }

    // AES-128 in counter mode: the IV is a 128-bit big-endian counter, encrypted block by block and XORed in.
    private static byte[] AesCtr(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input)
    {
        if (iv.Length != 16) throw new FormatException("AES-128-CTR needs a 16-byte IV");
        using var aes = Aes.Create();
        aes.Key = key.ToArray();
        var counter = iv.ToArray();
        var keystream = new byte[16];
        var output = new byte[input.Length];
        for (var offset = 0; offset < input.Length; offset += 16)
        {
            aes.EncryptEcb(counter, keystream, PaddingMode.None);
            for (var i = 0; i < 16 && offset + i < input.Length; i++) output[offset + i] = (byte)(input[offset + i] ^ keystream[i]);
            for (var i = 15; i >= 0 && ++counter[i] == 0; i--)
            {
                // carry into the next byte
            }
        }

        return output;
    }
}
