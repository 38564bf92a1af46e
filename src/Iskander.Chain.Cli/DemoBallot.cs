using System.Numerics;
using Iskander.Chain.Ballots.Chain;
using Iskander.Chain.Ballots.Circuits;
using Iskander.Chain.Ballots.Proving;
using Iskander.Chain.Bridge.Ballots;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Contracts;
using Iskander.Chain.DevServices;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Accounts;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Toolchain;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;
using Serilog;

namespace Iskander.Chain.Cli;

/// <summary>
/// The demo's secret ballot (test shape, development keys on the local chain): the founders sign
/// up, vote through a relay account, one of them is "coerced" and overrides the watched vote in
/// secret with a key change; after the deadline the bridge's coordinator proves every batch and the
/// tally, the contract verifies them, and the result becomes a decision for the anchoring pipeline.
/// </summary>
internal static class DemoBallot
{
    public static readonly string[] Options = ["green roof", "solar tiles", "slate"];

    /// <summary>What the demo prints about the ballot.</summary>
    public sealed record Outcome(Address Ballot, IReadOnlyList<BigInteger> Results, int Batches, bool BatchesProven, int TallyBatches, bool TallyProven, TimeSpan ProvingTime);

    public static async Task<Outcome> RunAsync(ProjectLayout layout, string workDirectory, AnvilNode node, EthClient client, Address membership, BridgeDatabase database, PrivateKey bridgeKey,
        IReadOnlyList<PrivateKey> founders, ILogger log, CancellationToken cancellationToken)
    {
        var runner = new ToolRunner(new Toolchain.Toolchain(layout), log);
        var coordinatorKey = MaciPrivateKey.Generate();
        var head = await client.GetBlockByNumberAsync(await client.BlockNumberAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        log.Information("Secret ballot: deploying \"Which roof for the east block?\" ({Options}) with its Groth16 verifiers", string.Join(", ", Options));
        var manifest = await new BallotDeployer(runner).DeployAsync(node.RpcUrl, PrivateKey.FromHex(node.Accounts[0].PrivateKey), Path.Combine(layout.Root, "deployments", "demo-ballot.json"),
            new BallotDeploymentOptions(membership, coordinatorKey.PublicKey().Hash().ToBigInteger(), Options.Length, DateTimeOffset.FromUnixTimeSeconds((long)head!.Timestamp + 3600)),
            cancellationToken).ConfigureAwait(false);
        var abi = ForgeArtifact.LoadAbi(Path.Combine(layout.Root, "out"), "MACIVoting.sol", "MACIVoting");
        var ballot = new MaciVotingClient(client, manifest.Ballot, abi);
        TransactionSender Sender(PrivateKey key) => new(client, new LocalSigner(key));

        var voters = new List<(MaciPrivateKey Key, ulong Index)>();
        foreach (var founder in founders)
        {
            var key = MaciPrivateKey.Generate();
            voters.Add((key, (ulong)await ballot.WithSender(Sender(founder)).SignUpAsync(key.PublicKey(), cancellationToken).ConfigureAwait(false)));
        }

        log.Information("{Count} founders signed up with ballot keys; voting (encrypted to the coordinator, sent from a relay account)", voters.Count);
        var pollId = (ulong)await ballot.ViewAsync<BigInteger>("pollId", cancellationToken).ConfigureAwait(false);
        var relay = ballot.WithSender(Sender(PrivateKey.FromHex(node.Accounts[9].PrivateKey)));
        PublishedMessage Vote(int voter, MaciPrivateKey signer, MaciPublicKey newKey, ulong option) =>
            PublishedMessage.Create(signer, voters[voter].Index, newKey, option, 1, 1, pollId, coordinatorKey.PublicKey());
        await relay.PublishAsync(Vote(0, voters[0].Key, voters[0].Key.PublicKey(), 1), cancellationToken).ConfigureAwait(false);
        // The coerced founder votes "green roof" from her own account while the coercer watches ...
        await ballot.WithSender(Sender(founders[1])).PublishAsync(Vote(1, voters[1].Key, voters[1].Key.PublicKey(), 0), cancellationToken).ConfigureAwait(false);
        await relay.PublishAsync(Vote(2, voters[2].Key, voters[2].Key.PublicKey(), 2), cancellationToken).ConfigureAwait(false);
        // ... and later, through the relay, changes her key and votes "slate": processed first (reverse order), it makes the watched vote invalid.
        var hidden = MaciPrivateKey.Generate();
        await relay.PublishAsync(Vote(1, voters[1].Key, hidden.PublicKey(), 2), cancellationToken).ConfigureAwait(false);
        log.Information("Four messages published; the coerced founder's watched vote was overridden in secret");

        await client.Rpc.CallAsync("evm_increaseTime", [3601], cancellationToken).ConfigureAwait(false);
        await client.Rpc.CallAsync("evm_mine", [], cancellationToken).ConfigureAwait(false);
        log.Information("Voting deadline passed; the coordinator proves every batch and every tally batch (circuits are built on first use: a few minutes, then cached)");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var service = new BallotService(database, client, coordinatorKey, new CircuitBuilder(runner, log), new Groth16Prover(runner, log),
            Path.Combine(workDirectory, "proving"), log);
        service.Add(ballot.WithSender(Sender(bridgeKey)), manifest.DeployBlock, "Which roof for the east block?");
        var deadline = DateTime.UtcNow.AddMinutes(30);
        while (!(await ballot.StatusAsync(cancellationToken).ConfigureAwait(false)).ResultsPublished)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the coordinator did not publish results within 30 minutes");
            await service.RunRoundAsync(cancellationToken).ConfigureAwait(false);
        }

        var status = await ballot.StatusAsync(cancellationToken).ConfigureAwait(false);
        // The contract publishes a count per leaf of the vote-option tree; the options are the first leaves.
        var results = (await ballot.ResultsAsync(cancellationToken).ConfigureAwait(false)).Take(Options.Length).ToList();
        log.Information("Results verified and published on chain in {Seconds:0} s: {Results}", clock.Elapsed.TotalSeconds, string.Join(", ", results.Select((r, i) => $"{Options[i]} {r}")));
        return new Outcome(manifest.Ballot, results, status.BatchCount, status.ProcessingComplete, status.TallyBatchCount, status.TallyComplete, clock.Elapsed);
    }
}
