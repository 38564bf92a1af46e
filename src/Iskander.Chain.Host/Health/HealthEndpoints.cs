using Iskander.Chain.Bridge.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Iskander.Chain.Host.Health;

/// <summary>One probe's answer.</summary>
/// <param name="Ok">Whether the probe passes.</param>
/// <param name="Problem">What is wrong when it does not (one line, no secrets).</param>
public sealed record HealthAnswer(bool Ok, string? Problem = null)
{
    /// <summary>A passing answer.</summary>
    public static HealthAnswer Pass { get; } = new(true);
}

/// <summary>What the process behind the host knows of its own health and of the services it depends on.</summary>
public interface IHealthSource
{
    /// <summary>Liveness: false only when restarting the whole process is the remedy (e.g. a supervised service could not be restarted).</summary>
    HealthAnswer Liveness();

    /// <summary>Readiness: whether every service the process depends on answers now.</summary>
    Task<HealthAnswer> ReadinessAsync(CancellationToken cancellationToken);
}

/// <summary>
/// <c>/healthz</c> (liveness: 200 unless the process should be restarted) and <c>/readyz</c>
/// (readiness: 200 when the chain node and the database answer and the bridge loop's last round
/// succeeded); 503 with one line saying why otherwise.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Mounts both probes.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints, IHealthSource? health, BridgeService? bridge)
    {
        endpoints.MapGet("/healthz", () => health?.Liveness() is { Ok: false } answer
            ? Results.Text($"not live: {answer.Problem}\n", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("ok\n"));
        endpoints.MapGet("/readyz", async (CancellationToken cancellationToken) =>
        {
            var services = health is null ? HealthAnswer.Pass : await health.ReadinessAsync(cancellationToken).ConfigureAwait(false);
            var problem = !services.Ok ? services.Problem
                : bridge is null || (bridge.LastSuccess is not null && bridge.LastError is null) ? null
                : bridge.LastError ?? "no round completed yet";
            return problem is null
                ? Results.Text("ready\n")
                : Results.Text($"not ready: {problem}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }
}
