using System.Text.Json.Nodes;
using Deque.AxeCore.Playwright;
using Iskander.Chain.Testing;
using Microsoft.Playwright;

namespace Iskander.Chain.Web.Tests;

/// <summary>
/// The members' page in Chromium against a real instance: decisions are verified in the browser
/// (record bytes, CID, leaf, proof, root on chain through the member's node) and a bridge that lies
/// about any link is caught; the page's keccak-256 agrees with ethers.js; the page passes axe and fits a phone.
/// </summary>
[Collection(GlassBoxCollection.Name)]
public sealed class DecisionsPageTests(GlassBoxInstance instance)
{
    [Fact]
    public async Task An_anchored_decision_passes_in_the_browser_and_each_lie_fails_naming_its_link()
    {
        var page = await instance.OpenAsync();
        var cards = page.Locator("#decision-list > li");
        Assert.Equal(instance.Anchored.Count, await cards.CountAsync());
        var decision = instance.Anchored[^1];
        var card = page.Locator($"#decision-list > li[data-poll-key='{decision.PollKey}'][data-version='{decision.Version}']");
        await Assertions.Expect(card).ToContainTextAsync(decision.Cid);
        // The defaults shown are the bridge's suggestions, editable.
        await Assertions.Expect(page.GetByLabel("Chain node (JSON-RPC URL)")).ToHaveValueAsync(instance.Coop.Node.RpcUrl.ToString());
        await Assertions.Expect(page.GetByLabel("DecisionAnchor contract")).ToHaveValueAsync(instance.DecisionAnchor.ToChecksumString());

        Task<string> VerifyAsync() => VerifyCardAsync(card);
        Assert.Equal("PASS: every link holds", await VerifyAsync());
        await card.ScreenshotAsync(new() { Path = Path.Combine(GlassBoxInstance.Screenshots, "decision-pass.png") });

        // The gateway serves other bytes than the CID names.
        await page.RouteAsync("**/ipfs/**", async route =>
        {
            var response = await route.FetchAsync();
            var body = await response.BodyAsync();
            body[^2] ^= 1;
            await route.FulfillAsync(new() { Response = response, BodyBytes = body });
        });
        Assert.Equal("FAIL: record bytes → CID", await VerifyAsync());
        await card.ScreenshotAsync(new() { Path = Path.Combine(GlassBoxInstance.Screenshots, "decision-fail-bytes.png") });
        await page.UnrouteAllAsync();

        // The bundle's proof is not the tree's (the root itself is anchored).
        await page.RouteAsync("**/evidence", async route =>
        {
            var response = await route.FetchAsync();
            var bundle = JsonNode.Parse(await response.TextAsync())!;
            var proof = bundle["proof"]!.AsArray();
            Assert.NotEmpty(proof);
            proof[0] = "0x" + new string('5', 64);
            await route.FulfillAsync(new() { Response = response, Body = bundle.ToJsonString() });
        });
        Assert.Equal("FAIL: leaf → root (inclusion proof)", await VerifyAsync());
        await page.UnrouteAllAsync();

        // The member distrusts the suggested contract: another one has no such root.
        var anchorField = page.GetByLabel("DecisionAnchor contract");
        await anchorField.FillAsync(instance.Coop.Manifest["ActionSchedule"].Address.ToChecksumString());
        Assert.StartsWith("FAIL: root anchored on chain", await VerifyAsync(), StringComparison.Ordinal);
        await anchorField.FillAsync(instance.DecisionAnchor.ToChecksumString());

        // A node on another chain than the cooperative's.
        await page.GetByLabel("Chain id").FillAsync("1");
        Assert.Equal("FAIL: node → chain", await VerifyAsync());
        await Assertions.Expect(card).ToContainTextAsync("wrong chain: the node is on chain 31337, the cooperative is on chain 1");
        await page.GetByLabel("Chain id").FillAsync("31337");
        Assert.Equal("PASS: every link holds", await VerifyAsync());
    }

    [Fact]
    public async Task The_pages_keccak256_agrees_with_ethers()
    {
        var page = await instance.OpenAsync();
        var random = new Random(7);
        // Lengths around the 136-byte rate, where padding changes shape, and some random ones.
        var lengths = new[] { 0, 1, 31, 32, 135, 136, 137, 271, 272, 273, 1000 }.Concat(Enumerable.Range(0, 20).Select(_ => random.Next(0, 700))).ToList();
        var inputs = lengths.Select(n =>
        {
            var bytes = new byte[n];
            random.NextBytes(bytes);
            return Ethereum.Hex.Encode(bytes);
        }).ToList();
        var ours = await page.EvaluateAsync<string[]>(
            """
            async (inputs) => {
              const { keccak256 } = await import('/web/js/keccak.js');
              const { fromHex, toHex } = await import('/web/js/verify.js');
              return inputs.map((input) => toHex(keccak256(fromHex(input))));
            }
            """, inputs);
        var ethers = await NodeOracle.RunAsync("ethers-oracle.mjs", "keccak", inputs.Select(i => new { data = i }));
        Assert.Equal(ethers.Select(r => r["hash"]!.GetValue<string>()), ours);
    }

    [Fact]
    public async Task The_pages_abi_encoding_and_address_checksums_agree_with_ethers_and_ours()
    {
        var page = await instance.OpenAsync();
        var random = new Random(11);
        string RandomHex(int length)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return Ethereum.Hex.Encode(bytes);
        }

        // veto(bytes32, bytes[]) as the page sends it: no signature, one, several, and lengths that are not a multiple of 32.
        var cases = new[] { new int[0], [65], [65, 65], [65, 65, 65, 65, 65], [0, 1, 31, 32, 33, 64, 100] }
            .Select(lengths => new { types = new[] { "bytes32", "bytes[]" }, values = new object[] { RandomHex(32), lengths.Select(RandomHex).ToArray() } }).ToList();
        var ours = await page.EvaluateAsync<string[]>(
            """
            async (cases) => {
              const { encodeTuple } = await import('/web/js/abi.js');
              return cases.map((c) => '0x' + encodeTuple(c.types, c.values));
            }
            """, cases);
        var ethers = await NodeOracle.RunAsync("ethers-oracle.mjs", "abiEncode", cases);
        Assert.Equal(ethers.Select(r => r["encoded"]!.GetValue<string>()), ours);

        var addresses = Enumerable.Range(0, 10).Select(i => instance.Coop.Key(i).Address).Append(instance.DecisionAnchor).ToList();
        var checksummed = await page.EvaluateAsync<string[]>(
            """
            async (addresses) => {
              const { checksumAddress } = await import('/web/js/abi.js');
              return addresses.map(checksumAddress);
            }
            """, addresses.Select(a => Ethereum.Hex.Encode(a.ToArray())).ToArray());
        Assert.Equal(addresses.Select(a => a.ToChecksumString()), checksummed);
    }

    [Fact]
    public async Task The_page_passes_axe_works_from_the_keyboard_and_fits_a_phone()
    {
        // A member's view: every section filled, the Glass Box and their admissions opened.
        var page = await instance.OpenAsync(phone: true, wallet: 2);
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the Glass Box" }).ClickAsync();
        await Assertions.Expect(page.Locator("#audit-list > li").First).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Show my admissions" }).ClickAsync();
        await Assertions.Expect(page.Locator("#admissions-status")).ToContainTextAsync("No admission awaits");
        foreach (var list in new[] { "#decision-list", "#member-list", "#ballot-list", "#escrow-list" })
        {
            await Assertions.Expect(page.Locator($"{list} > li").First).ToBeVisibleAsync();
        }

        await page.Locator("#audit-list details").First.Locator("summary").ClickAsync();
        var axe = await page.RunAxe();
        Assert.True(axe.Violations.Length == 0, string.Join("\n", axe.Violations.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html))})")));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways on a phone");
        await page.ScreenshotAsync(new() { Path = Path.Combine(GlassBoxInstance.Screenshots, "phone.png"), FullPage = true });

        // Keyboard only: the skip link first, then through to a verify button, activated with Enter.
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-ready=true]");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        var button = page.Locator("#decision-list button").First;
        for (var i = 0; i < 30 && !await button.EvaluateAsync<bool>("b => b === document.activeElement"); i++) await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#decision-list > li").First.Locator(".verdict")).ToHaveTextAsync("PASS: every link holds");
    }

    [Fact]
    public async Task The_page_and_its_defaults_are_served_by_the_host_under_a_strict_policy()
    {
        using var http = new HttpClient { BaseAddress = instance.Host.Address };
        using (var page = await http.GetAsync("/"))
        {
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }

        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("/web/js/missing.js")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("/web/../Iskander.Chain.Host.dll")).StatusCode);
        var deployment = JsonNode.Parse(await http.GetStringAsync("/api/deployment"))!;
        Assert.Equal(instance.Coop.Manifest.ChainId, deployment["chainId"]!.GetValue<ulong>());
        Assert.Equal(instance.Coop.Node.RpcUrl.ToString(), deployment["rpcUrl"]!.GetValue<string>());
        foreach (var (name, contract) in instance.Coop.Manifest.Contracts)
        {
            Assert.Equal(contract.Address.ToChecksumString(), deployment["contracts"]![name]!.GetValue<string>());
        }
    }

    private static async Task<string> VerifyCardAsync(ILocator card)
    {
        // The click handler disables the button and clears the last verdict at once; it is enabled again with the new verdict.
        await card.GetByRole(AriaRole.Button).ClickAsync();
        await Assertions.Expect(card.GetByRole(AriaRole.Button)).ToBeEnabledAsync();
        return await card.Locator(".verdict").TextContentAsync() ?? "";
    }
}
