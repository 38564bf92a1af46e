using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Contracts;
using Iskander.Chain.DevServices;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Toolchain;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bench;

/// <summary>
/// What the whole-system benchmarks run on: a fresh anvil, a fresh PostgreSQL cluster in a temporary
/// folder, and the cooperative's contracts deployed by the forge script; all gone when disposed.
/// </summary>
internal sealed class BenchEnvironment : IAsyncDisposable
{
    private readonly string _directory;

    private BenchEnvironment(string directory, AnvilNode node, PostgresCluster postgres, CoopDeployer deployer, DeploymentManifest manifest)
    {
        _directory = directory;
        Node = node;
        Postgres = postgres;
        Deployer = deployer;
        Manifest = manifest;
        Client = new EthClient(new JsonRpcClient(node.RpcUrl));
    }

    public AnvilNode Node { get; }

    public PostgresCluster Postgres { get; }

    public CoopDeployer Deployer { get; }

    public DeploymentManifest Manifest { get; }

    public EthClient Client { get; }

    /// <summary>A silent log: the runs print their tables.</summary>
    public static ILogger Log { get; } = new LoggerConfiguration().CreateLogger();

    /// <summary>A path in the environment's temporary folder.</summary>
    public string Combine(string name) => Path.Combine(_directory, name);

    /// <summary>Starts the services and deploys the contracts from anvil's account 0, anchoring with account <paramref name="anchorerAccount"/>.</summary>
    public static async Task<BenchEnvironment> StartAsync(ProjectLayout layout, int anchorerAccount)
    {
        var toolchain = new Toolchain.Toolchain(layout);
        var directory = Directory.CreateTempSubdirectory("iskander-bench-").FullName;
        // PostgreSQL runs as its own OS user when we are root: it must be able to enter the folder.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        AnvilNode? node = null;
        PostgresCluster? postgres = null;
        try
        {
            node = await AnvilNode.StartAsync(toolchain, new AnvilOptions(), Log);
            postgres = await PostgresCluster.StartAsync(toolchain, new PostgresClusterOptions { Directory = Path.Combine(directory, "pg"), DeleteOnDispose = true }, Log);
            var deployer = new CoopDeployer(new ToolRunner(toolchain));
            // The deploy script may only write under deployments/; the manifest is read back and removed.
            var manifestPath = Path.Combine(layout.Root, "deployments", $"bench-{Guid.NewGuid():N}.json");
            var anchorer = PrivateKey.FromHex(node.Accounts[anchorerAccount].PrivateKey);
            var manifest = await deployer.DeployAsync(node.RpcUrl, PrivateKey.FromHex(node.Accounts[0].PrivateKey), manifestPath, new CoopDeploymentOptions { Anchorer = anchorer.Address });
            File.Delete(manifestPath);
            return new BenchEnvironment(directory, node, postgres, deployer, manifest);
        }
        catch
        {
            if (postgres is not null) await postgres.DisposeAsync();
            if (node is not null) await node.DisposeAsync();
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>A new, migrated bridge database <paramref name="name"/> in the cluster.</summary>
    public async Task<BridgeDatabase> CreateDatabaseAsync(string name)
    {
        await using (var admin = new NpgsqlConnection(Postgres.ConnectionStringFor("postgres")))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var database = new BridgeDatabase(Postgres.ConnectionStringFor(name));
        await database.MigrateAsync();
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        await Postgres.DisposeAsync();
        await Node.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
