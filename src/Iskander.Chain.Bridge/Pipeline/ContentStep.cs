using System.Text.Json.Nodes;
using Iskander.Chain.Anchoring;
using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Content;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Ethereum;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bridge.Pipeline;

/// <summary>
/// recorded → stored: puts each recorded version's bytes into the content store, checks that the
/// CID is the one-block raw CID whose digest is the record's SHA-256, and derives the decision
/// leaf. Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c>; a put repeated after a crash stores
/// the same bytes under the same CID, so the step is idempotent.
/// </summary>
public sealed class ContentStep(BridgeDatabase database, IContentStore store, ILogger log)
{
    /// <summary>Most versions stored per transaction (one Glass Box intent and outcome covers them all).</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Stores one claim's worth of versions; returns how many.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var audit = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var claimed = new List<(long Id, string Key, int Version, byte[] Record, Cid Cid, Hash32 Leaf)>();
        await using (var claim = new NpgsqlCommand(
            "SELECT id, poll_key, version, record, sha256 FROM decision_versions WHERE status = 'recorded' ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED", connection, transaction))
        {
            claim.Parameters.Add(new() { Value = BatchSize });
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var sha256 = (byte[])reader[4];
                claimed.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), (byte[])reader[3],
                    Cid.V1(Multicodec.Raw, Multihash.Create(Multihash.Sha2_256, sha256)), DecisionLeaf.FromDigest(new Hash32(sha256))));
            }
        }

        if (claimed.Count == 0) return 0;

        // The intent is committed on its own connection before any put; the outcome, written with the
        // status change, takes the log's append lock only at the end of this transaction.
        var cids = new JsonArray(claimed.Select(c => (JsonNode)JsonValue.Create(c.Cid.ToString())!).ToArray());
        var intent = await GlassBoxLog.IntentAsync(audit, "content.put", $"{claimed.Count} decision records",
            new JsonObject { ["cids"] = cids, ["versions"] = new JsonArray(claimed.Select(c => (JsonNode)JsonValue.Create($"{c.Key}/v{c.Version}")!).ToArray()) }, cancellationToken).ConfigureAwait(false);
        foreach (var (_, key, version, record, cid, _) in claimed)
        {
            var imported = await store.PutAsync(record, cancellationToken).ConfigureAwait(false);
            if (!imported.Root.Equals(cid)) throw new InvalidOperationException($"content store returned {imported.Root} for {key} v{version}, expected {cid}");
        }

        await using (var update = new NpgsqlCommand(
            """
            UPDATE decision_versions v SET status = 'stored', cid = u.cid, leaf = u.leaf, stored_at = now()
            FROM unnest($1::bigint[], $2::text[], $3::bytea[]) AS u(id, cid, leaf) WHERE v.id = u.id
            """, connection, transaction))
        {
            update.Parameters.Add(new() { Value = claimed.Select(c => c.Id).ToArray() });
            update.Parameters.Add(new() { Value = claimed.Select(c => c.Cid.ToString()).ToArray() });
            update.Parameters.Add(new() { Value = claimed.Select(c => c.Leaf.ToArray()).ToArray() });
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await GlassBoxLog.OutcomeAsync(connection, transaction, intent, "content.put", $"{claimed.Count} decision records", new JsonObject { ["stored"] = cids.DeepClone() }, cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        log.Information("Stored {Count} decision versions in the content store", claimed.Count);
        return claimed.Count;
    }
}
