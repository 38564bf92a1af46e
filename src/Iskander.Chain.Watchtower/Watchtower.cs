using System.Globalization;
using System.Net.Http.Json;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Content;
using Iskander.Chain.Content.Gateway;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Governance;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Chain;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Loomio;

namespace Iskander.Chain.Watchtower;

/// <summary>What a watchtower is given besides the schedule: where records come from, and what it may do on an alarm.</summary>
public sealed record WatchtowerOptions
{
    /// <summary>Blocks on top of a block before its scheduled actions are checked.</summary>
    public int Confirmations { get; init; } = 2;

    /// <summary>Content sources (IPFS trustless gateways), asked in turn; a record none of them has is an alarm.</summary>
    public required IReadOnlyList<TrustlessGatewayClient> ContentSources { get; init; }

    /// <summary>Read access to the cooperative's Loomio, to check each record against it (optional).</summary>
    public LoomioClient? Loomio { get; init; }

    /// <summary>The cooperative's Loomio instance (with <see cref="Loomio"/>).</summary>
    public Uri? LoomioInstance { get; init; }

    /// <summary>The member's key: signs a veto of each alarmed action that can still be vetoed, and submits the veto once the pool holds a quorum (optional).</summary>
    public PrivateKey? MemberKey { get; init; }

    /// <summary>Where veto signatures meet (required with <see cref="MemberKey"/>).</summary>
    public VetoPool? VetoPool { get; init; }

    /// <summary>An address each alarm is POSTed to as JSON (optional).</summary>
    public Uri? Webhook { get; init; }
}

/// <summary>What a run saw.</summary>
/// <param name="Passed">Actions whose record orders them.</param>
/// <param name="Alarms">Actions raised as alarms.</param>
/// <param name="Vetoes">Vetoes this watchtower submitted.</param>
public sealed record WatchSummary(int Passed, int Alarms, int Vetoes);

/// <summary>
/// The members' watchtower: follows every <c>ActionScheduled</c> event of the cooperative's schedule
/// from its deployment block (confirmation-aware, reorg-aware, resuming from its state file), checks
/// each action against the decision record its digest names (<see cref="ActionAudit"/>, and Loomio
/// when it has access), and prints one PASS line per action on standard output or an ALARM on
/// standard error. On an alarm it posts to the webhook and, with the member's key, signs the veto,
/// puts it in the shared pool and submits the veto as soon as the pool holds a quorum of current
/// members' signatures — any member's watchtower can, so no steward is needed.
/// </summary>
public sealed class Watchtower
{
    private readonly CooperativeSchedule _schedule;
    private readonly WatchState _state;
    private readonly WatchtowerOptions _options;
    private readonly TextWriter _output;
    private readonly TextWriter _errors;
    private readonly HttpClient _http;
    private readonly ChainFollower _follower;
    private readonly TransactionSender? _sender;
    private int _passed;
    private int _alarms;
    private int _vetoes;

    /// <summary>A watchtower over <paramref name="schedule"/>, keeping its progress in <paramref name="state"/>.</summary>
    public Watchtower(CooperativeSchedule schedule, WatchState state, WatchtowerOptions options, TextWriter output, TextWriter errors, HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MemberKey is not null && options.VetoPool is null) throw new ArgumentException("a member key needs a veto pool", nameof(options));
        if (options.ContentSources.Count == 0) throw new ArgumentException("at least one content source", nameof(options));
        _schedule = schedule;
        _state = state;
        _options = options;
        _output = output;
        _errors = errors;
        _http = http;
        _follower = new ChainFollower(schedule.Client, state, new FollowerOptions
        {
            StartBlock = schedule.DeployBlock, Confirmations = options.Confirmations, Addresses = [schedule.Address], Topics = [[CooperativeSchedule.ScheduledEvent.Topic0]],
        });
        _sender = options.MemberKey is { } key ? new TransactionSender(schedule.Client, new LocalSigner(key)) : null;
    }

    /// <summary>Counts so far.</summary>
    public WatchSummary Summary => new(_passed, _alarms, _vetoes);

    /// <summary>Checks every action scheduled in confirmed blocks up to the node's head, pursues open vetoes, and returns.</summary>
    public async Task<WatchSummary> CatchUpAsync(CancellationToken cancellationToken = default)
    {
        while (!await RoundAsync(cancellationToken).ConfigureAwait(false))
        {
        }

        return Summary;
    }

    /// <summary>Catches up, then follows the chain every <paramref name="interval"/> until cancelled; a failed round (node or content source unreachable) is reported and retried.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!await RoundAsync(cancellationToken).ConfigureAwait(false)) continue;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsTransient(ex))
            {
                await _errors.WriteLineAsync($"watchtower: this round failed and is retried ({ex.Message})").ConfigureAwait(false);
            }

            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }

    // One follower poll: check the newly confirmed actions, pursue open vetoes, save. Returns whether it is caught up.
    private async Task<bool> RoundAsync(CancellationToken cancellationToken)
    {
        try
        {
            var step = await _follower.PollAsync(cancellationToken).ConfigureAwait(false);
            if (step.Reorg is { } reorg) await _errors.WriteLineAsync($"watchtower: reorg of {reorg.Depth} block(s) above {reorg.ForkPoint}; reading them again").ConfigureAwait(false);
            foreach (var log in step.Logs)
            {
                if (_schedule.Decode(log) is { } action) await CheckAsync(action, cancellationToken).ConfigureAwait(false);
            }

            await PursueVetoesAsync(cancellationToken).ConfigureAwait(false);
            await _state.SaveAsync(cancellationToken).ConfigureAwait(false);
            var next = step.ProcessedUpTo is { } processed ? processed + 1 : _schedule.DeployBlock;
            return next + (ulong)_options.Confirmations > step.Head;
        }
        catch
        {
            _state.Reload();
            throw;
        }
    }

    private async Task CheckAsync(ScheduledActionEvent action, CancellationToken cancellationToken)
    {
        var status = await _schedule.StatusAsync(action.ActionId, cancellationToken).ConfigureAwait(false);
        var record = await FetchRecordAsync(ActionAudit.RecordCid(action.DecisionDigest), cancellationToken).ConfigureAwait(false);
        var audit = ActionAudit.Check(action, record, _schedule.Targets);
        if (audit.Passed && _options.Loomio is not null) audit = await CheckLoomioAsync(audit, record!, Vetoable(status), cancellationToken).ConfigureAwait(false);
        var where = $"block {action.BlockNumber}, {Name(status)}";
        if (audit.Passed)
        {
            _passed++;
            await _output.WriteLineAsync($"PASS  {action.ActionId} {audit.Detail} ({where})").ConfigureAwait(false);
            return;
        }

        _alarms++;
        await _errors.WriteLineAsync($"ALARM {action.ActionId} {audit.Detail} ({where})").ConfigureAwait(false);
        await PostWebhookAsync(action, audit, status, cancellationToken).ConfigureAwait(false);
        if (!Vetoable(status))
        {
            await _errors.WriteLineAsync($"      {action.ActionId} can no longer be vetoed ({Name(status)})").ConfigureAwait(false);
            return;
        }

        if (_options.MemberKey is { } key) await SignVetoAsync(action.ActionId, key, cancellationToken).ConfigureAwait(false);
    }

    // Each source in turn; a source that answers with other bytes does not have the record. Only when a
    // source could not be asked at all is the round retried: nobody can yet say the record is missing.
    private async Task<byte[]?> FetchRecordAsync(Cid cid, CancellationToken cancellationToken)
    {
        HttpRequestException? unreachable = null;
        foreach (var source in _options.ContentSources)
        {
            try
            {
                if (await source.GetRawBlockAsync(cid, cancellationToken).ConfigureAwait(false) is { } bytes) return bytes;
            }
            catch (ContentIntegrityException ex)
            {
                await _errors.WriteLineAsync($"watchtower: {ex.Message}; ignoring its answer").ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException { InnerException: TimeoutException })
            {
                unreachable = ex as HttpRequestException ?? new HttpRequestException($"the gateway {source.Gateway} timed out", ex);
            }
        }

        return unreachable is null ? null : throw new HttpRequestException($"cannot read {cid}: {unreachable.Message}", unreachable);
    }

    // Loomio must still give the record's bytes. While the action can run, anything else is an alarm; for an
    // action already closed, Loomio having changed since is only noted.
    private async Task<AuditResult> CheckLoomioAsync(AuditResult audit, byte[] record, bool vetoable, CancellationToken cancellationToken)
    {
        VerificationCheck check;
        try
        {
            check = await LoomioReread.CheckAsync(_options.Loomio!, _options.LoomioInstance!, record, cancellationToken).ConfigureAwait(false);
        }
        catch (LoomioNotFoundException)
        {
            check = new VerificationCheck("Loomio re-read", Verdict.Fail, $"Loomio has no poll {audit.PollKey}");
        }

        return check.Verdict switch
        {
            Verdict.Pass => audit with { Detail = $"{audit.Detail}; Loomio agrees" },
            Verdict.NotApplicable => audit with { Passed = false, Detail = $"{audit.Detail}, but {check.Detail}" },
            _ when vetoable => audit with { Passed = false, Detail = $"{audit.Detail}, but Loomio does not say so now: {check.Detail}" },
            _ => audit with { Detail = $"{audit.Detail}; Loomio has changed since ({check.Detail})" },
        };
    }

    private async Task SignVetoAsync(Hash32 actionId, PrivateKey key, CancellationToken cancellationToken)
    {
        if (!await _schedule.IsMemberAsync(key.Address, cancellationToken).ConfigureAwait(false))
        {
            await _errors.WriteLineAsync($"      {key.Address.ToChecksumString()} is not a current member: its veto would not count, so none is signed").ConfigureAwait(false);
            return;
        }

        var signature = _schedule.VetoTypedData(actionId).Sign(key).ToBytes65();
        await _options.VetoPool!.PublishAsync(actionId, key.Address, signature, cancellationToken).ConfigureAwait(false);
        _state.OpenVetoes.Add(actionId.ToString());
        await _output.WriteLineAsync($"VETO  {actionId} signed by {key.Address.ToChecksumString()} and put in the pool {_options.VetoPool.Directory}").ConfigureAwait(false);
    }

    // Every open veto: done when the action is closed; submitted when the pool holds a quorum of current members.
    private async Task PursueVetoesAsync(CancellationToken cancellationToken)
    {
        foreach (var id in _state.OpenVetoes.ToList())
        {
            var actionId = Hash32.Parse(id);
            var status = await _schedule.StatusAsync(actionId, cancellationToken).ConfigureAwait(false);
            if (!Vetoable(status))
            {
                _state.OpenVetoes.Remove(id);
                await _output.WriteLineAsync(status == ScheduledStatus.Vetoed ? $"VETOED {actionId}: the members' veto stands; it can never run" : $"CLOSED {actionId}: {Name(status)} before a quorum vetoed it")
                    .ConfigureAwait(false);
                continue;
            }

            var pooled = await _options.VetoPool!.CollectAsync(actionId, _schedule.VetoTypedData(actionId), cancellationToken).ConfigureAwait(false);
            var members = new List<byte[]>();
            foreach (var (signer, signature) in pooled)
            {
                if (await _schedule.IsMemberAsync(signer, cancellationToken).ConfigureAwait(false)) members.Add(signature);
            }

            var quorum = await _schedule.VetoQuorumAsync(cancellationToken).ConfigureAwait(false);
            if (members.Count < quorum || _sender is null) continue;
            var refused = await _schedule.VetoAsync(_sender, actionId, members, cancellationToken).ConfigureAwait(false);
            if (refused is not null)
            {
                await _errors.WriteLineAsync($"      veto of {actionId} not submitted: {refused}").ConfigureAwait(false);
                continue;
            }

            _vetoes++;
            _state.OpenVetoes.Remove(id);
            await _output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"VETOED {actionId}: submitted with {members.Count} member signature(s) (quorum {quorum}); it can never run"))
                .ConfigureAwait(false);
        }
    }

    private async Task PostWebhookAsync(ScheduledActionEvent action, AuditResult audit, ScheduledStatus status, CancellationToken cancellationToken)
    {
        if (_options.Webhook is not { } webhook) return;
        try
        {
            using var response = await _http.PostAsJsonAsync(webhook, new
            {
                alarm = "iskander.watchtower/1",
                chainId = _schedule.ChainId,
                schedule = _schedule.Address.ToString(),
                actionId = action.ActionId.ToString(),
                target = action.Target.ToString(),
                kind = action.Kind.ToString(),
                poll = action.Poll.ToString(),
                version = action.Version,
                decisionDigest = action.DecisionDigest.ToString(),
                record = ActionAudit.RecordCid(action.DecisionDigest).ToString(),
                blockNumber = action.BlockNumber,
                status = Name(status),
                detail = audit.Detail,
            }, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) await _errors.WriteLineAsync($"      webhook answered {(int)response.StatusCode}").ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            await _errors.WriteLineAsync($"      webhook failed: {ex.Message}").ConfigureAwait(false);
        }
    }

    /// <summary>Whether <paramref name="failure"/> of a round is worth retrying: a node, gateway or Loomio unreachable or timing out, or a state file that could not be written.</summary>
    public static bool IsTransient(Exception failure) =>
        failure is HttpRequestException or Ethereum.JsonRpc.RpcException or LoomioApiException or IOException or TaskCanceledException { InnerException: TimeoutException };

    private static bool Vetoable(ScheduledStatus status) => status is ScheduledStatus.Pending or ScheduledStatus.Executable;

    private static string Name(ScheduledStatus status) =>
        Enum.IsDefined(status) ? status.ToString().ToLowerInvariant() : string.Create(CultureInfo.InvariantCulture, $"status {(int)status}");
}
