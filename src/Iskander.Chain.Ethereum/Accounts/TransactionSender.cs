using System.Numerics;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Ethereum.Transactions;
using Serilog;

namespace Iskander.Chain.Ethereum.Accounts;

/// <summary>What to send; the sender fills in chain id, nonce, fees and (unless given) gas.</summary>
public sealed record TransactionRequest
{
    /// <summary>Recipient; null deploys <see cref="Data"/>.</summary>
    public Address? To { get; init; }

    /// <summary>Call data or init code.</summary>
    public byte[] Data { get; init; } = [];

    /// <summary>Wei sent.</summary>
    public BigInteger Value { get; init; }

    /// <summary>Gas limit; null estimates it (with a safety margin).</summary>
    public ulong? GasLimit { get; init; }
}

/// <summary>Options of a <see cref="TransactionSender"/>.</summary>
public sealed record SenderOptions
{
    /// <summary>Margin added to gas estimates, in percent.</summary>
    public int GasMarginPercent { get; init; } = 20;

    /// <summary>How much a replacement raises both fees, in percent (nodes require at least 10).</summary>
    public int ReplacementBumpPercent { get; init; } = 15;

    /// <summary>Fee limits.</summary>
    public FeeOptions Fees { get; init; } = new();
}

/// <summary>
/// Builds, signs and sends transactions for one account: nonces from a shared <see cref="NonceManager"/>,
/// fees from <see cref="FeeSuggester"/>, gas from estimates. Also replaces stuck transactions (same
/// nonce, higher fees) and re-broadcasts transactions a reorg dropped.
/// </summary>
public sealed class TransactionSender
{
    private readonly EthClient _client;
    private readonly ITransactionSigner _signer;
    private readonly SenderOptions _options;
    private readonly FeeSuggester _fees;
    private readonly ILogger _log;
    private ulong? _chainId;

    /// <summary>Creates a sender for <paramref name="signer"/>'s account.</summary>
    public TransactionSender(EthClient client, ITransactionSigner signer, SenderOptions? options = null, ILogger? logger = null)
    {
        _client = client;
        _signer = signer;
        _options = options ?? new SenderOptions();
        _fees = new FeeSuggester(client, _options.Fees);
        _log = (logger ?? Serilog.Core.Logger.None).ForContext<TransactionSender>();
        Nonces = new NonceManager(client, signer.Address);
    }

    /// <summary>The sending account.</summary>
    public Address Account => _signer.Address;

    /// <summary>This account's nonces.</summary>
    public NonceManager Nonces { get; }

    /// <summary>The client used.</summary>
    public EthClient Client => _client;

    /// <summary>Builds, signs and sends; returns once the node accepted it (not mined).</summary>
    /// <exception cref="JsonRpcErrorException">The node refused it (the estimate reverted, insufficient funds, …).</exception>
    public async Task<SignedTransaction> SendAsync(TransactionRequest request, CancellationToken cancellationToken = default)
    {
        var chainId = _chainId ??= await _client.ChainIdAsync(cancellationToken).ConfigureAwait(false);
        var gas = request.GasLimit ?? await EstimateAsync(request, cancellationToken).ConfigureAwait(false);
        var fees = await _fees.SuggestAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var nonce = await Nonces.ReserveAsync(cancellationToken).ConfigureAwait(false);
            var transaction = Build(request, chainId, nonce, gas, fees);
            var signed = await _signer.SignAsync(transaction, cancellationToken).ConfigureAwait(false);
            try
            {
                await BroadcastAsync(signed, cancellationToken).ConfigureAwait(false);
                _log.Information("Sent {TxHash} from {Account} nonce {Nonce}", signed.Hash, Account, nonce);
                return signed;
            }
            catch (JsonRpcErrorException ex) when (IsNonceConflict(ex) && attempt < 3)
            {
                _log.Warning("Nonce {Nonce} refused ({Reason}); resyncing from the node", nonce, ex.RpcMessage);
                await Nonces.ResyncAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (JsonRpcErrorException)
            {
                await Nonces.ReleaseAsync(nonce, cancellationToken).ConfigureAwait(false);
                throw;
            }
            catch (RpcTransportException)
            {
                // The node may or may not have it: let the next reservation ask the node.
                await Nonces.ResyncAsync(cancellationToken).ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>Replaces a pending transaction: same nonce and content, fees raised by <see cref="SenderOptions.ReplacementBumpPercent"/> (or to current suggestions if higher).</summary>
    public async Task<SignedTransaction> ReplaceAsync(SignedTransaction pending, CancellationToken cancellationToken = default)
    {
        var old = pending.Transaction;
        var current = await _fees.SuggestAsync(cancellationToken).ConfigureAwait(false);
        BigInteger Bump(BigInteger value, BigInteger suggested) =>
            BigInteger.Max(value * (100 + _options.ReplacementBumpPercent) / 100 + 1, suggested);
        var replacement = old.Type == TransactionType.DynamicFee
            ? old with
            {
                MaxFeePerGas = Bump(old.MaxFeePerGas, current.MaxFeePerGas),
                MaxPriorityFeePerGas = Bump(old.MaxPriorityFeePerGas, current.MaxPriorityFeePerGas),
            }
            : old with { GasPrice = Bump(old.GasPrice, current.GasPrice) };
        var signed = await _signer.SignAsync(replacement, cancellationToken).ConfigureAwait(false);
        await BroadcastAsync(signed, cancellationToken).ConfigureAwait(false);
        _log.Information("Replaced {OldTxHash} with {TxHash} (nonce {Nonce})", pending.Hash, signed.Hash, old.Nonce);
        return signed;
    }

    /// <summary>Broadcasts an already signed transaction again (after a reorg dropped it). Harmless if the node already has it.</summary>
    public Task ResendAsync(SignedTransaction signed, CancellationToken cancellationToken = default) => BroadcastAsync(signed, cancellationToken);

    /// <summary>Waits for the receipt (see <see cref="ReceiptWaiter"/>).</summary>
    public Task<TransactionReceipt> WaitForReceiptAsync(Hash32 hash, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ReceiptWaiter.WaitAsync(_client, hash, timeout, cancellationToken);

    private async Task BroadcastAsync(SignedTransaction signed, CancellationToken cancellationToken)
    {
        try
        {
            var hash = await _client.SendRawTransactionAsync(signed.Encoded, cancellationToken).ConfigureAwait(false);
            if (hash != signed.Hash) throw new RpcProtocolException($"node reported hash {hash} for transaction {signed.Hash}");
        }
        catch (JsonRpcErrorException ex) when (ex.RpcMessage.Contains("already known", StringComparison.OrdinalIgnoreCase)
                                              || ex.RpcMessage.Contains("already imported", StringComparison.OrdinalIgnoreCase))
        {
            // The node has this exact transaction: sending it again changes nothing.
        }
    }

    private async Task<ulong> EstimateAsync(TransactionRequest request, CancellationToken cancellationToken)
    {
        var estimate = await _client.EstimateGasAsync(new CallRequest { From = Account, To = request.To, Data = request.Data, Value = request.Value },
            cancellationToken).ConfigureAwait(false);
        return estimate + estimate * (ulong)_options.GasMarginPercent / 100;
    }

    private static Transaction Build(TransactionRequest request, ulong chainId, ulong nonce, ulong gas, FeeSuggestion fees) => new()
    {
        Type = fees.IsDynamic ? TransactionType.DynamicFee : TransactionType.Legacy,
        ChainId = chainId,
        Nonce = nonce,
        MaxFeePerGas = fees.MaxFeePerGas,
        MaxPriorityFeePerGas = fees.MaxPriorityFeePerGas,
        GasPrice = fees.GasPrice,
        GasLimit = gas,
        To = request.To,
        Value = request.Value,
        Data = request.Data,
    };

    private static bool IsNonceConflict(JsonRpcErrorException ex) =>
        ex.RpcMessage.Contains("nonce too low", StringComparison.OrdinalIgnoreCase)
        || ex.RpcMessage.Contains("nonce too high", StringComparison.OrdinalIgnoreCase)
        || ex.RpcMessage.Contains("replacement transaction underpriced", StringComparison.OrdinalIgnoreCase);
}
