using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Serilog;

namespace Iskander.Chain.Ethereum.JsonRpc;

/// <summary>One call in a batch.</summary>
/// <param name="Method">The JSON-RPC method.</param>
/// <param name="Parameters">Its parameters (serialised with System.Text.Json).</param>
public sealed record JsonRpcRequest(string Method, params object?[] Parameters);

/// <summary>
/// JSON-RPC 2.0 over HTTP: single calls and batches, typed errors, per-attempt timeouts, retries of
/// transient failures with exponential backoff and full jitter, response size limits, cancellation.
/// Responses are checked: ids must match, each request gets exactly one answer.
/// </summary>
public sealed class JsonRpcClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly JsonRpcClientOptions _options;
    private readonly ILogger _log;
    private long _nextId;

    /// <summary>Creates a client for <paramref name="endpoint"/>.</summary>
    public JsonRpcClient(Uri endpoint, JsonRpcClientOptions? options = null, HttpClient? httpClient = null, ILogger? logger = null)
    {
        Endpoint = endpoint;
        _options = options ?? new JsonRpcClientOptions();
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _log = (logger ?? Serilog.Core.Logger.None).ForContext<JsonRpcClient>();
    }

    /// <summary>The node's URL.</summary>
    public Uri Endpoint { get; }

    /// <summary>Calls <paramref name="method"/> and returns its <c>result</c> (which may be JSON null).</summary>
    /// <exception cref="JsonRpcErrorException">The node returned an error object.</exception>
    /// <exception cref="RpcTransportException">The node could not be reached or did not speak JSON-RPC, after retries.</exception>
    /// <exception cref="RpcProtocolException">The response did not fit the request.</exception>
    public async Task<JsonElement> CallAsync(string method, object?[] parameters, CancellationToken cancellationToken = default)
    {
        var results = await SendAsync([new JsonRpcRequest(method, parameters)], batch: false, cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    /// <summary>Sends several calls in one HTTP request; results come back in request order. The first error is thrown.</summary>
    public Task<IReadOnlyList<JsonElement>> BatchAsync(IReadOnlyList<JsonRpcRequest> requests, CancellationToken cancellationToken = default) =>
        requests.Count == 0 ? Task.FromResult<IReadOnlyList<JsonElement>>([]) : SendAsync(requests, batch: true, cancellationToken);

    private async Task<IReadOnlyList<JsonElement>> SendAsync(IReadOnlyList<JsonRpcRequest> requests, bool batch, CancellationToken cancellationToken)
    {
        var firstId = Interlocked.Add(ref _nextId, requests.Count) - requests.Count + 1;
        var body = Serialize(requests, firstId, batch);
        var label = batch ? $"batch of {requests.Count}" : requests[0].Method;
        for (var attempt = 0; ; attempt++)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                using var document = await PostAsync(body, label, cancellationToken).ConfigureAwait(false);
                var results = Interpret(document.RootElement, requests, firstId, batch);
                _log.Debug("{Call} answered in {Elapsed} ms", label, clock.ElapsedMilliseconds);
                return results;
            }
            catch (RpcTransportException ex) when (ex.IsTransient && attempt < _options.MaxRetries && !cancellationToken.IsCancellationRequested)
            {
                var delay = RetryDelay(attempt);
                _log.Warning("{Call} to {Endpoint} failed ({Reason}); retry {Attempt} of {MaxRetries} in {Delay} ms",
                    label, Endpoint, ex.Message, attempt + 1, _options.MaxRetries, (int)delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<JsonDocument> PostAsync(byte[] body, string label, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CallTimeout);
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await _http.PostAsync(Endpoint, content, timeout.Token).ConfigureAwait(false);
            var bytes = await ReadLimitedAsync(response.Content, timeout.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
            {
                throw new RpcTransportException($"{label}: HTTP {(int)response.StatusCode} from {Endpoint}: {Snippet(bytes)}");
            }

            try
            {
                return JsonDocument.Parse(bytes);
            }
            catch (JsonException ex)
            {
                var status = (int)response.StatusCode;
                throw new RpcTransportException($"{label}: {Endpoint} answered HTTP {status} with something that is not JSON: {Snippet(bytes)}", ex,
                    transient: false);
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RpcTransportException($"{label}: no answer from {Endpoint} within {_options.CallTimeout.TotalSeconds:0.#} s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new RpcTransportException($"{label}: {Endpoint} unreachable: {ex.Message}", ex);
        }
    }

    private async Task<byte[]> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > _options.MaxResponseBytes) throw TooLarge();
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > _options.MaxResponseBytes) throw TooLarge();
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();

        RpcTransportException TooLarge() =>
            new($"response from {Endpoint} exceeds {_options.MaxResponseBytes} bytes", transient: false);
    }

    private static byte[] Serialize(IReadOnlyList<JsonRpcRequest> requests, long firstId, bool batch)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            if (batch) writer.WriteStartArray();
            for (var i = 0; i < requests.Count; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("jsonrpc", "2.0");
                writer.WriteNumber("id", firstId + i);
                writer.WriteString("method", requests[i].Method);
                writer.WritePropertyName("params");
                JsonSerializer.Serialize(writer, requests[i].Parameters);
                writer.WriteEndObject();
            }

            if (batch) writer.WriteEndArray();
        }

        return stream.ToArray();
    }

    private static IReadOnlyList<JsonElement> Interpret(JsonElement root, IReadOnlyList<JsonRpcRequest> requests, long firstId, bool batch)
    {
        var responses = batch
            ? root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root]
            : [root];
        var results = new JsonElement?[requests.Count];
        foreach (var response in responses)
        {
            if (response.ValueKind != JsonValueKind.Object) throw new RpcProtocolException($"JSON-RPC response is a {response.ValueKind}, not an object");
            var hasId = response.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.Number && idElement.TryGetInt64(out _);
            if (!hasId)
            {
                // A batch-level error (for instance a parse error) comes back without an id.
                ThrowIfError(response, batch ? "batch" : requests[0].Method);
                throw new RpcProtocolException("JSON-RPC response without a numeric id");
            }

            var index = idElement.GetInt64() - firstId;
            if (index < 0 || index >= requests.Count) throw new RpcProtocolException($"JSON-RPC response id {idElement.GetInt64()} does not belong to this request");
            if (results[index] is not null) throw new RpcProtocolException($"JSON-RPC response id {idElement.GetInt64()} answered twice");
            ThrowIfError(response, requests[(int)index].Method);
            if (!response.TryGetProperty("result", out var result)) throw new RpcProtocolException($"{requests[(int)index].Method}: response has neither result nor error");
            results[index] = result.Clone();
        }

        var missing = Array.FindIndex(results, r => r is null);
        if (missing >= 0) throw new RpcProtocolException($"{requests[missing].Method}: no response for this call");
        return results.Select(r => r!.Value).ToList();
    }

    private static void ThrowIfError(JsonElement response, string method)
    {
        if (!response.TryGetProperty("error", out var error) || error.ValueKind == JsonValueKind.Null) return;
        if (error.ValueKind != JsonValueKind.Object) throw new RpcProtocolException($"{method}: error member is not an object");
        var code = error.TryGetProperty("code", out var c) && c.TryGetInt64(out var n) ? n : 0;
        var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? string.Empty : string.Empty;
        JsonElement? data = error.TryGetProperty("data", out var d) ? d.Clone() : null;
        throw new JsonRpcErrorException(method, code, message, data);
    }

    private TimeSpan RetryDelay(int attempt)
    {
        var ceiling = Math.Min(_options.RetryMaxDelay.TotalMilliseconds, _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    private static string Snippet(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 200)).ReplaceLineEndings(" ");
        return bytes.Length > 200 ? text + "…" : text;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
