using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.DevServices;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Cli;

/// <summary>
/// The bridge database as two roles: the schema's owner (<see cref="Owner"/>) only migrates it and
/// grants the service role its privileges; everything else runs as the service role
/// (<see cref="Service"/>), which reads and writes the bridge's rows but can neither rewrite the Glass
/// Box nor lift its protection. Embedded: the cluster's superuser and its service role. Configured:
/// <c>ISKANDER_DATABASE_OWNER</c> (optional; without it the one role does both) and <c>ISKANDER_DATABASE</c>.
/// </summary>
/// <param name="Owner">Connection string of the schema's owner.</param>
/// <param name="Service">Connection string of the role the bridge and the read commands run as.</param>
/// <param name="OwnerSource">Where <paramref name="Owner"/> came from, for messages.</param>
internal sealed record DatabaseConnections(string Owner, string Service, string OwnerSource)
{
    /// <summary>Environment variable: connection string of the schema's owner, used only for migrations and grants.</summary>
    public const string OwnerVariable = "ISKANDER_DATABASE_OWNER";

    /// <summary>The configured database, or null when none is (the embedded cluster serves then).</summary>
    /// <exception cref="UserErrorException"><c>ISKANDER_DATABASE_OWNER</c> is set without <c>ISKANDER_DATABASE</c>.</exception>
    public static DatabaseConnections? Configured()
    {
        var service = Environment.GetEnvironmentVariable(EmbeddedServices.DatabaseVariable);
        var owner = Environment.GetEnvironmentVariable(OwnerVariable);
        if (string.IsNullOrWhiteSpace(service))
        {
            return string.IsNullOrWhiteSpace(owner) ? null
                : throw new UserErrorException($"{OwnerVariable} is set but {EmbeddedServices.DatabaseVariable} is not: set {EmbeddedServices.DatabaseVariable} to the connection string of the bridge's own role, or unset both for the embedded PostgreSQL");
        }

        return string.IsNullOrWhiteSpace(owner) ? new(service, service, EmbeddedServices.DatabaseVariable) : new(owner, service, OwnerVariable);
    }

    /// <summary>The embedded cluster's superuser and service role.</summary>
    public static DatabaseConnections Embedded(PostgresCluster cluster) => new(cluster.ConnectionString, cluster.ServiceConnectionString, "the embedded PostgreSQL's superuser");

    /// <summary>
    /// Migrates the schema as its owner, grants the service role the bridge's privileges (when it is
    /// another role), and returns the database as the service role. Logs a warning when the service
    /// role could still alter the Glass Box (a superuser, or the tables' owner).
    /// </summary>
    /// <exception cref="UserErrorException">The owner cannot connect or migrate, reaches another database, or the service role's name cannot be granted to.</exception>
    public async Task<BridgeDatabase> OpenMigratedAsync(ILogger log, CancellationToken cancellationToken)
    {
        var database = new BridgeDatabase(Service);
        try
        {
            var (role, name) = await database.IdentityAsync(cancellationToken).ConfigureAwait(false);
            await MigrateAsOwnerAsync(role, name, cancellationToken).ConfigureAwait(false);
            if (await database.GlassBoxExposureAsync(cancellationToken).ConfigureAwait(false) is { } exposure)
            {
                log.Warning("The bridge's database role {Role} {Exposure}: it could rewrite the Glass Box or drop its append-only trigger. Give the bridge a role of its own in {ServiceVariable} and migrate as the owner with {OwnerVariable} (docs/operations.md, Database roles)",
                    role, exposure, EmbeddedServices.DatabaseVariable, OwnerVariable);
            }

            return database;
        }
        catch
        {
            await database.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task MigrateAsOwnerAsync(string serviceRole, string serviceDatabase, CancellationToken cancellationToken)
    {
        await using var owner = new BridgeDatabase(Owner);
        try
        {
            var (ownerRole, ownerDatabase) = await owner.IdentityAsync(cancellationToken).ConfigureAwait(false);
            if (ownerDatabase != serviceDatabase)
            {
                throw new UserErrorException($"{OwnerSource} connects to the database {ownerDatabase}, but {EmbeddedServices.DatabaseVariable} to {serviceDatabase}: point both at the bridge's database");
            }

            await owner.MigrateAsync(cancellationToken).ConfigureAwait(false);
            // Granting to the owner itself would revoke the owner's own table privileges.
            if (ownerRole != serviceRole) await owner.GrantServiceRoleAsync(serviceRole, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException)
        {
            throw new UserErrorException($"{EmbeddedServices.DatabaseVariable}: the role {serviceRole} is not a plain PostgreSQL role name (lower-case letters, digits, _), which the grants need: give the bridge a role with such a name", ExitCodes.BadInput);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            throw new UserErrorException($"the schema's owner ({OwnerSource}) could not migrate the bridge's database: {ex.Message}", ExitCodes.Failed);
        }
    }
}
