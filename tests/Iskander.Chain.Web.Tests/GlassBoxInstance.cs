using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Host;
using Iskander.Chain.Host.Api;
using Iskander.Chain.Loomio;
using Iskander.Chain.Loomio.Emulator;
using Iskander.Chain.Testing;
using Microsoft.Playwright;
using Serilog;

namespace Iskander.Chain.Web.Tests;

/// <summary>
/// One real instance for a test class: a cooperative on anvil, PostgreSQL, decisions from the Loomio
/// emulator anchored by the real pipeline, the host serving the members' page, and Chromium.
/// </summary>
public sealed class GlassBoxInstance : IAsyncLifetime
{
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
        var service = new BridgeService(ingestor, loomio, pipeline, new BridgeServiceOptions { Groups = [group] }, log);
        var contracts = Coop.Manifest.Contracts.ToDictionary(c => c.Key, c => c.Value.Address);
        Host = await BridgeWebHost.StartAsync(new BridgeWebHostOptions
        {
            Listen = "http://127.0.0.1:0", ContentStore = store,
            Bridge = new BridgeEndpointsOptions(Database, service, new string('a', 64), Coop.Manifest.ChainId, DecisionAnchor)
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

    /// <summary>A fresh page on the members' page, loaded (phone-sized when asked).</summary>
    public async Task<IPage> OpenAsync(bool phone = false, PrivateKey? wallet = null, List<string>? walletRequests = null)
    {
        var context = await Browser.NewContextAsync(phone ? new BrowserNewContextOptions { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true } : new());
        var page = await context.NewPageAsync();
        if (wallet is not null) await InjectedWallet.InstallAsync(page, wallet, walletRequests ?? []);
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
