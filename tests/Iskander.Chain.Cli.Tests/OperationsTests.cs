using System.Text;
using System.Text.Json.Nodes;
using Iskander.Chain.Anchoring;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Content;
using Iskander.Chain.Contracts;
using Iskander.Chain.DevServices;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Loomio.Emulator;
using Iskander.Chain.Testing;
using Npgsql;

namespace Iskander.Chain.Cli.Tests;

/// <summary>
/// Operating <c>serve</c> and <c>verify</c> as real processes against a real anvil and PostgreSQL:
/// a database bound to its deployment, and errors that name the problem and the fix.
/// </summary>
public sealed class OperationsTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Deployment = "ISKANDER_DEPLOYMENT";
    private const string AnvilKey1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

    [Fact]
    public async Task A_database_is_bound_to_its_deployment_and_refuses_another()
    {
        await using var node = await AnvilNode.StartAsync(TestToolchain.Create());
        using var deployments = new ManifestFiles();
        var first = await deployments.DeployAsync(node);
        var second = await deployments.DeployAsync(node);
        await using var loomio = await LoomioEmulator.StartAsync();
        loomio.AddGroup("Members");
        using var data = new TempDirectory();
        var environment = BridgeEnvironment(node, await postgres.CreateDatabaseAsync(), loomio.BaseUrl.ToString(), loomio.ApiKey);
        string[] serve = ["serve", "--data-dir", data.Path, "--listen", "http://127.0.0.1:0"];

        await RunUntilBridgeAsync(serve, With(environment, Deployment, first));
        var (exitCode, output) = await CliProcess.RunAsync(serve, With(environment, Deployment, second));
        Assert.Equal(3, exitCode);
        var line = OneErrorLine(output);
        Assert.Contains("the database belongs to another deployment", line, StringComparison.Ordinal);
        Assert.Contains($"DecisionAnchor {DeploymentManifest.Load(first)["DecisionAnchor"].Address.ToString().ToLowerInvariant()}, not {DeploymentManifest.Load(second)["DecisionAnchor"].Address.ToString().ToLowerInvariant()}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Bridge:", output, StringComparison.Ordinal);

        // Its own deployment still starts.
        await RunUntilBridgeAsync(serve, With(environment, Deployment, first));
    }

    [Fact]
    public async Task A_configured_database_migrates_as_its_owner_and_runs_as_a_service_role_that_cannot_touch_the_Glass_Box()
    {
        await using var node = await AnvilNode.StartAsync(TestToolchain.Create());
        using var deployments = new ManifestFiles();
        var manifest = await deployments.DeployAsync(node);
        await using var loomio = await LoomioEmulator.StartAsync();
        loomio.AddGroup("Members");
        using var data = new TempDirectory();
        var superuser = await postgres.CreateDatabaseAsync();
        var database = new NpgsqlConnectionStringBuilder(superuser).Database!;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (ownerRole, serviceRole) = ($"owner_{suffix}", $"bridge_{suffix}");
        await ExecuteAsync(superuser, $"""
            CREATE ROLE {ownerRole} LOGIN PASSWORD 'owner-pw';
            CREATE ROLE {serviceRole} LOGIN PASSWORD 'service-pw';
            ALTER DATABASE {database} OWNER TO {ownerRole};
            """);
        var (owner, service) = (As(superuser, ownerRole, "owner-pw"), As(superuser, serviceRole, "service-pw"));
        var environment = With(With(BridgeEnvironment(node, service, loomio.BaseUrl.ToString(), loomio.ApiKey), Deployment, manifest), "ISKANDER_DATABASE_OWNER", owner);
        string[] serve = ["serve", "--data-dir", data.Path, "--listen", "http://127.0.0.1:0"];

        var output = await RunUntilBridgeAsync(serve, environment);
        Assert.DoesNotContain("could rewrite the Glass Box", output, StringComparison.Ordinal);
        Assert.Equal([ownerRole], await QueryAsync(superuser, "SELECT DISTINCT tableowner::text FROM pg_tables WHERE schemaname = 'public'"));
        Assert.Contains("deployment", await QueryAsync(superuser, "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'"));
        Assert.Single(await QueryAsync(service, "SELECT chain_id::text FROM deployment")); // the service role bound the deployment
        foreach (var sql in new[] { "UPDATE glass_box SET subject = 'forged'", "DELETE FROM glass_box", "DROP TRIGGER glass_box_no_update ON glass_box", "ALTER TABLE glass_box DISABLE TRIGGER glass_box_no_update" })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(service, sql));
            Assert.True(refused.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {refused.SqlState} {refused.MessageText}");
        }

        // A read command takes the same path: migrated as the owner, read as the service role.
        var (exitCode, listing) = await CliProcess.RunAsync(["decisions", "list", "--data-dir", data.Path], environment);
        Assert.True(exitCode == 0, listing);
        Assert.Contains($"Reading the bridge database as role {serviceRole}", listing, StringComparison.Ordinal);

        // Running as the owner itself works, with a warning naming the role and the fix.
        output = await RunUntilBridgeAsync(serve, With(With(environment, "ISKANDER_DATABASE", owner), "ISKANDER_DATABASE_OWNER", ""));
        Assert.Contains($"The bridge's database role {ownerRole} owns the Glass Box's table glass_box: it could rewrite the Glass Box or drop its append-only trigger. Give the bridge a role of its own in ISKANDER_DATABASE and migrate as the owner with ISKANDER_DATABASE_OWNER",
            output, StringComparison.Ordinal);

        // Owner settings that cannot work: one line, documented exit code, no password echoed.
        async Task<string> FailsAsync(int expectedExit, IReadOnlyDictionary<string, string> settings)
        {
            var (code, text) = await CliProcess.RunAsync(serve, settings);
            Assert.True(code == expectedExit, $"exit {code}, expected {expectedExit}:\n{text}");
            Assert.DoesNotContain("-pw", text, StringComparison.Ordinal);
            return OneErrorLine(text);
        }

        var line = await FailsAsync(2, With(environment, "ISKANDER_DATABASE", ""));
        Assert.Contains("ISKANDER_DATABASE_OWNER is set but ISKANDER_DATABASE is not", line, StringComparison.Ordinal);
        line = await FailsAsync(2, With(environment, "ISKANDER_DATABASE_OWNER", new NpgsqlConnectionStringBuilder(owner) { Database = "postgres" }.ConnectionString));
        Assert.Contains($"ISKANDER_DATABASE_OWNER connects to the database postgres, but ISKANDER_DATABASE to {database}", line, StringComparison.Ordinal);
        line = await FailsAsync(1, With(environment, "ISKANDER_DATABASE_OWNER", As(superuser, ownerRole, "wrong-pw")));
        Assert.Contains($"the schema's owner (ISKANDER_DATABASE_OWNER) could not migrate the bridge's database", line, StringComparison.Ordinal);
        Assert.Contains("password authentication failed", line, StringComparison.Ordinal);
    }

    private static string As(string connection, string role, string password) =>
        new NpgsqlConnectionStringBuilder(connection) { Username = role, Password = password, Pooling = false }.ConnectionString;

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> QueryAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync()) values.Add(reader.GetString(0));
        return values;
    }

    [Fact]
    public async Task Errors_name_the_thing_and_the_fix_on_one_line_with_a_documented_exit_code()
    {
        await using var node = await AnvilNode.StartAsync(TestToolchain.Create());
        using var deployments = new ManifestFiles();
        var manifestPath = await deployments.DeployAsync(node);
        var manifest = DeploymentManifest.Load(manifestPath);
        using var data = new TempDirectory();
        var environment = With(BridgeEnvironment(node, await postgres.CreateDatabaseAsync(), "http://127.0.0.1:9/", "bot-key"), Deployment, manifestPath);
        string[] serve = ["serve", "--data-dir", data.Path, "--listen", "http://127.0.0.1:0"];

        async Task<string> FailsAsync(int expectedExit, IReadOnlyDictionary<string, string> settings, string[]? arguments = null)
        {
            var (exitCode, output) = await CliProcess.RunAsync(arguments ?? serve, settings);
            Assert.True(exitCode == expectedExit, $"exit {exitCode}, expected {expectedExit}:\n{output}");
            Assert.DoesNotContain(AnvilKey1[2..], output, StringComparison.OrdinalIgnoreCase);
            return OneErrorLine(output) + "\n(output:\n" + output + ")";
        }

        // An RPC URL that is not one; the value itself is never echoed (it may carry an API key).
        const string BadUrl = "not-a-url-secret123";
        var line = await FailsAsync(2, new Dictionary<string, string> { ["ISKANDER_RPC_URL"] = BadUrl });
        Assert.Contains("ISKANDER_RPC_URL is not an http(s) URL", line, StringComparison.Ordinal);
        Assert.DoesNotContain(BadUrl, line, StringComparison.Ordinal);

        // A node that does not answer.
        line = await FailsAsync(1, With(environment, "ISKANDER_RPC_URL", "http://127.0.0.1:9/"));
        Assert.Contains("the chain node at http://127.0.0.1:9 does not answer JSON-RPC", line, StringComparison.Ordinal);
        Assert.Contains("fix ISKANDER_RPC_URL", line, StringComparison.Ordinal);

        // A JSON file that is not a deployment manifest, and a file that is not JSON.
        var notManifest = data.Combine("package.json");
        await File.WriteAllTextAsync(notManifest, "{\"name\":\"something else\"}");
        line = await FailsAsync(2, With(environment, Deployment, notManifest));
        Assert.Contains($"{notManifest} is not a deployment manifest", line, StringComparison.Ordinal);
        await File.WriteAllTextAsync(notManifest, "hello");
        line = await FailsAsync(2, With(environment, Deployment, notManifest));
        Assert.Contains($"{notManifest} is not a deployment manifest (not JSON)", line, StringComparison.Ordinal);

        // A manifest whose contract has no code on this chain.
        var moved = JsonNode.Parse(await File.ReadAllTextAsync(manifestPath))!;
        moved["contracts"]!["DecisionAnchor"]!["address"] = "0x000000000000000000000000000000000000dEaD";
        var movedPath = data.Combine("moved.json");
        await File.WriteAllTextAsync(movedPath, moved.ToJsonString());
        line = await FailsAsync(2, With(environment, Deployment, movedPath));
        Assert.Contains("names DecisionAnchor at 0x000000000000000000000000000000000000dEaD, but the node's chain 31337 has no contract code there", line, StringComparison.Ordinal);

        // A keystore that is not one: the message names it; its bytes (here a raw key) never appear.
        var keystore = data.Combine("anchorer.json");
        await File.WriteAllTextAsync(keystore, $"{{\"version\": 3, \"crypto\": \"{AnvilKey1}\"}}");
        var keystoreSettings = With(With(environment, "ISKANDER_KEYSTORE", keystore), "ISKANDER_KEYSTORE_PASSWORD", "pw");
        keystoreSettings.Remove("ISKANDER_ANCHORER_KEY");
        line = await FailsAsync(2, keystoreSettings);
        Assert.Contains($"ISKANDER_KEYSTORE: {keystore} is not a keystore", line, StringComparison.Ordinal);

        // verify: a node that does not answer; a bundle whose contract reverts or has no code.
        var bundlePath = data.Combine("bundle.json");
        await File.WriteAllTextAsync(bundlePath, (await BundleAsync(manifest["CoopIdentity"].Address)).ToJson());
        line = await FailsAsync(1, new Dictionary<string, string>(), ["verify", bundlePath, "--anchor", manifest["DecisionAnchor"].Address.ToString(), "--rpc", "http://127.0.0.1:1"]);
        Assert.Contains("the node at http://127.0.0.1:1 does not answer JSON-RPC: start it, or pass another --rpc", line, StringComparison.Ordinal);
        // The anchor comes from the verifier's side: one that is not a DecisionAnchor is refused as bad input, in one line.
        foreach (var contract in new[] { manifest["CoopIdentity"].Address, Address.Parse("0x000000000000000000000000000000000000dEaD") })
        {
            await File.WriteAllTextAsync(bundlePath, (await BundleAsync(contract)).ToJson());
            line = await FailsAsync(2, new Dictionary<string, string>(), ["verify", bundlePath, "--anchor", contract.ToString(), "--rpc", node.RpcUrl.ToString()]);
            Assert.Contains(contract.ToString(), line, StringComparison.Ordinal);
            Assert.Contains("DecisionAnchor", line, StringComparison.Ordinal);
            Assert.Contains("pass the cooperative's DecisionAnchor with --anchor, or its deployment manifest with --deployment", line, StringComparison.Ordinal);
        }
    }

    // A well-formed bundle for a one-leaf batch that was never anchored, naming the given contract.
    private static async Task<EvidenceBundle> BundleAsync(Address anchor)
    {
        var record = Encoding.UTF8.GetBytes("{\"decision\":\"adopt\"}");
        var cid = Cid.ForRawBlock(record);
        var leaf = DecisionLeaf.FromDigest(new Hash32(cid.Hash.Digest));
        var decision = new AnchoredDecision("p-1", 1, "closed", cid.ToString(), record, new DecisionRef(leaf, leaf, 0, []), "confirmed", 5);
        return await EvidenceBundle.CreateAsync(decision, 31337, anchor);
    }

    private static Dictionary<string, string> BridgeEnvironment(AnvilNode node, string database, string loomioUrl, string loomioKey) => new()
    {
        ["ISKANDER_RPC_URL"] = node.RpcUrl.ToString(),
        ["ISKANDER_DATABASE"] = database,
        ["ISKANDER_LOOMIO_URL"] = loomioUrl,
        ["ISKANDER_LOOMIO_API_KEY"] = loomioKey,
        ["ISKANDER_ANCHORER_KEY"] = node.Accounts[1].PrivateKey,
        ["ISKANDER_CONFIRMATIONS"] = "1",
    };

    private static Dictionary<string, string> With(IReadOnlyDictionary<string, string> environment, string name, string value) =>
        new(environment) { [name] = value };

    private static async Task<string> RunUntilBridgeAsync(string[] arguments, IReadOnlyDictionary<string, string> environment)
    {
        using var serve = CliProcess.Start(arguments, environment);
        await serve.WaitForLineAsync("Bridge:", TimeSpan.FromMinutes(1));
        await serve.WaitForLineAsync("Healthy:", TimeSpan.FromMinutes(1));
        serve.Interrupt();
        var exitCode = await serve.WaitForExitAsync(TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, serve.Output);
        return serve.Output;
    }

    // The one error line, and nothing that looks like a stack trace.
    private static string OneErrorLine(string output)
    {
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
        var lines = output.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        var logged = lines.Where(l => l.Contains(" ERR ", StringComparison.Ordinal)).ToList();
        return Assert.Single(logged.Count > 0 ? logged : lines);
    }

    // Manifests deployed for a test, deleted after it.
    private sealed class ManifestFiles : IDisposable
    {
        private readonly List<string> _paths = [];

        public async Task<string> DeployAsync(AnvilNode node)
        {
            var path = Path.Combine(TestToolchain.Layout.Root, "deployments", $"ops-{Guid.NewGuid():N}.json");
            _paths.Add(path);
            await new CoopDeployer(TestToolchain.Runner()).DeployAsync(node.RpcUrl, PrivateKey.FromHex(node.Accounts[0].PrivateKey), path,
                new CoopDeploymentOptions { Anchorer = Address.Parse(node.Accounts[1].Address) });
            return path;
        }

        public void Dispose()
        {
            foreach (var path in _paths) File.Delete(path);
        }
    }
}
