using System.Globalization;
using System.Text.Json.Nodes;
using Iskander.Chain.Bridge.GlassBox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Iskander.Chain.Host.Api;

/// <summary>
/// The Glass Box over HTTP: <c>GET /api/audit</c> (filtered, paged), <c>GET /api/audit/{seq}</c> (one
/// entry with the anchored head that covers it), <c>GET /api/audit/heads</c> (every head batched,
/// with its inclusion proof) and <c>GET /api/audit/batches</c> (every batch with what each leaf commits to). Entries name private decisions, so only callers who may read private
/// records get them (members, by read token or signed challenge; anyone when every record is public).
/// </summary>
public static class AuditEndpoints
{
    /// <summary>Largest page of entries.</summary>
    public const int MaxPage = 1000;

    /// <summary>Largest page of batches (each with up to a few hundred leaves).</summary>
    public const int MaxBatchPage = 100;

    /// <summary>Mounts the endpoints.</summary>
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder endpoints, BridgeEndpointsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var access = options.Access;
        endpoints.MapGet("/api/audit", (HttpContext context, string? kind, string? actor, string? action, string? from, string? to, int? offset, int? limit,
            CancellationToken cancellationToken) => AsMemberAsync(context, access, async () =>
        {
            if (!TryTime(from, out var since) || !TryTime(to, out var until)) return Results.BadRequest(new { error = "from and to are ISO 8601 times, e.g. 2026-12-05T10:00:00Z" });
            var (total, page) = await GlassBoxQueries.PageAsync(options.Database, new AuditFilter(kind, actor, action, since, until), Math.Max(0, offset ?? 0),
                Math.Clamp(limit ?? 100, 1, MaxPage), cancellationToken).ConfigureAwait(false);
            return Results.Json(new JsonObject { ["total"] = total, ["entries"] = new JsonArray(page.Select(e => (JsonNode)e.ToJson()).ToArray()) });
        }));
        endpoints.MapGet("/api/audit/heads", (HttpContext context, CancellationToken cancellationToken) => AsMemberAsync(context, access, async () =>
        {
            var heads = await GlassBoxQueries.HeadsAsync(options.Database, cancellationToken: cancellationToken).ConfigureAwait(false);
            return Results.Json(new JsonObject { ["heads"] = new JsonArray(heads.Select(h => (JsonNode)h.ToJson()).ToArray()) });
        }));
        endpoints.MapGet("/api/audit/batches", (HttpContext context, int? offset, int? limit, CancellationToken cancellationToken) => AsMemberAsync(context, access, async () =>
        {
            var (total, page) = await BatchLeaves.PageAsync(options.Database, Math.Max(0, offset ?? 0), Math.Clamp(limit ?? 100, 1, MaxBatchPage), cancellationToken).ConfigureAwait(false);
            return Results.Json(new JsonObject { ["total"] = total, ["batches"] = new JsonArray([.. page]) });
        }));
        endpoints.MapGet("/api/audit/{seq:long}", (HttpContext context, long seq, CancellationToken cancellationToken) => AsMemberAsync(context, access, async () =>
        {
            if (await GlassBoxQueries.EntryAsync(options.Database, seq, cancellationToken).ConfigureAwait(false) is not { } entry) return Results.NotFound();
            var covering = (await GlassBoxQueries.HeadsAsync(options.Database, seq, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            return Results.Json(new JsonObject { ["entry"] = entry.ToJson(), ["coveredBy"] = covering?.ToJson() });
        }));
        return endpoints;
    }

    private static Task<IResult> AsMemberAsync(HttpContext context, ReadAccess access, Func<Task<IResult>> answer) =>
        BridgeEndpoints.AsReaderAsync(context, access, reader => reader.MaySeePrivate ? answer()
            : Task.FromResult(BridgeEndpoints.Unauthorized("the Glass Box names private decisions: members read it with the read token or a signed challenge (GET /api/access/challenge)")));

    private static bool TryTime(string? text, out DateTimeOffset? time)
    {
        time = null;
        if (string.IsNullOrEmpty(text)) return true;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) return false;
        time = parsed;
        return true;
    }
}
