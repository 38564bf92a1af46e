using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Iskander.Chain.Loomio.Emulator;

/// <summary>Which Loomio the emulator behaves as.</summary>
public enum LoomioShape
{
    /// <summary>Current Loomio (2026): bearer keys only (query keys get 403), poll listing, <c>topic_id</c>, <c>opened_at</c>.</summary>
    Current,

    /// <summary>Loomio 3.0.x: query-parameter keys only, <c>discussion_id</c>, no <c>opened_at</c>, <c>meta.total</c> null.</summary>
    V3_0,
}

/// <summary>Failure modes the emulator can play on a request.</summary>
public enum LoomioFault
{
    /// <summary>HTTP 500 with Rails' HTML error page.</summary>
    ServerError,

    /// <summary>HTTP 429 as Loomio's Rack::Attack answers it: <c>Retry later</c>, text/plain, no Retry-After.</summary>
    RateLimited,

    /// <summary>HTTP 429 with Retry-After: 1 (a CDN in front of Loomio).</summary>
    CdnRateLimited,

    /// <summary>The answer starts after 3 seconds.</summary>
    Slow,

    /// <summary>HTTP 200 with the JSON cut in the middle.</summary>
    TruncatedJson,

    /// <summary>HTTP 200 with a 12 MB body.</summary>
    Oversized,

    /// <summary>HTTP 200 with an HTML page (a login or maintenance page).</summary>
    Html,
}

/// <summary>
/// An emulator of Loomio's documented b2 User API (see the Loomio API reference: groups, poll
/// listing, single poll, compound documents, both response shapes, authentication rules), served
/// over real HTTP on loopback. It is <b>not Loomio</b>: it holds groups, polls, options and outcomes
/// in memory and serialises them as Loomio's serialisers document, so the bridge can be tested
/// (and demonstrated) where Loomio cannot run. Tests drive it through methods that do what people
/// do in Loomio: create, vote, close, write or edit an outcome, reopen, discard.
/// </summary>
public sealed class LoomioEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly List<JsonObject> _groups = [];
    private readonly List<PollState> _polls = [];
    private readonly List<JsonObject> _discussions = [];
    private readonly byte[] _secretKeyBase = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
    private readonly HashSet<long> _hiddenGroups = [];
    private (int Limit, TimeSpan Period)? _throttle;
    private readonly Dictionary<long, int> _windowCounts = [];
    private int _throttled;
    private readonly ConcurrentQueue<LoomioFault> _faults = new();
    private long _nextId = 300;
    private long _nextStanceId = 9_000; // a table of its own in Loomio: other records keep their ids
    private DateTimeOffset _clock = new(2026, 9, 1, 12, 0, 0, TimeSpan.Zero);

    private LoomioEmulator(WebApplication app, LoomioShape shape, string apiKey)
    {
        _app = app;
        Shape = shape;
        ApiKey = apiKey;
    }

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The shape it answers in.</summary>
    public LoomioShape Shape { get; }

    /// <summary>The only API key it accepts.</summary>
    public string ApiKey { get; }

    /// <summary>Every request, as <c>METHOD /path?query</c> (keys in queries redacted).</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Starts on a free loopback port.</summary>
    public static async Task<LoomioEmulator> StartAsync(LoomioShape shape = LoomioShape.Current, string apiKey = "bot-user-api-key", string listen = "http://127.0.0.1:0")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(listen);
        var app = builder.Build();
        var emulator = new LoomioEmulator(app, shape, apiKey);
        app.Run(emulator.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        emulator.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return emulator;
    }

    /// <summary>
    /// Answers every poll listing from its first poll whatever <c>from</c> or <c>offset</c> says, as a
    /// server that drops the paging parameter would (a proxy rewriting queries, or a Loomio fork).
    /// Loomio itself honours them.
    /// </summary>
    public bool IgnoresPagingOffset { get; set; }

    /// <summary>Responses 429 given by the throttle of <see cref="Throttle"/>.</summary>
    public int Throttled => _throttled;

    /// <summary>
    /// Limits requests as hosted Loomio does (config/initializers/rack_attack.rb: 300 per 5 minutes per
    /// IP): at most <paramref name="limit"/> per fixed window of <paramref name="period"/> aligned on the
    /// Unix epoch, as Rack::Attack counts; refused requests count too and get <see cref="LoomioFault.RateLimited"/>'s answer.
    /// </summary>
    public void Throttle(int limit, TimeSpan period)
    {
        lock (_gate) _throttle = (limit, period);
    }

    /// <summary>Plays <paramref name="fault"/> on the next <paramref name="times"/> API requests.</summary>
    public void Inject(LoomioFault fault, int times = 1)
    {
        for (var i = 0; i < times; i++) _faults.Enqueue(fault);
    }

    /// <summary>
    /// Adds a group; returns its id. A private group (the default) is hidden from the public and keeps
    /// its threads private; a public one is visible to the public with public threads only
    /// (GroupSerializer's <c>is_visible_to_public</c> and <c>discussion_privacy_options</c>).
    /// </summary>
    public long AddGroup(string name, long? parentId = null, bool isPublic = false)
    {
        lock (_gate)
        {
            var id = ++_nextId;
            _groups.Add(new JsonObject
            {
                ["id"] = id, ["key"] = $"grp{id}", ["name"] = name, ["parent_id"] = parentId, ["polls_count"] = 0,
                ["is_visible_to_public"] = isPublic, ["discussion_privacy_options"] = isPublic ? "public_only" : "private_only",
            });
            return id;
        }
    }

    /// <summary>Starts a discussion (thread) in a group; returns its key (<c>/d/{key}</c>).</summary>
    public string AddDiscussion(long groupId, string title)
    {
        lock (_gate)
        {
            var id = ++_nextId;
            _discussions.Add(new JsonObject
            {
                ["id"] = id, ["key"] = $"dis{id:D5}", ["group_id"] = groupId, ["title"] = title, ["description"] = $"<p>{title}</p>", ["description_format"] = "html",
                ["created_at"] = Iso(Tick()), ["closed_at"] = null, ["discarded_at"] = null, ["private"] = true, ["versions_count"] = 1,
                ["secret_token"] = $"dtok{id:D8}secret", // DiscussionSerializer does serialise it
            });
            return $"dis{id:D5}";
        }
    }

    /// <summary>
    /// Starts a poll in a group (in the discussion <paramref name="discussionKey"/>, else in a thread of
    /// its own); returns its key. <paramref name="anonymous"/> polls are served as Loomio serialises them:
    /// no voter ids in the results, stances without participant and with pseudonymous ids.
    /// </summary>
    public string AddPoll(long groupId, string title, string pollType = "proposal", IReadOnlyList<string>? options = null, string hideResults = "off", int voters = 6,
        string? discussionKey = null, bool anonymous = false)
    {
        lock (_gate)
        {
            var id = ++_nextId;
            var names = options ?? ["agree", "abstain", "disagree", "block"];
            var discussion = discussionKey is null ? null : _discussions.Single(d => d["key"]!.GetValue<string>() == discussionKey);
            if (discussion is not null && discussion["group_id"]!.GetValue<long>() != groupId) throw new ArgumentException("a poll is in its discussion's group", nameof(groupId));
            var poll = new PollState
            {
                Id = id, Key = $"pol{id:D5}", GroupId = groupId, TopicId = discussion?["id"]!.GetValue<long>() ?? id + 10_000, Title = title, PollType = pollType, HideResults = hideResults,
                Details = $"<p>{title}</p>", CreatedAt = Tick(), VotersCount = voters, Anonymous = anonymous,
                Options = names.Select((n, i) => new OptionState { Id = ++_nextId, Name = n, Priority = i }).ToList(),
            };
            poll.ClosingAt = poll.CreatedAt.AddDays(7);
            _polls.Add(poll);
            return poll.Key;
        }
    }

    /// <summary>Casts <paramref name="count"/> votes for option <paramref name="optionIndex"/> (each a stance of a new voter).</summary>
    public void Vote(string key, int optionIndex, int count = 1) => Mutate(key, p =>
    {
        var option = p.Options[optionIndex];
        option.Score += count;
        for (var i = 0; i < count; i++)
        {
            var voter = 1_000 + p.Stances.Count;
            option.VoterIds.Add(voter);
            p.Stances.Add(new StanceState(++_nextStanceId, voter, option.Id, _clock));
        }
    });

    /// <summary>Closes the poll now.</summary>
    public void Close(string key) => Mutate(key, p => p.ClosedAt = Tick());

    /// <summary>Reopens a closed poll (closed_at back to null).</summary>
    public void Reopen(string key) => Mutate(key, p => p.ClosedAt = null);

    /// <summary>Edits the title after close (poll versions_count + 1).</summary>
    public void EditTitle(string key, string title) => Mutate(key, p =>
    {
        p.Title = title;
        p.VersionsCount++;
    });

    /// <summary>
    /// Publishes a new outcome (older ones stop being latest); <paramref name="format"/> is <c>html</c> or
    /// <c>md</c>; <paramref name="reviewOn"/> is the optional review date (ISO date; null unless set, as in Loomio).
    /// </summary>
    public void SetOutcome(string key, string statement, string format = "html", string? reviewOn = null) => Mutate(key, p =>
    {
        foreach (var o in p.Outcomes) o.Latest = false;
        p.Outcomes.Add(new OutcomeState { Id = ++_nextId, Statement = statement, StatementFormat = format, CreatedAt = Tick(), Latest = true, AuthorId = 502, ReviewOn = reviewOn });
    });

    /// <summary>Edits the current outcome (its versions_count + 1).</summary>
    public void EditOutcome(string key, string statement) => Mutate(key, p =>
    {
        var current = p.Outcomes.Last(o => o.Latest);
        current.Statement = statement;
        current.VersionsCount++;
    });

    /// <summary>
    /// Discards (soft-deletes) the poll: it vanishes from listings and reading it answers 403, as in
    /// Loomio, where the show ability asks PollQuery.visible_to, whose scope keeps only undiscarded
    /// polls (app/models/ability/poll.rb, app/queries/poll_query.rb).
    /// </summary>
    public void Discard(string key) => Mutate(key, p => p.DiscardedAt = Tick());

    /// <summary>
    /// Moves the poll's thread, with every poll in it, to another group, as Loomio's "move thread" does
    /// (DiscussionService.move sets the discussion's group and its polls' group_id).
    /// </summary>
    public void MoveThread(string key, long groupId)
    {
        lock (_gate)
        {
            var topic = _polls.Single(p => p.Key == key).TopicId;
            foreach (var poll in _polls.Where(p => p.TopicId == topic)) poll.GroupId = groupId;
            if (_discussions.SingleOrDefault(d => d["id"]!.GetValue<long>() == topic) is { } discussion) discussion["group_id"] = groupId;
        }
    }

    /// <summary>Deletes the poll for good (as deleting its author's account does): reading it answers 404.</summary>
    public void Delete(string key)
    {
        lock (_gate) _polls.RemoveAll(p => p.Key == key);
    }

    /// <summary>
    /// The bot user leaves the group (or loses sight of it): its listing and its polls answer 403
    /// (app/controllers/api/b2/base_controller.rb raises CanCan::AccessDenied unless the user can see the group).
    /// </summary>
    public void HideGroupFromBot(long groupId)
    {
        lock (_gate) _hiddenGroups.Add(groupId);
    }

    /// <summary>Keys of every poll, oldest first.</summary>
    public IReadOnlyList<string> PollKeys()
    {
        lock (_gate) return _polls.Select(p => p.Key).ToList();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private DateTimeOffset Tick() => _clock = _clock.AddMinutes(17).AddMilliseconds(123);

    private void Mutate(string key, Action<PollState> change)
    {
        lock (_gate) change(_polls.Single(p => p.Key == key));
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        Requests.Enqueue($"{request.Method} {request.Path}{(request.Query.ContainsKey("api_key") ? "?api_key=(redacted)" : request.QueryString.ToString())}");
        if (!request.Path.StartsWithSegments("/api/b2", out var rest))
        {
            await TextAsync(context, 404, "text/html", RoutingNotFound).ConfigureAwait(false);
            return;
        }

        if (OverLimit())
        {
            Interlocked.Increment(ref _throttled);
            await RetryLaterAsync(context).ConfigureAwait(false);
            return;
        }

        if (_faults.TryDequeue(out var fault) && await PlayFaultAsync(context, fault).ConfigureAwait(false)) return;
        // The key is checked before anything else (app/controllers/api/b2/authenticates_api_key.rb).
        if (!Authorised(request))
        {
            await JsonAsync(context, 403, AccessDenied).ConfigureAwait(false);
            return;
        }

        var path = rest.Value!.Trim('/');
        if (Shape == LoomioShape.V3_0 && !path.StartsWith("polls/", StringComparison.Ordinal) && !path.StartsWith("discussions/", StringComparison.Ordinal))
        {
            // 3.0.x routes only single polls and discussions (and memberships): anything else is Rails' routing 404 page.
            await TextAsync(context, 404, "text/html", RoutingNotFound).ConfigureAwait(false);
            return;
        }

        (int Status, JsonObject Body)? answer;
        lock (_gate)
        {
            answer = path switch
            {
                "groups" => (200, Document("groups", new JsonArray(_groups.Where(g => !_hiddenGroups.Contains(g["id"]!.GetValue<long>())).Select(g => (JsonNode)g.DeepClone()).ToArray()), _groups.Count - _hiddenGroups.Count)),
                "polls" => ListPolls(request.Query),
                _ when path.StartsWith("polls/", StringComparison.Ordinal) => OnePoll(path["polls/".Length..]),
                _ when path.StartsWith("discussions/", StringComparison.Ordinal) => OneDiscussion(path["discussions/".Length..]),
                _ => null,
            };
        }

        if (answer is { } json) await JsonAsync(context, json.Status, json.Body).ConfigureAwait(false);
        else await TextAsync(context, 404, "text/html", RoutingNotFound).ConfigureAwait(false);
    }

    private const string RoutingNotFound = "<html><body>The page you were looking for doesn't exist.</body></html>";

    // Error bodies as Loomio's API::V1::SnorlaxBase renders them: {"exception": "<class> <message>"}.
    private static JsonObject AccessDenied => new() { ["exception"] = "CanCan::AccessDenied You are not authorized to access this page." };

    private static JsonObject NotFound(string what) => new() { ["exception"] = $"ActiveRecord::RecordNotFound Couldn't find {what}" };

    private bool OverLimit()
    {
        lock (_gate)
        {
            if (_throttle is not { } throttle) return false;
            var window = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / throttle.Period.Ticks;
            _windowCounts[window] = _windowCounts.GetValueOrDefault(window) + 1;
            return _windowCounts[window] > throttle.Limit;
        }
    }

    private bool Authorised(HttpRequest request)
    {
        var bearer = request.Headers.Authorization.ToString();
        var queryKey = request.Query["api_key"].ToString();
        return Shape switch
        {
            // Current Loomio rejects keys in the query string even when a header is present.
            LoomioShape.Current => queryKey.Length == 0 && bearer == $"Bearer {ApiKey}",
            _ => queryKey == ApiKey,
        };
    }

    private (int, JsonObject) ListPolls(IQueryCollection query)
    {
        // Group.find(params[:group_id]): a missing or unknown group is a 404; a group the user cannot see a 403.
        if (!long.TryParse(query["group_id"], CultureInfo.InvariantCulture, out var groupId) || !_groups.Any(g => g["id"]!.GetValue<long>() == groupId)) return (404, NotFound("Group"));
        if (_hiddenGroups.Contains(groupId)) return (403, AccessDenied);
        // Paging: 3.0.x's Snorlax page_collection reads only from and per (default 50); current main's b2
        // listings take limit and offset and still accept the legacy per (its b2 polls controller tests).
        var per = Number(Shape == LoomioShape.Current ? "limit" : null, "per") ?? 50;
        var from = IgnoresPagingOffset ? 0 : Number(Shape == LoomioShape.Current ? "offset" : null, "from") ?? 0;
        var visible = _polls.Where(p => p.GroupId == groupId && p.DiscardedAt is null).OrderByDescending(p => p.CreatedAt).ToList();
        var page = visible.Skip(from).Take(per).ToList();
        return (200, Compound(page, visible.Count));

        int? Number(string? name, string legacy) =>
            int.TryParse(name is null ? null : query[name].ToString(), CultureInfo.InvariantCulture, out var value) || int.TryParse(query[legacy].ToString(), CultureInfo.InvariantCulture, out value) ? value : null;
    }

    private (int, JsonObject) OnePoll(string idOrKey)
    {
        var poll = _polls.FirstOrDefault(p => p.Key == idOrKey || p.Id.ToString(CultureInfo.InvariantCulture) == idOrKey);
        if (poll is null) return (404, NotFound("Poll"));
        return poll.DiscardedAt is not null || _hiddenGroups.Contains(poll.GroupId) ? (403, AccessDenied) : (200, Compound([poll], null));
    }

    // DiscussionSerializer side-loads active_polls, which RecordCache fills with Poll.active (not
    // closed, not discarded), with their options and latest outcomes.
    private (int, JsonObject) OneDiscussion(string idOrKey)
    {
        var discussion = _discussions.FirstOrDefault(d => d["key"]!.GetValue<string>() == idOrKey || d["id"]!.GetValue<long>().ToString(CultureInfo.InvariantCulture) == idOrKey);
        if (discussion is null) return (404, NotFound("Discussion"));
        if (_hiddenGroups.Contains(discussion["group_id"]!.GetValue<long>())) return (403, AccessDenied);
        var active = _polls.Where(p => p.TopicId == discussion["id"]!.GetValue<long>() && p.DiscardedAt is null && p.ClosedAt is null).ToList();
        var document = Compound(active, null);
        document["discussions"] = new JsonArray(discussion.DeepClone());
        document["stances"] = new JsonArray(); // the bot user's own stances only: it does not vote
        document["groups"] = new JsonArray(_groups.Where(g => g["id"]!.GetValue<long>() == discussion["group_id"]!.GetValue<long>()).Select(g => (JsonNode)g.DeepClone()).ToArray());
        document["meta"]!["root"] = "discussions";
        return (200, document);
    }

    private JsonObject Compound(IReadOnlyList<PollState> polls, int? total)
    {
        var document = new JsonObject
        {
            ["polls"] = new JsonArray(polls.Select(p => (JsonNode)SerialisePoll(p)).ToArray()),
            ["poll_options"] = new JsonArray(polls.SelectMany(p => p.Options.Select(o => (JsonNode)new JsonObject
            {
                ["id"] = o.Id, ["poll_id"] = p.Id, ["name"] = o.Name, ["priority"] = o.Priority, ["icon"] = o.Name, ["color"] = "#70C9F8",
            })).ToArray()),
            ["outcomes"] = new JsonArray(polls.SelectMany(p => p.Outcomes.Where(x => x.Latest).Select(x => (JsonNode)new JsonObject
            {
                ["id"] = x.Id, ["poll_id"] = p.Id, ["group_id"] = p.GroupId, ["author_id"] = x.AuthorId, ["statement"] = x.Statement, ["statement_format"] = x.StatementFormat,
                ["latest"] = x.Latest, ["poll_option_id"] = null, ["review_on"] = x.ReviewOn, ["event_summary"] = null, ["secret_token"] = $"tok{x.Id:D8}secret",
                ["created_at"] = Iso(x.CreatedAt), ["versions_count"] = x.VersionsCount,
            })).ToArray()),
            ["stances"] = new JsonArray(polls.SelectMany(p => p.Stances.Select(st => (JsonNode)SerialiseStance(p, st))).ToArray()),
            ["users"] = new JsonArray(new JsonObject { ["id"] = 502, ["name"] = "Ada Lovelace", ["username"] = "ada", ["bot"] = false }),
            ["groups"] = new JsonArray(_groups.Where(g => polls.Any(p => p.GroupId == g["id"]!.GetValue<long>())).Select(g => (JsonNode)g.DeepClone()).ToArray()),
            ["meta"] = new JsonObject { ["root"] = "polls", ["total"] = Shape == LoomioShape.V3_0 ? null : total },
        };
        if (Shape == LoomioShape.Current)
        {
            // Current Loomio reaches the group through the poll's topic (PollSerializer has_one :topic,
            // TopicSerializer has_one :group): the topics are side-loaded beside the groups.
            document["topics"] = new JsonArray(polls.DistinctBy(p => p.TopicId).Select(p =>
            {
                var inThread = _discussions.Any(d => d["id"]!.GetValue<long>() == p.TopicId);
                return (JsonNode)new JsonObject
                {
                    ["id"] = p.TopicId, ["group_id"] = p.GroupId, ["closed_at"] = null,
                    ["topicable_type"] = inThread ? "Discussion" : "Poll", ["topicable_id"] = inThread ? p.TopicId : p.Id,
                };
            }).ToArray());
        }

        return document;
    }

    private JsonObject SerialisePoll(PollState p)
    {
        var ordered = p.Options.OrderBy(o => o.Priority).ToList();
        var decided = (int)p.Options.Sum(o => o.Score);
        var hidden = ResultsHidden(p);
        var poll = new JsonObject
        {
            ["id"] = p.Id, ["key"] = p.Key, ["poll_type"] = p.PollType, ["title"] = p.Title, ["details"] = p.Details, ["details_format"] = "html",
            ["author_id"] = 502, ["group_id"] = p.GroupId,
            ["created_at"] = Iso(p.CreatedAt), ["closing_at"] = Iso(p.ClosingAt), ["closed_at"] = Iso(p.ClosedAt), ["discarded_at"] = null,
            ["anonymous"] = p.Anonymous, ["hide_results"] = p.HideResults, ["specified_voters_only"] = false,
            ["voters_count"] = p.VotersCount, ["decided_voters_count"] = decided, ["undecided_voters_count"] = p.VotersCount - decided,
            ["poll_option_names"] = new JsonArray(ordered.Select(o => (JsonNode)JsonValue.Create(o.Name)!).ToArray()),
            ["poll_option_ids"] = new JsonArray(ordered.Select(o => (JsonNode)JsonValue.Create(o.Id)).ToArray()),
            ["versions_count"] = p.VersionsCount,
            ["current_outcome_id"] = p.Outcomes.LastOrDefault(o => o.Latest)?.Id,
            ["quorum_pct"] = null,
        };
        if (Shape == LoomioShape.Current)
        {
            poll["topic_id"] = p.TopicId;
            poll["opened_at"] = Iso(p.CreatedAt);
        }
        else
        {
            poll["discussion_id"] = p.TopicId;
            poll["created_event_id"] = p.Id + 20_000;
        }

        if (!hidden)
        {
            poll["stance_counts"] = new JsonArray(ordered.Select(o => (JsonNode)JsonValue.Create(o.Score)).ToArray());
            poll["results"] = new JsonArray(ordered.OrderByDescending(o => o.Score).Select((o, rank) => (JsonNode)new JsonObject
            {
                ["id"] = o.Id, ["poll_id"] = p.Id, ["name"] = o.Name, ["name_format"] = "plain", ["rank"] = rank + 1, ["score"] = o.Score,
                ["score_percent"] = decided == 0 ? 0 : 100.0 * o.Score / decided, ["voter_count"] = (int)o.Score,
                // PollOption#voter_scores (and so voter_ids) is {} for anonymous polls; current main caps the ids at 50.
                ["voter_scores"] = p.Anonymous ? new JsonObject() : new JsonObject(o.VoterIds.Select(id => KeyValuePair.Create(id.ToString(CultureInfo.InvariantCulture), (JsonNode?)JsonValue.Create(1)))),
                ["voter_ids"] = new JsonArray(p.Anonymous ? Array.Empty<JsonNode>() : o.VoterIds.Take(50).Select(id => (JsonNode)JsonValue.Create(id)).ToArray()),
            }).ToArray());
        }

        return poll;
    }

    // Poll#show_results?(voted: true), as the serialisers ask it: hidden only until closed when hide_results is until_closed.
    private static bool ResultsHidden(PollState p) => p.HideResults == "until_closed" && p.ClosedAt is null;

    // A stance as StanceSerializer renders it. Loomio's b2 poll answer side-loads only the bot user's
    // own stance (my_stance); the emulator side-loads every stance so that clients meet both kinds. For
    // anonymous polls participant_id and inviter_id are null; current Loomio also leaves out cast_at
    // and created_at and replaces the id by a pseudonym (HMAC-SHA256 of "poll_id:stance_id" under the
    // app's secret, 20 hex digits), since creation-ordered ids would give away the order of voters.
    private JsonObject SerialiseStance(PollState poll, StanceState stance)
    {
        var pseudonymous = poll.Anonymous && Shape == LoomioShape.Current;
        var json = new JsonObject
        {
            ["id"] = pseudonymous
                ? JsonValue.Create(Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(_secretKeyBase, System.Text.Encoding.UTF8.GetBytes($"{poll.Id}:{stance.Id}")))[..20])
                : JsonValue.Create(stance.Id),
            ["poll_id"] = poll.Id, ["participant_id"] = poll.Anonymous ? null : stance.ParticipantId, ["inviter_id"] = poll.Anonymous ? null : 502,
            ["latest"] = true, ["reason"] = null, ["reason_format"] = "html", ["revoked_at"] = null, ["versions_count"] = 1,
        };
        if (!pseudonymous)
        {
            json["cast_at"] = Iso(stance.CastAt);
            json["created_at"] = Iso(stance.CastAt);
        }

        if (!ResultsHidden(poll)) json["option_scores"] = new JsonObject { [stance.OptionId.ToString(CultureInfo.InvariantCulture)] = 1 };
        return json;
    }

    private async Task<bool> PlayFaultAsync(HttpContext context, LoomioFault fault)
    {
        switch (fault)
        {
            case LoomioFault.ServerError:
                await TextAsync(context, 500, "text/html", "<html><body><h1>We're sorry, but something went wrong.</h1></body></html>").ConfigureAwait(false);
                return true;
            case LoomioFault.RateLimited:
                await RetryLaterAsync(context).ConfigureAwait(false);
                return true;
            case LoomioFault.CdnRateLimited:
                context.Response.Headers.RetryAfter = "1";
                await TextAsync(context, 429, "text/plain", "Too Many Requests").ConfigureAwait(false);
                return true;
            case LoomioFault.Slow:
                await Task.Delay(TimeSpan.FromSeconds(3), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                return false;
            case LoomioFault.TruncatedJson:
                await TextAsync(context, 200, "application/json", "{\"polls\":[{\"id\":301,\"key\":\"pol").ConfigureAwait(false);
                return true;
            case LoomioFault.Oversized:
                context.Response.ContentType = "application/json";
                var filler = new byte[1 << 20];
                filler.AsSpan().Fill((byte)' ');
                for (var i = 0; i < 12; i++) await context.Response.Body.WriteAsync(filler, context.RequestAborted).ConfigureAwait(false);
                return true;
            case LoomioFault.Html:
                await TextAsync(context, 200, "text/html", "<!DOCTYPE html><html><body>Loomio is down for maintenance</body></html>").ConfigureAwait(false);
                return true;
            default:
                return false;
        }
    }

    // Rack::Attack's default throttled response (no Retry-After: Loomio does not enable that header).
    private static Task RetryLaterAsync(HttpContext context) => TextAsync(context, 429, "text/plain", "Retry later\n");

    private static JsonObject Document(string root, JsonArray items, int total) => new() { [root] = items, ["meta"] = new JsonObject { ["root"] = root, ["total"] = total } };

    private static string? Iso(DateTimeOffset? value) => value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static Task JsonAsync(HttpContext context, int status, JsonObject body) => TextAsync(context, status, "application/json; charset=utf-8", body.ToJsonString());

    private static Task TextAsync(HttpContext context, int status, string contentType, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    private sealed class PollState
    {
        public long Id { get; init; }
        public string Key { get; init; } = string.Empty;
        public long GroupId { get; set; }
        public long TopicId { get; init; }
        public string Title { get; set; } = string.Empty;
        public string Details { get; init; } = string.Empty;
        public string PollType { get; init; } = "proposal";
        public string HideResults { get; init; } = "off";
        public bool Anonymous { get; init; }
        public List<StanceState> Stances { get; } = [];
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset ClosingAt { get; set; }
        public DateTimeOffset? ClosedAt { get; set; }
        public DateTimeOffset? DiscardedAt { get; set; }
        public int VotersCount { get; init; }
        public int VersionsCount { get; set; } = 1;
        public List<OptionState> Options { get; init; } = [];
        public List<OutcomeState> Outcomes { get; } = [];
    }

    private sealed record StanceState(long Id, long ParticipantId, long OptionId, DateTimeOffset CastAt);

    private sealed class OptionState
    {
        public long Id { get; init; }
        public string Name { get; init; } = string.Empty;
        public int Priority { get; init; }
        public double Score { get; set; }
        public List<long> VoterIds { get; } = [];
    }

    private sealed class OutcomeState
    {
        public long Id { get; init; }
        public string Statement { get; set; } = string.Empty;

        public string StatementFormat { get; set; } = "html";
        public DateTimeOffset CreatedAt { get; init; }
        public bool Latest { get; set; }
        public long AuthorId { get; init; }
        public string? ReviewOn { get; init; }
        public int VersionsCount { get; set; } = 1;
    }
}
