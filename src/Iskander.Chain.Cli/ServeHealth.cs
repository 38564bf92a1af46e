using Iskander.Chain.DevServices;
using Iskander.Chain.Host.Health;

namespace Iskander.Chain.Cli;

/// <summary>
/// <c>serve</c>'s health for the probes: live unless the supervisor gave up on an embedded service
/// (only restarting the process can help then); ready when no embedded service is being restarted
/// and the chain node and the database answer now.
/// </summary>
internal sealed class ServeHealth(EmbeddedServices services) : IHealthSource
{
    public HealthAnswer Liveness() =>
        services.Supervisor.States.FirstOrDefault(s => s.Value.State == SupervisedState.GivenUp) is { Key: { } name, Value.Problem: var problem }
            ? new HealthAnswer(false, $"{name}: {problem}")
            : HealthAnswer.Pass;

    public async Task<HealthAnswer> ReadinessAsync(CancellationToken cancellationToken)
    {
        var down = services.Supervisor.States.Where(s => s.Value.State != SupervisedState.Up).Select(s => $"{s.Key}: {s.Value.Problem}").ToList();
        if (down.Count > 0) return new HealthAnswer(false, string.Join("; ", down));
        var report = await HealthReport.CheckAsync(services, cancellationToken).ConfigureAwait(false);
        return report.Healthy ? HealthAnswer.Pass : new HealthAnswer(false, report.Problems(services));
    }
}
