using System.Globalization;
using System.Security.Cryptography;
using Iskander.Chain.Ballots.Chain;
using Iskander.Chain.Ballots.Circuits;
using Iskander.Chain.Ballots.Proving;
using Iskander.Chain.Bridge.Ballots;
using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Bridge.Watching;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Contracts;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Ethereum.Keystore;
using Iskander.Chain.Loomio;
using Iskander.Chain.Toolchain;
using Serilog;

namespace Iskander.Chain.Cli;

/// <summary>
/// The bridge as <c>serve</c> runs it, wired from the environment: the Loomio instance and its bot
/// key, the anchorer key (environment or keystore; anvil's public development key on the embedded
/// chain only), the deployment manifest (deployed by the forge script on first start of an embedded
/// chain), the database (migrated), the content store, the pipeline and the service loop.
/// </summary>
internal sealed class BridgeRuntime : IAsyncDisposable
{
    public const string LoomioUrlVariable = "ISKANDER_LOOMIO_URL";
    public const string LoomioKeyVariable = "ISKANDER_LOOMIO_API_KEY";
    public const string LoomioGroupsVariable = "ISKANDER_LOOMIO_GROUPS";
    public const string AnchorerKeyVariable = "ISKANDER_ANCHORER_KEY";
    public const string KeystoreVariable = "ISKANDER_KEYSTORE";
    public const string KeystorePasswordVariable = "ISKANDER_KEYSTORE_PASSWORD";
    public const string DeploymentVariable = "ISKANDER_DEPLOYMENT";
    public const string ConfirmationsVariable = "ISKANDER_CONFIRMATIONS";
    public const string HookTokenVariable = "ISKANDER_HOOK_TOKEN";
    public const string PublicRecordsVariable = "ISKANDER_PUBLIC_RECORDS";
    public const string ReadTokenVariable = "ISKANDER_READ_TOKEN";
    public const string HorizonVariable = "ISKANDER_RECONCILE_HORIZON";
    public const string LoomioRequestsVariable = "ISKANDER_LOOMIO_REQUESTS_PER_5_MINUTES";
    public const string ConsentWindowVariable = "ISKANDER_CONSENT_WINDOW_HOURS";

    /// <summary>Environment variable: minutes an entry of the Glass Box waits at most before an idle bridge anchors the log's head alone (default 60).</summary>
    public const string AuditIntervalVariable = "ISKANDER_AUDIT_ANCHOR_MINUTES";

    public const string DeadlineWindowVariable = "ISKANDER_ESCROW_DEADLINE_WINDOW_HOURS";
    public const string CoordinatorKeystoreVariable = "ISKANDER_COORDINATOR_KEYSTORE";
    public const string CoordinatorPasswordVariable = "ISKANDER_COORDINATOR_KEYSTORE_PASSWORD";
    public const string BallotsVariable = "ISKANDER_BALLOTS";
    public const string BallotPtauVariable = "ISKANDER_BALLOT_PTAU";
    public const string BallotPtauPowerVariable = "ISKANDER_BALLOT_PTAU_POWER";
    public const string BallotPtauSha256Variable = "ISKANDER_BALLOT_PTAU_SHA256";
    public const string BallotProverVariable = "ISKANDER_BALLOT_PROVER";

    private readonly HttpClient _http;

    private BridgeRuntime(BridgeDatabase database, BridgeService service, string hookToken, HttpClient http, DeploymentManifest manifest, IContentStore store, MembershipConsent consent)
    {
        Consent = consent;
        Manifest = manifest;
        Store = store;
        _http = http;
        Database = database;
        Service = service;
        HookToken = hookToken;
    }

    public BridgeDatabase Database { get; }

    public BridgeService Service { get; }

    public string HookToken { get; }

    public DeploymentManifest Manifest { get; }

    /// <summary>The content store the pipeline writes to (the gateway serves the same one).</summary>
    public IContentStore Store { get; }

    /// <summary>Admissions awaiting members' consent.</summary>
    public MembershipConsent Consent { get; }

    /// <summary>Who may read private groups' records.</summary>
    public Host.Api.ReadAccessOptions Privacy { get; private init; } = new();

    /// <summary>The mirrors of every deployed contract's events (with their Glass Box observations), and of each coordinated ballot's.</summary>
    public required IReadOnlyList<ContractEventMirror> Watches { get; init; }

    /// <summary>The ballot coordinators' loop, when this bridge coordinates ballots.</summary>
    public BallotService? Ballots { get; private init; }

    /// <summary>Null (with the reason logged) when Loomio is not configured: serve then runs without the bridge loop.</summary>
    public static async Task<BridgeRuntime?> CreateAsync(EmbeddedServices services, ProjectLayout layout, string dataDirectory, ILogger log, CancellationToken cancellationToken)
    {
        var loomioUrl = Environment.GetEnvironmentVariable(LoomioUrlVariable);
        var loomioKey = Environment.GetEnvironmentVariable(LoomioKeyVariable);
        if (string.IsNullOrWhiteSpace(loomioUrl) || string.IsNullOrWhiteSpace(loomioKey))
        {
            log.Information("Loomio is not configured ({UrlVariable}, {KeyVariable}): serving the gateway only; `iskander-chain demo` shows the whole job", LoomioUrlVariable, LoomioKeyVariable);
            return null;
        }

        var settings = Settings.Read(loomioUrl);
        var client = new EthClient(new JsonRpcClient(services.RpcUrl));
        var anchorer = AnchorerKey(services);
        var manifest = await DeploymentAsync(services, client, layout, dataDirectory, anchorer, log, cancellationToken).ConfigureAwait(false);
        var database = await services.Database.OpenMigratedAsync(log, cancellationToken).ConfigureAwait(false);
        await BindDeploymentAsync(database, client, manifest, services.RpcUrl, cancellationToken).ConfigureAwait(false);

        var confirmations = settings.Confirmations;
        var deployer = new CoopDeployer(new ToolRunner(new Toolchain.Toolchain(layout), log));
        var contracts = BridgeContracts.Connect(client, manifest, name => deployer.Artifact(manifest, name).Abi, anchorer);
        if (manifest.Issuer != anchorer.Address)
        {
            log.Warning("The bridge key {Key} is not CoopIdentity's issuer {Issuer}: admissions will be refused by the contract until a SET_ISSUER decision executes", anchorer.Address, manifest.Issuer);
        }

        var store = ContentCommand.OpenStore(dataDirectory);
        var pipeline = AnchoringPipeline.Create(database, store, contracts.Anchor, log, new AnchoringPipelineOptions { Confirmations = confirmations, ConsentWindow = TimeSpan.FromHours(settings.ConsentWindowHours), AuditInterval = TimeSpan.FromMinutes(settings.AuditIntervalMinutes) }, contracts.Governance);
        var consent = new MembershipConsent(database, contracts.Governance.Targets, manifest.Issuer, log);
        var http = new HttpClient();
        var loomio = new LoomioClient(http, new LoomioClientOptions { BaseUrl = settings.LoomioUrl, ApiKey = loomioKey, RequestsPerWindow = settings.LoomioRequestsPerWindow });
        var ingestor = new DecisionIngestor(database, loomio, settings.LoomioUrl, log) { MaxPolls = settings.Horizon, FollowedGroups = settings.Groups.Count > 0 ? settings.Groups : null };
        var service = new BridgeService(ingestor, loomio, pipeline, new BridgeServiceOptions { Groups = settings.Groups }, log);
        var ballots = BallotCoordination(database, client, contracts, layout, dataDirectory, log);
        var maciAbi = ballots is null ? null : MaciVotingAbi(layout); // read once, only when ballots are coordinated
        var watchOptions = new ContractWatchOptions { Confirmations = confirmations, DeadlineWindow = TimeSpan.FromHours(settings.DeadlineWindowHours) };
        var runtime = new BridgeRuntime(database, service, LoadHookToken(dataDirectory, log), http, manifest, store, consent)
        {
            Ballots = ballots,
            Watches =
            [
                ContractEventMirror.ForDeployment(database, client, manifest, name => deployer.Artifact(manifest, name).Abi, watchOptions, log),
                .. (ballots?.Ballots ?? []).Select(b => ContractEventMirror.ForBallot(database, client, b.Address, b.DeployBlock, maciAbi!, watchOptions, log)),
            ],
            Privacy = settings.Privacy,
        };
        log.Information(settings.Privacy.AllRecordsPublic ? "Records: every record is public ({Variable}=all)" : "Records: private groups' records are served to members only ({Variable})",
            PublicRecordsVariable);
        log.Information("Bridge: Loomio {LoomioUrl}, DecisionAnchor {Anchor} on chain {ChainId}, anchorer {Anchorer}, {Confirmations} confirmations",
            loomioUrl, manifest["DecisionAnchor"].Address, manifest.ChainId, anchorer.Address, confirmations);
        return runtime;
    }

    private static Ethereum.Abi.ContractAbi MaciVotingAbi(ProjectLayout layout) => ForgeArtifact.LoadAbi(Path.Combine(layout.Root, "out"), "MACIVoting.sol", "MACIVoting");

    // Ballots named in ISKANDER_BALLOTS (ballot manifests), coordinated with the MACI key in the coordinator keystore; null when not configured.
    private static BallotService? BallotCoordination(BridgeDatabase database, EthClient client, BridgeContracts contracts, ProjectLayout layout, string dataDirectory, ILogger log)
    {
        var manifests = Environment.GetEnvironmentVariable(BallotsVariable);
        var keystore = Environment.GetEnvironmentVariable(CoordinatorKeystoreVariable);
        if (string.IsNullOrWhiteSpace(manifests) && string.IsNullOrWhiteSpace(keystore)) return null;
        if (string.IsNullOrWhiteSpace(manifests) || string.IsNullOrWhiteSpace(keystore))
        {
            throw new InvalidOperationException($"coordinating ballots needs both {BallotsVariable} and {CoordinatorKeystoreVariable} (with {CoordinatorPasswordVariable})");
        }

        var password = Environment.GetEnvironmentVariable(CoordinatorPasswordVariable) ?? throw new InvalidOperationException($"{CoordinatorKeystoreVariable} is set but {CoordinatorPasswordVariable} is not");
        MaciPrivateKey key;
        try
        {
            key = BallotKeyFile.Decrypt(File.ReadAllText(keystore), password);
        }
        catch (Exception ex) when (KeystoreProblem(ex, keystore, CoordinatorKeystoreVariable, CoordinatorPasswordVariable) is { } problem)
        {
            throw new UserErrorException(problem);
        }

        ProverEngine engine;
        try
        {
            engine = Groth16Prover.ParseEngine(Environment.GetEnvironmentVariable(BallotProverVariable));
        }
        catch (FormatException ex)
        {
            throw new UserErrorException($"{BallotProverVariable}: {ex.Message}");
        }

        var runner = new ToolRunner(new Toolchain.Toolchain(layout), log);
        var service = new BallotService(database, client, key, new CircuitBuilder(runner, log), new Groth16Prover(runner, log) { Engine = engine }, Path.Combine(dataDirectory, "proving"), log)
        {
            PowersOfTau = CeremonyPowersOfTau(),
            AllowInsecureDevelopmentKeys = Environment.GetEnvironmentVariable(BallotKeyPolicy.AllowInsecureKeysVariable) is "1" or "true",
        };
        var abi = MaciVotingAbi(layout);
        foreach (var path in manifests.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var ballot = BallotManifest.Load(path);
            service.Add(new MaciVotingClient(client, ballot.Ballot, abi, contracts.Sender), ballot.DeployBlock, Path.GetFileNameWithoutExtension(path));
        }

        log.Information("Coordinating {Count} ballot(s) with coordinator key {Key}", manifests.Split(',', StringSplitOptions.RemoveEmptyEntries).Length, key.PublicKey().Serialize());
        return service;
    }

    // The ceremony file the coordinator sets circuits up on: all three settings or none.
    private static PowersOfTau? CeremonyPowersOfTau()
    {
        var path = Environment.GetEnvironmentVariable(BallotPtauVariable);
        if (string.IsNullOrWhiteSpace(path)) return null;
        var power = int.TryParse(Environment.GetEnvironmentVariable(BallotPtauPowerVariable), out var value) && value > 0
            ? value
            : throw new InvalidOperationException($"{BallotPtauVariable} needs {BallotPtauPowerVariable} (the file's power)");
        var sha256 = Environment.GetEnvironmentVariable(BallotPtauSha256Variable) is { Length: > 0 } hash
            ? hash
            : throw new InvalidOperationException($"{BallotPtauVariable} needs {BallotPtauSha256Variable} (the file's published SHA-256)");
        return PowersOfTau.Open(path, power, sha256);
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
    }

    private static PrivateKey AnchorerKey(EmbeddedServices services)
    {
        if (Environment.GetEnvironmentVariable(AnchorerKeyVariable) is { Length: > 0 } hex)
        {
            try
            {
                return PrivateKey.FromHex(hex);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                // Never echo the value: it is a secret even when malformed.
                throw new UserErrorException($"{AnchorerKeyVariable} is not a valid secp256k1 private key (32 bytes of hex)");
            }
        }

        if (Environment.GetEnvironmentVariable(KeystoreVariable) is { Length: > 0 } keystore)
        {
            var password = Environment.GetEnvironmentVariable(KeystorePasswordVariable) ?? throw new UserErrorException($"{KeystoreVariable} is set but {KeystorePasswordVariable} is not: set the keystore's password");
            try
            {
                return KeystoreV3.Decrypt(File.ReadAllText(keystore), password);
            }
            catch (Exception ex) when (KeystoreProblem(ex, keystore, KeystoreVariable, KeystorePasswordVariable) is { } problem)
            {
                throw new UserErrorException(problem);
            }
        }

        // Only on the embedded development chain: anvil's public, well-known account 1.
        return services.RpcIsEmbedded
            ? PrivateKey.FromHex(services.DevAccounts[1].PrivateKey)
            : throw new UserErrorException($"no anchorer key: set {AnchorerKeyVariable} or {KeystoreVariable} and {KeystorePasswordVariable}");
    }

    private static async Task<DeploymentManifest> DeploymentAsync(EmbeddedServices services, EthClient client, ProjectLayout layout, string dataDirectory, PrivateKey anchorer, ILogger log, CancellationToken cancellationToken)
    {
        var configured = Environment.GetEnvironmentVariable(DeploymentVariable);
        var chainId = await client.ChainIdAsync(cancellationToken).ConfigureAwait(false);
        if (configured is { Length: > 0 })
        {
            if (!File.Exists(configured)) throw new UserErrorException($"{DeploymentVariable}: deployment manifest {configured} does not exist");
            var manifest = LoadManifest(configured);
            return await DeploymentProblemAsync(client, manifest, chainId, cancellationToken).ConfigureAwait(false) is { } problem
                ? throw new UserErrorException($"{DeploymentVariable}: {configured} {problem}: point {EmbeddedServices.RpcUrlVariable} at the chain it was deployed on, or {DeploymentVariable} at this chain's manifest")
                : manifest;
        }

        if (!services.RpcIsEmbedded) throw new UserErrorException($"no deployment on chain {chainId}: deploy with the forge script (contracts/script/Deploy.s.sol) and set {DeploymentVariable} to the manifest it writes");

        // The embedded chain's deployment lives beside its state. If the chain no longer holds it, the chain was lost:
        // say so and stop; a new chain (and a silent second deployment) is never made without --reset.
        var path = EmbeddedServices.EmbeddedManifestPath(dataDirectory);
        if (File.Exists(path))
        {
            var manifest = LoadManifest(path);
            return await DeploymentProblemAsync(client, manifest, chainId, cancellationToken).ConfigureAwait(false) is { } problem
                ? throw new UserErrorException(
                    $"the embedded chain no longer holds its deployment ({path} {problem}): its state (anvil/state.json in {dataDirectory}) was lost or replaced. "
                    + "Restore the data folder from a backup, or start a new chain and database with `iskander-chain serve --reset`", ExitCodes.Refused)
                : manifest;
        }

        log.Information("Deploying the contracts on the embedded chain (first start)");
        // forge writes only under deployments/; the manifest moves into the data folder once the chain state holding the contracts is saved.
        var written = Path.Combine(layout.Root, "deployments", $"embedded-{Guid.NewGuid():N}.json");
        var deployed = await new CoopDeployer(new ToolRunner(new Toolchain.Toolchain(layout), log)).DeployAsync(services.RpcUrl, PrivateKey.FromHex(services.DevAccounts[0].PrivateKey), written,
            // A development chain: a minute's notice instead of 48 hours, so that actions can be tried out.
            new CoopDeploymentOptions { Anchorer = anchorer.Address, Issuer = anchorer.Address, NoticePeriod = TimeSpan.FromMinutes(1) }, cancellationToken).ConfigureAwait(false);
        await services.SaveChainStateAsync(cancellationToken).ConfigureAwait(false);
        File.Copy(written, path + ".tmp", overwrite: true);
        File.Move(path + ".tmp", path, overwrite: true);
        File.Delete(written);
        return deployed;
    }

    private static DeploymentManifest LoadManifest(string path)
    {
        try
        {
            return DeploymentManifest.Load(path);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or IOException or UnauthorizedAccessException)
        {
            var reason = ex switch
            {
                FormatException => ex.Message.Replace($"{path} is not a deployment manifest: ", string.Empty, StringComparison.Ordinal),
                System.Text.Json.JsonException => "not JSON",
                _ => ex.Message,
            };
            throw new UserErrorException($"{DeploymentVariable}: {path} is not a deployment manifest ({reason}): use the file contracts/script/Deploy.s.sol wrote");
        }
    }

    // Null when the manifest's contracts are on this node's chain; otherwise what is wrong, as a sentence's predicate.
    private static async Task<string?> DeploymentProblemAsync(EthClient client, DeploymentManifest manifest, ulong chainId, CancellationToken cancellationToken)
    {
        if (manifest.ChainId != chainId) return $"is a deployment on chain {manifest.ChainId}, but the node is chain {chainId}";
        foreach (var name in DeploymentManifest.RequiredContracts)
        {
            var code = await client.Rpc.CallAsync("eth_getCode", [manifest[name].Address.ToString(), "latest"], cancellationToken).ConfigureAwait(false);
            if (code.GetString() is not { Length: > 2 }) return $"names {name} at {manifest[name].Address}, but the node's chain {chainId} has no contract code there (another network with the same chain id, or a chain that was reset)";
        }

        return null;
    }

    // The database belongs to one deployment: bound on first use, refused for any other.
    private static async Task BindDeploymentAsync(BridgeDatabase database, EthClient client, DeploymentManifest manifest, Uri rpcUrl, CancellationToken cancellationToken)
    {
        var block = await client.GetBlockByNumberAsync(manifest.DeployBlock, cancellationToken).ConfigureAwait(false)
            ?? throw new UserErrorException($"the node at {EmbeddedServices.Redacted(rpcUrl)} has no block {manifest.DeployBlock}, the deployment's block: point {EmbeddedServices.RpcUrlVariable} at the chain the contracts were deployed on");
        try
        {
            await DeploymentBinding.BindOrCheckAsync(database, manifest, block.Hash, cancellationToken).ConfigureAwait(false);
        }
        catch (DeploymentMismatchException ex)
        {
            throw new UserErrorException($"{ex.Message} ({EmbeddedServices.DatabaseVariable})", ExitCodes.Refused);
        }
    }

    // One sentence naming the keystore and the fix; null for exceptions that are not about the file. Never includes the file's bytes.
    private static string? KeystoreProblem(Exception ex, string keystore, string variable, string passwordVariable) => ex switch
    {
        KeystorePasswordException => $"{variable}: the password in {passwordVariable} does not open the keystore {keystore} (wrong password, or the file was altered)",
        FileNotFoundException or DirectoryNotFoundException => $"{variable}: the keystore {keystore} does not exist",
        IOException or UnauthorizedAccessException => $"{variable}: cannot read the keystore {keystore}: {ex.Message}",
        FormatException or System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException or ArgumentException =>
            $"{variable}: {keystore} is not a keystore (expected Web3 Secret Storage v3 JSON, as `cast wallet new` writes)",
        _ => null,
    };

    // The webhook URL's secret: configured, or generated once and kept (owner-only) in the data folder.
    private static string LoadHookToken(string dataDirectory, ILogger log)
    {
        if (Environment.GetEnvironmentVariable(HookTokenVariable) is { Length: > 0 } configured)
        {
            return configured.Length >= 32 && configured.All(char.IsAsciiLetterOrDigit)
                ? configured
                : throw new UserErrorException($"{HookTokenVariable} must be at least 32 letters or digits (it is the webhook URL's only credential)");
        }
        var path = Path.Combine(dataDirectory, "hook-token");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            log.Information("Generated the Loomio webhook token in {Path}: configure Loomio's webhook as <this host>/hooks/loomio/<group id>/<token>", path);
        }

        return File.ReadAllText(path).Trim();
    }

    /// <summary>The bridge's settings from the environment, all checked before anything starts; every problem is reported at once.</summary>
    private sealed record Settings(Uri LoomioUrl, IReadOnlyList<long> Groups, int Confirmations, int Horizon, int ConsentWindowHours, int DeadlineWindowHours, int LoomioRequestsPerWindow,
        Host.Api.ReadAccessOptions Privacy, int AuditIntervalMinutes)
    {
        public static Settings Read(string loomioUrl)
        {
            var problems = new List<string>();
            if (!Uri.TryCreate(loomioUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                problems.Add($"{LoomioUrlVariable} must be an http(s) URL, e.g. https://loomio.example.org");
            }

            var groups = new List<long>();
            foreach (var item in (Environment.GetEnvironmentVariable(LoomioGroupsVariable) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (long.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0) groups.Add(id);
                else problems.Add($"{LoomioGroupsVariable}: '{item}' is not a group id (comma-separated positive numbers)");
            }

            var confirmations = PositiveInt(ConfirmationsVariable, 2, problems);
            var horizon = PositiveInt(HorizonVariable, 500, problems);
            var consentWindow = PositiveInt(ConsentWindowVariable, 14 * 24, problems);
            var auditInterval = PositiveInt(AuditIntervalVariable, 60, problems);
            var deadlineWindow = PositiveInt(DeadlineWindowVariable, 24, problems);
            var requests = PositiveInt(LoomioRequestsVariable, LoomioClientOptions.DefaultRequestsPerWindow, problems);
            var publicRecords = Environment.GetEnvironmentVariable(PublicRecordsVariable);
            if (publicRecords is { Length: > 0 } and not ("all" or "members")) problems.Add($"{PublicRecordsVariable} is 'all' (every record public) or 'members' (private groups' records for members only, the default), not '{publicRecords}'");
            var readToken = Environment.GetEnvironmentVariable(ReadTokenVariable);
            if (readToken is { Length: > 0 } && (readToken.Length < 32 || !readToken.All(char.IsAsciiLetterOrDigit)))
            {
                problems.Add($"{ReadTokenVariable} must be at least 32 letters or digits (it lets anyone holding it read private records)");
            }

            var privacy = new Host.Api.ReadAccessOptions { AllRecordsPublic = publicRecords == "all", ReadToken = readToken is { Length: > 0 } ? readToken : null };
            return problems.Count == 0 ? new Settings(url!, groups, confirmations, horizon, consentWindow, deadlineWindow, requests, privacy, auditInterval) : throw new UserErrorException("invalid configuration: " + string.Join("; ", problems));
        }

        private static int PositiveInt(string variable, int fallback, List<string> problems)
        {
            var text = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrWhiteSpace(text)) return fallback;
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0) return value;
            problems.Add($"{variable} must be a positive whole number, not '{text}'");
            return fallback;
        }
    }
}
