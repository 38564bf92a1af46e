using System.Net;
using System.Text;
using Iskander.Chain.DevServices;

namespace Iskander.Chain.Testing.Emulators;

/// <summary>
/// A JSON-RPC proxy on a free loopback port in front of a real node: each request goes to
/// <see cref="HandleAsync"/>, which may forward it (<see cref="ForwardAsync"/>) and answers with
/// <see cref="ReplyAsync"/>. Subclasses decide how faithful the answers are.
/// </summary>
public abstract class RpcProxy : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _http = new();
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Starts listening and serving.</summary>
    protected RpcProxy(Uri target)
    {
        _target = target;
        Url = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    /// <summary>Where clients connect.</summary>
    public Uri Url { get; }

    /// <summary>Answers one request whose body is <paramref name="body"/>.</summary>
    protected abstract Task HandleAsync(HttpListenerContext context, string body);

    /// <summary>Sends <paramref name="body"/> to the node and returns its answer.</summary>
    protected async Task<string> ForwardAsync(string body)
    {
        using var forwarded = await _http.PostAsync(_target, new StringContent(body, Encoding.UTF8, "application/json"));
        return await forwarded.Content.ReadAsStringAsync();
    }

    /// <summary>Answers with <paramref name="body"/>.</summary>
    protected static async Task ReplyAsync(HttpListenerContext context, string body, int status = 200, string contentType = "application/json")
    {
        ArgumentNullException.ThrowIfNull(context);
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

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

            _ = Task.Run(async () =>
            {
                try
                {
                    using var reader = new StreamReader(context.Request.InputStream);
                    await HandleAsync(context, await reader.ReadToEndAsync());
                }
                catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or HttpRequestException or InvalidOperationException)
                {
                    // The client hung up, or the proxy is stopping.
                }
            });
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _http.Dispose();
        GC.SuppressFinalize(this);
    }
}
