using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Iskander.Chain.Ballots.Circuits;
using Iskander.Chain.Ballots.Proving;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Testing;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;
using Serilog;

namespace Iskander.Chain.Ballots.Tests;

/// <summary>
/// The proof fixtures the Foundry tests feed to the exported verifiers
/// (<c>contracts/test/fixtures/groth16/</c>): a fresh proof of each circuit verifies on the committed
/// verifiers deployed on anvil, and so do the committed fixtures, so they cannot rot when the keys
/// change. Groth16 proofs are randomised, so fixtures are rewritten only on request: run this class
/// with <c>ISKANDER_UPDATE_VERIFIER_FIXTURES=1</c> after the verifiers are exported again.
/// </summary>
public sealed class VerifierFixtureTests(TestCircuits circuits, AnvilFixture anvil) : IClassFixture<TestCircuits>, IClassFixture<AnvilFixture>
{
    private static readonly string FixtureDirectory = Path.Combine(TestToolchain.Layout.Root, "contracts", "test", "fixtures", "groth16");

    /// <summary>A committed proof fixture: the proof in contract order and its public inputs.</summary>
    private sealed record Fixture(string Verifier, BigInteger[] Proof, BigInteger[] PublicInputs)
    {
        public static string PathOf(string verifier) => Path.Combine(FixtureDirectory, verifier + ".json");

        public static Fixture Load(string verifier)
        {
            using var document = JsonDocument.Parse(File.ReadAllText(PathOf(verifier)));
            var root = document.RootElement;
            static BigInteger[] Numbers(JsonElement array) => array.EnumerateArray().Select(e => BigInteger.Parse(e.GetString()!, CultureInfo.InvariantCulture)).ToArray();
            return new Fixture(root.GetProperty("verifier").GetString()!, Numbers(root.GetProperty("proof")), Numbers(root.GetProperty("publicInputs")));
        }

        public void Save()
        {
            Directory.CreateDirectory(FixtureDirectory);
            static IEnumerable<string> Text(IEnumerable<BigInteger> values) => values.Select(v => v.ToString(CultureInfo.InvariantCulture));
            var json = JsonSerializer.Serialize(new
            {
                verifier = Verifier,
                generatedBy = $"Iskander.Chain.Ballots.Tests.{nameof(VerifierFixtureTests)} (ISKANDER_UPDATE_VERIFIER_FIXTURES=1)",
                proof = Text(Proof),
                publicInputs = Text(PublicInputs),
            }, new JsonSerializerOptions { WriteIndented = true });
            File.WriteAllText(PathOf(Verifier), json + "\n");
        }
    }

    // A small poll of the test shape: three members vote, the last batch and the tally are proven.
    private async Task<(Groth16Proof Process, Groth16Proof Tally)> ProveAsync()
    {
        var (coordinator, poll) = TestCircuits.ThreeVoterPoll(i => (ulong)i % 3);

        var prover = new Groth16Prover(TestToolchain.Runner(), new LoggerConfiguration().CreateLogger());
        using var work = new TempDirectory();
        poll.CloseVoting();
        Groth16Proof? process = null;
        while (poll.BatchesLeft > 0)
        {
            var batch = poll.ProcessNextBatch(coordinator, Fr.Random());
            process ??= await prover.ProveAsync(circuits.Process, batch.Inputs, work.Path, $"batch-{batch.Index}"); // one batch suffices
        }

        var tally = poll.TallyRemaining()[^1]; // the last batch: it opens a running commitment
        return (process!, await prover.ProveAsync(circuits.Tally, tally.Inputs, work.Path, "tally"));
    }

    private async Task<Contract> DeployAsync(CircuitKeys keys)
    {
        var name = keys.Compiled.Circuit.VerifierName;
        var artifact = ForgeArtifact.Load(Path.Combine(TestToolchain.Layout.Root, "out"), name + ".sol", name);
        var sender = new TransactionSender(new EthClient(new JsonRpcClient(anvil.Node.RpcUrl)), new LocalSigner(PrivateKey.FromHex(anvil.Node.Accounts[0].PrivateKey)));
        return await Contract.DeployAsync(sender, artifact, []);
    }

    private static async Task<bool> VerifiesAsync(Contract verifier, BigInteger[] proof, IEnumerable<BigInteger> inputs)
    {
        object[] Pair(int at) => [proof[at], proof[at + 1]];
        return await verifier.CallAsync<bool>("verifyProof", Pair(0), new object[] { Pair(2), Pair(4) }, Pair(6), inputs.Cast<object>().ToArray());
    }

    [Fact]
    public async Task Fresh_proofs_and_the_committed_fixtures_verify_on_the_committed_verifiers()
    {
        var (process, tally) = await ProveAsync();
        var update = Environment.GetEnvironmentVariable("ISKANDER_UPDATE_VERIFIER_FIXTURES") == "1";
        foreach (var (keys, fresh) in new[] { (circuits.Process, process), (circuits.Tally, tally) })
        {
            var verifier = await DeployAsync(keys);
            var name = keys.Compiled.Circuit.VerifierName;
            Assert.True(await VerifiesAsync(verifier, fresh.ToContractArray(), fresh.PublicSignals), $"{name}: a fresh proof does not verify on the committed verifier (export it again: scripts/circuits)");
            if (update) new Fixture(name, fresh.ToContractArray(), [.. fresh.PublicSignals]).Save();

            var fixture = Fixture.Load(name);
            Assert.Equal(name, fixture.Verifier);
            Assert.Equal(keys.Compiled.Circuit.PublicInputs.Count, fixture.PublicInputs.Length);
            Assert.True(await VerifiesAsync(verifier, fixture.Proof, fixture.PublicInputs),
                $"{Fixture.PathOf(name)} no longer verifies on the committed verifier: run this test with ISKANDER_UPDATE_VERIFIER_FIXTURES=1 and commit the fixtures");
            var tampered = fixture.PublicInputs.Select((value, i) => i == 0 ? value + 1 : value);
            Assert.False(await VerifiesAsync(verifier, fixture.Proof, tampered), $"{name}: a proof verifies for other public inputs");
        }
    }
}
