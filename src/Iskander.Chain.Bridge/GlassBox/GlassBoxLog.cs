using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Iskander.Chain.Anchoring.Records;
using Npgsql;

namespace Iskander.Chain.Bridge.GlassBox;

/// <summary>One Glass Box entry.</summary>
/// <param name="Seq">Position (1, 2, …).</param>
/// <param name="Kind">intent (before a write), outcome (after it) or observation (something seen on chain, recorded once per action and subject).</param>
/// <param name="Action">What, e.g. <c>content.put</c>, <c>anchor.submit</c>.</param>
/// <param name="Subject">On what, e.g. a CID or a Merkle root.</param>
/// <param name="Detail">Everything else, as JSON.</param>
/// <param name="IntentSeq">For an outcome, the intent it completes.</param>
/// <param name="RecordedAt">When.</param>
/// <param name="Hash">SHA-256(previous hash ‖ JCS(entry)).</param>
public sealed record GlassBoxEntry(long Seq, string Kind, string Action, string Subject, JsonObject Detail, long? IntentSeq, DateTimeOffset RecordedAt, byte[] Hash)
{
    /// <summary>The form of <see cref="RecordedAt"/> the hash covers: UTC, microseconds (what PostgreSQL stores).</summary>
    public string RecordedAtText => RecordedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The entry as the API serves it: every field the hash covers, its hash and the hash it follows.</summary>
    public JsonObject ToJson(byte[] previousHash) => new()
    {
        ["seq"] = Seq,
        ["kind"] = Kind,
        ["action"] = Action,
        ["subject"] = Subject,
        ["detail"] = Detail.DeepClone(),
        ["intentSeq"] = IntentSeq,
        ["recordedAt"] = RecordedAtText,
        ["previousHash"] = Ethereum.Hex.Encode(previousHash),
        ["hash"] = Ethereum.Hex.Encode(Hash),
    };

    /// <summary>Reads an entry as <see cref="ToJson"/> writes it.</summary>
    /// <exception cref="FormatException">A field is missing or malformed.</exception>
    public static GlassBoxEntry FromJson(JsonNode? json)
    {
        try
        {
            var entry = json as JsonObject ?? throw new FormatException("an audit entry is a JSON object");
            var recordedAt = DateTimeOffset.ParseExact(Required(entry, "recordedAt").GetValue<string>(), "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'",
                System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
            return new GlassBoxEntry(Required(entry, "seq").GetValue<long>(), Required(entry, "kind").GetValue<string>(), Required(entry, "action").GetValue<string>(),
                Required(entry, "subject").GetValue<string>(), Required(entry, "detail") as JsonObject ?? throw new FormatException("an audit entry's detail is an object"),
                entry["intentSeq"]?.GetValue<long>(), recordedAt, Ethereum.Hex.Decode(Required(entry, "hash").GetValue<string>()));
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Text.Json.JsonException)
        {
            throw new FormatException($"malformed audit entry: {ex.Message}", ex);
        }
    }

    private static JsonNode Required(JsonObject entry, string name) => entry[name] ?? throw new FormatException($"an audit entry has no {name}");
}

/// <summary>
/// The Glass Box: an append-only, hash-chained audit log in PostgreSQL. Every write the bridge
/// makes is announced as an intent before it happens and completed by an outcome after, so the
/// log shows what was attempted even when a crash lost the result; what the bridge sees on chain
/// that people should know of is recorded as an observation, once per action and subject. The table refuses updates and
/// deletes; appends are serialised by a transaction-scoped advisory lock so the chain never forks.
/// </summary>
public static class GlassBoxLog
{
    private const long AppendLock = 7400002;

    /// <summary>Appends an intent in its own committed transaction (so it is on record before the write starts).</summary>
    public static async Task<long> IntentAsync(NpgsqlConnection connection, string action, string subject, JsonObject detail, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var seq = await AppendAsync(connection, transaction, "intent", action, subject, detail, null, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return seq;
    }

    /// <summary>Appends the outcome of <paramref name="intentSeq"/> inside the caller's transaction (with the state change it reports).</summary>
    public static Task<long> OutcomeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long intentSeq, string action, string subject, JsonObject detail, CancellationToken cancellationToken) =>
        AppendAsync(connection, transaction, "outcome", action, subject, detail, intentSeq, cancellationToken);

    /// <summary>
    /// Appends an observation inside the caller's transaction unless one with the same
    /// <paramref name="action"/> and <paramref name="subject"/> is already on record (a restart, or a
    /// reorg replaying the blocks it came from); returns its position, or null when it was already there.
    /// </summary>
    public static async Task<long?> ObserveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string action, string subject, JsonObject detail, CancellationToken cancellationToken)
    {
        await LockAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await using (var seen = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM glass_box WHERE kind = 'observation' AND action = $1 AND subject = $2)", connection, transaction))
        {
            seen.Parameters.Add(new() { Value = action });
            seen.Parameters.Add(new() { Value = subject });
            if ((bool)(await seen.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!) return null;
        }

        return await AppendAsync(connection, transaction, "observation", action, subject, detail, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Intents about <paramref name="subject"/> whose action starts with <paramref name="actionPrefix"/> and that have no outcome yet (writes a stopped process may or may not have made).</summary>
    public static async Task<IReadOnlyList<GlassBoxEntry>> UnansweredIntentsAsync(NpgsqlConnection connection, string subject, string actionPrefix, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT {GlassBoxQueries.Columns} FROM glass_box i WHERE kind = 'intent' AND subject = $1 AND starts_with(action, $2) " +
            "AND NOT EXISTS (SELECT 1 FROM glass_box o WHERE o.intent_seq = i.seq) ORDER BY seq", connection);
        command.Parameters.Add(new() { Value = subject });
        command.Parameters.Add(new() { Value = actionPrefix });
        return await ReadEntriesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the whole log in order.</summary>
    public static async Task<IReadOnlyList<GlassBoxEntry>> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {GlassBoxQueries.Columns} FROM glass_box ORDER BY seq", connection);
        return await ReadEntriesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<GlassBoxEntry>> ReadEntriesAsync(NpgsqlCommand command, CancellationToken cancellationToken) =>
        (await GlassBoxQueries.ReadAsync(command, cancellationToken).ConfigureAwait(false)).Select(e => e.Entry).ToList();

    /// <summary>The first entry whose hash does not follow from its predecessor, or null when the chain is intact.</summary>
    public static long? FirstBrokenLink(IReadOnlyList<GlassBoxEntry> entries)
    {
        var previous = new byte[32];
        var expectedSeq = 1L;
        foreach (var entry in entries)
        {
            if (entry.Seq != expectedSeq++ || !Hash(previous, entry).AsSpan().SequenceEqual(entry.Hash)) return entry.Seq;
            previous = entry.Hash;
        }

        return null;
    }

    private static async Task<long> AppendAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string kind, string action, string subject, JsonObject detail, long? intentSeq,
        CancellationToken cancellationToken)
    {
        await LockAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        long lastSeq = 0;
        var previous = new byte[32];
        await using (var last = new NpgsqlCommand("SELECT seq, hash FROM glass_box ORDER BY seq DESC LIMIT 1", connection, transaction))
        await using (var reader = await last.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                lastSeq = reader.GetInt64(0);
                previous = (byte[])reader[1];
            }
        }

        // Microsecond precision: what PostgreSQL stores, so the hash can be recomputed from the row.
        var now = DateTimeOffset.UtcNow;
        now = now.AddTicks(-(now.Ticks % 10));
        var entry = new GlassBoxEntry(lastSeq + 1, kind, action, subject, detail, intentSeq, now, []);
        var hash = Hash(previous, entry);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO glass_box (seq, recorded_at, kind, action, subject, detail, intent_seq, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9)", connection, transaction)
        {
            Parameters =
            {
                new() { Value = entry.Seq }, new() { Value = now }, new() { Value = kind }, new() { Value = action }, new() { Value = subject },
                new() { Value = detail.ToJsonString() }, new() { Value = (object?)intentSeq ?? DBNull.Value }, new() { Value = previous }, new() { Value = hash },
            },
        };
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return entry.Seq;
    }

    // Serialises appends (held to the end of the transaction; taking it again is a no-op).
    private static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AppendLock})", connection, transaction);
        await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The chained hash of <paramref name="entry"/> after an entry whose chained hash is <paramref name="previous"/> (zeros before the first): SHA-256(previous ‖ JCS(entry)).</summary>
    public static byte[] Hash(byte[] previous, GlassBoxEntry entry)
    {
        var canonical = JsonCanonicalizer.Canonicalize(new JsonObject
        {
            ["seq"] = entry.Seq,
            ["kind"] = entry.Kind,
            ["action"] = entry.Action,
            ["subject"] = entry.Subject,
            ["detail"] = entry.Detail.DeepClone(),
            ["intentSeq"] = entry.IntentSeq,
            ["recordedAt"] = entry.RecordedAtText,
        });
        return SHA256.HashData([.. previous, .. canonical]);
    }
}
