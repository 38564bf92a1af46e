using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Iskander.Chain.Anchoring;
using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Content;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Contracts;
using Iskander.Chain.DevServices;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Host.Api;
using Iskander.Chain.Loomio;
using Iskander.Chain.Loomio.Emulator;
using Iskander.Chain.Testing;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Host.Tests;

/// <summary>
/// What is public: a private Loomio group's records are served (gateway, routing, listings, per poll,
/// evidence bundles) only to members — the read token, or a current member's signed challenge — and
/// a public group's to anyone; on the real host over a real database, with records anchored by the
/// real pipeline on anvil.
/// </summary>
public sealed class PrivateRecordTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string ReadToken = "readtoken0123456789abcdef0123456789abcdef";
    private static readonly Address Admitted = Address.Parse("0x00000000000000000000000000000000000a11ce");
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Private_groups_records_are_served_to_members_only_and_public_groups_to_anyone()
    {
        await using var setup = await SetupAsync(postgres);
        var (database, publicRecord, privateRecord) = (setup.Database, setup.Public, setup.Private);
        await using var host = await setup.StartHostAsync(new ReadAccessOptions { ReadToken = ReadToken });

        // Anonymous: the private record does not exist, by CID (any codec naming its bytes), by poll key, in the listing or as evidence.
        var unknown = Cid.V1(Multicodec.Raw, Multihash.Sha256("never stored"u8));
        using (var missing = await GetAsync(host, $"/ipfs/{unknown}?format=raw"))
        using (var hidden = await GetAsync(host, $"/ipfs/{privateRecord.Cid}?format=raw"))
        {
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
            Assert.Equal((await missing.Content.ReadAsStringAsync()).Replace(unknown.ToString(), "CID", StringComparison.Ordinal),
                (await hidden.Content.ReadAsStringAsync()).Replace(privateRecord.Cid, "CID", StringComparison.Ordinal));
        }

        var asDagPb = Cid.V1(Multicodec.DagPb, Cid.Parse(privateRecord.Cid).Hash);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(host, $"/ipfs/{asDagPb}?format=raw")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(host, $"/ipfs/{privateRecord.Cid}?format=car")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(host, $"/ipfs/{privateRecord.Cid}?format=raw", method: HttpMethod.Head)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(host, $"/routing/v1/providers/{privateRecord.Cid}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(host, $"/api/decisions/{privateRecord.PollKey}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(host, $"/api/decisions/{privateRecord.PollKey}/evidence")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(host, $"/api/decisions/{privateRecord.Cid}/evidence")).StatusCode);
        Assert.Equal([publicRecord.PollKey], await ListedKeysAsync(host));

        // The public group's record is anyone's, cacheable by anyone.
        using (var open = await GetAsync(host, $"/ipfs/{publicRecord.Cid}?format=raw"))
        {
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
            Assert.Equal(publicRecord.Record, await open.Content.ReadAsByteArrayAsync());
            Assert.True(open.Headers.CacheControl!.Public);
        }

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(host, $"/routing/v1/providers/{publicRecord.Cid}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(host, $"/api/decisions/{publicRecord.PollKey}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(host, $"/api/decisions/{publicRecord.Cid}/evidence")).StatusCode);

        // A wrong token is told so (401), whatever it asks for; it learns nothing about records.
        var wrong = new AuthenticationHeaderValue("Bearer", "not-the-token");
        foreach (var path in new[] { $"/ipfs/{privateRecord.Cid}?format=raw", $"/ipfs/{unknown}?format=raw", "/api/decisions", $"/api/decisions/{privateRecord.PollKey}/evidence" })
        {
            using var refused = await GetAsync(host, path, wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains(ReadAccess.SignatureScheme, refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        // The read token opens everything, and a private answer is never stored by shared caches.
        var token = new AuthenticationHeaderValue("Bearer", ReadToken);
        using (var read = await GetAsync(host, $"/ipfs/{privateRecord.Cid}?format=raw", token))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal(privateRecord.Record, await read.Content.ReadAsByteArrayAsync());
            Assert.True(read.Headers.CacheControl!.Private);
            Assert.False(read.Headers.CacheControl.Public);
            Assert.Contains("Authorization", read.Headers.Vary);
        }

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(host, $"/routing/v1/providers/{privateRecord.Cid}", token)).StatusCode);
        Assert.Equal([publicRecord.PollKey, privateRecord.PollKey], (await ListedKeysAsync(host, token)).Order());
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(host, $"/api/decisions/{privateRecord.PollKey}", token)).StatusCode);
        using (var evidence = await GetAsync(host, $"/api/decisions/{privateRecord.PollKey}/evidence", token))
        {
            Assert.Equal(HttpStatusCode.OK, evidence.StatusCode);
            using var bundle = JsonDocument.Parse(await evidence.Content.ReadAsStringAsync());
            Assert.Contains(privateRecord.Cid, bundle.RootElement.GetRawText(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(host, $"/api/decisions/{privateRecord.Cid}/evidence", token)).StatusCode);

        // A signed challenge: a stranger's signature reads what anyone reads; a current member's reads the private record.
        var signer = PrivateKey.FromHex("0x" + new string('7', 64));
        using (var challenge = JsonDocument.Parse(await Http.GetStringAsync(new Uri(host.Address, "/api/access/challenge"))))
        {
            var until = challenge.RootElement.GetProperty("until").GetInt64();
            Assert.Equal(ReadAccess.Challenge(31337, setup.DecisionAnchor, until), challenge.RootElement.GetProperty("message").GetString());
            Assert.InRange(until - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 1, (long)ReadAccess.MaxSignatureLifetime.TotalSeconds);
        }

        AuthenticationHeaderValue Signed(PrivateKey key, TimeSpan lifetime, Address? anchor = null)
        {
            var until = DateTimeOffset.UtcNow.Add(lifetime).ToUnixTimeSeconds();
            return AuthenticationHeaderValue.Parse(ReadAccess.SignatureHeader(key, ReadAccess.Challenge(31337, anchor ?? setup.DecisionAnchor, until), until));
        }

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(host, $"/ipfs/{privateRecord.Cid}?format=raw", Signed(signer, TimeSpan.FromMinutes(2)))).StatusCode);
        Assert.Equal([publicRecord.PollKey], await ListedKeysAsync(host, Signed(signer, TimeSpan.FromMinutes(2))));
        await AdmitAsync(database, signer.Address);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(host, $"/ipfs/{privateRecord.Cid}?format=raw", Signed(signer, TimeSpan.FromMinutes(2)))).StatusCode);
        Assert.Equal(2, (await ListedKeysAsync(host, Signed(signer, TimeSpan.FromMinutes(2)))).Count);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(host, $"/api/decisions/{privateRecord.PollKey}/evidence", Signed(signer, TimeSpan.FromMinutes(2)))).StatusCode);
        // Expired, too long-lived, or for another cooperative's contract: refused.
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(host, "/api/decisions", Signed(signer, TimeSpan.FromSeconds(-5)))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(host, "/api/decisions", Signed(signer, TimeSpan.FromHours(1)))).StatusCode);
        Assert.Equal([publicRecord.PollKey], await ListedKeysAsync(host, Signed(signer, TimeSpan.FromMinutes(2), Address.Parse("0x000000000000000000000000000000000000dEaD"))));

        // The admission the private decision orders, not yet scheduled on chain, is as private as the decision.
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(host, $"/api/members/{Admitted}")).StatusCode);
        using (var shown = await GetAsync(host, $"/api/members/{Admitted}", token))
        {
            Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
            using var body = JsonDocument.Parse(await shown.Content.ReadAsStringAsync());
            Assert.Equal(privateRecord.PollKey, body.RootElement.GetProperty("actions")[0].GetProperty("pollKey").GetString());
        }

        // Pending admissions: not to anyone who asks; the token sees them, a signer only their own.
        using (var anonymous = await GetAsync(host, "/api/members/pending"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Contains("read token", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(host, "/api/members/pending", token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(host, $"/api/members/pending?member={signer.Address}", Signed(signer, TimeSpan.FromMinutes(2)))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(host, "/api/members/pending?member=0x000000000000000000000000000000000000dEaD", Signed(signer, TimeSpan.FromMinutes(2)))).StatusCode);

        // Once the private decision's admission is on chain, the membership is public, and so is the
        // action leaf behind it; the poll that decided is named to members only.
        var leaf = await AdmitByDecisionAsync(database, Admitted, privateRecord.PollKey);
        foreach (var (credentials, named) in new[] { ((AuthenticationHeaderValue?)null, false), (token, true), (Signed(signer, TimeSpan.FromMinutes(2)), true) })
        {
            using var listed = await GetAsync(host, "/api/members", credentials);
            using var body = JsonDocument.Parse(await listed.Content.ReadAsStringAsync());
            var admission = body.RootElement.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("member").GetString() == Admitted.ToChecksumString()).GetProperty("admission");
            Assert.Equal(leaf.ToString(), admission.GetProperty("leaf").GetString());
            Assert.Equal(named ? privateRecord.PollKey : null, admission.GetProperty("pollKey").GetString());
            Assert.Equal(!named, admission.GetProperty("membersOnly").GetBoolean());
            Assert.Equal(named, listed.Headers.CacheControl?.Private == true);
            using var one = await GetAsync(host, $"/api/members/{Admitted}", credentials);
            Assert.Equal(named, (await one.Content.ReadAsStringAsync()).Contains(privateRecord.PollKey, StringComparison.Ordinal));
        }

        using (var publicListing = await GetAsync(host, "/api/members"))
        {
            Assert.DoesNotContain(privateRecord.PollKey, await publicListing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_cooperative_can_make_every_record_public()
    {
        await using var setup = await SetupAsync(postgres);
        await using var host = await setup.StartHostAsync(new ReadAccessOptions { AllRecordsPublic = true });
        using (var read = await GetAsync(host, $"/ipfs/{setup.Private.Cid}?format=raw"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal(setup.Private.Record, await read.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(2, (await ListedKeysAsync(host)).Count);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(host, $"/api/decisions/{setup.Private.PollKey}/evidence")).StatusCode);
        // Admissions stay the members' business.
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(host, "/api/members/pending")).StatusCode);
    }

    [Fact]
    public async Task The_Glass_Box_is_served_to_members_filtered_and_paged_with_the_anchored_head_covering_each_entry()
    {
        await using var setup = await SetupAsync(postgres);
        await using var host = await setup.StartHostAsync(new ReadAccessOptions { ReadToken = ReadToken });
        // It names private polls: anonymous callers are told to authenticate, whatever they ask.
        foreach (var path in new[] { "/api/audit", "/api/audit/1", "/api/audit/heads", "/api/audit/batches" }) Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(host, path)).StatusCode);

        var token = new AuthenticationHeaderValue("Bearer", ReadToken);
        using var all = JsonDocument.Parse(await (await GetAsync(host, "/api/audit", token)).Content.ReadAsStringAsync());
        var total = all.RootElement.GetProperty("total").GetInt32();
        var entries = all.RootElement.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(total, entries.Count);
        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), entries.Select(e => e.GetProperty("seq").GetInt64()));
        // Each entry names the hash it follows, so a page can be checked link by link.
        for (var i = 1; i < entries.Count; i++) Assert.Equal(entries[i - 1].GetProperty("hash").GetString(), entries[i].GetProperty("previousHash").GetString());

        foreach (var (query, expected) in new[]
                 {
                     ("kind=intent", (Func<JsonElement, bool>)(e => e.GetProperty("kind").GetString() == "intent")),
                     ("actor=anchor", e => e.GetProperty("action").GetString()!.StartsWith("anchor.", StringComparison.Ordinal)),
                     ("action=content.put&kind=outcome", e => e.GetProperty("action").GetString() == "content.put" && e.GetProperty("kind").GetString() == "outcome"),
                 })
        {
            using var filtered = JsonDocument.Parse(await (await GetAsync(host, $"/api/audit?{query}", token)).Content.ReadAsStringAsync());
            var matching = filtered.RootElement.GetProperty("entries").EnumerateArray().ToList();
            Assert.NotEmpty(matching);
            Assert.Equal(entries.Count(expected), matching.Count);
            Assert.All(matching, e => Assert.True(expected(e), query));
        }

        using (var paged = JsonDocument.Parse(await (await GetAsync(host, "/api/audit?offset=1&limit=2", token)).Content.ReadAsStringAsync()))
        {
            Assert.Equal(total, paged.RootElement.GetProperty("total").GetInt32());
            Assert.Equal([2L, 3L], paged.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()));
        }

        using (var future = JsonDocument.Parse(await (await GetAsync(host, $"/api/audit?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture))}", token)).Content.ReadAsStringAsync()))
        {
            Assert.Equal(0, future.RootElement.GetProperty("total").GetInt32());
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(host, "/api/audit?from=yesterday", token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(host, $"/api/audit/{total + 1}", token)).StatusCode);

        // The first entry is covered by the head of the first batch, whose proof the contract accepts.
        using var first = JsonDocument.Parse(await (await GetAsync(host, "/api/audit/1", token)).Content.ReadAsStringAsync());
        Assert.Equal(entries[0].GetRawText(), first.RootElement.GetProperty("entry").GetRawText());
        var covering = AnchoredAuditHead.FromJson(System.Text.Json.Nodes.JsonNode.Parse(first.RootElement.GetProperty("coveredBy").GetRawText()));
        Assert.True(covering.Seq >= 1);
        Assert.Equal(AuditHeadLeaf.Compute(covering.Seq, Hash32.Parse(entries[(int)covering.Seq - 1].GetProperty("hash").GetString()!)), covering.Reference.Leaf);
        using var heads = JsonDocument.Parse(await (await GetAsync(host, "/api/audit/heads", token)).Content.ReadAsStringAsync());
        Assert.Equal(covering.Seq, heads.RootElement.GetProperty("heads")[0].GetProperty("seq").GetInt64());
        var onChain = await DecisionVerifier.VerifyInclusionAsync(covering.Reference, AnchorChain.ReadOnly(new EthClient(new JsonRpcClient(setup.Node.RpcUrl)), setup.DecisionAnchor), 1);
        Assert.All(onChain, c => Assert.Equal(Verdict.Pass, c.Verdict));

        // Every batch with what its leaves commit to: recomputed, they give the batch's root.
        using var batches = JsonDocument.Parse(await (await GetAsync(host, "/api/audit/batches?limit=1", token)).Content.ReadAsStringAsync());
        var firstBatch = System.Text.Json.Nodes.JsonNode.Parse(batches.RootElement.GetProperty("batches")[0].GetRawText())!.AsObject();
        Assert.True(batches.RootElement.GetProperty("total").GetInt32() >= 1);
        var leaves = firstBatch["leaves"]!.AsArray().Select(l => BatchLeaves.Recompute(l!.AsObject(), 31337)).ToList();
        Assert.Equal(firstBatch["root"]!.GetValue<string>(), new DecisionMerkleTree(leaves).Root.ToString());
    }

    [Fact]
    public async Task A_poll_no_longer_readable_keeps_its_groups_publicity()
    {
        await using var setup = await SetupAsync(postgres);
        foreach (var record in new[] { setup.Public, setup.Private })
        {
            setup.Loomio.Discard(record.PollKey);
            Assert.Equal(2, (await setup.Ingestor.ReconcilePollAsync(record.PollKey))!.Version);
        }

        await using var connection = await setup.Database.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT poll_key, state, public FROM decision_versions WHERE version = 2 ORDER BY poll_key", connection);
        var withdrawn = new Dictionary<string, bool>();
        await using (var reader = await query.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                Assert.Equal("withdrawn", reader.GetString(1));
                withdrawn[reader.GetString(0)] = reader.GetBoolean(2);
            }
        }

        Assert.True(withdrawn[setup.Public.PollKey]);
        Assert.False(withdrawn[setup.Private.PollKey]);
    }

    private static async Task<HttpResponseMessage> GetAsync(BridgeWebHost host, string path, AuthenticationHeaderValue? authorization = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, new Uri(host.Address, path));
        request.Headers.Authorization = authorization;
        return await Http.SendAsync(request);
    }

    private static async Task<List<string>> ListedKeysAsync(BridgeWebHost host, AuthenticationHeaderValue? authorization = null)
    {
        using var response = await GetAsync(host, "/api/decisions", authorization);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var listing = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var keys = listing.RootElement.GetProperty("decisions").EnumerateArray().Select(d => d.GetProperty("pollKey").GetString()!).ToList();
        Assert.Equal(keys.Count, listing.RootElement.GetProperty("total").GetInt32());
        return keys;
    }

    // What the membership mirror records when CoopIdentity admits a member (the chain side is tested with the mirror).
    private static async Task AdmitAsync(BridgeDatabase database, Address member)
    {
        await using var connection = await database.OpenAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO membership_events (block_number, log_index, block_hash, tx_hash, event, token_id, member, role, leaf) VALUES (1, 0, $1, $1, 'admitted', $1, $2, $3, $1)", connection);
        insert.Parameters.Add(new() { Value = new byte[32] });
        insert.Parameters.Add(new() { Value = member.ToArray() });
        insert.Parameters.Add(new() { Value = "member"u8.ToArray() });
        await insert.ExecuteNonQueryAsync();
    }

    // As the mirrors record an admission executed on chain: the decision's action gets its leaf, and CoopIdentity's event names it.
    private static async Task<Hash32> AdmitByDecisionAsync(BridgeDatabase database, Address member, string pollKey)
    {
        var leaf = new Hash32(System.Security.Cryptography.SHA256.HashData(member.ToArray()));
        await using var connection = await database.OpenAsync();
        await using (var action = new NpgsqlCommand("UPDATE governance_actions SET leaf = $1 WHERE version_id IN (SELECT id FROM decision_versions WHERE poll_key = $2)", connection))
        {
            action.Parameters.Add(new() { Value = leaf.ToArray() });
            action.Parameters.Add(new() { Value = pollKey });
            Assert.Equal(1, await action.ExecuteNonQueryAsync());
        }

        await using var insert = new NpgsqlCommand(
            "INSERT INTO membership_events (block_number, log_index, block_hash, tx_hash, event, token_id, member, role, leaf) VALUES (2, 0, $1, $1, 'admitted', $1, $2, $3, $1)", connection);
        insert.Parameters.Add(new() { Value = leaf.ToArray() });
        insert.Parameters.Add(new() { Value = member.ToArray() });
        insert.Parameters.Add(new() { Value = "tenant"u8.ToArray() });
        await insert.ExecuteNonQueryAsync();
        return leaf;
    }

    private static async Task<Setup> SetupAsync(PostgresFixture postgres)
    {
        var database = new BridgeDatabase(await postgres.CreateDatabaseAsync());
        await database.MigrateAsync();
        var loomio = await LoomioEmulator.StartAsync();
        var open = loomio.AddGroup("Neighbourhood assembly", isPublic: true);
        var closed = loomio.AddGroup("Members");
        var openKey = loomio.AddPoll(open, "Repaint the hall?");
        var closedKey = loomio.AddPoll(closed, "Evict tenant 4B?");
        loomio.Close(openKey);
        loomio.Close(closedKey);
        // The private decision orders an admission (recorded, not yet on the public schedule: this pipeline has no governance).
        loomio.SetOutcome(closedKey, $"Admitted.\n\n```iskander-actions\nadmit-member {Admitted.ToChecksumString()} role=tenant\n```\n", "md");
        var log = new LoggerConfiguration().CreateLogger();
        var client = new LoomioClient(Http, new LoomioClientOptions { BaseUrl = loomio.BaseUrl, ApiKey = loomio.ApiKey });
        var ingestor = new DecisionIngestor(database, client, loomio.BaseUrl, log);
        await ingestor.ReconcileGroupAsync(open);
        await ingestor.ReconcileGroupAsync(closed);

        var directory = new TempDirectory();
        var node = await AnvilNode.StartAsync(TestToolchain.Create());
        var manifestPath = Path.Combine(TestToolchain.Layout.Root, "deployments", $"private-{Guid.NewGuid():N}.json");
        var deployer = new CoopDeployer(TestToolchain.Runner());
        var anchorer = PrivateKey.FromHex(node.Accounts[1].PrivateKey);
        var manifest = await deployer.DeployAsync(node.RpcUrl, PrivateKey.FromHex(node.Accounts[0].PrivateKey), manifestPath, new CoopDeploymentOptions { Anchorer = anchorer.Address });
        File.Delete(manifestPath);
        var eth = new EthClient(new JsonRpcClient(node.RpcUrl));
        var chain = new AnchorChain(eth, manifest["DecisionAnchor"].Address, deployer.Artifact(manifest, "DecisionAnchor").Abi, new TransactionSender(eth, new LocalSigner(anchorer)));
        var store = new EmbeddedContentStore(directory.Path);
        var pipeline = AnchoringPipeline.Create(database, store, chain, log, new AnchoringPipelineOptions { MaxWait = TimeSpan.Zero, Confirmations = 1 });
        while ((await DecisionQueries.AnchoredAsync(database)).Count < 2) await pipeline.RunRoundAsync();
        var anchored = await DecisionQueries.AnchoredAsync(database);
        var service = new BridgeService(ingestor, client, pipeline, new BridgeServiceOptions { Groups = [open, closed] }, log);
        return new Setup(database, loomio, node, directory, store, ingestor, service, manifest["DecisionAnchor"].Address, log,
            anchored.Single(a => a.PollKey == openKey), anchored.Single(a => a.PollKey == closedKey));
    }

    private sealed record Setup(BridgeDatabase Database, LoomioEmulator Loomio, AnvilNode Node, TempDirectory Directory, IContentStore Store, DecisionIngestor Ingestor, BridgeService Service,
        Address DecisionAnchor,
        ILogger Log, AnchoredDecision Public, AnchoredDecision Private) : IAsyncDisposable
    {
        public Task<BridgeWebHost> StartHostAsync(ReadAccessOptions privacy)
        {
            Assert.True(Public.Public);
            Assert.False(Private.Public);
            return BridgeWebHost.StartAsync(new BridgeWebHostOptions
            {
                Listen = "http://127.0.0.1:0", ContentStore = Store, Bridge = new BridgeEndpointsOptions(Database, Service, new string('a', 64), 31337, DecisionAnchor, Privacy: privacy),
            }, Log);
        }

        public async ValueTask DisposeAsync()
        {
            await Node.DisposeAsync();
            await Loomio.DisposeAsync();
            await Database.DisposeAsync();
            Directory.Dispose();
        }
    }
}
