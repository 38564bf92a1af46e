using System.Text.Json.Nodes;
using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Testing;
using Npgsql;

namespace Iskander.Chain.Bridge.Tests;

/// <summary>The role the running bridge connects as: it works its tables but cannot touch the Glass Box's protections.</summary>
public sealed class ServiceRoleTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task The_service_role_appends_to_the_Glass_Box_but_cannot_rewrite_it_or_lift_its_protection()
    {
        var ownerConnection = await postgres.CreateDatabaseAsync();
        var database = new NpgsqlConnectionStringBuilder(ownerConnection).Database!;
        await using (var owner = new BridgeDatabase(ownerConnection))
        {
            await owner.MigrateAsync();
            await owner.GrantServiceRoleAsync(postgres.Cluster.Options.ServiceUser);
        }

        await using var service = new BridgeDatabase(postgres.Cluster.ServiceConnectionStringFor(database));
        await using var connection = await service.OpenAsync();
        var seq = await GlassBoxLog.IntentAsync(connection, "content.put", "bafy-test", new JsonObject(), default);
        Assert.Single(await GlassBoxLog.ReadAsync(connection, default));
        // The pipeline's own tables stay writable.
        await ExecuteAsync(connection, "UPDATE polls SET poll_key = poll_key WHERE false");
        await ExecuteAsync(connection, "DELETE FROM hints WHERE false");

        string[] tampering =
        [
            $"UPDATE glass_box SET subject = 'forged' WHERE seq = {seq}",
            $"DELETE FROM glass_box WHERE seq = {seq}",
            "TRUNCATE glass_box",
            "DROP TRIGGER glass_box_no_update ON glass_box",
            "ALTER TABLE glass_box DISABLE TRIGGER glass_box_no_update",
            "CREATE OR REPLACE FUNCTION glass_box_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$",
            "DROP TABLE glass_box CASCADE",
            "SET session_replication_role = replica",
            "INSERT INTO schemaversions (scriptname, applied) VALUES ('forged', now())",
        ];
        foreach (var sql in tampering)
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection, sql));
            // Refused for want of privilege, not merely stopped by the trigger the owner could drop.
            Assert.True(refused.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {refused.SqlState} {refused.MessageText}");
        }

        var entry = Assert.Single(await GlassBoxLog.ReadAsync(connection, default));
        Assert.Equal("bafy-test", entry.Subject);
    }

    [Fact]
    public async Task Glass_box_exposure_names_a_superuser_the_owner_and_a_member_of_the_owner_and_clears_the_service_role()
    {
        var superuserConnection = await postgres.CreateDatabaseAsync();
        var database = new NpgsqlConnectionStringBuilder(superuserConnection).Database!;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (ownerRole, memberRole) = ($"owner_{suffix}", $"member_{suffix}");
        await using (var superuser = new BridgeDatabase(superuserConnection))
        await using (var connection = await superuser.OpenAsync())
        {
            // A member without INHERIT still owns through SET ROLE: exposure goes by membership.
            await ExecuteAsync(connection, $"""
                CREATE ROLE {ownerRole} LOGIN PASSWORD 'owner-pw';
                CREATE ROLE {memberRole} LOGIN NOINHERIT PASSWORD 'member-pw' IN ROLE {ownerRole};
                ALTER DATABASE {database} OWNER TO {ownerRole};
                """);
        }

        var ownerConnection = As(superuserConnection, ownerRole, "owner-pw");
        await using (var owner = new BridgeDatabase(ownerConnection))
        {
            await owner.MigrateAsync();
            await owner.GrantServiceRoleAsync(postgres.Cluster.Options.ServiceUser);
            Assert.Equal((ownerRole, database), await owner.IdentityAsync());
        }

        Assert.Equal("is a superuser", await ExposureAsync(superuserConnection));
        Assert.Equal("owns the Glass Box's table glass_box", await ExposureAsync(ownerConnection));
        Assert.Equal($"is a member of {ownerRole}, which owns the Glass Box's table glass_box", await ExposureAsync(As(superuserConnection, memberRole, "member-pw")));
        Assert.Null(await ExposureAsync(postgres.Cluster.ServiceConnectionStringFor(database)));
    }

    private static async Task<string?> ExposureAsync(string connection)
    {
        await using var database = new BridgeDatabase(connection);
        return await database.GlassBoxExposureAsync();
    }

    private static string As(string connection, string role, string password) =>
        new NpgsqlConnectionStringBuilder(connection) { Username = role, Password = password }.ConnectionString;

    [Fact]
    public async Task A_role_name_that_is_not_a_plain_identifier_is_refused()
    {
        await using var owner = new BridgeDatabase(await postgres.CreateDatabaseAsync());
        await owner.MigrateAsync();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => owner.GrantServiceRoleAsync("x; DROP TABLE glass_box"));
        Assert.Contains("not a plain PostgreSQL role name", error.Message, StringComparison.Ordinal);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
