using System.Text.Json;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum;
using Npgsql;

namespace Iskander.Chain.Bridge.Watching;

/// <summary>One mirrored event.</summary>
/// <param name="BlockNumber">Block.</param>
/// <param name="LogIndex">Position in the block.</param>
/// <param name="BlockHash">Block hash.</param>
/// <param name="TransactionHash">Transaction.</param>
/// <param name="Contract">The contract's name in the deployment.</param>
/// <param name="Address">The contract's address.</param>
/// <param name="Event">Event name.</param>
/// <param name="Args">Arguments by name (see <c>chain_events</c> in docs/formats.md).</param>
public sealed record ChainEventRow(long BlockNumber, int LogIndex, Hash32 BlockHash, Hash32 TransactionHash, string Contract, Address Address, string Event, JsonElement Args);

/// <summary>An escrow's current state, folded from its events.</summary>
/// <param name="Contract">The escrow contract.</param>
/// <param name="Id">Escrow id.</param>
/// <param name="Status">proposed, locked, disputed, releasing, released, refunded or cancelled.</param>
/// <param name="Buyer">Buyer.</param>
/// <param name="Seller">Seller.</param>
/// <param name="Arbitrator">Arbitrator.</param>
/// <param name="Amount">Deposit (token units).</param>
/// <param name="TermsDigest">Digest of the agreed terms.</param>
/// <param name="ProposedBlock">Block of the proposal.</param>
/// <param name="DisputeDeadline">Until when the arbitrator may rule (unix seconds), once disputed.</param>
/// <param name="DisputedBy">Who disputed.</param>
/// <param name="SellerAmount">The seller's share, once releasing.</param>
/// <param name="BuyerAmount">The buyer's share, once releasing.</param>
/// <param name="SellerOwed">What the seller has still to withdraw.</param>
/// <param name="BuyerOwed">What the buyer has still to withdraw.</param>
public sealed record EscrowState(Address Contract, string Id, string Status, string Buyer, string Seller, string Arbitrator, string Amount, string TermsDigest, long ProposedBlock,
    long? DisputeDeadline, string? DisputedBy, string? SellerAmount, string? BuyerAmount, string? SellerOwed, string? BuyerOwed);

/// <summary>Read side of <c>chain_events</c> and the <c>escrows</c> view.</summary>
public static class ChainEventQueries
{
    /// <summary>Every escrow, in order of proposal.</summary>
    public static async Task<IReadOnlyList<EscrowState>> EscrowsAsync(BridgeDatabase database, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            SELECT address, id::text, status, buyer, seller, arbitrator, amount::text, terms_digest, proposed_block, dispute_deadline, disputed_by,
                seller_amount::text, buyer_amount::text, seller_owed::text, buyer_owed::text
            FROM escrows ORDER BY proposed_block, address, id
            """, connection);
        var escrows = new List<EscrowState>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            escrows.Add(new EscrowState(new Address((byte[])reader[0]), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                reader.GetString(6), reader.GetString(7), reader.GetInt64(8), reader.IsDBNull(9) ? null : reader.GetInt64(9), Text(10), Text(11), Text(12), Text(13), Text(14)));
        }

        return escrows;
    }

    /// <summary>A page of events in chain order, optionally of one contract (by deployment name) and one event name, and how many match in all.</summary>
    public static async Task<(long Total, IReadOnlyList<ChainEventRow> Page)> PageAsync(BridgeDatabase database, string? contract, string? eventName, int offset, int limit,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        const string Filter = "($1::text IS NULL OR contract = $1) AND ($2::text IS NULL OR event = $2)";
        long total;
        await using (var count = new NpgsqlCommand($"SELECT count(*) FROM chain_events WHERE {Filter}", connection))
        {
            count.Parameters.Add(new() { Value = (object?)contract ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            count.Parameters.Add(new() { Value = (object?)eventName ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            total = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        await using var command = new NpgsqlCommand(
            $"SELECT block_number, log_index, block_hash, tx_hash, contract, address, event, args::text FROM chain_events WHERE {Filter} ORDER BY block_number, log_index OFFSET $3 LIMIT $4",
            connection);
        command.Parameters.Add(new() { Value = (object?)contract ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)eventName ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = offset });
        command.Parameters.Add(new() { Value = limit });
        var page = new List<ChainEventRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            using var args = JsonDocument.Parse(reader.GetString(7));
            page.Add(new ChainEventRow(reader.GetInt64(0), reader.GetInt32(1), new Hash32((byte[])reader[2]), new Hash32((byte[])reader[3]), reader.GetString(4), new Address((byte[])reader[5]),
                reader.GetString(6), args.RootElement.Clone()));
        }

        return (total, page);
    }
}
