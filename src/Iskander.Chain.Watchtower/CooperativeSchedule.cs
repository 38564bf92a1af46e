using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Iskander.Chain.Contracts;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Eip712;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Governance;

namespace Iskander.Chain.Watchtower;

/// <summary>One <c>ActionScheduled</c> event: the whole action as the schedule published it.</summary>
/// <param name="ActionId">The action's identity.</param>
/// <param name="Poll">keccak256 of the ordering poll's key.</param>
/// <param name="Target">The contract that would execute it.</param>
/// <param name="Version">The poll's version that orders it.</param>
/// <param name="Kind">keccak256 of the kind's constant name.</param>
/// <param name="Params">The ABI-encoded parameters.</param>
/// <param name="DecisionDigest">sha2-256 of the decision record that must order it.</param>
/// <param name="Leaf">The anchored action leaf.</param>
/// <param name="ExecutableAt">Chain time from which it may execute.</param>
/// <param name="BlockNumber">Block of the scheduling transaction.</param>
public sealed record ScheduledActionEvent(Hash32 ActionId, Hash32 Poll, Address Target, ulong Version, Hash32 Kind, byte[] Params, Hash32 DecisionDigest, Hash32 Leaf, ulong ExecutableAt,
    ulong BlockNumber);

/// <summary>
/// The cooperative's ActionSchedule as a watchtower reads it and vetoes through it. Addresses and the
/// chain come from a deployment manifest the member trusts, never from the bridge; the ABI is built
/// in, so a member needs no build artifacts.
/// </summary>
public sealed class CooperativeSchedule
{
    // What a watchtower needs of ActionSchedule and CoopIdentity; a test pins it to the contracts' build.
    private const string AbiJson = """
        [{"type":"event","name":"ActionScheduled","anonymous":false,"inputs":[
            {"name":"actionId","type":"bytes32","indexed":true},{"name":"poll","type":"bytes32","indexed":true},{"name":"target","type":"address","indexed":true},
            {"name":"version","type":"uint64","indexed":false},{"name":"kind","type":"bytes32","indexed":false},{"name":"params","type":"bytes","indexed":false},
            {"name":"decisionDigest","type":"bytes32","indexed":false},{"name":"leaf","type":"bytes32","indexed":false},
            {"name":"action","type":"tuple","indexed":false,"components":[{"name":"executableAt","type":"uint64"},{"name":"expiresAt","type":"uint64"},
              {"name":"version","type":"uint64"},{"name":"batchSequence","type":"uint64"},{"name":"leafIndex","type":"uint64"},{"name":"executed","type":"bool"},
              {"name":"vetoed","type":"bool"},{"name":"poll","type":"bytes32"}]}]},
         {"type":"function","name":"statusOf","stateMutability":"view","inputs":[{"name":"actionId","type":"bytes32"}],"outputs":[{"name":"","type":"uint8"}]},
         {"type":"function","name":"vetoQuorum","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]},
         {"type":"function","name":"veto","stateMutability":"nonpayable","inputs":[{"name":"actionId","type":"bytes32"},{"name":"signatures","type":"bytes[]"}],"outputs":[]},
         {"type":"function","name":"isMember","stateMutability":"view","inputs":[{"name":"account","type":"address"}],"outputs":[{"name":"","type":"bool"}]},
         {"type":"error","name":"WrongStatus","inputs":[{"name":"actionId","type":"bytes32"},{"name":"status","type":"uint8"}]},
         {"type":"error","name":"VetoBelowQuorum","inputs":[{"name":"signatures","type":"uint256"},{"name":"required","type":"uint256"}]},
         {"type":"error","name":"NotMember","inputs":[{"name":"signer","type":"address"}]},
         {"type":"error","name":"DuplicateOrUnorderedSigner","inputs":[{"name":"signer","type":"address"}]},
         {"type":"error","name":"InvalidVetoSignature","inputs":[{"name":"index","type":"uint256"}]}]
        """;

    private static readonly ContractAbi Abi = ContractAbi.Parse(AbiJson);

    private CooperativeSchedule(EthClient client, ulong chainId, Address schedule, GovernanceTargets targets, ulong deployBlock)
    {
        Client = client;
        ChainId = chainId;
        Address = schedule;
        Targets = targets;
        DeployBlock = deployBlock;
    }

    /// <summary>The <c>ActionScheduled</c> event as the watchtower decodes it.</summary>
    public static AbiEvent ScheduledEvent => Abi.Event("ActionScheduled");

    /// <summary>The node.</summary>
    public EthClient Client { get; }

    /// <summary>The cooperative's chain.</summary>
    public ulong ChainId { get; }

    /// <summary>The ActionSchedule.</summary>
    public Address Address { get; }

    /// <summary>CoopIdentity and Constitution: the targets a decision record can order actions at.</summary>
    public GovernanceTargets Targets { get; }

    /// <summary>Where following starts.</summary>
    public ulong DeployBlock { get; }

    /// <summary>The schedule of <paramref name="manifest"/>, after checking that the node is on its chain and the schedule has code there.</summary>
    /// <exception cref="InvalidOperationException">The node is on another chain, or there is no contract at the address.</exception>
    public static async Task<CooperativeSchedule> ConnectAsync(EthClient client, DeploymentManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(manifest);
        var chainId = await client.ChainIdAsync(cancellationToken).ConfigureAwait(false);
        if (chainId != manifest.ChainId) throw new InvalidOperationException($"the node is on chain {chainId}, the cooperative's deployment on chain {manifest.ChainId}: use a node of the cooperative's chain");
        var schedule = manifest["ActionSchedule"].Address;
        var code = await client.Rpc.CallAsync("eth_getCode", [schedule.ToString(), "latest"], cancellationToken).ConfigureAwait(false);
        if (code.GetString() is not { Length: > 2 }) throw new InvalidOperationException($"there is no contract at {schedule} on chain {chainId}: not the cooperative's ActionSchedule");
        return new CooperativeSchedule(client, chainId, schedule, new GovernanceTargets(chainId, manifest["CoopIdentity"].Address, manifest["Constitution"].Address, schedule), manifest.DeployBlock);
    }

    /// <summary>Decodes an <c>ActionScheduled</c> log of this schedule; null for any other log.</summary>
    /// <exception cref="AbiException">The log claims to be the event but is malformed.</exception>
    public ScheduledActionEvent? Decode(LogEntry log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (log.Address != Address || !ScheduledEvent.Matches(log.Topics)) return null;
        var decoded = ScheduledEvent.Decode(log.Topics, log.Data);
        var action = (object?[])decoded["action"]!;
        return new ScheduledActionEvent(new Hash32((byte[])decoded["actionId"]!), new Hash32((byte[])decoded["poll"]!), (Address)decoded["target"]!, (ulong)(BigInteger)decoded["version"]!,
            new Hash32((byte[])decoded["kind"]!), (byte[])decoded["params"]!, new Hash32((byte[])decoded["decisionDigest"]!), new Hash32((byte[])decoded["leaf"]!),
            (ulong)(BigInteger)action[0]!, log.BlockNumber);
    }

    /// <summary>Where <paramref name="actionId"/> stands now.</summary>
    public async Task<ScheduledStatus> StatusAsync(Hash32 actionId, CancellationToken cancellationToken = default) =>
        (ScheduledStatus)(int)(BigInteger)(await CallAsync(Address, "statusOf", [actionId.ToArray()], cancellationToken).ConfigureAwait(false))[0]!;

    /// <summary>How many member signatures a veto needs now.</summary>
    public async Task<int> VetoQuorumAsync(CancellationToken cancellationToken = default) =>
        (int)(BigInteger)(await CallAsync(Address, "vetoQuorum", [], cancellationToken).ConfigureAwait(false))[0]!;

    /// <summary>Whether <paramref name="account"/> holds an active membership of the cooperative's CoopIdentity.</summary>
    public async Task<bool> IsMemberAsync(Address account, CancellationToken cancellationToken = default) =>
        (bool)(await CallAsync(Targets.Identity, "isMember", [account], cancellationToken).ConfigureAwait(false))[0]!;

    /// <summary>The EIP-712 veto of <paramref name="actionId"/> on this chain and schedule (<see cref="VetoSignature.TypedData"/>).</summary>
    public TypedData VetoTypedData(Hash32 actionId) => VetoSignature.TypedData(ChainId, Address, actionId);

    /// <summary>Submits <c>veto(actionId, signatures)</c> from <paramref name="sender"/> and waits for it to be mined.</summary>
    /// <returns>Null when vetoed; otherwise why the schedule refused it (e.g. another watchtower's veto came first).</returns>
    public async Task<string?> VetoAsync(TransactionSender sender, Hash32 actionId, IReadOnlyList<byte[]> signatures, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        try
        {
            var signed = await sender.SendAsync(new TransactionRequest { To = Address, Data = Abi.Function("veto").EncodeCall([actionId.ToArray(), signatures.ToArray()]) }, cancellationToken)
                .ConfigureAwait(false);
            var receipt = await sender.WaitForReceiptAsync(signed.Hash, TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
            return receipt.Succeeded ? null : $"the veto transaction {receipt.TransactionHash} failed";
        }
        catch (JsonRpcErrorException ex) when (ex.RevertData is { } data)
        {
            return $"ActionSchedule refused the veto: {Abi.DecodeRevert(data)}";
        }
    }

    private async Task<object?[]> CallAsync(Address contract, string function, object?[] arguments, CancellationToken cancellationToken)
    {
        var call = Abi.Function(function);
        var output = await Client.CallAsync(new CallRequest { To = contract, Data = call.EncodeCall(arguments) }, "latest", cancellationToken).ConfigureAwait(false);
        return call.DecodeOutput(output);
    }
}
