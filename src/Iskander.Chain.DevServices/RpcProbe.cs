using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Iskander.Chain.DevServices;

/// <summary>
/// Minimal liveness questions to an Ethereum JSON-RPC endpoint, for start-up waits and health
/// reports. Everything else goes through the full JSON-RPC client.
/// </summary>
public static class RpcProbe
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private static readonly HttpClient LongHttp = new() { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>The endpoint's chain id, or null when it does not answer with one.</summary>
    public static Task<ulong?> TryChainIdAsync(Uri rpcUrl, CancellationToken cancellationToken = default) =>
        TryQuantityAsync(rpcUrl, "eth_chainId", cancellationToken);

    /// <summary>The endpoint's latest block number, or null when it does not answer with one.</summary>
    public static Task<ulong?> TryBlockNumberAsync(Uri rpcUrl, CancellationToken cancellationToken = default) =>
        TryQuantityAsync(rpcUrl, "eth_blockNumber", cancellationToken);

    /// <summary>Calls a method without parameters; its string result, or null when the endpoint does not answer with one.</summary>
    public static async Task<string?> TryCallAsync(Uri rpcUrl, string method, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            var request = new { jsonrpc = "2.0", id = 1, method, @params = Array.Empty<object>() };
            using var response = await LongHttp.PostAsJsonAsync(rpcUrl, request, limit.Token).ConfigureAwait(false);
            var body = await response.Content.ReadFromJsonAsync<JsonObject>(limit.Token).ConfigureAwait(false);
            return body?["result"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException or NotSupportedException)
        {
            if (cancellationToken.IsCancellationRequested) throw;
            return null;
        }
    }

    private static async Task<ulong?> TryQuantityAsync(Uri rpcUrl, string method, CancellationToken cancellationToken)
    {
        try
        {
            var request = new { jsonrpc = "2.0", id = 1, method, @params = Array.Empty<object>() };
            using var response = await Http.PostAsJsonAsync(rpcUrl, request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
            var hex = body?["result"]?.GetValue<string>();
            return hex is not null && hex.StartsWith("0x", StringComparison.Ordinal)
                ? ulong.Parse(hex.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
                : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or FormatException
                                       or OverflowException or InvalidOperationException or NotSupportedException)
        {
            if (cancellationToken.IsCancellationRequested) throw;
            return null;
        }
    }
}
