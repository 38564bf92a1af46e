using System.Globalization;
using System.Text.Json.Nodes;
using Iskander.Chain.Governance;
using Iskander.Chain.Loomio;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bridge.Governance;

/// <summary>
/// Reads the action block of a newly recorded decision version, inside the transaction that records
/// it. Any new version of a poll stops the earlier versions' actions that have not been sent; the
/// new version's actions are recorded as pending (decided versions only), or as duplicates of what an
/// earlier version already executed. A void or ignored block is noted on the version with its reason.
/// When a stopped action was already anchored (so anyone could schedule it), the new version also
/// gets a supersession marker, whose scheduling supersedes the earlier versions on chain.
/// </summary>
public static class ActionRecorder
{
    /// <summary>Records the actions of version <paramref name="versionId"/> (of poll <paramref name="pollId"/>, canonical record <paramref name="record"/>).</summary>
    public static async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long versionId, string instance, long pollId, int version, DecisionState state,
        byte[] record, ILogger log, CancellationToken cancellationToken)
    {
        await using (var supersede = new NpgsqlCommand(
            """
            UPDATE governance_actions a SET status = 'superseded', reason = $4, updated_at = now()
            FROM decision_versions v
            WHERE a.version_id = v.id AND v.instance = $1 AND v.poll_id = $2 AND v.id <> $3 AND a.status IN ('pending', 'scheduled', 'awaiting_consent', 'ready')
            RETURNING a.leaf IS NOT NULL
            """, connection, transaction))
        {
            supersede.Parameters.Add(new() { Value = instance });
            supersede.Parameters.Add(new() { Value = pollId });
            supersede.Parameters.Add(new() { Value = versionId });
            supersede.Parameters.Add(new() { Value = $"superseded by version {version} ({state.Name()}) before it was executed" });
            var stopped = 0;
            var anchored = false;
            await using (var reader = await supersede.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    stopped++;
                    anchored |= reader.GetBoolean(0);
                }
            }

            if (stopped > 0) log.Information("Version {Version} of poll {PollId} stops {Count} earlier action(s) not yet executed", version, pollId, stopped);
            var ordered = await RecordBlockAsync(connection, transaction, versionId, instance, pollId, version, state, record, log, cancellationToken).ConfigureAwait(false);
            if (anchored) await InsertAsync(connection, transaction, versionId, ordered, new GovernanceAction(GovernanceActionKind.SupersedeVersions), null, cancellationToken).ConfigureAwait(false);
        }
    }

    // Records the version's own actions; returns how many.
    private static async Task<int> RecordBlockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long versionId, string instance, long pollId, int version, DecisionState state,
        byte[] record, ILogger log, CancellationToken cancellationToken)
    {
        var outcome = JsonNode.Parse(record)?["outcome"];
        var block = ActionBlock.Parse(outcome?["statement"]?.GetValue<string>(), outcome?["statementFormat"]?.GetValue<string>());
        if (!block.Present) return 0;
        string? note = null;
        if (block.Errors.Count > 0)
        {
            note = "invalid action block, nothing will be executed: " + string.Join("; ", block.Errors);
        }
        else if (state is not (DecisionState.Decided or DecisionState.OutcomeRevised))
        {
            note = $"action block ignored: a {state.Name()} version orders nothing (only a decided outcome does)";
        }

        if (note is not null)
        {
            log.Warning("Poll {PollId} version {Version}: {Note}", pollId, version, note);
            await using var update = new NpgsqlCommand("UPDATE decision_versions SET actions_note = $2 WHERE id = $1", connection, transaction);
            update.Parameters.Add(new() { Value = versionId });
            update.Parameters.Add(new() { Value = note });
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }

        for (var position = 0; position < block.Actions.Count; position++)
        {
            var action = block.Actions[position];
            var earlier = await EarlierExecutionAsync(connection, transaction, instance, pollId, versionId, action.Key, cancellationToken).ConfigureAwait(false);
            await InsertAsync(connection, transaction, versionId, position, action, earlier is null ? null : $"already {earlier.Value.Status} under version {earlier.Value.Version}",
                cancellationToken).ConfigureAwait(false);
        }

        log.Information("Poll {PollId} version {Version} orders {Count} action(s)", pollId, version, block.Actions.Count);
        return block.Actions.Count;
    }

    // A pending action, or a duplicate (with the reason) of one an earlier version already executed.
    private static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long versionId, int position, GovernanceAction action, string? duplicateOf,
        CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(
            "INSERT INTO governance_actions (version_id, position, kind, action_key, spec, status, reason) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)", connection, transaction);
        insert.Parameters.Add(new() { Value = versionId });
        insert.Parameters.Add(new() { Value = position });
        insert.Parameters.Add(new() { Value = action.Kind.Name() });
        insert.Parameters.Add(new() { Value = action.Key });
        insert.Parameters.Add(new() { Value = ActionSpec.ToJson(action) });
        insert.Parameters.Add(new() { Value = duplicateOf is null ? "pending" : "duplicate" });
        insert.Parameters.Add(new() { Value = (object?)duplicateOf ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(string Status, int Version)?> EarlierExecutionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string instance, long pollId, long versionId, string key,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT a.status, v.version FROM governance_actions a JOIN decision_versions v ON v.id = a.version_id
            WHERE v.instance = $1 AND v.poll_id = $2 AND v.id <> $3 AND a.action_key = $4 AND a.status IN ('submitted', 'executed') LIMIT 1
            """, connection, transaction);
        command.Parameters.Add(new() { Value = instance });
        command.Parameters.Add(new() { Value = pollId });
        command.Parameters.Add(new() { Value = versionId });
        command.Parameters.Add(new() { Value = key });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), reader.GetInt32(1)) : null;
    }
}

/// <summary>The stored JSON form of a <see cref="GovernanceAction"/>.</summary>
public static class ActionSpec
{
    /// <summary>Serialises an action.</summary>
    public static string ToJson(GovernanceAction action) => new JsonObject
    {
        ["kind"] = action.Kind.Name(),
        ["member"] = action.Member?.ToChecksumString(),
        ["role"] = action.Role,
        ["uri"] = action.Uri,
        ["parameter"] = action.Parameter,
        ["value"] = action.Value?.ToString(CultureInfo.InvariantCulture),
    }.ToJsonString();

    /// <summary>Reads an action back.</summary>
    public static GovernanceAction FromJson(string json)
    {
        var node = JsonNode.Parse(json)!;
        return new GovernanceAction(
            GovernanceActionKinds.Parse(node["kind"]!.GetValue<string>()) ?? throw new FormatException("unknown action kind"),
            node["member"]?.GetValue<string>() is { } member ? Ethereum.Address.Parse(member) : null,
            node["role"]?.GetValue<string>(),
            node["uri"]?.GetValue<string>(),
            node["parameter"]?.GetValue<string>(),
            node["value"]?.GetValue<string>() is { } value ? System.Numerics.BigInteger.Parse(value, CultureInfo.InvariantCulture) : null);
    }
}
