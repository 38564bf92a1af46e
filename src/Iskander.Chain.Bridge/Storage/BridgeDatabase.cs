using DbUp;
using Npgsql;

namespace Iskander.Chain.Bridge.Storage;

/// <summary>The bridge's PostgreSQL database: connections, and schema migrations with DbUp.</summary>
public sealed class BridgeDatabase(string connectionString) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    /// <summary>
    /// Opens a connection that has just answered the server. A connection pooled before PostgreSQL
    /// restarted is dead, though the pool hands it out as open (its first command fails with
    /// "terminating connection due to administrator command"); one that fails the check empties
    /// the pool of its likes and a new connection is opened instead.
    /// </summary>
    public async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var ping = new NpgsqlCommand(";", connection);
            await ping.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException && connection.State != System.Data.ConnectionState.Open)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            _dataSource.Clear();
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

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

    /// <summary>
    /// Grants <paramref name="role"/> what the running bridge needs and nothing more: reading and
    /// writing rows of its tables, but on the Glass Box only reading and appending; it owns no table,
    /// so it can neither drop nor disable the Glass Box's append-only trigger. Run by the owner of
    /// the schema after <see cref="MigrateAsync"/> (tables a migration adds get their grants here).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="role"/> is not a plain lower-case identifier.</exception>
    public async Task GrantServiceRoleAsync(string role, CancellationToken cancellationToken = default)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(role, "^[a-z_][a-z0-9_]{0,62}$"))
        {
            throw new ArgumentException($"'{role}' is not a plain PostgreSQL role name (lower-case letters, digits, _)", nameof(role));
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var grant = new NpgsqlCommand($"""
            REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};
            GRANT USAGE ON SCHEMA public TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
            GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role};
            REVOKE INSERT, UPDATE, DELETE ON schemaversions FROM {role};
            REVOKE UPDATE, DELETE ON glass_box FROM {role};
            """, connection);
        await grant.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The role this database's connections log in as (<c>current_user</c>), and the database they reach.</summary>
    public async Task<(string Role, string Database)> IdentityAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = new NpgsqlCommand("SELECT current_user, current_database()", connection);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetString(0), reader.GetString(1));
    }

    /// <summary>
    /// Why this connection's role could rewrite the Glass Box or lift its append-only protection, or
    /// null when it cannot: it is a superuser, or it owns <c>glass_box</c> (directly, or as a member
    /// of the owning role, which it may <c>SET ROLE</c> to). Call after <see cref="MigrateAsync"/>.
    /// </summary>
    public async Task<string?> GlassBoxExposureAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = new NpgsqlCommand("""
            SELECT r.rolsuper, pg_has_role(current_user, c.relowner, 'MEMBER'), pg_get_userbyid(c.relowner), current_user
            FROM pg_roles r, pg_class c
            WHERE r.rolname = current_user AND c.oid = 'public.glass_box'::regclass
            """, connection);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var (owner, role) = (reader.GetString(2), reader.GetString(3));
        return reader.GetBoolean(0) ? "is a superuser"
            : !reader.GetBoolean(1) ? null
            : owner == role ? "owns the Glass Box's table glass_box"
            : $"is a member of {owner}, which owns the Glass Box's table glass_box";
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
