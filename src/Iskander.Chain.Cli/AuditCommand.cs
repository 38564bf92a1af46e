using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Bridge.Pipeline;

namespace Iskander.Chain.Cli;

/// <summary>
/// <c>iskander-chain audit verify</c>: fetches the whole Glass Box, the heads the bridge says it
/// anchored and every batch it closed from the bridge's API, recomputes the hash chain, rebuilds every
/// head from the log's own hashes and checks it against the cooperative's DecisionAnchor (named by the
/// verifier) on any node, and accounts for every root that DecisionAnchor holds. Exit code 0 only when
/// every check passes.
/// </summary>
internal static class AuditCommand
{
    private const int PageSize = 1000;
    private const int BatchPageSize = 100;

    public static Command Create()
    {
        var api = new Option<string>("--api")
        {
            Description = $"The bridge's HTTP address (default: $ISKANDER_API_URL, else http://127.0.0.1:8480). The log is for members: ${BridgeRuntime.ReadTokenVariable} is sent when set.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ISKANDER_API_URL") is { Length: > 0 } value ? value : "http://127.0.0.1:8480",
        };
        var rpc = new Option<string?>("--rpc") { Description = "JSON-RPC URL of a node of the cooperative's chain (default: $ISKANDER_RPC_URL)." };
        var anchor = new Option<string?>("--anchor") { Description = "The cooperative's DecisionAnchor address, on the chain of --rpc." };
        var deployment = new Option<string?>("--deployment") { Description = $"The cooperative's deployment manifest; its DecisionAnchor and chain id are trusted (default: ${BridgeRuntime.DeploymentVariable})." };
        var confirmations = new Option<int>("--confirmations") { Description = "Blocks required on top of an anchor, its own included.", DefaultValueFactory = _ => 2 };
        var maxUnanchored = new Option<int>("--max-unanchored-minutes")
        {
            Description = "Longest an entry may wait for an anchored head before that counts as a failure (default: twice the bridge's default anchoring interval).",
            DefaultValueFactory = _ => 120,
        };
        var verify = new Command("verify", "Recompute the Glass Box's hash chain, check its anchored heads against the cooperative's DecisionAnchor and account for every root it holds.")
        {
            api, rpc, anchor, deployment, confirmations, maxUnanchored,
        };
        verify.SetAction(async (parseResult, cancellationToken) =>
        {
            var apiUrl = parseResult.GetValue(api)!;
            List<GlassBoxEntry> entries;
            List<AnchoredAuditHead> heads;
            List<JsonObject> batches;
            try
            {
                using var http = ReadToken.Authorize(new HttpClient { BaseAddress = new Uri(apiUrl) });
                (entries, heads, batches) = await FetchAsync(http, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is FormatException or IOException or HttpRequestException or UriFormatException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"cannot read the Glass Box from {apiUrl}: {ex.Message}");
                return ExitCodes.Failed;
            }

            var (trusted, chain, refused) = await VerifyCommand.ResolveTrustedAnchorAsync(parseResult.GetValue(anchor), parseResult.GetValue(deployment), parseResult.GetValue(rpc),
                cancellationToken).ConfigureAwait(false);
            if (refused is { } exitCode) return exitCode;

            var checks = await AuditLogVerifier.VerifyAsync(entries, heads, chain, parseResult.GetValue(confirmations), TimeSpan.FromMinutes(parseResult.GetValue(maxUnanchored)),
                DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
            var accounting = await AuditLogVerifier.AccountForAnchorsAsync(entries, batches, chain, trusted?.ChainId ?? 0, trusted?.DeployBlock ?? 0, cancellationToken).ConfigureAwait(false);
            checks = [.. checks, accounting.Check];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Glass Box of {apiUrl}: {entries.Count} entries, {heads.Count} heads batched"));
            Console.WriteLine(trusted is null
                ? $"  checked without a trusted DecisionAnchor ({VerifyCommand.MissingHint} DecisionAnchor): the heads stay unresolved"
                : $"  checked against DecisionAnchor {trusted.Address} on chain {trusted.ChainId} ({trusted.Source})");
            foreach (var check in checks) Console.WriteLine($"  {VerifyCommand.Label(check.Verdict),-11} {check.Name}: {check.Detail}");
            return checks.All(c => c.Verdict == Verdict.Pass) ? 0 : 1;
        });
        return new Command("audit", "The bridge's Glass Box (append-only audit log).") { verify };
    }

    // Every page of the log (it must be whole to recompute the chain), every head and every batch.
    private static async Task<(List<GlassBoxEntry> Entries, List<AnchoredAuditHead> Heads, List<JsonObject> Batches)> FetchAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var entries = (await PagesAsync(http, "/api/audit", "entries", PageSize, cancellationToken).ConfigureAwait(false)).Select(GlassBoxEntry.FromJson).ToList();
        var batches = (await PagesAsync(http, "/api/audit/batches", "batches", BatchPageSize, cancellationToken).ConfigureAwait(false))
            .Select(b => b as JsonObject ?? throw new FormatException("a batch is a JSON object")).ToList();
        var heads = await GetAsync(http, "/api/audit/heads", cancellationToken).ConfigureAwait(false);
        return (entries, (heads["heads"] as JsonArray ?? throw new FormatException("the answer has no heads")).Select(AnchoredAuditHead.FromJson).ToList(), batches);
    }

    private static async Task<List<JsonNode?>> PagesAsync(HttpClient http, string path, string name, int size, CancellationToken cancellationToken)
    {
        var items = new List<JsonNode?>();
        while (true)
        {
            var page = await GetAsync(http, string.Create(CultureInfo.InvariantCulture, $"{path}?offset={items.Count}&limit={size}"), cancellationToken).ConfigureAwait(false);
            var more = page[name] as JsonArray ?? throw new FormatException($"the answer has no {name}");
            items.AddRange(more.Select(i => i?.DeepClone()));
            if (more.Count == 0 || items.Count >= page["total"]!.GetValue<int>()) return items;
        }
    }

    private static async Task<JsonObject> GetAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
        {
            throw new IOException(ReadToken.FromEnvironment() is null
                ? $"the Glass Box is for members: set {BridgeRuntime.ReadTokenVariable} to the cooperative's read token"
                : $"the bridge refused {BridgeRuntime.ReadTokenVariable}: it is not this bridge's read token");
        }

        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)) as JsonObject ?? throw new FormatException($"{path} did not answer a JSON object");
    }
}
