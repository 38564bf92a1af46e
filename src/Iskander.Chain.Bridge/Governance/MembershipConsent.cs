using System.Text.Json.Nodes;
using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Governance;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bridge.Governance;

/// <summary>An admission waiting for the member's signature.</summary>
/// <param name="ActionId">The action.</param>
/// <param name="PollKey">The poll whose decision admits the member.</param>
/// <param name="Version">Its version.</param>
/// <param name="Role">The role.</param>
/// <param name="Deadline">Until when consent is accepted.</param>
/// <param name="Agreement">What to sign.</param>
public sealed record PendingAdmission(long ActionId, string PollKey, int Version, string Role, DateTimeOffset Deadline, MembershipAgreement Agreement);

/// <summary>A consent was not accepted; the message says why.</summary>
public sealed class ConsentRejectedException(string message, bool notFound = false) : Exception(message)
{
    /// <summary>Whether no admission awaits consent under that id.</summary>
    public bool NotFound { get; } = notFound;
}

/// <summary>
/// The member's side of an admission: the agreements awaiting consent, and accepting a signature
/// (only the member's own, over exactly the agreement for this chain and contract), after which the
/// governance step issues the token.
/// </summary>
public sealed class MembershipConsent(BridgeDatabase database, GovernanceTargets targets, Address issuer, ILogger log)
{
    /// <summary>Admissions awaiting consent, of <paramref name="member"/> or of everyone.</summary>
    public async Task<IReadOnlyList<PendingAdmission>> PendingAsync(Address? member = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            SELECT a.id, v.poll_key, v.version, a.spec::text, a.consent_deadline, a.metadata FROM governance_actions a JOIN decision_versions v ON v.id = a.version_id
            WHERE a.status = 'awaiting_consent' AND a.consent_deadline > now() ORDER BY a.id
            """, connection);
        var pending = new List<PendingAdmission>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var action = ActionSpec.FromJson(reader.GetString(3));
            if (member is { } wanted && action.Member != wanted) continue;
            var agreement = MembershipAgreement.FromParts(targets.ChainId, targets.Identity, issuer, action.Member!.Value, (byte[])reader[5]);
            pending.Add(new PendingAdmission(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), action.Role!, reader.GetFieldValue<DateTimeOffset>(4), agreement));
        }

        return pending;
    }

    /// <summary>Accepts the member's signature for admission <paramref name="actionId"/>.</summary>
    /// <exception cref="ConsentRejectedException">No such admission awaits consent, or the signature is not the member's consent to it.</exception>
    public async Task AcceptAsync(long actionId, byte[] signature, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        string status, spec;
        byte[]? metadata;
        await using (var select = new NpgsqlCommand("SELECT status, spec::text, metadata, consent_deadline < now() FROM governance_actions WHERE id = $1 AND kind = 'admit-member' FOR UPDATE", connection, transaction))
        {
            select.Parameters.Add(new() { Value = actionId });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) throw new ConsentRejectedException($"there is no admission {actionId}", notFound: true);
            (status, spec, metadata) = (reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : (byte[])reader[2]);
            if (status == "awaiting_consent" && !reader.IsDBNull(3) && reader.GetBoolean(3)) status = "expired";
        }

        if (status != "awaiting_consent" || metadata is null) throw new ConsentRejectedException($"admission {actionId} is {status}, not awaiting consent");
        var action = ActionSpec.FromJson(spec);
        var (valid, problem) = MembershipAgreement.FromParts(targets.ChainId, targets.Identity, issuer, action.Member!.Value, metadata).CheckConsent(signature);
        if (!valid) throw new ConsentRejectedException($"consent to admission {actionId} rejected: {problem}");
        await using var audit = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var subject = action.Member!.Value.ToChecksumString();
        var intent = await GlassBoxLog.IntentAsync(audit, "membership.consent", subject, new JsonObject { ["action"] = actionId, ["signature"] = Hex.Encode(signature) }, cancellationToken)
            .ConfigureAwait(false);
        await using (var update = new NpgsqlCommand("UPDATE governance_actions SET status = 'ready', consent = $2, updated_at = now() WHERE id = $1", connection, transaction))
        {
            update.Parameters.Add(new() { Value = actionId });
            update.Parameters.Add(new() { Value = signature });
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await GlassBoxLog.OutcomeAsync(connection, transaction, intent, "membership.consent", subject, new JsonObject { ["status"] = "ready" }, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        log.Information("{Member} consented to admission {ActionId}", action.Member, actionId);
    }
}
