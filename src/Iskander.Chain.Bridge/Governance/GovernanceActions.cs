using System.Text.Json.Nodes;
using Iskander.Chain.Bridge.Storage;
using Npgsql;

namespace Iskander.Chain.Bridge.Governance;

/// <summary>One action of a decision version, as the bridge tracks it.</summary>
/// <param name="Id">Its row.</param>
/// <param name="PollKey">The poll.</param>
/// <param name="Version">The version that orders it.</param>
/// <param name="Kind">admit-member, revoke-member or amend-parameter.</param>
/// <param name="Spec">Its arguments.</param>
/// <param name="Status">Where it is (see docs/formats.md).</param>
/// <param name="Reason">Why it stopped, failed or was not executed.</param>
/// <param name="Leaf">Its action leaf, once anchored (hex).</param>
/// <param name="TxHash">The executing transaction, once sent (hex).</param>
/// <param name="ConsentDeadline">For admissions awaiting the member's consent: until when.</param>
public sealed record GovernanceActionRow(long Id, string PollKey, int Version, string Kind, JsonObject Spec, string Status, string? Reason, string? Leaf, string? TxHash, DateTimeOffset? ConsentDeadline);

/// <summary>Reads and status changes of <c>governance_actions</c>.</summary>
public static class GovernanceActions
{
    /// <summary>Sets an action's status and reason.</summary>
    public static async Task SetStatusAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long id, string status, string? reason, CancellationToken cancellationToken)
    {
        await using var update = new NpgsqlCommand("UPDATE governance_actions SET status = $2, reason = $3, updated_at = now() WHERE id = $1", connection, transaction);
        update.Parameters.Add(new() { Value = id });
        update.Parameters.Add(new() { Value = status });
        update.Parameters.Add(new() { Value = (object?)reason ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The actions of a poll's versions (or of every poll), oldest first.</summary>
    public static async Task<IReadOnlyList<GovernanceActionRow>> ListAsync(BridgeDatabase database, string? pollKey = null, string? status = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            SELECT a.id, v.poll_key, v.version, a.kind, a.spec::text, a.status, a.reason, a.leaf, a.tx_hash, a.consent_deadline
            FROM governance_actions a JOIN decision_versions v ON v.id = a.version_id
            WHERE ($1::text IS NULL OR v.poll_key = $1) AND ($2::text IS NULL OR a.status = $2) ORDER BY a.id
            """, connection);
        command.Parameters.Add(new() { Value = (object?)pollKey ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)status ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var rows = new List<GovernanceActionRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new GovernanceActionRow(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3), JsonNode.Parse(reader.GetString(4))!.AsObject(),
                reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : Ethereum.Hex.Encode((byte[])reader[7]), reader.IsDBNull(8) ? null : Ethereum.Hex.Encode((byte[])reader[8]),
                reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9)));
        }

        return rows;
    }

    /// <summary>The action-block notes of a poll's versions (why a block was void or ignored), by version.</summary>
    public static async Task<IReadOnlyDictionary<int, string>> NotesAsync(BridgeDatabase database, string pollKey, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT version, actions_note FROM decision_versions WHERE poll_key = $1 AND actions_note IS NOT NULL", connection);
        command.Parameters.Add(new() { Value = pollKey });
        var notes = new Dictionary<int, string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) notes[reader.GetInt32(0)] = reader.GetString(1);
        return notes;
    }
}
