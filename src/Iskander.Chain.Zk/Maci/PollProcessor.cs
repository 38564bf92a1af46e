using System.Globalization;
using System.Numerics;
using Iskander.Chain.Zk.Curves;
using Iskander.Chain.Zk.Encryption;
using Iskander.Chain.Zk.Field;
using Iskander.Chain.Zk.Hashing;
using Iskander.Chain.Zk.Keys;
using Iskander.Chain.Zk.Merkle;
using Iskander.Chain.Zk.Signatures;

namespace Iskander.Chain.Zk.Maci;

/// <summary>
/// The shape of a ballot's circuits: state tree depth s (2^s leaves: leaf 0 is padding, so at most
/// 2^s − 1 members), messages per batch, and vote-option tree depth d (at most 5^d options).
/// </summary>
/// <param name="StateTreeDepth">s.</param>
/// <param name="BatchSize">Messages per processing proof.</param>
/// <param name="VoteOptionTreeDepth">d.</param>
/// <param name="TallyBatchDepth">t: each tally proof covers 2^t ballots (1 ≤ t ≤ s).</param>
public sealed record BallotCircuitParameters(int StateTreeDepth, int BatchSize, int VoteOptionTreeDepth, int TallyBatchDepth)
{
    /// <summary>A shape whose tally batches hold <see cref="DefaultTallyBatchDepth"/> ballots.</summary>
    public BallotCircuitParameters(int stateTreeDepth, int batchSize, int voteOptionTreeDepth)
        : this(stateTreeDepth, batchSize, voteOptionTreeDepth, DefaultTallyBatchDepth(stateTreeDepth, voteOptionTreeDepth))
    {
    }

    /// <summary>The tiny shape tests and CI prove end to end: 7 members, batches of 2, 5 options, tallied in two batches of 4 ballots.</summary>
    public static BallotCircuitParameters Test { get; } = new(3, 2, 1, 2);

    /// <summary>A production shape: 127 members, batches of 16, 25 options.</summary>
    public static BallotCircuitParameters Coop { get; } = new(7, 16, 2);

    /// <summary>The largest production shape: 1,023 members (leaf 0 is the blank leaf), batches of 16, 5 options.</summary>
    public static BallotCircuitParameters Large { get; } = new(10, 16, 1);

    /// <summary>
    /// A parameter set by name (<c>test</c>, <c>coop</c>, <c>large</c>) or as <c>s,batch,d</c> or <c>s,batch,d,t</c>;
    /// null when the text is neither. The values still have to pass <see cref="BallotLimits"/>.
    /// </summary>
    public static BallotCircuitParameters? Parse(string text)
    {
        switch (text)
        {
            case "test": return Test;
            case "coop": return Coop;
            case "large": return Large;
        }

        var parts = text.Split(',');
        var values = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i])) return null;
        }

        return values.Length switch
        {
            3 => new(values[0], values[1], values[2]),
            4 => new(values[0], values[1], values[2], values[3]),
            _ => null,
        };
    }

    /// <summary>Most members.</summary>
    public int MaxMembers => (1 << StateTreeDepth) - 1;

    /// <summary>Most options.</summary>
    public int MaxVoteOptions => (int)Math.Pow(5, VoteOptionTreeDepth);

    /// <summary>Ballots per tally proof.</summary>
    public int TallyBatchSize => 1 << TallyBatchDepth;

    /// <summary>Tally proofs: one per 2^t ballots of the whole ballot tree.</summary>
    public int TallyBatchCount => 1 << (StateTreeDepth - TallyBatchDepth);

    /// <summary>
    /// The tally batch depth that keeps a tally proof near 50–90k constraints (a ballot costs about
    /// 0.8k constraints at d = 1, 2.4k at d = 2, 10k at d = 3): one proof must compile within the
    /// WebAssembly compiler's 4 GiB and prove in seconds, and 2^10 ballots in one proof do neither.
    /// </summary>
    public static int DefaultTallyBatchDepth(int stateTreeDepth, int voteOptionTreeDepth) =>
        Math.Min(stateTreeDepth, voteOptionTreeDepth switch { <= 1 => 6, 2 => 5, _ => 3 });
}

/// <summary>One message as published on chain: the ciphertext and its ephemeral public key.</summary>
/// <param name="Message">Ciphertext.</param>
/// <param name="EncryptionKey">The sender's ephemeral key (validated by the contract).</param>
public sealed record PublishedMessage(MaciMessage Message, BabyJubJubPoint EncryptionKey)
{
    /// <summary>
    /// A voter's command, signed with the key currently registered for <paramref name="stateIndex"/>
    /// and encrypted for the coordinator under a fresh ephemeral key. <paramref name="newKey"/> is the
    /// key after the command (the same key to keep it, another to change it).
    /// </summary>
    public static PublishedMessage Create(MaciPrivateKey signer, ulong stateIndex, MaciPublicKey newKey, ulong voteOption, ulong weight, ulong nonce, ulong pollId, MaciPublicKey coordinator)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var command = VoteCommand.Create(stateIndex, newKey, voteOption, weight, nonce, pollId, Fr.Random());
        var (message, ephemeral) = MaciMessage.Seal(command, command.Sign(signer), coordinator, MaciPrivateKey.Generate());
        return new PublishedMessage(message, ephemeral.Point);
    }
}

/// <summary>What a processing proof for one batch needs, and where it leaves the state.</summary>
/// <param name="Inputs">The circuit input (signal name → decimal strings, nested arrays).</param>
/// <param name="NewSbCommitment">The commitment after the batch.</param>
/// <param name="Index">First message of the batch.</param>
/// <param name="ValidMessages">How many of the batch's messages were applied.</param>
public sealed record ProcessBatchResult(IReadOnlyDictionary<string, object> Inputs, Fr NewSbCommitment, int Index, int ValidMessages);

/// <summary>One tally proof's input and the running results it commits to.</summary>
/// <param name="Inputs">The circuit input.</param>
/// <param name="Results">Votes per option (all 5^d) up to and including this batch.</param>
/// <param name="TotalSpent">Credits spent up to and including this batch.</param>
/// <param name="TallyCommitment">hash2(hash2(resultsRoot, resultsSalt), hash2(totalSpent, spentSalt)).</param>
/// <param name="ResultsSalt">Salt of the results.</param>
/// <param name="SpentSalt">Salt of the spent total.</param>
/// <param name="Batch">The tally batch (from 0).</param>
/// <param name="Final">Whether it is the last batch: its results are the ballot's.</param>
public sealed record TallyResult(IReadOnlyDictionary<string, object> Inputs, IReadOnlyList<BigInteger> Results, BigInteger TotalSpent, Fr TallyCommitment, Fr ResultsSalt, Fr SpentSalt, int Batch, bool Final);

/// <summary>
/// The coordinator's replay of a poll, exactly as the circuits compute it: sign-ups fill the state
/// tree from index 1 (leaf 0 is the padding leaf), every published message extends the chain, and
/// after the deadline the batches are processed last to first, each message last to first. A
/// message is applied only if it passes every check the circuit makes; otherwise it changes nothing
/// (with its state index and vote option falling back to 0 for the Merkle paths). Each batch
/// yields the circuit input of its proof; the tally yields the results and their commitment.
/// </summary>
public sealed class PollProcessor
{
    private readonly BallotCircuitParameters _parameters;
    private readonly IncrementalTree _stateTree;
    private readonly IncrementalTree _ballotTree;
    private readonly List<StateLeaf> _leaves = [];
    private readonly Ballot[] _ballots;
    private readonly List<PublishedMessage> _messages = [];
    private readonly MessageChain _chain;
    private Fr _sbSalt = Fr.Zero;
    private int _processed;
    private bool _closed;
    private RunningTally _tally;
    private int _tallied;

    /// <summary>A poll with <paramref name="voteOptions"/> options, id <paramref name="pollId"/>, and <paramref name="initialCredits"/> per member.</summary>
    public PollProcessor(BallotCircuitParameters parameters, int voteOptions, ulong pollId, ulong initialCredits)
    {
        BallotLimits.Check(parameters, voteOptions, pollId, initialCredits);
        _parameters = parameters;
        VoteOptions = voteOptions;
        PollId = pollId;
        InitialCredits = initialCredits;
        _stateTree = new IncrementalTree(2, parameters.StateTreeDepth, Fr.Zero);
        var emptyBallot = Ballot.Empty(parameters.VoteOptionTreeDepth);
        _ballotTree = new IncrementalTree(2, parameters.StateTreeDepth, emptyBallot.Hash());
        _ballots = Enumerable.Repeat(emptyBallot, 1 << parameters.StateTreeDepth).ToArray();
        _tally = new RunningTally(new Fr[parameters.MaxVoteOptions], Fr.Zero, Fr.Zero, Fr.Zero, Fr.Zero);
        _ballotTree.InsertMany(Enumerable.Repeat(emptyBallot.Hash(), 1 << parameters.StateTreeDepth).ToArray());
        _leaves.Add(StateLeaf.Blank);
        _stateTree.Insert(StateLeaf.Blank.Hash());
        _chain = new MessageChain(parameters.BatchSize);
    }

    /// <summary>Options of this poll.</summary>
    public int VoteOptions { get; }

    /// <summary>The poll's id (every command must name it).</summary>
    public ulong PollId { get; }

    /// <summary>Credits each member starts with.</summary>
    public ulong InitialCredits { get; }

    /// <summary>Leaves in the state tree, the padding leaf included (the circuits' totalSignups).</summary>
    public int TotalSignups => _leaves.Count;

    /// <summary>Messages published.</summary>
    public int MessageCount => _messages.Count;

    /// <summary>The message chain as the contract keeps it.</summary>
    public MessageChain Chain => _chain;

    /// <summary>hash3(stateRoot, ballotRoot, salt): at the start (salt 0) what the contract computes when voting closes.</summary>
    public Fr SbCommitment => MaciCommitments.StateBallot(_stateTree.Root, _ballotTree.Root, _sbSalt);

    /// <summary>Batches to prove (none when nothing was published).</summary>
    public int BatchCount => (_messages.Count + _parameters.BatchSize - 1) / _parameters.BatchSize;

    /// <summary>Batches not yet processed.</summary>
    public int BatchesLeft => BatchCount - _processed;

    /// <summary>Registers a member's key; returns the state index.</summary>
    public int SignUp(MaciPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_leaves.Count > _parameters.MaxMembers) throw new InvalidOperationException($"the state tree holds {_parameters.MaxMembers} members");
        if (_closed) throw new InvalidOperationException("processing has started");
        var leaf = new StateLeaf(key.Point, Fr.FromUInt64(InitialCredits));
        _leaves.Add(leaf);
        _stateTree.Insert(leaf.Hash());
        return _leaves.Count - 1;
    }

    /// <summary>
    /// Replaces the leaf of sign-up <paramref name="stateIndex"/> by the blank leaf (the padding key,
    /// no credits), as the contract does at close for a membership that ended while voting was open:
    /// no message can use it. Only before processing starts.
    /// </summary>
    public void VoidSignUp(int stateIndex)
    {
        if (stateIndex < 1 || stateIndex >= _leaves.Count) throw new ArgumentOutOfRangeException(nameof(stateIndex), $"no sign-up {stateIndex} ({_leaves.Count - 1} sign-ups)");
        if (_processed > 0) throw new InvalidOperationException("processing has started");
        _leaves[stateIndex] = StateLeaf.Blank;
        _stateTree.Update(stateIndex, StateLeaf.Blank.Hash());
    }

    /// <summary>Root of the state tree (what the contract's <c>stateRoot</c> holds).</summary>
    public Fr StateRoot => _stateTree.Root;

    /// <summary>Appends a published message to the chain.</summary>
    public void Publish(PublishedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_closed) throw new InvalidOperationException("processing has started");
        _messages.Add(message);
        _chain.Append(message.Message.Hash(message.EncryptionKey));
    }

    /// <summary>The published messages, in order.</summary>
    public IReadOnlyList<PublishedMessage> Messages => _messages;

    /// <summary>Ends voting as the contract does: the last partial batch closes; no more sign-ups or messages.</summary>
    public void CloseVoting()
    {
        if (_closed) return;
        _chain.PadLastBatch();
        _closed = true;
    }

    /// <summary>The messages of batch <paramref name="batch"/> (counting from 1).</summary>
    public IReadOnlyList<PublishedMessage> BatchMessages(int batch) =>
        _messages.Skip((batch - 1) * _parameters.BatchSize).Take(_parameters.BatchSize).ToList();

    /// <summary>Processes the next batch (the last unprocessed one) with the coordinator's key and a fresh salt.</summary>
    public ProcessBatchResult ProcessNextBatch(MaciPrivateKey coordinator, Fr newSalt)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        CloseVoting();

        if (BatchesLeft == 0) throw new InvalidOperationException("every batch is processed");
        var batch = BatchCount - 1 - _processed;
        var batchSize = _parameters.BatchSize;
        var depth = _parameters.StateTreeDepth;
        var index = batch * batchSize;
        var batchEnd = Math.Min(index + batchSize, _messages.Count);
        var inputBatchHash = _chain.BatchHashes[batch];
        var outputBatchHash = _chain.BatchHashes[batch + 1];
        var currentCommitment = SbCommitment;
        var currentStateRoot = _stateTree.Root;
        var currentBallotRoot = _ballotTree.Root;
        var currentSalt = _sbSalt;

        var messages = new string[batchSize][];
        var keys = new string[batchSize][];
        var stateLeaves = new string[batchSize][];
        var stateSiblings = new string[batchSize][];
        var ballotNonces = new string[batchSize];
        var ballotVotes = new string[batchSize][];
        var ballotSiblings = new string[batchSize][];
        var applied = 0;
        var coordinatorScalar = coordinator.FormattedScalar();
        for (var i = batchSize - 1; i >= 0; i--)
        {
            var padding = index + i >= batchEnd;
            var published = padding ? Padding : _messages[index + i];
            messages[i] = published.Message.Data.Select(f => f.ToString()).ToArray();
            keys[i] = [published.EncryptionKey.X.ToString(), published.EncryptionKey.Y.ToString()];

            var command = DecryptedCommand.From(published, coordinatorScalar);
            var indexUsable = !padding && command.HighBitsZero && command.StateIndex < (ulong)_leaves.Count;
            var stateIndex = indexUsable ? (int)command.StateIndex : 0;
            var optionInRange = command.VoteOptionIndex < (ulong)VoteOptions;
            var option = optionInRange ? (int)command.VoteOptionIndex : 0;

            var leaf = _leaves[stateIndex];
            var ballot = _ballots[stateIndex];
            stateLeaves[i] = [leaf.PublicKey.X.ToString(), leaf.PublicKey.Y.ToString(), leaf.VoiceCreditBalance.ToString()];
            stateSiblings[i] = Siblings(_stateTree, stateIndex, depth);
            ballotNonces[i] = ballot.Nonce.ToString();
            ballotVotes[i] = ballot.Votes.Select(v => v.ToString()).ToArray();
            ballotSiblings[i] = Siblings(_ballotTree, stateIndex, depth);

            var currentVote = ballot.Votes[option].ToBigInteger();
            var valid = indexUsable && optionInRange
                && ballot.Nonce.ToBigInteger() + 1 == command.Nonce
                && command.PollId == PollId
                && BabyJubJub.IsUsableKey(command.NewPublicKey)
                && EdDsaPoseidon.Verify(leaf.PublicKey, command.Hash, command.Signature)
                && command.NewVoteWeight <= leaf.VoiceCreditBalance.ToBigInteger() + currentVote;
            if (!valid) continue;
            applied++;
            var newLeaf = new StateLeaf(command.NewPublicKey, leaf.VoiceCreditBalance + Fr.FromBigInteger(currentVote) - Fr.FromUInt64(command.NewVoteWeight));
            _leaves[stateIndex] = newLeaf;
            _stateTree.Update(stateIndex, newLeaf.Hash());
            var votes = ballot.Votes.ToArray();
            votes[option] = Fr.FromUInt64(command.NewVoteWeight);
            _ballots[stateIndex] = new Ballot(votes, Fr.FromUInt64(command.Nonce), _parameters.VoteOptionTreeDepth);
            _ballotTree.Update(stateIndex, _ballots[stateIndex].Hash());
        }

        _sbSalt = newSalt;
        var newCommitment = SbCommitment;
        var coordinatorKey = coordinator.PublicKey();
        var inputs = new Dictionary<string, object>
        {
            ["totalSignups"] = _leaves.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["outputBatchHash"] = outputBatchHash.ToString(),
            ["coordinatorPublicKeyHash"] = coordinatorKey.Hash().ToString(),
            ["voteOptions"] = VoteOptions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["currentSbCommitment"] = currentCommitment.ToString(),
            ["newSbCommitment"] = newCommitment.ToString(),
            ["index"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["batchEndIndex"] = batchEnd.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["pollId"] = PollId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["inputBatchHash"] = inputBatchHash.ToString(),
            ["messages"] = messages,
            ["encryptionKeys"] = keys,
            ["coordinatorPrivateKey"] = coordinatorScalar.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["currentStateRoot"] = currentStateRoot.ToString(),
            ["currentBallotRoot"] = currentBallotRoot.ToString(),
            ["currentSbSalt"] = currentSalt.ToString(),
            ["newSbSalt"] = newSalt.ToString(),
            ["stateLeaves"] = stateLeaves,
            ["stateLeafSiblings"] = stateSiblings,
            ["ballotNonces"] = ballotNonces,
            ["ballotVotes"] = ballotVotes,
            ["ballotSiblings"] = ballotSiblings,
        };
        _processed++;
        return new ProcessBatchResult(inputs, newCommitment, index, applied);
    }

    /// <summary>Tally batches done (by <see cref="TallyNextBatch"/>), of <see cref="BallotCircuitParameters.TallyBatchCount"/>.</summary>
    public int TallyBatchesDone => _tallied;

    /// <summary>
    /// The next tally batch (after every message batch is processed), in order from batch 0: its
    /// ballots are added to the running results, committed with fresh salts.
    /// </summary>
    /// <exception cref="InvalidOperationException">Batches are left to process, or every tally batch is done.</exception>
    public TallyResult TallyNextBatch(Fr resultsSalt, Fr spentSalt)
    {
        if (BatchesLeft > 0) throw new InvalidOperationException($"{BatchesLeft} batch(es) are not processed yet");
        if (_tallied == _parameters.TallyBatchCount) throw new InvalidOperationException("every tally batch is done");
        _closed = true;
        var batch = _tallied;
        var size = _parameters.TallyBatchSize;
        var ballots = _ballots.AsSpan(batch * size, size).ToArray();
        var current = _tally;
        var results = current.Results.ToArray();
        var spent = current.Spent;
        foreach (var ballot in ballots)
        {
            for (var j = 0; j < results.Length; j++)
            {
                results[j] += ballot.Votes[j];
                spent += ballot.Votes[j];
            }
        }

        var commitment = MaciCommitments.Tally(new Ballot(results, Fr.Zero, _parameters.VoteOptionTreeDepth).VoteOptionRoot(), resultsSalt, spent, spentSalt);
        var siblings = _ballotTree.Proof(batch * size).PathElements.Skip(_parameters.TallyBatchDepth).Select(level => level[0].ToString()).ToArray();
        var inputs = new Dictionary<string, object>
        {
            ["sbCommitment"] = SbCommitment.ToString(),
            ["currentTallyCommitment"] = current.Commitment.ToString(),
            ["newTallyCommitment"] = commitment.ToString(),
            ["batchIndex"] = batch.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["stateRoot"] = _stateTree.Root.ToString(),
            ["ballotRoot"] = _ballotTree.Root.ToString(),
            ["sbSalt"] = _sbSalt.ToString(),
            ["ballotNonces"] = ballots.Select(b => b.Nonce.ToString()).ToArray(),
            ["votes"] = ballots.Select(b => b.Votes.Select(v => v.ToString()).ToArray()).ToArray(),
            ["batchSiblings"] = siblings,
            ["currentResults"] = current.Results.Select(r => r.ToString()).ToArray(),
            ["currentSpent"] = current.Spent.ToString(),
            ["currentResultsSalt"] = current.ResultsSalt.ToString(),
            ["currentSpentSalt"] = current.SpentSalt.ToString(),
            ["newResultsSalt"] = resultsSalt.ToString(),
            ["newSpentSalt"] = spentSalt.ToString(),
        };
        _tally = new RunningTally(results, spent, resultsSalt, spentSalt, commitment);
        _tallied++;
        return new TallyResult(inputs, results.Select(r => r.ToBigInteger()).ToList(), spent.ToBigInteger(), commitment, resultsSalt, spentSalt, batch, _tallied == _parameters.TallyBatchCount);
    }

    /// <summary>Every tally batch still to do, each with fresh random salts; the last result holds the ballot's results.</summary>
    public IReadOnlyList<TallyResult> TallyRemaining()
    {
        var batches = new List<TallyResult>();
        while (_tallied < _parameters.TallyBatchCount) batches.Add(TallyNextBatch(Fr.Random(), Fr.Random()));
        return batches;
    }

    // Padding slots: never chained, never applied; a valid point keeps the circuit's ECDH well defined.
    private static readonly PublishedMessage Padding = new(new MaciMessage(Enumerable.Repeat(Fr.Zero, MaciMessage.Length).ToArray()), BabyJubJub.Base8);

    private static string[] Siblings(IncrementalTree tree, int index, int depth)
    {
        var proof = tree.Proof(index);
        return Enumerable.Range(0, depth).Select(level => proof.PathElements[level][0].ToString()).ToArray();
    }

    // The tally so far: results and spent credits, their salts and commitment (all zero before batch 0).
    private sealed record RunningTally(Fr[] Results, Fr Spent, Fr ResultsSalt, Fr SpentSalt, Fr Commitment);

    // A message as the circuit reads it: decrypted without the tag check, fields cut from the packed element.
    private sealed record DecryptedCommand(Fr Hash, bool HighBitsZero, ulong StateIndex, ulong VoteOptionIndex, ulong NewVoteWeight, ulong Nonce, ulong PollId,
        BabyJubJubPoint NewPublicKey, EdDsaSignature Signature)
    {
        public static DecryptedCommand From(PublishedMessage published, BigInteger coordinatorScalar)
        {
            var shared = BabyJubJub.Multiply(published.EncryptionKey, coordinatorScalar);
            var plain = PoseidonCipher.DecryptWithoutCheck(published.Message.Data.ToArray(), shared, 0, VoteCommand.PlaintextLength);
            var packed = plain[0].ToBigInteger();
            ulong Field(int index) => (ulong)((packed >> (index * BallotLimits.CommandFieldBits)) & BallotLimits.MaxCommandField);
            return new DecryptedCommand(Poseidon.Hash([plain[0], plain[1], plain[2], plain[3]]), packed >> 250 == 0, Field(0), Field(1), Field(2), Field(3), Field(4),
                new BabyJubJubPoint(plain[1], plain[2]), new EdDsaSignature(new BabyJubJubPoint(plain[4], plain[5]), plain[6].ToBigInteger()));
        }
    }
}
