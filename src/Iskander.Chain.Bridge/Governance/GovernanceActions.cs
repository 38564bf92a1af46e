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
/// <param name="ExecutableAt">Once scheduled: the chain time its notice ends.</param>
/// <param name="ExpiresAt">Once scheduled: the chain time it expires unless executed.</param>
public sealed record GovernanceActionRow(long Id, string PollKey, int Version, string Kind, JsonObject Spec, string Status, string? Reason, string? Leaf, string? TxHash,
    DateTimeOffset? ConsentDeadline, DateTimeOffset? ExecutableAt, DateTimeOffset? ExpiresAt)
{
    /// <summary>Whether the action is on the public schedule and may still run (not executed, vetoed, cancelled, superseded or expired).</summary>
    public bool IsOpenOnSchedule => ExecutableAt is not null && Status is "scheduled" or "awaiting_consent" or "ready" or "submitted";

    /// <summary>The seconds left in its notice at <paramref name="now"/> (0 once served), or null when it is not open on the schedule.</summary>
    public long? NoticeLeft(DateTimeOffset now) => IsOpenOnSchedule ? Math.Max(0, (long)(ExecutableAt!.Value - now).TotalSeconds) : null;

    /// <summary>The seconds left before it expires at <paramref name="now"/>, or null when it is not open on the schedule.</summary>
    public long? ValidityLeft(DateTimeOffset now) => IsOpenOnSchedule && ExpiresAt is { } expires ? Math.Max(0, (long)(expires - now).TotalSeconds) : null;

    /// <summary>A short account of where it stands on the schedule at <paramref name="now"/> ("in notice, executable in 1 h 59 min"), or null.</summary>
    public string? ScheduleText(DateTimeOffset now) => NoticeLeft(now) switch
    {
        null => null,
        > 0 and var notice => $"in notice, executable in {Duration(notice)} — members can veto it until it executes",
        _ => $"notice served, expires in {Duration(ValidityLeft(now) ?? 0)} unless executed",
    };

    private static string Duration(long seconds) => seconds switch
    {
        >= 86_400 => $"{seconds / 86_400} d {seconds % 86_400 / 3_600} h",
        >= 3_600 => $"{seconds / 3_600} h {seconds % 3_600 / 60} min",
        >= 60 => $"{seconds / 60} min {seconds % 60} s",
        _ => $"{seconds} s",
    };
}

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

    /// <summary>The actions of a poll's versions (or of every poll; or those naming <paramref name="member"/>), oldest first.</summary>
    public static async Task<IReadOnlyList<GovernanceActionRow>> ListAsync(BridgeDatabase database, string? pollKey = null, string? status = null, CancellationToken cancellationToken = default,
        Ethereum.Address? member = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            SELECT a.id, v.poll_key, v.version, a.kind, a.spec::text, a.status, a.reason, a.leaf, a.tx_hash, a.consent_deadline, a.executable_at, a.expires_at
            FROM governance_actions a JOIN decision_versions v ON v.id = a.version_id
            WHERE ($1::text IS NULL OR v.poll_key = $1) AND ($2::text IS NULL OR a.status = $2) AND ($3::text IS NULL OR lower(a.spec->>'member') = $3) ORDER BY a.id
            """, connection);
        command.Parameters.Add(new() { Value = (object?)pollKey ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)status ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)member?.ToString().ToLowerInvariant() ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var rows = new List<GovernanceActionRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new GovernanceActionRow(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3), JsonNode.Parse(reader.GetString(4))!.AsObject(),
                reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : Ethereum.Hex.Encode((byte[])reader[7]), reader.IsDBNull(8) ? null : Ethereum.Hex.Encode((byte[])reader[8]),
                reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9), ChainTime(reader, 10), ChainTime(reader, 11)));
        }

        return rows;
    }

    private static DateTimeOffset? ChainTime(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(column));

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
