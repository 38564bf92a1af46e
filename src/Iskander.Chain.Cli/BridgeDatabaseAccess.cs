using System.CommandLine;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.DevServices;
using Iskander.Chain.Toolchain;
using Serilog;

namespace Iskander.Chain.Cli;

/// <summary>
/// Opens the bridge database for read commands: <c>$ISKANDER_DATABASE</c>, else the embedded
/// cluster in the data folder (started for the command and stopped after, unless <c>serve</c> is
/// already running it), there as the service role, never the superuser.
/// </summary>
internal static class BridgeDatabaseAccess
{
    /// <summary>Runs <paramref name="body"/> with the migrated database; exit code 1 with a clear message when it cannot be reached.</summary>
    public static async Task<int> WithDatabaseAsync(ParseResult parseResult, Option<DirectoryInfo?> dataDirectory, Func<BridgeDatabase, ILogger, Task<int>> body, CancellationToken cancellationToken)
    {
        var log = Logging.CreateConsoleLogger();
        var layout = ProjectLayout.Discover();
        var dataDir = CommonOptions.ResolveDataDirectory(parseResult.GetValue(dataDirectory), layout);
        PostgresCluster? cluster = null;
        try
        {
            var connectionString = Environment.GetEnvironmentVariable(EmbeddedServices.DatabaseVariable);
            var readerConnectionString = connectionString;
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                cluster = await PostgresCluster.StartAsync(new Toolchain.Toolchain(layout), new PostgresClusterOptions { Directory = Path.Combine(dataDir, "postgres") }, log, cancellationToken)
                    .ConfigureAwait(false);
                connectionString = cluster.ConnectionString;
                readerConnectionString = cluster.ServiceConnectionString;
            }

            // Migrations need the schema's owner; the command itself runs as the service role, as serve does (least privilege).
            await using (var owner = new BridgeDatabase(connectionString))
            {
                await owner.MigrateAsync(cancellationToken).ConfigureAwait(false);
                if (cluster is not null) await owner.GrantServiceRoleAsync(cluster.Options.ServiceUser, cancellationToken).ConfigureAwait(false);
            }

            log.Information("Reading the bridge database as role {Role}", new Npgsql.NpgsqlConnectionStringBuilder(readerConnectionString).Username);
            await using var database = new BridgeDatabase(readerConnectionString!);
            return await body(database, log).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ToolException or DevServiceException or Npgsql.NpgsqlException)
        {
            log.Error("Cannot read the bridge database: {Reason}", ex.Message);
            return 1;
        }
        finally
        {
            if (cluster is { WasAlreadyRunning: false }) await cluster.DisposeAsync().ConfigureAwait(false);
        }
    }
}
