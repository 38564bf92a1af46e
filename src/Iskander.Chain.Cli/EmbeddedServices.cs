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
        var configuredRpc = Environment.GetEnvironmentVariable(RpcUrlVariable);
        var rpcUrl = string.IsNullOrWhiteSpace(configuredRpc) ? null : ParseRpcUrl(configuredRpc);
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

            if (rpcUrl is null)
            {
                var anvilDirectory = Directory.CreateDirectory(Path.Combine(dataDirectory, "anvil")).FullName;
                anvil = await AnvilNode.StartAsync(toolchain,
                    new AnvilOptions { StateFile = Path.Combine(anvilDirectory, "state.json"), BlockTime = 1 }, log, cancellationToken).ConfigureAwait(false);
                rpcUrl = anvil.RpcUrl;
            }

            return new EmbeddedServices { RpcUrl = rpcUrl, ConnectionString = connectionString, _anvil = anvil, _postgres = postgres };
        }
        catch
        {
            if (anvil is not null) await anvil.DisposeAsync().ConfigureAwait(false);
            if (postgres is not null) await postgres.DisposeAsync().ConfigureAwait(false);
            throw;
        }
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
    }
}
