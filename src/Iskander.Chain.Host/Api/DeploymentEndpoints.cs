using Iskander.Chain.Ethereum;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Iskander.Chain.Host.Api;

/// <summary>The cooperative's deployment as members' tools should find it: chain, contracts, and a node anyone may query.</summary>
/// <param name="ChainId">The chain the contracts are on.</param>
/// <param name="Contracts">The contracts, by name (DecisionAnchor, ActionSchedule, CoopIdentity, …).</param>
/// <param name="PublicRpcUrl">A JSON-RPC endpoint of that chain that browsers may call (null: none is published; members name their own).</param>
public sealed record PublicDeployment(ulong ChainId, IReadOnlyDictionary<string, Address> Contracts, Uri? PublicRpcUrl);

/// <summary><c>GET /api/deployment</c>: defaults for the members' page, which shows them and lets the member replace every one.</summary>
public static class DeploymentEndpoints
{
    /// <summary>Mounts <c>GET /api/deployment</c>.</summary>
    public static IEndpointRouteBuilder MapDeployment(this IEndpointRouteBuilder endpoints, BridgeEndpointsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var deployment = options.Deployment ?? new PublicDeployment(options.ChainId, new Dictionary<string, Address> { ["DecisionAnchor"] = options.DecisionAnchor }, null);
        endpoints.MapGet("/api/deployment", () => Results.Json(new
        {
            chainId = deployment.ChainId,
            contracts = deployment.Contracts.ToDictionary(c => c.Key, c => c.Value.ToChecksumString()),
            rpcUrl = deployment.PublicRpcUrl?.ToString(),
        }));
        return endpoints;
    }
}
