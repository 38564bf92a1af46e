using System.Numerics;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Governance;
using Npgsql;

namespace Iskander.Chain.Bridge.Governance;

/// <summary>A decision that acted on a membership, as far as the bridge knows it.</summary>
/// <param name="Leaf">The action leaf the contract checked.</param>
/// <param name="PollKey">The Loomio poll (null when the action did not come from this bridge).</param>
/// <param name="Version">The decision version.</param>
/// <param name="Public">Whether that version is a public record (a private one is named to members only).</param>
public sealed record MembershipDecision(Hash32 Leaf, string? PollKey, int? Version, bool Public);

/// <summary>One membership token's history.</summary>
/// <param name="TokenId">Token id (the agreement hash).</param>
/// <param name="Member">Holder.</param>
/// <param name="Role">Role.</param>
/// <param name="Status">active, revoked or left.</param>
/// <param name="AdmittedInBlock">Block of the admission.</param>
/// <param name="EndedInBlock">Block of the revocation or departure.</param>
/// <param name="Admission">The decision that admitted the member.</param>
/// <param name="Revocation">The decision that revoked the token, if it was revoked.</param>
public sealed record MembershipRecord(BigInteger TokenId, Address Member, string Role, string Status, long AdmittedInBlock, long? EndedInBlock,
    MembershipDecision Admission, MembershipDecision? Revocation);

/// <summary>Read side of the membership mirror.</summary>
public static class MembershipQueries
{
    /// <summary>Every membership (current and ended) of <paramref name="member"/>, or of everyone; oldest first.</summary>
    public static async Task<IReadOnlyList<MembershipRecord>> MembershipsAsync(BridgeDatabase database, Address? member = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            SELECT a.token_id, a.member, a.role, a.leaf, a.block_number, e.event, e.block_number, e.leaf,
                   ad.poll_key, ad.version, ad.public, rd.poll_key, rd.version, rd.public
            FROM membership_events a
            LEFT JOIN LATERAL (SELECT * FROM membership_events x WHERE x.token_id = a.token_id AND x.event <> 'admitted' ORDER BY x.block_number, x.log_index LIMIT 1) e ON true
            LEFT JOIN LATERAL (SELECT v.poll_key, v.version, v.public FROM governance_actions g JOIN decision_versions v ON v.id = g.version_id WHERE g.leaf = a.leaf LIMIT 1) ad ON true
            LEFT JOIN LATERAL (SELECT v.poll_key, v.version, v.public FROM governance_actions g JOIN decision_versions v ON v.id = g.version_id WHERE g.leaf = e.leaf LIMIT 1) rd ON true
            WHERE a.event = 'admitted' AND ($1::bytea IS NULL OR a.member = $1)
            ORDER BY a.block_number, a.log_index
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)member?.ToArray() ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
        var result = new List<MembershipRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var ended = reader.IsDBNull(5) ? null : reader.GetString(5);
            result.Add(new MembershipRecord(
                new BigInteger((byte[])reader[0], isUnsigned: true, isBigEndian: true),
                new Address((byte[])reader[1]),
                GovernanceAction.FromShortText((byte[])reader[2]),
                ended ?? "active",
                reader.GetInt64(4),
                reader.IsDBNull(6) ? null : reader.GetInt64(6),
                Decision(reader, 3, 8),
                ended == "revoked" ? Decision(reader, 7, 11) : null));
        }

        return result;
    }

    // The action leaf at column `leaf`, and the poll key, version and publicity of the version ordering it from column `version`.
    private static MembershipDecision Decision(NpgsqlDataReader reader, int leaf, int version) =>
        new(new Hash32((byte[])reader[leaf]), reader.IsDBNull(version) ? null : reader.GetString(version), reader.IsDBNull(version + 1) ? null : reader.GetInt32(version + 1),
            !reader.IsDBNull(version + 2) && reader.GetBoolean(version + 2));

    /// <summary>The active token of <paramref name="member"/> as the mirror knows it, or null.</summary>
    public static async Task<BigInteger?> ActiveTokenAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Address member, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT a.token_id FROM membership_events a
            WHERE a.event = 'admitted' AND a.member = $1 AND NOT EXISTS (SELECT 1 FROM membership_events x WHERE x.token_id = a.token_id AND x.event <> 'admitted')
            ORDER BY a.block_number DESC LIMIT 1
            """, connection, transaction);
        command.Parameters.Add(new() { Value = member.ToArray() });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is byte[] token ? new BigInteger(token, isUnsigned: true, isBigEndian: true) : null;
    }
}
