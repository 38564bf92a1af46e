using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Hashing;
using Iskander.Chain.Zk.Merkle;

namespace Iskander.Chain.Zk.Maci;

/// <summary>A voter's state leaf: registered key and remaining voice credits.</summary>
/// <param name="PublicKey">The key commands must currently be signed with.</param>
/// <param name="VoiceCreditBalance">Credits left.</param>
public sealed record StateLeaf(BabyJubJubPoint PublicKey, Fr VoiceCreditBalance)
{
    /// <summary>The leaf that fills unused positions: the padding key with no credits.</summary>
    public static StateLeaf Blank { get; } = new(MaciConstants.PadKey, Fr.Zero);

    /// <summary>hash3(key.x, key.y, balance).</summary>
    public Fr Hash() => Poseidon.Hash([PublicKey.X, PublicKey.Y, VoiceCreditBalance]);
}

/// <summary>A voter's ballot: the weight on each option and the nonce of the last valid command.</summary>
public sealed record Ballot
{
    /// <summary>A ballot with the given weights (5^depth options).</summary>
    public Ballot(IReadOnlyList<Fr> votes, Fr nonce, int voteOptionTreeDepth)
    {
        if (votes.Count != (int)Math.Pow(5, voteOptionTreeDepth)) throw new ArgumentException($"a ballot of vote-option depth {voteOptionTreeDepth} has {(int)Math.Pow(5, voteOptionTreeDepth)} options");
        Votes = votes;
        Nonce = nonce;
        VoteOptionTreeDepth = voteOptionTreeDepth;
    }

    /// <summary>Weight per option.</summary>
    public IReadOnlyList<Fr> Votes { get; }

    /// <summary>Nonce of the last valid command (0 before any).</summary>
    public Fr Nonce { get; }

    /// <summary>Depth of the quinary vote-option tree.</summary>
    public int VoteOptionTreeDepth { get; }

    /// <summary>An empty ballot.</summary>
    public static Ballot Empty(int voteOptionTreeDepth) => new(Enumerable.Repeat(Fr.Zero, (int)Math.Pow(5, voteOptionTreeDepth)).ToList(), Fr.Zero, voteOptionTreeDepth);

    /// <summary>Root of the quinary tree of the weights (zero leaf 0).</summary>
    public Fr VoteOptionRoot()
    {
        var tree = new IncrementalTree(5, VoteOptionTreeDepth, Fr.Zero);
        tree.InsertMany(Votes.ToArray());
        return tree.Root;
    }

    /// <summary>hash2(nonce, voteOptionRoot).</summary>
    public Fr Hash() => Poseidon.Hash(Nonce, VoteOptionRoot());
}

/// <summary>MACI's commitments binding the coordinator's private state between proofs.</summary>
public static class MaciCommitments
{
    /// <summary>sbCommitment = hash3(stateRoot, ballotRoot, salt).</summary>
    public static Fr StateBallot(Fr stateRoot, Fr ballotRoot, Fr salt) => Poseidon.Hash([stateRoot, ballotRoot, salt]);

    /// <summary>Non-quadratic tally commitment: hash2(hash2(resultsRoot, resultsSalt), hash2(totalSpent, spentSalt)).</summary>
    public static Fr Tally(Fr resultsRoot, Fr resultsSalt, Fr totalSpent, Fr spentSalt) =>
        Poseidon.Hash(Poseidon.Hash(resultsRoot, resultsSalt), Poseidon.Hash(totalSpent, spentSalt));
}

/// <summary>
/// The message chain the contract keeps: starts at <see cref="MaciConstants.NothingUpMySleeve"/>,
/// each message folds in as hash2(chain, messageHash), and every full batch records its value.
/// </summary>
public sealed class MessageChain
{
    private readonly List<Fr> _batchHashes = [MaciConstants.NothingUpMySleeve];

    /// <summary>An empty chain with batches of <paramref name="batchSize"/> messages.</summary>
    public MessageChain(int batchSize)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize));
        BatchSize = batchSize;
    }

    /// <summary>Messages per batch.</summary>
    public int BatchSize { get; }

    /// <summary>The current chain hash.</summary>
    public Fr Current { get; private set; } = MaciConstants.NothingUpMySleeve;

    /// <summary>Messages folded in.</summary>
    public int Count { get; private set; }

    /// <summary>Chain hashes at every batch boundary, starting with the initial value.</summary>
    public IReadOnlyList<Fr> BatchHashes => _batchHashes;

    /// <summary>Folds in one message.</summary>
    public void Append(Fr messageHash)
    {
        Current = Poseidon.Hash(Current, messageHash);
        Count++;
        if (Count % BatchSize == 0) _batchHashes.Add(Current);
    }

    /// <summary>Closes a final partial batch (the contract's padLastBatch).</summary>
    public void PadLastBatch()
    {
        if (Count % BatchSize != 0) _batchHashes.Add(Current);
    }
}
