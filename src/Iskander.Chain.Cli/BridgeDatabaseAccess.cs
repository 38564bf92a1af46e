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
            var connections = DatabaseConnections.Configured();
            if (connections is null)
            {
                cluster = await PostgresCluster.StartAsync(new Toolchain.Toolchain(layout), new PostgresClusterOptions { Directory = Path.Combine(dataDir, "postgres") }, log, cancellationToken)
                    .ConfigureAwait(false);
                connections = DatabaseConnections.Embedded(cluster);
            }

            // Migrations run as the schema's owner; the command itself as the service role, as serve does (least privilege).
            await using var database = await connections.OpenMigratedAsync(log, cancellationToken).ConfigureAwait(false);
            log.Information("Reading the bridge database as role {Role}", new Npgsql.NpgsqlConnectionStringBuilder(connections.Service).Username);
            return await body(database, log).ConfigureAwait(false);
        }
        catch (UserErrorException ex)
        {
            log.Error("{Problem:l}", ex.Message);
            return ex.ExitCode;
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
