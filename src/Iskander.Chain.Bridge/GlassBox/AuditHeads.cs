using Iskander.Chain.Anchoring;
using Iskander.Chain.Ethereum;
using Npgsql;

namespace Iskander.Chain.Bridge.GlassBox;

/// <summary>A head of the Glass Box: its last entry and the chained hash there.</summary>
/// <param name="Seq">The entry.</param>
/// <param name="Hash">The log's chained hash at that entry.</param>
public sealed record AuditHead(long Seq, Hash32 Hash)
{
    /// <summary>The leaf that anchors this head (<see cref="AuditHeadLeaf"/>).</summary>
    public Hash32 Leaf => AuditHeadLeaf.Compute(Seq, Hash);
}

/// <summary>
/// Anchoring the Glass Box: every Merkle batch the bridge closes carries the log's head when the log
/// grew since the last head batched; with nothing else to batch, a batch holding only the head closes
/// once an entry not yet covered has waited <c>interval</c>. So every entry is anchored within about
/// that interval of being logged, except the anchoring of such audit-only batches themselves (else an
/// idle bridge would anchor its own anchoring forever): those wait for the next entry of any other kind.
/// </summary>
public static class AuditHeads
{
    // Serialises the decision to close an audit-only batch, so two processes never close the same head twice.
    private const long AuditOnlyLock = 7400003;

    /// <summary>The log's current head (null while it is empty).</summary>
    public static async Task<AuditHead?> CurrentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT seq, hash FROM glass_box ORDER BY seq DESC LIMIT 1", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? new AuditHead(reader.GetInt64(0), new Hash32((byte[])reader[1])) : null;
    }

    /// <summary>The head to put into a batch being closed now: the current one when it is past every head already batched, else null.</summary>
    public static async Task<AuditHead?> UnbatchedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var current = await CurrentAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        if (current is null) return null;
        await using var command = new NpgsqlCommand("SELECT COALESCE(max(seq), 0) FROM audit_heads", connection, transaction);
        var last = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return current.Seq > last ? current : null;
    }

    /// <summary>
    /// The head to anchor in a batch of its own, when one is due: an entry after the last head batched
    /// has waited <paramref name="interval"/>, other than the anchoring of an audit-only batch. Takes a
    /// transaction-scoped lock first.
    /// </summary>
    public static async Task<AuditHead?> DueAloneAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, TimeSpan interval, CancellationToken cancellationToken)
    {
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AuditOnlyLock})", connection, transaction))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var due = new NpgsqlCommand(
            """
            SELECT EXISTS (SELECT 1 FROM glass_box g
                           WHERE g.seq > (SELECT COALESCE(max(seq), 0) FROM audit_heads) AND g.recorded_at <= now() - $1::interval
                           AND NOT (g.action = 'anchor.submit' AND g.subject IN
                               (SELECT '0x' || encode(b.root, 'hex') FROM batches b JOIN audit_heads h ON h.batch_id = b.id WHERE b.leaf_count = 1)))
            """, connection, transaction))
        {
            due.Parameters.Add(new() { Value = interval });
            if (!(bool)(await due.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!) return null;
        }

        return await UnbatchedAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records that batch <paramref name="batchId"/> holds <paramref name="head"/>'s leaf at <paramref name="leafIndex"/>.</summary>
    public static async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long batchId, AuditHead head, int leafIndex, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(head);
        await using var insert = new NpgsqlCommand("INSERT INTO audit_heads (batch_id, seq, hash, leaf, leaf_index) VALUES ($1, $2, $3, $4, $5)", connection, transaction);
        foreach (var value in new object[] { batchId, head.Seq, head.Hash.ToArray(), head.Leaf.ToArray(), leafIndex }) insert.Parameters.Add(new() { Value = value });
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
