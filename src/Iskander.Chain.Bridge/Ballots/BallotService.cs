using Iskander.Chain.Ballots.Chain;
using Iskander.Chain.Ballots.Circuits;
using Iskander.Chain.Ballots.Proving;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Ethereum.JsonRpc;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;
using Serilog;

namespace Iskander.Chain.Bridge.Ballots;

/// <summary>
/// Runs the coordinators of the configured ballots in their own loop, beside the anchoring loop
/// (a proof can take minutes; anchoring must not wait for it). Each ballot is registered from its
/// contract's own settings, which must name this coordinator's key; circuit keys are built (or
/// taken from the cache) on first use.
/// </summary>
public sealed class BallotService(BridgeDatabase database, EthClient client, MaciPrivateKey coordinatorKey, CircuitBuilder circuits, Groth16Prover prover, string workDirectory, ILogger log)
{
    private readonly List<(MaciVotingClient Contract, ulong DeployBlock, string Title)> _ballots = [];
    private readonly Dictionary<Address, BallotCoordinator> _coordinators = [];

    /// <summary>The ceremony file the circuits' keys are set up on; null: the development file (local development chains only).</summary>
    public PowersOfTau? PowersOfTau { get; init; }

    /// <summary>Whether forgeable development keys may coordinate a ballot on a chain that is not a local development chain.</summary>
    public bool AllowInsecureDevelopmentKeys { get; init; }

    /// <summary>Pause between rounds with nothing to do.</summary>
    public TimeSpan IdleDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Adds a ballot (its contract client must send with the bridge's key).</summary>
    public void Add(MaciVotingClient contract, ulong deployBlock, string title) => _ballots.Add((contract, deployBlock, title));

    /// <summary>The ballots coordinated, with their deployment blocks (for the chain-event mirrors).</summary>
    public IReadOnlyList<(Ethereum.Address Address, ulong DeployBlock)> Ballots => _ballots.Select(b => (b.Contract.Address, b.DeployBlock)).ToList();

    /// <summary>A relay that publishes voters' messages to the configured ballots from the bridge's key.</summary>
    public BallotRelay CreateRelay() => new(_ballots.Select(b => b.Contract).ToList(), log);

    /// <summary>Runs until cancelled; failures are logged and retried with backoff.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var changed = await RunRoundAsync(cancellationToken).ConfigureAwait(false);
                failures = 0;
                if (!changed) await Task.Delay(IdleDelay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failures++;
                var backoff = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(failures, 6))));
                log.Warning("Ballot coordination failed ({Failures} in a row), retrying in {Backoff}: {Error}", failures, backoff, ex.Message);
                await Task.Delay(backoff, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One round over every ballot (registering each on first sight); whether anything was done.</summary>
    public async Task<bool> RunRoundAsync(CancellationToken cancellationToken = default)
    {
        var changed = false;
        foreach (var (contract, deployBlock, title) in _ballots)
        {
            var coordinator = await CoordinatorAsync(contract, deployBlock, title, cancellationToken).ConfigureAwait(false);
            changed |= await coordinator.RunOnceAsync(cancellationToken).ConfigureAwait(false);
        }

        return changed;
    }

    private async Task<BallotCoordinator> CoordinatorAsync(MaciVotingClient contract, ulong deployBlock, string title, CancellationToken cancellationToken)
    {
        if (_coordinators.TryGetValue(contract.Address, out var existing)) return existing;
        var expected = await contract.ViewAsync<System.Numerics.BigInteger>("coordinatorPublicKeyHash", cancellationToken).ConfigureAwait(false);
        if (expected != coordinatorKey.PublicKey().Hash().ToBigInteger()) throw new InvalidOperationException($"ballot {contract.Address} names another coordinator key than this bridge's");
        var settings = await contract.SettingsAsync(cancellationToken).ConfigureAwait(false);
        var parameters = settings.Parameters;
        var store = new BallotStore(database);
        var ballot = await store.RegisterAsync(contract.Address, await client.ChainIdAsync(cancellationToken).ConfigureAwait(false), deployBlock, title, settings.PollId,
            settings.VoteOptions, parameters, settings.InitialCredits, cancellationToken).ConfigureAwait(false);
        var keys = new BallotKeys(
            await circuits.BuildAsync(new BallotCircuit(BallotCircuitKind.ProcessMessages, parameters), PowersOfTau, cancellationToken).ConfigureAwait(false),
            await circuits.BuildAsync(new BallotCircuit(BallotCircuitKind.TallyVotes, parameters), PowersOfTau, cancellationToken).ConfigureAwait(false));
        var chainId = await client.ChainIdAsync(cancellationToken).ConfigureAwait(false);
        BallotKeyPolicy.EnsureUsable(keys.Process, chainId, AllowInsecureDevelopmentKeys);
        BallotKeyPolicy.EnsureUsable(keys.Tally, chainId, AllowInsecureDevelopmentKeys);
        var coordinator = new BallotCoordinator(database, store, ballot, contract, new BallotMirror(database, client, ballot, contract, log), coordinatorKey, keys, prover, workDirectory, log);
        _coordinators[contract.Address] = coordinator;
        log.Information("Coordinating ballot {Ballot} ({Title}): {Options} options, shape ({Depth}, {Batch}, {OptionDepth})", contract.Address, title, ballot.VoteOptions,
            parameters.StateTreeDepth, parameters.BatchSize, parameters.VoteOptionTreeDepth);
        return coordinator;
    }
}
