using System.Numerics;
using Iskander.Chain.Bridge.Ballots;
using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Bridge.Watching;
using Iskander.Chain.Contracts;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Governance;
using Iskander.Chain.Host;
using Iskander.Chain.Host.Api;
using Iskander.Chain.Loomio;
using Iskander.Chain.Loomio.Emulator;
using Iskander.Chain.Testing;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Maci;
using Microsoft.Playwright;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Web.Tests;

/// <summary>The browser tests share one instance (it takes a while to start on two cores).</summary>
[CollectionDefinition(Name)]
public sealed class GlassBoxCollection : ICollectionFixture<GlassBoxInstance>
{
    public const string Name = "Glass Box instance";
}

/// <summary>
/// One real instance for the browser tests: a cooperative on anvil with members admitted on chain (dev
/// accounts 2 to 7), a disputed escrow, decisions from the Loomio emulator anchored by the real
/// pipeline, the chain mirrored by the real mirrors into PostgreSQL, a ballot with published results,
/// the host serving the members' page, and Chromium. Each test changes only what it creates.
/// </summary>
public sealed class GlassBoxInstance : IAsyncLifetime
{
    /// <summary>Dev accounts admitted on chain at the start.</summary>
    public static readonly int[] MemberAccounts = [2, 3, 4, 5, 6, 7];

    private static readonly HttpClient Http = new();
    private readonly PostgresFixture _postgres = new();
    private readonly TempDirectory _content = new();
    private LoomioEmulator? _loomio;
    private IPlaywright? _playwright;

    public CoopOnChain Coop { get; private set; } = null!;

    public BridgeDatabase Database { get; private set; } = null!;

    public BridgeWebHost Host { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The anchored decisions, as the pipeline recorded them.</summary>
    public IReadOnlyList<AnchoredDecision> Anchored { get; private set; } = [];

    public Address DecisionAnchor => Coop.Manifest["DecisionAnchor"].Address;

    /// <summary>The escrow disputed at the start (buyer 3, seller 4, arbitrator 5).</summary>
    public BigInteger DisputedEscrow { get; private set; }

    /// <summary>The ballot with published results (not deployed: the bridge's coordination records only).</summary>
    public Address Ballot { get; } = Address.Parse("0x00000000000000000000000000000000000ba110");

    /// <summary>Where screenshots go: the test output folder.</summary>
    public static string Screenshots { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        Database = new BridgeDatabase(await _postgres.CreateDatabaseAsync());
        await Database.MigrateAsync();
        Coop = await CoopOnChain.StartAsync();
        _loomio = await LoomioEmulator.StartAsync();
        var group = _loomio.AddGroup("Assembly", isPublic: true);
        foreach (var title in new[] { "Repaint the hall?", "Adopt the budget?", "Plant the garden?" })
        {
            var key = _loomio.AddPoll(group, title);
            _loomio.Close(key);
            _loomio.SetOutcome(key, $"<p>{title} Agreed.</p>");
        }

        var log = new LoggerConfiguration().CreateLogger();
        var loomio = new LoomioClient(Http, new LoomioClientOptions { BaseUrl = _loomio.BaseUrl, ApiKey = _loomio.ApiKey });
        var ingestor = new DecisionIngestor(Database, loomio, _loomio.BaseUrl, log);
        await ingestor.ReconcileGroupAsync(group);
        var chain = new AnchorChain(Coop.Client, DecisionAnchor, Coop.Anchor.Abi, Coop.Bridge);
        var store = new EmbeddedContentStore(_content.Path);
        var pipeline = AnchoringPipeline.Create(Database, store, chain, log, new AnchoringPipelineOptions { MaxWait = TimeSpan.Zero, Confirmations = 1 });
        while ((await DecisionQueries.AnchoredAsync(Database)).Count(a => a.BatchStatus == "confirmed") < 3) await pipeline.RunRoundAsync();
        Anchored = await DecisionQueries.AnchoredAsync(Database);
        foreach (var account in MemberAccounts) await Coop.AdmitAsync(account);
        var escrow = await EscrowParties.StartAsync(Coop);
        DisputedEscrow = await escrow.ProposeAsync(1_000);
        await escrow.AsSeller.SendAsync("accept", [DisputedEscrow]);
        await escrow.AsBuyer.SendAsync("dispute", [DisputedEscrow, new byte[32]]);
        await MirrorChainAsync(log);
        await CoordinateBallotAsync();

        var service = new BridgeService(ingestor, loomio, pipeline, new BridgeServiceOptions { Groups = [group] }, log);
        var contracts = Coop.Manifest.Contracts.ToDictionary(c => c.Key, c => c.Value.Address);
        var targets = new GovernanceTargets(Coop.Manifest.ChainId, Coop.Identity.Address, Coop.Manifest["Constitution"].Address, Coop.Schedule.Address);
        Host = await BridgeWebHost.StartAsync(new BridgeWebHostOptions
        {
            Listen = "http://127.0.0.1:0", ContentStore = store,
            Bridge = new BridgeEndpointsOptions(Database, service, new string('a', 64), Coop.Manifest.ChainId, DecisionAnchor, new MembershipConsent(Database, targets, Coop.Manifest.Issuer, log))
            {
                Deployment = new PublicDeployment(Coop.Manifest.ChainId, contracts, Coop.Node.RpcUrl),
            },
        }, log);

        _playwright = await Playwright.CreateAsync();
        // Debian's Chromium, never a downloaded one; nothing in the background may reach the network.
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>Reads the chain into the bridge's database with the real mirrors: memberships and every contract's events.</summary>
    public async Task MirrorChainAsync(ILogger? log = null)
    {
        log ??= new LoggerConfiguration().CreateLogger();
        var deployer = new CoopDeployer(TestToolchain.Runner());
        var memberships = new MembershipMirror(Database, Coop.Client, Coop.Identity.Address, deployer.Artifact(Coop.Manifest, "CoopIdentity").Abi, Coop.Manifest.DeployBlock, log);
        while (await memberships.RunOnceAsync() > 0)
        {
        }

        var events = ContractEventMirror.ForDeployment(Database, Coop.Client, Coop.Manifest, name => deployer.Artifact(Coop.Manifest, name).Abi, new ContractWatchOptions { Confirmations = 0 }, log);
        await events.CatchUpAsync();
    }

    // What the coordinator records of a ballot whose tally is proven and results published (the proving itself is tested in the ballot tests).
    private async Task CoordinateBallotAsync()
    {
        var store = new BallotStore(Database);
        var ballot = await store.RegisterAsync(Ballot, Coop.Manifest.ChainId, Coop.Manifest.DeployBlock, "Which garden plan?", 7, 3, new BallotCircuitParameters(2, 2, 1, 2), 1);
        foreach (var step in new[] { "batch:1", "tally:0" })
        {
            await store.SaltAsync(ballot.Id, step, Fr.One, step == "tally:0" ? Fr.One : null, Fr.One);
            await store.UpdateStepAsync(ballot.Id, step, "confirmed", "{}");
        }

        await store.SetStatusAsync(ballot.Id, "published", new TallyResult(new Dictionary<string, object>(), [2, 0, 1, 0, 0], 3, Fr.One, Fr.One, Fr.One, 0, true));
    }

    /// <summary>A governance action row for <paramref name="action"/> in <paramref name="status"/>, ordered by the anchored decision <paramref name="decision"/> at <paramref name="position"/>; returns its row id.</summary>
    public async Task<long> RecordActionAsync(AnchoredDecision decision, int position, GovernanceAction action, string status, long? executableAt = null, long? expiresAt = null,
        byte[]? metadata = null, Hash32? leaf = null)
    {
        var target = Coop.Identity.Address;
        await using var connection = await Database.OpenAsync();
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO governance_actions (version_id, position, kind, action_key, spec, status, target, params, executable_at, expires_at, metadata, consent_deadline, leaf)
            SELECT id, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12, CASE WHEN $7 = 'awaiting_consent' THEN now() + interval '7 days' END, $13
            FROM decision_versions WHERE poll_key = $1 AND version = $2 RETURNING id
            """, connection);
        object?[] values =
        [
            decision.PollKey, decision.Version, position, action.Kind.Name(), $"test-{position}", ActionSpec.ToJson(action), status, target.ToArray(), ActionLeaf.Params(action),
            executableAt, expiresAt, metadata, leaf?.ToArray(),
        ];
        foreach (var value in values) insert.Parameters.Add(new() { Value = value ?? DBNull.Value });
        insert.Parameters[9].NpgsqlDbType = insert.Parameters[10].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint;
        insert.Parameters[11].NpgsqlDbType = insert.Parameters[12].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea;
        return (long)(await insert.ExecuteScalarAsync())!;
    }

    /// <summary>The SHA-256 of an anchored decision's record: the digest its actions cite on chain.</summary>
    public static Hash32 Digest(AnchoredDecision decision) => new(System.Security.Cryptography.SHA256.HashData(decision.Record));

    /// <summary>A fresh page on the members' page, loaded (phone-sized when asked), with dev account <paramref name="wallet"/>'s wallet when given.</summary>
    public async Task<IPage> OpenAsync(bool phone = false, int? wallet = null, List<string>? walletRequests = null)
    {
        var context = await Browser.NewContextAsync(phone ? new BrowserNewContextOptions { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true } : new());
        var page = await context.NewPageAsync();
        if (wallet is { } account) await InjectedWallet.InstallAsync(page, Coop, account, walletRequests ?? []);
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(Host.Address.ToString());
        await page.WaitForSelectorAsync("body[data-ready=true]");
        Assert.Empty(errors);
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Host is not null) await Host.DisposeAsync();
        if (_loomio is not null) await _loomio.DisposeAsync();
        if (Coop is not null) await Coop.DisposeAsync();
        if (Database is not null) await Database.DisposeAsync();
        await _postgres.DisposeAsync();
        _content.Dispose();
    }
}
