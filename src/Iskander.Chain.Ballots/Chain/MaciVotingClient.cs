using System.Numerics;
using Iskander.Chain.Ballots.Proving;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;

namespace Iskander.Chain.Ballots.Chain;

/// <summary>A sign-up as the contract emitted it.</summary>
/// <param name="StateIndex">The member's leaf.</param>
/// <param name="Member">The member's address.</param>
/// <param name="PublicKey">The registered key.</param>
/// <param name="BlockNumber">Block.</param>
public sealed record SignUpEvent(int StateIndex, Address Member, BabyJubJubPoint PublicKey, ulong BlockNumber);

/// <summary>A published message as the contract emitted it.</summary>
/// <param name="Index">Its position in the chain.</param>
/// <param name="Message">Ciphertext and ephemeral key.</param>
/// <param name="BlockNumber">Block.</param>
public sealed record MessageEvent(int Index, PublishedMessage Message, ulong BlockNumber);

/// <summary>The ballot's public progress, read from the contract.</summary>
/// <param name="NumSignups">Leaves, padding included.</param>
/// <param name="NumMessages">Messages published.</param>
/// <param name="VotingClosed">Whether voting is closed.</param>
/// <param name="CurrentBatch">Next batch to prove (0 when processing is complete).</param>
/// <param name="ProcessingComplete">Whether every batch is proven.</param>
/// <param name="SbCommitment">Current state/ballot commitment.</param>
/// <param name="TallyCommitment">Running tally commitment after the proven tally batches (0 before).</param>
/// <param name="ResultsPublished">Whether results are on chain.</param>
/// <param name="VotingDeadline">When voting ends.</param>
/// <param name="BatchCount">Batches of published messages (the last partial one once closed).</param>
/// <param name="TallyBatchesProven">Tally batches proven.</param>
/// <param name="TallyBatchCount">Tally batches the ballot needs.</param>
public sealed record BallotStatus(int NumSignups, int NumMessages, bool VotingClosed, int CurrentBatch, bool ProcessingComplete, BigInteger SbCommitment,
    BigInteger TallyCommitment, bool ResultsPublished, DateTimeOffset VotingDeadline, int BatchCount, int TallyBatchesProven, int TallyBatchCount)
{
    /// <summary>Whether every tally batch is proven: the tally commitment binds the final results.</summary>
    public bool TallyComplete => ProcessingComplete && TallyBatchesProven == TallyBatchCount;
}

/// <summary>A ballot's fixed settings, read from its contract and checked against <see cref="BallotLimits"/>.</summary>
/// <param name="Parameters">The circuits' shape.</param>
/// <param name="VoteOptions">Options.</param>
/// <param name="PollId">The poll id the contract derived (every command must name it).</param>
/// <param name="InitialCredits">Credits per member.</param>
public sealed record BallotSettings(BallotCircuitParameters Parameters, int VoteOptions, ulong PollId, ulong InitialCredits);

/// <summary>
/// A MACIVoting contract from C#: sign-up and publishing for voters (any funded account may
/// publish), closing and proof submission for the coordinator, events for replay, and views.
/// Keys are sent with their cofactor hint (8·hint = key) for the contract's subgroup check.
/// </summary>
public sealed class MaciVotingClient(EthClient client, Address ballot, ContractAbi abi, TransactionSender? sender = null)
{
    private readonly Contract _contract = new(client, ballot, abi, sender);

    /// <summary>The contract.</summary>
    public Address Address => ballot;

    /// <summary>The node.</summary>
    public EthClient Client => client;

    /// <summary>The same contract with another sender.</summary>
    public MaciVotingClient WithSender(TransactionSender other) => new(client, ballot, abi, other);

    /// <summary>Registers <paramref name="key"/> for the sender (a current member); returns the state index.</summary>
    public async Task<int> SignUpAsync(MaciPublicKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var receipt = await _contract.SendAsync("signUp", [Point(key.Point), Point(BabyJubJub.CofactorHint(key.Point))], cancellationToken).ConfigureAwait(false);
        var signUp = _contract.DecodeEvents(receipt).Single(e => e.Event.Name == "SignUp");
        return (int)(BigInteger)signUp["stateIndex"]!;
    }

    /// <summary>Publishes a message; returns its receipt (for gas figures).</summary>
    public Task<TransactionReceipt> PublishAsync(PublishedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _contract.SendAsync("publishMessage",
            [message.Message.Data.Select(f => (object?)f.ToBigInteger()).ToArray(), Point(message.EncryptionKey), Point(BabyJubJub.CofactorHint(message.EncryptionKey))], cancellationToken);
    }

    /// <summary>The message chain at the end of each batch ([0] is the start).</summary>
    public async Task<IReadOnlyList<BigInteger>> BatchHashesAsync(CancellationToken cancellationToken = default) =>
        ((object?[])(await _contract.CallAsync("batchHashes", [], cancellationToken: cancellationToken).ConfigureAwait(false))[0]!).Select(v => (BigInteger)v!).ToList();

    /// <summary>The sign-ups voided at close (memberships that ended while voting was open), in order.</summary>
    public async Task<IReadOnlyList<int>> VoidedSignUpsAsync(CancellationToken cancellationToken = default) =>
        ((object?[])(await _contract.CallAsync("voidedLeaves", [], cancellationToken: cancellationToken).ConfigureAwait(false))[0]!).Select(v => (int)(BigInteger)v!).ToList();

    /// <summary>Closes voting (after the deadline).</summary>
    public Task<TransactionReceipt> CloseVotingAsync(CancellationToken cancellationToken = default) => _contract.SendAsync("closeVoting", [], cancellationToken);

    /// <summary>Submits the next batch's proof.</summary>
    public Task<TransactionReceipt> ProcessMessagesAsync(Fr newSbCommitment, Groth16Proof proof, CancellationToken cancellationToken = default) =>
        _contract.SendAsync("processMessages", [newSbCommitment.ToBigInteger(), proof.ToContractArray().Cast<object?>().ToArray()], cancellationToken);

    /// <summary>Submits the proof of the next tally batch.</summary>
    public Task<TransactionReceipt> TallyVotesAsync(Fr tallyCommitment, Groth16Proof proof, CancellationToken cancellationToken = default) =>
        _contract.SendAsync("tallyVotes", [tallyCommitment.ToBigInteger(), proof.ToContractArray().Cast<object?>().ToArray()], cancellationToken);

    /// <summary>Publishes the results the tally commitment binds.</summary>
    public Task<TransactionReceipt> PublishResultsAsync(TallyResult tally, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tally);
        return _contract.SendAsync("publishResults",
            [tally.Results.Cast<object?>().ToArray(), tally.ResultsSalt.ToBigInteger(), tally.TotalSpent, tally.SpentSalt.ToBigInteger()], cancellationToken);
    }

    /// <summary>The ballot's settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting outside <see cref="BallotLimits"/> (a contract that is not MACIVoting).</exception>
    public async Task<BallotSettings> SettingsAsync(CancellationToken cancellationToken = default)
    {
        var values = new Dictionary<string, BigInteger>();
        foreach (var view in new[] { "stateTreeDepth", "batchSize", "voteOptionTreeDepth", "tallyBatchDepth", "voteOptions", "pollId", "initialCredits" })
        {
            values[view] = await ViewAsync<BigInteger>(view, cancellationToken).ConfigureAwait(false);
        }

        // Every value is range-checked before it is narrowed.
        var small = values.Where(v => v.Key is not ("pollId" or "initialCredits")).ToDictionary(v => v.Key, v => v.Value > 255 ? 0 : (int)v.Value);
        var parameters = new BallotCircuitParameters(small["stateTreeDepth"], small["batchSize"], small["voteOptionTreeDepth"], small["tallyBatchDepth"]);
        BallotLimits.Check(parameters, small["voteOptions"], values["pollId"], values["initialCredits"]);
        return new BallotSettings(parameters, small["voteOptions"], (ulong)values["pollId"], (ulong)values["initialCredits"]);
    }

    /// <summary>The contract's progress.</summary>
    public async Task<BallotStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        async Task<object?> One(string function) => (await _contract.CallAsync(function, [], cancellationToken: cancellationToken).ConfigureAwait(false))[0];
        return new BallotStatus(
            (int)(BigInteger)(await One("numSignups").ConfigureAwait(false))!,
            (int)(BigInteger)(await One("numMessages").ConfigureAwait(false))!,
            (bool)(await One("votingClosed").ConfigureAwait(false))!,
            (int)(BigInteger)(await One("currentBatch").ConfigureAwait(false))!,
            (bool)(await One("processingComplete").ConfigureAwait(false))!,
            (BigInteger)(await One("sbCommitment").ConfigureAwait(false))!,
            (BigInteger)(await One("tallyCommitment").ConfigureAwait(false))!,
            (bool)(await One("resultsPublished").ConfigureAwait(false))!,
            DateTimeOffset.FromUnixTimeSeconds((long)(BigInteger)(await One("votingDeadline").ConfigureAwait(false))!),
            (int)(BigInteger)(await One("batchCount").ConfigureAwait(false))!,
            (int)(BigInteger)(await One("tallyBatchesProven").ConfigureAwait(false))!,
            (int)(BigInteger)(await One("tallyBatchCount").ConfigureAwait(false))!);
    }

    /// <summary>The timestamp of the latest block (the contract's notion of now).</summary>
    public async Task<DateTimeOffset> ChainTimeAsync(CancellationToken cancellationToken = default)
    {
        var head = await client.GetBlockByNumberAsync(await client.BlockNumberAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return DateTimeOffset.FromUnixTimeSeconds((long)(head?.Timestamp ?? 0));
    }

    /// <summary>A view returning one value.</summary>
    public async Task<T> ViewAsync<T>(string function, CancellationToken cancellationToken = default) =>
        (T)(await _contract.CallAsync(function, [], cancellationToken: cancellationToken).ConfigureAwait(false))[0]!;

    /// <summary>The published results (empty before).</summary>
    public async Task<IReadOnlyList<BigInteger>> ResultsAsync(CancellationToken cancellationToken = default) =>
        ((object?[])(await _contract.CallAsync("results", [], cancellationToken: cancellationToken).ConfigureAwait(false))[0]!).Select(v => (BigInteger)v!).ToList();

    /// <summary>Sign-ups and messages emitted between two blocks (inclusive), in chain order.</summary>
    public async Task<(IReadOnlyList<SignUpEvent> SignUps, IReadOnlyList<MessageEvent> Messages)> EventsAsync(ulong fromBlock, ulong toBlock, CancellationToken cancellationToken = default)
    {
        var logs = await client.GetLogsAsync(new LogFilter { FromBlock = fromBlock, ToBlock = toBlock, Addresses = [ballot] }, cancellationToken).ConfigureAwait(false);
        var signUps = new List<SignUpEvent>();
        var messages = new List<MessageEvent>();
        foreach (var log in logs)
        {
            var decoded = Decode(log);
            if (decoded is SignUpEvent signUp) signUps.Add(signUp);
            else if (decoded is MessageEvent message) messages.Add(message);
        }

        return (signUps, messages);
    }

    /// <summary>Decodes one of the contract's logs into a sign-up or a message (null for other events).</summary>
    public object? Decode(LogEntry log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var decoded = abi.DecodeLog(log.Topics, log.Data);
        return decoded?.Event.Name switch
        {
            "SignUp" => new SignUpEvent((int)(BigInteger)decoded["stateIndex"]!, (Address)decoded["member"]!,
                new BabyJubJubPoint(Fr.FromBigInteger((BigInteger)decoded["publicKeyX"]!), Fr.FromBigInteger((BigInteger)decoded["publicKeyY"]!)), log.BlockNumber),
            "PublishMessage" => new MessageEvent((int)(BigInteger)decoded["messageIndex"]!,
                new PublishedMessage(new MaciMessage(((object?[])decoded["data"]!).Select(v => Fr.FromBigInteger((BigInteger)v!)).ToArray()),
                    new BabyJubJubPoint(Fr.FromBigInteger((BigInteger)decoded["encryptionKeyX"]!), Fr.FromBigInteger((BigInteger)decoded["encryptionKeyY"]!))),
                log.BlockNumber),
            _ => null,
        };
    }

    private static object?[] Point(BabyJubJubPoint point) => [point.X.ToBigInteger(), point.Y.ToBigInteger()];
}
