using System.Diagnostics;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Contracts;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.Chain;
using Iskander.Chain.Ethereum.JsonRpc;
using Npgsql;
using NpgsqlTypes;
using Serilog;

namespace Iskander.Chain.Bridge.Watching;

/// <summary>A contract whose events are mirrored.</summary>
/// <param name="Name">Its name in the deployment (e.g. <c>InterCoopEscrow</c>); stored with each event.</param>
/// <param name="Address">Where it is.</param>
/// <param name="Abi">Its ABI, to decode its logs.</param>
public sealed record WatchedContract(string Name, Address Address, ContractAbi Abi);

/// <summary>Settings of a <see cref="ContractEventMirror"/>; the defaults suit a running bridge.</summary>
public sealed record ContractWatchOptions
{
    /// <summary>Blocks that must sit on top of a block before its events are mirrored.</summary>
    public int Confirmations { get; init; } = 2;

    /// <summary>The reorg model shared with the other followers (its depth bounds the reorgs the mirror rewinds).</summary>
    public ReorgModel Reorgs { get; init; } = new();

    /// <summary>Most blocks read in one round (one transaction; one progress line while catching up).</summary>
    public ulong MaxBlocksPerRound { get; init; } = 10_000;

    /// <summary>A disputed escrow is observed once its deadline is this close in chain time (or past).</summary>
    public TimeSpan DeadlineWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Pause between rounds once caught up.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>How far a <see cref="ContractEventMirror"/> has read.</summary>
/// <param name="Done">Blocks processed since the start block.</param>
/// <param name="Total">Blocks from the start block to the confirmed head.</param>
/// <param name="Logs">Events mirrored in this catch-up.</param>
/// <param name="LogsPerSecond">Their rate.</param>
public sealed record WatchProgress(ulong Done, ulong Total, long Logs, double LogsPerSecond);

/// <summary>
/// Mirrors every event of the watched contracts into <c>chain_events</c>, decoded with their ABIs,
/// through one chain follower over all their addresses (confirmation-aware and reorg-safe, see
/// <see cref="ChainEventMirror"/>), and records Glass Box observations in the same transaction as
/// the events behind them: an anchor whose root is not one of this bridge's batches
/// (<c>chain.foreign-anchor</c>), an action entering its notice period (<c>action.in-notice</c>) and a
/// disputed escrow whose deadline is within <see cref="ContractWatchOptions.DeadlineWindow"/> of
/// chain time (<c>escrow.deadline-due</c>), each once per subject.
/// </summary>
public sealed class ContractEventMirror : ChainEventMirror
{
    /// <summary>Rows written by one INSERT (an unnest of arrays: one round trip per chunk).</summary>
    public const int InsertChunk = 5_000;

    private readonly EthClient _client;
    private readonly Dictionary<Address, WatchedContract> _contracts;
    private readonly ContractWatchOptions _options;
    private readonly ulong _startBlock;
    private FollowStep? _lastStep;

    /// <summary>The cursor of the deployment's contracts.</summary>
    public const string DeploymentCursor = "chain-events";

    /// <summary>A mirror of <paramref name="contracts"/>' events from <paramref name="startBlock"/>, its progress kept under <paramref name="cursor"/>.</summary>
    public ContractEventMirror(BridgeDatabase database, EthClient client, IReadOnlyList<WatchedContract> contracts, ulong startBlock, ContractWatchOptions options, ILogger log,
        string cursor = DeploymentCursor)
        : base(database, client, cursor, new FollowerOptions
        {
            StartBlock = startBlock,
            Confirmations = options.Confirmations,
            MaxReorgDepth = options.Reorgs.MaxDepth,
            MaxBlocksPerPoll = options.MaxBlocksPerRound,
            Addresses = contracts.Select(c => c.Address).ToList(),
        }, log)
    {
        if (contracts.Count == 0) throw new ArgumentException("no contract to watch", nameof(contracts));
        _client = client;
        _options = options;
        _startBlock = startBlock;
        _contracts = contracts.ToDictionary(c => c.Address);
    }

    /// <summary>A mirror of every contract of <paramref name="manifest"/>, from its deployment block.</summary>
    /// <param name="database">The bridge database.</param>
    /// <param name="client">The node.</param>
    /// <param name="manifest">The deployment.</param>
    /// <param name="abiOf">The ABI of a contract by name.</param>
    /// <param name="options">Settings.</param>
    /// <param name="log">The log.</param>
    public static ContractEventMirror ForDeployment(BridgeDatabase database, EthClient client, DeploymentManifest manifest, Func<string, ContractAbi> abiOf, ContractWatchOptions options, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(abiOf);
        return new ContractEventMirror(database, client, DeploymentManifest.RequiredContracts.Select(name => new WatchedContract(name, manifest[name].Address, abiOf(name))).ToList(),
            manifest.DeployBlock, options, log);
    }

    /// <summary>
    /// A mirror of one ballot's MACIVoting events (sign-ups, messages, proofs, results) from its
    /// deployment block, with a cursor of its own: a ballot configured after the deployment's mirror
    /// has moved on is still read from its start.
    /// </summary>
    public static ContractEventMirror ForBallot(BridgeDatabase database, EthClient client, Address ballot, ulong deployBlock, ContractAbi abi, ContractWatchOptions options, ILogger log) =>
        new(database, client, [new WatchedContract("MACIVoting", ballot, abi)], deployBlock, options, log, $"{DeploymentCursor}:ballot:{ballot}");

    /// <summary>Follows the chain until stopped: catches up (with progress), then polls.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        var caughtUp = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!caughtUp)
                {
                    await CatchUpAsync(cancellationToken).ConfigureAwait(false);
                    caughtUp = true;
                }

                await RunOnceAsync(cancellationToken).ConfigureAwait(false);
                failures = 0;
                await Task.Delay(_options.PollInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failures++;
                var backoff = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(failures, 6))));
                Log.Warning("Watching the contracts failed ({Failures} in a row), retrying in {Backoff}: {Error}", failures, backoff, ex.Message);
                await Task.Delay(backoff, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs rounds until the confirmed head is mirrored, logging progress after each; returns the last progress.</summary>
    public async Task<WatchProgress> CatchUpAsync(CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        long logs = 0;
        while (true)
        {
            logs += await RunOnceAsync(cancellationToken).ConfigureAwait(false);
            var step = _lastStep!;
            var confirmedHead = step.Head >= (ulong)_options.Confirmations ? step.Head - (ulong)_options.Confirmations : 0;
            var total = confirmedHead >= _startBlock ? confirmedHead - _startBlock + 1 : 0;
            var done = step.ProcessedUpTo is { } upTo ? upTo - _startBlock + 1 : 0;
            var progress = new WatchProgress(done, total, logs, logs / Math.Max(clock.Elapsed.TotalSeconds, 1e-3));
            Log.Information("Watching the contracts: {Done} of {Total} blocks read, {Logs} events at {LogsPerSecond:0} events/s", progress.Done, progress.Total, progress.Logs,
                progress.LogsPerSecond);
            if (done >= total) return progress;
        }
    }

    /// <inheritdoc />
    protected override Task<int> DeleteAboveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ulong forkPoint, CancellationToken cancellationToken) =>
        // Only this mirror's contracts: other mirrors (each ballot's) follow their own cursors and rewind their own rows.
        ExecuteAsync(connection, transaction, "DELETE FROM chain_events WHERE block_number > $1 AND address = ANY($2)", [(long)forkPoint, _contracts.Keys.Select(a => a.ToArray()).ToArray()],
            cancellationToken);

    /// <inheritdoc />
    protected override async Task<int> RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FollowStep step, CancellationToken cancellationToken)
    {
        _lastStep = step;
        var events = step.Logs.Select(Decode).ToList();
        for (var start = 0; start < events.Count; start += InsertChunk)
        {
            await InsertAsync(connection, transaction, events.GetRange(start, Math.Min(InsertChunk, events.Count - start)), cancellationToken).ConfigureAwait(false);
        }

        var observer = new ChainObserver(connection, transaction, Log);
        await observer.ForeignAnchorsAsync(events.Where(e => e.Contract == "DecisionAnchor" && e.Decoded?.Event.Name == "BatchAnchored").ToList(), cancellationToken).ConfigureAwait(false);
        await observer.ActionsInNoticeAsync(events.Where(e => e.Contract == "ActionSchedule" && e.Decoded?.Event.Name == "ActionScheduled").ToList(), cancellationToken).ConfigureAwait(false);
        if (_contracts.Values.Any(c => c.Name == "InterCoopEscrow"))
        {
            await observer.EscrowDeadlinesAsync(() => ChainTimeAsync(step.Head, cancellationToken), _options.DeadlineWindow, cancellationToken).ConfigureAwait(false);
        }
        return events.Count;
    }

    private async Task<DateTimeOffset> ChainTimeAsync(ulong head, CancellationToken cancellationToken)
    {
        var block = await _client.GetBlockByNumberAsync(head, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"the node no longer has its head block {head}");
        return DateTimeOffset.FromUnixTimeSeconds((long)block.Timestamp);
    }

    private ChainEvent Decode(LogEntry log)
    {
        var contract = _contracts.TryGetValue(log.Address, out var watched) ? watched : throw new InvalidOperationException($"the node returned a log of {log.Address}, which is not watched");
        DecodedEvent? decoded;
        try
        {
            decoded = contract.Abi.DecodeLog(log.Topics, log.Data);
        }
        catch (AbiException ex)
        {
            Log.Warning("{Contract} log {Block}/{Index} does not decode ({Reason}); stored undecoded", contract.Name, log.BlockNumber, log.LogIndex, ex.Message);
            decoded = null;
        }

        return new ChainEvent(log, contract.Name, decoded);
    }

    private static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<ChainEvent> events, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO chain_events (block_number, log_index, block_hash, tx_hash, contract, address, event, args)
            SELECT * FROM unnest($1::bigint[], $2::integer[], $3::bytea[], $4::bytea[], $5::text[], $6::bytea[], $7::text[], $8::jsonb[])
            ON CONFLICT (block_number, log_index) DO NOTHING
            """, connection, transaction);
        var writer = new EventJsonWriter();
        command.Parameters.Add(new() { Value = events.Select(e => (long)e.Log.BlockNumber).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => (int)e.Log.LogIndex).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => e.Log.BlockHash.ToArray()).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => e.Log.TransactionHash.ToArray()).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => e.Contract).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => e.Log.Address.ToArray()).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => e.Decoded?.Event.Name ?? UndecodedEvent).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => writer.Write(e)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The event name stored for a log none of its contract's events decodes (its args are its raw topics and data).</summary>
    public const string UndecodedEvent = "(undecoded)";
}

/// <summary>A mirrored log: the contract's name, and the event it decodes to (null when none does).</summary>
internal sealed record ChainEvent(LogEntry Log, string Contract, DecodedEvent? Decoded);
