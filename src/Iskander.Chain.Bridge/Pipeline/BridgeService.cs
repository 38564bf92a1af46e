using System.Threading.Channels;
using Iskander.Chain.Loomio;
using Serilog;

namespace Iskander.Chain.Bridge.Pipeline;

/// <summary>Settings of the long-running bridge loop.</summary>
public sealed record BridgeServiceOptions
{
    /// <summary>Pause between pipeline rounds when there is nothing to do.</summary>
    public TimeSpan IdleDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Full reconcile of every group this often (and once at start), at <see cref="ReconcileOffset"/> past the interval's boundary.</summary>
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Where in each interval the full reconcile runs: 10 minutes past the hour by default, after Loomio's hourly job closes expired polls.</summary>
    public TimeSpan ReconcileOffset { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Time of day (UTC) of the daily deep scan, which pages further back to catch edits to old polls.</summary>
    public TimeSpan DeepScanAt { get; init; } = new(3, 25, 0);

    /// <summary>Polls per group the deep scan pages back.</summary>
    public int DeepScanHorizon { get; init; } = 5_000;

    /// <summary>A hinted group is reconciled this long after its first hint, whatever arrives meanwhile.</summary>
    public TimeSpan HintDebounce { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Groups to reconcile; empty means every group the bot user sees.</summary>
    public IReadOnlyList<long> Groups { get; init; } = [];
}

/// <summary>
/// The bridge's main loop: reconciles Loomio on start, on a schedule and after webhook hints
/// (debounced per group), and runs the anchoring pipeline. An outage of Loomio, the chain node or
/// the database fails one round, is logged, and is retried with backoff; nothing is lost because
/// all state is in PostgreSQL.
/// </summary>
public sealed class BridgeService(DecisionIngestor ingestor, LoomioClient loomio, AnchoringPipeline pipeline, BridgeServiceOptions options, ILogger log)
{
    private readonly Channel<long> _hints = Channel.CreateUnbounded<long>();
    private readonly Dictionary<long, DateTimeOffset> _due = [];

    /// <summary>When the last pipeline round succeeded (null before the first).</summary>
    public DateTimeOffset? LastSuccess { get; private set; }

    /// <summary>The last round's error, or null after a success.</summary>
    public string? LastError { get; private set; }

    /// <summary>Asks for a reconcile of <paramref name="groupId"/> soon (a webhook arrived). Cheap, never blocks.</summary>
    public void Hint(long groupId) => _hints.Writer.TryWrite(groupId);

    /// <summary>Runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var nextFullReconcile = DateTimeOffset.MinValue;
        var nextDeepScan = NextDailyAt(DateTimeOffset.UtcNow, options.DeepScanAt);
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var now = DateTimeOffset.UtcNow;
                while (_hints.Reader.TryRead(out var hinted)) _due.TryAdd(hinted, now + options.HintDebounce);
                if (now >= nextDeepScan)
                {
                    foreach (var group in await GroupsAsync(cancellationToken).ConfigureAwait(false)) await ReconcileAsync(group, options.DeepScanHorizon, cancellationToken).ConfigureAwait(false);
                    nextDeepScan = NextDailyAt(now, options.DeepScanAt);
                    nextFullReconcile = NextAligned(now, options.ReconcileInterval, options.ReconcileOffset);
                }
                else if (now >= nextFullReconcile)
                {
                    foreach (var group in await GroupsAsync(cancellationToken).ConfigureAwait(false)) await ReconcileAsync(group, null, cancellationToken).ConfigureAwait(false);
                    nextFullReconcile = NextAligned(now, options.ReconcileInterval, options.ReconcileOffset);
                }

                foreach (var group in _due.Where(d => d.Value <= now).Select(d => d.Key).ToList())
                {
                    _due.Remove(group);
                    await ReconcileAsync(group, null, cancellationToken).ConfigureAwait(false);
                }

                var round = await pipeline.RunRoundAsync(cancellationToken).ConfigureAwait(false);
                LastSuccess = DateTimeOffset.UtcNow;
                LastError = null;
                failures = 0;
                if (!round.DidWork) await Task.Delay(options.IdleDelay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failures++;
                LastError = ex.Message;
                var backoff = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Min(failures, 5))));
                log.Warning("Bridge round failed ({Failures} in a row), retrying in {Backoff}: {Error}", failures, backoff, ex.Message);
                await Task.Delay(backoff, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    private async Task<IReadOnlyList<long>> GroupsAsync(CancellationToken cancellationToken) =>
        options.Groups.Count > 0 ? options.Groups : (await loomio.GetGroupsAsync(cancellationToken).ConfigureAwait(false)).Select(g => g.Id).ToList();

    /// <summary>The first instant after <paramref name="now"/> that is <paramref name="offset"/> past a multiple of <paramref name="interval"/> (since midnight UTC).</summary>
    public static DateTimeOffset NextAligned(DateTimeOffset now, TimeSpan interval, TimeSpan offset)
    {
        var midnight = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var slots = Math.Floor((now - midnight - offset) / interval) + 1;
        return midnight + offset + (interval * slots);
    }

    private static DateTimeOffset NextDailyAt(DateTimeOffset now, TimeSpan timeOfDay) => NextAligned(now, TimeSpan.FromDays(1), timeOfDay);

    private async Task ReconcileAsync(long group, int? horizon, CancellationToken cancellationToken)
    {
        var recorded = horizon is { } deep
            ? await ingestor.ReconcileGroupAsync(group, deep, cancellationToken).ConfigureAwait(false)
            : await ingestor.ReconcileGroupAsync(group, cancellationToken).ConfigureAwait(false);
        if (recorded > 0) log.Information("Reconciled group {Group}: {Recorded} new decision versions", group, recorded);
    }
}
