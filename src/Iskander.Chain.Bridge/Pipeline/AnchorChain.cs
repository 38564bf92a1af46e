using System.Numerics;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.JsonRpc;

namespace Iskander.Chain.Bridge.Pipeline;

/// <summary>What the DecisionAnchor contract knows of a root.</summary>
/// <param name="Sequence">Batch sequence (0 when not anchored).</param>
/// <param name="LeafCount">Leaves.</param>
/// <param name="BlockNumber">Block of the anchoring transaction (0 when not anchored).</param>
public sealed record AnchoredBatch(ulong Sequence, ulong LeafCount, ulong BlockNumber)
{
    /// <summary>Whether the root is anchored on the chain as the node sees it now.</summary>
    public bool IsAnchored => Sequence > 0;
}

/// <summary>One <c>BatchAnchored</c> event: a root the DecisionAnchor holds.</summary>
/// <param name="Sequence">Batch sequence (1, 2, … without gaps).</param>
/// <param name="Root">The root.</param>
/// <param name="LeafCount">Leaves.</param>
/// <param name="BlockNumber">Block of the anchor.</param>
public sealed record AnchoredRoot(ulong Sequence, Hash32 Root, ulong LeafCount, ulong BlockNumber);

/// <summary>The DecisionAnchor contract as the pipeline uses it: read a root's batch, send an anchor (with a sender; verification needs none).</summary>
public sealed class AnchorChain(EthClient client, Address anchor, ContractAbi abi, TransactionSender? sender = null)
{
    // The one view a verifier needs, so that verification does not depend on build artifacts.
    private const string BatchOfAbi = """
        [{"type":"function","name":"batchOf","stateMutability":"view","inputs":[{"name":"root","type":"bytes32"}],
          "outputs":[{"name":"","type":"tuple","components":[{"name":"sequence","type":"uint64"},{"name":"leafCount","type":"uint64"},
          {"name":"anchoredAt","type":"uint64"},{"name":"blockNumber","type":"uint64"}]}]}]
        """;

    /// <summary>topic0 of <c>BatchAnchored(uint64 indexed sequence, bytes32 indexed root, uint64 leafCount, uint64 anchoredAt)</c>.</summary>
    public static readonly Hash32 BatchAnchoredTopic = Hash32.Keccak("BatchAnchored(uint64,bytes32,uint64,uint64)"u8);

    // Blocks per eth_getLogs request when listing anchors (one contract, one topic: nodes allow far more).
    private const ulong LogRange = 10_000;

    /// <summary>A read-only view of a DecisionAnchor, for verifiers.</summary>
    public static AnchorChain ReadOnly(EthClient client, Address anchor) => new(client, anchor, ContractAbi.Parse(BatchOfAbi));

    private TransactionSender Sender => sender ?? throw new InvalidOperationException("this AnchorChain is read-only (no anchorer key)");

    /// <summary>The node.</summary>
    public EthClient Client => client;

    /// <summary>The DecisionAnchor's address.</summary>
    public Address Address => anchor;

    /// <summary><c>batchOf(root)</c>.</summary>
    public async Task<AnchoredBatch> BatchOfAsync(Hash32 root, CancellationToken cancellationToken)
    {
        var function = abi.Function("batchOf");
        var output = await client.CallAsync(new CallRequest { To = anchor, Data = function.EncodeCall([root.ToArray()]) }, "latest", cancellationToken).ConfigureAwait(false);
        var batch = (object?[])function.DecodeOutput(output)[0]!;
        return new AnchoredBatch((ulong)(BigInteger)batch[0]!, (ulong)(BigInteger)batch[1]!, (ulong)(BigInteger)batch[3]!);
    }

    /// <summary>Every root anchored from <paramref name="fromBlock"/> to the node's head, in sequence order, as the contract's own events say.</summary>
    /// <exception cref="FormatException">A log is not a <c>BatchAnchored</c> event as the contract emits it.</exception>
    public async Task<IReadOnlyList<AnchoredRoot>> AnchoredRootsAsync(ulong fromBlock, CancellationToken cancellationToken)
    {
        var head = await client.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        var roots = new List<AnchoredRoot>();
        for (var start = fromBlock; start <= head; start += LogRange)
        {
            var logs = await client.GetLogsAsync(new LogFilter { FromBlock = start, ToBlock = Math.Min(head, start + LogRange - 1), Addresses = [anchor], Topics = [[BatchAnchoredTopic]] },
                cancellationToken).ConfigureAwait(false);
            foreach (var log in logs)
            {
                if (log.Topics.Count != 3 || log.Data.Length != 64) throw new FormatException($"a BatchAnchored log of {anchor} in block {log.BlockNumber} has the wrong shape");
                var words = AbiCodec.Decode([AbiType.Parse("uint64"), AbiType.Parse("uint64")], log.Data); // strict: dirty high bits are refused
                roots.Add(new AnchoredRoot((ulong)new BigInteger(log.Topics[1].Bytes, isUnsigned: true, isBigEndian: true), log.Topics[2], (ulong)(BigInteger)words[0]!, log.BlockNumber));
            }
        }

        return roots.OrderBy(r => r.Sequence).ToList();
    }

    /// <summary>Re-reads the anchorer's nonce from the node: after a reorg or a dropped transaction the locally reserved nonces are wrong.</summary>
    public Task ResyncNonceAsync(CancellationToken cancellationToken) => Sender.Nonces.ResyncAsync(cancellationToken);

    /// <summary>
    /// Sends <c>anchor(root, leafCount)</c> without waiting for it to be mined. Returns null when the
    /// contract says the root is already anchored (a previous attempt made it).
    /// </summary>
    public async Task<Ethereum.Transactions.SignedTransaction?> SendAnchorAsync(Hash32 root, int leafCount, CancellationToken cancellationToken)
    {
        try
        {
            return await Sender.SendAsync(new TransactionRequest { To = anchor, Data = abi.Function("anchor").EncodeCall([root.ToArray(), (ulong)leafCount]) }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (JsonRpcErrorException ex) when (ex.RevertData is { } data && abi.DecodeRevert(data).Error?.Name == "RootAlreadyAnchored")
        {
            return null;
        }
    }
}
