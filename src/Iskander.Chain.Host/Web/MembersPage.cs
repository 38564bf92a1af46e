using System.Collections.Frozen;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Iskander.Chain.Host.Web;

/// <summary>
/// The members' page: a static front end (HTML, CSS, JavaScript modules, embedded in this assembly)
/// served at <c>/</c> and <c>/web/…</c>, which reads the bridge's API and checks what it says in the
/// member's browser against the chain (docs/architecture.md, "The members' page").
/// </summary>
public static class MembersPage
{
    private const string ResourcePrefix = "members-page/";

    // Scripts and styles only from this host; the page talks to the member's chain node directly, wherever it is.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' http: https:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8", [".css"] = "text/css; charset=utf-8", [".js"] = "text/javascript; charset=utf-8", [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary();

    // Resource names use the build machine's path separator; the page's paths always use '/'.
    private static readonly FrozenDictionary<string, string> Files = typeof(MembersPage).Assembly.GetManifestResourceNames()
        .Select(name => (Name: name, Path: name.Replace('\\', '/')))
        .Where(r => r.Path.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        .ToFrozenDictionary(r => r.Path[ResourcePrefix.Length..], r => r.Name, StringComparer.Ordinal);

    /// <summary>The page's files, by path under <c>/web/</c> (<c>index.html</c> is served at <c>/</c>).</summary>
    public static IReadOnlyCollection<string> Paths => Files.Keys;

    /// <summary>Mounts <c>GET /</c> (the page) and <c>GET /web/{path}</c> (its scripts and styles).</summary>
    public static IEndpointRouteBuilder MapMembersPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", (HttpContext context) => ServeAsync(context, "index.html"));
        endpoints.MapGet("/web/{**path}", (HttpContext context, string path) => ServeAsync(context, path));
        return endpoints;
    }

    private static async Task ServeAsync(HttpContext context, string path)
    {
        var response = context.Response;
        if (!Files.TryGetValue(path, out var resource) || !ContentTypes.TryGetValue(Path.GetExtension(path), out var contentType))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        response.ContentType = contentType;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        // Small files that change with the bridge's version: revalidated rather than cached stale.
        response.Headers.CacheControl = "no-cache";
        await using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)!;
        response.ContentLength = stream.Length;
        await stream.CopyToAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
