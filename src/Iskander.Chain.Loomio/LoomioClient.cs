using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Iskander.Chain.Loomio;

/// <summary>How the API key is presented.</summary>
public enum LoomioAuthMode
{
    /// <summary>Bearer header first; on 403 try the query parameter once (Loomio 3.0.x) and keep whichever works.</summary>
    Auto,

    /// <summary><c>Authorization: Bearer</c> (current Loomio; query keys are rejected there).</summary>
    Bearer,

    /// <summary><c>?api_key=</c> (Loomio 3.0.x and earlier).</summary>
    QueryParameter,
}

/// <summary>Settings of a <see cref="LoomioClient"/>.</summary>
public sealed record LoomioClientOptions
{
    /// <summary>The instance, e.g. <c>https://loomio.example.org</c>.</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>The bot user's API key (secret: never logged).</summary>
    public required string ApiKey { get; init; }

    /// <summary>Key presentation.</summary>
    public LoomioAuthMode AuthMode { get; init; } = LoomioAuthMode.Auto;

    /// <summary>Polls per page, sent as <c>per</c> (Loomio's default page size is 50).</summary>
    public int PageSize { get; init; } = 50;

    /// <summary>Largest response accepted.</summary>
    public int MaxResponseBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Per-request timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts on 5xx, 429 and network errors.</summary>
    public int Attempts { get; init; } = 4;

    /// <summary>First backoff delay (doubles per attempt; a Retry-After header wins, capped at 60 s).</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Requests this client sends at most per <see cref="RateWindow"/>. Hosted Loomio allows 300 per
    /// 5 minutes per IP address (config/initializers/rack_attack.rb, throttle "req/ip"); the default
    /// stays below that, leaving room for the bridge's other processes and people at the same address.
    /// </summary>
    public int RequestsPerWindow { get; init; } = DefaultRequestsPerWindow;

    /// <summary>The default of <see cref="RequestsPerWindow"/>: below hosted Loomio's 300 requests per IP per 5 minutes.</summary>
    public const int DefaultRequestsPerWindow = 240;

    /// <summary>The window of <see cref="RequestsPerWindow"/>, and of Loomio's own limit (5 minutes).</summary>
    public TimeSpan RateWindow { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>A Loomio call failed after retries, or answered something that is not the documented JSON.</summary>
public class LoomioApiException(string message, HttpStatusCode? status = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>HTTP status, when a response arrived.</summary>
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>
/// Loomio refused the API key itself (403 on a request that any valid key may make): rotated, revoked,
/// or the bot user was deactivated. Needs an operator.
/// </summary>
public sealed class LoomioCredentialException(string message) : LoomioApiException(message, HttpStatusCode.Forbidden);

/// <summary>
/// Loomio accepts the key but will not show this record to the bot user (403): for a poll, it was
/// discarded or the bot user cannot see it (any more); Loomio does not say which.
/// </summary>
public sealed class LoomioAccessDeniedException(string message) : LoomioApiException(message, HttpStatusCode.Forbidden);

/// <summary>
/// No request may go to Loomio before <see cref="RetryAt"/>: this client's own budget is spent, or
/// Loomio answered 429. Nothing is wrong; the caller comes back later.
/// </summary>
public sealed class LoomioRateLimitedException(string message, DateTimeOffset retryAt) : LoomioApiException(message, HttpStatusCode.TooManyRequests)
{
    /// <summary>When requests may be sent again.</summary>
    public DateTimeOffset RetryAt { get; } = retryAt;
}

/// <summary>Loomio has no such record (404 with Loomio's <c>ActiveRecord::RecordNotFound</c> error), e.g. an unknown group id.</summary>
public sealed class LoomioNotFoundException(string message) : LoomioApiException(message, HttpStatusCode.NotFound);

/// <summary>This Loomio has no such endpoint (404 without Loomio's JSON error: no route), e.g. the poll listing on 3.0.x.</summary>
public sealed class LoomioEndpointUnavailableException(string message) : LoomioApiException(message, HttpStatusCode.NotFound);

/// <summary>
/// Reads polls, outcomes and groups from Loomio's b2 User API, the source of truth for decisions
/// (webhooks are only hints). Every response is size-limited and parsed strictly as JSON but
/// tolerantly as data (both API shapes, extra fields, missing results).
/// </summary>
public sealed class LoomioClient(HttpClient http, LoomioClientOptions options)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString,
    };

    private LoomioAuthMode _mode = options.AuthMode;
    private readonly Queue<DateTimeOffset> _sent = new();
    private DateTimeOffset _blockedUntil = DateTimeOffset.MinValue;

    /// <summary>The key presentation in use (settles on the first success in <see cref="LoomioAuthMode.Auto"/>).</summary>
    public LoomioAuthMode AuthMode => _mode;

    /// <summary><c>GET /api/b2/groups</c>: the groups and subgroups the bot user can see.</summary>
    public async Task<IReadOnlyList<LoomioGroup>> GetGroupsAsync(CancellationToken cancellationToken = default) =>
        (await GetDocumentAsync("api/b2/groups", cancellationToken).ConfigureAwait(false))!.Groups;

    /// <summary>
    /// <c>GET /api/b2/polls?group_id=&amp;status=all&amp;from=&amp;per=&amp;offset=&amp;limit=</c>, one page of
    /// <see cref="LoomioClientOptions.PageSize"/> polls starting <paramref name="from"/> polls in, newest
    /// first (discarded polls are not listed). Both pairs of paging names are sent, with the same values:
    /// Loomio's Snorlax <c>page_collection</c> reads <c>from</c> and <c>per</c>, while current main's b2
    /// listings take <c>offset</c> and <c>limit</c> (still accepting <c>per</c>); each version ignores the
    /// names it does not know. An unknown group throws
    /// <see cref="LoomioNotFoundException"/>, a group the bot user may not see
    /// <see cref="LoomioAccessDeniedException"/>, a Loomio without the listing (3.0.x)
    /// <see cref="LoomioEndpointUnavailableException"/>.
    /// </summary>
    public async Task<LoomioDocument> ListPollsAsync(long groupId, int from, CancellationToken cancellationToken = default) =>
        (await GetDocumentAsync($"api/b2/polls?group_id={groupId}&status=all&from={from}&per={options.PageSize}&offset={from}&limit={options.PageSize}", cancellationToken).ConfigureAwait(false))!;

    /// <summary>
    /// <c>GET /api/b2/discussions/{key}</c>: a discussion (thread) with its open polls side-loaded
    /// (Loomio's DiscussionSerializer includes <c>active_polls</c>, which RecordCache fills with
    /// <c>Poll.active</c>: neither closed nor discarded); null when Loomio has no such discussion (404).
    /// A discussion the bot user may not see throws <see cref="LoomioAccessDeniedException"/>. Loomio
    /// 3.0.x has no poll listing, so this is how its polls are found from webhook links.
    /// </summary>
    public Task<LoomioDocument?> GetDiscussionAsync(string idOrKey, CancellationToken cancellationToken = default) =>
        GetDocumentAsync($"api/b2/discussions/{Uri.EscapeDataString(idOrKey)}", cancellationToken, notFoundIsNull: true);

    /// <summary>
    /// <c>GET /api/b2/polls/{key}</c>: one poll with its options and outcome; null when Loomio has no
    /// such poll (404). A poll the bot user may not see, discarded ones included, throws
    /// <see cref="LoomioAccessDeniedException"/>.
    /// </summary>
    public Task<LoomioDocument?> GetPollAsync(string idOrKey, CancellationToken cancellationToken = default) =>
        GetDocumentAsync($"api/b2/polls/{Uri.EscapeDataString(idOrKey)}", cancellationToken, notFoundIsNull: true);

    private async Task<LoomioDocument?> GetDocumentAsync(string pathAndQuery, CancellationToken cancellationToken, bool notFoundIsNull = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await SendAsync(pathAndQuery, _mode == LoomioAuthMode.QueryParameter, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Forbidden && _mode == LoomioAuthMode.Auto)
                {
                    // Loomio 3.0.x ignores the bearer header; try its query parameter once.
                    response.Dispose();
                    response = await SendAsync(pathAndQuery, useQueryKey: true, cancellationToken).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound) _mode = LoomioAuthMode.QueryParameter;
                }
                else if (response.IsSuccessStatusCode && _mode == LoomioAuthMode.Auto)
                {
                    _mode = LoomioAuthMode.Bearer;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= options.Attempts) throw new LoomioApiException($"Loomio unreachable at {options.BaseUrl}: {ex.Message}", inner: ex);
                await DelayAsync(attempt, null, cancellationToken).ConfigureAwait(false);
                continue;
            }

            using (response)
            {
                var status = response.StatusCode;
                if (status == HttpStatusCode.Forbidden)
                {
                    // Loomio answers 403 both for a bad key and for a record the key's user may not see
                    // (a discarded poll fails the show ability: app/models/ability/poll.rb checks
                    // PollQuery.visible_to, which starts from Poll.kept). Only the key check tells them apart.
                    if (!await KeyIsValidAsync(cancellationToken).ConfigureAwait(false)) throw new LoomioCredentialException("Loomio refused the API key (403): check the bot user's key");
                    throw new LoomioAccessDeniedException($"Loomio does not show {pathAndQuery.Split('?')[0]} to the bot user (403): discarded, or not visible to it");
                }

                if (status == HttpStatusCode.NotFound)
                {
                    if (notFoundIsNull) return null;
                    throw await NotFoundAsync(response, pathAndQuery.Split('?')[0], cancellationToken).ConfigureAwait(false);
                }

                if (status == HttpStatusCode.TooManyRequests && !(response.Headers.RetryAfter?.Delta is { } wait && wait <= MaxRetryWait))
                {
                    // Loomio's Rack::Attack answers 429 "Retry later" without Retry-After, and counts in
                    // fixed windows aligned on the epoch (period 5 minutes): nothing gets through before
                    // the next window, so wait for it instead of retrying into the same one.
                    throw Block(response.Headers.RetryAfter?.Delta is { } delta ? DateTimeOffset.UtcNow + delta : NextWindow(DateTimeOffset.UtcNow), $"Loomio limits requests (429) to {pathAndQuery.Split('?')[0]}");
                }

                if ((int)status >= 500 || status == HttpStatusCode.TooManyRequests)
                {
                    if (attempt >= options.Attempts) throw new LoomioApiException($"Loomio answered {(int)status} {pathAndQuery.Split('?')[0]} after {attempt} attempts", status);
                    await DelayAsync(attempt, response.Headers.RetryAfter, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (!response.IsSuccessStatusCode) throw new LoomioApiException($"Loomio answered {(int)status} to {pathAndQuery.Split('?')[0]}", status);
                var body = await ReadLimitedAsync(response, cancellationToken).ConfigureAwait(false);
                return Parse(body, status);
            }
        }
    }

    // A request every valid key may make: the poll with id 0 never exists, so Loomio authenticates the
    // key (403 when it is not valid: app/controllers/api/b2/authenticates_api_key.rb runs first) and
    // then answers 404. Settles the key presentation in Auto mode as a side effect.
    private async Task<bool> KeyIsValidAsync(CancellationToken cancellationToken)
    {
        foreach (var useQueryKey in _mode switch { LoomioAuthMode.Bearer => [false], LoomioAuthMode.QueryParameter => [true], _ => new[] { false, true } })
        {
            using var probe = await SendAsync("api/b2/polls/0", useQueryKey, cancellationToken).ConfigureAwait(false);
            if (probe.StatusCode == HttpStatusCode.Forbidden) continue;
            if (probe.StatusCode != HttpStatusCode.NotFound) throw new LoomioApiException($"Loomio answered {(int)probe.StatusCode} to the key check", probe.StatusCode);
            if (_mode == LoomioAuthMode.Auto) _mode = useQueryKey ? LoomioAuthMode.QueryParameter : LoomioAuthMode.Bearer;
            return true;
        }

        return false;
    }

    private static readonly TimeSpan MaxRetryWait = TimeSpan.FromSeconds(60);

    // The client's own budget: a sliding window of the requests sent, shared by every caller.
    private void TakeRequestBudget()
    {
        lock (_sent)
        {
            var now = DateTimeOffset.UtcNow;
            if (now < _blockedUntil) throw new LoomioRateLimitedException($"Loomio requests paused until {_blockedUntil:O} (rate limit)", _blockedUntil);
            while (_sent.Count > 0 && _sent.Peek() <= now - options.RateWindow) _sent.Dequeue();
            if (_sent.Count >= options.RequestsPerWindow)
            {
                var retryAt = _sent.Peek() + options.RateWindow;
                throw new LoomioRateLimitedException($"{options.RequestsPerWindow} Loomio requests sent in {options.RateWindow}: the next may go at {retryAt:O}", retryAt);
            }

            _sent.Enqueue(now);
        }
    }

    private LoomioRateLimitedException Block(DateTimeOffset until, string what)
    {
        lock (_sent)
        {
            if (until > _blockedUntil) _blockedUntil = until;
            return new LoomioRateLimitedException($"{what}: requests paused until {_blockedUntil:O}", _blockedUntil);
        }
    }

    // The start of Rack::Attack's next fixed window (its counters are keyed by floor(epoch seconds / period)), plus a second for clock skew.
    private DateTimeOffset NextWindow(DateTimeOffset now)
    {
        var period = options.RateWindow.Ticks;
        var since = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return DateTimeOffset.UnixEpoch + TimeSpan.FromTicks(((since / period) + 1) * period) + TimeSpan.FromSeconds(1);
    }

    private async Task<HttpResponseMessage> SendAsync(string pathAndQuery, bool useQueryKey, CancellationToken cancellationToken)
    {
        TakeRequestBudget();
        var target = pathAndQuery;
        if (useQueryKey) target += (target.Contains('?') ? "&" : "?") + "api_key=" + Uri.EscapeDataString(options.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(options.BaseUrl, target));
        if (!useQueryKey) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
    }

    private Task DelayAsync(int attempt, RetryConditionHeaderValue? retryAfter, CancellationToken cancellationToken)
    {
        var delay = retryAfter?.Delta ?? options.Backoff * Math.Pow(2, attempt - 1);
        return Task.Delay(delay > TimeSpan.FromSeconds(60) ? TimeSpan.FromSeconds(60) : delay, cancellationToken);
    }

    // A missing record is Loomio's JSON error {"exception": "ActiveRecord::RecordNotFound …"} (rendered by
    // API::V1::SnorlaxBase for Group.find and friends); a missing route is Rails' HTML 404 page.
    private async Task<LoomioApiException> NotFoundAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        string exception;
        try
        {
            exception = JsonDocument.Parse(await ReadLimitedAsync(response, cancellationToken).ConfigureAwait(false)).RootElement.GetProperty("exception").GetString() ?? string.Empty;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            exception = string.Empty;
        }

        return exception.StartsWith("ActiveRecord::RecordNotFound", StringComparison.Ordinal)
            ? new LoomioNotFoundException($"Loomio has no such record for {path} (404: {exception})")
            : new LoomioEndpointUnavailableException($"this Loomio has no {path} endpoint (404 without an API error; Loomio 3.0.x has no poll listing)");
    }

    private async Task<string> ReadLimitedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > options.MaxResponseBytes) throw new LoomioApiException($"Loomio response of {response.Content.Headers.ContentLength} bytes exceeds the {options.MaxResponseBytes}-byte limit");
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > options.MaxResponseBytes) throw new LoomioApiException($"Loomio response exceeds the {options.MaxResponseBytes}-byte limit");
            buffer.Write(chunk, 0, read);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static LoomioDocument Parse(string body, HttpStatusCode status)
    {
        try
        {
            var document = JsonSerializer.Deserialize<LoomioDocument>(body, Json) ?? throw new JsonException("empty document");
            if (document.Polls.Any(p => p.Id <= 0 || string.IsNullOrEmpty(p.Key))) throw new JsonException("a poll without id or key");
            return document with { SourceJson = LoomioSourceJson.Reduce(body) };
        }
        catch (JsonException ex)
        {
            var start = body.TrimStart();
            var what = start.StartsWith('<') ? "an HTML page" : "malformed JSON";
            throw new LoomioApiException($"Loomio answered {what} instead of its API JSON ({ex.Message})", status, ex);
        }
    }
}
