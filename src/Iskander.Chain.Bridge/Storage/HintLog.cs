using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Iskander.Chain.Bridge.Storage;

/// <summary>Raw Loomio webhook bodies as received: evidence that a hint came, never a source of data.</summary>
public static class HintLog
{
    /// <summary>Keeps a delivery.</summary>
    public static async Task RecordAsync(BridgeDatabase database, long groupId, string body, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = new NpgsqlCommand("INSERT INTO hints (group_id, body, body_sha256) VALUES ($1, $2, $3)", connection);
        insert.Parameters.Add(new() { Value = groupId });
        insert.Parameters.Add(new() { Value = body });
        insert.Parameters.Add(new() { Value = SHA256.HashData(Encoding.UTF8.GetBytes(body)) });
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many deliveries were kept for a group.</summary>
    public static async Task<int> CountAsync(BridgeDatabase database, long groupId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var count = new NpgsqlCommand("SELECT count(*)::int FROM hints WHERE group_id = $1", connection);
        count.Parameters.Add(new() { Value = groupId });
        return (int)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
