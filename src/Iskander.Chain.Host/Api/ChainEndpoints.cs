using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Bridge.Watching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Iskander.Chain.Host.Api;

/// <summary>
/// What the bridge mirrors of the deployed contracts' events: every escrow's current state and the
/// events themselves, page by page. Everything here is public on chain, so nothing is withheld.
/// </summary>
public static class ChainEndpoints
{
    /// <summary>Largest page of events.</summary>
    public const int MaxLimit = 1_000;

    /// <summary>Mounts <c>GET /api/escrows</c> and <c>GET /api/chain/events</c>.</summary>
    public static IEndpointRouteBuilder MapChainEndpoints(this IEndpointRouteBuilder endpoints, BridgeDatabase database)
    {
        endpoints.MapGet("/api/escrows", async (CancellationToken cancellationToken) =>
        {
            var escrows = await ChainEventQueries.EscrowsAsync(database, cancellationToken).ConfigureAwait(false);
            return Results.Json(new
            {
                escrows = escrows.Select(e => new
                {
                    contract = e.Contract.ToString(), id = e.Id, status = e.Status, buyer = e.Buyer, seller = e.Seller, arbitrator = e.Arbitrator, amount = e.Amount,
                    termsDigest = e.TermsDigest, proposedBlock = e.ProposedBlock, disputeDeadline = e.DisputeDeadline,
                    disputeDeadlineUtc = e.DisputeDeadline is { } deadline ? DateTimeOffset.FromUnixTimeSeconds(deadline).ToString("O") : null, disputedBy = e.DisputedBy,
                    sellerAmount = e.SellerAmount, buyerAmount = e.BuyerAmount, sellerOwed = e.SellerOwed, buyerOwed = e.BuyerOwed,
                }),
            });
        });
        endpoints.MapGet("/api/chain/events", async (string? contract, string? @event, int? offset, int? limit, CancellationToken cancellationToken) =>
        {
            if (offset < 0) return Results.Problem($"offset must be 0 or more, not {offset}", statusCode: StatusCodes.Status400BadRequest);
            if (limit is < 1 or > MaxLimit) return Results.Problem($"limit must be between 1 and {MaxLimit}, not {limit}", statusCode: StatusCodes.Status400BadRequest);
            var (total, page) = await ChainEventQueries.PageAsync(database, NullIfEmpty(contract), NullIfEmpty(@event), offset ?? 0, limit ?? 100, cancellationToken).ConfigureAwait(false);
            return Results.Json(new
            {
                total,
                events = page.Select(e => new
                {
                    block = e.BlockNumber, logIndex = e.LogIndex, blockHash = e.BlockHash.ToString(), transaction = e.TransactionHash.ToString(), contract = e.Contract,
                    address = e.Address.ToString(), @event = e.Event, args = e.Args,
                }),
            });
        });
        return endpoints;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
