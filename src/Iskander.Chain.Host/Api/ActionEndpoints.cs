using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Governance;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Iskander.Chain.Host.Api;

/// <summary>
/// The public schedule and the veto pool: <c>GET /api/actions</c> (actions in or past their notice,
/// with their on-chain id and collected vetoes), <c>GET /api/actions/{actionId}/vetoes</c> and
/// <c>POST /api/actions/{actionId}/vetoes</c> (a member's EIP-712 veto, kept only when it recovers to a current member).
/// </summary>
public static class ActionEndpoints
{
    /// <summary>Mounts the endpoints.</summary>
    public static IEndpointRouteBuilder MapActions(this IEndpointRouteBuilder endpoints, BridgeEndpointsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var database = options.Database;
        var schedule = options.Deployment?.Contracts.GetValueOrDefault("ActionSchedule");
        // Actions on the schedule are public (the chain published them), whatever group ordered them.
        endpoints.MapGet("/api/actions", async (CancellationToken cancellationToken) =>
        {
            var open = await VetoSignatures.OpenActionsAsync(database, options.ChainId, cancellationToken).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow;
            return Results.Json(new
            {
                actionSchedule = schedule?.ToChecksumString(),
                actions = open.Select(a => new
                {
                    id = a.Row.Id, actionId = a.ActionId.ToString(), pollKey = a.Row.PollKey, version = a.Row.Version, kind = a.Row.Kind, spec = a.Row.Spec, status = a.Row.Status,
                    executableAt = a.Row.ExecutableAt, expiresAt = a.Row.ExpiresAt, noticeSecondsLeft = a.Row.NoticeLeft(now), vetoes = a.Vetoes,
                }),
            });
        });
        endpoints.MapGet("/api/actions/{actionId}/vetoes", async (string actionId, CancellationToken cancellationToken) =>
        {
            if (!TryParseId(actionId, out var id)) return Results.BadRequest(new { error = $"'{actionId}' is not an action id (32 bytes of 0x-hex)" });
            var vetoes = await VetoSignatures.ListAsync(database, id, cancellationToken).ConfigureAwait(false);
            return Results.Json(new { actionId = id.ToString(), vetoes = vetoes.Select(v => new { signer = v.Signer.ToChecksumString(), signature = Hex.Encode(v.Signature) }) });
        });
        endpoints.MapPost("/api/actions/{actionId}/vetoes", async (string actionId, VetoRequest request, CancellationToken cancellationToken) =>
        {
            if (schedule is not { } scheduleAddress) return Results.Json(new { error = "this bridge does not know its ActionSchedule" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            if (!TryParseId(actionId, out var id)) return Results.BadRequest(new { error = $"'{actionId}' is not an action id (32 bytes of 0x-hex)" });
            var open = await VetoSignatures.OpenActionsAsync(database, options.ChainId, cancellationToken).ConfigureAwait(false);
            if (!open.Any(a => a.ActionId == id)) return Results.NotFound(new { error = $"action {id} is not open on the schedule" });
            Address signer;
            byte[] signature;
            try
            {
                signature = Hex.Decode(request.Signature ?? "");
                signer = Secp256k1.RecoverAddress(VetoSignature.TypedData(options.ChainId, scheduleAddress, id).Digest().Bytes, EcdsaSignature.FromBytes65(signature));
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidSignatureException)
            {
                return Results.BadRequest(new { error = $"not a veto signature (65 bytes r ‖ s ‖ v over the EIP-712 Veto of this action): {ex.Message}" });
            }

            await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await MembershipQueries.ActiveTokenAsync(connection, null, signer, cancellationToken).ConfigureAwait(false) is null)
                {
                    return Results.Json(new { error = $"{signer.ToChecksumString()} is not a current member: only members' vetoes count" }, statusCode: StatusCodes.Status403Forbidden);
                }
            }

            await VetoSignatures.AddAsync(database, id, signer, signature, cancellationToken).ConfigureAwait(false);
            return Results.Json(new { signer = signer.ToChecksumString(), vetoes = (await VetoSignatures.ListAsync(database, id, cancellationToken).ConfigureAwait(false)).Count });
        });
        return endpoints;
    }

    private static bool TryParseId(string text, out Hash32 id)
    {
        try
        {
            id = Hash32.Parse(text);
            return true;
        }
        catch (FormatException)
        {
            id = default;
            return false;
        }
    }
}

/// <summary>Body of <c>POST /api/actions/{actionId}/vetoes</c>.</summary>
/// <param name="Signature">The member's EIP-712 veto signature, 0x-hex (r ‖ s ‖ v).</param>
public sealed record VetoRequest(string? Signature);
