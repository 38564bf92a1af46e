using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.Transactions;

namespace Iskander.Chain.Ethereum.Accounts;

/// <summary>Something that signs transactions for one address (a local key, a decrypted keystore, later perhaps a remote signer).</summary>
public interface ITransactionSigner
{
    /// <summary>The signing address.</summary>
    Address Address { get; }

    /// <summary>Signs <paramref name="transaction"/>.</summary>
    ValueTask<SignedTransaction> SignAsync(Transaction transaction, CancellationToken cancellationToken = default);
}

/// <summary>Signs with a private key held in memory (from a keystore or the environment, never from configuration files).</summary>
public sealed class LocalSigner(PrivateKey key) : ITransactionSigner
{
    /// <inheritdoc />
    public Address Address => key.Address;

    /// <inheritdoc />
    public ValueTask<SignedTransaction> SignAsync(Transaction transaction, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(TransactionCodec.Sign(transaction, key));

    /// <inheritdoc />
    public override string ToString() => $"LocalSigner({Address})";
}
