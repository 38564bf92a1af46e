using System.Net;
using System.Text;
using System.Text.Json;
using Iskander.Chain.DevServices;

namespace Iskander.Chain.Ethereum.Tests;

/// <summary>
/// Sits in front of a real node and refuses <c>eth_getLogs</c> over more than a few blocks, the way
/// hosted RPC providers do; every other request is forwarded unchanged.
/// </summary>
internal sealed class RangeLimitingProxy : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _http = new();
    private readonly Uri _target;
    private readonly ulong _maxRange;
    private readonly CancellationTokenSource _stop = new();

    public RangeLimitingProxy(Uri target, ulong maxRange)
    {
        _target = target;
        _maxRange = maxRange;
        Url = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public Uri Url { get; }

    public int Refusals { get; private set; }

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

            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            string answer;
            using (var request = JsonDocument.Parse(body))
            {
                var root = request.RootElement;
                if (root.ValueKind == JsonValueKind.Object && root.GetProperty("method").GetString() == "eth_getLogs")
                {
                    var filter = root.GetProperty("params")[0];
                    var from = Hex.DecodeQuantityUInt64(filter.GetProperty("fromBlock").GetString());
                    var to = Hex.DecodeQuantityUInt64(filter.GetProperty("toBlock").GetString());
                    if (to - from + 1 > _maxRange)
                    {
                        Refusals++;
                        answer = $$$"""{"jsonrpc":"2.0","id":{{{root.GetProperty("id").GetInt64()}}},"error":{"code":-32600,"message":"query exceeds max block range {{{_maxRange}}}"}}""";
                        await Reply(context, answer);
                        continue;
                    }
                }
            }

            using var forwarded = await _http.PostAsync(_target, new StringContent(body, Encoding.UTF8, "application/json"));
            await Reply(context, await forwarded.Content.ReadAsStringAsync());
        }
    }

    private static async Task Reply(HttpListenerContext context, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.ContentType = "application/json";
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _http.Dispose();
    }
}
