using System.Text.Json;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.Eip712;
using Microsoft.Playwright;

namespace Iskander.Chain.Web.Tests;

/// <summary>
/// An EIP-1193 wallet injected into the page (<c>window.ethereum</c>), answered in C# with a dev
/// account's key and our EIP-712 code: what a member's wallet extension does, without one.
/// </summary>
public static class InjectedWallet
{
    /// <summary>Installs the wallet on <paramref name="page"/> before its scripts run; every request is recorded in <paramref name="requests"/>.</summary>
    public static async Task InstallAsync(IPage page, PrivateKey key, List<string> requests)
    {
        await page.ExposeFunctionAsync("iskanderWallet", (string method, string parameters) =>
        {
            requests.Add(method);
            var arguments = JsonDocument.Parse(parameters).RootElement;
            return method switch
            {
                "eth_requestAccounts" or "eth_accounts" => JsonSerializer.Serialize(new[] { key.Address.ToChecksumString() }),
                "eth_signTypedData_v4" when Address.Parse(arguments[0].GetString()!) == key.Address =>
                    JsonSerializer.Serialize(Hex.Encode(TypedData.Parse(arguments[1].GetString()!).Sign(key).ToBytes65())),
                _ => throw new InvalidOperationException($"the test wallet does not answer {method}"),
            };
        });
        await page.AddInitScriptAsync(
            """
            window.ethereum = {
              request: async ({ method, params }) => JSON.parse(await window.iskanderWallet(method, JSON.stringify(params ?? []))),
            };
            """);
    }
}
