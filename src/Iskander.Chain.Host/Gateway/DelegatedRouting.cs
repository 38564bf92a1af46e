using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Iskander.Chain.Content;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Host.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Org.BouncyCastle.Crypto.Parameters;

namespace Iskander.Chain.Host.Gateway;

/// <summary>
/// The one call of the Delegated Routing V1 HTTP API that IPFS HTTP clients (such as
/// <c>@helia/verified-fetch</c>) use to find a gateway for a CID: <c>GET /routing/v1/providers/{cid}</c>
/// names this gateway as the provider when its store holds the root block and the caller may have it
/// (<see cref="ReadAccess"/>), and answers 404 otherwise.
/// </summary>
public static class DelegatedRouting
{
    /// <summary>
    /// Mounts the providers endpoint; <paramref name="peerId"/> labels this gateway, <paramref name="publicGateway"/> is its
    /// address as clients reach it (default: the request's host), <paramref name="access"/> hides private records as the gateway does.
    /// </summary>
    public static IEndpointRouteBuilder MapDelegatedRouting(this IEndpointRouteBuilder endpoints, IContentStore store, string peerId, Uri? publicGateway = null, ReadAccess? access = null)
    {
        endpoints.MapGet("/routing/v1/providers/{cid}", async (HttpContext context, string cid) =>
        {
            if (!Cid.TryParse(cid, out var parsed))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsync($"'{cid}' is not a valid CID\n", context.RequestAborted).ConfigureAwait(false);
                return;
            }

            if (await TrustlessGateway.MayServeAsync(context, access, parsed).ConfigureAwait(false) is not { } mayServe) return;
            bool present;
            try
            {
                present = mayServe && await store.GetBlockAsync(parsed, context.RequestAborted).ConfigureAwait(false) is not null;
            }
            catch (ContentIntegrityException)
            {
                present = false;
            }

            if (!present)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            var gateway = publicGateway ?? new Uri($"{context.Request.Scheme}://{context.Request.Host}");
            context.Response.ContentType = "application/json";
            context.Response.Headers.CacheControl = "public, max-age=300";
            var body = new
            {
                Providers = new[]
                {
                    new { Schema = "peer", ID = peerId, Addrs = new[] { Multiaddress(gateway) }, Protocols = new[] { "transport-ipfs-gateway-http" } },
                },
            };
            await context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted).ConfigureAwait(false);
        });
        return endpoints;
    }

    /// <summary>
    /// A libp2p peer id (<c>12D3KooW…</c>: identity multihash of an Ed25519 public key) for the
    /// gateway. Over HTTP it only labels the provider (nothing is signed with it; clients verify the
    /// blocks, not the peer), so a key derived from a random or configured seed serves.
    /// </summary>
    public static string PeerIdFromSeed(ReadOnlySpan<byte> seed32)
    {
        var publicKey = new Ed25519PrivateKeyParameters(seed32.ToArray()).GeneratePublicKey().GetEncoded();
        // Protobuf PublicKey { Type = Ed25519 (1), Data = key }, wrapped in an identity multihash.
        byte[] protobuf = [0x08, 0x01, 0x12, 0x20, .. publicKey];
        return Multibase.EncodeBase58([0x00, (byte)protobuf.Length, .. protobuf]);
    }

    /// <summary>The multiaddress of an HTTP(S) base URL, e.g. <c>/ip4/127.0.0.1/tcp/8080/http</c>.</summary>
    public static string Multiaddress(Uri gateway)
    {
        var host = gateway.IdnHost.Trim('[', ']');
        var hostPart = IPAddress.TryParse(host, out var ip)
            ? ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"/ip6/{ip}" : $"/ip4/{ip}"
            : $"/dns/{host}";
        return $"{hostPart}/tcp/{gateway.Port}{(gateway.Scheme == Uri.UriSchemeHttps ? "/tls/http" : "/http")}";
    }
}
