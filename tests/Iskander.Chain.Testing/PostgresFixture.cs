using Iskander.Chain.DevServices;
using Npgsql;
using Xunit;

namespace Iskander.Chain.Testing;

/// <summary>
/// One real PostgreSQL cluster per test class; each test asks for a database of its own with
/// <see cref="CreateDatabaseAsync"/> so tests never see each other's rows.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("iskander-pg");
    private int _databases;

    /// <summary>The running cluster.</summary>
    public PostgresCluster Cluster { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Cluster = await PostgresCluster.StartAsync(TestToolchain.Create(), new PostgresClusterOptions { Directory = _directory.Combine("cluster") });
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"test_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..24];
        await using var connection = new NpgsqlConnection(Cluster.ConnectionStringFor("postgres"));
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return Cluster.ConnectionStringFor(name);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _directory.Dispose();
    }
}
