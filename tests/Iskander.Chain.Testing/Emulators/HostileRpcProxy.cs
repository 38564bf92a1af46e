using System.Net;
using System.Text;
using Iskander.Chain.DevServices;

namespace Iskander.Chain.Testing.Emulators;

/// <summary>
/// Sits in front of a real node and, while <see cref="Hostile"/> is set, answers JSON-RPC requests
/// with garbage: an HTML error page, truncated JSON, a reply to another request id, malformed hex, a
/// body that never ends within the client's limit, or an empty 200. Half of the hostile answers are
/// given after forwarding the request, so the node acts on a request whose answer is lost (the
/// nastiest case for a sender). Otherwise requests are forwarded unchanged.
/// </summary>
public sealed class HostileRpcProxy : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _http = new();
    private readonly Uri _target;
    private readonly Random _random;
    private readonly CancellationTokenSource _stop = new();
    private int _garbled;

    /// <summary>Starts the proxy on a free loopback port.</summary>
    public HostileRpcProxy(Uri target, int seed)
    {
        _target = target;
        _random = new Random(seed);
        Url = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    /// <summary>Where clients connect.</summary>
    public Uri Url { get; }

    /// <summary>Whether answers are garbage now.</summary>
    public bool Hostile { get; set; }

    /// <summary>How many garbage answers were given.</summary>
    public int Garbled => Volatile.Read(ref _garbled);

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            int kind;
            bool forwardFirst;
            lock (_random)
            {
                kind = _random.Next(6);
                forwardFirst = _random.Next(2) == 0;
            }

            if (!Hostile || forwardFirst)
            {
                using var forwarded = await _http.PostAsync(_target, new StringContent(body, Encoding.UTF8, "application/json"));
                var answer = await forwarded.Content.ReadAsStringAsync();
                if (!Hostile)
                {
                    await ReplyAsync(context, 200, "application/json", answer);
                    return;
                }
            }

            Interlocked.Increment(ref _garbled);
            switch (kind)
            {
                case 0:
                    await ReplyAsync(context, 502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>");
                    break;
                case 1:
                    await ReplyAsync(context, 200, "application/json", """{"jsonrpc":"2.0","id":1,"result":{"number":"0x1""");
                    break;
                case 2:
                    await ReplyAsync(context, 200, "application/json", """{"jsonrpc":"2.0","id":987654321,"result":"0x1"}""");
                    break;
                case 3:
                    await ReplyAsync(context, 200, "application/json", body.TrimStart().StartsWith('[')
                        ? """[{"jsonrpc":"2.0","id":0,"result":"0xZZ"}]"""
                        : """{"jsonrpc":"2.0","id":ID,"result":"0xZZ"}""".Replace("ID", IdOf(body), StringComparison.Ordinal));
                    break;
                case 4:
                    await ReplyAsync(context, 200, "application/json", "{\"jsonrpc\":\"2.0\",\"result\":\"" + new string('a', 40 * 1024 * 1024) + "\"}");
                    break;
                default:
                    await ReplyAsync(context, 200, "application/json", "");
                    break;
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or HttpRequestException or InvalidOperationException)
        {
            // The client hung up on a garbage answer (as it should); nothing to do.
        }
    }

    private static string IdOf(string body)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("id", out var id) ? id.GetRawText() : "1";
        }
        catch (System.Text.Json.JsonException)
        {
            return "1";
        }
    }

    private static async Task ReplyAsync(HttpListenerContext context, int status, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _http.Dispose();
    }
}
