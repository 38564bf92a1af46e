using Iskander.Chain.DevServices;
using Iskander.Chain.Testing;
using Iskander.Chain.Toolchain;
using Npgsql;

namespace Iskander.Chain.DevServices.Tests;

public sealed class PostgresClusterTests
{
    [Fact]
    public async Task Cluster_initialises_runs_queries_and_keeps_its_data_across_a_restart()
    {
        using var directory = new TempDirectory();
        var options = new PostgresClusterOptions { Directory = directory.Combine("pg"), Database = "coop" };

        var cluster = await PostgresCluster.StartAsync(TestToolchain.Create(), options);
        await Sql.ExecuteAsync(cluster.ConnectionString, "CREATE TABLE decisions (id int PRIMARY KEY, title text NOT NULL)");
        await Sql.ExecuteAsync(cluster.ConnectionString, "INSERT INTO decisions VALUES (1, 'Adopt the bylaws')");
        var firstPort = cluster.Port;
        await cluster.StopAsync();
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => Sql.ExecuteAsync(cluster.ConnectionString, "SELECT 1"));

        await cluster.StartAsync();
        Assert.True(cluster.Port > 0);
        Assert.Equal("Adopt the bylaws", await Sql.ScalarAsync(cluster.ConnectionString, "SELECT title FROM decisions WHERE id = 1"));
        await cluster.DisposeAsync();

        // A second cluster object on the same folder reuses the data instead of re-initialising.
        await using var reopened = await PostgresCluster.StartAsync(TestToolchain.Create(), options);
        Assert.Equal(1L, await Sql.ScalarAsync(reopened.ConnectionString, "SELECT count(*) FROM decisions"));
        Assert.NotEqual(0, firstPort);
    }

    [Fact]
    public async Task A_server_left_running_by_a_crashed_process_is_adopted()
    {
        using var directory = new TempDirectory();
        var options = new PostgresClusterOptions { Directory = directory.Combine("pg") };
        var orphaned = await PostgresCluster.StartAsync(TestToolchain.Create(), options);
        // No StopAsync: as if the owning process had been killed.

        await using var adopter = await PostgresCluster.StartAsync(TestToolchain.Create(), options);
        Assert.Equal(orphaned.Port, adopter.Port);
        Assert.Equal(1, await Sql.ScalarAsync(adopter.ConnectionString, "SELECT 1"));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Connections_need_the_password_and_only_the_owner_can_reach_the_socket_or_read_the_passwords()
    {
        using var directory = new TempDirectory();
        await using var cluster = await PostgresCluster.StartAsync(TestToolchain.Create(), new PostgresClusterOptions { Directory = directory.Combine("pg") });
        Assert.Equal(1, await Sql.ScalarAsync(cluster.ConnectionString, "SELECT 1"));

        // Over loopback TCP, knowing the role is not enough: without the password, or with a wrong one, the server refuses.
        foreach (var password in new string?[] { null, "guess" })
        {
            var connection = new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Password = password, Pooling = false }.ConnectionString;
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => Sql.ExecuteAsync(connection, "SELECT 1"));
        }

        var ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(ownerOnly, File.GetUnixFileMode(cluster.SuperuserPasswordFile));
        var socket = Assert.Single(Directory.GetFiles(directory.Path, $".s.PGSQL.{cluster.Port}", SearchOption.AllDirectories));
        Assert.Equal(ownerOnly | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(socket)!));

        // Another OS user, with PostgreSQL's own client: refused over TCP (no password) and kept out of the socket's folder.
        if (!ToolRunner.IsRoot()) return;
        var psql = Path.Combine(Path.GetDirectoryName(TestToolchain.Create().Locate(Tool.PgCtl).Executable)!, "psql");
        foreach (var host in new[] { "127.0.0.1", Path.GetDirectoryName(socket)! })
        {
            var start = new System.Diagnostics.ProcessStartInfo("runuser", ["-u", "nobody", "--", psql, "-w", "-h", host, "-p", $"{cluster.Port}", "-U", cluster.Options.User, "-d", "postgres", "-c", "SELECT 1"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                WorkingDirectory = "/",
            };
            using var process = System.Diagnostics.Process.Start(start)!;
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode != 0, $"psql as nobody connected via {host}");
            Assert.Contains(host == "127.0.0.1" ? "no password supplied" : "Permission denied", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_folder_too_deep_for_a_socket_path_gets_a_private_socket_folder_removed_at_stop()
    {
        using var directory = new TempDirectory();
        var deep = directory.Combine(new string('d', 60), new string('e', 60));
        var cluster = await PostgresCluster.StartAsync(TestToolchain.Create(), new PostgresClusterOptions { Directory = deep });
        var folder = Assert.Single(Directory.GetDirectories(Path.GetTempPath(), "iskander-pgsock-*"), d => File.Exists(Path.Combine(d, $".s.PGSQL.{cluster.Port}")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        await cluster.DisposeAsync();
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task A_cluster_created_with_trust_authentication_is_moved_to_passwords_at_its_next_start()
    {
        using var directory = new TempDirectory();
        var options = new PostgresClusterOptions { Directory = directory.Combine("pg") };
        var cluster = await PostgresCluster.StartAsync(TestToolchain.Create(), options);
        await cluster.StopAsync();
        // As an earlier version left it: trust on loopback, no password file.
        await File.WriteAllTextAsync(Path.Combine(cluster.DataDirectory, "pg_hba.conf"), "host all all 127.0.0.1/32 trust\n");
        File.Delete(cluster.SuperuserPasswordFile);

        await using var upgraded = await PostgresCluster.StartAsync(TestToolchain.Create(), options);
        Assert.True(File.Exists(upgraded.SuperuserPasswordFile));
        Assert.Equal(1, await Sql.ScalarAsync(upgraded.ConnectionString, "SELECT 1"));
        var noPassword = new NpgsqlConnectionStringBuilder(upgraded.ConnectionString) { Password = null, Pooling = false }.ConnectionString;
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => Sql.ExecuteAsync(noPassword, "SELECT 1"));
    }

    [Fact]
    public async Task Deleting_on_dispose_removes_the_folder()
    {
        using var directory = new TempDirectory();
        var folder = directory.Combine("pg");
        var cluster = await PostgresCluster.StartAsync(TestToolchain.Create(), new PostgresClusterOptions { Directory = folder, DeleteOnDispose = true });
        Assert.True(File.Exists(Path.Combine(cluster.DataDirectory, "PG_VERSION")));
        await cluster.DisposeAsync();
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task Missing_postgres_binaries_fail_with_an_install_hint()
    {
        using var directory = new TempDirectory();
        var toolchain = TestToolchain.Create(new Dictionary<Tool, string> { [Tool.Initdb] = "/nonexistent/initdb" });
        var error = await Assert.ThrowsAsync<ToolNotFoundException>(() =>
            PostgresCluster.StartAsync(toolchain, new PostgresClusterOptions { Directory = directory.Combine("pg") }));
        Assert.Contains("postgresql-15", error.Hint, StringComparison.Ordinal);
    }
}
