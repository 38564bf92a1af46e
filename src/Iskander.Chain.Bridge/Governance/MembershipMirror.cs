using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.Chain;
using Iskander.Chain.Ethereum.JsonRpc;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bridge.Governance;

/// <summary>Mirrors CoopIdentity's <c>Admitted</c>, <c>Revoked</c> and <c>Left</c> events into <c>membership_events</c> (reorg-safe, see <see cref="ChainEventMirror"/>).</summary>
public sealed class MembershipMirror(BridgeDatabase database, EthClient client, Address identity, ContractAbi identityAbi, ulong startBlock, ILogger log)
    : ChainEventMirror(database, client, "membership", identity, startBlock,
        [identityAbi.Event("Admitted").Topic0, identityAbi.Event("Revoked").Topic0, identityAbi.Event("Left").Topic0], log)
{
    /// <inheritdoc />
    protected override Task<int> DeleteAboveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ulong forkPoint, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, "DELETE FROM membership_events WHERE block_number > $1", [(long)forkPoint], cancellationToken);

    /// <inheritdoc />
    protected override Task<int> RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FollowStep step, CancellationToken cancellationToken) =>
        RecordEachAsync(step, entry => InsertAsync(connection, transaction, entry, cancellationToken));

    private async Task<bool> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, LogEntry entry, CancellationToken cancellationToken)
    {
        var decoded = identityAbi.DecodeLog(entry.Topics, entry.Data);
        if (decoded is null) return false;
        var name = decoded.Event.Name;
        var tokenId = AbiCodec.Encode(["uint256"], [decoded["tokenId"]]); // the 32-byte word, right-aligned: a token id is a hash and may start with zero bytes
        await ExecuteAsync(connection, transaction,
            """
            INSERT INTO membership_events (block_number, log_index, block_hash, tx_hash, event, token_id, member, role, leaf)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (block_number, log_index) DO UPDATE SET token_id = EXCLUDED.token_id
            """,
            [
                (long)entry.BlockNumber, (int)entry.LogIndex, entry.BlockHash.ToArray(), entry.TransactionHash.ToArray(), name.ToLowerInvariant(), tokenId, ((Address)decoded["member"]!).ToArray(),
                name == "Admitted" ? (byte[])decoded["role"]! : null,
                name switch { "Admitted" => (byte[])decoded["admissionLeaf"]!, "Revoked" => (byte[])decoded["revocationLeaf"]!, _ => null },
            ], cancellationToken).ConfigureAwait(false);
        Log.Information("Membership: {Event} token {TokenId} of {Member} in block {Block}", name, Hex.Encode(tokenId), decoded["member"], entry.BlockNumber);
        return true;
    }
}
