using System.Text.Json.Nodes;
using Iskander.Chain.Anchoring;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum;
using Npgsql;

namespace Iskander.Chain.Bridge.GlassBox;

/// <summary>Which entries of the Glass Box to list; null fields do not filter.</summary>
/// <param name="Kind">intent, outcome or observation.</param>
/// <param name="Actor">The component that wrote the entry: the part of its action before the first dot (<c>anchor</c>, <c>content</c>, <c>governance</c>, …).</param>
/// <param name="Action">The exact action, e.g. <c>anchor.submit</c>.</param>
/// <param name="From">Entries recorded at or after.</param>
/// <param name="To">Entries recorded before.</param>
public sealed record AuditFilter(string? Kind = null, string? Actor = null, string? Action = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>An entry with the hash it follows (so a reader can check its link without the rest of the log).</summary>
/// <param name="Entry">The entry.</param>
/// <param name="PreviousHash">The chained hash of the entry before (zeros for the first).</param>
public sealed record ChainedEntry(GlassBoxEntry Entry, byte[] PreviousHash)
{
    /// <summary>As the API serves it.</summary>
    public JsonObject ToJson() => Entry.ToJson(PreviousHash);
}

/// <summary>A head of the Glass Box put into a batch, with its inclusion proof.</summary>
/// <param name="Seq">The last entry the head covers.</param>
/// <param name="Hash">The chained hash at that entry, as the bridge recorded it when closing the batch.</param>
/// <param name="Reference">The head's leaf, its index and proof, and the batch root.</param>
/// <param name="BatchStatus">closed, submitted or confirmed.</param>
/// <param name="BlockNumber">The anchor's block, once known.</param>
public sealed record AnchoredAuditHead(long Seq, Hash32 Hash, DecisionRef Reference, string BatchStatus, long? BlockNumber)
{
    /// <summary>As the API serves it.</summary>
    public JsonObject ToJson() => new()
    {
        ["seq"] = Seq,
        ["hash"] = Hash.ToString(),
        ["leaf"] = Reference.Leaf.ToString(),
        ["index"] = Reference.Index,
        ["proof"] = new JsonArray(Reference.Proof.Select(p => (JsonNode)JsonValue.Create(p.ToString())!).ToArray()),
        ["root"] = Reference.Root.ToString(),
        ["batchStatus"] = BatchStatus,
        ["blockNumber"] = BlockNumber,
    };

    /// <summary>Reads a head as <see cref="ToJson"/> writes it.</summary>
    /// <exception cref="FormatException">A field is missing or malformed.</exception>
    public static AnchoredAuditHead FromJson(JsonNode? json)
    {
        try
        {
            var head = json as JsonObject ?? throw new FormatException("an audit head is a JSON object");
            var proof = head["proof"] as JsonArray ?? throw new FormatException("an audit head has no proof");
            return new AnchoredAuditHead(head["seq"]!.GetValue<long>(), Hash32.Parse(head["hash"]!.GetValue<string>()),
                new DecisionRef(Hash32.Parse(head["root"]!.GetValue<string>()), Hash32.Parse(head["leaf"]!.GetValue<string>()), head["index"]!.GetValue<ulong>(),
                    proof.Select(p => Hash32.Parse(p!.GetValue<string>())).ToList()),
                head["batchStatus"]!.GetValue<string>(), head["blockNumber"]?.GetValue<long>());
        }
        catch (Exception ex) when (ex is InvalidOperationException or NullReferenceException or System.Text.Json.JsonException)
        {
            throw new FormatException($"malformed audit head: {ex.Message}", ex);
        }
    }
}

/// <summary>Read side of the Glass Box: filtered pages, single entries, and the heads anchored so far.</summary>
public static class GlassBoxQueries
{
    /// <summary>The columns <see cref="ReadAsync"/> reads, in its order.</summary>
    internal const string Columns = "seq, kind, action, subject, detail::text, intent_seq, recorded_at, hash, prev_hash";

    /// <summary>One page of entries matching <paramref name="filter"/>, in log order, and how many match in all.</summary>
    public static async Task<(int Total, IReadOnlyList<ChainedEntry> Page)> PageAsync(BridgeDatabase database, AuditFilter filter, int offset, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(filter);
        const string where = """
            WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR split_part(action, '.', 1) = $2) AND ($3::text IS NULL OR action = $3)
              AND ($4::timestamptz IS NULL OR recorded_at >= $4) AND ($5::timestamptz IS NULL OR recorded_at < $5)
            """;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        int total;
        await using (var count = new NpgsqlCommand($"SELECT count(*)::int FROM glass_box {where}", connection))
        {
            AddFilter(count, filter);
            total = (int)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        await using var page = new NpgsqlCommand($"SELECT {Columns} FROM glass_box {where} ORDER BY seq OFFSET $6 LIMIT $7", connection);
        AddFilter(page, filter);
        page.Parameters.Add(new() { Value = offset });
        page.Parameters.Add(new() { Value = limit });
        return (total, await ReadAsync(page, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Entry <paramref name="seq"/>, or null.</summary>
    public static async Task<ChainedEntry?> EntryAsync(BridgeDatabase database, long seq, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM glass_box WHERE seq = $1", connection);
        command.Parameters.Add(new() { Value = seq });
        return (await ReadAsync(command, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    /// <summary>Every head put into a batch, oldest first, with the proof from its batch (or only the first covering entry <paramref name="coveringSeq"/>).</summary>
    public static async Task<IReadOnlyList<AnchoredAuditHead>> HeadsAsync(BridgeDatabase database, long? coveringSeq = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<(long Seq, byte[] Hash, long BatchId, int Index, string Status, long? Block)>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT h.seq, h.hash, h.batch_id, h.leaf_index, b.status, b.block_number FROM audit_heads h JOIN batches b ON b.id = h.batch_id
            WHERE $1::bigint IS NULL OR h.seq >= $1 ORDER BY h.seq, h.batch_id LIMIT CASE WHEN $1::bigint IS NULL THEN NULL ELSE 1 END
            """, connection))
        {
            command.Parameters.Add(new() { Value = (object?)coveringSeq ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetInt64(0), (byte[])reader[1], reader.GetInt64(2), reader.GetInt32(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetInt64(5)));
            }
        }

        var heads = new List<AnchoredAuditHead>(rows.Count);
        foreach (var row in rows)
        {
            var tree = await DecisionQueries.BatchTreeAsync(connection, row.BatchId, cancellationToken).ConfigureAwait(false);
            heads.Add(new AnchoredAuditHead(row.Seq, new Hash32(row.Hash), DecisionRef.For(tree, row.Index), row.Status, row.Block));
        }

        return heads;
    }

    private static void AddFilter(NpgsqlCommand command, AuditFilter filter)
    {
        command.Parameters.Add(new() { Value = (object?)filter.Kind ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)filter.Actor ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)filter.Action ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)filter.From ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = (object?)filter.To ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
    }

    /// <summary>Runs <paramref name="command"/>, which selects <see cref="Columns"/>.</summary>
    internal static async Task<IReadOnlyList<ChainedEntry>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var entries = new List<ChainedEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new ChainedEntry(new GlassBoxEntry(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), (JsonObject)JsonNode.Parse(reader.GetString(4))!,
                reader.IsDBNull(5) ? null : reader.GetInt64(5), reader.GetFieldValue<DateTimeOffset>(6), (byte[])reader[7]), (byte[])reader[8]));
        }

        return entries;
    }
}
