using System.Numerics;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.Chain;
using Iskander.Chain.Ethereum.JsonRpc;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bridge.Governance;

/// <summary>
/// Mirrors CoopIdentity's <c>Admitted</c>, <c>Revoked</c> and <c>Left</c> events into
/// <c>membership_events</c> through a <see cref="ChainFollower"/>: a reorg deletes the rows above the
/// fork point and the follower reads the new branch, so the membership table is always derived from
/// the canonical chain. Events and the follower's cursor are written in one transaction.
/// </summary>
public sealed class MembershipMirror
{
    private readonly BridgeDatabase _database;
    private readonly ContractAbi _abi;
    private readonly PostgresChainCursor _cursor;
    private readonly ChainFollower _follower;
    private readonly ILogger _log;

    /// <summary>Creates the mirror of the CoopIdentity at <paramref name="identity"/>, starting at <paramref name="startBlock"/>.</summary>
    public MembershipMirror(BridgeDatabase database, EthClient client, Address identity, ContractAbi identityAbi, ulong startBlock, ILogger log)
    {
        _database = database;
        _abi = identityAbi;
        _log = log;
        _cursor = new PostgresChainCursor(database, "membership");
        _follower = new ChainFollower(client, _cursor, new FollowerOptions
        {
            StartBlock = startBlock,
            Addresses = [identity],
            Topics = [[identityAbi.Event("Admitted").Topic0, identityAbi.Event("Revoked").Topic0, identityAbi.Event("Left").Topic0]],
        }, log);
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
                await using var rewind = new NpgsqlCommand("DELETE FROM membership_events WHERE block_number > $1", connection, transaction);
                rewind.Parameters.Add(new() { Value = (long)reorg.ForkPoint });
                var dropped = await rewind.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                _log.Warning("Membership mirror: reorg of depth {Depth} below block {ForkPoint}; {Dropped} event(s) dropped and read again", reorg.Depth, reorg.ForkPoint, dropped);
            }

            foreach (var log in step.Logs) await InsertAsync(connection, transaction, log, cancellationToken).ConfigureAwait(false);
            await _cursor.SaveAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return step.Logs.Count;
        }
        catch
        {
            _cursor.Reset();
            throw;
        }
    }

    private async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, LogEntry entry, CancellationToken cancellationToken)
    {
        var decoded = _abi.DecodeLog(entry.Topics, entry.Data);
        if (decoded is null) return;
        var name = decoded.Event.Name;
        var tokenId = new byte[32];
        ((BigInteger)decoded["tokenId"]!).TryWriteBytes(tokenId, out _, isUnsigned: true, isBigEndian: true);
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO membership_events (block_number, log_index, block_hash, tx_hash, event, token_id, member, role, leaf)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (block_number, log_index) DO NOTHING
            """, connection, transaction);
        foreach (var value in new object?[]
        {
            (long)entry.BlockNumber, (int)entry.LogIndex, entry.BlockHash.ToArray(), entry.TransactionHash.ToArray(), name.ToLowerInvariant() switch { "admitted" => "admitted", "revoked" => "revoked", _ => "left" },
            tokenId, ((Address)decoded["member"]!).ToArray(),
            name == "Admitted" ? (byte[])decoded["role"]! : null,
            name switch { "Admitted" => (byte[])decoded["admissionLeaf"]!, "Revoked" => (byte[])decoded["revocationLeaf"]!, _ => null },
        })
        {
            insert.Parameters.Add(value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea } : new NpgsqlParameter { Value = value });
        }

        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _log.Information("Membership: {Event} token {TokenId} of {Member} in block {Block}", name, Hex.Encode(tokenId), decoded["member"], entry.BlockNumber);
    }
}
