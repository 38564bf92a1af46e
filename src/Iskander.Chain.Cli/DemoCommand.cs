using System.CommandLine;
using System.Globalization;
using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Contracts;
using Iskander.Chain.DevServices;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Loomio;
using Iskander.Chain.Loomio.Emulator;
using Iskander.Chain.Toolchain;
using Serilog;

namespace Iskander.Chain.Cli;

/// <summary>
/// <c>iskander-chain demo</c>: the whole anchoring job on a fresh local environment — anvil,
/// PostgreSQL, the embedded content store, the contracts deployed by the forge script, and an
/// emulated Loomio with a cooperative's polls — then a fabricated action vetoed by members'
/// watchtowers, revisions, a reopen and a discard, and a verification of every version from its
/// bytes to the chain, printed as a table.
/// </summary>
internal static class DemoCommand
{
    private const int Confirmations = 2;

    public static Command Create()
    {
        var dataDirectory = CommonOptions.DataDirectory();
        var serve = new Option<bool>("--serve") { Description = "After the summary, keep everything up (chain, database, emulated Loomio, the bridge) and serve the API and members' page until Ctrl-C." };
        var listen = ServeCommand.ListenOption();
        var command = new Command("demo", "Run the anchoring job end to end on a fresh local chain, database and emulated Loomio, and verify every decision.") { dataDirectory, serve, listen };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var log = Logging.CreateConsoleLogger();
            var layout = ProjectLayout.Discover();
            var directory = Path.Combine(CommonOptions.ResolveDataDirectory(parseResult.GetValue(dataDirectory), layout), "demo");
            try
            {
                return await RunAsync(layout, directory, parseResult.GetValue(serve) ? parseResult.GetValue(listen) : null, log, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ToolException or DevServiceException)
            {
                log.Error("Could not start the demo environment: {Reason}", ex.Message);
                log.Error("Run `iskander-chain doctor` for a check of every tool with fix hints.");
                return 1;
            }
        });
        return command;
    }

    // listen: where to serve the API and members' page after the summary, until cancelled (null: exit after the summary).
    private static async Task<int> RunAsync(ProjectLayout layout, string directory, string? listen, ILogger log, CancellationToken cancellationToken)
    {
        // A fresh environment every run, so the demo always shows the same story.
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        var toolchain = new Toolchain.Toolchain(layout);
        log.Information("Starting a local chain (anvil, one block per second) and PostgreSQL under {Directory}", directory);
        await using var node = await AnvilNode.StartAsync(toolchain, new AnvilOptions { BlockTime = 1 }, log, cancellationToken).ConfigureAwait(false);
        await using var postgres = await PostgresCluster.StartAsync(toolchain, new PostgresClusterOptions { Directory = Path.Combine(directory, "postgres") }, log, cancellationToken).ConfigureAwait(false);

        log.Information("Deploying the contracts with the forge script (anvil's public development keys)");
        var deployer = new CoopDeployer(new ToolRunner(toolchain, log));
        var anchorerKey = PrivateKey.FromHex(node.Accounts[1].PrivateKey);
        var manifest = await deployer.DeployAsync(node.RpcUrl, PrivateKey.FromHex(node.Accounts[0].PrivateKey), Path.Combine(layout.Root, "deployments", "demo.json"),
            new CoopDeploymentOptions { CooperativeName = "Riverside Housing Co-operative", Anchorer = anchorerKey.Address, Issuer = anchorerKey.Address, Confirmations = Confirmations, NoticePeriod = TimeSpan.FromSeconds(10) }, cancellationToken).ConfigureAwait(false);

        await using var database = new BridgeDatabase(postgres.ConnectionString);
        await database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        var store = new EmbeddedContentStore(Path.Combine(directory, "content"));
        var client = new EthClient(new JsonRpcClient(node.RpcUrl));
        var contracts = BridgeContracts.Connect(client, manifest, name => deployer.Artifact(manifest, name).Abi, anchorerKey);
        var chain = contracts.Anchor;
        var pipeline = AnchoringPipeline.Create(database, store, chain, log,
            new AnchoringPipelineOptions { MaxLeaves = 8, MaxWait = TimeSpan.FromSeconds(1), Confirmations = Confirmations }, contracts.Governance);

        await using var loomio = await LoomioEmulator.StartAsync().ConfigureAwait(false);
        log.Information("Emulated Loomio (an emulator of the documented b2 API, not Loomio) on {LoomioUrl}", loomio.BaseUrl);
        // Founders: anvil's public development accounts 2–4 (their keys sign the membership agreements below).
        var founders = new[] { ("founder", 2), ("founder", 3), ("treasurer", 4) }.Select(f => (Role: f.Item1, Key: PrivateKey.FromHex(node.Accounts[f.Item2].PrivateKey))).ToList();
        var (group, keys) = SeedCooperative(loomio, founders.Select(f => $"admit-member {f.Key.Address.ToChecksumString()} role={f.Role}").ToList());
        using var http = new HttpClient();
        var loomioClient = new LoomioClient(http, new LoomioClientOptions { BaseUrl = loomio.BaseUrl, ApiKey = loomio.ApiKey });
        var ingestor = new DecisionIngestor(database, loomioClient, loomio.BaseUrl, log);
        var consent = new MembershipConsent(database, contracts.Governance.Targets, manifest.Issuer, log);

        log.Information("Reconciling the group's polls into decision records");
        await ingestor.ReconcileGroupAsync(group, cancellationToken).ConfigureAwait(false);
        await RunUntilConfirmedAsync(pipeline, database, log, cancellationToken).ConfigureAwait(false);
        await AdmitFoundersAsync(pipeline, consent, database, founders.Select(f => f.Key).ToList(), log, cancellationToken)
            .ConfigureAwait(false);
        var watch = await DemoWatchtowers.RunAsync(directory, client, manifest, contracts, store, name => deployer.Artifact(manifest, name).Abi, founders.Select(f => f.Key).ToList(), log,
            cancellationToken).ConfigureAwait(false);
        var ballot = await DemoBallot.RunAsync(layout, directory, node, client, manifest["CoopIdentity"].Address, database, anchorerKey, founders.Select(f => f.Key).ToList(), log, cancellationToken)
            .ConfigureAwait(false);

        log.Information("Loomio changes after anchoring: an outcome edited, a poll reopened and closed again, a poll discarded");
        loomio.EditOutcome(keys[0], "<p>Adopted. Amended: the roof repair fund rises to 18,000.</p>");
        loomio.Reopen(keys[2]);
        await ingestor.ReconcileGroupAsync(group, cancellationToken).ConfigureAwait(false);
        loomio.Vote(keys[2], 0, 2);
        loomio.Close(keys[2]);
        loomio.SetOutcome(keys[2], "<p>After the second round: the garden stays communal.</p>");
        loomio.Discard(keys[5]);
        await ingestor.ReconcileGroupAsync(group, cancellationToken).ConfigureAwait(false);
        await RunUntilConfirmedAsync(pipeline, database, log, cancellationToken).ConfigureAwait(false);

        log.Information("Verifying every version from its bytes to the chain");
        var verifier = new DecisionVerifier(store, chain, Confirmations);
        var rows = new List<string[]>();
        var failures = 0;
        foreach (var decision in await DecisionQueries.AnchoredAsync(database, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var checks = await verifier.VerifyAsync(decision, cancellationToken).ConfigureAwait(false);
            var passed = checks.All(c => c.Verdict == Verdict.Pass);
            failures += passed ? 0 : 1;
            var record = System.Text.Json.Nodes.JsonNode.Parse(decision.Record);
            var title = (record?["poll"]?["title"] ?? record?["title"])?.GetValue<string>() ?? "(withdrawn from view)";
            rows.Add([decision.PollKey, title.Length > 34 ? title[..33] + "…" : title, decision.Version.ToString(CultureInfo.InvariantCulture), decision.State, decision.Cid[..16] + "…",
                decision.Reference.Root.ToString()[..12] + "…", decision.BlockNumber?.ToString(CultureInfo.InvariantCulture) ?? "-",
                passed ? "PASS (4/4)" : string.Join(" ", checks.Select(c => $"{c.Name}:{c.Verdict}"))]);
        }

        log.Information("Verifying the Glass Box: its hash chain, and every head anchored with the batches against the chain");
        var (_, audit) = await GlassBoxQueries.PageAsync(database, new AuditFilter(), 0, int.MaxValue, cancellationToken).ConfigureAwait(false);
        var heads = await GlassBoxQueries.HeadsAsync(database, cancellationToken: cancellationToken).ConfigureAwait(false);
        var auditChecks = await AuditLogVerifier.VerifyAsync(audit.Select(e => e.Entry).ToList(), heads, chain, Confirmations, TimeSpan.FromHours(2), DateTimeOffset.UtcNow, cancellationToken)
            .ConfigureAwait(false);
        var (_, batches) = await BatchLeaves.PageAsync(database, 0, int.MaxValue, cancellationToken).ConfigureAwait(false);
        var accounting = await AuditLogVerifier.AccountForAnchorsAsync(audit.Select(e => e.Entry).ToList(), batches, chain, manifest.ChainId, manifest.DeployBlock, cancellationToken)
            .ConfigureAwait(false);
        // The one anchor the bridge cannot explain must be the fabricated one, sent with its key behind its back.
        var auditPassed = auditChecks.All(c => c.Verdict == Verdict.Pass) && accounting.Unreported.Select(r => r.Root).SequenceEqual([watch.FabricatedRoot]);

        PrintTable(["poll", "title", "v", "state", "record CID", "batch root", "block", "verify"], rows);
        Console.WriteLine();
        Console.WriteLine();
        var members = await MembershipQueries.MembershipsAsync(database, cancellationToken: cancellationToken).ConfigureAwait(false);
        PrintTable(["member", "role", "status", "admitted by", "block"],
            members.Select(m => new[] { m.Member.ToChecksumString(), m.Role, m.Status, $"{m.Admission.PollKey} v{m.Admission.Version}", m.AdmittedInBlock.ToString(CultureInfo.InvariantCulture) }).ToList());
        Console.WriteLine();
        Console.WriteLine($"{members.Count(m => m.Status == "active")} members hold a CoopIdentity token at {manifest["CoopIdentity"].Address}, each citing the anchored decision that admitted them.");
        Console.WriteLine($"Watchtowers of 2 founders: {watch.Passed} genuine admissions PASS against their decision records; the revocation the anchoring key scheduled alone " +
            $"({watch.Fabricated.ToString()[..12]}…, no decision behind it) raised {watch.Alarms} ALARM and the members' veto left it {watch.VetoedStatus}: it can never run.");
        Console.WriteLine($"Secret ballot at {ballot.Ballot} (\"Which roof for the east block?\"): {string.Join(", ", ballot.Results.Select((r, i) => $"{DemoBallot.Options[i]} {r}"))}; " +
            $"{(ballot.BatchesProven ? $"all {ballot.Batches} message batches" : "NOT every batch")} and {(ballot.TallyProven ? $"all {ballot.TallyBatches} tally batches" : "NOT every tally batch")} proven with Groth16 and verified by the contract " +
            $"({ballot.ProvingTime.TotalSeconds:0} s); the coerced founder's watched vote was overridden in secret; the result is anchored as a decision above. " +
            "Its keys come from the INSECURE development powers of tau: fine on this local chain, never for a real ballot.");
        Console.WriteLine($"{rows.Count} decision versions from {keys.Count} polls and 1 ballot anchored in {rows.Select(r => r[5]).Distinct().Count()} batches on chain {manifest.ChainId}; " +
            $"{rows.Count - failures} verified, {failures} failed. DecisionAnchor at {manifest["DecisionAnchor"].Address}.");
        Console.WriteLine(auditPassed
            ? $"Glass Box: {audit.Count} entries in one unbroken hash chain; {heads.Count} heads anchored with the batches, each PASS against the chain; of the DecisionAnchor's batches only the " +
              $"fabricated one ({watch.FabricatedRoot.ToString()[..12]}…) is not the bridge's (what `iskander-chain audit verify` checks from the API)."
            : "Glass Box: FAIL — " + string.Join("; ", auditChecks.Append(accounting.Check).Where(c => c.Verdict != Verdict.Pass).Select(c => $"{c.Name}: {c.Detail}")));
        var allPassed = failures == 0 && auditPassed && ballot.BatchesProven && ballot.TallyProven && watch.VetoedStatus == "vetoed";
        if (listen is not null) await ServeUntilCancelledAsync(listen, new BridgeService(ingestor, loomioClient, pipeline, new BridgeServiceOptions { Groups = [group] }, log), database, store, consent,
            manifest, node.RpcUrl, log, cancellationToken).ConfigureAwait(false);
        return allPassed ? 0 : 1;
    }

    // demo --serve: the bridge keeps following the emulated Loomio and the chain, behind the API and the members' page.
    private static async Task ServeUntilCancelledAsync(string listen, BridgeService service, BridgeDatabase database, EmbeddedContentStore store, MembershipConsent consent,
        DeploymentManifest manifest, Uri rpcUrl, ILogger log, CancellationToken cancellationToken)
    {
        var bridge = new Host.Api.BridgeEndpointsOptions(database, service, Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), manifest.ChainId,
            manifest["DecisionAnchor"].Address, consent, Privacy: new Host.Api.ReadAccessOptions { AllRecordsPublic = true }) // the demo cooperative decides in the open
        {
            Deployment = new Host.Api.PublicDeployment(manifest.ChainId, manifest.Contracts.ToDictionary(c => c.Key, c => c.Value.Address), rpcUrl),
        };
        await using var web = await Host.BridgeWebHost.StartAsync(new Host.BridgeWebHostOptions { Listen = listen, ContentStore = store, Bridge = bridge }, log, cancellationToken).ConfigureAwait(false);
        var loop = service.RunAsync(cancellationToken);
        Console.WriteLine();
        Console.WriteLine($"Members' page: {web.Address} (chain node {rpcUrl}, DecisionAnchor {manifest["DecisionAnchor"].Address}). Everything stays up until Ctrl-C.");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C: an orderly stop.
        }

        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopped with the rest
        }
    }

    private static (long Group, List<string> Keys) SeedCooperative(LoomioEmulator loomio, IReadOnlyList<string> admissions)
    {
        var actionBlock = "<pre><code class=\"language-iskander-actions\">" + string.Join("\n", admissions) + "</code></pre>";
        var group = loomio.AddGroup("Riverside Housing Co-operative");
        var polls = new (string Title, string Type, string[] Options, int[] Votes, string? Outcome)[]
        {
            ("Adopt the 2027 budget?", "proposal", ["agree", "abstain", "disagree", "block"], [9, 1, 2, 0], "<p>Adopted with nine votes in favour.</p>"),
            ("Admit the founding members?", "proposal", ["agree", "abstain", "disagree", "block"], [11, 1, 0, 0], "<p>The three founders are admitted.</p>" + actionBlock),
            ("Keep the back garden communal?", "proposal", ["agree", "abstain", "disagree", "block"], [5, 2, 5, 0], null),
            ("Choose the solar installer", "poll", ["SunCoop", "Brightside Energy", "Local Power Ltd"], [7, 3, 2], "<p>SunCoop, a worker co-operative, is chosen.</p>"),
            ("Raise the maintenance reserve to 5%?", "proposal", ["agree", "abstain", "disagree", "block"], [8, 2, 1, 0], "<p>Raised to 5% from January.</p>"),
            ("Paint the hallway yellow?", "proposal", ["agree", "abstain", "disagree", "block"], [2, 1, 3, 0], null),
            ("General meeting date", "meeting", ["2026-12-05", "2026-12-12"], [6, 9], "<p>12 December, 18:00, common room.</p>"),
        };
        var keys = new List<string>();
        foreach (var poll in polls)
        {
            var key = loomio.AddPoll(group, poll.Title, poll.Type, poll.Options, voters: 14);
            for (var i = 0; i < poll.Votes.Length; i++) loomio.Vote(key, i, poll.Votes[i]);
            loomio.Close(key);
            if (poll.Outcome is not null) loomio.SetOutcome(key, poll.Outcome);
            keys.Add(key);
        }

        loomio.AddPoll(group, "Bike shed: open until next week", voters: 14); // still open: not a decision yet
        return (group, keys);
    }

    private static async Task RunUntilConfirmedAsync(AnchoringPipeline pipeline, BridgeDatabase database, ILogger log, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            await pipeline.RunRoundAsync(cancellationToken).ConfigureAwait(false);
            var counts = await DecisionQueries.StatusCountsAsync(database, cancellationToken).ConfigureAwait(false);
            log.Information("Pipeline: {Counts}", string.Join(", ", counts.OrderBy(p => p.Key).Select(p => $"{p.Value} {p.Key}")));
            if (counts.Count > 0 && counts.Keys.All(k => k == "batched/confirmed")) return;
            await Task.Delay(TimeSpan.FromMilliseconds(700), cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException("the pipeline did not confirm every version within 3 minutes");
    }

    // The founders consent as members would with `iskander-chain member consent`; here the demo signs with their development keys.
    private static async Task AdmitFoundersAsync(AnchoringPipeline pipeline, MembershipConsent consent, BridgeDatabase database, IReadOnlyList<PrivateKey> founders, ILogger log,
        CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        var signed = new HashSet<long>();
        while (DateTime.UtcNow < deadline)
        {
            foreach (var admission in await consent.PendingAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (founders.FirstOrDefault(f => f.Address == admission.Agreement.Member) is not { } key || !signed.Add(admission.ActionId)) continue;
                log.Information("{Member} signs the membership agreement (ERC-4973 consent) for admission {ActionId}", key.Address, admission.ActionId);
                await consent.AcceptAsync(admission.ActionId, admission.Agreement.Sign(key), cancellationToken).ConfigureAwait(false);
            }

            await pipeline.RunRoundAsync(cancellationToken).ConfigureAwait(false);
            var members = await MembershipQueries.MembershipsAsync(database, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (members.Count(m => m.Status == "active") == founders.Count)
            {
                log.Information("The {Count} founders hold their membership tokens", founders.Count);
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(700), cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException("the founders' admissions did not complete within 3 minutes");
    }

    private static void PrintTable(string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        string Line(string[] cells) => "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";
        Console.WriteLine(Line(header));
        Console.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in rows) Console.WriteLine(Line(row));
    }
}
