using Iskander.Chain.Ballots.Chain;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum.Chain;
using Iskander.Chain.Ethereum.JsonRpc;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bridge.Ballots;

/// <summary>Mirrors one ballot's SignUp and PublishMessage events into PostgreSQL (reorg-safe, see <see cref="ChainEventMirror"/>).</summary>
public sealed class BallotMirror(BridgeDatabase database, EthClient client, CoordinatedBallot ballot, MaciVotingClient contract, ILogger log)
    : ChainEventMirror(database, client, "ballot:" + ballot.Address, ballot.Address, ballot.DeployBlock, null, log)
{
    /// <inheritdoc />
    protected override async Task<int> DeleteAboveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ulong forkPoint, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction, "DELETE FROM ballot_signups WHERE ballot_id = $1 AND block_number > $2", [ballot.Id, (long)forkPoint], cancellationToken).ConfigureAwait(false)
        + await ExecuteAsync(connection, transaction, "DELETE FROM ballot_messages WHERE ballot_id = $1 AND block_number > $2", [ballot.Id, (long)forkPoint], cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    protected override Task<int> RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FollowStep step, CancellationToken cancellationToken) =>
        RecordEachAsync(step, log => InsertAsync(connection, transaction, log, cancellationToken));

    private async Task<bool> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, LogEntry log, CancellationToken cancellationToken)
    {
        switch (contract.Decode(log))
        {
            case SignUpEvent signUp:
                await ExecuteAsync(connection, transaction, "INSERT INTO ballot_signups (ballot_id, state_index, member, key_x, key_y, block_number) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                    [ballot.Id, signUp.StateIndex, signUp.Member.ToArray(), signUp.PublicKey.X.ToString(), signUp.PublicKey.Y.ToString(), (long)signUp.BlockNumber], cancellationToken).ConfigureAwait(false);
                return true;
            case MessageEvent message:
                await ExecuteAsync(connection, transaction, "INSERT INTO ballot_messages (ballot_id, message_index, data, key_x, key_y, block_number) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                    [ballot.Id, message.Index, message.Message.Message.Data.Select(f => f.ToString()).ToArray(), message.Message.EncryptionKey.X.ToString(), message.Message.EncryptionKey.Y.ToString(),
                        (long)message.BlockNumber], cancellationToken).ConfigureAwait(false);
                return true;
            default:
                return false;
        }
    }
}
