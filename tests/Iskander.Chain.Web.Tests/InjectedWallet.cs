using System.Text.Json;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.Eip712;
using Iskander.Chain.Testing;
using Microsoft.Playwright;

namespace Iskander.Chain.Web.Tests;

/// <summary>
/// An EIP-1193 wallet injected into the page (<c>window.ethereum</c>), answered in C# with a dev
/// account's key: our EIP-712 and EIP-191 code signs, and transactions are signed and sent to the
/// cooperative's anvil by the repository's <see cref="TransactionSender"/> — what a member's wallet
/// extension does, without one.
/// </summary>
public static class InjectedWallet
{
    /// <summary>Installs the wallet of dev account <paramref name="account"/> on <paramref name="page"/> before its scripts run; every request is recorded in <paramref name="requests"/>.</summary>
    public static async Task InstallAsync(IPage page, CoopOnChain coop, int account, List<string> requests)
    {
        var key = coop.Key(account);
        var sender = coop.Sender(account);
        await page.ExposeFunctionAsync("iskanderWallet", async (string method, string parameters) =>
        {
            requests.Add(method);
            var arguments = JsonDocument.Parse(parameters).RootElement;
            object answer = method switch
            {
                "eth_requestAccounts" or "eth_accounts" => new[] { key.Address.ToChecksumString() },
                "eth_chainId" => "0x" + coop.Manifest.ChainId.ToString("x", System.Globalization.CultureInfo.InvariantCulture),
                "eth_signTypedData_v4" when Address.Parse(arguments[0].GetString()!) == key.Address =>
                    Hex.Encode(TypedData.Parse(arguments[1].GetString()!).Sign(key).ToBytes65()),
                // MetaMask's order: the message (0x-hex of its bytes), then the account.
                "personal_sign" when Address.Parse(arguments[1].GetString()!) == key.Address =>
                    Hex.Encode(PersonalMessage.Sign(Hex.Decode(arguments[0].GetString()!), key).ToBytes65()),
                "eth_sendTransaction" when Address.Parse(arguments[0].GetProperty("from").GetString()!) == key.Address =>
                    (await sender.SendAsync(new TransactionRequest
                    {
                        To = Address.Parse(arguments[0].GetProperty("to").GetString()!), Data = Hex.Decode(arguments[0].GetProperty("data").GetString()!),
                    })).Hash.ToString(),
                _ => throw new InvalidOperationException($"the test wallet does not answer {method} with these parameters"),
            };
            return JsonSerializer.Serialize(answer);
        });
        await page.AddInitScriptAsync(
            """
            window.ethereum = {
              request: async ({ method, params }) => JSON.parse(await window.iskanderWallet(method, JSON.stringify(params ?? []))),
            };
            """);
    }
}
