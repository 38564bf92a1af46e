using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.DevServices;
using Iskander.Chain.Testing;
using Npgsql;

namespace Iskander.Chain.Bridge.Tests;

/// <summary>The database's pooled connections across a PostgreSQL restart.</summary>
public sealed class DatabaseRestartTests
{
    [Fact]
    public async Task Connections_pooled_before_a_restart_are_not_handed_out_after_it()
    {
        using var directory = new TempDirectory();
        await using var postgres = await PostgresCluster.StartAsync(TestToolchain.Create(), new PostgresClusterOptions { Directory = directory.Combine("postgres"), Port = LoopbackPort.Free(), DeleteOnDispose = true });
        await using var database = new BridgeDatabase(postgres.ConnectionString);
        // Several connections at once, back in the pool idle: what a busy bridge holds when the database restarts.
        var open = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => database.OpenAsync().AsTask()));
        foreach (var connection in open) await connection.DisposeAsync();

        await postgres.StopAsync();
        await postgres.StartAsync();

        for (var i = 0; i < 6; i++)
        {
            await using var connection = await database.OpenAsync();
            await using var query = new NpgsqlCommand("SELECT 1", connection);
            Assert.Equal(1, await query.ExecuteScalarAsync());
        }
    }
}
