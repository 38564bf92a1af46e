using Iskander.Chain.Testing;

namespace Iskander.Chain.Cli.Tests;

/// <summary>The optional settings file: same names as the environment variables, the environment wins, secrets and typos refused.</summary>
public sealed class ConfigFileTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Settings_come_from_the_file_unless_the_environment_overrides_them()
    {
        using var directory = new TempDirectory();
        var file = directory.Combine("settings.json");
        await File.WriteAllTextAsync(file, """
            {
              // a database nobody listens on: commands that use the file fail to reach it
              "ISKANDER_DATABASE": "Host=127.0.0.1;Port=1;Username=nobody;Timeout=2",
              "ISKANDER_LOOMIO_GROUPS": [12, 34],
            }
            """);
        var (failedExit, failedOutput) = await CliProcess.RunAsync(["decisions", "list"], new Dictionary<string, string> { ["ISKANDER_CONFIG"] = file });
        Assert.Equal(1, failedExit);
        Assert.Contains("Cannot read the bridge database", failedOutput, StringComparison.Ordinal);

        var (exit, output) = await CliProcess.RunAsync(["decisions", "list"],
            new Dictionary<string, string> { ["ISKANDER_CONFIG"] = file, ["ISKANDER_DATABASE"] = await postgres.CreateDatabaseAsync() });
        Assert.True(exit == 0, output);
        Assert.Contains("no decision versions yet", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"ISKANDER_ANCHORER_KEY": "0x01"}""", "ISKANDER_ANCHORER_KEY is a secret and is never read from a file")]
    [InlineData("""{"ISKANDER_LOOMIO_API_KEY": "abc"}""", "ISKANDER_LOOMIO_API_KEY is a secret")]
    [InlineData("""{"ISKANDER_READ_TOKEN": "abc"}""", "ISKANDER_READ_TOKEN is a secret")]
    [InlineData("""{"ISKANDER_CONFIRMATION": 3}""", "unknown setting 'ISKANDER_CONFIRMATION'")]
    [InlineData("""{"ISKANDER_LISTEN": {"host": "x"}}""", "ISKANDER_LISTEN must be a string")]
    [InlineData("""["ISKANDER_LISTEN"]""", "must hold a JSON object")]
    [InlineData("""{"ISKANDER_LISTEN": """, "is not valid JSON")]
    public async Task Secrets_typos_and_malformed_files_stop_every_command_with_the_reason(string content, string expected)
    {
        using var directory = new TempDirectory();
        var file = directory.Combine("settings.json");
        await File.WriteAllTextAsync(file, content);
        var (exit, output) = await CliProcess.RunAsync(["version"], new Dictionary<string, string> { ["ISKANDER_CONFIG"] = file });
        Assert.Equal(2, exit);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.DoesNotContain("0x01", output, StringComparison.Ordinal);
    }
}
