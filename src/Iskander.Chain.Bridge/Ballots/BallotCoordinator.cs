using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Iskander.Chain.Anchoring.Records;
using Iskander.Chain.Ballots.Chain;
using Iskander.Chain.Ballots.Circuits;
using Iskander.Chain.Ballots.Proving;
using Iskander.Chain.Bridge.GlassBox;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Maci;
using Npgsql;
using Serilog;

namespace Iskander.Chain.Bridge.Ballots;

/// <summary>The keys of a ballot's two circuits.</summary>
/// <param name="Process">Message processing.</param>
/// <param name="Tally">Tally.</param>
public sealed record BallotKeys(CircuitKeys Process, CircuitKeys Tally);

/// <summary>
/// The coordinator of one ballot: mirrors its events, closes voting after the deadline, replays
/// the poll from the mirror, then proves each batch (last first) and each tally batch (in order) with the
/// <see cref="Groth16Prover"/> it is given (the C# prover unless configured otherwise), verifies
/// each proof locally, submits it, publishes the results, and records them as a decision
/// ("secret ballot result") for the anchoring pipeline. Every step is resumable from PostgreSQL:
/// salts are stored before proving and proofs before sending, so a coordinator stopped anywhere
/// continues where it was and never makes a proof twice; the contract's own progress (current
/// batch, tally batches, published results) decides what is left. Every transaction is
/// announced in the Glass Box first.
/// </summary>
public sealed class BallotCoordinator(BridgeDatabase database, BallotStore store, CoordinatedBallot ballot, MaciVotingClient contract, BallotMirror mirror,
    MaciPrivateKey coordinatorKey, BallotKeys keys, Groth16Prover prover, string workDirectory, ILogger log)
{
    private bool _recorded = ballot.Status == "recorded";

    /// <summary>Does whatever is due now; returns whether anything changed.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var changed = await mirror.RunOnceAsync(cancellationToken).ConfigureAwait(false) > 0;
        var status = await contract.StatusAsync(cancellationToken).ConfigureAwait(false);
        if (!status.VotingClosed)
        {
            var head = await contract.ChainTimeAsync(cancellationToken).ConfigureAwait(false);
            if (head < status.VotingDeadline) return changed;
            await AuditedAsync("ballot.close", new JsonObject(), () => contract.CloseVotingAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            await store.SetStatusAsync(ballot.Id, "proving", cancellationToken: cancellationToken).ConfigureAwait(false);
            status = await contract.StatusAsync(cancellationToken).ConfigureAwait(false);
            await mirror.RunOnceAsync(cancellationToken).ConfigureAwait(false); // messages published just before the deadline
            changed = true;
        }

        await ResolveInterruptedAsync(status, cancellationToken).ConfigureAwait(false);
        if (status.ResultsPublished && _recorded) return changed;
        var poll = await store.ReplayAsync(ballot, cancellationToken).ConfigureAwait(false);
        if (poll.MessageCount != status.NumMessages || poll.TotalSignups != status.NumSignups)
        {
            log.Information("Ballot {Ballot}: the mirror has {Messages}/{ChainMessages} messages; waiting for it", ballot.Address, poll.MessageCount, status.NumMessages);
            return changed;
        }

        // Publishers extended the contract's message chain; the replay must reach the same batch hashes.
        poll.CloseVoting();
        // The contract voided the leaves of memberships that ended while voting was open; the replay must reach its state root.
        foreach (var voided in await contract.VoidedSignUpsAsync(cancellationToken).ConfigureAwait(false)) poll.VoidSignUp(voided);
        if (poll.StateRoot.ToBigInteger() != await contract.ViewAsync<BigInteger>("stateRoot", cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"ballot {ballot.Address}: the contract's state tree differs from the mirror's");
        }

        var onChain = await contract.BatchHashesAsync(cancellationToken).ConfigureAwait(false);
        if (!onChain.SequenceEqual(poll.Chain.BatchHashes.Select(h => h.ToBigInteger()))) throw new InvalidOperationException($"ballot {ballot.Address}: the contract's message chain differs from the mirror's");
        status = await contract.StatusAsync(cancellationToken).ConfigureAwait(false);

        // Batches the contract already holds are replayed with their stored salts; the next one is proven and sent.
        for (var batch = poll.BatchCount; batch >= 1; batch--)
        {
            var step = $"batch:{batch}";
            var stored = await store.StepAsync(ballot.Id, step, cancellationToken).ConfigureAwait(false);
            if (batch > status.CurrentBatch)
            {
                var salt = stored?.Salt ?? throw new InvalidOperationException($"batch {batch} of ballot {ballot.Address} is on chain but its salt is not in the database: its commitment cannot be reproduced");
                var replayed = poll.ProcessNextBatch(coordinatorKey, salt);
                if (replayed.NewSbCommitment != stored.Commitment) throw new InvalidOperationException($"batch {batch} replays to another commitment than the one proven");
                if (stored.Status != "confirmed") await store.UpdateStepAsync(ballot.Id, step, "confirmed", cancellationToken: cancellationToken).ConfigureAwait(false);
                continue;
            }

            var chosen = stored?.Salt ?? Fr.Random();
            var result = poll.ProcessNextBatch(coordinatorKey, chosen);
            if (stored is null) await store.SaltAsync(ballot.Id, step, chosen, null, result.NewSbCommitment, cancellationToken).ConfigureAwait(false);
            else if (stored.Commitment != result.NewSbCommitment) throw new InvalidOperationException($"batch {batch} replays to another commitment than the one salted");
            var proof = await ProofAsync(step, stored, keys.Process, result.Inputs, cancellationToken).ConfigureAwait(false);
            var receipt = await AuditedAsync("ballot.process", new JsonObject { ["batch"] = batch, ["newSbCommitment"] = result.NewSbCommitment.ToString() },
                () => contract.ProcessMessagesAsync(result.NewSbCommitment, proof, cancellationToken), cancellationToken).ConfigureAwait(false);
            await store.UpdateStepAsync(ballot.Id, step, "confirmed", tx: receipt.TransactionHash, cancellationToken: cancellationToken).ConfigureAwait(false);
            // How many of the batch's messages were valid is not logged: with the chain data it tells whether a watched message counted.
            log.Information("Ballot {Ballot}: batch {Batch} verified on chain", ballot.Address, batch);
            status = await contract.StatusAsync(cancellationToken).ConfigureAwait(false);
            changed = true;
        }

        // Tally batches in order from 0; those the contract holds are replayed with their stored salts.
        TallyResult? tally = null;
        while (poll.TallyBatchesDone < status.TallyBatchCount)
        {
            var batch = poll.TallyBatchesDone;
            var step = $"tally:{batch}";
            var stored = await store.StepAsync(ballot.Id, step, cancellationToken).ConfigureAwait(false);
            if (batch < status.TallyBatchesProven && stored is null)
            {
                throw new InvalidOperationException($"tally batch {batch} of ballot {ballot.Address} is on chain but its salts are not in the database: its commitment cannot be reproduced");
            }

            tally = poll.TallyNextBatch(stored?.Salt ?? Fr.Random(), stored?.SecondSalt ?? Fr.Random());
            if (stored is null) await store.SaltAsync(ballot.Id, step, tally.ResultsSalt, tally.SpentSalt, tally.TallyCommitment, cancellationToken).ConfigureAwait(false);
            else if (stored.Commitment != tally.TallyCommitment) throw new InvalidOperationException($"tally batch {batch} replays to another commitment than the one salted");
            if (batch < status.TallyBatchesProven)
            {
                if (stored!.Status != "confirmed") await store.UpdateStepAsync(ballot.Id, step, "confirmed", cancellationToken: cancellationToken).ConfigureAwait(false);
                continue;
            }

            var proof = await ProofAsync(step, stored, keys.Tally, tally.Inputs, cancellationToken).ConfigureAwait(false);
            var result = tally;
            var receipt = await AuditedAsync("ballot.tally", new JsonObject { ["batch"] = batch, ["tallyCommitment"] = tally.TallyCommitment.ToString() },
                () => contract.TallyVotesAsync(result.TallyCommitment, proof, cancellationToken), cancellationToken).ConfigureAwait(false);
            await store.UpdateStepAsync(ballot.Id, step, "confirmed", tx: receipt.TransactionHash, cancellationToken: cancellationToken).ConfigureAwait(false);
            log.Information("Ballot {Ballot}: tally batch {Batch} of {Batches} verified on chain", ballot.Address, batch + 1, status.TallyBatchCount);
            status = await contract.StatusAsync(cancellationToken).ConfigureAwait(false);
            changed = true;
        }

        if (tally is not { Final: true } || status.TallyCommitment != tally.TallyCommitment.ToBigInteger())
        {
            throw new InvalidOperationException($"ballot {ballot.Address}: the tally commitment on chain is not the one this coordinator proved");
        }

        if (!status.ResultsPublished)
        {
            await AuditedAsync("ballot.results", new JsonObject { ["results"] = new JsonArray(tally.Results.Take(ballot.VoteOptions).Select(r => (JsonNode)r.ToString(CultureInfo.InvariantCulture)).ToArray()) },
                () => contract.PublishResultsAsync(tally, cancellationToken), cancellationToken).ConfigureAwait(false);
            changed = true;
        }

        await store.SetStatusAsync(ballot.Id, "published", tally, cancellationToken).ConfigureAwait(false);
        await RecordDecisionAsync(poll, tally, cancellationToken).ConfigureAwait(false);
        return changed;
    }

    // An intent without an outcome is a transaction a stopped coordinator may or may not have sent:
    // the contract's state says which, and the outcome is recorded now (a step not on chain is sent
    // again under a new intent).
    private async Task ResolveInterruptedAsync(BallotStatus status, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var subject = ballot.Address.ToString();
        foreach (var intent in await GlassBoxLog.UnansweredIntentsAsync(connection, subject, "ballot.", cancellationToken).ConfigureAwait(false))
        {
            var onChain = intent.Action switch
            {
                "ballot.close" => status.VotingClosed,
                "ballot.process" => status.VotingClosed && intent.Detail["batch"]!.GetValue<int>() > status.CurrentBatch,
                "ballot.tally" => (intent.Detail["batch"]?.GetValue<int>() ?? 0) < status.TallyBatchesProven, // intents from before tally batches name none: batch 0
                "ballot.results" => status.ResultsPublished,
                _ => false,
            };
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await GlassBoxLog.OutcomeAsync(connection, transaction, intent.Seq, intent.Action, subject, new JsonObject { ["interrupted"] = true, ["onChain"] = onChain }, cancellationToken)
                .ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            log.Warning("Ballot {Ballot}: {Action} was interrupted; the contract {State}", ballot.Address, intent.Action, onChain ? "holds its effect" : "does not: it is sent again");
        }
    }

    // The proof of a step: the stored one, or a new one (stored before anything is sent).
    private async Task<Groth16Proof> ProofAsync(string step, ProofStep? stored, CircuitKeys circuit, IReadOnlyDictionary<string, object> inputs, CancellationToken cancellationToken)
    {
        if (stored?.ProofJson is { } json) return Groth16Proof.FromJson(json);
        var clock = Stopwatch.StartNew();
        // A folder per attempt: a prover left running by a killed coordinator cannot write into this one.
        var attempt = Path.Combine(workDirectory, ballot.Address.ToString(), $"{step.Replace(':', '-')}-{Guid.NewGuid():N}");
        var proof = await prover.ProveAsync(circuit, inputs, attempt, step.Replace(':', '-'), cancellationToken).ConfigureAwait(false);
        await store.UpdateStepAsync(ballot.Id, step, "proven", proof.ToJson(), clock.Elapsed.TotalSeconds, cancellationToken: cancellationToken).ConfigureAwait(false);
        Directory.Delete(attempt, recursive: true);
        return proof;
    }

    private async Task<Ethereum.JsonRpc.TransactionReceipt> AuditedAsync(string action, JsonObject detail, Func<Task<Ethereum.JsonRpc.TransactionReceipt>> send, CancellationToken cancellationToken)
    {
        await using var audit = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var intent = await GlassBoxLog.IntentAsync(audit, action, ballot.Address.ToString(), detail, cancellationToken).ConfigureAwait(false);
        var receipt = await send().ConfigureAwait(false);
        await using var transaction = await audit.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await GlassBoxLog.OutcomeAsync(audit, transaction, intent, action, ballot.Address.ToString(), new JsonObject { ["tx"] = receipt.TransactionHash.ToString(), ["gasUsed"] = receipt.GasUsed }, cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return receipt;
    }

    // The published result becomes a decision version, anchored like any Loomio decision.
    private async Task RecordDecisionAsync(PollProcessor poll, TallyResult tally, CancellationToken cancellationToken)
    {
        var record = BallotResultRecord.Build(ballot, poll, tally);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO decision_versions (instance, poll_id, poll_key, version, state, fingerprint, record, sha256, raw_json, status)
            VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, 'recorded') ON CONFLICT (instance, poll_id, version) DO NOTHING
            """, connection, transaction))
        {
            foreach (var value in new object[] { BallotResultRecord.Instance(ballot), ballot.Id, BallotResultRecord.Key(ballot), BallotResultRecord.State, tally.TallyCommitment.ToString(), record, SHA256.HashData(record), System.Text.Encoding.UTF8.GetString(record) })
            {
                insert.Parameters.Add(new() { Value = value });
            }

            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0) log.Information("Ballot {Ballot}: result recorded as decision {Key} for anchoring", ballot.Address, BallotResultRecord.Key(ballot));
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await store.SetStatusAsync(ballot.Id, "recorded", cancellationToken: cancellationToken).ConfigureAwait(false);
        _recorded = true;
    }
}

/// <summary>
/// The decision record of a secret ballot's result (<c>iskander.ballot-result/1</c>, canonical JSON
/// like every record): the contract and chain, the question, the per-option results and spent
/// credits, the tally commitment the contract verified, and how many members and messages took part.
/// </summary>
public static class BallotResultRecord
{
    /// <summary>Schema name.</summary>
    public const string Schema = "iskander.ballot-result/1";

    /// <summary>The decision state of a ballot result.</summary>
    public const string State = "secret_ballot_result";

    /// <summary>The record's instance: the chain (CAIP-2).</summary>
    public static string Instance(CoordinatedBallot ballot) => string.Create(CultureInfo.InvariantCulture, $"eip155:{ballot?.ChainId}");

    /// <summary>The record's key: <c>ballot-</c> and the contract address.</summary>
    public static string Key(CoordinatedBallot ballot) => "ballot-" + ballot?.Address.ToString().ToLowerInvariant();

    /// <summary>Canonical bytes of the record.</summary>
    public static byte[] Build(CoordinatedBallot ballot, PollProcessor poll, TallyResult tally)
    {
        ArgumentNullException.ThrowIfNull(ballot);
        ArgumentNullException.ThrowIfNull(poll);
        ArgumentNullException.ThrowIfNull(tally);
        var record = new JsonObject
        {
            ["schema"] = Schema,
            ["kind"] = "secret ballot result",
            ["chainId"] = ballot.ChainId,
            ["ballot"] = ballot.Address.ToChecksumString(),
            ["pollId"] = ballot.PollId,
            ["title"] = ballot.Title,
            ["voteOptions"] = ballot.VoteOptions,
            ["results"] = new JsonArray(tally.Results.Take(ballot.VoteOptions).Select(r => (JsonNode)r.ToString(CultureInfo.InvariantCulture)).ToArray()),
            ["totalSpent"] = tally.TotalSpent.ToString(CultureInfo.InvariantCulture),
            ["tallyCommitment"] = tally.TallyCommitment.ToString(),
            ["members"] = poll.TotalSignups - 1,
            ["messages"] = poll.MessageCount,
        };
        return JsonCanonicalizer.Canonicalize(record);
    }
}
