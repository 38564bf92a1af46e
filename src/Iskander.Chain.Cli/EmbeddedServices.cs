using Iskander.Chain.DevServices;
using Iskander.Chain.Toolchain;
using Serilog;

namespace Iskander.Chain.Cli;

/// <summary>
/// The services <c>serve</c> runs on: configured endpoints when given (<c>ISKANDER_RPC_URL</c>,
/// <c>ISKANDER_DATABASE</c>), otherwise a local anvil and a private PostgreSQL cluster under the
/// data folder, both kept across restarts and restarted by <see cref="Supervisor"/> when they die.
/// One process owns a data folder at a time (a lock the kernel releases when the process dies,
/// however it dies).
/// </summary>
internal sealed class EmbeddedServices : IAsyncDisposable
{
    public const string RpcUrlVariable = "ISKANDER_RPC_URL";
    public const string DatabaseVariable = "ISKANDER_DATABASE";

    public const string LockFileName = "serve.lock";

    private AnvilNode? _anvil;
    private PostgresCluster? _postgres;
    private FileStream? _lock;
    private ServiceSupervisor? _supervisor;

    public required Uri RpcUrl { get; init; }
    /// <summary>The database's roles: for the embedded cluster its superuser and its unprivileged service role.</summary>
    public required DatabaseConnections Database { get; init; }

    public bool RpcIsEmbedded => _anvil is not null;
    public bool DatabaseIsEmbedded => _postgres is not null;

    /// <summary>Keeps the embedded services running (supervises nothing for configured ones).</summary>
    public ServiceSupervisor Supervisor => _supervisor!;

    /// <summary>anvil's public development accounts (empty for a configured node).</summary>
    public IReadOnlyList<DevAccount> DevAccounts => _anvil?.Accounts ?? [];

    /// <summary>The embedded chain's deployment manifest (in the data folder: it belongs to that chain).</summary>
    public static string EmbeddedManifestPath(string dataDirectory) => Path.Combine(dataDirectory, "anvil", "deployment.json");

    /// <summary>Starts (or connects to) the services; with <paramref name="reset"/>, the embedded chain and database are first moved aside into <c>reset-*/</c>.</summary>
    /// <exception cref="UserErrorException">A setting is wrong, or another process owns the data folder.</exception>
    public static async Task<EmbeddedServices> StartAsync(
        Toolchain.Toolchain toolchain, string dataDirectory, bool reset, ILogger log, CancellationToken cancellationToken)
    {
        var configuredRpc = Environment.GetEnvironmentVariable(RpcUrlVariable);
        var rpcUrl = string.IsNullOrWhiteSpace(configuredRpc) ? null : ParseRpcUrl(configuredRpc);
        var configuredDatabase = DatabaseConnections.Configured();
        var folderLock = Lock(dataDirectory);
        PostgresCluster? postgres = null;
        AnvilNode? anvil = null;
        try
        {
            if (reset) await ResetAsync(toolchain, dataDirectory, log, cancellationToken).ConfigureAwait(false);
            var database = configuredDatabase;
            if (database is null)
            {
                postgres = await PostgresCluster.StartAsync(toolchain,
                    new PostgresClusterOptions { Directory = Path.Combine(dataDirectory, "postgres") }, log, cancellationToken).ConfigureAwait(false);
                database = DatabaseConnections.Embedded(postgres);
            }

            if (rpcUrl is null)
            {
                Directory.CreateDirectory(Path.Combine(dataDirectory, "anvil"));
                anvil = await AnvilNode.StartAsync(toolchain,
                    AnvilOptionsFor(dataDirectory), log, cancellationToken).ConfigureAwait(false);
                rpcUrl = anvil.RpcUrl;
            }

            var services = new EmbeddedServices { RpcUrl = rpcUrl, Database = database, _anvil = anvil, _postgres = postgres, _lock = folderLock };
            services._supervisor = new ServiceSupervisor(services.Supervised(toolchain, dataDirectory, log).ToList(), new SupervisionPolicy(), log);
            return services;
        }
        catch
        {
            if (anvil is not null) await anvil.DisposeAsync().ConfigureAwait(false);
            if (postgres is not null) await postgres.DisposeAsync().ConfigureAwait(false);
            await folderLock.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // Each restarts on its data and its address, so the connection string and RPC URL handed out stay valid.
    private IEnumerable<SupervisedService> Supervised(Toolchain.Toolchain toolchain, string dataDirectory, ILogger log)
    {
        if (_postgres is { } postgres)
        {
            yield return new SupervisedService("the embedded PostgreSQL", () => postgres.IsRunning, postgres.StartAsync);
        }

        if (_anvil is not null)
        {
            yield return new SupervisedService("the embedded anvil", () => _anvil.IsRunning, async cancellationToken =>
            {
                var port = _anvil.Port;
                await _anvil.DisposeAsync().ConfigureAwait(false);
                _anvil = await AnvilNode.StartAsync(toolchain, AnvilOptionsFor(dataDirectory) with { Port = port }, log, cancellationToken).ConfigureAwait(false);
            });
        }
    }

    /// <summary>Saves the embedded chain's state now (e.g. right after deploying, before anything relies on the deployment).</summary>
    public Task SaveChainStateAsync(CancellationToken cancellationToken) => _anvil?.SaveStateAsync(cancellationToken) ?? Task.CompletedTask;

    private static AnvilOptions AnvilOptionsFor(string dataDirectory) =>
        new() { StateFile = Path.Combine(dataDirectory, "anvil", "state.json"), BlockTime = 1 };

    // The kernel drops the lock when the process dies, so a crashed serve never blocks the next one.
    private static FileStream Lock(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, LockFileName);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new UserErrorException($"another iskander-chain serve is running on the data folder {dataDirectory}: stop it first, or give this one its own --data-dir", ExitCodes.Refused);
        }
    }

    // A new chain is a deliberate choice: the old chain and the database that recorded anchors on it are kept, moved aside.
    private static async Task ResetAsync(Toolchain.Toolchain toolchain, string dataDirectory, ILogger log, CancellationToken cancellationToken)
    {
        var aside = Path.Combine(dataDirectory, $"reset-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}");
        var anvilDirectory = Path.Combine(dataDirectory, "anvil");
        if (Directory.Exists(anvilDirectory))
        {
            await AnvilNode.StopOrphanAsync(AnvilOptionsFor(dataDirectory), log, cancellationToken).ConfigureAwait(false);
            Directory.CreateDirectory(aside);
            Directory.Move(anvilDirectory, Path.Combine(aside, "anvil"));
        }

        var postgresDirectory = Path.Combine(dataDirectory, "postgres");
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(DatabaseVariable)) && Directory.Exists(postgresDirectory))
        {
            // A cluster left running by a crashed serve is adopted, then stopped, before its folder moves.
            await (await PostgresCluster.StartAsync(toolchain, new PostgresClusterOptions { Directory = postgresDirectory }, log, cancellationToken).ConfigureAwait(false))
                .DisposeAsync().ConfigureAwait(false);
            Directory.CreateDirectory(aside);
            Directory.Move(postgresDirectory, Path.Combine(aside, "postgres"));
        }

        if (Directory.Exists(aside)) log.Warning("--reset: the embedded chain and database were moved to {Folder}; starting a new chain", aside);
    }

    /// <summary>An RPC endpoint as it may be shown: scheme, host and port only (providers put API keys in the path, query or user info).</summary>
    public static string Redacted(Uri url) =>
        url.PathAndQuery is "/" or "" && url.UserInfo.Length == 0 ? url.GetLeftPart(UriPartial.Authority) : $"{url.Scheme}://{url.Host}:{url.Port}/…";

    // The value is never echoed: an RPC URL often carries an API key.
    private static Uri ParseRpcUrl(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Host.Length > 0
            ? url
            : throw new UserErrorException($"{RpcUrlVariable} is not an http(s) URL: set it to the JSON-RPC endpoint of the chain's node (e.g. http://127.0.0.1:8545), or unset it for the embedded anvil");

    public async ValueTask DisposeAsync()
    {
        if (_anvil is not null) await _anvil.DisposeAsync().ConfigureAwait(false);
        if (_postgres is not null) await _postgres.DisposeAsync().ConfigureAwait(false);
        if (_lock is not null) await _lock.DisposeAsync().ConfigureAwait(false);
    }
}
