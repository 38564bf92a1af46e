using System.Diagnostics;
using Iskander.Chain.DevServices;
using Iskander.Chain.Testing;
using Npgsql;

namespace Iskander.Chain.DevServices.Tests;

/// <summary>The supervisor against real services killed with SIGKILL.</summary>
public sealed class ServiceSupervisorTests
{
    private static readonly SupervisionPolicy Fast = new()
    {
        CheckInterval = TimeSpan.FromMilliseconds(200),
        Backoff = [TimeSpan.Zero, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)],
    };

    [Fact]
    public async Task Killed_postgres_and_anvil_are_restarted_on_their_address_with_their_data()
    {
        using var directory = new TempDirectory();
        await using var postgres = await PostgresCluster.StartAsync(TestToolchain.Create(), new PostgresClusterOptions { Directory = directory.Combine("pg") });
        var anvilOptions = new AnvilOptions { StateFile = directory.Combine("state.json") };
        var anvil = await AnvilNode.StartAsync(TestToolchain.Create(), anvilOptions);
        try
        {
            var url = anvil.RpcUrl;
            await Sql.ExecuteAsync(postgres.ConnectionString, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (7)");
            await anvil.SaveStateAsync();
            var supervisor = new ServiceSupervisor(
            [
                new SupervisedService("postgres", () => postgres.IsRunning, postgres.StartAsync),
                new SupervisedService("anvil", () => anvil.IsRunning, async cancellationToken =>
                {
                    var port = anvil.Port;
                    await anvil.DisposeAsync();
                    anvil = await AnvilNode.StartAsync(TestToolchain.Create(), anvilOptions with { Port = port }, cancellationToken: cancellationToken);
                }),
            ], Fast, Serilog.Core.Logger.None);
            using var stop = new CancellationTokenSource();
            var supervision = supervisor.RunAsync(stop.Token);

            var postmaster = Postmaster(postgres);
            var anvilPid = AnvilPid(anvilOptions);
            Process.GetProcessById(postmaster).Kill();
            Process.GetProcessById(anvilPid).Kill();

            await WaitUntilAsync(() => Postmaster(postgres) != postmaster && AnvilPid(anvilOptions) != anvilPid
                && postgres.IsRunning && anvil.IsRunning && supervisor.States.Values.All(s => s.State == SupervisedState.Up));
            Assert.Equal(7, await Sql.ScalarAsync(new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Pooling = false }.ConnectionString, "SELECT id FROM kept"));
            Assert.Equal(url, anvil.RpcUrl);
            Assert.Equal(31337UL, await RpcProbe.TryChainIdAsync(url));

            await stop.CancelAsync();
            await supervision;
        }
        finally
        {
            await anvil.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_service_that_cannot_be_restarted_is_given_up_after_the_bounded_attempts_and_its_stop_is_quiet()
    {
        using var directory = new TempDirectory();
        var postgres = await PostgresCluster.StartAsync(TestToolchain.Create(), new PostgresClusterOptions { Directory = directory.Combine("pg") });
        var attempts = 0;
        var supervisor = new ServiceSupervisor(
            [new SupervisedService("postgres", () => postgres.IsRunning, cancellationToken => { attempts++; return postgres.StartAsync(cancellationToken); })],
            Fast, Serilog.Core.Logger.None);
        using var stop = new CancellationTokenSource();
        var supervision = supervisor.RunAsync(stop.Token);

        // Killed, and its configuration broken so that no restart can succeed.
        await File.AppendAllTextAsync(Path.Combine(postgres.DataDirectory, "postgresql.conf"), "\nshared_buffers = 'not a size'\n");
        Process.GetProcessById(Postmaster(postgres)).Kill();
        await WaitUntilAsync(() => supervisor.States["postgres"].State == SupervisedState.GivenUp, TimeSpan.FromMinutes(2));
        Assert.Equal(Fast.Backoff.Count, attempts);
        Assert.Contains("restarts failed", supervisor.States["postgres"].Problem, StringComparison.Ordinal);
        await Task.Delay(Fast.CheckInterval * 3);
        Assert.Equal(Fast.Backoff.Count, attempts); // given up means no more attempts

        await stop.CancelAsync();
        await supervision;
        // Stopping a server that is already gone is not an error (pg_ctl stop would fail with "No such process").
        await postgres.DisposeAsync();
        Assert.False(postgres.IsRunning);
    }

    // 0 while the file is missing or being rewritten.
    private static int Postmaster(PostgresCluster postgres) => PidIn(Path.Combine(postgres.DataDirectory, "postmaster.pid"));

    private static int AnvilPid(AnvilOptions options) => PidIn(options.StateFile + ".pid");

    private static int PidIn(string file)
    {
        try
        {
            return int.TryParse(File.ReadAllText(file).Split('\n', ' ')[0], out var pid) ? pid : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < (timeout ?? TimeSpan.FromMinutes(1)), "timed out");
            await Task.Delay(50);
        }
    }
}
