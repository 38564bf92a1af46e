using System.Net;
using System.Net.Http.Json;
using System.Numerics;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.Keystore;
using Iskander.Chain.Loomio.Emulator;
using Iskander.Chain.Testing;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;

namespace Iskander.Chain.Cli.Tests;

/// <summary>
/// Relayed publishing, the voter CLI's default: a real <c>serve</c> relays well-formed messages to
/// the ballot it coordinates from the bridge's key (the member's address is not on chain beside
/// them), refuses malformed ones, unknown ballots and closed voting, and rate-limits each client.
/// </summary>
public sealed class BallotRelayTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task The_voter_cli_publishes_through_the_bridge_relay_by_default()
    {
        await using var coop = await CoopOnChain.StartAsync();
        await coop.AdmitAsync(2);
        using var data = new TempDirectory();
        var seed = PrivateKey.Generate();
        var keystore = data.Combine("coordinator.json");
        await File.WriteAllTextAsync(keystore, KeystoreV3.Encrypt(seed, "coordinator password"));
        var coordinator = Iskander.Chain.Ballots.Chain.BallotKeyFile.FromSeed(seed);
        var (manifest, ballot) = await coop.DeployBallotAsync(coordinator.PublicKey(), voteOptions: 3);
        await using var loomio = await LoomioEmulator.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["ISKANDER_RPC_URL"] = coop.Node.RpcUrl.ToString(),
            ["ISKANDER_DATABASE"] = await postgres.CreateDatabaseAsync(),
            ["ISKANDER_LOOMIO_URL"] = loomio.BaseUrl.ToString(),
            ["ISKANDER_LOOMIO_API_KEY"] = loomio.ApiKey,
            ["ISKANDER_ANCHORER_KEY"] = coop.Node.Accounts[1].PrivateKey,
            ["ISKANDER_DEPLOYMENT"] = coop.ManifestPath,
            ["ISKANDER_CONFIRMATIONS"] = "1",
            ["ISKANDER_BALLOTS"] = coop.LastBallotManifestPath!,
            ["ISKANDER_COORDINATOR_KEYSTORE"] = keystore,
            ["ISKANDER_COORDINATOR_KEYSTORE_PASSWORD"] = "coordinator password",
        };
        using var serve = CliProcess.Start(["serve", "--data-dir", data.Path, "--listen", "http://127.0.0.1:0"], environment);
        await serve.WaitForLineAsync("Coordinating 1 ballot(s)", TimeSpan.FromMinutes(1));
        var gatewayLine = await serve.WaitForLineAsync("Gateway on", TimeSpan.FromMinutes(1));
        var api = gatewayLine[gatewayLine.IndexOf("http://", StringComparison.Ordinal)..].Replace("ipfs/", string.Empty, StringComparison.Ordinal).Trim();

        var voter = new Dictionary<string, string>
        {
            ["ISKANDER_RPC_URL"] = coop.Node.RpcUrl.ToString(),
            ["ISKANDER_BALLOT_KEY_PASSWORD"] = "correct horse battery staple",
            ["ISKANDER_COORDINATOR_PUBLIC_KEY"] = coordinator.PublicKey().Serialize(),
            ["ISKANDER_MEMBER_KEY"] = coop.Node.Accounts[2].PrivateKey,
            ["ISKANDER_API_URL"] = api,
        };
        var target = manifest.Ballot.ToString();
        var key = data.Combine("ada.json");
        async Task<string> Run(params string[] arguments)
        {
            var (exit, output) = await CliProcess.RunAsync(["ballot", .. arguments], voter);
            Assert.True(exit == 0, output + serve.Output);
            return output;
        }

        await Run("keygen", "--out", key);
        await Run("signup", "--ballot", target, "--key", key);
        Assert.Contains("relayed by the bridge as message 0", await Run("vote", "2", "--ballot", target, "--key", key), StringComparison.Ordinal);
        Assert.Contains("relayed by the bridge as message 1", await Run("vote", "1", "--ballot", target, "--key", key), StringComparison.Ordinal); // the override

        // On chain the messages come from the bridge's address, not the member's.
        var head = await coop.Client.BlockNumberAsync();
        var logs = await coop.Client.GetLogsAsync(new Ethereum.JsonRpc.LogFilter { FromBlock = manifest.DeployBlock, ToBlock = head, Addresses = [manifest.Ballot] });
        var senders = new List<Ethereum.Address>();
        foreach (var log in logs.Where(l => ballot.Decode(l) is Iskander.Chain.Ballots.Chain.MessageEvent))
        {
            senders.Add((await coop.Client.GetTransactionByHashAsync(log.TransactionHash))!.From);
        }

        Assert.Equal([coop.Key(1).Address, coop.Key(1).Address], senders);
        Assert.Contains("Relayed message 1", serve.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", serve.Output.Split('\n').Where(l => l.Contains("Relayed", StringComparison.Ordinal)).FirstOrDefault() ?? "", StringComparison.Ordinal); // no client address logged

        // What the coordinator will find: the member's latest vote (option 1).
        var (signUps, messages) = await ballot.EventsAsync(manifest.DeployBlock, head);
        var poll = new PollProcessor(BallotCircuitParameters.Test, 3, (await ballot.SettingsAsync()).PollId, 1);
        foreach (var signUp in signUps) poll.SignUp(new MaciPublicKey(signUp.PublicKey));
        foreach (var message in messages) poll.Publish(message.Message);
        while (poll.BatchesLeft > 0) poll.ProcessNextBatch(coordinator, Fr.Random());
        Assert.Equal(new BigInteger[] { 0, 1, 0, 0, 0 }, poll.TallyRemaining()[^1].Results);

        // Malformed messages and unknown ballots are refused before they cost gas.
        using var http = new HttpClient { BaseAddress = new Uri(api) };
        var valid = messages[0].Message;
        object Body(IEnumerable<string> fields, BabyJubJubPoint point) =>
            new { data = fields, encryptionKey = new { x = point.X.ToBigInteger().ToString(), y = point.Y.ToBigInteger().ToString() } };
        var fields = valid.Message.Data.Select(f => f.ToBigInteger().ToString()).ToList();
        async Task<(HttpStatusCode Status, string Text)> Post(string ballotAddress, object body)
        {
            using var response = await http.PostAsJsonAsync($"/api/ballots/{ballotAddress}/messages", body);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var (status, text) = await Post(target, Body(fields.Take(9), valid.EncryptionKey));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("10 field elements", text, StringComparison.Ordinal);
        (status, text) = await Post(target, Body(fields.Select((f, i) => i == 0 ? Fr.Modulus.ToString() : f), valid.EncryptionKey));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not a field element", text, StringComparison.Ordinal);
        var outsideSubgroup = new BabyJubJubPoint(Fr.Zero, Fr.Zero - Fr.One); // (0, −1): on the curve, of order 2
        (status, text) = await Post(target, Body(fields, outsideSubgroup));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("prime-order subgroup", text, StringComparison.Ordinal);
        (status, _) = await Post(coop.Key(5).Address.ToString(), Body(fields, valid.EncryptionKey));
        Assert.Equal(HttpStatusCode.NotFound, status);

        // After the deadline the relay refuses to publish.
        await coop.PassDeadlineAsync();
        (status, text) = await Post(target, Body(fields, valid.EncryptionKey));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("ended", text, StringComparison.Ordinal);

        // Ten requests per client a minute: two votes and five refusals so far; the eleventh is refused.
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.BadRequest, (await Post(target, Body(fields.Take(1), valid.EncryptionKey))).Status);
        (status, _) = await Post(target, Body(fields.Take(1), valid.EncryptionKey));
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal(2, (await ballot.StatusAsync()).NumMessages); // nothing but the two votes was published

        serve.Interrupt();
        Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromMinutes(1)));
    }
}
