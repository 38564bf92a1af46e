using Iskander.Chain.DevServices;
using Npgsql;

namespace Iskander.Chain.Cli;

/// <summary>What the running services answered to a health check.</summary>
internal sealed record HealthReport(ulong? ChainId, ulong? BlockNumber, string? DatabaseVersion, string? DatabaseError)
{
    public bool Healthy => ChainId is not null && BlockNumber is not null && DatabaseVersion is not null;

    /// <summary>What is wrong, one clause per service with the fix; empty when healthy.</summary>
    public string Problems(EmbeddedServices services)
    {
        var problems = new List<string>();
        if (ChainId is null || BlockNumber is null)
        {
            problems.Add(services.RpcIsEmbedded
                ? "the embedded anvil does not answer JSON-RPC"
                : $"the chain node at {EmbeddedServices.Redacted(services.RpcUrl)} does not answer JSON-RPC (eth_chainId, eth_blockNumber): start it, or fix {EmbeddedServices.RpcUrlVariable}");
        }

        if (DatabaseVersion is null)
        {
            problems.Add(services.DatabaseIsEmbedded
                ? $"the embedded PostgreSQL does not accept connections ({DatabaseError})"
                : $"PostgreSQL does not accept connections ({DatabaseError}): start it, or fix {EmbeddedServices.DatabaseVariable}");
        }

        return string.Join("; ", problems);
    }

    public static async Task<HealthReport> CheckAsync(EmbeddedServices services, CancellationToken cancellationToken)
    {
        var chainId = await RpcProbe.TryChainIdAsync(services.RpcUrl, cancellationToken).ConfigureAwait(false);
        var block = await RpcProbe.TryBlockNumberAsync(services.RpcUrl, cancellationToken).ConfigureAwait(false);
        try
        {
            // Unpooled: a pooled connection may predate a restart of the server.
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(services.Database.Service) { Pooling = false }.ConnectionString);
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
