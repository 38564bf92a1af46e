using Serilog;

namespace Iskander.Chain.DevServices;

/// <summary>A service the supervisor keeps running: how to tell it is alive and how to start it again.</summary>
/// <param name="Name">Shown in logs and health answers, e.g. "the embedded PostgreSQL".</param>
/// <param name="IsAlive">Whether its process runs (cheap: called at every check).</param>
/// <param name="RestartAsync">Starts it again on the same data and address; throws when that fails.</param>
public sealed record SupervisedService(string Name, Func<bool> IsAlive, Func<CancellationToken, Task> RestartAsync);

/// <summary>How hard the supervisor tries.</summary>
public sealed record SupervisionPolicy
{
    /// <summary>How often each service is checked.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The wait before each restart attempt of one outage; when all have failed, the supervisor gives up on the service.</summary>
    public IReadOnlyList<TimeSpan> Backoff { get; init; } = [.. new[] { 0, 1, 2, 4, 8, 16, 30 }.Select(s => TimeSpan.FromSeconds(s))];

    /// <summary>At most this many restarts per <see cref="RestartWindow"/>: a service that keeps dying is given up on rather than restarted forever.</summary>
    public int MaxRestartsPerWindow { get; init; } = 10;

    /// <summary>See <see cref="MaxRestartsPerWindow"/>.</summary>
    public TimeSpan RestartWindow { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>What the supervisor knows of one service.</summary>
public enum SupervisedState
{
    /// <summary>Running.</summary>
    Up,

    /// <summary>Found dead; being restarted.</summary>
    Restarting,

    /// <summary>Every restart allowed by the policy failed: only a restart of the whole process can help.</summary>
    GivenUp,
}

/// <summary>
/// Keeps services running: checks each at an interval and restarts a dead one with backoff, a bounded
/// number of times. Its <see cref="States"/> feed liveness (nothing given up on) and readiness
/// (everything up).
/// </summary>
public sealed class ServiceSupervisor(IReadOnlyList<SupervisedService> services, SupervisionPolicy policy, ILogger log)
{
    private readonly Dictionary<string, (SupervisedState State, string? Problem)> _states = services.ToDictionary(s => s.Name, _ => (SupervisedState.Up, (string?)null));
    private readonly Lock _lock = new();

    /// <summary>Each service's state, with what went wrong when it is not up.</summary>
    public IReadOnlyDictionary<string, (SupervisedState State, string? Problem)> States
    {
        get
        {
            lock (_lock) return new Dictionary<string, (SupervisedState, string?)>(_states);
        }
    }

    /// <summary>Supervises until cancelled. A restart under way is finished (not cancelled), so no half-started service is left behind.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var restarts = services.ToDictionary(s => s.Name, _ => new Queue<DateTimeOffset>());
        using var timer = new PeriodicTimer(policy.CheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var service in services)
                {
                    if (StateOf(service) == SupervisedState.GivenUp || service.IsAlive()) continue;
                    await RecoverAsync(service, restarts[service.Name], cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the owner stops the services.
        }
    }

    private async Task RecoverAsync(SupervisedService service, Queue<DateTimeOffset> restarts, CancellationToken cancellationToken)
    {
        while (restarts.Count > 0 && restarts.Peek() < DateTimeOffset.UtcNow - policy.RestartWindow) restarts.Dequeue();
        if (restarts.Count >= policy.MaxRestartsPerWindow)
        {
            GiveUp(service, $"it stopped {restarts.Count + 1} times within {policy.RestartWindow.TotalMinutes:0} minutes");
            return;
        }

        Set(service, SupervisedState.Restarting, "its process is gone; restarting");
        log.Warning("{Service} stopped unexpectedly: restarting it", service.Name);
        string? lastError = null;
        foreach (var delay in policy.Backoff)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            try
            {
                await service.RestartAsync(CancellationToken.None).ConfigureAwait(false);
                restarts.Enqueue(DateTimeOffset.UtcNow);
                Set(service, SupervisedState.Up, null);
                log.Information("{Service} restarted", service.Name);
                return;
            }
            catch (Exception ex) when (ex is DevServiceException or Toolchain.ToolException or IOException or Npgsql.NpgsqlException or InvalidOperationException)
            {
                lastError = ex.Message;
                Set(service, SupervisedState.Restarting, $"restart failed: {ex.Message}");
                log.Warning("Could not restart {Service}: {Reason}", service.Name, ex.Message);
            }
        }

        GiveUp(service, $"{policy.Backoff.Count} restarts failed, the last with: {lastError}");
    }

    private void GiveUp(SupervisedService service, string reason)
    {
        Set(service, SupervisedState.GivenUp, $"gave up restarting it: {reason}");
        log.Error("Gave up restarting {Service}: {Reason}. Restart iskander-chain serve once the cause is fixed.", service.Name, reason);
    }

    private SupervisedState StateOf(SupervisedService service)
    {
        lock (_lock) return _states[service.Name].State;
    }

    private void Set(SupervisedService service, SupervisedState state, string? problem)
    {
        lock (_lock) _states[service.Name] = (state, problem);
    }
}
