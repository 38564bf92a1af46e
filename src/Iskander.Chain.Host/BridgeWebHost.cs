using System.Security.Cryptography;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Host.Api;
using Iskander.Chain.Host.Gateway;
using Iskander.Chain.Host.Health;
using Iskander.Chain.Host.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog.Extensions.Logging;

namespace Iskander.Chain.Host;

/// <summary>Settings of the bridge's HTTP server.</summary>
public sealed record BridgeWebHostOptions
{
    /// <summary>Where to listen, e.g. <c>http://127.0.0.1:8480</c> (port 0 picks a free one).</summary>
    public string Listen { get; init; } = "http://127.0.0.1:8480";

    /// <summary>The content store the gateway serves.</summary>
    public required IContentStore ContentStore { get; init; }

    /// <summary>The gateway's address as clients reach it, when not the listening address (behind a proxy).</summary>
    public Uri? PublicUrl { get; init; }

    /// <summary>The bridge's API and webhook endpoint, when a bridge runs behind this host.</summary>
    public Api.BridgeEndpointsOptions? Bridge { get; init; }

    /// <summary>The services' health behind <c>/healthz</c> and <c>/readyz</c>; null: the process alone (always live and ready, but for the bridge loop).</summary>
    public Health.IHealthSource? Health { get; init; }
}

/// <summary>
/// The bridge's HTTP server on Kestrel: trustless gateway (<c>/ipfs/{cid}</c>), delegated routing
/// for it, the bridge API, webhook endpoint and members' page when a bridge runs, and the liveness and readiness probes. Logs go to the given Serilog logger.
/// </summary>
public sealed class BridgeWebHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BridgeWebHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The address it listens on (with the real port when 0 was asked).</summary>
    public Uri Address { get; }

    /// <summary>Builds, mounts every endpoint and starts listening.</summary>
    public static async Task<BridgeWebHost> StartAsync(BridgeWebHostOptions options, Serilog.ILogger log, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new SerilogLoggerProvider(log));
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.UseUrls(options.Listen);
        var app = builder.Build();
        app.Use(DatabaseUnavailableAsync(log));
        // Without a bridge the host knows no records: it serves its store as a plain gateway.
        app.MapTrustlessGateway(options.ContentStore, options.Bridge?.Access);
        app.MapDelegatedRouting(options.ContentStore, DelegatedRouting.PeerIdFromSeed(RandomNumberGenerator.GetBytes(32)), options.PublicUrl, options.Bridge?.Access);
        if (options.Bridge is { } bridge)
        {
            app.MapBridgeEndpoints(bridge);
            app.MapMembersPage();
        }
        app.MapHealthEndpoints(options.Health, options.Bridge?.Service);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BridgeWebHost(app, new Uri(address));
    }

    // A request that needed the database while it is down or restarting is answered 503 with a
    // reason and a time to retry, not 500: nothing about the request was wrong. The log names the
    // route, not the path: a webhook's path carries its token.
    private static Func<HttpContext, RequestDelegate, Task> DatabaseUnavailableAsync(Serilog.ILogger log) => async (context, next) =>
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Npgsql.NpgsqlException ex) when (Unavailable(ex) && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var route = (context.GetEndpoint() as Microsoft.AspNetCore.Routing.RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
            log.Warning("{Method} {Route}: the database is unavailable ({Reason})", context.Request.Method, route, ex.Message);
            context.Response.Clear();
            context.Response.Headers.RetryAfter = "10";
            await Results.Json(new { error = "the bridge's database is unavailable; try again shortly" }, statusCode: StatusCodes.Status503ServiceUnavailable)
                .ExecuteAsync(context).ConfigureAwait(false);
        }
    };

    // The server is not there, not yet there, or going away (an error of the query itself, such as a
    // violated constraint, is a fault of the bridge and stays a 500).
    private static bool Unavailable(Npgsql.NpgsqlException failure) =>
        failure is not Npgsql.PostgresException server
        || server.SqlState is "57P01" or "57P02" or "57P03"
        || server.SqlState.StartsWith("08", StringComparison.Ordinal)
        || server.SqlState.StartsWith("53", StringComparison.Ordinal);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
