using System.Numerics;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Governance;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bridge.Governance;

/// <summary>An action leaf that joins its decision's batch.</summary>
/// <param name="ActionId">The action's row.</param>
/// <param name="VersionId">The version that orders it.</param>
/// <param name="Leaf">Its leaf.</param>
/// <param name="Target">The contract that will execute it.</param>
/// <param name="Params">The parameters that contract checks.</param>
public sealed record PreparedActionLeaf(long ActionId, long VersionId, Hash32 Leaf, Address Target, byte[] Params);

/// <summary>
/// Turns the pending actions of versions being batched into action leaves, so that the decision and
/// what it orders are anchored by one root. A revocation is bound to the member's current token as
/// the membership mirror knows it; naming someone who is not a member fails the action with that
/// reason.
/// </summary>
public static class ActionLeaves
{
    /// <summary>Leaves for the pending actions of <paramref name="versionIds"/>, in version and block order.</summary>
    public static async Task<IReadOnlyList<PreparedActionLeaf>> PrepareAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long[] versionIds, GovernanceTargets targets,
        ILogger log, CancellationToken cancellationToken)
    {
        var pending = new List<(long Id, long VersionId, GovernanceAction Action, Hash32 Digest, string PollKey, int Version)>();
        await using (var select = new NpgsqlCommand(
            """
            SELECT a.id, a.version_id, a.spec::text, v.sha256, v.poll_key, v.version FROM governance_actions a JOIN decision_versions v ON v.id = a.version_id
            WHERE a.version_id = ANY($1) AND a.status = 'pending' AND a.leaf IS NULL ORDER BY a.version_id, a.position FOR UPDATE OF a
            """, connection, transaction))
        {
            select.Parameters.Add(new() { Value = versionIds });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                pending.Add((reader.GetInt64(0), reader.GetInt64(1), ActionSpec.FromJson(reader.GetString(2)), new Hash32((byte[])reader[3]), reader.GetString(4), reader.GetInt32(5)));
            }
        }

        var prepared = new List<PreparedActionLeaf>();
        foreach (var (id, versionId, action, digest, pollKey, version) in pending)
        {
            BigInteger? tokenId = null;
            if (action.Kind == GovernanceActionKind.RevokeMember)
            {
                tokenId = await MembershipQueries.ActiveTokenAsync(connection, transaction, action.Member!.Value, cancellationToken).ConfigureAwait(false);
                if (tokenId is null)
                {
                    var reason = $"{action.Member.Value.ToChecksumString()} holds no membership token, so there is nothing to revoke";
                    log.Warning("Action {ActionId} fails: {Reason}", id, reason);
                    await GovernanceActions.SetStatusAsync(connection, transaction, id, "failed", reason, cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }

            var target = targets.For(action.Kind);
            var parameters = ActionLeaf.Params(action, tokenId);
            var actionId = ActionLeaf.Id(targets.ChainId, target, action.Kind, parameters, digest);
            prepared.Add(new PreparedActionLeaf(id, versionId, ActionLeaf.Compute(actionId, ActionLeaf.PollId(pollKey), (ulong)version), target, parameters));
        }

        return prepared;
    }
}
