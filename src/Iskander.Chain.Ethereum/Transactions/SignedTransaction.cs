using Iskander.Chain.Ethereum.Crypto;

namespace Iskander.Chain.Ethereum.Transactions;

/// <summary>A transaction with its signature; <see cref="Encoded"/> is what <c>eth_sendRawTransaction</c> takes.</summary>
public sealed class SignedTransaction
{
    internal SignedTransaction(Transaction transaction, EcdsaSignature signature, byte[] encoded)
    {
        Transaction = transaction;
        Signature = signature;
        Encoded = encoded;
        Hash = Hash32.Keccak(encoded);
    }

    /// <summary>The unsigned fields.</summary>
    public Transaction Transaction { get; }

    /// <summary>The signature (recovery id 0 or 1).</summary>
    public EcdsaSignature Signature { get; }

    /// <summary>The network encoding (typed envelope for non-legacy types).</summary>
    public byte[] Encoded { get; }

    /// <summary>The transaction hash: keccak256 of <see cref="Encoded"/>.</summary>
    public Hash32 Hash { get; }

    /// <summary>The sender, recovered from the signature.</summary>
    /// <exception cref="InvalidSignatureException">The signature is invalid or malleable.</exception>
    public Address RecoverSender() =>
        Secp256k1.RecoverAddress(TransactionCodec.SigningHash(Transaction).Bytes, Signature);
}
