using System.Numerics;
using Iskander.Chain.Ballots.Chain;
using Iskander.Chain.Ballots.Proving;
using Iskander.Chain.Bridge.Ballots;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum.Contracts;
using Iskander.Chain.Testing;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;
using Serilog;

namespace Iskander.Chain.Ballots.Tests;

/// <summary>
/// One member, one vote across leaving, re-admission and revocation, with the real CoopIdentity on
/// anvil and the bridge's coordinator: a membership that ends while voting is open loses its leaf at
/// close (a member re-admitted under a new token, at a new or the same address, votes with the new
/// one); a membership that ends after the deadline keeps it; the next ballot sees only current members.
/// </summary>
public sealed class ElectorateTests(TestCircuits circuits, PostgresFixture postgres) : IClassFixture<TestCircuits>, IClassFixture<PostgresFixture>
{
    private static async Task<string?> RevertOf(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (ContractRevertException ex)
        {
            return ex.ErrorName;
        }
    }

    [Fact]
    public async Task Memberships_ended_while_voting_is_open_lose_their_leaf_and_re_admitted_members_vote_once()
    {
        await using var coop = await CoopOnChain.StartAsync();
        for (var account = 2; account <= 5; account++) await coop.AdmitAsync(account);
        var coordinatorKey = MaciPrivateKey.Generate();
        var (manifest, deployer) = await coop.DeployBallotAsync(coordinatorKey.PublicKey(), voteOptions: 3);
        var pollId = (await deployer.SettingsAsync()).PollId;
        async Task<(MaciPrivateKey Key, ulong Index)> SignUpAsync(int account)
        {
            var key = MaciPrivateKey.Generate();
            return (key, (ulong)await deployer.WithSender(coop.Sender(account)).SignUpAsync(key.PublicKey()));
        }

        Task VoteAsync((MaciPrivateKey Key, ulong Index) voter, ulong option) =>
            deployer.WithSender(coop.Sender(9)).PublishAsync(PublishedMessage.Create(voter.Key, voter.Index, voter.Key.PublicKey(), option, 1, 1, pollId, coordinatorKey.PublicKey()));

        var ada = await SignUpAsync(2);
        var bob = await SignUpAsync(3);
        var cy = await SignUpAsync(4);
        var dee = await SignUpAsync(5);
        await VoteAsync(ada, 0);
        await VoteAsync(bob, 2);
        await VoteAsync(cy, 2);
        await VoteAsync(dee, 0);

        // During the ballot: Ada leaves and is re-admitted at another address; Bob is revoked; Cy is
        // revoked and re-admitted at the same address. Each re-admission is a new token that may sign up.
        await coop.LeaveAsync(2);
        await coop.AdmitAsync(6);
        var adaAgain = await SignUpAsync(6);
        await VoteAsync(adaAgain, 1);
        await coop.RevokeAsync(3);
        Assert.Equal("NotMember", await RevertOf(() => deployer.WithSender(coop.Sender(3)).SignUpAsync(MaciPrivateKey.Generate().PublicKey())));
        await coop.RevokeAsync(4);
        await coop.AdmitAsync(4);
        var cyAgain = await SignUpAsync(4);
        await VoteAsync(cyAgain, 1);

        // After the deadline Dee is revoked: her vote was cast as a member and counts.
        await coop.PassDeadlineAsync();
        await coop.RevokeAsync(5);

        await using var database = new BridgeDatabase(await postgres.CreateDatabaseAsync());
        await database.MigrateAsync();
        var log = new LoggerConfiguration().CreateLogger();
        var store = new BallotStore(database);
        var ballot = await store.RegisterAsync(manifest.Ballot, manifest.ChainId, manifest.DeployBlock, "Electorate", pollId, 3, BallotCircuitParameters.Test, 1);
        using var work = new TempDirectory();
        var contract = deployer.WithSender(coop.Sender(1));
        await new BallotCoordinator(database, store, ballot, contract, new BallotMirror(database, coop.Client, ballot, contract, log), coordinatorKey,
            new BallotKeys(circuits.Process, circuits.Tally), new Groth16Prover(TestToolchain.Runner(), log), work.Path, log).RunOnceAsync();

        Assert.Equal([(int)ada.Index, (int)bob.Index, (int)cy.Index], await deployer.VoidedSignUpsAsync());
        // Counted: Ada's and Cy's votes under their new tokens (option 1) and Dee's (option 0).
        Assert.Equal(new BigInteger[] { 1, 2, 0, 0, 0 }, await deployer.ResultsAsync());

        // The next ballot: only current members sign up, once each.
        var (_, next) = await coop.DeployBallotAsync(coordinatorKey.PublicKey(), voteOptions: 3);
        foreach (var gone in new[] { 2, 3, 5 })
        {
            Assert.Equal("NotMember", await RevertOf(() => next.WithSender(coop.Sender(gone)).SignUpAsync(MaciPrivateKey.Generate().PublicKey())));
        }

        foreach (var member in new[] { 4, 6 }) await next.WithSender(coop.Sender(member)).SignUpAsync(MaciPrivateKey.Generate().PublicKey());
        Assert.Equal("AlreadySignedUp", await RevertOf(() => next.WithSender(coop.Sender(6)).SignUpAsync(MaciPrivateKey.Generate().PublicKey())));
        await coop.PassDeadlineAsync();
        await next.CloseVotingAsync();
        Assert.Empty(await next.VoidedSignUpsAsync());
    }
}
