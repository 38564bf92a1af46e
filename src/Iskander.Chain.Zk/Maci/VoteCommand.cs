using System.Numerics;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Encryption;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Hashing;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Signatures;

namespace Iskander.Chain.Zk.Maci;

/// <summary>
/// A voter's command: set my key, put this weight on this option, with this nonce, in this poll.
/// The five small fields pack into one field element, 50 bits each; the command is signed with the
/// key currently registered for the voter and travels encrypted in a <see cref="MaciMessage"/>.
/// </summary>
/// <param name="StateIndex">The voter's leaf in the state tree.</param>
/// <param name="NewPublicKey">The key the voter's leaf holds after this command (the same key, or a new one to change keys).</param>
/// <param name="VoteOptionIndex">The option voted for.</param>
/// <param name="NewVoteWeight">The weight now on that option (0 withdraws).</param>
/// <param name="Nonce">1 for the command processed first (the last one published), then 2, 3, ….</param>
/// <param name="PollId">The poll.</param>
/// <param name="Salt">Random, so that equal commands encrypt and hash differently.</param>
public sealed record VoteCommand(ulong StateIndex, BabyJubJubPoint NewPublicKey, ulong VoteOptionIndex, ulong NewVoteWeight, ulong Nonce, ulong PollId, Fr Salt)
{
    private const int FieldBits = BallotLimits.CommandFieldBits;
    private const ulong FieldMask = BallotLimits.MaxCommandField;

    /// <summary>The plaintext length inside a message: packed, key x, key y, salt, R8 x, R8 y, S.</summary>
    public const int PlaintextLength = 7;

    /// <summary>A command with every field range-checked and the new key validated.</summary>
    public static VoteCommand Create(ulong stateIndex, MaciPublicKey newPublicKey, ulong voteOptionIndex, ulong newVoteWeight, ulong nonce, ulong pollId, Fr salt)
    {
        foreach (var (name, value) in new[] { ("stateIndex", stateIndex), ("voteOptionIndex", voteOptionIndex), ("newVoteWeight", newVoteWeight), ("nonce", nonce), ("pollId", pollId) })
        {
            if (value > FieldMask) throw new ArgumentOutOfRangeException(name, $"{name} must fit in {FieldBits} bits");
        }

        return new VoteCommand(stateIndex, newPublicKey.Point, voteOptionIndex, newVoteWeight, nonce, pollId, salt);
    }

    /// <summary>stateIndex + option·2⁵⁰ + weight·2¹⁰⁰ + nonce·2¹⁵⁰ + pollId·2²⁰⁰.</summary>
    public Fr Packed() => Fr.FromBigInteger(
        new BigInteger(StateIndex) + (new BigInteger(VoteOptionIndex) << 50) + (new BigInteger(NewVoteWeight) << 100) +
        (new BigInteger(Nonce) << 150) + (new BigInteger(PollId) << 200));

    /// <summary>[packed, newKey.x, newKey.y, salt].</summary>
    public Fr[] AsArray() => [Packed(), NewPublicKey.X, NewPublicKey.Y, Salt];

    /// <summary>Poseidon4 of <see cref="AsArray"/>: what the voter signs.</summary>
    public Fr Hash() => Poseidon.Hash(AsArray());

    /// <summary>Signs the command hash with the voter's current key.</summary>
    public EdDsaSignature Sign(MaciPrivateKey currentKey) => currentKey.Sign(Hash());

    /// <summary>Whether <paramref name="signature"/> signs this command under <paramref name="currentKey"/> (any point; invalid ones fail).</summary>
    public bool VerifySignature(EdDsaSignature signature, BabyJubJubPoint currentKey) => EdDsaPoseidon.Verify(currentKey, Hash(), signature);

    /// <summary>Encrypts command and signature to the coordinator under an ECDH key (cipher nonce 0, as MACI).</summary>
    public Fr[] Encrypt(EdDsaSignature signature, BabyJubJubPoint sharedKey) =>
        PoseidonCipher.Encrypt([Packed(), NewPublicKey.X, NewPublicKey.Y, Salt, signature.R8.X, signature.R8.Y, Fr.Reduce(signature.S)], sharedKey, 0);

    /// <summary>
    /// Decrypts a message's data. With <paramref name="force"/> (the coordinator's processing), no
    /// tag check: garbage comes out as a command that fails validation, never as an error that
    /// would block the proof. Each packed field is read as its 50 bits, as the circuit does.
    /// </summary>
    public static (VoteCommand Command, EdDsaSignature Signature) Decrypt(IReadOnlyList<Fr> data, BabyJubJubPoint sharedKey, bool force)
    {
        var array = data.ToArray();
        var plain = force ? PoseidonCipher.DecryptWithoutCheck(array, sharedKey, 0, PlaintextLength) : PoseidonCipher.Decrypt(array, sharedKey, 0, PlaintextLength);
        var packed = plain[0].ToBigInteger();
        ulong Field(int index) => (ulong)((packed >> (index * FieldBits)) & FieldMask);
        var command = new VoteCommand(Field(0), new BabyJubJubPoint(plain[1], plain[2]), Field(1), Field(2), Field(3), Field(4), plain[3]);
        return (command, new EdDsaSignature(new BabyJubJubPoint(plain[4], plain[5]), plain[6].ToBigInteger()));
    }
}

/// <summary>An encrypted command as published on chain: 10 field elements.</summary>
/// <param name="Data">The ciphertext.</param>
public sealed record MaciMessage(IReadOnlyList<Fr> Data)
{
    /// <summary>Elements in a message.</summary>
    public const int Length = 10;

    /// <summary>The placeholder message every poll starts with (index 0 is never a vote).</summary>
    public static MaciMessage Placeholder { get; } = new([MaciConstants.NothingUpMySleeve, .. Enumerable.Repeat(Fr.Zero, Length - 1)]);

    /// <summary>Encrypts a signed command for the coordinator with a fresh ephemeral key.</summary>
    public static (MaciMessage Message, MaciPublicKey EphemeralKey) Seal(VoteCommand command, EdDsaSignature signature, MaciPublicKey coordinator, MaciPrivateKey ephemeral) =>
        (new MaciMessage(command.Encrypt(signature, ephemeral.SharedKey(coordinator))), ephemeral.PublicKey());

    /// <summary>hash4(hash5(d0…d4), hash5(d5…d9), encKey.x, encKey.y): the chain-hash input.</summary>
    public Fr Hash(BabyJubJubPoint encryptionKey)
    {
        if (Data.Count != Length) throw new InvalidOperationException($"a message has {Length} elements");
        var data = Data.ToArray();
        return Poseidon.Hash([Poseidon.Hash(data.AsSpan(0, 5)), Poseidon.Hash(data.AsSpan(5, 5)), encryptionKey.X, encryptionKey.Y]);
    }
}
