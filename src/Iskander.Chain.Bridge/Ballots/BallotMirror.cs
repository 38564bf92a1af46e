using System.Globalization;
using Iskander.Chain.Ballots.Chain;
using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum.Chain;
using Iskander.Chain.Ethereum.JsonRpc;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bridge.Ballots;

/// <summary>
/// Mirrors one ballot's SignUp and PublishMessage events into PostgreSQL through a chain follower:
/// rows and the follower's cursor are written in one transaction, and a reorg deletes the rows
/// above the fork point before the new branch is read.
/// </summary>
public sealed class BallotMirror
{
    private readonly BridgeDatabase _database;
    private readonly CoordinatedBallot _ballot;
    private readonly MaciVotingClient _contract;
    private readonly PostgresChainCursor _cursor;
    private readonly ChainFollower _follower;
    private readonly ILogger _log;

    /// <summary>The mirror of <paramref name="ballot"/>.</summary>
    public BallotMirror(BridgeDatabase database, EthClient client, CoordinatedBallot ballot, MaciVotingClient contract, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(ballot);
        _database = database;
        _ballot = ballot;
        _contract = contract;
        _log = log;
        _cursor = new PostgresChainCursor(database, "ballot:" + ballot.Address);
        _follower = new ChainFollower(client, _cursor, new FollowerOptions { StartBlock = ballot.DeployBlock, Addresses = [ballot.Address] }, log);
    }

    /// <summary>Follows the chain once; returns the events recorded.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var step = await _follower.PollAsync(cancellationToken).ConfigureAwait(false);
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            if (step.Reorg is { } reorg)
            {
                foreach (var table in new[] { "ballot_signups", "ballot_messages" })
                {
                    await using var rewind = new NpgsqlCommand($"DELETE FROM {table} WHERE ballot_id = $1 AND block_number > $2", connection, transaction);
                    rewind.Parameters.Add(new() { Value = _ballot.Id });
                    rewind.Parameters.Add(new() { Value = (long)reorg.ForkPoint });
                    await rewind.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                _log.Warning("Ballot {Ballot}: reorg below block {ForkPoint}; events above it read again", _ballot.Address, reorg.ForkPoint);
            }

            var recorded = 0;
            foreach (var log in step.Logs)
            {
                switch (_contract.Decode(log))
                {
                    case SignUpEvent signUp:
                        await InsertAsync(connection, transaction, "INSERT INTO ballot_signups (ballot_id, state_index, member, key_x, key_y, block_number) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                            [_ballot.Id, signUp.StateIndex, signUp.Member.ToArray(), signUp.PublicKey.X.ToString(), signUp.PublicKey.Y.ToString(), (long)signUp.BlockNumber], cancellationToken).ConfigureAwait(false);
                        recorded++;
                        break;
                    case MessageEvent message:
                        await InsertAsync(connection, transaction, "INSERT INTO ballot_messages (ballot_id, message_index, data, key_x, key_y, block_number) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                            [_ballot.Id, message.Index, message.Message.Message.Data.Select(f => f.ToString()).ToArray(), message.Message.EncryptionKey.X.ToString(),
                                message.Message.EncryptionKey.Y.ToString(), (long)message.BlockNumber], cancellationToken).ConfigureAwait(false);
                        recorded++;
                        break;
                }
            }

            await _cursor.SaveAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            if (recorded > 0) _log.Information("Ballot {Ballot}: {Count} event(s) mirrored up to block {Block}", _ballot.Address, recorded, step.ProcessedUpTo?.ToString(CultureInfo.InvariantCulture));
            return recorded;
        }
        catch
        {
            _cursor.Reset();
            throw;
        }
    }

    private static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, object[] values, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values) insert.Parameters.Add(new() { Value = value });
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
