using System.Numerics;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Ethereum.Transactions;
using Iskander.Chain.Governance;

namespace Iskander.Chain.Bridge.Governance;

/// <summary>A contract refused an action (its custom error, decoded).</summary>
public sealed class ActionRefusedException(string message) : Exception(message);

/// <summary>A scheduled action as the chain reports it.</summary>
/// <param name="Status">Where it stands.</param>
/// <param name="ExecutableAt">Chain time (Unix seconds) from which it may execute; 0 when never scheduled.</param>
/// <param name="ExpiresAt">Chain time from which it is expired.</param>
public sealed record ScheduledAction(ScheduledStatus Status, ulong ExecutableAt, ulong ExpiresAt);

/// <summary>
/// The governed contracts as the bridge uses them: the public schedule (<c>ActionSchedule</c>, whose
/// record of each action is the truth consulted), scheduling an anchored action, and sending the
/// executing call. The sender is the bridge's key, which must be CoopIdentity's issuer for
/// admissions; it is shared with anchoring so that one nonce sequence serves both.
/// </summary>
public sealed class GovernanceChain(EthClient client, GovernanceTargets targets, Address schedule, Address issuer, ulong startBlock, ContractAbi scheduleAbi, ContractAbi identityAbi,
    ContractAbi constitutionAbi, TransactionSender? sender = null)
{
    /// <summary>The node.</summary>
    public EthClient Client => client;

    /// <summary>Chain and contracts.</summary>
    public GovernanceTargets Targets => targets;

    /// <summary>The ActionSchedule.</summary>
    public Address Schedule => schedule;

    /// <summary>CoopIdentity's issuer: the active party of every membership agreement.</summary>
    public Address Issuer => issuer;

    /// <summary>The block the contracts were deployed at (where the membership mirror starts).</summary>
    public ulong StartBlock => startBlock;

    /// <summary>CoopIdentity's ABI.</summary>
    public ContractAbi IdentityAbi => identityAbi;

    private TransactionSender Sender => sender ?? throw new InvalidOperationException("this GovernanceChain is read-only (no bridge key)");

    /// <summary>Where action <paramref name="actionId"/> stands on the chain as the node sees it now.</summary>
    public async Task<ScheduledAction> ScheduledAsync(Hash32 actionId, CancellationToken cancellationToken)
    {
        var status = (BigInteger)(await CallAsync("statusOf", actionId, cancellationToken).ConfigureAwait(false))[0]!;
        var action = (object?[])(await CallAsync("actionOf", actionId, cancellationToken).ConfigureAwait(false))[0]!;
        return new ScheduledAction((ScheduledStatus)(int)status, (ulong)(BigInteger)action[0]!, (ulong)(BigInteger)action[1]!);
    }

    /// <summary>The timestamp of the latest block (the clock the schedule's notice and expiry follow).</summary>
    public async Task<ulong> ChainTimeAsync(CancellationToken cancellationToken)
    {
        var head = await client.GetBlockByNumberAsync(await client.BlockNumberAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return head?.Timestamp ?? throw new InvalidOperationException("the node returned no head block");
    }

    /// <summary>Sends <paramref name="function"/>(<paramref name="arguments"/>) to <paramref name="target"/> (a governed contract or the schedule) without waiting for it to be mined.</summary>
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
            var name = target == schedule ? "ActionSchedule" : target == targets.Identity ? "CoopIdentity" : "Constitution";
            throw new ActionRefusedException($"{name} refused {function}: {abi.DecodeRevert(data)}");
        }
    }

    /// <summary>Re-reads the key's nonce after a dropped or reorged transaction.</summary>
    public Task ResyncNonceAsync(CancellationToken cancellationToken) => Sender.Nonces.ResyncAsync(cancellationToken);

    private async Task<object?[]> CallAsync(string function, Hash32 actionId, CancellationToken cancellationToken)
    {
        var call = scheduleAbi.Function(function);
        var output = await client.CallAsync(new CallRequest { To = schedule, Data = call.EncodeCall([actionId.ToArray()]) }, "latest", cancellationToken).ConfigureAwait(false);
        return call.DecodeOutput(output);
    }

    private ContractAbi AbiFor(Address target) => target == schedule ? scheduleAbi : target == targets.Identity ? identityAbi : constitutionAbi;
}
