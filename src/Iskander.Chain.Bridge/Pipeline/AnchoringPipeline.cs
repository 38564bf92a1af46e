using Iskander.Chain.Anchoring;
using Iskander.Chain.Content.Stores;
using Iskander.Chain.Bridge.Governance;
using Iskander.Chain.Bridge.Storage;
using Iskander.Chain.Ethereum;
using Npgsql;

namespace Iskander.Chain.Bridge.Pipeline;

/// <summary>What one round of the pipeline did.</summary>
/// <param name="Stored">Versions put into the content store.</param>
/// <param name="Batched">Versions put into a batch.</param>
/// <param name="Submitted">Whether a batch was submitted (or adopted).</param>
/// <param name="ChainChanges">Batches whose on-chain status changed.</param>
/// <param name="MembershipEvents">Membership events mirrored from the chain.</param>
/// <param name="ActionChanges">Governance actions whose status changed.</param>
public sealed record PipelineRound(int Stored, int Batched, bool Submitted, int ChainChanges, int MembershipEvents = 0, int ActionChanges = 0)
{
    /// <summary>Whether anything happened.</summary>
    public bool DidWork => Stored > 0 || Batched > 0 || Submitted || ChainChanges > 0 || MembershipEvents > 0 || ActionChanges > 0;
}

/// <summary>Settings of the pipeline's steps; the defaults suit a running bridge.</summary>
public sealed record AnchoringPipelineOptions
{
    /// <summary>Versions stored per transaction.</summary>
    public int StoreBatch { get; init; } = 100;

    /// <summary>Close a Merkle batch at this many leaves.</summary>
    public int MaxLeaves { get; init; } = 256;

    /// <summary>Close a smaller batch once its oldest version waited this long.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Blocks before an anchor counts as confirmed.</summary>
    public int Confirmations { get; init; } = 2;

    /// <summary>Send a submitted batch again when its root is still not on chain after this long.</summary>
    public TimeSpan ResubmitAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often an idle bridge anchors the Glass Box's head in a batch of its own (busy, every batch carries it).</summary>
    public TimeSpan AuditInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long an admission waits for the member's consent.</summary>
    public TimeSpan ConsentWindow { get; init; } = TimeSpan.FromDays(14);
}

/// <summary>
/// The steps after ingestion, run in order; every one of them is safe to repeat and to run in
/// several processes. With governance, the membership mirror and the action executor run too.
/// </summary>
public sealed class AnchoringPipeline(ContentStep content, BatchStep batch, SubmitStep submit, ConfirmStep confirm, MembershipMirror? mirror = null, GovernanceStep? governance = null)
{
    /// <summary>The steps over one database, content store and chain; <paramref name="governance"/> adds actions and membership.</summary>
    public static AnchoringPipeline Create(BridgeDatabase database, IContentStore store, AnchorChain chain, Serilog.ILogger log, AnchoringPipelineOptions? options = null,
        GovernanceChain? governance = null)
    {
        options ??= new AnchoringPipelineOptions();
        return new AnchoringPipeline(
            new ContentStep(database, store, log) { BatchSize = options.StoreBatch },
            new BatchStep(database, log) { MaxLeaves = options.MaxLeaves, MaxWait = options.MaxWait, AuditInterval = options.AuditInterval, Governance = governance?.Targets },
            new SubmitStep(database, chain, log),
            new ConfirmStep(database, chain, log) { Confirmations = options.Confirmations, ResubmitAfter = options.ResubmitAfter },
            governance is null ? null : new MembershipMirror(database, governance.Client, governance.Targets.Identity, governance.IdentityAbi, governance.StartBlock, log),
            governance is null ? null : new GovernanceStep(database, governance, log)
            {
                Confirmations = options.Confirmations, ResubmitAfter = options.ResubmitAfter, ConsentWindow = options.ConsentWindow,
            });
    }

    /// <summary>One round of every step.</summary>
    public async Task<PipelineRound> RunRoundAsync(CancellationToken cancellationToken = default)
    {
        var mirrored = mirror is null ? 0 : await mirror.RunOnceAsync(cancellationToken).ConfigureAwait(false);
        return new PipelineRound(
            await content.RunOnceAsync(cancellationToken).ConfigureAwait(false),
            await batch.RunOnceAsync(cancellationToken).ConfigureAwait(false),
            await submit.RunOnceAsync(cancellationToken).ConfigureAwait(false),
            await confirm.RunOnceAsync(cancellationToken).ConfigureAwait(false),
            mirrored,
            governance is null ? 0 : await governance.RunOnceAsync(cancellationToken).ConfigureAwait(false));
    }
}

/// <summary>An anchored decision version with everything needed to check it against the chain.</summary>
/// <param name="PollKey">Poll.</param>
/// <param name="Version">Version number.</param>
/// <param name="State">Decision state.</param>
/// <param name="Cid">Content address of the record.</param>
/// <param name="Record">The canonical record bytes.</param>
/// <param name="Reference">Leaf, index, proof and root.</param>
/// <param name="BatchStatus">closed, submitted or confirmed.</param>
/// <param name="BlockNumber">Block of the anchor, once known.</param>
/// <param name="Public">Whether the record may be served to anyone (its group was public); otherwise to members only.</param>
public sealed record AnchoredDecision(string PollKey, int Version, string State, string Cid, byte[] Record, DecisionRef Reference, string BatchStatus, long? BlockNumber, bool Public = false)
{
    /// <summary>The listing row of this version.</summary>
    public DecisionSummary ToSummary() => new(PollKey, Version, State, Cid, BatchStatus, BlockNumber);
}

/// <summary>One row of the decisions listing (no proof: that is per poll).</summary>
/// <param name="PollKey">Poll.</param>
/// <param name="Version">Version number.</param>
/// <param name="State">Decision state.</param>
/// <param name="Cid">Content address of the record.</param>
/// <param name="BatchStatus">closed, submitted or confirmed.</param>
/// <param name="BlockNumber">Block of the anchor, once known.</param>
public sealed record DecisionSummary(string PollKey, int Version, string State, string Cid, string BatchStatus, long? BlockNumber);

/// <summary>Read side of the pipeline's tables.</summary>
public static class DecisionQueries
{
    /// <summary>Version counts by pipeline status, with batched ones split by their batch's status (e.g. <c>batched/confirmed</c>).</summary>
    public static async Task<IReadOnlyDictionary<string, int>> StatusCountsAsync(BridgeDatabase database, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT v.status || COALESCE('/' || b.status, ''), count(*)::int FROM decision_versions v LEFT JOIN batches b ON b.id = v.batch_id GROUP BY 1", connection);
        var counts = new Dictionary<string, int>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) counts[reader.GetString(0)] = reader.GetInt32(1);
        return counts;
    }

    /// <summary>A page of batched versions, oldest first, and how many there are in all; private versions only when <paramref name="includePrivate"/>.</summary>
    public static async Task<(int Total, IReadOnlyList<DecisionSummary> Page)> PageAsync(BridgeDatabase database, int offset, int limit, bool includePrivate = true,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            SELECT v.poll_key, v.version, v.state, v.cid, b.status, b.block_number, count(*) OVER ()::int
            FROM decision_versions v JOIN batches b ON b.id = v.batch_id WHERE $3 OR v.public ORDER BY v.id OFFSET $1 LIMIT $2
            """, connection);
        command.Parameters.Add(new() { Value = offset });
        command.Parameters.Add(new() { Value = limit });
        command.Parameters.Add(new() { Value = includePrivate });
        var page = new List<DecisionSummary>();
        var total = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                page.Add(new DecisionSummary(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetInt64(5)));
                total = reader.GetInt32(6);
            }
        }

        // Past the end the window count has no row to ride on: count separately (the reader is closed, the connection free).
        if (page.Count == 0 && offset > 0)
        {
            await using var count = new NpgsqlCommand("SELECT count(*)::int FROM decision_versions WHERE batch_id IS NOT NULL AND ($1 OR public)", connection);
            count.Parameters.Add(new() { Value = includePrivate });
            total = (int)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        return (total, page);
    }

    /// <summary>Every batched version of a poll (or of all polls; or the version whose record has CID <paramref name="pollKey"/>), with its inclusion proof rebuilt from its batch.</summary>
    public static async Task<IReadOnlyList<AnchoredDecision>> AnchoredAsync(BridgeDatabase database, string? pollKey = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<(string Key, int Version, string State, string Cid, byte[] Record, long BatchId, int Index, string Status, long? Block, bool Public)>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT v.poll_key, v.version, v.state, v.cid, v.record, v.batch_id, v.leaf_index, b.status, b.block_number, v.public
            FROM decision_versions v JOIN batches b ON b.id = v.batch_id
            WHERE $1::text IS NULL OR v.poll_key = $1 OR v.cid = $1 ORDER BY v.id
            """, connection))
        {
            command.Parameters.Add(new() { Value = (object?)pollKey ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), (byte[])reader[4], reader.GetInt64(5), reader.GetInt32(6),
                    reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetInt64(8), reader.GetBoolean(9)));
            }
        }

        var trees = new Dictionary<long, DecisionMerkleTree>();
        var result = new List<AnchoredDecision>();
        foreach (var row in rows)
        {
            if (!trees.TryGetValue(row.BatchId, out var tree)) trees[row.BatchId] = tree = await BatchTreeAsync(connection, row.BatchId, cancellationToken).ConfigureAwait(false);
            result.Add(new AnchoredDecision(row.Key, row.Version, row.State, row.Cid, row.Record, DecisionRef.For(tree, row.Index), row.Status, row.Block, row.Public));
        }

        return result;
    }

    /// <summary>
    /// Whether the decision record whose SHA-256 is <paramref name="sha256"/> is private (true), public
    /// (false) or not a decision record of this bridge (null). By digest, so that the record is known
    /// as soon as its bytes can be in the content store, whatever CID codec names them.
    /// </summary>
    public static async Task<bool?> IsPrivateRecordAsync(BridgeDatabase database, ReadOnlyMemory<byte> sha256, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT NOT public FROM decision_versions WHERE sha256 = $1", connection);
        command.Parameters.Add(new() { Value = sha256.ToArray() });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as bool?;
    }

    /// <summary>The versions of <paramref name="pollKey"/> that are private, batched or not.</summary>
    public static async Task<IReadOnlySet<int>> PrivateVersionsAsync(BridgeDatabase database, string pollKey, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT version FROM decision_versions WHERE poll_key = $1 AND NOT public", connection);
        command.Parameters.Add(new() { Value = pollKey });
        var versions = new HashSet<int>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) versions.Add(reader.GetInt32(0));
        return versions;
    }

    /// <summary>The Merkle tree of batch <paramref name="batchId"/>: its decision, action and Glass Box head leaves in order.</summary>
    public static async Task<DecisionMerkleTree> BatchTreeAsync(NpgsqlConnection connection, long batchId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT leaf, leaf_index FROM decision_versions WHERE batch_id = $1 UNION ALL SELECT leaf, leaf_index FROM governance_actions WHERE batch_id = $1
            UNION ALL SELECT leaf, leaf_index FROM audit_heads WHERE batch_id = $1 ORDER BY 2
            """, connection);
        command.Parameters.Add(new() { Value = batchId });
        var leaves = new List<Hash32>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) leaves.Add(new Hash32((byte[])reader[0]));
        return new DecisionMerkleTree(leaves);
    }
}
