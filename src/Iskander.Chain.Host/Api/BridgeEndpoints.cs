using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Iskander.Chain.Bridge.Ballots;
using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Iskander.Chain.Host.Api;

/// <summary>What the host needs to expose the bridge: its database, its service loop and the webhook token.</summary>
/// <param name="Database">The bridge database.</param>
/// <param name="Service">The running bridge loop (hints go to it).</param>
/// <param name="HookToken">The secret path segment Loomio's webhook URL carries (256 random bits, hex).</param>
/// <param name="ChainId">The chain the anchors are on (for evidence bundles).</param>
/// <param name="DecisionAnchor">The DecisionAnchor contract (for evidence bundles).</param>
/// <param name="Consent">Admissions awaiting members' consent (null: membership endpoints are read-only).</param>
/// <param name="Relay">Publishes voters' messages to the ballots this bridge coordinates (null: no relaying).</param>
/// <param name="Privacy">Who may read private groups' records (null: members only, with no read token: by signature).</param>
public sealed record BridgeEndpointsOptions(BridgeDatabase Database, BridgeService Service, string HookToken, ulong ChainId, Ethereum.Address DecisionAnchor, MembershipConsent? Consent = null,
    BallotRelay? Relay = null, ReadAccessOptions? Privacy = null)
{
    /// <summary>Read access to private records, for the API and the gateway.</summary>
    public ReadAccess Access { get; } = new(Database, Privacy ?? new ReadAccessOptions(), ChainId, DecisionAnchor);

    /// <summary>What <c>GET /api/deployment</c> publishes (null: the chain id and DecisionAnchor alone, no RPC URL).</summary>
    public PublicDeployment? Deployment { get; init; }
}

/// <summary>
/// The bridge's HTTP API: the Loomio webhook hint endpoint, decisions (list and per poll, with
/// proofs and the actions they order), members (mirrored from the chain) and consent to admissions,
/// and the ballot relay (the health probes are <see cref="Health.HealthEndpoints"/>). Private groups'
/// records, and admissions awaiting consent, are answered only to callers <see cref="ReadAccess"/> lets in.
/// </summary>
public static class BridgeEndpoints
{
    /// <summary>Largest webhook body accepted (Loomio's markdown payloads are a few KiB).</summary>
    public const int MaxHookBodyBytes = 64 * 1024;

    /// <summary>
    /// Webhook posts accepted per group per minute. Loomio posts once per event, so a group's real
    /// traffic stays far below; beyond it a post is refused (429) before it is stored or hinted, which
    /// loses nothing: the scheduled reconciles find every poll anyway.
    /// </summary>
    public const int HookPostsPerGroupPerMinute = 60;

    /// <summary>Relay requests one client address may make per minute (each relayed message costs the bridge about 0.5 M gas).</summary>
    public const int RelayPerClientPerMinute = 10;

    /// <summary>Relay requests all clients together may make per minute.</summary>
    public const int RelayPerMinute = 120;

    /// <summary>Mounts every endpoint.</summary>
    public static IEndpointRouteBuilder MapBridgeEndpoints(this IEndpointRouteBuilder endpoints, BridgeEndpointsOptions options)
    {
        var expectedToken = Encoding.UTF8.GetBytes(options.HookToken);
        var hookLimiter = PartitionedRateLimiter.Create<long, long>(group => RateLimitPartition.GetFixedWindowLimiter(group, _ => PerMinute(HookPostsPerGroupPerMinute)));
        // Loomio's webhooks are unsigned hints: the URL's token is the credential. Work is never done
        // inline: keep the body, wake the reconciler, answer at once.
        endpoints.MapPost("/hooks/loomio/{group}/{token}", async (HttpContext context, string group, string token) =>
        {
            // A group the bridge does not follow (negative, unknown, not configured) is not stored or reconciled.
            if (!long.TryParse(group, out var groupId) || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), expectedToken) || !options.Service.Follows(groupId)) return Results.NotFound();
            using (var lease = hookLimiter.AttemptAcquire(groupId))
            {
                if (!lease.IsAcquired)
                {
                    context.Response.Headers.RetryAfter = "60";
                    return Results.Json(new { error = "too many webhook posts for this group; the bridge reconciles it on schedule anyway" }, statusCode: StatusCodes.Status429TooManyRequests);
                }
            }

            if (context.Request.ContentLength > MaxHookBodyBytes) return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
            var body = await ReadLimitedAsync(context.Request.Body, MaxHookBodyBytes, context.RequestAborted).ConfigureAwait(false);
            if (body is null) return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
            await HintLog.RecordAsync(options.Database, groupId, body, context.RequestAborted).ConfigureAwait(false);
            options.Service.Hint(groupId, body);
            return Results.NoContent();
        });

        var access = options.Access;
        endpoints.MapGet("/api/access/challenge", () =>
        {
            var until = DateTimeOffset.UtcNow.Add(ReadAccess.MaxSignatureLifetime / 2).ToUnixTimeSeconds();
            return Results.Json(new { message = access.Challenge(until), until, scheme = ReadAccess.SignatureScheme });
        });
        endpoints.MapGet("/api/decisions", (HttpContext context, int? offset, int? limit, CancellationToken cancellationToken) => AsReaderAsync(context, access, async reader =>
        {
            var (total, page) = await DecisionQueries.PageAsync(options.Database, Math.Max(0, offset ?? 0), Math.Clamp(limit ?? 50, 1, 500), reader.MaySeePrivate, cancellationToken)
                .ConfigureAwait(false);
            return Results.Json(new { total, decisions = page.Select(Summary) });
        }));
        endpoints.MapGet("/api/decisions/{key}", (HttpContext context, string key, CancellationToken cancellationToken) => AsReaderAsync(context, access, async reader =>
        {
            var versions = (await DecisionQueries.AnchoredAsync(options.Database, key, cancellationToken).ConfigureAwait(false)).Where(v => v.Public || reader.MaySeePrivate).ToList();
            var actions = await GovernanceActions.ListAsync(options.Database, key, cancellationToken: cancellationToken).ConfigureAwait(false);
            var notes = await GovernanceActions.NotesAsync(options.Database, key, cancellationToken).ConfigureAwait(false);
            if (!reader.MaySeePrivate)
            {
                // What a private version orders is as private as the version.
                var hidden = await DecisionQueries.PrivateVersionsAsync(options.Database, key, cancellationToken).ConfigureAwait(false);
                actions = actions.Where(a => !hidden.Contains(a.Version)).ToList();
                notes = notes.Where(n => !hidden.Contains(n.Key)).ToDictionary();
            }

            return versions.Count == 0 && actions.Count == 0 && notes.Count == 0 ? Results.NotFound() : Results.Json(new
            {
                pollKey = key,
                actions = actions.Select(Action),
                actionNotes = notes.Select(n => new { version = n.Key, note = n.Value }),
                versions = versions.Select(v => new
                {
                    summary = Summary(v.ToSummary()),
                    leaf = v.Reference.Leaf.ToString(),
                    index = v.Reference.Index,
                    proof = v.Reference.Proof.Select(p => p.ToString()),
                    root = v.Reference.Root.ToString(),
                }),
            });
        }));
        // {key} is a poll key (latest version the caller may read, or ?version=n) or a record's CID (that version).
        endpoints.MapGet("/api/decisions/{key}/evidence", (HttpContext context, string key, int? version, CancellationToken cancellationToken) => AsReaderAsync(context, access, async reader =>
        {
            var versions = (await DecisionQueries.AnchoredAsync(options.Database, key, cancellationToken).ConfigureAwait(false)).Where(v => v.Public || reader.MaySeePrivate).ToList();
            var chosen = versions.FirstOrDefault(v => v.Cid == key) ?? (version is null ? versions.LastOrDefault() : versions.FirstOrDefault(v => v.Version == version));
            if (chosen is null) return Results.NotFound();
            var bundle = await EvidenceBundle.CreateAsync(chosen, options.ChainId, options.DecisionAnchor).ConfigureAwait(false);
            return Results.Text(bundle.ToJson(), "application/json");
        }));
        MapMembers(endpoints, options);
        endpoints.MapAuditEndpoints(options);
        MapRelay(endpoints, options);
        endpoints.MapDeployment(options);
        endpoints.MapActions(options);
        endpoints.MapChainEndpoints(options.Database);
        endpoints.MapBallots(options);
        // Prometheus text exposition: pipeline depth by status and the loop's last success.
        endpoints.MapGet("/metrics", async (CancellationToken cancellationToken) =>
        {
            var counts = await DecisionQueries.StatusCountsAsync(options.Database, cancellationToken).ConfigureAwait(false);
            var text = new StringBuilder()
                .AppendLine("# HELP iskander_decision_versions Decision versions by pipeline status (batched ones by their batch's status).")
                .AppendLine("# TYPE iskander_decision_versions gauge");
            foreach (var (status, count) in counts.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"iskander_decision_versions{{status=\"{status}\"}} {count}");
            }

            text.AppendLine("# HELP iskander_bridge_last_success_seconds Unix time of the bridge loop's last successful round.")
                .AppendLine("# TYPE iskander_bridge_last_success_seconds gauge")
                .AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"iskander_bridge_last_success_seconds {options.Service.LastSuccess?.ToUnixTimeSeconds() ?? 0}")
                .AppendLine("# HELP iskander_bridge_failing Whether the last round failed.")
                .AppendLine("# TYPE iskander_bridge_failing gauge")
                .AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"iskander_bridge_failing {(options.Service.LastError is null ? 0 : 1)}");
            return Results.Text(text.ToString(), "text/plain; version=0.0.4");
        });
        return endpoints;
    }

    private static void MapMembers(IEndpointRouteBuilder endpoints, BridgeEndpointsOptions options)
    {
        endpoints.MapGet("/api/members", (HttpContext context, bool? all, CancellationToken cancellationToken) => AsReaderAsync(context, options.Access, async reader =>
        {
            var memberships = await MembershipQueries.MembershipsAsync(options.Database, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (reader.MaySeePrivate) context.Response.Headers.CacheControl = "private";
            return Results.Json(new { members = memberships.Where(m => all == true || m.Status == "active").Select(m => Membership(m, reader)) });
        }));
        // Admissions name members, roles and polls: the read token sees them all, a signer only their own.
        endpoints.MapGet("/api/members/pending", (HttpContext context, string? member, CancellationToken cancellationToken) => AsReaderAsync(context, options.Access, async reader =>
        {
            Ethereum.Address? wanted = null;
            if (member is not null)
            {
                if (!TryParseAddress(member, out var parsed)) return Results.BadRequest(new { error = $"'{member}' is not an address" });
                wanted = parsed;
            }

            if (!reader.HasToken)
            {
                if (reader.Signer is not { } signer) return Unauthorized("pending admissions are listed with the read token, or to a member for their own address with a signed challenge");
                if (wanted is { } other && other != signer) return Results.Json(new { error = $"the challenge is signed by {signer.ToChecksumString()}: only its own admissions are listed" }, statusCode: StatusCodes.Status403Forbidden);
                wanted = signer;
            }

            if (options.Consent is null) return Results.Json(new { pending = Array.Empty<object>() });

            var pending = await options.Consent.PendingAsync(wanted, cancellationToken).ConfigureAwait(false);
            return Results.Json(new
            {
                pending = pending.Select(p => new
                {
                    actionId = p.ActionId, member = p.Agreement.Member.ToChecksumString(), role = p.Role, pollKey = p.PollKey, version = p.Version, deadline = p.Deadline,
                    digest = p.Agreement.Digest.ToString(), typedData = System.Text.Json.Nodes.JsonNode.Parse(p.Agreement.ToJson()),
                }),
            });
        }));
        endpoints.MapGet("/api/members/{address}", (HttpContext context, string address, CancellationToken cancellationToken) => AsReaderAsync(context, options.Access, async reader =>
        {
            if (!TryParseAddress(address, out var member)) return Results.BadRequest(new { error = $"'{address}' is not an address" });
            var memberships = await MembershipQueries.MembershipsAsync(options.Database, member, cancellationToken).ConfigureAwait(false);
            // Memberships are on chain; the agreement awaiting the member's consent is the member's own business.
            var pending = options.Consent is null || !(reader.HasToken || reader.Signer == member) ? [] : await options.Consent.PendingAsync(member, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<GovernanceActionRow> actions = await GovernanceActions.ListAsync(options.Database, cancellationToken: cancellationToken, member: member).ConfigureAwait(false);
            if (!reader.MaySeePrivate)
            {
                // An action on the public schedule is public; one not yet scheduled is as private as the version that orders it.
                var hidden = new Dictionary<string, IReadOnlySet<int>>();
                foreach (var key in actions.Where(a => a.ExecutableAt is null).Select(a => a.PollKey).Distinct())
                {
                    hidden[key] = await DecisionQueries.PrivateVersionsAsync(options.Database, key, cancellationToken).ConfigureAwait(false);
                }

                actions = actions.Where(a => a.ExecutableAt is not null || !hidden[a.PollKey].Contains(a.Version)).ToList();
            }

            if (reader.MaySeePrivate || reader.Signer == member) context.Response.Headers.CacheControl = "private";
            return memberships.Count == 0 && pending.Count == 0 && actions.Count == 0 ? Results.NotFound()
                : Results.Json(new
                {
                    address = member.ToChecksumString(), memberships = memberships.Select(m => Membership(m, reader)), pendingAdmissions = pending.Select(p => p.ActionId), actions = actions.Select(Action),
                });
        }));
        // The member's signature over the agreement from /api/members/pending; checked before it is accepted.
        endpoints.MapPost("/api/members/consent", async (ConsentRequest request, CancellationToken cancellationToken) =>
        {
            if (options.Consent is null) return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            byte[] signature;
            try
            {
                signature = Ethereum.Hex.Decode(request.Signature ?? "");
            }
            catch (FormatException)
            {
                return Results.BadRequest(new { error = "signature must be 65 bytes of hex (r ‖ s ‖ v)" });
            }

            try
            {
                await options.Consent.AcceptAsync(request.ActionId, signature, cancellationToken).ConfigureAwait(false);
                return Results.NoContent();
            }
            catch (ConsentRejectedException ex)
            {
                return ex.NotFound ? Results.NotFound(new { error = ex.Message }) : Results.BadRequest(new { error = ex.Message });
            }
        });
    }

    // Relayed publishing (docs/ballots.md): the bridge's key sends the message, so the member's
    // address is not on chain beside it. Rate-limited per client address and in total before any
    // parsing, since every relayed message is paid for by the cooperative.
    private static void MapRelay(IEndpointRouteBuilder endpoints, BridgeEndpointsOptions options)
    {
        var limiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client, _ => PerMinute(RelayPerClientPerMinute))),
            PartitionedRateLimiter.Create<string, string>(_ => RateLimitPartition.GetFixedWindowLimiter("all", _ => PerMinute(RelayPerMinute))));
        endpoints.MapPost("/api/ballots/{address}/messages", async (HttpContext context, string address, RelayRequest request, CancellationToken cancellationToken) =>
        {
            using var lease = limiter.AttemptAcquire(context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            if (!lease.IsAcquired)
            {
                context.Response.Headers.RetryAfter = "60";
                return Results.Json(new { error = "too many relay requests; try again in a minute" }, statusCode: StatusCodes.Status429TooManyRequests);
            }

            if (options.Relay is null) return Results.NotFound(new { error = "this bridge relays for no ballot" });
            if (!TryParseAddress(address, out var ballot)) return Results.BadRequest(new { error = $"'{address}' is not an address" });
            try
            {
                var message = BallotRelay.Parse(request.Data, request.EncryptionKey?.X, request.EncryptionKey?.Y);
                var (transaction, index) = await options.Relay.RelayAsync(ballot, message, cancellationToken).ConfigureAwait(false);
                return Results.Json(new { transaction = transaction.ToString(), messageIndex = index });
            }
            catch (RelayRefusedException ex)
            {
                return ex.NotFound ? Results.NotFound(new { error = ex.Message }) : Results.BadRequest(new { error = ex.Message });
            }
            catch (Ethereum.Contracts.ContractRevertException ex)
            {
                return Results.Json(new { error = $"the ballot refused the message: {ex.ErrorName ?? ex.Message}" }, statusCode: StatusCodes.Status409Conflict);
            }
        });
    }

    // Identifies the caller, then answers; credentials that prove nothing are a 401 whatever was asked.
    private static FixedWindowRateLimiterOptions PerMinute(int permits) => new() { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 };

    /// <summary>Answers as <paramref name="answer"/> does for the caller its credentials prove, or 401 for bad credentials.</summary>
    internal static async Task<IResult> AsReaderAsync(HttpContext context, ReadAccess access, Func<Reader, Task<IResult>> answer)
    {
        Reader reader;
        try
        {
            reader = await access.IdentifyAsync(context).ConfigureAwait(false);
        }
        catch (InvalidReadCredentialException ex)
        {
            return Unauthorized(ex.Message);
        }

        return await answer(reader).ConfigureAwait(false);
    }

    /// <summary>The 401 answer, naming both ways to authenticate.</summary>
    internal static IResult Unauthorized(string error) => new UnauthorizedResult(error);

    private sealed class UnauthorizedResult(string error) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.WWWAuthenticate = $"Bearer, {ReadAccess.SignatureScheme}";
            return Results.Json(new { error }, statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(httpContext);
        }
    }

    private static bool TryParseAddress(string text, out Ethereum.Address address)
    {
        try
        {
            address = Ethereum.Address.Parse(text);
            return true;
        }
        catch (FormatException)
        {
            address = default;
            return false;
        }
    }

    // Memberships are on chain, and so is the action leaf of the decision behind each; the poll that
    // decided is named only to whoever may read that version, since a private group's poll key would
    // tell anyone that the decision exists.
    private static object Membership(MembershipRecord m, Reader reader) => new
    {
        member = m.Member.ToChecksumString(),
        tokenId = "0x" + m.TokenId.ToString("x64", System.Globalization.CultureInfo.InvariantCulture)[^64..],
        role = m.Role,
        status = m.Status,
        admittedInBlock = m.AdmittedInBlock,
        endedInBlock = m.EndedInBlock,
        admission = Decision(m.Admission, reader),
        revocation = m.Revocation is { } r ? Decision(r, reader) : null,
    };

    private static object Decision(MembershipDecision decision, Reader reader)
    {
        var named = decision.Public || reader.MaySeePrivate || decision.PollKey is null;
        return new { leaf = decision.Leaf.ToString(), pollKey = named ? decision.PollKey : null, version = named ? decision.Version : null, membersOnly = !named };
    }

    // Times on the schedule are the chain's; the seconds left are against this host's clock.
    private static object Action(GovernanceActionRow a) => new
    {
        id = a.Id, pollKey = a.PollKey, version = a.Version, kind = a.Kind, spec = a.Spec, status = a.Status, reason = a.Reason, leaf = a.Leaf, tx = a.TxHash, consentDeadline = a.ConsentDeadline,
        executableAt = a.ExecutableAt, expiresAt = a.ExpiresAt, noticeSecondsLeft = a.NoticeLeft(DateTimeOffset.UtcNow), validitySecondsLeft = a.ValidityLeft(DateTimeOffset.UtcNow),
    };

    private static object Summary(DecisionSummary v) => new
    {
        pollKey = v.PollKey,
        version = v.Version,
        state = v.State,
        cid = v.Cid,
        batchStatus = v.BatchStatus,
        blockNumber = v.BlockNumber,
    };

    private static async Task<string?> ReadLimitedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>Body of <c>POST /api/ballots/{address}/messages</c>: a message as <c>publishMessage</c> takes it.</summary>
/// <param name="Data">The ten ciphertext field elements, decimal or 0x-hex.</param>
/// <param name="EncryptionKey">The message's ephemeral public key.</param>
public sealed record RelayRequest(string[]? Data, RelayPoint? EncryptionKey);

/// <summary>A BabyJubJub point in a relay request.</summary>
/// <param name="X">x, decimal or 0x-hex.</param>
/// <param name="Y">y, decimal or 0x-hex.</param>
public sealed record RelayPoint(string? X, string? Y);

/// <summary>Body of <c>POST /api/members/consent</c>.</summary>
/// <param name="ActionId">The admission.</param>
/// <param name="Signature">The member's EIP-712 signature, hex.</param>
public sealed record ConsentRequest(long ActionId, string? Signature);
