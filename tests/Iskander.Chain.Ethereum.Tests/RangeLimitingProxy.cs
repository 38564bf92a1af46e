using System.Net;
using System.Text.Json;
using Iskander.Chain.Testing.Emulators;

namespace Iskander.Chain.Ethereum.Tests;

/// <summary>
/// Sits in front of a real node and refuses <c>eth_getLogs</c> over more than a few blocks, the way
/// hosted RPC providers do; every other request is forwarded unchanged.
/// </summary>
internal sealed class RangeLimitingProxy(Uri target, ulong maxRange) : RpcProxy(target)
{
    private int _refusals;

    public int Refusals => Volatile.Read(ref _refusals);

    protected override async Task HandleAsync(HttpListenerContext context, string body)
    {
        using (var request = JsonDocument.Parse(body))
        {
            var root = request.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.GetProperty("method").GetString() == "eth_getLogs")
            {
                var filter = root.GetProperty("params")[0];
                var from = Hex.DecodeQuantityUInt64(filter.GetProperty("fromBlock").GetString());
                var to = Hex.DecodeQuantityUInt64(filter.GetProperty("toBlock").GetString());
                if (to - from + 1 > maxRange)
                {
                    Interlocked.Increment(ref _refusals);
                    await ReplyAsync(context, $$$"""{"jsonrpc":"2.0","id":{{{root.GetProperty("id").GetInt64()}}},"error":{"code":-32600,"message":"query exceeds max block range {{{maxRange}}}"}}""");
                    return;
                }
            }
        }

        await ReplyAsync(context, await ForwardAsync(body));
    }
}
