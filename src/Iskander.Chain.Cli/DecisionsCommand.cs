using System.CommandLine;
using System.Globalization;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.DevServices;
using Iskander.Chain.Toolchain;

namespace Iskander.Chain.Cli;

/// <summary><c>iskander-chain decisions list</c>: the decision versions the bridge holds, with their pipeline status.</summary>
internal static class DecisionsCommand
{
    public static Command Create()
    {
        var dataDirectory = CommonOptions.DataDirectory();
        var list = new Command("list", $"List decision versions and where each is in the pipeline (database: ${EmbeddedServices.DatabaseVariable}, else the embedded cluster).") { dataDirectory };
        list.SetAction(async (parseResult, cancellationToken) =>
        {
            var log = Logging.CreateConsoleLogger();
            var layout = ProjectLayout.Discover();
            var dataDir = CommonOptions.ResolveDataDirectory(parseResult.GetValue(dataDirectory), layout);
            PostgresCluster? cluster = null;
            try
            {
                var connectionString = Environment.GetEnvironmentVariable(EmbeddedServices.DatabaseVariable);
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    cluster = await PostgresCluster.StartAsync(new Toolchain.Toolchain(layout), new PostgresClusterOptions { Directory = Path.Combine(dataDir, "postgres") }, log, cancellationToken)
                        .ConfigureAwait(false);
                    connectionString = cluster.ConnectionString;
                }

                await using var database = new BridgeDatabase(connectionString);
                await database.MigrateAsync(cancellationToken).ConfigureAwait(false);
                var counts = await DecisionQueries.StatusCountsAsync(database, cancellationToken).ConfigureAwait(false);
                foreach (var decision in await DecisionQueries.AnchoredAsync(database, cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{decision.PollKey,-12} v{decision.Version,-3} {decision.State,-18} {decision.Cid}  batch {decision.BatchStatus,-9} block {decision.BlockNumber?.ToString(CultureInfo.InvariantCulture) ?? "-"}"));
                }

                Console.WriteLine(counts.Count == 0 ? "no decision versions yet" : "pipeline: " + string.Join(", ", counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Value} {p.Key}")));
                return 0;
            }
            catch (Exception ex) when (ex is ToolException or DevServiceException or Npgsql.NpgsqlException)
            {
                log.Error("Cannot read the bridge database: {Reason}", ex.Message);
                return 1;
            }
            finally
            {
                // Leave a server that `serve` is using running; stop one started just for this listing.
                if (cluster is { WasAlreadyRunning: false }) await cluster.DisposeAsync().ConfigureAwait(false);
            }
        });
        return new Command("decisions", "Decision versions held by the bridge.") { list };
    }
}
