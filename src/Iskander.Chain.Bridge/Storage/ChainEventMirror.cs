using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Chain;
using Iskander.Chain.Ethereum.JsonRpc;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bridge.Storage;

/// <summary>
/// Mirrors one contract's events into PostgreSQL through a <see cref="ChainFollower"/>: the rows a
/// batch of logs produces and the follower's cursor are written in one transaction, and a reorg
/// first deletes the rows above the fork point, so the mirror is always derived from the canonical
/// chain and never runs behind or ahead of its cursor. Each round runs under the follower's lock,
/// from the cursor the database holds, so bridge processes sharing a database take turns.
/// </summary>
public abstract class ChainEventMirror
{
    private readonly BridgeDatabase _database;
    private readonly PostgresChainCursor _cursor;
    private readonly ChainFollower _follower;

    /// <summary>A mirror of <paramref name="contract"/>'s logs (optionally only <paramref name="topics"/>) from <paramref name="startBlock"/>, with its cursor under <paramref name="name"/>.</summary>
    protected ChainEventMirror(BridgeDatabase database, EthClient client, string name, Address contract, ulong startBlock, IReadOnlyList<Hash32>? topics, ILogger log)
        : this(database, client, name, new FollowerOptions { StartBlock = startBlock, Addresses = [contract], Topics = topics is null ? [] : [topics] }, log)
    {
    }

    /// <summary>A mirror of the logs <paramref name="options"/> select, with its cursor under <paramref name="name"/>.</summary>
    protected ChainEventMirror(BridgeDatabase database, EthClient client, string name, FollowerOptions options, ILogger log)
    {
        _database = database;
        Log = log;
        _cursor = new PostgresChainCursor(database, name);
        _follower = new ChainFollower(client, _cursor, options, log);
    }

    /// <summary>The log.</summary>
    protected ILogger Log { get; }

    /// <summary>Follows the chain once; returns the rows recorded.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            // Another bridge process on this database may have moved the cursor since this one last
            // polled (or rewound it after a reorg): follow on from what the database holds, under its lock.
            await _cursor.LockAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            _cursor.Reset();
            var step = await _follower.PollAsync(cancellationToken).ConfigureAwait(false);
            if (step.Reorg is { } reorg)
            {
                var dropped = await DeleteAboveAsync(connection, transaction, reorg.ForkPoint, cancellationToken).ConfigureAwait(false);
                Log.Warning("{Mirror}: reorg of depth {Depth} below block {ForkPoint}; {Dropped} row(s) dropped and read again", GetType().Name, reorg.Depth, reorg.ForkPoint, dropped);
            }

            var recorded = await RecordAsync(connection, transaction, step, cancellationToken).ConfigureAwait(false);
            await _cursor.SaveAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return recorded;
        }
        catch
        {
            _cursor.Reset();
            throw;
        }
    }

    /// <summary>Deletes the rows of blocks above <paramref name="forkPoint"/>; returns how many.</summary>
    protected abstract Task<int> DeleteAboveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ulong forkPoint, CancellationToken cancellationToken);

    /// <summary>Records the logs of <paramref name="step"/> (idempotently; called every round, also when there are none); returns how many were mirrored events.</summary>
    protected abstract Task<int> RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FollowStep step, CancellationToken cancellationToken);

    /// <summary>Records each log of <paramref name="step"/> with <paramref name="insert"/>; returns how many it took.</summary>
    protected static async Task<int> RecordEachAsync(FollowStep step, Func<LogEntry, Task<bool>> insert)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(insert);
        var recorded = 0;
        foreach (var log in step.Logs)
        {
            if (await insert(log).ConfigureAwait(false)) recorded++;
        }

        return recorded;
    }

    /// <summary>Runs one statement with positional parameters.</summary>
    protected static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, IEnumerable<object?> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(values);
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea } : new NpgsqlParameter { Value = value });
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
