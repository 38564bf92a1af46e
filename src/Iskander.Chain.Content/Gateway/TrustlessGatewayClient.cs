using System.Net;
using System.Net.Http.Headers;
using Iskander.Chain.Content.Stores;

namespace Iskander.Chain.Content.Gateway;

/// <summary>
/// Reads single raw blocks from any IPFS trustless gateway (<c>GET /ipfs/{cid}?format=raw</c>): the
/// bridge's own, a member's Kubo node, a public gateway. Nothing the gateway says is trusted: the
/// bytes must hash to the CID asked for.
/// </summary>
public sealed class TrustlessGatewayClient(HttpClient http, Uri gateway)
{
    // A base without a trailing slash would lose its last path segment when the block's path is resolved against it.
    private readonly Uri _base = gateway.AbsoluteUri.EndsWith('/') ? gateway : new Uri(gateway.AbsoluteUri + "/");

    /// <summary>The largest block read (the IPFS block limit); a gateway cannot make the reader buffer more.</summary>
    public const int MaxBlockBytes = 2 * 1024 * 1024;

    /// <summary>The gateway's base address.</summary>
    public Uri Gateway => gateway;

    /// <summary>The verified bytes of raw block <paramref name="cid"/>, or null when the gateway says it does not have it (404 or 410).</summary>
    /// <exception cref="ContentIntegrityException">The gateway answered with bytes that do not hash to <paramref name="cid"/>.</exception>
    /// <exception cref="HttpRequestException">The gateway could not be reached or failed (any other status).</exception>
    public async Task<byte[]?> GetRawBlockAsync(Cid cid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        if (cid.Codec != Multicodec.Raw) throw new ArgumentException($"{cid} is not a raw block", nameof(cid));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_base, $"ipfs/{cid}?format=raw"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.ipld.raw"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone) return null;
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"the gateway {gateway} answered {(int)response.StatusCode} for {cid}", null, response.StatusCode);

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBlockBytes) throw new ContentIntegrityException(cid, $"the gateway {gateway} (over {MaxBlockBytes} bytes)");
            buffer.Write(chunk, 0, read);
        }

        var bytes = buffer.ToArray();
        return Cid.ForRawBlock(bytes).Equals(cid) ? bytes : throw new ContentIntegrityException(cid, $"the gateway {gateway}");
    }
}
