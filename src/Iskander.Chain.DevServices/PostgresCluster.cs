using System.Globalization;
using Iskander.Chain.Toolchain;
using Npgsql;
using Serilog;

namespace Iskander.Chain.DevServices;

/// <summary>
/// A private PostgreSQL cluster in a folder of its own, listening on loopback with trust
/// authentication: the zero-config database of the CLI and the real database of the tests.
/// A folder that already holds a cluster is reused with its data.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private const int UnixSocketPathLimit = 100;
    private readonly ToolRunner _runner;
    private readonly ILogger _log;
    private bool _running;

    private PostgresCluster(ToolRunner runner, PostgresClusterOptions options, ILogger log)
    {
        _runner = runner;
        _log = log;
        Options = options;
        Directory = Path.GetFullPath(options.Directory);
    }

    /// <summary>The options the cluster was started with.</summary>
    public PostgresClusterOptions Options { get; }

    /// <summary>Absolute folder of the cluster.</summary>
    public string Directory { get; }

    /// <summary>The PostgreSQL data directory inside <see cref="Directory"/>.</summary>
    public string DataDirectory => Path.Combine(Directory, "data");

    /// <summary>The server log file.</summary>
    public string LogFile => Path.Combine(Directory, "postgres.log");

    /// <summary>Port the server listens on (valid after start).</summary>
    public int Port { get; private set; }

    /// <summary>Connection string for <see cref="PostgresClusterOptions.Database"/>.</summary>
    public string ConnectionString => ConnectionStringFor(Options.Database);

    /// <summary>Connection string for another database of the cluster.</summary>
    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = Options.User,
        Database = database,
        Pooling = true,
    }.ConnectionString;

    /// <summary>Initialises the cluster when the folder holds none, starts the server and creates the database.</summary>
    /// <exception cref="ToolException">initdb or pg_ctl is missing or failed; the message carries the server log's tail.</exception>
    public static async Task<PostgresCluster> StartAsync(
        Toolchain.Toolchain toolchain, PostgresClusterOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var log = (logger ?? Serilog.Core.Logger.None).ForContext<PostgresCluster>();
        var cluster = new PostgresCluster(new ToolRunner(toolchain, logger), options, log);
        await cluster.StartAsync(cancellationToken).ConfigureAwait(false);
        return cluster;
    }

    /// <summary>Starts the server again after <see cref="StopAsync"/>, on the same data.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        PrepareDirectory();
        if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            _log.Information("Initialising PostgreSQL cluster in {DataDirectory}", DataDirectory);
            await RunAsync(Tool.Initdb, ["-D", DataDirectory, "-A", "trust", "-U", Options.User, "-E", "UTF8", "--no-locale", "--no-sync"],
                cancellationToken).ConfigureAwait(false);
        }

        var runningPort = await RunningPortAsync(cancellationToken).ConfigureAwait(false);
        if (runningPort is { } port)
        {
            // A server left running by an earlier process (e.g. after a crash) owns this data: adopt it.
            _log.Information("PostgreSQL already running on {DataDirectory}, port {Port}", DataDirectory, port);
            Port = port;
            WasAlreadyRunning = true;
        }
        else
        {
            Port = Options.Port ?? LoopbackPort.Free();
            var serverOptions = $"-p {Port} -c listen_addresses=127.0.0.1 -k '{SocketDirectory()}'";
            try
            {
                await RunAsync(Tool.PgCtl, ["start", "-w", "-t", "60", "-D", DataDirectory, "-l", LogFile, "-o", serverOptions],
                    cancellationToken).ConfigureAwait(false);
            }
            catch (ToolFailedException ex)
            {
                throw new DevServiceException($"PostgreSQL did not start: {ex.ErrorTail}\n--- {LogFile} ---\n{LogTail()}", ex);
            }
        }

        _running = true;
        await EnsureDatabaseAsync(cancellationToken).ConfigureAwait(false);
        _log.Information("PostgreSQL listening on 127.0.0.1:{Port}, database {Database}", Port, Options.Database);
    }

    /// <summary>Whether the last start adopted a server another process had started (a caller that only reads may leave it running).</summary>
    public bool WasAlreadyRunning { get; private set; }

    /// <summary>Stops the server (fast shutdown: open sessions are ended, committed data is kept).</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!_running) return;
        await RunAsync(Tool.PgCtl, ["stop", "-w", "-t", "60", "-m", "fast", "-D", DataDirectory], cancellationToken).ConfigureAwait(false);
        NpgsqlConnection.ClearAllPools();
        _running = false;
        _log.Information("PostgreSQL on port {Port} stopped", Port);
    }

    /// <summary>Stops the server and, if configured, deletes the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (Options.DeleteOnDispose && System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private void PrepareDirectory()
    {
        System.IO.Directory.CreateDirectory(Directory);
        if (!ToolRunner.IsRoot()) return;

        // The server runs as an unprivileged account: it must own the folder and reach it.
        File.SetUnixFileMode(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        using var chown = System.Diagnostics.Process.Start("chown", ["-R", $"{Options.OsUserWhenRoot}:", Directory]);
        chown.WaitForExit();
        if (chown.ExitCode != 0)
        {
            throw new DevServiceException($"could not give {Directory} to the OS user {Options.OsUserWhenRoot} (does it exist? apt-get install postgresql-15 creates it)");
        }
    }

    private string SocketDirectory() =>
        // Unix socket paths are limited to about 107 bytes; fall back to the system temp folder.
        Directory.Length + 20 < UnixSocketPathLimit ? Directory : "/tmp";

    private async Task<int?> RunningPortAsync(CancellationToken cancellationToken)
    {
        var status = await _runner.RunAsync(Tool.PgCtl, ["status", "-D", DataDirectory], RunOptions(allowFailure: true), cancellationToken)
            .ConfigureAwait(false);
        if (status.ExitCode != 0) return null;

        // postmaster.pid: line 4 is the port the running server listens on.
        var lines = await File.ReadAllLinesAsync(Path.Combine(DataDirectory, "postmaster.pid"), cancellationToken).ConfigureAwait(false);
        return lines.Length > 3 && int.TryParse(lines[3], NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    private async Task EnsureDatabaseAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", Options.Database);
        if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null) return;

        var quoted = "\"" + Options.Database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
        await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _log.Information("Created database {Database}", Options.Database);
    }

    private Task<ToolResult> RunAsync(Tool tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        _runner.RunAsync(tool, arguments, RunOptions(allowFailure: false), cancellationToken);

    private ToolRunOptions RunOptions(bool allowFailure) => new()
    {
        RunAsUser = Options.OsUserWhenRoot,
        WorkingDirectory = Directory,
        AllowFailure = allowFailure,
        Timeout = TimeSpan.FromMinutes(2),
    };

    private string LogTail()
    {
        if (!File.Exists(LogFile)) return "(no log)";
        var lines = File.ReadAllLines(LogFile);
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 20)));
    }
}
