using System.Numerics;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.Keystore;
using Iskander.Chain.Loomio.Emulator;
using Iskander.Chain.Testing;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;

namespace Iskander.Chain.Cli.Tests;

/// <summary><c>serve</c> coordinates a configured ballot: after the deadline it proves (resuming after a SIGKILL mid-proof), verifies on chain, publishes the results and anchors them as a decision.</summary>
public sealed class ServeBallotTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string ReadToken = "ballotreadtoken0123456789abcdef0123456789";

    [Fact]
    public async Task Serve_coordinates_a_ballot_from_its_keystore_to_anchored_results()
    {
        // The circuits' keys first (minutes on a fresh machine; cached afterwards): serve would build them on first use.
        var builder = new Iskander.Chain.Ballots.Circuits.CircuitBuilder(TestToolchain.Runner(), new Serilog.LoggerConfiguration().CreateLogger());
        foreach (var kind in Enum.GetValues<Iskander.Chain.Ballots.Circuits.BallotCircuitKind>())
        {
            await builder.BuildAsync(new Iskander.Chain.Ballots.Circuits.BallotCircuit(kind, BallotCircuitParameters.Test));
        }

        await using var coop = await CoopOnChain.StartAsync();
        await coop.AdmitAsync(2);
        await coop.AdmitAsync(3);
        using var data = new TempDirectory();
        var seed = PrivateKey.Generate();
        var keystore = data.Combine("coordinator.json");
        await File.WriteAllTextAsync(keystore, KeystoreV3.Encrypt(seed, "coordinator password"));
        var coordinator = Iskander.Chain.Ballots.Chain.BallotKeyFile.FromSeed(seed);
        var (_, ballot) = await coop.DeployBallotAsync(coordinator.PublicKey(), voteOptions: 3);
        var ada = MaciPrivateKey.Generate();
        var bob = MaciPrivateKey.Generate();
        var adaIndex = (ulong)await ballot.WithSender(coop.Sender(2)).SignUpAsync(ada.PublicKey());
        var bobIndex = (ulong)await ballot.WithSender(coop.Sender(3)).SignUpAsync(bob.PublicKey());
        var pollId = (await ballot.SettingsAsync()).PollId; // derived by the contract
        await ballot.WithSender(coop.Sender(2)).PublishAsync(PublishedMessage.Create(ada, adaIndex, ada.PublicKey(), 2, 1, 1, pollId, coordinator.PublicKey()));
        await ballot.WithSender(coop.Sender(3)).PublishAsync(PublishedMessage.Create(bob, bobIndex, bob.PublicKey(), 2, 1, 1, pollId, coordinator.PublicKey()));
        await coop.PassDeadlineAsync();

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
            ["ISKANDER_READ_TOKEN"] = ReadToken, // ballot results are private records: members read them with the token
        };
        // Killed (SIGKILL) while proving; the next start resumes and never proves a finished step again.
        string killedOutput;
        using (var first = CliProcess.Start(["serve", "--data-dir", data.Path, "--listen", "http://127.0.0.1:0"], environment))
        {
            await first.WaitForLineAsync("Proved batch-1", TimeSpan.FromMinutes(3));
            await first.WaitForLineAsync("Proving tally", TimeSpan.FromMinutes(1));
            await first.KillAsync();
            killedOutput = first.Output;
        }

        using (var serve = CliProcess.Start(["serve", "--data-dir", data.Path, "--listen", "http://127.0.0.1:0"], environment))
        {
            await serve.WaitForLineAsync("Coordinating 1 ballot(s)", TimeSpan.FromMinutes(1));
            var gatewayLine = await serve.WaitForLineAsync("Gateway on", TimeSpan.FromMinutes(1));
            using var http = new HttpClient { BaseAddress = new Uri(gatewayLine[gatewayLine.IndexOf("http://", StringComparison.Ordinal)..].Replace("ipfs/", string.Empty, StringComparison.Ordinal).Trim()) };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ReadToken);
            var deadline = DateTime.UtcNow.AddMinutes(4);
            while (!(await ballot.StatusAsync()).ResultsPublished && DateTime.UtcNow < deadline) await Task.Delay(1000);
            Assert.True((await ballot.StatusAsync()).ResultsPublished, serve.Output);
            await serve.WaitForLineAsync("recorded as decision", TimeSpan.FromMinutes(1));
            // The result is anchored like any decision (the batch closes within the pipeline's wait).
            var anchoredBy = DateTime.UtcNow.AddMinutes(1);
            var key = $"ballot-{ballot.Address.ToString().ToLowerInvariant()}";
            while (DateTime.UtcNow < anchoredBy)
            {
                using var decisions = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/api/decisions"));
                if (decisions.RootElement.GetProperty("decisions").EnumerateArray().Any(d => d.GetProperty("pollKey").GetString() == key && d.GetProperty("batchStatus").GetString() == "confirmed")) break;
                await Task.Delay(1000);
            }

            Assert.DoesNotContain(seed.ExportHex()[2..], serve.Output + killedOutput, StringComparison.OrdinalIgnoreCase); // the key is never logged
            Assert.Contains("Proved batch-1", killedOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("Proving batch-1", serve.Output, StringComparison.Ordinal); // finished before the kill: not proven again
            Assert.Contains("Proved tally", serve.Output, StringComparison.Ordinal);
            serve.Interrupt();
            Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        }

        Assert.Equal(new BigInteger[] { 0, 0, 2, 0, 0 }, await ballot.ResultsAsync());
        var (exit, listing) = await CliProcess.RunAsync(["decisions", "list"], environment);
        Assert.True(exit == 0, listing);
        Assert.Contains("secret_ballot_result", listing, StringComparison.Ordinal);
        Assert.Contains("batch confirmed", listing, StringComparison.Ordinal);
    }
}
