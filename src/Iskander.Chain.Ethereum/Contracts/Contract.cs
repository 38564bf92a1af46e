using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.JsonRpc;

namespace Iskander.Chain.Ethereum.Contracts;

/// <summary>
/// A deployed contract with its ABI: read-only calls, transactions through a <see cref="TransactionSender"/>,
/// event decoding of receipts, and reverts turned into <see cref="ContractRevertException"/> with the
/// contract's own custom errors.
/// </summary>
public sealed class Contract(EthClient client, Address address, ContractAbi abi, TransactionSender? sender = null)
{
    /// <summary>Default time to wait for a transaction to be mined.</summary>
    public static readonly TimeSpan DefaultReceiptTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The contract's address.</summary>
    public Address Address { get; } = address;

    /// <summary>Its ABI.</summary>
    public ContractAbi Abi { get; } = abi;

    /// <summary>A copy of this contract bound to another sender.</summary>
    public Contract WithSender(TransactionSender newSender) => new(client, Address, Abi, newSender);

    /// <summary>Calls a function without a transaction (<c>eth_call</c>) and decodes its return values.</summary>
    /// <exception cref="ContractRevertException">The call reverted.</exception>
    public async Task<object?[]> CallAsync(string function, object?[] arguments, Address? from = null, CancellationToken cancellationToken = default)
    {
        var abiFunction = Abi.Function(function);
        var data = abiFunction.EncodeCall(arguments);
        try
        {
            var result = await client.CallAsync(new CallRequest { From = from ?? sender?.Account, To = Address, Data = data }, "latest", cancellationToken)
                .ConfigureAwait(false);
            return abiFunction.DecodeOutput(result);
        }
        catch (JsonRpcErrorException ex) when (ex.RevertData is { } revertData)
        {
            throw new ContractRevertException($"{abiFunction.Signature} on {Address}", Abi.DecodeRevert(revertData), ex);
        }
    }

    /// <summary>Calls a function that returns one value and casts it.</summary>
    public async Task<T> CallAsync<T>(string function, params object?[] arguments) =>
        (T)(await CallAsync(function, arguments).ConfigureAwait(false))[0]!;

    /// <summary>Sends a transaction calling <paramref name="function"/> and waits for its receipt.</summary>
    /// <exception cref="ContractRevertException">The gas estimate (a dry run) reverted, or the mined transaction failed.</exception>
    public async Task<TransactionReceipt> SendAsync(string function, object?[] arguments, CancellationToken cancellationToken = default)
    {
        var transactionSender = sender ?? throw new InvalidOperationException("this Contract has no sender; use WithSender");
        var abiFunction = Abi.Function(function);
        var request = new TransactionRequest { To = Address, Data = abiFunction.EncodeCall(arguments) };
        Transactions.SignedTransaction signed;
        try
        {
            signed = await transactionSender.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonRpcErrorException ex) when (ex.RevertData is { } revertData)
        {
            throw new ContractRevertException($"{abiFunction.Signature} on {Address}", Abi.DecodeRevert(revertData), ex);
        }

        var receipt = await transactionSender.WaitForReceiptAsync(signed.Hash, DefaultReceiptTimeout, cancellationToken).ConfigureAwait(false);
        if (!receipt.Succeeded)
        {
            throw new ContractRevertException($"{abiFunction.Signature} on {Address} (mined in {receipt.TransactionHash})", new DecodedRevert(null, [], []));
        }

        return receipt;
    }

    /// <summary>The logs of <paramref name="receipt"/> that this contract emitted, decoded with its ABI (unknown events skipped).</summary>
    public IReadOnlyList<DecodedEvent> DecodeEvents(TransactionReceipt receipt) =>
        receipt.Logs.Where(l => l.Address == Address).Select(l => Abi.DecodeLog(l.Topics, l.Data)).OfType<DecodedEvent>().ToList();

    /// <summary>Deploys <paramref name="artifact"/> with constructor <paramref name="arguments"/> and waits for it to be mined.</summary>
    /// <exception cref="ContractRevertException">The constructor reverted.</exception>
    public static async Task<Contract> DeployAsync(TransactionSender sender, ForgeArtifact artifact, object?[] arguments, CancellationToken cancellationToken = default)
    {
        var data = AbiCodec.EncodeWithPrefix(artifact.Bytecode, artifact.Abi.Constructor.InputTypes, arguments);
        Transactions.SignedTransaction signed;
        try
        {
            signed = await sender.SendAsync(new TransactionRequest { Data = data }, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonRpcErrorException ex) when (ex.RevertData is { } revertData)
        {
            throw new ContractRevertException($"deploying {artifact.Name}", artifact.Abi.DecodeRevert(revertData), ex);
        }

        var receipt = await sender.WaitForReceiptAsync(signed.Hash, DefaultReceiptTimeout, cancellationToken).ConfigureAwait(false);
        if (!receipt.Succeeded || receipt.ContractAddress is not { } address)
        {
            throw new ContractRevertException($"deploying {artifact.Name} (mined in {receipt.TransactionHash})", new DecodedRevert(null, [], []));
        }

        return new Contract(sender.Client, address, artifact.Abi, sender);
    }
}
