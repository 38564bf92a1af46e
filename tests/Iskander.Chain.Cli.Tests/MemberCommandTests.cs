using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Iskander.Chain.Contracts;
using Iskander.Chain.DevServices;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Loomio.Emulator;
using Iskander.Chain.Testing;

namespace Iskander.Chain.Cli.Tests;

/// <summary>
/// A member's admission through the real processes: <c>serve</c> anchors the decision, the member
/// runs <c>member consent</c> against its HTTP API, and <c>member list|show</c> and
/// <c>decisions show</c> read the result.
/// </summary>
public sealed class MemberCommandTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string ReadToken = "memberreadtoken0123456789abcdef0123456789";

    [Fact]
    public async Task A_member_consents_with_the_cli_and_the_bridge_issues_the_token()
    {
        await using var node = await AnvilNode.StartAsync(TestToolchain.Create());
        var anchorer = PrivateKey.FromHex(node.Accounts[1].PrivateKey);
        var member = PrivateKey.FromHex(node.Accounts[3].PrivateKey);
        var manifestPath = Path.Combine(TestToolchain.Layout.Root, "deployments", $"member-{Guid.NewGuid():N}.json");
        await new CoopDeployer(TestToolchain.Runner()).DeployAsync(node.RpcUrl, PrivateKey.FromHex(node.Accounts[0].PrivateKey), manifestPath,
            new CoopDeploymentOptions { Anchorer = anchorer.Address, Issuer = anchorer.Address, NoticePeriod = TimeSpan.FromSeconds(5) });
        var chain = new Iskander.Chain.Ethereum.JsonRpc.EthClient(new Iskander.Chain.Ethereum.JsonRpc.JsonRpcClient(node.RpcUrl));
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var loomio = await LoomioEmulator.StartAsync();
        var group = loomio.AddGroup("Members");
        var admit = loomio.AddPoll(group, "Admit Carol?");
        loomio.Close(admit);
        loomio.SetOutcome(admit, $"Admitted.\n\n```iskander-actions\nadmit-member {member.Address.ToChecksumString()} role=tenant\n```\n", "md");
        var malformed = loomio.AddPoll(group, "Admit someone?");
        loomio.Close(malformed);
        loomio.SetOutcome(malformed, "```iskander-actions\nadmit-member carol\n```", "md");

        using var data = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            ["ISKANDER_RPC_URL"] = node.RpcUrl.ToString(),
            ["ISKANDER_DATABASE"] = connectionString,
            ["ISKANDER_LOOMIO_URL"] = loomio.BaseUrl.ToString(),
            ["ISKANDER_LOOMIO_API_KEY"] = loomio.ApiKey,
            ["ISKANDER_ANCHORER_KEY"] = node.Accounts[1].PrivateKey,
            ["ISKANDER_DEPLOYMENT"] = manifestPath,
            ["ISKANDER_CONFIRMATIONS"] = "1",
            ["ISKANDER_READ_TOKEN"] = ReadToken,
        };
        try
        {
            using var serve = CliProcess.Start(["serve", "--data-dir", data.Path, "--listen", "http://127.0.0.1:0"], environment);
            var gatewayLine = await serve.WaitForLineAsync("Gateway on", TimeSpan.FromMinutes(1));
            var api = new Uri(gatewayLine[gatewayLine.IndexOf("http://", StringComparison.Ordinal)..].Replace("ipfs/", string.Empty, StringComparison.Ordinal).Trim());
            using var http = new HttpClient { BaseAddress = api };
            using var tokenHolder = new HttpClient { BaseAddress = api };
            tokenHolder.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ReadToken);

            long actionId = 0;
            await WaitForAsync(async () =>
            {
                using var pending = JsonDocument.Parse(await tokenHolder.GetStringAsync("/api/members/pending"));
                var items = pending.RootElement.GetProperty("pending");
                if (items.GetArrayLength() == 1) actionId = items[0].GetProperty("actionId").GetInt64();
                return actionId != 0;
            });

            // Pending admissions name members, roles and polls: not listed to anyone who asks (the member's own signature is `member consent`'s way in).
            using (var anonymous = await http.GetAsync("/api/members/pending"))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
                Assert.DoesNotContain(member.Address.ToString()[2..], await anonymous.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
            }

            // The admission is on the public schedule: the API and `member show` give its state and the time left.
            using (var shown = JsonDocument.Parse(await http.GetStringAsync($"/api/members/{member.Address}")))
            {
                var action = shown.RootElement.GetProperty("actions")[0];
                Assert.Equal("awaiting_consent", action.GetProperty("status").GetString());
                Assert.True(action.GetProperty("expiresAt").GetDateTimeOffset() > action.GetProperty("executableAt").GetDateTimeOffset());
                Assert.Equal(JsonValueKind.Number, action.GetProperty("noticeSecondsLeft").ValueKind);
                Assert.True(action.GetProperty("validitySecondsLeft").GetInt64() > 0);
            }

            var (pendingExit, pendingOutput) = await CliProcess.RunAsync(["member", "show", member.Address.ToString()], environment);
            Assert.True(pendingExit == 0, pendingOutput);
            Assert.Contains($"admit-member ordered by {admit} v1: awaiting_consent", pendingOutput, StringComparison.Ordinal);
            Assert.Matches("in notice, executable in .* members can veto it|notice served, expires in", pendingOutput);

            // A signature that is not the member's is refused with the reason.
            using (var forged = await http.PostAsJsonAsync("/api/members/consent", new { actionId, signature = "0x" + new string('1', 130) }))
            {
                Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
                Assert.Contains("rejected", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            // The member signs only for the cooperative it trusts: without a deployment nothing is signed, and
            // typed data naming another CoopIdentity than the trusted manifest's is refused.
            var memberKey = new Dictionary<string, string> { ["ISKANDER_MEMBER_KEY"] = node.Accounts[3].PrivateKey };
            var (untrustedExit, untrustedOutput) = await CliProcess.RunAsync(["member", "consent", "--api", api.ToString()], memberKey);
            Assert.True(untrustedExit == 2, untrustedOutput);
            Assert.Contains("nothing was signed", untrustedOutput, StringComparison.Ordinal);
            var otherManifest = manifestPath + ".other.json";
            var other = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(manifestPath))!;
            other["contracts"]!["CoopIdentity"]!["address"] = "0x000000000000000000000000000000000000dEaD";
            await File.WriteAllTextAsync(otherManifest, other.ToJsonString());
            try
            {
                var (otherExit, otherOutput) = await CliProcess.RunAsync(["member", "consent", "--api", api.ToString(), "--deployment", otherManifest], memberKey);
                Assert.True(otherExit == 1, otherOutput);
                Assert.Contains("refused, nothing signed", otherOutput, StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(otherManifest);
            }

            var (consentExit, consentOutput) = await CliProcess.RunAsync(["member", "consent", "--api", api.ToString(), "--deployment", manifestPath], memberKey);
            Assert.True(consentExit == 0, consentOutput);
            Assert.Contains($"Admission {actionId}: {member.Address.ToChecksumString()} as 'tenant', ordered by poll {admit} v1", consentOutput, StringComparison.Ordinal);

            await WaitForAsync(async () =>
            {
                await chain.Rpc.CallAsync("evm_mine", []); // chain time moves on, so the notice passes
                using var members = JsonDocument.Parse(await http.GetStringAsync("/api/members"));
                return members.RootElement.GetProperty("members").GetArrayLength() == 1;
            });
            // The admitting poll is in a private group: members (here the token) see its key, anyone else only its leaf.
            using (var shown = JsonDocument.Parse(await tokenHolder.GetStringAsync($"/api/members/{member.Address}")))
            {
                var membership = shown.RootElement.GetProperty("memberships")[0];
                Assert.Equal("active", membership.GetProperty("status").GetString());
                Assert.Equal(admit, membership.GetProperty("admission").GetProperty("pollKey").GetString());
            }

            using (var shown = JsonDocument.Parse(await http.GetStringAsync($"/api/members/{member.Address}")))
            {
                var admission = shown.RootElement.GetProperty("memberships")[0].GetProperty("admission");
                Assert.Equal(JsonValueKind.Null, admission.GetProperty("pollKey").ValueKind);
                Assert.True(admission.GetProperty("membersOnly").GetBoolean());
            }

            var (listExit, listOutput) = await CliProcess.RunAsync(["member", "list"], environment);
            Assert.True(listExit == 0, listOutput);
            Assert.Contains($"{member.Address.ToChecksumString()}  tenant", listOutput, StringComparison.Ordinal);
            var (showExit, showOutput) = await CliProcess.RunAsync(["member", "show", member.Address.ToString()], environment);
            Assert.True(showExit == 0, showOutput);
            Assert.Contains($"admitted by poll {admit} v1", showOutput, StringComparison.Ordinal);
            var (decisionExit, decisionOutput) = await CliProcess.RunAsync(["decisions", "show", malformed], environment);
            Assert.True(decisionExit == 0, decisionOutput);
            Assert.Contains("invalid action block, nothing will be executed: line 1: 'carol' is not an Ethereum address", decisionOutput, StringComparison.Ordinal);
            // verify by poll key and by record CID: the bundle comes from the bridge, every check runs against the node
            // and the cooperative's DecisionAnchor from the manifest.
            // The group is private: its decision is verified with the read token, and is not found without it.
            var tokenOnly = new Dictionary<string, string> { ["ISKANDER_READ_TOKEN"] = ReadToken };
            var (verifyExit, verifyOutput) = await CliProcess.RunAsync(["verify", admit, "--api", api.ToString(), "--rpc", node.RpcUrl.ToString(), "--confirmations", "1", "--deployment", manifestPath], tokenOnly);
            Assert.True(verifyExit == 0, verifyOutput);
            var (anonymousExit, anonymousOutput) = await CliProcess.RunAsync(["verify", admit, "--api", api.ToString(), "--rpc", node.RpcUrl.ToString(), "--confirmations", "1", "--deployment", manifestPath]);
            Assert.True(anonymousExit == 2, anonymousOutput);
            Assert.Contains("a private group's decision needs ISKANDER_READ_TOKEN", anonymousOutput, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/decisions/{admit}")).StatusCode);
            using (var decision = JsonDocument.Parse(await tokenHolder.GetStringAsync($"/api/decisions/{admit}")))
            {
                var cid = decision.RootElement.GetProperty("versions")[0].GetProperty("summary").GetProperty("cid").GetString()!;
                var (cidExit, cidOutput) = await CliProcess.RunAsync(["verify", cid, "--api", api.ToString(), "--rpc", node.RpcUrl.ToString(), "--confirmations", "1", "--deployment", manifestPath], tokenOnly);
                Assert.True(cidExit == 0, cidOutput);
                Assert.Contains(cid, cidOutput, StringComparison.Ordinal);
                Assert.Equal(5, cidOutput.Split('\n').Count(l => l.TrimStart().StartsWith("PASS", StringComparison.Ordinal)));
                Assert.Equal("executed", decision.RootElement.GetProperty("actions")[0].GetProperty("status").GetString());
            }

            var (unknownExit, unknownOutput) = await CliProcess.RunAsync(["verify", "no-such-poll", "--api", api.ToString(), "--rpc", node.RpcUrl.ToString()]);
            Assert.Equal(2, unknownExit);
            Assert.Contains("neither a bundle file nor a decision", unknownOutput, StringComparison.Ordinal);
            serve.Interrupt();
            Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        }
        finally
        {
            File.Delete(manifestPath);
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("condition not met within 2 minutes");
            await Task.Delay(250);
        }
    }
}
