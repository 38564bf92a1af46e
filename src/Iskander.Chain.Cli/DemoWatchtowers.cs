using System.Numerics;
using System.Security.Cryptography;
using Iskander.Chain.Anchoring;
using Iskander.Chain.Bridge.Pipeline;
using Iskander.Chain.Content.Gateway;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Contracts;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.Abi;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Ethereum.Crypto;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Governance;
using Iskander.Chain.Host;
using Iskander.Chain.Watchtower;
using Serilog;

namespace Iskander.Chain.Cli;

/// <summary>
/// The demo's attack and its answer: the bridge's anchoring key alone anchors and schedules a
/// revocation of a founder that no decision ordered; two founders' watchtowers, reading the records
/// from the bridge's gateway, pass the genuine admissions, raise the alarm on the revocation and
/// veto it through a shared pool of signatures.
/// </summary>
internal static class DemoWatchtowers
{
    /// <summary>What the demo prints about the watchtowers.</summary>
    public sealed record Outcome(int Passed, int Alarms, string VetoedStatus, Hash32 Fabricated, Hash32 FabricatedRoot);

    public static async Task<Outcome> RunAsync(string workDirectory, EthClient client, DeploymentManifest manifest, BridgeContracts contracts, IContentStore store, Func<string, ContractAbi> abiOf,
        IReadOnlyList<PrivateKey> founders, ILogger log, CancellationToken cancellationToken)
    {
        var victim = founders[^1].Address;
        log.Information("Attack: the anchoring key alone anchors and schedules a revocation of {Member} that no decision ordered", victim);
        var (fabricated, fabricatedRoot) = await FabricateRevocationAsync(client, manifest, contracts, abiOf, victim, cancellationToken).ConfigureAwait(false);

        await using var gateway = await BridgeWebHost.StartAsync(new BridgeWebHostOptions { Listen = "http://127.0.0.1:0", ContentStore = store }, log, cancellationToken).ConfigureAwait(false);
        using var http = new HttpClient();
        var schedule = await CooperativeSchedule.ConnectAsync(client, manifest, cancellationToken).ConfigureAwait(false);
        var pool = new VetoPool(Path.Combine(workDirectory, "veto-pool"));
        var (passed, alarms) = (0, 0);
        // Each watchtower runs until it has seen the fabricated action in a confirmed block; the first to find a quorum in the pool vetoes it.
        foreach (var founder in founders.Take(2))
        {
            using var lines = new StringWriter();
            var watchtower = new Watchtower.Watchtower(schedule, WatchState.Load(Path.Combine(workDirectory, $"watch-{founder.Address}.json")),
                new WatchtowerOptions { ContentSources = [new TrustlessGatewayClient(http, gateway.Address)], MemberKey = founder, VetoPool = pool }, lines, lines, http);
            var deadline = DateTime.UtcNow.AddMinutes(1);
            WatchSummary summary;
            while ((summary = await watchtower.CatchUpAsync(cancellationToken).ConfigureAwait(false)).Alarms == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }

            foreach (var line in lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)) log.Information("Watchtower of {Founder}: {Line}", founder.Address, line.TrimEnd());
            (passed, alarms) = (summary.Passed, summary.Alarms);
        }

        var status = await schedule.StatusAsync(fabricated, cancellationToken).ConfigureAwait(false);
        return new Outcome(passed, alarms, status.ToString().ToLowerInvariant(), fabricated, fabricatedRoot);
    }

    // Through the bridge's own sender (one nonce sequence): what a thief of the anchoring key could send.
    private static async Task<(Hash32 ActionId, Hash32 Root)> FabricateRevocationAsync(EthClient client, DeploymentManifest manifest, BridgeContracts contracts, Func<string, ContractAbi> abiOf, Address member,
        CancellationToken cancellationToken)
    {
        var identity = new Contract(client, manifest["CoopIdentity"].Address, abiOf("CoopIdentity"));
        var tokenId = (BigInteger)(await identity.CallAsync("tokenOf", [member], cancellationToken: cancellationToken).ConfigureAwait(false))[0]!;
        var action = new GovernanceAction(GovernanceActionKind.RevokeMember, member);
        var parameters = ActionLeaf.Params(action, tokenId);
        var digest = new Hash32(RandomNumberGenerator.GetBytes(32));
        var actionId = ActionLeaf.Id(manifest.ChainId, identity.Address, action.Kind, parameters, digest);
        var poll = ActionLeaf.PollId("forged/revocation");
        var tree = new DecisionMerkleTree([ActionLeaf.Compute(actionId, poll, 1)]);
        await new Contract(client, manifest["DecisionAnchor"].Address, abiOf("DecisionAnchor"), contracts.Sender).SendAsync("anchor", [tree.Root.ToArray(), 1UL], cancellationToken).ConfigureAwait(false);
        await new Contract(client, manifest["ActionSchedule"].Address, abiOf("ActionSchedule"), contracts.Sender).SendAsync("schedule",
            [identity.Address, action.Kind.OnChainKind().ToArray(), parameters, digest.ToArray(), poll.ToArray(), 1UL, DecisionRef.For(tree, 0).ToAbiTuple()], cancellationToken).ConfigureAwait(false);
        return (actionId, tree.Root);
    }
}
