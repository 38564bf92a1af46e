using System.Numerics;
using System.Text.Json;

namespace Iskander.Chain.Ethereum.JsonRpc;

/// <summary>
/// Typed <c>eth_*</c> calls. A null result is an error wherever the method cannot legitimately
/// return null; where it can (a pending receipt, an unknown transaction or block) the method
/// returns a nullable value and says so.
/// </summary>
public sealed class EthClient(JsonRpcClient rpc)
{
    /// <summary>The underlying JSON-RPC client (for node-specific methods such as <c>anvil_*</c>).</summary>
    public JsonRpcClient Rpc { get; } = rpc;

    /// <summary><c>eth_chainId</c>.</summary>
    public async Task<ulong> ChainIdAsync(CancellationToken cancellationToken = default) =>
        Json("eth_chainId").QuantityUInt64(await NonNullAsync("eth_chainId", [], cancellationToken).ConfigureAwait(false), "result");

    /// <summary><c>eth_blockNumber</c>.</summary>
    public async Task<ulong> BlockNumberAsync(CancellationToken cancellationToken = default) =>
        Json("eth_blockNumber").QuantityUInt64(await NonNullAsync("eth_blockNumber", [], cancellationToken).ConfigureAwait(false), "result");

    /// <summary><c>eth_getBalance</c> at <paramref name="block"/> (a tag or a quantity).</summary>
    public async Task<BigInteger> GetBalanceAsync(Address address, string block = "latest", CancellationToken cancellationToken = default) =>
        Json("eth_getBalance").Quantity(await NonNullAsync("eth_getBalance", [address.ToLowerHex(), block], cancellationToken).ConfigureAwait(false), "result");

    /// <summary><c>eth_getTransactionCount</c>; with <c>pending</c>, the next nonce the node expects.</summary>
    public async Task<ulong> GetTransactionCountAsync(Address address, string block = "pending", CancellationToken cancellationToken = default) =>
        Json("eth_getTransactionCount").QuantityUInt64(
            await NonNullAsync("eth_getTransactionCount", [address.ToLowerHex(), block], cancellationToken).ConfigureAwait(false), "result");

    /// <summary><c>eth_gasPrice</c>.</summary>
    public async Task<BigInteger> GasPriceAsync(CancellationToken cancellationToken = default) =>
        Json("eth_gasPrice").Quantity(await NonNullAsync("eth_gasPrice", [], cancellationToken).ConfigureAwait(false), "result");

    /// <summary><c>eth_sendRawTransaction</c>; returns the hash the node reports.</summary>
    public async Task<Hash32> SendRawTransactionAsync(byte[] encoded, CancellationToken cancellationToken = default) =>
        Json("eth_sendRawTransaction").Hash(
            await NonNullAsync("eth_sendRawTransaction", [Hex.Encode(encoded)], cancellationToken).ConfigureAwait(false), "result");

    /// <summary><c>eth_call</c>; a revert surfaces as <see cref="JsonRpcErrorException"/> carrying the revert data.</summary>
    public async Task<byte[]> CallAsync(CallRequest call, string block = "latest", CancellationToken cancellationToken = default) =>
        Json("eth_call").Data(await NonNullAsync("eth_call", [CallObject(call), block], cancellationToken).ConfigureAwait(false), "result");

    /// <summary><c>eth_estimateGas</c>.</summary>
    public async Task<ulong> EstimateGasAsync(CallRequest call, CancellationToken cancellationToken = default) =>
        Json("eth_estimateGas").QuantityUInt64(await NonNullAsync("eth_estimateGas", [CallObject(call)], cancellationToken).ConfigureAwait(false), "result");

    /// <summary><c>eth_getTransactionReceipt</c>; null while pending or unknown (also when a node returns a receipt without a block hash).</summary>
    public async Task<TransactionReceipt?> GetTransactionReceiptAsync(Hash32 hash, CancellationToken cancellationToken = default)
    {
        const string method = "eth_getTransactionReceipt";
        var result = await Rpc.CallAsync(method, [hash.ToString()], cancellationToken).ConfigureAwait(false);
        if (result.ValueKind == JsonValueKind.Null) return null;
        var json = Json(method);
        var receipt = json.Object(result);
        if (json.IsNullOrMissing(receipt, "blockHash")) return null;
        return new TransactionReceipt(
            json.Hash(json.Property(receipt, "transactionHash"), "transactionHash"),
            json.Hash(json.Property(receipt, "blockHash"), "blockHash"),
            json.QuantityUInt64(json.Property(receipt, "blockNumber"), "blockNumber"),
            json.Address(json.Property(receipt, "from"), "from"),
            json.IsNullOrMissing(receipt, "to") ? null : json.Address(json.Property(receipt, "to"), "to"),
            json.QuantityUInt64(json.Property(receipt, "status"), "status") == 1,
            json.QuantityUInt64(json.Property(receipt, "gasUsed"), "gasUsed"),
            json.IsNullOrMissing(receipt, "effectiveGasPrice") ? BigInteger.Zero : json.Quantity(json.Property(receipt, "effectiveGasPrice"), "effectiveGasPrice"),
            json.IsNullOrMissing(receipt, "contractAddress") ? null : json.Address(json.Property(receipt, "contractAddress"), "contractAddress"),
            json.Array(json.Property(receipt, "logs"), "logs").Select(json.Log).ToList());
    }

    /// <summary><c>eth_getTransactionByHash</c>; null when the node does not know it (never sent, or dropped by a reorg).</summary>
    public async Task<RpcTransaction?> GetTransactionByHashAsync(Hash32 hash, CancellationToken cancellationToken = default)
    {
        const string method = "eth_getTransactionByHash";
        var result = await Rpc.CallAsync(method, [hash.ToString()], cancellationToken).ConfigureAwait(false);
        if (result.ValueKind == JsonValueKind.Null) return null;
        var json = Json(method);
        var tx = json.Object(result);
        return new RpcTransaction(
            json.Hash(json.Property(tx, "hash"), "hash"),
            json.Address(json.Property(tx, "from"), "from"),
            json.QuantityUInt64(json.Property(tx, "nonce"), "nonce"),
            json.IsNullOrMissing(tx, "blockHash") ? null : json.Hash(json.Property(tx, "blockHash"), "blockHash"),
            json.IsNullOrMissing(tx, "blockNumber") ? null : json.QuantityUInt64(json.Property(tx, "blockNumber"), "blockNumber"));
    }

    /// <summary>The header of block <paramref name="number"/>; null when the chain is not that long.</summary>
    public Task<BlockHeader?> GetBlockByNumberAsync(ulong number, CancellationToken cancellationToken = default) =>
        GetBlockAsync("eth_getBlockByNumber", Hex.EncodeQuantity(number), cancellationToken);

    /// <summary>The header of the block tagged <paramref name="tag"/> (<c>latest</c>, <c>safe</c>, <c>finalized</c>, …).</summary>
    public Task<BlockHeader?> GetBlockByTagAsync(string tag, CancellationToken cancellationToken = default) =>
        GetBlockAsync("eth_getBlockByNumber", tag, cancellationToken);

    /// <summary>The header of the block with <paramref name="hash"/>; null when the node does not know it.</summary>
    public Task<BlockHeader?> GetBlockByHashAsync(Hash32 hash, CancellationToken cancellationToken = default) =>
        GetBlockAsync("eth_getBlockByHash", hash.ToString(), cancellationToken);

    /// <summary><c>eth_getLogs</c> for a block range.</summary>
    public async Task<IReadOnlyList<LogEntry>> GetLogsAsync(LogFilter filter, CancellationToken cancellationToken = default)
    {
        const string method = "eth_getLogs";
        var parameters = new Dictionary<string, object?>
        {
            ["fromBlock"] = Hex.EncodeQuantity(filter.FromBlock),
            ["toBlock"] = Hex.EncodeQuantity(filter.ToBlock),
        };
        if (filter.Addresses.Count > 0) parameters["address"] = filter.Addresses.Select(a => a.ToLowerHex()).ToArray();
        if (filter.Topics.Count > 0) parameters["topics"] = filter.Topics.Select(t => t?.Select(h => h.ToString()).ToArray()).ToArray();
        var result = await NonNullAsync(method, [parameters], cancellationToken).ConfigureAwait(false);
        var json = Json(method);
        return json.Array(result, "result").Select(json.Log).ToList();
    }

    /// <summary><c>eth_feeHistory</c> over the last <paramref name="blockCount"/> blocks.</summary>
    public async Task<FeeHistory> FeeHistoryAsync(int blockCount, IReadOnlyList<double> rewardPercentiles, CancellationToken cancellationToken = default)
    {
        const string method = "eth_feeHistory";
        var result = await NonNullAsync(method, [Hex.EncodeQuantity((ulong)blockCount), "latest", rewardPercentiles], cancellationToken).ConfigureAwait(false);
        var json = Json(method);
        var history = json.Object(result);
        return new FeeHistory(
            json.QuantityUInt64(json.Property(history, "oldestBlock"), "oldestBlock"),
            json.Array(json.Property(history, "baseFeePerGas"), "baseFeePerGas").Select(b => json.Quantity(b, "baseFeePerGas")).ToList(),
            json.Array(json.Property(history, "gasUsedRatio"), "gasUsedRatio").Select(r => r.GetDouble()).ToList(),
            json.IsNullOrMissing(history, "reward")
                ? []
                : json.Array(json.Property(history, "reward"), "reward")
                    .Select(block => (IReadOnlyList<BigInteger>)json.Array(block, "reward").Select(r => json.Quantity(r, "reward")).ToList()).ToList());
    }

    /// <summary>Headers of several blocks in one batched request, in the order asked; null for blocks beyond the head.</summary>
    public async Task<IReadOnlyList<BlockHeader?>> GetBlocksByNumberAsync(IReadOnlyList<ulong> numbers, CancellationToken cancellationToken = default)
    {
        const string method = "eth_getBlockByNumber";
        var results = await Rpc.BatchAsync(numbers.Select(n => new JsonRpcRequest(method, Hex.EncodeQuantity(n), false)).ToList(), cancellationToken)
            .ConfigureAwait(false);
        return results.Select(r => ParseHeader(method, r)).ToList();
    }

    private async Task<BlockHeader?> GetBlockAsync(string method, string block, CancellationToken cancellationToken) =>
        ParseHeader(method, await Rpc.CallAsync(method, [block, false], cancellationToken).ConfigureAwait(false));

    private static BlockHeader? ParseHeader(string method, JsonElement result)
    {
        if (result.ValueKind == JsonValueKind.Null) return null;
        var json = Json(method);
        var header = json.Object(result);
        return new BlockHeader(
            json.QuantityUInt64(json.Property(header, "number"), "number"),
            json.Hash(json.Property(header, "hash"), "hash"),
            json.Hash(json.Property(header, "parentHash"), "parentHash"),
            json.QuantityUInt64(json.Property(header, "timestamp"), "timestamp"),
            json.IsNullOrMissing(header, "baseFeePerGas") ? null : json.Quantity(json.Property(header, "baseFeePerGas"), "baseFeePerGas"));
    }

    private async Task<JsonElement> NonNullAsync(string method, object?[] parameters, CancellationToken cancellationToken)
    {
        var result = await Rpc.CallAsync(method, parameters, cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Null ? throw new RpcProtocolException($"{method} returned null, which it cannot legitimately do") : result;
    }

    private static Dictionary<string, object?> CallObject(CallRequest call)
    {
        var obj = new Dictionary<string, object?> { ["data"] = Hex.Encode(call.Data) };
        if (call.From is { } from) obj["from"] = from.ToLowerHex();
        if (call.To is { } to) obj["to"] = to.ToLowerHex();
        if (!call.Value.IsZero) obj["value"] = Hex.EncodeQuantity(call.Value);
        if (call.Gas is { } gas) obj["gas"] = Hex.EncodeQuantity(gas);
        return obj;
    }

    private static RpcJson Json(string method) => new(method);
}
