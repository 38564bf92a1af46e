using System.Text.Json.Nodes;
using Iskander.Chain.Anchoring;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Governance;
using Npgsql;

namespace Iskander.Chain.Bridge.GlassBox;

/// <summary>
/// Every batch the bridge closed with what each of its leaves commits to (<c>GET /api/audit/batches</c>),
/// so that a verifier can account for every root the DecisionAnchor holds: a decision leaf by its
/// record's digest, an action leaf by everything its identity is computed from, a Glass Box head by
/// its entry and hash. A leaf is recomputed from these, never taken as given.
/// </summary>
public static class BatchLeaves
{
    /// <summary>Leaf kind of a decision record (<see cref="DecisionLeaf"/>).</summary>
    public const string Decision = "decision";

    /// <summary>Leaf kind of a governance action (<see cref="ActionLeaf"/>).</summary>
    public const string Action = "action";

    /// <summary>Leaf kind of a Glass Box head (<see cref="AuditHeadLeaf"/>).</summary>
    public const string AuditHead = "audit-head";

    /// <summary>One page of batches, oldest first, each <c>{root, status, blockNumber, leaves: [{index, kind, …}]}</c>, and how many there are.</summary>
    public static async Task<(int Total, IReadOnlyList<JsonObject> Page)> PageAsync(BridgeDatabase database, int offset, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        int total;
        await using (var count = new NpgsqlCommand("SELECT count(*)::int FROM batches", connection))
        {
            total = (int)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        var batches = new List<(long Id, JsonObject Json)>();
        await using (var page = new NpgsqlCommand("SELECT id, root, status, block_number FROM batches ORDER BY id OFFSET $1 LIMIT $2", connection))
        {
            page.Parameters.Add(new() { Value = offset });
            page.Parameters.Add(new() { Value = limit });
            await using var reader = await page.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                batches.Add((reader.GetInt64(0), new JsonObject
                {
                    ["root"] = Hex.Encode((byte[])reader[1]), ["status"] = reader.GetString(2), ["blockNumber"] = reader.IsDBNull(3) ? null : reader.GetInt64(3),
                }));
            }
        }

        foreach (var (id, json) in batches) json["leaves"] = await LeavesAsync(connection, id, cancellationToken).ConfigureAwait(false);
        return (total, batches.Select(b => b.Json).ToList());
    }

    private static async Task<JsonArray> LeavesAsync(NpgsqlConnection connection, long batchId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT leaf_index, 'decision', jsonb_build_object('digest', '0x' || encode(sha256, 'hex'))::text FROM decision_versions WHERE batch_id = $1
            UNION ALL
            SELECT a.leaf_index, 'action', jsonb_build_object('target', '0x' || encode(a.target, 'hex'), 'actionKind', a.kind, 'params', '0x' || encode(a.params, 'hex'),
                   'decisionDigest', '0x' || encode(v.sha256, 'hex'), 'pollKey', v.poll_key, 'version', v.version)::text
            FROM governance_actions a JOIN decision_versions v ON v.id = a.version_id WHERE a.batch_id = $1
            UNION ALL
            SELECT leaf_index, 'audit-head', jsonb_build_object('seq', seq, 'hash', '0x' || encode(hash, 'hex'))::text FROM audit_heads WHERE batch_id = $1
            ORDER BY 1
            """, connection);
        command.Parameters.Add(new() { Value = batchId });
        var leaves = new JsonArray();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var leaf = (JsonObject)JsonNode.Parse(reader.GetString(2))!;
            leaf["index"] = reader.GetInt32(0);
            leaf["kind"] = reader.GetString(1);
            leaves.Add(leaf);
        }

        return leaves;
    }

    /// <summary>
    /// The leaf that <paramref name="leaf"/> (one of <see cref="PageAsync"/>'s) commits to, recomputed
    /// from its fields; an action's identity is bound to chain <paramref name="chainId"/>.
    /// </summary>
    /// <exception cref="FormatException">An unknown kind, or a field missing or malformed.</exception>
    public static Hash32 Recompute(JsonObject leaf, ulong chainId)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        try
        {
            return leaf["kind"]?.GetValue<string>() switch
            {
                Decision => DecisionLeaf.FromDigest(Hash32.Parse(Text(leaf, "digest"))),
                Action => ActionLeaf.Compute(
                    ActionLeaf.Id(chainId, Address.Parse(Text(leaf, "target")), GovernanceActionKinds.Parse(Text(leaf, "actionKind")) ?? throw new FormatException($"unknown action kind '{leaf["actionKind"]}'"),
                        Hex.Decode(Text(leaf, "params")), Hash32.Parse(Text(leaf, "decisionDigest"))),
                    ActionLeaf.PollId(Text(leaf, "pollKey")), leaf["version"]!.GetValue<ulong>()),
                AuditHead => AuditHeadLeaf.Compute(leaf["seq"]!.GetValue<long>(), Hash32.Parse(Text(leaf, "hash"))),
                var kind => throw new FormatException($"unknown leaf kind '{kind}'"),
            };
        }
        catch (Exception ex) when (ex is InvalidOperationException or NullReferenceException or ArgumentException)
        {
            throw new FormatException($"malformed leaf: {ex.Message}", ex);
        }
    }

    private static string Text(JsonObject leaf, string name) => leaf[name]?.GetValue<string>() ?? throw new FormatException($"a leaf has no {name}");
}
