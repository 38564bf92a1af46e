using Iskander.Chain.DevServices;
using Npgsql;

namespace Iskander.Chain.Cli;

/// <summary>What the running services answered to a health check.</summary>
internal sealed record HealthReport(ulong? ChainId, ulong? BlockNumber, string? DatabaseVersion, string? DatabaseError)
{
    public bool Healthy => ChainId is not null && BlockNumber is not null && DatabaseVersion is not null;

    public static async Task<HealthReport> CheckAsync(EmbeddedServices services, CancellationToken cancellationToken)
    {
        var chainId = await RpcProbe.TryChainIdAsync(services.RpcUrl, cancellationToken).ConfigureAwait(false);
        var block = await RpcProbe.TryBlockNumberAsync(services.RpcUrl, cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = new NpgsqlConnection(services.ConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var query = new NpgsqlCommand("SHOW server_version", connection);
            var version = (string?)await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return new HealthReport(chainId, block, version, null);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return new HealthReport(chainId, block, null, ex.Message);
        }
    }
}
