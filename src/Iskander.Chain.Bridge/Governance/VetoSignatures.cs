using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Governance;
using Npgsql;

namespace Iskander.Chain.Bridge.Governance;

/// <summary>An action open on the public schedule, with its on-chain id.</summary>
/// <param name="Row">The action as the bridge records it.</param>
/// <param name="ActionId">Its id on the ActionSchedule (what a veto names).</param>
/// <param name="Vetoes">Veto signatures collected for it (table <c>veto_signatures</c>).</param>
public sealed record OpenAction(GovernanceActionRow Row, Hash32 ActionId, int Vetoes);

/// <summary>
/// The bridge's veto pool (migration 0011): members' veto signatures, each checked to recover to a
/// current member before it is kept. Anyone may submit them to the schedule, which checks them again.
/// </summary>
public static class VetoSignatures
{
    /// <summary>The actions open on the public schedule (public: the schedule published them), each with its on-chain id and collected vetoes.</summary>
    public static async Task<IReadOnlyList<OpenAction>> OpenActionsAsync(BridgeDatabase database, ulong chainId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        var rows = (await GovernanceActions.ListAsync(database, cancellationToken: cancellationToken).ConfigureAwait(false)).Where(r => r.IsOpenOnSchedule).ToDictionary(r => r.Id);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            SELECT a.id, a.spec::text, a.target, a.params, v.sha256
            FROM governance_actions a JOIN decision_versions v ON v.id = a.version_id
            WHERE a.id = ANY($1) AND a.target IS NOT NULL AND a.params IS NOT NULL ORDER BY a.id
            """, connection);
        command.Parameters.Add(new() { Value = rows.Keys.ToArray() });
        var open = new List<(long Id, Hash32 ActionId)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var kind = ActionSpec.FromJson(reader.GetString(1)).Kind;
                open.Add((reader.GetInt64(0), ActionLeaf.Id(chainId, new Address((byte[])reader[2]), kind, (byte[])reader[3], new Hash32((byte[])reader[4]))));
            }
        }

        // The pool's counts for all of them in one query (action ids are derived here, not stored with the actions).
        await using var counting = new NpgsqlCommand("SELECT action_id, count(*) FROM veto_signatures WHERE action_id = ANY($1) GROUP BY action_id", connection);
        counting.Parameters.Add(new() { Value = open.Select(o => o.ActionId.ToArray()).ToArray() });
        var counts = new Dictionary<Hash32, int>();
        await using (var reader = await counting.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) counts[new Hash32((byte[])reader[0])] = (int)reader.GetInt64(1);
        }

        return open.Select(o => new OpenAction(rows[o.Id], o.ActionId, counts.GetValueOrDefault(o.ActionId))).ToList();
    }

    /// <summary>Keeps <paramref name="signer"/>'s veto of <paramref name="actionId"/> (a newer one replaces theirs).</summary>
    public static async Task AddAsync(BridgeDatabase database, Hash32 actionId, Address signer, byte[] signature, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO veto_signatures (action_id, signer, signature) VALUES ($1, $2, $3) ON CONFLICT (action_id, signer) DO UPDATE SET signature = EXCLUDED.signature, received_at = now()", connection);
        insert.Parameters.Add(new() { Value = actionId.ToArray() });
        insert.Parameters.Add(new() { Value = signer.ToArray() });
        insert.Parameters.Add(new() { Value = signature });
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The vetoes kept for <paramref name="actionId"/>, by signer in ascending address order (as <c>veto</c> wants them).</summary>
    public static async Task<IReadOnlyList<(Address Signer, byte[] Signature)>> ListAsync(BridgeDatabase database, Hash32 actionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var select = new NpgsqlCommand("SELECT signer, signature FROM veto_signatures WHERE action_id = $1 ORDER BY signer", connection);
        select.Parameters.Add(new() { Value = actionId.ToArray() });
        var vetoes = new List<(Address, byte[])>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) vetoes.Add((new Address((byte[])reader[0]), (byte[])reader[1]));
        return vetoes;
    }
}
