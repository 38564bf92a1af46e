using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Iskander.Chain.Content.Kubo;

/// <summary>What <c>/api/v0/version</c> reports.</summary>
/// <param name="Version">Kubo version, e.g. <c>0.32.1</c>.</param>
/// <param name="System">Platform, e.g. <c>amd64/linux</c>.</param>
public sealed record KuboVersion(string Version, string? System);

/// <summary>One file <c>/api/v0/add</c> stored.</summary>
/// <param name="Name">File name as sent.</param>
/// <param name="Hash">Root CID text as Kubo printed it.</param>
/// <param name="Size">Cumulative DAG size Kubo reports.</param>
public sealed record KuboAddedFile(string Name, string Hash, ulong Size);

/// <summary>Settings of a <see cref="KuboRpcClient"/>.</summary>
public sealed record KuboRpcOptions
{
    /// <summary>Per-call timeout (a whole add or dag/import included).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Attempts for calls that are safe to repeat, on transient failures.</summary>
    public int Attempts { get; init; } = 3;

    /// <summary>Largest JSON response accepted (NDJSON streams included).</summary>
    public int MaxJsonBytes { get; init; } = 1 << 20;
}

/// <summary>
/// A client of the Kubo RPC API (<c>/api/v0/…</c>, every call a POST as Kubo requires): the calls
/// the content store needs, each returning typed results and failing with <see cref="KuboRpcException"/>
/// carrying Kubo's own error message. Bodies are size-limited and parsed strictly.
/// </summary>
public sealed class KuboRpcClient
{
    private readonly HttpClient _http;
    private readonly Uri _api;
    private readonly KuboRpcOptions _options;

    /// <summary>Talks to the node whose RPC listens at <paramref name="endpoint"/> (e.g. <c>http://127.0.0.1:5001</c>).</summary>
    public KuboRpcClient(HttpClient http, Uri endpoint, KuboRpcOptions? options = null)
    {
        _http = http;
        _api = new Uri(endpoint, "/api/v0/");
        _options = options ?? new KuboRpcOptions();
    }

    /// <summary><c>version</c>: what node this is (also a liveness check).</summary>
    public async Task<KuboVersion> VersionAsync(CancellationToken cancellationToken = default)
    {
        using var json = await PostJsonAsync("version", null, cancellationToken).ConfigureAwait(false);
        return new KuboVersion(RequiredString(json.RootElement, "Version", "version"), OptionalString(json.RootElement, "System"));
    }

    /// <summary>
    /// <c>add</c> with Kubo's CIDv1 parameters (<c>cid-version=1&amp;raw-leaves=true</c>, default
    /// chunker), pinned. Returns the entry for the file, which is the last line of the NDJSON stream.
    /// </summary>
    public async Task<KuboAddedFile> AddAsync(Stream content, string name, bool pin = true, CancellationToken cancellationToken = default)
    {
        var query = $"add?cid-version=1&raw-leaves=true&chunker=size-262144&hash=sha2-256&pin={(pin ? "true" : "false")}&progress=false";
        using var form = SingleFileForm(content, name, "application/octet-stream");
        using var lines = await PostNdjsonAsync("add", query, form, cancellationToken).ConfigureAwait(false);
        KuboAddedFile? last = null;
        foreach (var line in lines.Lines)
        {
            var root = line.RootElement;
            if (!root.TryGetProperty("Hash", out _)) continue; // progress lines carry only Name and Bytes
            var size = OptionalString(root, "Size");
            last = new KuboAddedFile(OptionalString(root, "Name") ?? string.Empty, RequiredString(root, "Hash", "add"),
                size is null ? 0 : ulong.TryParse(size, out var parsed) ? parsed : throw Malformed("add", $"Size '{size}' is not a number"));
        }

        return last ?? throw Malformed("add", "the response names no added file");
    }

    /// <summary><c>block/get</c>: one block's bytes, verified against <paramref name="cid"/>; null when the node does not have it (offline lookup).</summary>
    public async Task<byte[]?> BlockGetAsync(Cid cid, CancellationToken cancellationToken = default)
    {
        try
        {
            var bytes = await PostBytesAsync("block/get", $"block/get?arg={cid}&offline=true", Car.CarReader.MaxBlockBytes, cancellationToken).ConfigureAwait(false);
            return cid.Hash.Matches(bytes) ? bytes : throw new Stores.ContentIntegrityException(cid, "the Kubo node's answer");
        }
        catch (KuboRpcException ex) when (ex.Status == HttpStatusCode.InternalServerError && ex.Message.Contains("not found", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
    }

    /// <summary><c>cat</c>: a file's bytes as the node assembles them (not verified here; see <see cref="KuboContentStore.CopyToAsync"/> for verified reads).</summary>
    public async Task CatAsync(Cid cid, Stream destination, CancellationToken cancellationToken = default)
    {
        await WithTimeoutAsync("cat", async token =>
        {
            using var response = await SendAsync("cat", new HttpRequestMessage(HttpMethod.Post, new Uri(_api, $"cat?arg={cid}")), token).ConfigureAwait(false);
            await using var body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            await body.CopyToAsync(destination, token).ConfigureAwait(false);
            ThrowOnStreamError("cat", response);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>pin/add</c> (recursive).</summary>
    public async Task PinAddAsync(Cid cid, CancellationToken cancellationToken = default)
    {
        using var json = await PostJsonAsync("pin/add", $"pin/add?arg={cid}&recursive=true", cancellationToken).ConfigureAwait(false);
        RequirePins(json.RootElement, "pin/add");
    }

    /// <summary><c>pin/rm</c>; a CID that is not pinned is not an error.</summary>
    public async Task PinRemoveAsync(Cid cid, CancellationToken cancellationToken = default)
    {
        try
        {
            using var json = await PostJsonAsync("pin/rm", $"pin/rm?arg={cid}&recursive=true", cancellationToken).ConfigureAwait(false);
            RequirePins(json.RootElement, "pin/rm");
        }
        catch (KuboRpcException ex) when (ex.Message.Contains("not pinned", StringComparison.OrdinalIgnoreCase))
        {
        }
    }

    /// <summary><c>dag/import</c> of a CAR, pinning its roots; returns the roots Kubo reports, failing when it could not pin one.</summary>
    public async Task<IReadOnlyList<string>> DagImportAsync(Stream car, CancellationToken cancellationToken = default)
    {
        using var form = SingleFileForm(car, "import.car", "application/vnd.ipld.car");
        using var lines = await PostNdjsonAsync("dag/import", "dag/import?pin-roots=true", form, cancellationToken).ConfigureAwait(false);
        var roots = new List<string>();
        foreach (var line in lines.Lines)
        {
            if (!line.RootElement.TryGetProperty("Root", out var root)) continue; // stats lines
            if (OptionalString(root, "PinErrorMsg") is { Length: > 0 } pinError) throw new KuboRpcException("dag/import", HttpStatusCode.OK, $"root not pinned: {pinError}");
            if (!root.TryGetProperty("Cid", out var link) || link.ValueKind != JsonValueKind.Object) throw Malformed("dag/import", "a Root line has no Cid link");
            roots.Add(RequiredString(link, "/", "dag/import"));
        }

        return roots;
    }

    private static MultipartFormDataContent SingleFileForm(Stream content, string name, string mediaType)
    {
        var file = new StreamContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return new MultipartFormDataContent { { file, "file", name } };
    }

    private async Task<JsonDocument> PostJsonAsync(string endpoint, string? pathAndQuery, CancellationToken cancellationToken)
    {
        var bytes = await PostBytesAsync(endpoint, pathAndQuery ?? endpoint, _options.MaxJsonBytes, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            throw Malformed(endpoint, $"response is not JSON ({ex.Message})");
        }
    }

    private async Task<byte[]> PostBytesAsync(string endpoint, string pathAndQuery, int limit, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await WithTimeoutAsync(endpoint, async token =>
                {
                    using var response = await SendAsync(endpoint, new HttpRequestMessage(HttpMethod.Post, new Uri(_api, pathAndQuery)), token).ConfigureAwait(false);
                    return await ReadLimitedAsync(endpoint, response, limit, token).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (KuboRpcException ex) when (ex.IsTransient && attempt < _options.Attempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Uploads are not retried: the body stream has been consumed, and the caller knows how to re-open it.
    private async Task<NdjsonLines> PostNdjsonAsync(string endpoint, string pathAndQuery, HttpContent body, CancellationToken cancellationToken)
    {
        var (bytes, status) = await WithTimeoutAsync(endpoint, async token =>
        {
            using var response = await SendAsync(endpoint, new HttpRequestMessage(HttpMethod.Post, new Uri(_api, pathAndQuery)) { Content = body }, token).ConfigureAwait(false);
            var read = await ReadLimitedAsync(endpoint, response, _options.MaxJsonBytes, token).ConfigureAwait(false);
            ThrowOnStreamError(endpoint, response);
            return (read, response.StatusCode);
        }, cancellationToken).ConfigureAwait(false);

        var lines = new NdjsonLines();
        try
        {
            foreach (var line in System.Text.Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var document = JsonDocument.Parse(line);
                lines.Lines.Add(document);
                // An error object in the stream (Kubo writes one when the operation fails midway).
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("Message", out var message) &&
                    document.RootElement.TryGetProperty("Type", out var type) && type.GetString() == "error")
                {
                    throw new KuboRpcException(endpoint, status, message.GetString() ?? "error");
                }
            }
        }
        catch (JsonException ex)
        {
            lines.Dispose();
            throw Malformed(endpoint, $"a response line is not JSON ({ex.Message})");
        }
        catch
        {
            lines.Dispose();
            throw;
        }

        return lines;
    }

    // The per-call timeout covers the whole exchange, body included; the caller's own cancellation stays a cancellation.
    private async Task<T> WithTimeoutAsync<T>(string endpoint, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            return await call(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KuboRpcException(endpoint, null, $"timed out after {_options.Timeout.TotalSeconds:0.#} s", transient: true, inner: ex);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string endpoint, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        using (request)
        {
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw new KuboRpcException(endpoint, null, $"node unreachable: {ex.Message}", transient: true, inner: ex);
            }
        }

        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var body = await ReadLimitedAsync(endpoint, response, 64 * 1024, cancellationToken, truncateAtLimit: true).ConfigureAwait(false);
            throw ErrorFrom(endpoint, response.StatusCode, body);
        }
    }

    // Kubo reports a failure after the headers went out through the X-Stream-Error trailer.
    private static void ThrowOnStreamError(string endpoint, HttpResponseMessage response)
    {
        if (response.TrailingHeaders.TryGetValues("X-Stream-Error", out var errors) && errors.FirstOrDefault() is { Length: > 0 } error)
        {
            throw new KuboRpcException(endpoint, response.StatusCode, $"stream failed: {error}");
        }
    }

    private static KuboRpcException ErrorFrom(string endpoint, HttpStatusCode status, byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("Message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                int? code = json.RootElement.TryGetProperty("Code", out var c) && c.TryGetInt32(out var value) ? value : null;
                return new KuboRpcException(endpoint, status, message.GetString()!, code);
            }
        }
        catch (JsonException)
        {
            // Not Kubo's error object (a proxy's page, a 403 from the API's origin check): report its text.
        }

        var text = System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 200))).Trim();
        return new KuboRpcException(endpoint, status, text.Length == 0 ? status.ToString() : text);
    }

    private static async Task<byte[]> ReadLimitedAsync(string endpoint, HttpResponseMessage response, int limit, CancellationToken cancellationToken, bool truncateAtLimit = false)
    {
        if (response.Content.Headers.ContentLength > limit) throw Malformed(endpoint, $"response of {response.Content.Headers.ContentLength} bytes exceeds the {limit}-byte limit");
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                if (truncateAtLimit) break;
                throw Malformed(endpoint, $"response exceeds the {limit}-byte limit");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static void RequirePins(JsonElement root, string endpoint)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Pins", out var pins) || pins.ValueKind != JsonValueKind.Array)
        {
            throw Malformed(endpoint, "response has no Pins array");
        }
    }

    private static string RequiredString(JsonElement element, string name, string endpoint) =>
        OptionalString(element, name) ?? throw Malformed(endpoint, $"response has no string '{name}'");

    private static string? OptionalString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static KuboRpcException Malformed(string endpoint, string detail) => new(endpoint, null, $"unexpected response: {detail}");

    private sealed class NdjsonLines : IDisposable
    {
        public List<JsonDocument> Lines { get; } = [];

        public void Dispose()
        {
            foreach (var line in Lines) line.Dispose();
        }
    }
}
