using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Ethereum.Transactions;
using Iskander.Chain.Governance;

namespace Iskander.Chain.Bridge.Governance;

/// <summary>A contract refused an action (its custom error, decoded).</summary>
public sealed class ActionRefusedException(string message) : Exception(message);

/// <summary>
/// The governed contracts as the bridge uses them: whether an action leaf was executed (the
/// contracts' own record, <c>actionExecuted</c>), and sending the executing call. The sender is the
/// bridge's key, which must be CoopIdentity's issuer for admissions; it is shared with anchoring so
/// that one nonce sequence serves both.
/// </summary>
public sealed class GovernanceChain(EthClient client, GovernanceTargets targets, Address issuer, ulong startBlock, ContractAbi identityAbi, ContractAbi constitutionAbi, TransactionSender? sender = null)
{
    /// <summary>The node.</summary>
    public EthClient Client => client;

    /// <summary>Chain and contracts.</summary>
    public GovernanceTargets Targets => targets;

    /// <summary>CoopIdentity's issuer: the active party of every membership agreement.</summary>
    public Address Issuer => issuer;

    /// <summary>The block the contracts were deployed at (where the membership mirror starts).</summary>
    public ulong StartBlock => startBlock;

    /// <summary>CoopIdentity's ABI.</summary>
    public ContractAbi IdentityAbi => identityAbi;

    private TransactionSender Sender => sender ?? throw new InvalidOperationException("this GovernanceChain is read-only (no bridge key)");

    /// <summary>Whether <paramref name="leaf"/> was executed at <paramref name="target"/> on the chain as the node sees it now.</summary>
    public async Task<bool> ActionExecutedAsync(Address target, Hash32 leaf, CancellationToken cancellationToken)
    {
        var function = AbiFor(target).Function("actionExecuted");
        var output = await client.CallAsync(new CallRequest { To = target, Data = function.EncodeCall([leaf.ToArray()]) }, "latest", cancellationToken).ConfigureAwait(false);
        return (bool)function.DecodeOutput(output)[0]!;
    }

    /// <summary>Sends <paramref name="function"/>(<paramref name="arguments"/>) to <paramref name="target"/> without waiting for it to be mined.</summary>
    /// <exception cref="ActionRefusedException">The contract reverts (estimated before sending), with its decoded error.</exception>
    public async Task<SignedTransaction> SendAsync(Address target, string function, object?[] arguments, CancellationToken cancellationToken)
    {
        var abi = AbiFor(target);
        try
        {
            return await Sender.SendAsync(new TransactionRequest { To = target, Data = abi.Function(function).EncodeCall(arguments) }, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonRpcErrorException ex) when (ex.RevertData is { } data)
        {
            throw new ActionRefusedException($"{(target == targets.Identity ? "CoopIdentity" : "Constitution")} refused {function}: {abi.DecodeRevert(data)}");
        }
    }

    /// <summary>Re-reads the key's nonce after a dropped or reorged transaction.</summary>
    public Task ResyncNonceAsync(CancellationToken cancellationToken) => Sender.Nonces.ResyncAsync(cancellationToken);

    private ContractAbi AbiFor(Address target) => target == targets.Identity ? identityAbi : constitutionAbi;
}
