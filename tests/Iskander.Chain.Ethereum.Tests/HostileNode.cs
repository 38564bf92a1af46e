using System.Net;
using System.Text;
using System.Text.Json;
using Iskander.Chain.DevServices;

namespace Iskander.Chain.Ethereum.Tests;

/// <summary>
/// A loopback HTTP server that answers JSON-RPC requests with scripted responses — broken ones
/// included (HTML pages, wrong ids, garbage, stalls, floods) — which no real node produces on demand.
/// Each script step gets the request's id and returns status and body.
/// </summary>
internal sealed class HostileNode : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Queue<Func<long, Task<(int Status, string Body)>>> _script = new();
    private readonly CancellationTokenSource _stop = new();

    public HostileNode()
    {
        var port = LoopbackPort.Free();
        Url = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public Uri Url { get; }

    public int Requests { get; private set; }

    public HostileNode Then(Func<long, (int Status, string Body)> step)
    {
        lock (_script) _script.Enqueue(id => Task.FromResult(step(id)));
        return this;
    }

    public HostileNode ThenAfter(TimeSpan delay, Func<long, (int Status, string Body)> step)
    {
        lock (_script) _script.Enqueue(async id => { await Task.Delay(delay); return step(id); });
        return this;
    }

    public static (int, string) Result(long id, string resultJson) => (200, $$"""{"jsonrpc":"2.0","id":{{id}},"result":{{resultJson}}}""");

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
                using var reader = new StreamReader(context.Request.InputStream);
                var body = await reader.ReadToEndAsync();
                using var request = JsonDocument.Parse(body);
                var id = request.RootElement.ValueKind == JsonValueKind.Array ? request.RootElement[0].GetProperty("id").GetInt64() : request.RootElement.GetProperty("id").GetInt64();
                Func<long, Task<(int, string)>> step;
                lock (_script)
                {
                    Requests++;
                    step = _script.Count > 0 ? _script.Dequeue() : _ => Task.FromResult((500, "script exhausted"));
                }

                var (status, text) = await step(id);
                context.Response.StatusCode = status;
                var bytes = Encoding.UTF8.GetBytes(text);
                try
                {
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
                catch (Exception)
                {
                    // The client gave up (timeout test); nothing to do.
                }
            });
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
    }
}
