using System.CommandLine;
using System.Globalization;
using Iskander.Chain.Content.Gateway;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Toolchain;
using Iskander.Chain.Watchtower;

namespace Iskander.Chain.Cli;

/// <summary>
/// <c>iskander-chain watch --rpc URL --deployment FILE [--gateway URL]… [--once]</c>: a member's
/// watchtower (<see cref="Watchtower.Watchtower"/>). The cooperative's contracts come from the
/// member's own deployment manifest, the records from any IPFS gateway, the key (optional) from a
/// keystore or <c>$ISKANDER_MEMBER_KEY</c>, as for <c>member consent</c>.
/// </summary>
internal static class WatchCommand
{
    public static Command Create()
    {
        var rpc = new Option<string?>("--rpc") { Description = $"JSON-RPC URL of a node of the cooperative's chain (default: ${EmbeddedServices.RpcUrlVariable})." };
        var deployment = new Option<string?>("--deployment") { Description = $"The cooperative's deployment manifest, which you trust (default: ${BridgeRuntime.DeploymentVariable}); its ActionSchedule is watched." };
        var gateways = new Option<string[]>("--gateway")
        {
            Description = "An IPFS trustless gateway to read decision records from (the bridge's, a Kubo node's, a public one); repeat to ask several in turn " +
                          "(default: $ISKANDER_API_URL, else http://127.0.0.1:8480). Every record is verified against its digest. " +
                          $"With ${BridgeRuntime.ReadTokenVariable} set, it is sent to every gateway named (private groups' records need it): name only the cooperative's.",
            AllowMultipleArgumentsPerToken = false,
        };
        var once = new Option<bool>("--once") { Description = "Catch up to the chain's confirmed head and exit: 0 when every action passed, 1 when any raised an alarm." };
        var interval = new Option<int>("--interval") { Description = "Seconds between polls when following.", DefaultValueFactory = _ => 15 };
        var confirmations = new Option<int>("--confirmations") { Description = "Blocks on top of a scheduling block before its actions are checked.", DefaultValueFactory = _ => 2 };
        var loomio = new Option<bool>("--loomio") { Description = $"Also check each record against Loomio (${BridgeRuntime.LoomioUrlVariable}, ${BridgeRuntime.LoomioKeyVariable}): while an action can run, a record Loomio does not rebuild is an alarm." };
        var keystore = new Option<FileInfo?>("--keystore") { Description = $"Your member keystore (password from ${MemberCommand.MemberKeystorePasswordVariable}); or set ${MemberCommand.MemberKeyVariable}. With a key, every alarm is vetoed with your signature." };
        var pool = new Option<string?>("--veto-pool") { Description = "A folder shared with other members' watchtowers where veto signatures meet (default: veto-pool in the watch folder, which only you see)." };
        var webhook = new Option<string?>("--webhook") { Description = "POST each alarm as JSON to this URL." };
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("watch", "Watch the cooperative's public schedule: check every scheduled action against the decision record that must order it; alarm, and veto with your key.")
        {
            rpc, deployment, gateways, once, interval, confirmations, loomio, keystore, pool, webhook, dataDirectory,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            // The read token goes to the gateways only (never to Loomio or the webhook).
            using var gatewayHttp = ReadToken.Authorize(new HttpClient { Timeout = TimeSpan.FromSeconds(30) });
            Watchtower.Watchtower watchtower;
            try
            {
                var manifestPath = parseResult.GetValue(deployment) ?? Environment.GetEnvironmentVariable(BridgeRuntime.DeploymentVariable);
                if (string.IsNullOrWhiteSpace(manifestPath)) throw new InvalidOperationException($"name the cooperative's deployment you trust: --deployment FILE or {BridgeRuntime.DeploymentVariable}");
                var manifest = Contracts.DeploymentManifest.Load(manifestPath);
                var (_, client, _) = await VerifyCommand.ConnectNodeAsync(parseResult.GetValue(rpc), cancellationToken).ConfigureAwait(false);
                var schedule = await CooperativeSchedule.ConnectAsync(client, manifest, cancellationToken).ConfigureAwait(false);
                var folder = Path.Combine(DataDirectory(parseResult.GetValue(dataDirectory)), "watch");
                var key = parseResult.GetValue(keystore) is not null || Environment.GetEnvironmentVariable(MemberCommand.MemberKeyVariable) is { Length: > 0 }
                    ? MemberCommand.MemberKey(parseResult.GetValue(keystore))
                    : null;
                var state = WatchState.Load(Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{schedule.ChainId}-{schedule.Address.ToString().ToLowerInvariant()}.json")));
                watchtower = new Watchtower.Watchtower(schedule, state, new WatchtowerOptions
                {
                    Confirmations = parseResult.GetValue(confirmations),
                    ContentSources = Gateways(parseResult.GetValue(gateways)).Select(g => new TrustlessGatewayClient(gatewayHttp, g)).ToList(),
                    Loomio = parseResult.GetValue(loomio) ? LoomioClient(http) : null,
                    LoomioInstance = parseResult.GetValue(loomio) ? new Uri(Environment.GetEnvironmentVariable(BridgeRuntime.LoomioUrlVariable)!) : null,
                    MemberKey = key,
                    VetoPool = key is null ? null : new VetoPool(parseResult.GetValue(pool) ?? Path.Combine(folder, "veto-pool")),
                    Webhook = parseResult.GetValue(webhook) is { } hook ? AbsoluteHttp(hook, "--webhook") : null,
                }, Console.Out, Console.Error, http);
                Console.WriteLine($"Watching ActionSchedule {schedule.Address} on chain {schedule.ChainId} (deployment {manifestPath}) from block {schedule.DeployBlock}" +
                                  (key is null ? "; no member key: alarms only" : $"; vetoes signed by {key.Address.ToChecksumString()}"));
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or IOException or System.Text.Json.JsonException or KeyNotFoundException)
            {
                Console.Error.WriteLine(ex.Message);
                return ExitCodes.BadInput;
            }
            catch (UserErrorException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return ex.ExitCode;
            }

            if (!parseResult.GetValue(once))
            {
                await watchtower.RunAsync(TimeSpan.FromSeconds(Math.Max(1, parseResult.GetValue(interval))), cancellationToken).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            try
            {
                var summary = await watchtower.CatchUpAsync(cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"{summary.Passed} passed, {summary.Alarms} alarm(s), {summary.Vetoes} veto(es) submitted");
                return summary.Alarms == 0 ? ExitCodes.Ok : ExitCodes.Failed;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && Watchtower.Watchtower.IsTransient(ex))
            {
                Console.Error.WriteLine($"watch stopped before catching up: {ex.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }

    // A member's watchtower needs no checkout: without one, the default data folder is .data here.
    private static string DataDirectory(DirectoryInfo? option)
    {
        try
        {
            return CommonOptions.ResolveDataDirectory(option, ProjectLayout.Discover());
        }
        catch (ProjectRootNotFoundException)
        {
            return option?.FullName ?? Path.GetFullPath(Environment.GetEnvironmentVariable(CommonOptions.DataDirectoryVariable) is { Length: > 0 } set ? set : ".data");
        }
    }

    private static IEnumerable<Uri> Gateways(string[]? given) =>
        (given is { Length: > 0 } ? given : [Environment.GetEnvironmentVariable("ISKANDER_API_URL") is { Length: > 0 } api ? api : "http://127.0.0.1:8480"])
        .Select(g => AbsoluteHttp(g, "--gateway"));

    private static Uri AbsoluteHttp(string text, string option) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : throw new FormatException($"{option}: '{text}' is not an http(s) URL");

    private static Loomio.LoomioClient LoomioClient(HttpClient http)
    {
        var url = Environment.GetEnvironmentVariable(BridgeRuntime.LoomioUrlVariable);
        var key = Environment.GetEnvironmentVariable(BridgeRuntime.LoomioKeyVariable);
        if (string.IsNullOrWhiteSpace(url) || string.IsNullOrWhiteSpace(key)) throw new InvalidOperationException($"--loomio needs {BridgeRuntime.LoomioUrlVariable} and {BridgeRuntime.LoomioKeyVariable}");
        return new Loomio.LoomioClient(http, new Loomio.LoomioClientOptions { BaseUrl = AbsoluteHttp(url, BridgeRuntime.LoomioUrlVariable), ApiKey = key });
    }
}
