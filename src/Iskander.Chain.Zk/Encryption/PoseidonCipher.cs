using System.Numerics;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Hashing;

namespace Iskander.Chain.Zk.Encryption;

/// <summary>The checked decryption failed: wrong key, nonce or length, or a tampered ciphertext.</summary>
public sealed class PoseidonDecryptionException(string message) : Exception(message);

/// <summary>
/// Poseidon authenticated encryption (the duplex sponge of <c>@zk-kit/poseidon-cipher</c> and MACI):
/// state [0, k.x, k.y, nonce + length·2¹²⁸], width 4; the plaintext, zero-padded to a multiple of 3,
/// is absorbed three elements per permutation, the running state is the ciphertext, and a final
/// permutation yields the tag. n elements give 3·⌈n/3⌉ + 1.
/// </summary>
public static class PoseidonCipher
{
    private static readonly BigInteger TwoTo128 = BigInteger.One << 128;

    /// <summary>Encrypts <paramref name="plaintext"/> under the shared key with a nonce &lt; 2¹²⁸.</summary>
    public static Fr[] Encrypt(ReadOnlySpan<Fr> plaintext, BabyJubJubPoint key, BigInteger nonce)
    {
        var blocks = (plaintext.Length + 2) / 3;
        var padded = new Fr[blocks * 3];
        plaintext.CopyTo(padded);
        Span<Fr> state = stackalloc Fr[4];
        Initialise(state, key, nonce, plaintext.Length);
        var ciphertext = new Fr[padded.Length + 1];
        for (var block = 0; block < blocks; block++)
        {
            Poseidon.Permute(state);
            for (var i = 0; i < 3; i++)
            {
                state[i + 1] += padded[(block * 3) + i];
                ciphertext[(block * 3) + i] = state[i + 1];
            }
        }

        Poseidon.Permute(state);
        ciphertext[^1] = state[1];
        return ciphertext;
    }

    /// <summary>Decrypts and checks the tag and the zero padding.</summary>
    /// <exception cref="PoseidonDecryptionException">The ciphertext is not authentic for this key, nonce and length.</exception>
    public static Fr[] Decrypt(ReadOnlySpan<Fr> ciphertext, BabyJubJubPoint key, BigInteger nonce, int length)
    {
        var (message, tagMatches) = Run(ciphertext, key, nonce, length);
        if (!tagMatches) throw new PoseidonDecryptionException("ciphertext tag does not match: wrong key or nonce, or tampered ciphertext");
        for (var i = length; i < message.Length; i++)
        {
            if (!message[i].IsZero) throw new PoseidonDecryptionException("padding of the plaintext is not zero");
        }

        return message[..length];
    }

    /// <summary>
    /// Decrypts without any check, as MACI's message processing does: a malformed ciphertext yields
    /// garbage that the command validation then rejects, instead of blocking the proof.
    /// </summary>
    public static Fr[] DecryptWithoutCheck(ReadOnlySpan<Fr> ciphertext, BabyJubJubPoint key, BigInteger nonce, int length) =>
        Run(ciphertext, key, nonce, length).Message[..length];

    private static (Fr[] Message, bool TagMatches) Run(ReadOnlySpan<Fr> ciphertext, BabyJubJubPoint key, BigInteger nonce, int length)
    {
        var blocks = (length + 2) / 3;
        if (length < 0 || ciphertext.Length != (blocks * 3) + 1) throw new ArgumentException($"a ciphertext of {length} elements has {(blocks * 3) + 1} elements, not {ciphertext.Length}");
        Span<Fr> state = stackalloc Fr[4];
        Initialise(state, key, nonce, length);
        var message = new Fr[blocks * 3];
        for (var block = 0; block < blocks; block++)
        {
            Poseidon.Permute(state);
            for (var i = 0; i < 3; i++)
            {
                var c = ciphertext[(block * 3) + i];
                message[(block * 3) + i] = c - state[i + 1];
                state[i + 1] = c;
            }
        }

        Poseidon.Permute(state);
        return (message, state[1] == ciphertext[^1]);
    }

    private static void Initialise(Span<Fr> state, BabyJubJubPoint key, BigInteger nonce, int length)
    {
        if (nonce.Sign < 0 || nonce >= TwoTo128) throw new ArgumentOutOfRangeException(nameof(nonce), "nonce must be below 2^128");
        state[0] = Fr.Zero;
        state[1] = key.X;
        state[2] = key.Y;
        state[3] = Fr.FromBigInteger(nonce + (length * TwoTo128));
    }
}
