using System.Globalization;
using Iskander.Chain.Toolchain;
using Npgsql;
using Serilog;

namespace Iskander.Chain.DevServices;

/// <summary>
/// A private PostgreSQL cluster in a folder of its own: the zero-config database of the CLI and the
/// real database of the tests. It listens on loopback and on a Unix socket in a folder only its
/// owner can enter, and every connection must authenticate with a password (SCRAM): the superuser's
/// and the service role's passwords are generated once and kept owner-only in the cluster's folder.
/// A folder that already holds a cluster is reused with its data (one created with trust
/// authentication is moved to passwords at its next start).
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private const int UnixSocketPathLimit = 100;
    private const string HbaRules = "# Written by iskander-chain at each start: passwords (SCRAM) only, loopback and the private socket.\n"
        + "local all all scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n";
    private readonly ToolRunner _runner;
    private readonly ILogger _log;
    private bool _running;
    private string? _socketDirectory;

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

    /// <summary>Connection string for another database of the cluster, as the superuser (administration, schema migrations).</summary>
    public string ConnectionStringFor(string database) => Connect(database, Options.User, SuperuserPasswordFile);

    /// <summary>Connection string for <see cref="PostgresClusterOptions.Database"/> as <see cref="PostgresClusterOptions.ServiceUser"/>: no superuser, owns nothing, may only use what is granted to it.</summary>
    public string ServiceConnectionString => ServiceConnectionStringFor(Options.Database);

    /// <summary>Connection string for another database of the cluster, as <see cref="PostgresClusterOptions.ServiceUser"/>.</summary>
    public string ServiceConnectionStringFor(string database) => Connect(database, Options.ServiceUser, ServicePasswordFile);

    /// <summary>The owner-only file holding the superuser's password.</summary>
    public string SuperuserPasswordFile => Path.Combine(Directory, "superuser.password");

    private string ServicePasswordFile => Path.Combine(Directory, "service.password");

    private string Connect(string database, string user, string passwordFile) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = user,
        Password = File.ReadAllText(passwordFile).Trim(),
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
            await RunAsync(Tool.Initdb, ["-D", DataDirectory, "--auth=scram-sha-256", "--pwfile", SuperuserPasswordFile, "-U", Options.User, "-E", "UTF8", "--no-locale", "--no-sync"],
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
            // A restart keeps the port, so connection strings handed out before stay valid.
            Port = Options.Port ?? (Port != 0 ? Port : LoopbackPort.Free());
            var serverOptions = $"-p {Port} -c listen_addresses=127.0.0.1 -k '{_socketDirectory}'";
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
        await EnsureRolesAsync(cancellationToken).ConfigureAwait(false);
        await EnsureDatabaseAsync(cancellationToken).ConfigureAwait(false);
        _log.Information("PostgreSQL listening on 127.0.0.1:{Port}, database {Database}", Port, Options.Database);
    }

    /// <summary>Whether the last start adopted a server another process had started (a caller that only reads may leave it running).</summary>
    public bool WasAlreadyRunning { get; private set; }

    /// <summary>Whether the server's postmaster process runs (false once it was killed, even while its data folder still names it).</summary>
    public bool IsRunning => _running && PostmasterIsAlive();

    /// <summary>Stops the server (fast shutdown: open sessions are ended, committed data is kept); one that already died is only noted.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!_running) return;
        if (!PostmasterIsAlive())
        {
            NpgsqlConnection.ClearAllPools();
            _running = false;
            _log.Warning("PostgreSQL on port {Port} had already stopped", Port);
            return;
        }

        await RunAsync(Tool.PgCtl, ["stop", "-w", "-t", "60", "-m", "fast", "-D", DataDirectory], cancellationToken).ConfigureAwait(false);
        NpgsqlConnection.ClearAllPools();
        _running = false;
        _log.Information("PostgreSQL on port {Port} stopped", Port);
    }

    /// <summary>Stops the server and, if configured, deletes the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_socketDirectory is not null && !_socketDirectory.StartsWith(Directory, StringComparison.Ordinal) && System.IO.Directory.Exists(_socketDirectory))
        {
            System.IO.Directory.Delete(_socketDirectory, recursive: true); // the private folder under the system temp folder
        }

        if (Options.DeleteOnDispose && System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private void PrepareDirectory()
    {
        System.IO.Directory.CreateDirectory(Directory);
        _socketDirectory ??= PrivateSocketDirectory();
        WriteSecretOnce(SuperuserPasswordFile);
        WriteSecretOnce(ServicePasswordFile);
        if (!ToolRunner.IsRoot()) return;

        // The server runs as an unprivileged account: it must own the folder and reach it.
        File.SetUnixFileMode(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        using var chown = System.Diagnostics.Process.Start("chown", ["-R", $"{Options.OsUserWhenRoot}:", Directory, _socketDirectory]);
        chown.WaitForExit();
        if (chown.ExitCode != 0)
        {
            throw new DevServiceException($"could not give {Directory} to the OS user {Options.OsUserWhenRoot} (does it exist? apt-get install postgresql-15 creates it)");
        }
    }

    // Only the server's OS account may enter the socket's folder. Unix socket paths are limited to
    // about 107 bytes: a deep cluster folder gets a private folder under the system temp folder.
    private string PrivateSocketDirectory()
    {
        var inside = Path.Combine(Directory, "socket");
        if (inside.Length + 20 >= UnixSocketPathLimit) return System.IO.Directory.CreateTempSubdirectory("iskander-pgsock-").FullName;
        System.IO.Directory.CreateDirectory(inside);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(inside, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return inside;
    }

    private static void WriteSecretOnce(string path)
    {
        if (File.Exists(path)) return;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(path, options))
        using (var writer = new StreamWriter(file))
        {
            // Hex: safe inside SQL literals and initdb's password file.
            writer.Write(Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        }
    }

    // The superuser's password (a cluster initialised with trust, which ignores passwords, gets one
    // now), the service role with its password, then the rules that require them.
    private async Task EnsureRolesAsync(CancellationToken cancellationToken)
    {
        await using var connection = AdministrationConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var service = Quoted(Options.ServiceUser);
        var sql = $"""
            ALTER ROLE {Quoted(Options.User)} PASSWORD '{File.ReadAllText(SuperuserPasswordFile).Trim()}';
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{Options.ServiceUser.Replace("'", "''", StringComparison.Ordinal)}') THEN
                    CREATE ROLE {service} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
                END IF;
            END $$;
            ALTER ROLE {service} PASSWORD '{File.ReadAllText(ServicePasswordFile).Trim()}';
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        var hba = Path.Combine(DataDirectory, "pg_hba.conf");
        if (File.ReadAllText(hba) != HbaRules)
        {
            await File.WriteAllTextAsync(hba, HbaRules, cancellationToken).ConfigureAwait(false);
            await using var reload = new NpgsqlCommand("SELECT pg_reload_conf()", connection);
            await reload.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // Unpooled: after a crash of the server, a pooled connection is a dead one.
    private NpgsqlConnection AdministrationConnection() =>
        new(new NpgsqlConnectionStringBuilder(ConnectionStringFor("postgres")) { Pooling = false }.ConnectionString);

    private static string Quoted(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    // postmaster.pid's first line is the postmaster's pid; a killed one leaves the file behind (and,
    // until its parent reaps it, a zombie).
    private bool PostmasterIsAlive()
    {
        try
        {
            var pid = File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First();
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z') is false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return false;
        }
    }

    private async Task<int?> RunningPortAsync(CancellationToken cancellationToken)
    {
        // A killed postmaster's pid file stays (pg_ctl would take a zombie for a server); the file is
        // left for the new server, which checks through it that no old backend still uses the data.
        if (!PostmasterIsAlive()) return null;
        var status = await _runner.RunAsync(Tool.PgCtl, ["status", "-D", DataDirectory], RunOptions(allowFailure: true), cancellationToken)
            .ConfigureAwait(false);
        if (status.ExitCode != 0) return null;

        // postmaster.pid: line 4 is the port the running server listens on.
        var lines = await File.ReadAllLinesAsync(Path.Combine(DataDirectory, "postmaster.pid"), cancellationToken).ConfigureAwait(false);
        return lines.Length > 3 && int.TryParse(lines[3], NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    private async Task EnsureDatabaseAsync(CancellationToken cancellationToken)
    {
        await using var connection = AdministrationConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", Options.Database);
        if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null) return;

        await using var create = new NpgsqlCommand($"CREATE DATABASE {Quoted(Options.Database)}", connection);
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
