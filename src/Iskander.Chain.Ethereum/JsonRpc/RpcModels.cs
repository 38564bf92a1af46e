using System.Numerics;

namespace Iskander.Chain.Ethereum.JsonRpc;

/// <summary>The parts of a block header a bridge needs: identity, chain linkage, time and base fee.</summary>
/// <param name="Number">Block number.</param>
/// <param name="Hash">Block hash.</param>
/// <param name="ParentHash">Parent's hash (detects reorgs).</param>
/// <param name="Timestamp">Unix seconds.</param>
/// <param name="BaseFeePerGas">EIP-1559 base fee, null before London.</param>
public sealed record BlockHeader(ulong Number, Hash32 Hash, Hash32 ParentHash, ulong Timestamp, BigInteger? BaseFeePerGas);

/// <summary>One event log.</summary>
/// <param name="Address">Emitting contract.</param>
/// <param name="Topics">Topics (0 to 4).</param>
/// <param name="Data">Non-indexed data.</param>
/// <param name="BlockNumber">Block number.</param>
/// <param name="BlockHash">Block hash.</param>
/// <param name="TransactionHash">Transaction hash.</param>
/// <param name="LogIndex">Index in the block.</param>
/// <param name="Removed">True when a node reports it removed by a reorg (many nodes never do).</param>
public sealed record LogEntry(Address Address, IReadOnlyList<Hash32> Topics, byte[] Data, ulong BlockNumber, Hash32 BlockHash,
    Hash32 TransactionHash, ulong LogIndex, bool Removed);

/// <summary>A mined transaction's receipt.</summary>
/// <param name="TransactionHash">Transaction hash.</param>
/// <param name="BlockHash">Block that contains it.</param>
/// <param name="BlockNumber">Its number.</param>
/// <param name="From">Sender.</param>
/// <param name="To">Recipient (null for a deployment).</param>
/// <param name="Succeeded">Status 1 (success) or 0 (reverted).</param>
/// <param name="GasUsed">Gas used by this transaction.</param>
/// <param name="EffectiveGasPrice">Price paid per gas.</param>
/// <param name="ContractAddress">Created contract, for deployments.</param>
/// <param name="Logs">Logs emitted.</param>
public sealed record TransactionReceipt(Hash32 TransactionHash, Hash32 BlockHash, ulong BlockNumber, Address From, Address? To, bool Succeeded,
    ulong GasUsed, BigInteger EffectiveGasPrice, Address? ContractAddress, IReadOnlyList<LogEntry> Logs);

/// <summary>What <c>eth_getTransactionByHash</c> says of a transaction.</summary>
/// <param name="Hash">Transaction hash.</param>
/// <param name="From">Sender.</param>
/// <param name="Nonce">Nonce.</param>
/// <param name="BlockHash">Block, or null while pending.</param>
/// <param name="BlockNumber">Block number, or null while pending.</param>
public sealed record RpcTransaction(Hash32 Hash, Address From, ulong Nonce, Hash32? BlockHash, ulong? BlockNumber);

/// <summary>A read-only call or a gas estimate.</summary>
public sealed record CallRequest
{
    /// <summary>Caller (matters for access-controlled views and estimates).</summary>
    public Address? From { get; init; }

    /// <summary>Contract called; null estimates a deployment.</summary>
    public Address? To { get; init; }

    /// <summary>Call data.</summary>
    public byte[] Data { get; init; } = [];

    /// <summary>Wei sent.</summary>
    public BigInteger Value { get; init; }

    /// <summary>Gas limit for the call, if any.</summary>
    public ulong? Gas { get; init; }
}

/// <summary>An <c>eth_getLogs</c> filter: a block range, addresses, and topics per position (null = any; several = any of them).</summary>
public sealed record LogFilter
{
    /// <summary>First block (inclusive).</summary>
    public ulong FromBlock { get; init; }

    /// <summary>Last block (inclusive).</summary>
    public ulong ToBlock { get; init; }

    /// <summary>Emitting contracts (empty = any).</summary>
    public IReadOnlyList<Address> Addresses { get; init; } = [];

    /// <summary>Topic filters by position.</summary>
    public IReadOnlyList<IReadOnlyList<Hash32>?> Topics { get; init; } = [];
}

/// <summary>What <c>eth_feeHistory</c> reports.</summary>
/// <param name="OldestBlock">First block covered.</param>
/// <param name="BaseFeePerGas">Base fees, including the next block's (one more than the blocks covered).</param>
/// <param name="GasUsedRatio">Fullness of each block.</param>
/// <param name="Reward">Priority fees at the requested percentiles, per block.</param>
public sealed record FeeHistory(ulong OldestBlock, IReadOnlyList<BigInteger> BaseFeePerGas, IReadOnlyList<double> GasUsedRatio,
    IReadOnlyList<IReadOnlyList<BigInteger>> Reward);
