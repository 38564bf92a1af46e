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
    /// <summary>Most versions stored per call.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Stores up to <see cref="BatchSize"/> versions, one transaction each; returns how many.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var audit = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var stored = 0;
        while (stored < BatchSize && await StoreOneAsync(connection, audit, cancellationToken).ConfigureAwait(false)) stored++;
        if (stored > 0) log.Information("Stored {Count} decision versions in the content store", stored);
        return stored;
    }

    // One version per transaction: the Glass Box outcome takes the log's append lock, which must be
    // released before the next intent is written on the other connection.
    private async Task<bool> StoreOneAsync(NpgsqlConnection connection, NpgsqlConnection audit, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        long id;
        string key;
        int version;
        byte[] record, sha256;
        await using (var claim = new NpgsqlCommand(
            "SELECT id, poll_key, version, record, sha256 FROM decision_versions WHERE status = 'recorded' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED", connection, transaction))
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return false;
            (id, key, version, record, sha256) = (reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), (byte[])reader[3], (byte[])reader[4]);
        }

        var expected = Cid.V1(Multicodec.Raw, Multihash.Create(Multihash.Sha2_256, sha256));
        var intent = await GlassBoxLog.IntentAsync(audit, "content.put", expected.ToString(), new JsonObject { ["poll"] = key, ["version"] = version, ["bytes"] = record.Length }, cancellationToken)
            .ConfigureAwait(false);
        var imported = await store.PutAsync(record, cancellationToken).ConfigureAwait(false);
        if (!imported.Root.Equals(expected)) throw new InvalidOperationException($"content store returned {imported.Root} for {key} v{version}, expected {expected}");
        var leaf = DecisionLeaf.FromDigest(new Hash32(sha256));
        await using (var update = new NpgsqlCommand("UPDATE decision_versions SET status = 'stored', cid = $2, leaf = $3, stored_at = now() WHERE id = $1", connection, transaction))
        {
            update.Parameters.Add(new() { Value = id });
            update.Parameters.Add(new() { Value = expected.ToString() });
            update.Parameters.Add(new() { Value = leaf.ToArray() });
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await GlassBoxLog.OutcomeAsync(connection, transaction, intent, "content.put", expected.ToString(), new JsonObject { ["leaf"] = leaf.ToString() }, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }
}
