using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Iskander.Chain.Loomio.Emulator;
using Iskander.Chain.Testing;

namespace Iskander.Chain.Cli.Tests;

/// <summary>
/// <c>serve</c> with its embedded PostgreSQL and anvil, each killed with SIGKILL under it: restarted,
/// with <c>/readyz</c> saying so meanwhile and <c>/healthz</c> still live; a shutdown after a kill is clean.
/// </summary>
public sealed partial class ServeSupervisionTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Killed_embedded_services_are_restarted_readiness_follows_them_and_the_shutdown_after_a_kill_is_clean()
    {
        await using var loomio = await LoomioEmulator.StartAsync();
        var group = loomio.AddGroup("Members");
        for (var i = 0; i < 3; i++)
        {
            var key = loomio.AddPoll(group, $"Proposal {i}");
            loomio.Vote(key, 0, 1);
            loomio.Close(key);
        }

        using var data = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            ["ISKANDER_LOOMIO_URL"] = loomio.BaseUrl.ToString(),
            ["ISKANDER_LOOMIO_API_KEY"] = loomio.ApiKey,
            ["ISKANDER_CONFIRMATIONS"] = "1",
        };
        using var serve = CliProcess.Start(["serve", "--data-dir", data.Path, "--listen", "http://127.0.0.1:0"], environment);
        var api = new Uri(GatewayLine().Match(await serve.WaitForLineAsync("Gateway on", TimeSpan.FromMinutes(2))).Groups[1].Value);
        await WaitForAsync(api, "readyz", HttpStatusCode.OK, serve);

        var postmasterPid = data.Combine("postgres", "data", "postmaster.pid");
        var anvilPid = data.Combine("anvil", "state.json.pid");
        foreach (var (service, pidFile) in new[] { ("the embedded PostgreSQL", postmasterPid), ("the embedded anvil", anvilPid) })
        {
            var pid = PidIn(pidFile);
            Process.GetProcessById(pid).Kill();
            var notReady = await WaitForAsync(api, "readyz", HttpStatusCode.ServiceUnavailable, serve);
            Assert.Contains(service, notReady, StringComparison.Ordinal);
            // Restarting it is the process's own job: liveness holds meanwhile.
            Assert.Equal("ok\n", await Http.GetStringAsync(new Uri(api, "healthz")));

            await WaitForAsync(api, "readyz", HttpStatusCode.OK, serve);
            Assert.NotEqual(pid, PidIn(pidFile));
            Assert.Contains($"{service} restarted", serve.Output, StringComparison.Ordinal);
        }

        // Killed right before a shutdown: the stop notes it, and neither fails nor blames pg_ctl.
        Process.GetProcessById(PidIn(postmasterPid)).Kill();
        var beforeShutdown = serve.Output.Length;
        serve.Interrupt();
        Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        var shutdown = serve.Output[beforeShutdown..];
        foreach (var misleading in new[] { "No such process", "pg_ctl", "Exception", "Could not" })
        {
            Assert.False(shutdown.Contains(misleading, StringComparison.Ordinal), serve.Output);
        }
    }

    // The body of the first answer with the status, polled every 100 ms.
    private static async Task<string> WaitForAsync(Uri api, string probe, HttpStatusCode status, CliProcess serve)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var response = await Http.GetAsync(new Uri(api, probe));
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == status) return body;
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), $"/{probe} still {(int)response.StatusCode} {body}\n{serve.Output}");
            await Task.Delay(100);
        }
    }

    private static int PidIn(string file) => int.Parse(File.ReadAllText(file).Split('\n', ' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Gateway on (http://\S+?)ipfs/")]
    private static partial Regex GatewayLine();
}
