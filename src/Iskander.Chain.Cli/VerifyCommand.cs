using System.CommandLine;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Ethereum.JsonRpc;

namespace Iskander.Chain.Cli;

/// <summary>
/// <c>iskander-chain verify BUNDLE --rpc URL --anchor ADDRESS|--deployment FILE</c>: verifies an
/// evidence bundle (from <c>GET /api/decisions/{key}/evidence</c>) against any node of the chain,
/// without the bridge or its database: bytes → CID → leaf → proof → root → the cooperative's
/// DecisionAnchor (named by the verifier, never by the bundle) with N confirmations. One verdict per
/// check; exit code 0 only when every check passes, so never without a trusted anchor.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var bundle = new Argument<string>("decision") { Description = "An evidence bundle file (JSON, iskander.evidence/1), or a poll key or record CID whose bundle is fetched from the bridge's API." };
        var api = new Option<string>("--api")
        {
            Description = "The bridge's HTTP address, for a poll key or CID (default: $ISKANDER_API_URL, else http://127.0.0.1:8480). Only the bundle comes from it; every check runs against --rpc.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ISKANDER_API_URL") is { Length: > 0 } value ? value : "http://127.0.0.1:8480",
        };
        var rpc = new Option<string?>("--rpc") { Description = "JSON-RPC URL of a node of the cooperative's chain (default: $ISKANDER_RPC_URL)." };
        var anchor = new Option<string?>("--anchor") { Description = "The cooperative's DecisionAnchor address, on the chain of --rpc. The bundle's own is never trusted." };
        var deployment = new Option<string?>("--deployment") { Description = $"The cooperative's deployment manifest (what the deploy script writes); its DecisionAnchor and chain id are trusted (default: ${BridgeRuntime.DeploymentVariable})." };
        var confirmations = new Option<int>("--confirmations") { Description = "Blocks required on top of the anchor, its own included.", DefaultValueFactory = _ => 2 };
        var loomio = new Option<bool>("--loomio") { Description = "Also re-read the poll from Loomio ($ISKANDER_LOOMIO_URL, $ISKANDER_LOOMIO_API_KEY) and rebuild the record." };
        var command = new Command("verify", "Verify a decision from its bytes to the cooperative's DecisionAnchor: an evidence bundle, or a poll key or CID (bundle from the bridge), checked against any node.")
        {
            bundle, api, rpc, anchor, deployment, confirmations, loomio,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            EvidenceBundle evidence;
            var target = parseResult.GetValue(bundle)!;
            try
            {
                evidence = EvidenceBundle.Parse(File.Exists(target)
                    ? await File.ReadAllTextAsync(target, cancellationToken).ConfigureAwait(false)
                    : await FetchBundleAsync(new Uri(parseResult.GetValue(api)!), target, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is FormatException or IOException or HttpRequestException or UriFormatException)
            {
                Console.Error.WriteLine($"cannot read the bundle: {ex.Message}");
                return 2;
            }

            var (trusted, chain, refused) = await ResolveTrustedAnchorAsync(parseResult.GetValue(anchor), parseResult.GetValue(deployment), parseResult.GetValue(rpc), cancellationToken)
                .ConfigureAwait(false);
            if (refused is { } exitCode) return exitCode;

            byte[]? record = null;
            string? carError = null;
            try
            {
                record = evidence.Record();
            }
            catch (Content.Car.CarFormatException ex)
            {
                carError = ex.Message;
            }

            var checks = await DecisionVerifier.VerifyAsync(record, evidence.Cid, evidence.Reference, chain, parseResult.GetValue(confirmations), cancellationToken).ConfigureAwait(false);
            checks = [.. checks, trusted?.Check(evidence) ?? TrustedAnchor.Missing(evidence, MissingHint)];
            if (parseResult.GetValue(loomio) && record is not null)
            {
                var url = Environment.GetEnvironmentVariable(BridgeRuntime.LoomioUrlVariable);
                var key = Environment.GetEnvironmentVariable(BridgeRuntime.LoomioKeyVariable);
                var reread = string.IsNullOrWhiteSpace(url) || string.IsNullOrWhiteSpace(key)
                    ? new VerificationCheck("Loomio re-read", Verdict.NotApplicable, $"{BridgeRuntime.LoomioUrlVariable} and {BridgeRuntime.LoomioKeyVariable} are not set")
                    : await LoomioReread.CheckAsync(new Loomio.LoomioClient(new HttpClient(), new Loomio.LoomioClientOptions { BaseUrl = new Uri(url), ApiKey = key }), new Uri(url), record, cancellationToken).ConfigureAwait(false);
                checks = [.. checks, reread];
            }

            Console.WriteLine($"{evidence.PollKey} version {evidence.Version} ({evidence.State}), {evidence.Cid}");
            Console.WriteLine(trusted is null
                ? "  checked without a trusted DecisionAnchor: the chain links stay unresolved"
                : $"  checked against DecisionAnchor {trusted.Address} on chain {trusted.ChainId} ({trusted.Source})");
            if (carError is not null) Console.WriteLine($"  FAIL        CAR: {carError}");
            foreach (var check in checks) Console.WriteLine($"  {Label(check.Verdict),-11} {check.Name}: {check.Detail}");
            // A Loomio that changed since (UNRESOLVED re-read) does not make the anchor wrong.
            return carError is null && checks.All(c => c.Verdict == Verdict.Pass || c.Name == "Loomio re-read") ? 0 : 1;
        });
        return command;
    }

    private const string AnchorFix = "pass the cooperative's DecisionAnchor with --anchor, or its deployment manifest with --deployment";

    internal const string MissingHint = $"pass --anchor ADDRESS or --deployment FILE (or set {BridgeRuntime.DeploymentVariable}) to name the cooperative's";

    /// <summary>The trusted anchor <see cref="TrustedAnchorAsync"/> gives, or the exit code after saying on stderr why there is none to be had.</summary>
    internal static async Task<(TrustedAnchor? Trusted, AnchorChain? Chain, int? ExitCode)> ResolveTrustedAnchorAsync(string? anchor, string? deployment, string? rpc,
        CancellationToken cancellationToken)
    {
        try
        {
            var (trusted, chain) = await TrustedAnchorAsync(anchor, deployment, rpc, cancellationToken).ConfigureAwait(false);
            return (trusted, chain, null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or IOException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine(ex.Message);
            return (null, null, ExitCodes.BadInput);
        }
        catch (UserErrorException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return (null, null, ex.ExitCode);
        }
    }

    // The anchor comes from the verifier's side only: --anchor (on the node's chain), else a manifest
    // (--deployment, else the setting). Without one, no node is needed: only the content links are checked.
    private static async Task<(TrustedAnchor? Trusted, AnchorChain? Chain)> TrustedAnchorAsync(string? anchor, string? deployment, string? rpc, CancellationToken cancellationToken)
    {
        if (anchor is not null && deployment is not null) throw new InvalidOperationException("pass either --anchor or --deployment, not both");
        var manifestPath = anchor is null ? deployment ?? Environment.GetEnvironmentVariable(BridgeRuntime.DeploymentVariable) : null;
        if (anchor is null && string.IsNullOrWhiteSpace(manifestPath)) return (null, null);

        var manifest = manifestPath is null ? null : Contracts.DeploymentManifest.Load(manifestPath);
        var address = manifest?["DecisionAnchor"].Address ?? (Ethereum.Address.TryParse(anchor, out var parsed) ? parsed : throw new FormatException($"--anchor: '{anchor}' is not an address"));
        var (rpcUri, client, chainId) = await ConnectNodeAsync(rpc, cancellationToken).ConfigureAwait(false);

        if (manifest is not null && manifest.ChainId != chainId)
        {
            throw new InvalidOperationException($"the node at {EmbeddedServices.Redacted(rpcUri)} is on chain {chainId}, the deployment in {manifestPath} on chain {manifest.ChainId}: use a node of the cooperative's chain");
        }

        var code = await client.Rpc.CallAsync("eth_getCode", [address.ToString(), "latest"], cancellationToken).ConfigureAwait(false);
        if (code.GetString() is not { Length: > 2 }) throw new InvalidOperationException($"there is no contract at {address} on chain {chainId}: not the cooperative's DecisionAnchor; {AnchorFix}");
        var chain = AnchorChain.ReadOnly(client, address);
        try
        {
            await chain.BatchOfAsync(default, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JsonRpcErrorException or Ethereum.Abi.AbiException)
        {
            throw new InvalidOperationException($"the contract at {address} on chain {chainId} does not answer batchOf: not a DecisionAnchor ({ex.Message}); {AnchorFix}", ex);
        }

        return (new TrustedAnchor(chainId, address, manifest is null ? "--anchor" : $"deployment {manifestPath}", manifest?.DeployBlock ?? 0), chain);
    }

    /// <summary>The node of <c>--rpc</c> (else <c>$ISKANDER_RPC_URL</c>) and the chain it is on.</summary>
    /// <exception cref="InvalidOperationException">No node is named.</exception>
    /// <exception cref="FormatException">The URL is not http(s).</exception>
    /// <exception cref="UserErrorException">The node does not answer.</exception>
    internal static async Task<(Uri Url, EthClient Client, ulong ChainId)> ConnectNodeAsync(string? rpc, CancellationToken cancellationToken)
    {
        var rpcUrl = rpc ?? Environment.GetEnvironmentVariable(EmbeddedServices.RpcUrlVariable);
        if (string.IsNullOrWhiteSpace(rpcUrl)) throw new InvalidOperationException($"no node to check against: pass --rpc or set {EmbeddedServices.RpcUrlVariable}");
        if (!Uri.TryCreate(rpcUrl, UriKind.Absolute, out var rpcUri) || rpcUri.Scheme is not ("http" or "https"))
        {
            throw new FormatException("--rpc is not an http(s) URL: pass the JSON-RPC endpoint of a node of the cooperative's chain");
        }

        var client = new EthClient(new JsonRpcClient(rpcUri));
        try
        {
            return (rpcUri, client, await client.ChainIdAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (RpcException)
        {
            // Not the exception's text: it repeats the whole URL, which may carry an API key.
            throw new UserErrorException($"the node at {EmbeddedServices.Redacted(rpcUri)} does not answer JSON-RPC: start it, or pass another --rpc", ExitCodes.Failed);
        }
    }

    // A poll key or CID: the bridge serves the bundle (a private group's to the read token's holder); nothing else is taken from it.
    private static async Task<string> FetchBundleAsync(Uri api, string keyOrCid, CancellationToken cancellationToken)
    {
        using var http = ReadToken.Authorize(new HttpClient { BaseAddress = api });
        using var response = await http.GetAsync($"/api/decisions/{Uri.EscapeDataString(keyOrCid)}/evidence", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"'{keyOrCid}' is neither a bundle file nor a decision the bridge at {api} has anchored" +
                                            (ReadToken.FromEnvironment() is null ? $" and public (a private group's decision needs {BridgeRuntime.ReadTokenVariable})" : string.Empty));
        }

        if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized) throw new IOException($"the bridge at {api} refused {BridgeRuntime.ReadTokenVariable}: it is not this bridge's read token");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static string Label(Verdict verdict) => verdict switch
    {
        Verdict.Pass => "PASS",
        Verdict.Fail => "FAIL",
        Verdict.Unresolved => "UNRESOLVED",
        _ => "N/A",
    };
}
