using System.Text;

namespace Iskander.Chain.Testing.Emulators;

/// <summary>
/// A JSON-RPC proxy on a free loopback port in front of a real node: each request goes to
/// <see cref="LoopbackRpcServer.HandleAsync"/>, which may forward it (<see cref="ForwardAsync"/>)
/// and answers with <see cref="LoopbackRpcServer.ReplyAsync"/>. Subclasses decide how faithful the
/// answers are.
/// </summary>
public abstract class RpcProxy(Uri target) : LoopbackRpcServer
{
    private readonly HttpClient _http = new();

    /// <summary>Sends <paramref name="body"/> to the node and returns its answer.</summary>
    protected async Task<string> ForwardAsync(string body)
    {
        using var forwarded = await _http.PostAsync(target, new StringContent(body, Encoding.UTF8, "application/json"));
        return await forwarded.Content.ReadAsStringAsync();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _http.Dispose();
    }
}
