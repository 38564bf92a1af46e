using System.Net;

namespace Iskander.Chain.Testing.Emulators;

/// <summary>
/// Sits in front of a real node and, while <see cref="Hostile"/> is set, answers JSON-RPC requests
/// with garbage: an HTML error page, truncated JSON, a reply to another request id, malformed hex, a
/// body that never ends within the client's limit, or an empty 200. Half of the hostile answers are
/// given after forwarding the request, so the node acts on a request whose answer is lost (the
/// nastiest case for a sender). Otherwise requests are forwarded unchanged.
/// </summary>
public sealed class HostileRpcProxy(Uri target, int seed) : RpcProxy(target)
{
    private readonly Random _random = new(seed);
    private int _garbled;

    /// <summary>Whether answers are garbage now.</summary>
    public bool Hostile { get; set; }

    /// <summary>How many garbage answers were given.</summary>
    public int Garbled => Volatile.Read(ref _garbled);

    /// <inheritdoc />
    protected override async Task HandleAsync(HttpListenerContext context, string body)
    {
        int kind;
        bool forwardFirst;
        lock (_random)
        {
            kind = _random.Next(6);
            forwardFirst = _random.Next(2) == 0;
        }

        if (!Hostile)
        {
            await ReplyAsync(context, await ForwardAsync(body));
            return;
        }

        if (forwardFirst) await ForwardAsync(body);
        Interlocked.Increment(ref _garbled);
        var answer = kind switch
        {
            0 => (502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"),
            1 => (200, "application/json", """{"jsonrpc":"2.0","id":1,"result":{"number":"0x1"""),
            2 => (200, "application/json", """{"jsonrpc":"2.0","id":987654321,"result":"0x1"}"""),
            3 => (200, "application/json", body.TrimStart().StartsWith('[')
                ? """[{"jsonrpc":"2.0","id":0,"result":"0xZZ"}]"""
                : """{"jsonrpc":"2.0","id":ID,"result":"0xZZ"}""".Replace("ID", IdOf(body), StringComparison.Ordinal)),
            4 => (200, "application/json", "{\"jsonrpc\":\"2.0\",\"result\":\"" + new string('a', 40 * 1024 * 1024) + "\"}"),
            _ => (200, "application/json", ""),
        };
        await ReplyAsync(context, answer.Item3, answer.Item1, answer.Item2);
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
}
