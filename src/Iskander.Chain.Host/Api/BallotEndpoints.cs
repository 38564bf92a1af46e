using Iskander.Chain.Bridge.Ballots;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Iskander.Chain.Host.Api;

/// <summary>
/// The secret ballots this bridge coordinates: <c>GET /api/ballots</c>, each with its phase, the
/// status of every proof and, once published, the results. Everything but the title is on chain
/// (the contract, its settings, the proofs it verified, the published results) and served to anyone;
/// the title, which says what was asked, only to callers who may read private records.
/// </summary>
public static class BallotEndpoints
{
    /// <summary>Mounts <c>GET /api/ballots</c>.</summary>
    public static IEndpointRouteBuilder MapBallots(this IEndpointRouteBuilder endpoints, BridgeEndpointsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var store = new BallotStore(options.Database);
        endpoints.MapGet("/api/ballots", (HttpContext context, CancellationToken cancellationToken) => BridgeEndpoints.AsReaderAsync(context, options.Access, async reader =>
        {
            var ballots = await store.OverviewsAsync(cancellationToken).ConfigureAwait(false);
            if (reader.MaySeePrivate) context.Response.Headers.CacheControl = "private";
            return Results.Json(new
            {
                ballots = ballots.Select(b => new
                {
                    address = b.Ballot.Address.ToChecksumString(), title = reader.MaySeePrivate ? b.Ballot.Title : null, status = b.Ballot.Status, pollId = b.Ballot.PollId,
                    voteOptions = b.Ballot.VoteOptions, credits = b.Ballot.Credits, proofs = b.Proofs.Select(p => new { step = p.Step, status = p.Status }), results = b.Results,
                    totalSpent = b.TotalSpent,
                }),
            });
        }));
        return endpoints;
    }
}
