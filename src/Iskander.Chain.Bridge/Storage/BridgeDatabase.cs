using DbUp;
using Npgsql;

namespace Iskander.Chain.Bridge.Storage;

/// <summary>The bridge's PostgreSQL database: connections, and schema migrations with DbUp.</summary>
public sealed class BridgeDatabase(string connectionString) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    /// <summary>Opens a connection.</summary>
    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken = default) => _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// Applies the embedded migrations not yet applied (journaled in <c>schemaversions</c>). Runs under
    /// an advisory lock, so bridge processes starting together migrate once.
    /// </summary>
    /// <exception cref="InvalidOperationException">A migration failed; the message names it.</exception>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(7400001)", connection))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var upgrader = DeployChanges.To.PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(typeof(BridgeDatabase).Assembly, name => name.Contains(".Storage.Migrations.", StringComparison.Ordinal))
                .WithTransactionPerScript()
                .LogToNowhere()
                .Build();
            var result = upgrader.PerformUpgrade();
            if (!result.Successful) throw new InvalidOperationException($"database migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(7400001)", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
