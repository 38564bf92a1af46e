using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Bridge.Watching;
using Iskander.Chain.Contracts;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Host;
using Iskander.Chain.Host.Api;
using Iskander.Chain.Loomio;
using Iskander.Chain.Testing;
using Iskander.Chain.Zk.Keys;
using Npgsql;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Iskander.Chain.Bridge.Tests;

/// <summary>Every deployed contract's events mirrored into <c>chain_events</c> on real anvil and PostgreSQL: decoding, reorgs, observations, catch-up.</summary>
public sealed class ContractWatchTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly ILogger Silent = new LoggerConfiguration().CreateLogger();

    private async Task<BridgeDatabase> DatabaseAsync(bool asServiceRole = false)
    {
        var connection = await postgres.CreateDatabaseAsync();
        await using (var owner = new BridgeDatabase(connection))
        {
            await owner.MigrateAsync();
            await owner.GrantServiceRoleAsync(postgres.Cluster.Options.ServiceUser);
        }

        return new BridgeDatabase(asServiceRole ? postgres.Cluster.ServiceConnectionStringFor(new NpgsqlConnectionStringBuilder(connection).Database!) : connection);
    }

    private static ContractEventMirror Mirror(CoopOnChain coop, BridgeDatabase database, ContractWatchOptions? options = null, ILogger? log = null) =>
        ContractEventMirror.ForDeployment(database, coop.Client, coop.Manifest, name => new CoopDeployer(TestToolchain.Runner()).Artifact(coop.Manifest, name).Abi,
            options ?? new ContractWatchOptions { Confirmations = 0 }, log ?? Silent);

    [Fact]
    public async Task Every_contracts_events_arrive_decoded_once_each_and_the_escrow_view_follows_each_lifecycle()
    {
        await using var coop = await CoopOnChain.StartAsync();
        await using var database = await DatabaseAsync();
        await coop.AdmitAsync(2);
        var escrow = await EscrowParties.StartAsync(coop);
        var settled = await escrow.ProposeAsync(1_000);
        await escrow.AsSeller.SendAsync("accept", [settled]);
        await escrow.AsBuyer.SendAsync("dispute", [settled, new byte[32]]);
        await escrow.AsSeller.SendAsync("proposeSplit", [settled, new BigInteger(400), new byte[32]]);
        await escrow.AsBuyer.SendAsync("proposeSplit", [settled, new BigInteger(400), new byte[32]]);
        await escrow.AsSeller.SendAsync("withdraw", [settled]);
        await escrow.AsBuyer.SendAsync("withdraw", [settled]);
        var cancelled = await escrow.ProposeAsync(250);
        await escrow.AsBuyer.SendAsync("cancel", [cancelled]);

        var mirror = Mirror(coop, database);
        await mirror.CatchUpAsync();
        await mirror.RunOnceAsync(); // a second round adds nothing

        // The oracle: the node's own logs of the five contracts, asked for directly.
        var logs = await coop.Client.GetLogsAsync(new LogFilter
        {
            FromBlock = coop.Manifest.DeployBlock, ToBlock = await coop.Client.BlockNumberAsync(),
            Addresses = DeploymentManifest.RequiredContracts.Select(name => coop.Manifest[name].Address).ToList(),
        });
        var rows = await RowsAsync(database);
        Assert.Equal(logs.Select(l => (l.BlockNumber, l.LogIndex, l.TransactionHash.ToString())), rows.Select(r => (r.Block, r.Index, r.Tx)));
        Assert.DoesNotContain(rows, r => r.Event == ContractEventMirror.UndecodedEvent);
        var seen = rows.Select(r => $"{r.Contract}.{r.Event}").ToHashSet();
        string[] expected =
        [
            "DecisionAnchor.GovernorBound", "DecisionAnchor.BatchAnchored", "ActionSchedule.Bound", "ActionSchedule.ActionScheduled", "CoopIdentity.Admitted",
            "Constitution.GenesisRatified", "Constitution.ParameterInitialised", "InterCoopEscrow.Proposed", "InterCoopEscrow.Accepted", "InterCoopEscrow.Disputed",
            "InterCoopEscrow.SplitProposed", "InterCoopEscrow.Releasing", "InterCoopEscrow.Withdrawn", "InterCoopEscrow.Settled", "InterCoopEscrow.Cancelled",
        ];
        Assert.All(expected, name => Assert.Contains(name, seen));

        var proposed = JsonDocument.Parse(rows.First(r => r.Event == "Proposed").Args).RootElement;
        Assert.Equal(Hex.Encode(escrow.Buyer.Bytes), proposed.GetProperty("buyer").GetString());
        Assert.Equal("1000", proposed.GetProperty("amount").GetString());
        Assert.Equal("1", proposed.GetProperty("id").GetString());

        var states = await EscrowStatesAsync(database);
        Assert.Equal(("released", 0m, 0m), states[1]);
        Assert.Equal(("releasing", 0m, 250m), states[2]);
        Assert.Equal(250, (int)await escrow.AsBuyer.CallAsync<BigInteger>("heldBy", new BigInteger(2))); // the chain agrees on what is still held

        // The admission's anchor was sent by the key directly, not by this bridge; its action entered its notice.
        await using var connection = await database.OpenAsync();
        var observed = (await GlassBoxLog.ReadAsync(connection, default)).Where(e => e.Kind == "observation").Select(e => e.Action).Order().ToList();
        Assert.Equal(["action.in-notice", "chain.foreign-anchor"], observed);

        // The read API serves the same, from the bridge's host.
        using var directory = new TempDirectory();
        var loomio = new LoomioClient(new HttpClient(), new LoomioClientOptions { BaseUrl = new Uri("http://127.0.0.1:9"), ApiKey = "unused" });
        var anchor = new AnchorChain(coop.Client, coop.Anchor.Address, coop.Anchor.Abi);
        var service = new BridgeService(new DecisionIngestor(database, loomio, new Uri("http://127.0.0.1:9"), Silent), loomio,
            AnchoringPipeline.Create(database, new EmbeddedContentStore(directory.Path), anchor, Silent), new BridgeServiceOptions(), Silent);
        await using var host = await BridgeWebHost.StartAsync(new BridgeWebHostOptions
        {
            Listen = "http://127.0.0.1:0", ContentStore = new EmbeddedContentStore(directory.Path),
            Bridge = new BridgeEndpointsOptions(database, service, new string('a', 64), coop.Manifest.ChainId, coop.Anchor.Address),
        }, Silent);
        using var http = new HttpClient { BaseAddress = host.Address };
        using var api = JsonDocument.Parse(await http.GetStringAsync("/api/escrows"));
        var listed = api.RootElement.GetProperty("escrows").EnumerateArray().ToList();
        Assert.Equal(["released", "releasing"], listed.Select(e => e.GetProperty("status").GetString()));
        Assert.Equal("250", listed[1].GetProperty("buyerOwed").GetString());
        Assert.Equal(Hex.Encode(escrow.Buyer.Bytes), listed[1].GetProperty("buyer").GetString());
        Assert.NotNull(listed[0].GetProperty("disputeDeadlineUtc").GetString());
        using var page = JsonDocument.Parse(await http.GetStringAsync("/api/chain/events?contract=InterCoopEscrow&event=Proposed&offset=1&limit=1"));
        Assert.Equal(2, page.RootElement.GetProperty("total").GetInt64());
        Assert.Equal("250", Assert.Single(page.RootElement.GetProperty("events").EnumerateArray()).GetProperty("args").GetProperty("amount").GetString());
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await http.GetAsync("/api/chain/events?limit=0")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await http.GetAsync("/api/chain/events?offset=-1")).StatusCode);
    }

    [Fact]
    public async Task A_reorg_rewinds_the_mirror_to_exactly_what_a_fresh_mirror_of_the_new_chain_holds()
    {
        await using var coop = await CoopOnChain.StartAsync();
        await using var database = await DatabaseAsync();
        var escrow = await EscrowParties.StartAsync(coop);
        var mirror = Mirror(coop, database);
        for (var i = 0; i < 6; i++) await escrow.ProposeAsync(100 + i);
        await mirror.CatchUpAsync();
        var before = await RowsAsync(database);

        // Replace the last four blocks (four proposals) with empty ones, then grow the new branch.
        await coop.Client.Rpc.CallAsync("anvil_reorg", [4, Array.Empty<object>()]);
        await mirror.RunOnceAsync();
        var afterReorg = await RowsAsync(database);
        Assert.True(afterReorg.Count < before.Count, "the reorged proposals are gone");
        await escrow.ProposeAsync(999);
        await mirror.RunOnceAsync();

        await using var fresh = await DatabaseAsync();
        await Mirror(coop, fresh).CatchUpAsync();
        Assert.Equal(await RowsAsync(fresh), await RowsAsync(database));
        Assert.Equal(await EscrowStatesAsync(fresh), await EscrowStatesAsync(database));
    }

    [Fact]
    public async Task An_anchor_this_bridge_did_not_send_is_observed_once_through_replays_and_restarts_and_its_own_anchors_never()
    {
        await using var coop = await CoopOnChain.StartAsync();
        await using var database = await DatabaseAsync(asServiceRole: true); // what serve runs as: the grants must suffice
        var ours = new Hash32(RandomNumberGenerator.GetBytes(32));
        var foreign = new Hash32(RandomNumberGenerator.GetBytes(32));
        await using (var connection = await database.OpenAsync())
        await using (var batch = new NpgsqlCommand("INSERT INTO batches (root, leaf_count, status) VALUES ($1, 1, 'submitted')", connection))
        {
            batch.Parameters.Add(new() { Value = ours.ToArray() });
            await batch.ExecuteNonQueryAsync();
        }

        var mirror = Mirror(coop, database);
        await mirror.CatchUpAsync();
        var snapshot = (await coop.Client.Rpc.CallAsync("evm_snapshot", [])).GetString();
        await coop.Anchor.SendAsync("anchor", [ours.ToArray(), 1UL]);
        await coop.Anchor.SendAsync("anchor", [foreign.ToArray(), 1UL]);
        await mirror.RunOnceAsync();
        Assert.Equal([foreign.ToString()], await ObservedAsync(database, "chain.foreign-anchor"));

        // The anchors' blocks are replaced by a branch that anchors the same roots again, later: the mirror rewinds and replays them.
        await coop.Client.Rpc.CallAsync("evm_revert", [snapshot]);
        await coop.Client.Rpc.CallAsync("anvil_mine", ["0x3"]);
        var anchorer = coop.Anchor.WithSender(coop.Sender(1)); // a new sender: the old one's nonces were reverted with the chain
        await anchorer.SendAsync("anchor", [foreign.ToArray(), 1UL]);
        await anchorer.SendAsync("anchor", [ours.ToArray(), 1UL]);
        await mirror.RunOnceAsync();
        var anchored = (await RowsAsync(database)).Where(r => r.Event == "BatchAnchored").ToList();
        Assert.Equal(2, anchored.Count);
        Assert.Equal((await coop.Client.BlockNumberAsync()) - 1, anchored[0].Block); // the replayed branch's anchors, not the old ones
        Assert.Equal([foreign.ToString()], await ObservedAsync(database, "chain.foreign-anchor"));

        await Mirror(coop, database).RunOnceAsync(); // a restarted process
        Assert.Equal([foreign.ToString()], await ObservedAsync(database, "chain.foreign-anchor"));
        await using var connection2 = await database.OpenAsync();
        Assert.Null(GlassBoxLog.FirstBrokenLink(await GlassBoxLog.ReadAsync(connection2, default)));
    }

    [Fact]
    public async Task A_disputed_escrow_is_observed_once_when_its_deadline_comes_within_the_window()
    {
        await using var coop = await CoopOnChain.StartAsync();
        await using var database = await DatabaseAsync();
        var escrow = await EscrowParties.StartAsync(coop);
        var settledEarly = await escrow.ProposeAsync(10);
        var disputed = await escrow.ProposeAsync(20);
        foreach (var id in new[] { settledEarly, disputed })
        {
            await escrow.AsSeller.SendAsync("accept", [id]);
            await escrow.AsBuyer.SendAsync("dispute", [id, new byte[32]]);
        }

        await escrow.AsArbitrator.SendAsync("rule", [settledEarly, new BigInteger(5)]); // ruled: no longer due
        var options = new ContractWatchOptions { Confirmations = 0, DeadlineWindow = TimeSpan.FromHours(12) }; // the arbitration period is a day
        await Mirror(coop, database, options).CatchUpAsync();
        Assert.Empty(await ObservedAsync(database, "escrow.deadline-due"));

        await coop.AdvanceAsync(TimeSpan.FromHours(13));
        await Mirror(coop, database, options).RunOnceAsync();
        var subject = $"{Hex.Encode(escrow.Escrow.Address.Bytes)}/{disputed}";
        Assert.Equal([subject], await ObservedAsync(database, "escrow.deadline-due"));

        await coop.AdvanceAsync(TimeSpan.FromHours(13)); // past the deadline, still unresolved: observed already
        var restarted = Mirror(coop, database, options);
        await restarted.RunOnceAsync();
        await restarted.RunOnceAsync();
        Assert.Equal([subject], await ObservedAsync(database, "escrow.deadline-due"));
    }

    [Fact]
    public async Task Catching_up_over_many_blocks_reports_progress_round_by_round()
    {
        await using var coop = await CoopOnChain.StartAsync();
        await using var database = await DatabaseAsync();
        var escrow = await EscrowParties.StartAsync(coop);
        await escrow.ProposeAsync(1);
        // 600 empty blocks, mined in small steps: one large anvil_mine can outlast the client's timeout on a loaded machine.
        for (var i = 0; i < 6; i++) await coop.Client.Rpc.CallAsync("anvil_mine", ["0x64"]);
        await escrow.ProposeAsync(2);
        var sink = new ProgressSink();
        var progress = await Mirror(coop, database, new ContractWatchOptions { Confirmations = 0, MaxBlocksPerRound = 100 }, new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger())
            .CatchUpAsync();

        var total = await coop.Client.BlockNumberAsync() - coop.Manifest.DeployBlock + 1;
        Assert.Equal(total, progress.Total);
        Assert.Equal(total, progress.Done);
        Assert.True(sink.Done.Count >= 6, $"one progress line per round of 100 blocks, got {sink.Done.Count}");
        Assert.Equal(sink.Done.Order(), sink.Done);
        Assert.Equal(total, sink.Done[^1]);
        Assert.Equal(2, (await RowsAsync(database)).Count(r => r.Event == "Proposed"));
    }

    [Fact]
    public async Task A_ballots_events_are_mirrored_from_its_own_start_and_its_reorgs_never_take_the_deployments_rows()
    {
        await using var coop = await CoopOnChain.StartAsync();
        await using var database = await DatabaseAsync();
        var escrow = await EscrowParties.StartAsync(coop);
        await escrow.ProposeAsync(1);
        var deployment = Mirror(coop, database);
        await deployment.CatchUpAsync();

        // A ballot deployed (and configured) after the deployment's mirror moved on is still read from its own deployment block.
        await coop.AdmitAsync(2);
        var coordinator = MaciPrivateKey.Generate();
        var (manifest, ballot) = await coop.DeployBallotAsync(coordinator.PublicKey(), voteOptions: 2);
        await ballot.WithSender(coop.Sender(2)).SignUpAsync(MaciPrivateKey.Generate().PublicKey());
        await deployment.CatchUpAsync();
        var abi = ForgeArtifact.LoadAbi(Path.Combine(TestToolchain.Layout.Root, "out"), "MACIVoting.sol", "MACIVoting");
        var ballotMirror = ContractEventMirror.ForBallot(database, coop.Client, manifest.Ballot, manifest.DeployBlock, abi, new ContractWatchOptions { Confirmations = 0 }, Silent);
        await ballotMirror.CatchUpAsync();
        var rows = await RowsAsync(database);
        Assert.Single(rows, r => r.Contract == "MACIVoting" && r.Event == "SignUp");
        var onChain = await coop.Client.GetLogsAsync(new LogFilter { FromBlock = manifest.DeployBlock, ToBlock = await coop.Client.BlockNumberAsync(), Addresses = [manifest.Ballot] });
        Assert.Equal(onChain.Count, rows.Count(r => r.Contract == "MACIVoting"));

        // A reorg the deployment's mirror has already followed (and whose new branch it has read) is then met by the ballot's
        // mirror: rewinding its own rows, it must leave the deployment's new ones alone.
        await coop.Client.Rpc.CallAsync("anvil_reorg", [1, Array.Empty<object>()]);
        await deployment.RunOnceAsync();
        await escrow.ProposeAsync(2);
        await deployment.RunOnceAsync();
        Assert.Equal(2, (await RowsAsync(database)).Count(r => r.Event == "Proposed"));
        await ballotMirror.RunOnceAsync();
        Assert.Equal(2, (await RowsAsync(database)).Count(r => r.Event == "Proposed"));
    }

    private static async Task<List<string>> ObservedAsync(BridgeDatabase database, string action)
    {
        await using var connection = await database.OpenAsync();
        return (await GlassBoxLog.ReadAsync(connection, default)).Where(e => e.Kind == "observation" && e.Action == action).Select(e => e.Subject).ToList();
    }

    private static async Task<List<(ulong Block, ulong Index, string Tx, string Contract, string Event, string Args)>> RowsAsync(BridgeDatabase database)
    {
        await using var connection = await database.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT block_number, log_index, tx_hash, contract, event, args::text FROM chain_events ORDER BY block_number, log_index", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(ulong, ulong, string, string, string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add(((ulong)reader.GetInt64(0), (ulong)reader.GetInt32(1), Hex.Encode((byte[])reader[2]), reader.GetString(3), reader.GetString(4), reader.GetString(5)));
        }

        return rows;
    }

    private static async Task<Dictionary<int, (string Status, decimal? SellerOwed, decimal? BuyerOwed)>> EscrowStatesAsync(BridgeDatabase database)
    {
        await using var connection = await database.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id::int, status, seller_owed, buyer_owed FROM escrows", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var states = new Dictionary<int, (string, decimal?, decimal?)>();
        while (await reader.ReadAsync())
        {
            states[reader.GetInt32(0)] = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetDecimal(2), reader.IsDBNull(3) ? null : reader.GetDecimal(3));
        }

        return states;
    }

    /// <summary>The <c>Done</c> figure of each progress line.</summary>
    private sealed class ProgressSink : ILogEventSink
    {
        public List<ulong> Done { get; } = [];

        public void Emit(LogEvent logEvent)
        {
            if (logEvent.MessageTemplate.Text.StartsWith("Watching the contracts:", StringComparison.Ordinal) && logEvent.Properties["Done"] is ScalarValue { Value: ulong done }) Done.Add(done);
        }
    }
}
