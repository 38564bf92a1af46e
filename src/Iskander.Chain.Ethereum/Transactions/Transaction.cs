using System.Numerics;

namespace Iskander.Chain.Ethereum.Transactions;

/// <summary>Transaction envelope types this client builds and decodes.</summary>
public enum TransactionType : byte
{
    /// <summary>Legacy (with EIP-155 replay protection when a chain id is set).</summary>
    Legacy = 0,

    /// <summary>EIP-2930: gas price plus an access list.</summary>
    AccessList = 1,

    /// <summary>EIP-1559: base-fee market with priority fee and fee cap.</summary>
    DynamicFee = 2,
}

/// <summary>One entry of an EIP-2930 access list.</summary>
/// <param name="Address">The account accessed.</param>
/// <param name="StorageKeys">The storage slots accessed.</param>
public sealed record AccessListEntry(Address Address, IReadOnlyList<Hash32> StorageKeys)
{
    /// <inheritdoc />
    public bool Equals(AccessListEntry? other) =>
        other is not null && Address == other.Address && StorageKeys.SequenceEqual(other.StorageKeys);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Address, StorageKeys.Count);
}

/// <summary>An unsigned transaction of any supported type. Fields a type does not use must stay at their defaults.</summary>
public sealed record Transaction
{
    /// <summary>Envelope type.</summary>
    public TransactionType Type { get; init; } = TransactionType.DynamicFee;

    /// <summary>Chain id; null only for a pre-EIP-155 legacy transaction.</summary>
    public ulong? ChainId { get; init; }

    /// <summary>Sender's nonce.</summary>
    public ulong Nonce { get; init; }

    /// <summary>Gas price in wei (legacy and access-list types).</summary>
    public BigInteger GasPrice { get; init; }

    /// <summary>Priority fee per gas in wei (EIP-1559).</summary>
    public BigInteger MaxPriorityFeePerGas { get; init; }

    /// <summary>Fee cap per gas in wei (EIP-1559).</summary>
    public BigInteger MaxFeePerGas { get; init; }

    /// <summary>Gas limit.</summary>
    public ulong GasLimit { get; init; }

    /// <summary>Recipient; null creates a contract from <see cref="Data"/>.</summary>
    public Address? To { get; init; }

    /// <summary>Wei transferred.</summary>
    public BigInteger Value { get; init; }

    /// <summary>Call data or init code.</summary>
    public byte[] Data { get; init; } = [];

    /// <summary>EIP-2930 access list (access-list and EIP-1559 types).</summary>
    public IReadOnlyList<AccessListEntry> AccessList { get; init; } = [];

    /// <inheritdoc />
    public bool Equals(Transaction? other) =>
        other is not null && Type == other.Type && ChainId == other.ChainId && Nonce == other.Nonce && GasPrice == other.GasPrice
        && MaxPriorityFeePerGas == other.MaxPriorityFeePerGas && MaxFeePerGas == other.MaxFeePerGas && GasLimit == other.GasLimit
        && To == other.To && Value == other.Value && Data.AsSpan().SequenceEqual(other.Data) && AccessList.SequenceEqual(other.AccessList);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, ChainId, Nonce, GasLimit, To);
}
