using Iskander.Chain.Content;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Host.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Iskander.Chain.Host.Gateway;

/// <summary>
/// The IPFS trustless gateway (<c>GET|HEAD /ipfs/{cid}</c>) over a content store: a single verified
/// block (<c>application/vnd.ipld.raw</c>) or the DAG as a CAR stream (<c>application/vnd.ipld.car</c>,
/// depth-first, duplicates kept), nothing deserialised. Responses are immutable, so they carry a
/// strong ETag and a year-long immutable cache policy, and <c>If-None-Match</c> answers 304.
/// Strict mode: a request naming neither format gets 400, as the specification advises.
/// With <see cref="ReadAccess"/>, a private group's record is served to members only: anyone else
/// gets the 404 of a block the gateway does not hold, and a response to a request with credentials
/// is marked <c>private</c> so that no shared cache hands it on.
/// </summary>
public static class TrustlessGateway
{
    /// <summary>Media type of a single raw block.</summary>
    public const string RawMediaType = "application/vnd.ipld.raw";

    /// <summary>Media type of a CAR stream.</summary>
    public const string CarMediaType = "application/vnd.ipld.car";

    private const string CarContentType = CarMediaType + "; version=1; order=dfs; dups=y";
    private const string ImmutableCacheControl = "public, max-age=29030400, immutable";
    private const string PrivateImmutableCacheControl = "private, max-age=29030400, immutable";

    private enum Format
    {
        Raw,
        Car,
    }

    /// <summary>
    /// Mounts <c>/ipfs/{cid}</c> (and <c>/ipfs/{cid}/{path}</c>, refused) for <paramref name="store"/>;
    /// with <paramref name="access"/>, private records are served to members only (null: every block to anyone).
    /// </summary>
    public static IEndpointRouteBuilder MapTrustlessGateway(this IEndpointRouteBuilder endpoints, IContentStore store, ReadAccess? access = null)
    {
        endpoints.MapMethods("/ipfs/{cid}", [HttpMethods.Get, HttpMethods.Head], (HttpContext context, string cid) => ServeAsync(context, store, access, cid, null));
        endpoints.MapMethods("/ipfs/{cid}/{**path}", [HttpMethods.Get, HttpMethods.Head], (HttpContext context, string cid, string path) => ServeAsync(context, store, access, cid, path));
        return endpoints;
    }

    /// <summary>
    /// Whether <paramref name="access"/> lets the caller have <paramref name="cid"/>; null once it has
    /// answered 401 for credentials that prove nothing.
    /// </summary>
    internal static async Task<bool?> MayServeAsync(HttpContext context, ReadAccess? access, Cid cid)
    {
        if (access is null) return true;
        try
        {
            return await access.MayServeAsync(context, cid).ConfigureAwait(false);
        }
        catch (InvalidReadCredentialException ex)
        {
            context.Response.Headers.WWWAuthenticate = $"Bearer, {ReadAccess.SignatureScheme}";
            await ProblemAsync(context, StatusCodes.Status401Unauthorized, ex.Message).ConfigureAwait(false);
            return null;
        }
    }

    private static async Task ServeAsync(HttpContext context, IContentStore store, ReadAccess? access, string cidText, string? path)
    {
        var response = context.Response;
        response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        if (!Cid.TryParse(cidText, out var cid))
        {
            await ProblemAsync(context, StatusCodes.Status400BadRequest, $"'{cidText}' is not a valid CID").ConfigureAwait(false);
            return;
        }

        if (RequestedFormat(context.Request) is not { } format)
        {
            await ProblemAsync(context, StatusCodes.Status400BadRequest,
                $"this is a trustless gateway: ask for {RawMediaType} or {CarMediaType} (Accept header or ?format=raw|car)").ConfigureAwait(false);
            return;
        }

        if (!string.IsNullOrEmpty(path))
        {
            await ProblemAsync(context, StatusCodes.Status400BadRequest, "paths under a CID are not served: request the CID of the file itself").ConfigureAwait(false);
            return;
        }

        var cancellationToken = context.RequestAborted;
        if (await MayServeAsync(context, access, cid).ConfigureAwait(false) is not { } mayServe) return;
        byte[]? root;
        try
        {
            // A record the caller may not read is answered as a block this gateway does not hold: its existence is not revealed.
            root = mayServe ? await ReadBlockAsync(store, cid, cancellationToken).ConfigureAwait(false) : null;
        }
        catch (ContentIntegrityException)
        {
            // The store is damaged: serving the bytes would only make the client reject them.
            await ProblemAsync(context, StatusCodes.Status500InternalServerError, $"block {cid} is damaged in this gateway's store").ConfigureAwait(false);
            return;
        }

        if (root is null)
        {
            var onlyIfCached = context.Request.Headers.CacheControl.ToString().Contains("only-if-cached", StringComparison.OrdinalIgnoreCase);
            await ProblemAsync(context, onlyIfCached ? StatusCodes.Status412PreconditionFailed : StatusCodes.Status404NotFound,
                access is null ? $"{cid} is not in this gateway's store"
                : $"{cid} is not served here: this gateway does not hold it, or it is the record of a private group (members: send the read token or a signed challenge)")
                .ConfigureAwait(false);
            return;
        }

        var etag = format == Format.Raw ? $"\"{cid}.raw\"" : $"\"{cid}.car.dfs.y\"";
        response.Headers[HeaderNames.ETag] = etag;
        response.Headers[HeaderNames.CacheControl] = context.Request.Headers.Authorization.Count > 0 ? PrivateImmutableCacheControl : ImmutableCacheControl;
        response.Headers["X-Ipfs-Path"] = $"/ipfs/{cidText}";
        response.Headers["X-Ipfs-Roots"] = cid.ToString();
        response.Headers[HeaderNames.Vary] = access is null ? HeaderNames.Accept : $"{HeaderNames.Accept}, {HeaderNames.Authorization}";
        response.Headers[HeaderNames.ContentDisposition] = $"attachment; filename=\"{cid}.{(format == Format.Raw ? "bin" : "car")}\"";
        response.ContentType = format == Format.Raw ? RawMediaType : CarContentType;
        if (context.Request.Headers.IfNoneMatch.Any(value => value is not null && value.Split(',').Any(tag => tag.Trim() == etag || tag.Trim() == "*")))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        if (format == Format.Raw)
        {
            response.ContentLength = root.Length;
            if (!HttpMethods.IsHead(context.Request.Method)) await response.Body.WriteAsync(root, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (HttpMethods.IsHead(context.Request.Method)) return;
        // Committed to 200 once streaming starts; a block missing further down ends the stream early,
        // and the client, which must check the CAR's completeness, sees the failure (per the specification).
        try
        {
            await UnixFsDag.ExportCarAsync((c, token) => ReadBlockAsync(store, c, token), cid, response.Body, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ContentNotFoundException or ContentIntegrityException)
        {
            context.Abort();
        }
    }

    // Identity CIDs carry their block inline (the specification's probe, bafkqaaa, is one).
    private static async ValueTask<byte[]?> ReadBlockAsync(IContentStore store, Cid cid, CancellationToken cancellationToken) =>
        cid.Hash.Code == Multihash.Identity ? cid.Hash.Digest.ToArray() : await store.GetBlockAsync(cid, cancellationToken).ConfigureAwait(false);

    private static Format? RequestedFormat(HttpRequest request)
    {
        // The format parameter takes precedence over Accept, as the specification says.
        switch (request.Query["format"].ToString())
        {
            case "raw":
                return Format.Raw;
            case "car":
                return Format.Car;
            case "":
                break;
            default:
                return null;
        }

        foreach (var accept in request.GetTypedHeaders().Accept.OrderByDescending(a => a.Quality ?? 1))
        {
            if (accept.MediaType.Equals(RawMediaType, StringComparison.OrdinalIgnoreCase)) return Format.Raw;
            if (accept.MediaType.Equals(CarMediaType, StringComparison.OrdinalIgnoreCase)) return Format.Car;
        }

        return null;
    }

    private static Task ProblemAsync(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Remove(HeaderNames.CacheControl);
        context.Response.ContentType = "text/plain; charset=utf-8";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(detail + "\n", context.RequestAborted);
    }
}
