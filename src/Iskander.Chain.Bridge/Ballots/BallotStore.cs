using System.Globalization;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Maci;
using Npgsql;

namespace Iskander.Chain.Bridge.Ballots;

/// <summary>A ballot the bridge coordinates.</summary>
/// <param name="Id">Its row.</param>
/// <param name="Address">The MACIVoting contract.</param>
/// <param name="ChainId">Chain.</param>
/// <param name="DeployBlock">Where its events start.</param>
/// <param name="Title">What it asks.</param>
/// <param name="PollId">Poll id.</param>
/// <param name="VoteOptions">Options.</param>
/// <param name="Parameters">Circuit shape.</param>
/// <param name="Credits">Credits per member.</param>
/// <param name="Status">collecting, proving, published or recorded.</param>
public sealed record CoordinatedBallot(long Id, Address Address, ulong ChainId, ulong DeployBlock, string Title, ulong PollId, int VoteOptions, BallotCircuitParameters Parameters, ulong Credits, string Status);

/// <summary>A stored proof step.</summary>
/// <param name="Salt">Salt chosen for it (results salt for the tally).</param>
/// <param name="SecondSalt">Spent-credits salt (tally only).</param>
/// <param name="Commitment">The commitment it leads to.</param>
/// <param name="ProofJson">The proof, once made.</param>
/// <param name="Status">salted, proven or confirmed.</param>
public sealed record ProofStep(Fr Salt, Fr? SecondSalt, Fr Commitment, string? ProofJson, string Status);

/// <summary>Where a coordinated ballot stands, for the API.</summary>
/// <param name="Ballot">The ballot.</param>
/// <param name="Proofs">Its proof steps (<c>batch:n</c>, <c>tally</c>) with their status (salted, proven or confirmed), in order of step.</param>
/// <param name="Results">Votes per option, once published.</param>
/// <param name="TotalSpent">Credits spent in all, once published.</param>
public sealed record BallotOverview(CoordinatedBallot Ballot, IReadOnlyList<(string Step, string Status)> Proofs, IReadOnlyList<string>? Results, string? TotalSpent);

/// <summary>PostgreSQL side of ballot coordination (tables of migration 0004).</summary>
public sealed class BallotStore(BridgeDatabase database)
{
    /// <summary>Registers a ballot (idempotent); returns it.</summary>
    public async Task<CoordinatedBallot> RegisterAsync(Address address, ulong chainId, ulong deployBlock, string title, ulong pollId, int voteOptions, BallotCircuitParameters parameters, ulong credits,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO ballots (address, chain_id, deploy_block, title, poll_id, vote_options, state_depth, batch_size, vote_option_depth, tally_batch_depth, credits, status)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'collecting') ON CONFLICT (address) DO NOTHING
            """, connection))
        {
            foreach (var value in new object[] { address.ToArray(), (long)chainId, (long)deployBlock, title, (long)pollId, voteOptions, parameters.StateTreeDepth, parameters.BatchSize, parameters.VoteOptionTreeDepth, parameters.TallyBatchDepth, (long)credits })
            {
                insert.Parameters.Add(new() { Value = value });
            }

            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return (await ListAsync(cancellationToken).ConfigureAwait(false)).Single(b => b.Address == address);
    }

    /// <summary>Every coordinated ballot.</summary>
    public async Task<IReadOnlyList<CoordinatedBallot>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT id, address, chain_id, deploy_block, title, poll_id, vote_options, state_depth, batch_size, vote_option_depth, tally_batch_depth, credits, status FROM ballots ORDER BY id", connection);
        var ballots = new List<CoordinatedBallot>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ballots.Add(new CoordinatedBallot(reader.GetInt64(0), new Address((byte[])reader[1]), (ulong)reader.GetInt64(2), (ulong)reader.GetInt64(3), reader.GetString(4),
                (ulong)reader.GetInt64(5), reader.GetInt32(6), new BallotCircuitParameters(reader.GetInt32(7), reader.GetInt32(8), reader.GetInt32(9), reader.GetInt32(10)), (ulong)reader.GetInt64(11), reader.GetString(12)));
        }

        return ballots;
    }

    /// <summary>Every coordinated ballot with its proof steps and, once published, its results.</summary>
    public async Task<IReadOnlyList<BallotOverview>> OverviewsAsync(CancellationToken cancellationToken = default)
    {
        var ballots = await ListAsync(cancellationToken).ConfigureAwait(false);
        var proofs = ballots.ToDictionary(b => b.Id, _ => new List<(string, string)>());
        var results = new Dictionary<long, (string[]? Results, string? TotalSpent)>();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand("SELECT ballot_id, step, status FROM ballot_proofs ORDER BY ballot_id, step", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (proofs.TryGetValue(reader.GetInt64(0), out var steps)) steps.Add((reader.GetString(1), reader.GetString(2)));
            }
        }

        await using (var command = new NpgsqlCommand("SELECT id, results, total_spent FROM ballots", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                results[reader.GetInt64(0)] = (reader.IsDBNull(1) ? null : reader.GetFieldValue<string[]>(1), reader.IsDBNull(2) ? null : reader.GetString(2));
            }
        }

        return ballots.Select(b => new BallotOverview(b, proofs[b.Id], results.GetValueOrDefault(b.Id).Results, results.GetValueOrDefault(b.Id).TotalSpent)).ToList();
    }

    /// <summary>The poll as the stored events describe it, ready for processing.</summary>
    public async Task<PollProcessor> ReplayAsync(CoordinatedBallot ballot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ballot);
        var poll = new PollProcessor(ballot.Parameters, ballot.VoteOptions, ballot.PollId, ballot.Credits);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var signUps = new NpgsqlCommand("SELECT state_index, key_x, key_y FROM ballot_signups WHERE ballot_id = $1 ORDER BY state_index", connection))
        {
            signUps.Parameters.Add(new() { Value = ballot.Id });
            await using var reader = await signUps.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var index = poll.SignUp(new Zk.Keys.MaciPublicKey(new BabyJubJubPoint(Fr.Parse(reader.GetString(1)), Fr.Parse(reader.GetString(2)))));
                if (index != reader.GetInt32(0)) throw new InvalidOperationException($"sign-up {reader.GetInt32(0)} of ballot {ballot.Address} is missing from the mirror");
            }
        }

        await using (var messages = new NpgsqlCommand("SELECT message_index, data, key_x, key_y FROM ballot_messages WHERE ballot_id = $1 ORDER BY message_index", connection))
        {
            messages.Parameters.Add(new() { Value = ballot.Id });
            await using var reader = await messages.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (reader.GetInt32(0) != poll.MessageCount) throw new InvalidOperationException($"message {poll.MessageCount} of ballot {ballot.Address} is missing from the mirror");
                poll.Publish(new PublishedMessage(new MaciMessage(reader.GetFieldValue<string[]>(1).Select(Fr.Parse).ToArray()),
                    new BabyJubJubPoint(Fr.Parse(reader.GetString(2)), Fr.Parse(reader.GetString(3)))));
            }
        }

        return poll;
    }

    /// <summary>A proof step, if started.</summary>
    public async Task<ProofStep?> StepAsync(long ballotId, string step, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT salt, second_salt, commitment, proof::text, status FROM ballot_proofs WHERE ballot_id = $1 AND step = $2", connection);
        command.Parameters.Add(new() { Value = ballotId });
        command.Parameters.Add(new() { Value = step });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return new ProofStep(Fr.Parse(reader.GetString(0)), reader.IsDBNull(1) ? null : Fr.Parse(reader.GetString(1)), Fr.Parse(reader.GetString(2)),
            reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4));
    }

    /// <summary>Records the salt(s) and commitment of a step before it is proven (first writer wins).</summary>
    public async Task SaltAsync(long ballotId, string step, Fr salt, Fr? secondSalt, Fr commitment, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO ballot_proofs (ballot_id, step, salt, second_salt, commitment, status) VALUES ($1, $2, $3, $4, $5, 'salted') ON CONFLICT (ballot_id, step) DO NOTHING", connection);
        insert.Parameters.Add(new() { Value = ballotId });
        foreach (var text in new[] { step, salt.ToString(), secondSalt?.ToString(), commitment.ToString() })
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)text ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        }

        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves a step to proven (with its proof) or confirmed (with its transaction).</summary>
    public async Task UpdateStepAsync(long ballotId, string step, string status, string? proofJson = null, double? proveSeconds = null, Hash32? tx = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var update = new NpgsqlCommand(
            """
            UPDATE ballot_proofs SET status = $3, proof = COALESCE($4::jsonb, proof), prove_seconds = COALESCE($5, prove_seconds), tx_hash = COALESCE($6, tx_hash), updated_at = now()
            WHERE ballot_id = $1 AND step = $2
            """, connection);
        update.Parameters.Add(new() { Value = ballotId });
        update.Parameters.Add(new() { Value = step });
        update.Parameters.Add(new() { Value = status });
        update.Parameters.Add(new() { Value = (object?)proofJson ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        update.Parameters.Add(new() { Value = (object?)proveSeconds ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Double });
        update.Parameters.Add(new() { Value = (object?)tx?.ToArray() ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many proofs were made for a ballot (each made once, whatever the restarts).</summary>
    public async Task<int> ProvenCountAsync(long ballotId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT count(*)::int FROM ballot_proofs WHERE ballot_id = $1 AND proof IS NOT NULL", connection);
        command.Parameters.Add(new() { Value = ballotId });
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Sets the ballot's status (and, once published, its results).</summary>
    public async Task SetStatusAsync(long ballotId, string status, TallyResult? tally = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var update = new NpgsqlCommand(
            """
            UPDATE ballots SET status = $2, results = COALESCE($3, results), total_spent = COALESCE($4, total_spent), tally_commitment = COALESCE($5, tally_commitment), updated_at = now()
            WHERE id = $1
            """, connection);
        update.Parameters.Add(new() { Value = ballotId });
        update.Parameters.Add(new() { Value = status });
        update.Parameters.Add(new() { Value = (object?)tally?.Results.Select(r => r.ToString(CultureInfo.InvariantCulture)).ToArray() ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
        update.Parameters.Add(new() { Value = (object?)tally?.TotalSpent.ToString(CultureInfo.InvariantCulture) ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        update.Parameters.Add(new() { Value = (object?)tally?.TallyCommitment.ToString() ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
