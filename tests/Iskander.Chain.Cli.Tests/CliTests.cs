using System.Text.RegularExpressions;
using Iskander.Chain.Testing;

namespace Iskander.Chain.Cli.Tests;

public sealed partial class CliTests
{
    [GeneratedRegex(@"Gateway on (http://\S+/)ipfs/")]
    private static partial Regex GatewayLine();

    [Fact]
    public async Task Version_prints_the_program_version()
    {
        var (exitCode, output) = await CliProcess.RunAsync(["version"]);
        Assert.Equal(0, exitCode);
        Assert.StartsWith("iskander-chain 0.1.0", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_passes_on_a_bootstrapped_machine()
    {
        using var data = new TempDirectory();
        var (exitCode, output) = await CliProcess.RunAsync(["doctor", "--data-dir", data.Path]);
        Assert.True(exitCode == 0, output);
        Assert.Contains("doctor: all checks passed", output, StringComparison.Ordinal);
        foreach (var tool in new[] { "node", "forge", "anvil", "cast", "solc", "snarkjs", "circom", "initdb", "pgctl" })
        {
            Assert.Matches($"(?m)^ok +{tool} ", output);
        }
    }

    [Fact]
    public async Task Doctor_fails_with_a_hint_when_the_anvil_path_is_wrong()
    {
        using var data = new TempDirectory();
        var (exitCode, output) = await CliProcess.RunAsync(["doctor", "--data-dir", data.Path],
            new Dictionary<string, string> { ["ISKANDER_ANVIL_PATH"] = "/nonexistent/anvil" });
        Assert.Equal(1, exitCode);
        Assert.Matches("(?m)^FAIL +anvil +not found at /nonexistent/anvil", output);
        Assert.Contains("hint: run scripts/bootstrap", output, StringComparison.Ordinal);
        Assert.Contains("1 check(s) failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_fails_when_the_data_directory_is_not_writable()
    {
        using var data = new TempDirectory();
        var blocker = data.Combine("file");
        await File.WriteAllTextAsync(blocker, "a file where a folder should be");
        var (exitCode, output) = await CliProcess.RunAsync(["doctor", "--data-dir", Path.Combine(blocker, "data")]);
        Assert.Equal(1, exitCode);
        Assert.Matches("(?m)^FAIL +data-dir ", output);
    }

    [Fact]
    public async Task Serve_starts_embedded_services_reports_healthy_and_stops_on_ctrl_c_keeping_its_data()
    {
        using var data = new TempDirectory();
        using (var serve = CliProcess.Start(["serve", "--data-dir", data.Path, "--health-interval", "1", "--listen", "http://127.0.0.1:0"]))
        {
            var healthy = await serve.WaitForLineAsync("Healthy: chain 31337", TimeSpan.FromMinutes(2));
            Assert.Contains("(embedded anvil)", healthy, StringComparison.Ordinal);

            // The gateway serves what the content store holds, even when another process put it there.
            var gateway = new Uri(GatewayLine().Match(await serve.WaitForLineAsync("Gateway on", TimeSpan.FromSeconds(5))).Groups[1].Value);
            await File.WriteAllTextAsync(data.Combine("record.json"), "{\"decision\":\"adopt\"}");
            var cid = (await CliProcess.RunAsync(["content", "put", data.Combine("record.json"), "--data-dir", data.Path])).Output.Trim();
            using var http = new HttpClient();
            Assert.Equal("{\"decision\":\"adopt\"}", await http.GetStringAsync(new Uri(gateway, $"ipfs/{cid}?format=raw")));

            serve.Interrupt();
            Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromMinutes(1)));
            Assert.Contains("anvil on port", serve.Output, StringComparison.Ordinal);
            Assert.Contains("stopped", serve.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", serve.Output, StringComparison.Ordinal);
        }

        Assert.True(File.Exists(Path.Combine(data.Path, "postgres", "data", "PG_VERSION")));
        Assert.True(File.Exists(Path.Combine(data.Path, "anvil", "state.json")));

        using var again = CliProcess.Start(["serve", "--data-dir", data.Path, "--listen", "http://127.0.0.1:0"]);
        await again.WaitForLineAsync("Healthy: chain 31337", TimeSpan.FromMinutes(2));
        Assert.DoesNotContain("Initialising PostgreSQL cluster", again.Output, StringComparison.Ordinal);
        again.Interrupt();
        Assert.Equal(0, await again.WaitForExitAsync(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Serve_exits_non_zero_when_a_configured_node_does_not_answer()
    {
        using var data = new TempDirectory();
        var (exitCode, output) = await CliProcess.RunAsync(["serve", "--data-dir", data.Path],
            new Dictionary<string, string> { ["ISKANDER_RPC_URL"] = "http://127.0.0.1:9/" });
        Assert.Equal(1, exitCode);
        Assert.Contains("Unhealthy at start", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_anchors_and_verifies_every_decision_version_end_to_end()
    {
        using var data = new TempDirectory();
        // The first run on a machine builds the ballot circuits' keys (minutes); later runs take them from the cache.
        // With --serve everything stays up behind the API and the members' page until Ctrl-C; the exit code is the summary's.
        using var demo = CliProcess.Start(["demo", "--data-dir", data.Path, "--serve", "--listen", "http://127.0.0.1:0"]);
        var pageLine = await demo.WaitForLineAsync("Members' page: ", TimeSpan.FromMinutes(25));
        var page = new Uri(pageLine[pageLine.IndexOf("http://", StringComparison.Ordinal)..].Split(' ')[0]);
        using (var http = new HttpClient())
        {
            Assert.Contains("<main", await http.GetStringAsync(page), StringComparison.Ordinal);
            using var decisions = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(page, "api/decisions")));
            Assert.Equal(12, decisions.RootElement.GetProperty("total").GetInt32());
            using var audit = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(page, "api/audit/heads")));
            Assert.NotEqual(0, audit.RootElement.GetProperty("heads").GetArrayLength());
        }

        demo.Interrupt();
        var exitCode = await demo.WaitForExitAsync(TimeSpan.FromMinutes(1));
        var output = demo.Output;
        Assert.True(exitCode == 0, output);
        Assert.Contains("12 decision versions from 7 polls and 1 ballot anchored in 2 batches on chain 31337; 12 verified, 0 failed.", output, StringComparison.Ordinal);
        Assert.Contains("green roof 0, solar tiles 1, slate 2; all 2 message batches and all 2 tally batches proven with Groth16 and verified by the contract", output, StringComparison.Ordinal);
        Assert.Contains("Watchtowers of 2 founders: 3 genuine admissions PASS against their decision records; the revocation the anchoring key scheduled alone", output, StringComparison.Ordinal);
        Assert.Contains("raised 1 ALARM and the members' veto left it vetoed: it can never run.", output, StringComparison.Ordinal);
        Assert.Contains("3 members hold a CoopIdentity token", output, StringComparison.Ordinal); // the fabricated revocation took nobody's
        Assert.Matches(@"Glass Box: \d+ entries in one unbroken hash chain; [1-9]\d* heads anchored with the batches, each PASS against the chain; of the DecisionAnchor's batches only the fabricated one", output);
        Assert.Contains("secret_ballot_result", output, StringComparison.Ordinal);
        Assert.Contains("outcome_revised", output, StringComparison.Ordinal);
        Assert.Contains("| withdrawn ", output, StringComparison.Ordinal); // the discarded poll: Loomio answers 403, recorded as withdrawn
        Assert.DoesNotContain("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", output, StringComparison.Ordinal);

        // The demo's database stays in its data folder: `decisions list` reads it back.
        var (listExit, listing) = await CliProcess.RunAsync(["decisions", "list", "--data-dir", Path.Combine(data.Path, "demo")]);
        Assert.True(listExit == 0, listing);
        Assert.Contains("pipeline: 12 batched/confirmed", listing, StringComparison.Ordinal);
        Assert.Contains("Reading the bridge database as role iskander_service", listing, StringComparison.Ordinal); // not the superuser
    }

    [Fact]
    public async Task Serve_refuses_bad_configuration_with_every_problem_named_and_no_secret_echoed()
    {
        using var data = new TempDirectory();
        var (exitCode, output) = await CliProcess.RunAsync(["serve", "--data-dir", data.Path, "--listen", "http://127.0.0.1:0"], new Dictionary<string, string>
        {
            ["ISKANDER_LOOMIO_URL"] = "loomio.example.org",
            ["ISKANDER_LOOMIO_API_KEY"] = "bot-key",
            ["ISKANDER_LOOMIO_GROUPS"] = "7,finance,-3,0",
            ["ISKANDER_CONFIRMATIONS"] = "0",
            ["ISKANDER_PUBLIC_RECORDS"] = "yes",
            ["ISKANDER_READ_TOKEN"] = "short-secret",
        });
        Assert.Equal(2, exitCode); // a configuration problem: fix it and run again
        Assert.Contains("ISKANDER_PUBLIC_RECORDS is 'all' (every record public) or 'members'", output, StringComparison.Ordinal);
        Assert.Contains("ISKANDER_READ_TOKEN must be at least 32 letters or digits", output, StringComparison.Ordinal);
        Assert.DoesNotContain("short-secret", output, StringComparison.Ordinal);
        Assert.Contains("ISKANDER_LOOMIO_URL must be an http(s) URL", output, StringComparison.Ordinal);
        foreach (var refused in new[] { "finance", "-3", "0" }) Assert.Contains($"'{refused}' is not a group id", output, StringComparison.Ordinal);
        Assert.Contains("ISKANDER_CONFIRMATIONS must be a positive whole number", output, StringComparison.Ordinal);

        const string BadKey = "0x1234deadbeef-not-a-key";
        var (keyExit, keyOutput) = await CliProcess.RunAsync(["serve", "--data-dir", data.Path, "--listen", "http://127.0.0.1:0"], new Dictionary<string, string>
        {
            ["ISKANDER_LOOMIO_URL"] = "https://loomio.example.org",
            ["ISKANDER_LOOMIO_API_KEY"] = "bot-key",
            ["ISKANDER_ANCHORER_KEY"] = BadKey,
        });
        Assert.Equal(2, keyExit);
        Assert.Contains("ISKANDER_ANCHORER_KEY is not a valid secp256k1 private key", keyOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(BadKey, keyOutput, StringComparison.Ordinal);
    }
}
