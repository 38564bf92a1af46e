using System.Net;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Host.Health;
using Iskander.Chain.Testing;
using Serilog;

namespace Iskander.Chain.Host.Tests;

/// <summary>What the probes answer for each state the process reports.</summary>
public sealed class HealthEndpointTests
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Probes_answer_503_with_the_reason_when_the_process_reports_a_problem()
    {
        using var directory = new TempDirectory();
        var health = new SettableHealth();
        await using var host = await BridgeWebHost.StartAsync(
            new BridgeWebHostOptions { Listen = "http://127.0.0.1:0", ContentStore = new EmbeddedContentStore(directory.Path), Health = health }, new LoggerConfiguration().CreateLogger());

        Assert.Equal((HttpStatusCode.OK, "ok\n"), await GetAsync(host, "healthz"));
        Assert.Equal((HttpStatusCode.OK, "ready\n"), await GetAsync(host, "readyz"));

        health.Readiness = new HealthAnswer(false, "the embedded PostgreSQL: its process is gone; restarting");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "not ready: the embedded PostgreSQL: its process is gone; restarting\n"), await GetAsync(host, "readyz"));
        Assert.Equal((HttpStatusCode.OK, "ok\n"), await GetAsync(host, "healthz"));

        health.Liveness = new HealthAnswer(false, "the embedded PostgreSQL: gave up restarting it");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "not live: the embedded PostgreSQL: gave up restarting it\n"), await GetAsync(host, "healthz"));
    }

    private static async Task<(HttpStatusCode, string)> GetAsync(BridgeWebHost host, string probe)
    {
        using var response = await Http.GetAsync(new Uri(host.Address, probe));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private sealed class SettableHealth : IHealthSource
    {
        public HealthAnswer Liveness { get; set; } = HealthAnswer.Pass;

        public HealthAnswer Readiness { get; set; } = HealthAnswer.Pass;

        HealthAnswer IHealthSource.Liveness() => Liveness;

        public Task<HealthAnswer> ReadinessAsync(CancellationToken cancellationToken) => Task.FromResult(Readiness);
    }
}
