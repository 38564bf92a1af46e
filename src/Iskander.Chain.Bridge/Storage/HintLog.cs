using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Iskander.Chain.Bridge.Storage;

/// <summary>
/// Raw Loomio webhook bodies as received: evidence that a hint came, never a source of data. Only the
/// newest <see cref="KeptPerGroup"/> deliveries of each group are kept, so a flood of posts (Loomio's
/// own bursts, or a leaked webhook URL) cannot fill the database.
/// </summary>
public static class HintLog
{
    /// <summary>Deliveries kept per group; older ones are deleted as new ones arrive.</summary>
    public const int KeptPerGroup = 100;

    /// <summary>Keeps a delivery, and forgets the group's deliveries older than the newest <see cref="KeptPerGroup"/>.</summary>
    public static async Task RecordAsync(BridgeDatabase database, long groupId, string body, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new("INSERT INTO hints (group_id, body, body_sha256) VALUES ($1, $2, $3)")
                {
                    Parameters = { new() { Value = groupId }, new() { Value = body }, new() { Value = SHA256.HashData(Encoding.UTF8.GetBytes(body)) } },
                },
                new("DELETE FROM hints WHERE group_id = $1 AND id < (SELECT min(id) FROM (SELECT id FROM hints WHERE group_id = $1 ORDER BY id DESC LIMIT $2) AS newest)")
                {
                    Parameters = { new() { Value = groupId }, new() { Value = KeptPerGroup } },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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
