using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Contracts;
using Iskander.Chain.DevServices;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Loomio;
using Iskander.Chain.Testing;
using Iskander.Chain.Loomio.Emulator;
using Serilog;

namespace Iskander.Chain.Bridge.Tests;

/// <summary>
/// Everything real: an anvil node with the contracts deployed by the forge script, a PostgreSQL
/// database migrated by DbUp, the embedded content store, and the Loomio emulator in front.
/// </summary>
public sealed class BridgeHarness : IAsyncDisposable
{
    private static readonly HttpClient Http = new();
    private readonly string _manifestPath;

    private BridgeHarness(AnvilNode node, LoomioEmulator loomio, BridgeDatabase database, DeploymentManifest manifest, string manifestPath, TempDirectory directory, string connectionString)
    {
        Node = node;
        Loomio = loomio;
        Database = database;
        Manifest = manifest;
        _manifestPath = manifestPath;
        Directory = directory;
        ConnectionString = connectionString;
        Client = new EthClient(new JsonRpcClient(node.RpcUrl));
        Store = new EmbeddedContentStore(directory.Combine("content"));
        AnchorContract = new Contract(Client, manifest["DecisionAnchor"].Address, new CoopDeployer(TestToolchain.Runner()).Artifact(manifest, "DecisionAnchor").Abi);
    }

    public AnvilNode Node { get; }
    public LoomioEmulator Loomio { get; }
    public BridgeDatabase Database { get; }
    public string ConnectionString { get; }
    public DeploymentManifest Manifest { get; }
    public TempDirectory Directory { get; }
    public EthClient Client { get; }
    public EmbeddedContentStore Store { get; }
    public Contract AnchorContract { get; }
    public ILogger Log { get; } = new LoggerConfiguration().CreateLogger();

    /// <summary>The notice of the test cooperative's schedule; each round of <see cref="RunUntilAsync"/> advances chain time by a quarter of it.</summary>
    public static readonly TimeSpan Notice = TimeSpan.FromSeconds(60);

    /// <summary>Moves chain time forward by <paramref name="time"/> and mines a block.</summary>
    public async Task AdvanceAsync(TimeSpan time)
    {
        await Client.Rpc.CallAsync("evm_increaseTime", [(long)time.TotalSeconds]);
        await Client.Rpc.CallAsync("evm_mine", []);
    }

    public static async Task<BridgeHarness> StartAsync(PostgresFixture postgres)
    {
        var node = await AnvilNode.StartAsync(TestToolchain.Create());
        var manifestPath = Path.Combine(TestToolchain.Layout.Root, "deployments", $"test-{Guid.NewGuid():N}.json");
        var anchorer = PrivateKey.FromHex(node.Accounts[1].PrivateKey);
        var manifest = await new CoopDeployer(TestToolchain.Runner()).DeployAsync(node.RpcUrl, PrivateKey.FromHex(node.Accounts[0].PrivateKey), manifestPath,
            new CoopDeploymentOptions { Anchorer = anchorer.Address, Issuer = anchorer.Address, NoticePeriod = Notice });
        var connectionString = await postgres.CreateDatabaseAsync();
        var database = new BridgeDatabase(connectionString);
        await database.MigrateAsync();
        return new BridgeHarness(node, await LoomioEmulator.StartAsync(), database, manifest, manifestPath, new TempDirectory(), connectionString);
    }

    public DecisionIngestor Ingestor(BridgeDatabase? database = null) =>
        new(database ?? Database, new LoomioClient(Http, new LoomioClientOptions { BaseUrl = Loomio.BaseUrl, ApiKey = Loomio.ApiKey }), Loomio.BaseUrl, Log);

    /// <summary>The bridge's contracts with its key (anchorer and issuer), as one bridge process connects them.</summary>
    public BridgeContracts Contracts() =>
        BridgeContracts.Connect(Client, Manifest, name => new CoopDeployer(TestToolchain.Runner()).Artifact(Manifest, name).Abi, PrivateKey.FromHex(Node.Accounts[1].PrivateKey));

    /// <summary>A pipeline as one bridge process would build it (own connections, own sender), governance included.</summary>
    public AnchoringPipeline Pipeline(BridgeDatabase? database = null, int maxLeaves = 8, int confirmations = 2, TimeSpan? resubmitAfter = null, TimeSpan? consentWindow = null,
        TimeSpan? auditInterval = null)
    {
        var contracts = Contracts();
        return AnchoringPipeline.Create(database ?? Database, Store, contracts.Anchor, Log, new AnchoringPipelineOptions
        {
            MaxLeaves = maxLeaves, MaxWait = TimeSpan.Zero, Confirmations = confirmations, ResubmitAfter = resubmitAfter ?? TimeSpan.FromSeconds(60),
            ConsentWindow = consentWindow ?? TimeSpan.FromDays(14), AuditInterval = auditInterval ?? TimeSpan.FromHours(1),
        }, contracts.Governance);
    }

    /// <summary>Runs rounds (mining a block after each, with chain time a quarter notice later) until <paramref name="done"/> holds.</summary>
    public async Task RunUntilAsync(AnchoringPipeline pipeline, Func<Task<bool>> done, string what, int maxRounds = 100)
    {
        for (var round = 0; round < maxRounds; round++)
        {
            await pipeline.RunRoundAsync();
            await AdvanceAsync(Notice / 4);
            if (await done()) return;
        }

        throw new Xunit.Sdk.XunitException($"{what} did not happen within {maxRounds} rounds");
    }

    /// <summary>A verifier reading the embedded store and the chain.</summary>
    public DecisionVerifier Verifier(int confirmations = 2) =>
        new(Store, new AnchorChain(Client, Manifest["DecisionAnchor"].Address, AnchorContract.Abi, new TransactionSender(Client, new LocalSigner(PrivateKey.FromHex(Node.Accounts[1].PrivateKey)))), confirmations);

    /// <summary>Runs rounds (mining a block after each, so confirmations accrue) until every version is in a confirmed batch.</summary>
    public async Task RunUntilConfirmedAsync(AnchoringPipeline pipeline, int maxRounds = 200)
    {
        for (var round = 0; round < maxRounds; round++)
        {
            await pipeline.RunRoundAsync();
            await Client.Rpc.CallAsync("evm_mine", []);
            var counts = await DecisionQueries.StatusCountsAsync(Database);
            if (counts.Count > 0 && counts.Keys.All(k => k == "batched/confirmed")) return;
        }

        throw new Xunit.Sdk.XunitException($"not all confirmed after {maxRounds} rounds: {string.Join(", ", (await DecisionQueries.StatusCountsAsync(Database)).Select(p => $"{p.Key}={p.Value}"))}");
    }

    public async ValueTask DisposeAsync()
    {
        await Loomio.DisposeAsync();
        await Database.DisposeAsync();
        await Node.DisposeAsync();
        Directory.Dispose();
        File.Delete(_manifestPath);
    }
}
