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
    // Pending hints, shared with the threads that call Hint: groups due for a reconcile, and linked
    // polls and discussions to read. Only keys are kept, never bodies, and at most MaxPendingLinks of each.
    private readonly object _hintGate = new();
    private readonly Dictionary<long, DateTimeOffset> _due = [];
    private readonly HashSet<string> _hintedPolls = [];
    private readonly HashSet<string> _hintedDiscussions = [];
    private int _droppedLinks;

    /// <summary>
    /// Linked polls (and, apart, discussions) waiting to be read; links beyond are dropped, so a flood
    /// of webhook posts cannot queue unbounded Loomio reads (the scheduled reconciles still find polls
    /// wherever Loomio lists them).
    /// </summary>
    public const int MaxPendingLinks = 100;

    /// <summary>When the last pipeline round succeeded (null before the first).</summary>
    public DateTimeOffset? LastSuccess { get; private set; }

    /// <summary>The last round's error, or null after a success.</summary>
    public string? LastError { get; private set; }

    /// <summary>
    /// Asks for a reconcile of <paramref name="groupId"/> soon (a webhook arrived); poll links in the
    /// body (<c>/p/{key}</c>) are read directly too, and discussion links (<c>/d/{key}</c>, what Loomio
    /// 3.0.x sends) are followed to the discussion's open polls: the only way to follow a Loomio without
    /// poll listing. A hint for a group the bridge does not follow (<see cref="Follows"/>) is dropped,
    /// and a linked poll or discussion outside the followed groups is never recorded. Cheap, never blocks.
    /// </summary>
    public void Hint(long groupId, string? body = null)
    {
        if (!Follows(groupId)) return;
        var polls = WebhookHints.PollKeys(body);
        var discussions = WebhookHints.DiscussionKeys(body);
        lock (_hintGate)
        {
            _due.TryAdd(groupId, DateTimeOffset.UtcNow + options.HintDebounce);
            Pend(_hintedPolls, polls);
            Pend(_hintedDiscussions, discussions);
        }
    }

    private void Pend(HashSet<string> pending, IReadOnlyList<string> keys)
    {
        foreach (var key in keys)
        {
            if (pending.Count < MaxPendingLinks) pending.Add(key);
            else if (!pending.Contains(key)) _droppedLinks++;
        }
    }

    // Takes the hinted keys that are waiting, or forgets one that was handled.
    private List<string> Pending(HashSet<string> pending)
    {
        lock (_hintGate) return pending.ToList();
    }

    private void Handled(HashSet<string> pending, string key)
    {
        lock (_hintGate) pending.Remove(key);
    }

    /// <summary>
    /// Whether the bridge follows group <paramref name="groupId"/>: a positive id among the configured
    /// groups or, when none are configured, among the groups the bot user saw at the last full
    /// reconcile (any positive id before the first).
    /// </summary>
    public bool Follows(long groupId) =>
        groupId > 0 && (options.Groups.Count > 0 ? options.Groups.Contains(groupId) : _visibleGroups?.Contains(groupId) ?? true);

    // The groups the bot user saw at the last full reconcile, when no groups are configured.
    private volatile HashSet<long>? _visibleGroups;

    // The groups whose polls may be recorded; null when none are configured (every group the bot user sees).
    private IReadOnlyCollection<long>? Followed => options.Groups.Count > 0 ? options.Groups : null;

    /// <summary>
    /// Runs until cancelled. Reading Loomio and anchoring fail separately: a Loomio that refuses,
    /// limits or breaks delays ingestion (with its own backoff) while what is recorded keeps moving
    /// through the pipeline, and a pipeline failure does not stop ingestion.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var schedule = new Schedule(DateTimeOffset.MinValue, NextDailyAt(DateTimeOffset.UtcNow, options.DeepScanAt));
        var ingestFailures = 0;
        var ingestNotBefore = DateTimeOffset.MinValue;
        var failures = 0;
        string? ingestError = null; // kept until ingestion succeeds again
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = DateTimeOffset.UtcNow;
            if (now >= ingestNotBefore)
            {
                try
                {
                    schedule = await IngestAsync(now, schedule, cancellationToken).ConfigureAwait(false);
                    ingestFailures = 0;
                    ingestError = null;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break; // Ctrl-C or SIGTERM in the middle of a reconcile: an orderly stop, not a failure
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    ingestFailures++;
                    ingestError = ex.Message;
                    // A rate limit says when to come back; anything else backs off exponentially.
                    var backoff = ex is LoomioRateLimitedException limited ? limited.RetryAt - now : TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, Math.Min(ingestFailures, 9))));
                    ingestNotBefore = now + backoff;
                    if (ex is LoomioCredentialException) log.Error("Loomio ingestion stopped: {Error} (retrying in {Backoff})", ex.Message, backoff);
                    else log.Warning("Loomio ingestion failed ({Failures} in a row), retrying in {Backoff}: {Error}", ingestFailures, backoff, ex.Message);
                }
            }

            try
            {
                var round = await pipeline.RunRoundAsync(cancellationToken).ConfigureAwait(false);
                LastSuccess = DateTimeOffset.UtcNow;
                LastError = ingestError;
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

    private sealed record Schedule(DateTimeOffset NextFullReconcile, DateTimeOffset NextDeepScan);

    // Hinted polls, then the scheduled and hinted group reconciles. A hinted poll or group that fails
    // stays hinted, and a scheduled reconcile that fails is repeated, after the ingestion backoff: so
    // the error stands (readiness says so) until Loomio answers, and no hint is lost meanwhile.
    private async Task<Schedule> IngestAsync(DateTimeOffset now, Schedule schedule, CancellationToken cancellationToken)
    {
        int dropped;
        lock (_hintGate) (dropped, _droppedLinks) = (_droppedLinks, 0);
        if (dropped > 0) log.Warning("{Dropped} webhook links were dropped: {Max} were already waiting to be read", dropped, MaxPendingLinks);

        Exception? failure = null;
        foreach (var key in Pending(_hintedDiscussions))
        {
            try
            {
                await ingestor.ReconcileDiscussionAsync(key, Followed, cancellationToken).ConfigureAwait(false);
                Handled(_hintedDiscussions, key);
            }
            catch (LoomioAccessDeniedException ex)
            {
                log.Warning("Hinted discussion {Discussion} is not shown to the bot user: {Error}", key, ex.Message);
                Handled(_hintedDiscussions, key);
            }
            catch (LoomioApiException ex) when (ex is not LoomioCredentialException and not LoomioRateLimitedException)
            {
                log.Warning("Hinted discussion {Discussion} not followed this time: {Error}", key, ex.Message);
                failure ??= ex;
            }
        }

        foreach (var key in Pending(_hintedPolls))
        {
            try
            {
                await ingestor.ReconcilePollAsync(key, Followed, cancellationToken).ConfigureAwait(false);
                Handled(_hintedPolls, key);
            }
            catch (LoomioApiException ex) when (ex is not LoomioCredentialException and not LoomioRateLimitedException)
            {
                log.Warning("Hinted poll {PollKey} not reconciled this time: {Error}", key, ex.Message);
                failure ??= ex;
            }
        }

        if (now >= schedule.NextDeepScan)
        {
            foreach (var group in await GroupsAsync(cancellationToken).ConfigureAwait(false)) failure = await ReconcileAsync(group, options.DeepScanHorizon, cancellationToken).ConfigureAwait(false) ?? failure;
            schedule = new Schedule(NextAligned(now, options.ReconcileInterval, options.ReconcileOffset), NextDailyAt(now, options.DeepScanAt));
        }
        else if (now >= schedule.NextFullReconcile)
        {
            foreach (var group in await GroupsAsync(cancellationToken).ConfigureAwait(false)) failure = await ReconcileAsync(group, null, cancellationToken).ConfigureAwait(false) ?? failure;
            schedule = schedule with { NextFullReconcile = NextAligned(now, options.ReconcileInterval, options.ReconcileOffset) };
        }

        List<long> due;
        lock (_hintGate) due = _due.Where(d => d.Value <= now).Select(d => d.Key).ToList();
        foreach (var group in due)
        {
            if (await ReconcileAsync(group, null, cancellationToken).ConfigureAwait(false) is { } failed) failure = failed;
            else lock (_hintGate) _due.Remove(group);
        }

        if (failure is not null) throw failure;
        return schedule;
    }

    private async Task<IReadOnlyList<long>> GroupsAsync(CancellationToken cancellationToken)
    {
        if (options.Groups.Count > 0) return options.Groups;
        var visible = (await loomio.GetGroupsAsync(cancellationToken).ConfigureAwait(false)).Select(g => g.Id).ToList();
        _visibleGroups = [.. visible];
        return visible;
    }

    /// <summary>The first instant after <paramref name="now"/> that is <paramref name="offset"/> past a multiple of <paramref name="interval"/> (since midnight UTC).</summary>
    public static DateTimeOffset NextAligned(DateTimeOffset now, TimeSpan interval, TimeSpan offset)
    {
        var midnight = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var slots = Math.Floor((now - midnight - offset) / interval) + 1;
        return midnight + offset + (interval * slots);
    }

    private static DateTimeOffset NextDailyAt(DateTimeOffset now, TimeSpan timeOfDay) => NextAligned(now, TimeSpan.FromDays(1), timeOfDay);

    // One group's failure is logged and returned, so the other groups are still reconciled; a refused
    // key or Loomio's rate limit concerns every group and is thrown.
    private async Task<Exception?> ReconcileAsync(long group, int? horizon, CancellationToken cancellationToken)
    {
        int recorded;
        try
        {
            recorded = horizon is { } deep
                ? await ingestor.ReconcileGroupAsync(group, deep, cancellationToken).ConfigureAwait(false)
                : await ingestor.ReconcileGroupAsync(group, cancellationToken).ConfigureAwait(false);
        }
        catch (LoomioNotFoundException ex)
        {
            log.Error("Loomio has no group {Group} (404): check the configured groups", group);
            return new LoomioNotFoundException($"Loomio has no group {group}: {ex.Message}");
        }
        catch (LoomioApiException ex) when (ex is not LoomioCredentialException and not LoomioRateLimitedException)
        {
            log.Warning("Group {Group} not reconciled this time: {Error}", group, ex.Message);
            return ex;
        }

        if (recorded > 0) log.Information("Reconciled group {Group}: {Recorded} new decision versions", group, recorded);
        return null;
    }
}

/// <summary>What a Loomio webhook body can tell: links to polls and discussions, as hints (the text itself is never parsed for data).</summary>
public static partial class WebhookHints
{
    /// <summary>Poll keys in <c>/p/{key}</c> links of the body.</summary>
    public static IReadOnlyList<string> PollKeys(string? body) => Keys(PollLink(), body);

    /// <summary>Discussion keys in <c>/d/{key}</c> links of the body (Loomio 3.0.x links events in threads to their discussion).</summary>
    public static IReadOnlyList<string> DiscussionKeys(string? body) => Keys(DiscussionLink(), body);

    private static List<string> Keys(System.Text.RegularExpressions.Regex link, string? body) =>
        body is null ? [] : link.Matches(body).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();

    [System.Text.RegularExpressions.GeneratedRegex(@"/p/([A-Za-z0-9]{4,32})(?:[/)\s""?#]|$)")]
    private static partial System.Text.RegularExpressions.Regex PollLink();

    [System.Text.RegularExpressions.GeneratedRegex(@"/d/([A-Za-z0-9]{4,32})(?:[/)\s""?#]|$)")]
    private static partial System.Text.RegularExpressions.Regex DiscussionLink();
}
