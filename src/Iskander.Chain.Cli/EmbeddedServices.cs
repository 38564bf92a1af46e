using Iskander.Chain.DevServices;
using Iskander.Chain.Toolchain;
using Serilog;

namespace Iskander.Chain.Cli;

/// <summary>
/// The services <c>serve</c> runs on: configured endpoints when given (<c>ISKANDER_RPC_URL</c>,
/// <c>ISKANDER_DATABASE</c>), otherwise a local anvil and a private PostgreSQL cluster under the
/// data folder, both kept across restarts.
/// </summary>
internal sealed class EmbeddedServices : IAsyncDisposable
{
    public const string RpcUrlVariable = "ISKANDER_RPC_URL";
    public const string DatabaseVariable = "ISKANDER_DATABASE";

    private AnvilNode? _anvil;
    private PostgresCluster? _postgres;

    public required Uri RpcUrl { get; init; }
    public required string ConnectionString { get; init; }
    public bool RpcIsEmbedded => _anvil is not null;
    public bool DatabaseIsEmbedded => _postgres is not null;

    /// <summary>anvil's public development accounts (empty for a configured node).</summary>
    public IReadOnlyList<DevAccount> DevAccounts => _anvil?.Accounts ?? [];

    public static async Task<EmbeddedServices> StartAsync(
        Toolchain.Toolchain toolchain, string dataDirectory, ILogger log, CancellationToken cancellationToken)
    {
        PostgresCluster? postgres = null;
        AnvilNode? anvil = null;
        try
        {
            var connectionString = Environment.GetEnvironmentVariable(DatabaseVariable);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                postgres = await PostgresCluster.StartAsync(toolchain,
                    new PostgresClusterOptions { Directory = Path.Combine(dataDirectory, "postgres") }, log, cancellationToken).ConfigureAwait(false);
                connectionString = postgres.ConnectionString;
            }

            var rpcUrl = Environment.GetEnvironmentVariable(RpcUrlVariable);
            if (string.IsNullOrWhiteSpace(rpcUrl))
            {
                var anvilDirectory = Directory.CreateDirectory(Path.Combine(dataDirectory, "anvil")).FullName;
                anvil = await AnvilNode.StartAsync(toolchain,
                    new AnvilOptions { StateFile = Path.Combine(anvilDirectory, "state.json"), BlockTime = 1 }, log, cancellationToken).ConfigureAwait(false);
                rpcUrl = anvil.RpcUrl.ToString();
            }

            return new EmbeddedServices { RpcUrl = new Uri(rpcUrl), ConnectionString = connectionString, _anvil = anvil, _postgres = postgres };
        }
        catch
        {
            if (anvil is not null) await anvil.DisposeAsync().ConfigureAwait(false);
            if (postgres is not null) await postgres.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_anvil is not null) await _anvil.DisposeAsync().ConfigureAwait(false);
        if (_postgres is not null) await _postgres.DisposeAsync().ConfigureAwait(false);
    }
}
