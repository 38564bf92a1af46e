using System.Net;
using System.Text;
using Iskander.Chain.DevServices;

namespace Iskander.Chain.Testing.Emulators;

/// <summary>
/// An HTTP server on a free loopback port that hands each request's body to
/// <see cref="HandleAsync"/>, which answers with <see cref="ReplyAsync"/>: the common part of test
/// peers that speak JSON-RPC (scripted nodes, proxies in front of a real one).
/// </summary>
public abstract class LoopbackRpcServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Starts listening and serving.</summary>
    protected LoopbackRpcServer()
    {
        Url = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    /// <summary>Where clients connect.</summary>
    public Uri Url { get; }

    /// <summary>Answers one request whose body is <paramref name="body"/>.</summary>
    protected abstract Task HandleAsync(HttpListenerContext context, string body);

    /// <summary>Answers with <paramref name="body"/> (no Content-Type header when <paramref name="contentType"/> is null).</summary>
    protected static async Task ReplyAsync(HttpListenerContext context, string body, int status = 200, string? contentType = "application/json")
    {
        ArgumentNullException.ThrowIfNull(context);
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        if (contentType is not null) context.Response.ContentType = contentType;
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
                    // The client hung up (a timeout test), or the server is stopping.
                }
            });
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops serving; subclasses release what they hold.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        _stop.Cancel();
        _listener.Close();
    }
}
