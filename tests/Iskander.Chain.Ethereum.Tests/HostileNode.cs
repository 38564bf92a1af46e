using System.Net;
using System.Text.Json;
using Iskander.Chain.Testing.Emulators;

namespace Iskander.Chain.Ethereum.Tests;

/// <summary>
/// A loopback HTTP server that answers JSON-RPC requests with scripted responses — broken ones
/// included (HTML pages, wrong ids, garbage, stalls, floods) — which no real node produces on demand.
/// Each script step gets the request's id and returns status and body.
/// </summary>
internal sealed class HostileNode : LoopbackRpcServer
{
    private readonly Queue<Func<long, Task<(int Status, string Body)>>> _script = new();

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

    protected override async Task HandleAsync(HttpListenerContext context, string body)
    {
        using var request = JsonDocument.Parse(body);
        var id = request.RootElement.ValueKind == JsonValueKind.Array ? request.RootElement[0].GetProperty("id").GetInt64() : request.RootElement.GetProperty("id").GetInt64();
        Func<long, Task<(int, string)>> step;
        lock (_script)
        {
            Requests++;
            step = _script.Count > 0 ? _script.Dequeue() : _ => Task.FromResult((500, "script exhausted"));
        }

        var (status, text) = await step(id);
        await ReplyAsync(context, text, status, contentType: null);
    }
}
