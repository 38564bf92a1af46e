using System.Net.Http.Headers;

namespace Iskander.Chain.Cli;

/// <summary>
/// The cooperative's read token (<c>ISKANDER_READ_TOKEN</c>) on the client side: a member who holds it
/// reads private groups' records and evidence bundles from the bridge.
/// </summary>
internal static class ReadToken
{
    /// <summary>The token from the environment, or null.</summary>
    public static string? FromEnvironment() => Environment.GetEnvironmentVariable(BridgeRuntime.ReadTokenVariable) is { Length: > 0 } token ? token.Trim() : null;

    /// <summary>Sends the token, when set, with every request of <paramref name="http"/> (use a client only for the bridge's own addresses).</summary>
    public static HttpClient Authorize(HttpClient http)
    {
        if (FromEnvironment() is { } token) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}
