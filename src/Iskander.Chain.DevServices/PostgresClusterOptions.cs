namespace Iskander.Chain.DevServices;

/// <summary>How to run a private PostgreSQL cluster.</summary>
public sealed record PostgresClusterOptions
{
    /// <summary>Folder that holds the cluster (<c>data/</c>, the socket and <c>postgres.log</c>). Reused when it already holds a cluster.</summary>
    public required string Directory { get; init; }

    /// <summary>Loopback port; null picks a free one at each start.</summary>
    public int? Port { get; init; }

    /// <summary>Database created on first start (and connected to by <see cref="PostgresCluster.ConnectionString"/>).</summary>
    public string Database { get; init; } = "iskander";

    /// <summary>Superuser role of the cluster (administration and schema migrations; password in the cluster folder).</summary>
    public string User { get; init; } = "iskander";

    /// <summary>Unprivileged login role for the service (<see cref="PostgresCluster.ServiceConnectionString"/>): it owns nothing and gets only the privileges granted to it.</summary>
    public string ServiceUser { get; init; } = "iskander_service";

    /// <summary>OS account that runs the server when this process is root (PostgreSQL refuses to run as root).</summary>
    public string OsUserWhenRoot { get; init; } = "postgres";

    /// <summary>Delete <see cref="Directory"/> when the cluster is disposed.</summary>
    public bool DeleteOnDispose { get; init; }
}
