// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {PoseidonT3} from "poseidon-solidity/PoseidonT3.sol";
import {PoseidonT4} from "poseidon-solidity/PoseidonT4.sol";
import {PoseidonT5} from "poseidon-solidity/PoseidonT5.sol";
import {PoseidonT6} from "poseidon-solidity/PoseidonT6.sol";
import {BabyJubJub} from "./BabyJubJub.sol";
import {BallotLimits} from "./BallotLimits.sol";
import {IMembership, IProcessMessagesVerifier, ITallyVotesVerifier} from "./IBallotVerifiers.sol";

/// @title MACIVoting
/// @notice One secret ballot of a cooperative, MACI-style (docs/ballots.md). Current members sign
///         up once each with a BabyJubJub key; anyone may publish encrypted messages (votes, key
///         changes) until the deadline, so a member can vote or secretly override from any
///         address; the coordinator then proves, batch by batch from the last, how the messages
///         change the hidden state and ballots, proves the tally batch by batch from the first, and
///         publishes the results, which
///         the contract checks against the proven commitment. Every public input of every proof is
///         computed here from this contract's own state; nothing the coordinator says is taken on
///         trust. The electorate is membership, not addresses: one leaf per membership token, and
///         at close every leaf whose membership ended while voting was open (revoked, or left,
///         perhaps to be re-admitted under a new token) is replaced by a blank leaf that no message
///         can use.
contract MACIVoting {
    uint256 internal constant SNARK_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice keccak256("Maci") mod p: where the message chain starts.
    uint256 public constant NOTHING_UP_MY_SLEEVE = 8370432830353022751713833565135785980866757267633941821328460903436894336785;
    /// @notice The padding key of leaf 0 (circomlib's first Pedersen base point: nobody knows its private key).
    uint256 internal constant PAD_KEY_X = 10457101036533406547632367118273992217979173478358440826365724437999023779287;
    uint256 internal constant PAD_KEY_Y = 19824078218392094440610104313265183977899662750282163392862422243483260492317;

    /// @notice A BabyJubJub point.
    struct PublicKey {
        uint256 x;
        uint256 y;
    }

    /// @notice The ballot's fixed settings.
    struct Settings {
        IMembership membership;
        IProcessMessagesVerifier processVerifier;
        ITallyVotesVerifier tallyVerifier;
        uint8 stateTreeDepth;
        uint8 batchSize;
        uint8 voteOptionTreeDepth;
        uint8 tallyBatchDepth;
        uint8 voteOptions;
        uint64 votingDeadline;
        uint64 initialCredits;
        uint256 coordinatorPublicKeyHash;
    }

    IMembership public immutable membership;
    IProcessMessagesVerifier public immutable processVerifier;
    ITallyVotesVerifier public immutable tallyVerifier;
    uint8 public immutable stateTreeDepth;
    uint8 public immutable batchSize;
    uint8 public immutable voteOptionTreeDepth;
    /// @notice Each tally proof covers 2^tallyBatchDepth ballots.
    uint8 public immutable tallyBatchDepth;
    uint8 public immutable voteOptions;
    uint64 public immutable pollId;
    uint64 public immutable votingDeadline;
    uint64 public immutable initialCredits;
    uint256 public immutable coordinatorPublicKeyHash;
    /// @notice Root of the ballot tree where every ballot is empty.
    uint256 public immutable emptyBallotRoot;
    // hash3(padding key, 0 credits): leaf 0, and what a void sign-up becomes (nobody can sign for it).
    uint256 private immutable _blankLeaf;

    /// @notice Leaves in the state tree, leaf 0 (padding) included: the circuits' totalSignups.
    uint256 public numSignups;
    uint256 public stateRoot;
    uint256[] private _zeros;
    // Every node of the state tree by level and index (level 0: leaves), so that a leaf can be
    // replaced at close; an unwritten node is the zero subtree of its level.
    mapping(uint256 level => mapping(uint256 index => uint256 node)) private _nodes;
    mapping(uint256 tokenId => bool) public tokenSignedUp;
    // The membership token of each leaf (0 for the padding leaf).
    uint256[] private _leafTokens;
    uint256[] private _voidedLeaves;

    uint256 public numMessages;
    /// @notice The Poseidon chain over every published message and its key, extended by each
    ///         publisher (who so pays for the hashing the coordinator would otherwise pay).
    uint256 public messageChain;
    /// @notice The message chain at the end of each batch ([0] is the start; the last partial
    ///         batch is closed by {closeVoting}); the processing proofs take it as public input.
    uint256[] private _batchHashes;

    bool public votingClosed;
    uint256 public sbCommitment;
    /// @notice The next batch to prove (counting from 1; batches are proven last first).
    uint256 public currentBatch;
    bool public processingComplete;
    /// @notice The running tally commitment after the proven tally batches (0 before the first).
    uint256 public tallyCommitment;
    /// @notice Tally batches proven, of {tallyBatchCount}; the next proof is of batch tallyBatchesProven.
    uint256 public tallyBatchesProven;
    bool public resultsPublished;
    uint256[] private _results;
    uint256 public totalSpent;

    event SignUp(uint256 indexed stateIndex, address indexed member, uint256 publicKeyX, uint256 publicKeyY);
    /// @notice At close: the leaf of a membership that ended while voting was open became blank.
    event SignUpVoided(uint256 indexed stateIndex, uint256 indexed tokenId);
    event PublishMessage(uint256 indexed messageIndex, uint256[10] data, uint256 encryptionKeyX, uint256 encryptionKeyY);
    event VotingClosed(uint256 numSignups, uint256 numMessages, uint256 batches, uint256 sbCommitment);
    event BatchProcessed(uint256 indexed batch, uint256 newSbCommitment);
    event VotesTallied(uint256 indexed tallyBatch, uint256 tallyCommitment);
    event ResultsPublished(uint256[] results, uint256 totalSpent);

    error NotMember(address account);
    error AlreadySignedUp(address member, uint256 tokenId);
    error StateTreeFull();
    error InvalidPublicKey(uint256 x, uint256 y);
    error VotingOpen(uint64 deadline);
    error VotingEnded(uint64 deadline);
    error NotAFieldElement(uint256 value);
    error WrongPhase();
    error InvalidProof();
    error ResultsMismatch();
    error InvalidSettings();

    constructor(Settings memory settings) {
        if (
            settings.stateTreeDepth == 0 || settings.stateTreeDepth > BallotLimits.MAX_STATE_TREE_DEPTH || settings.batchSize == 0
                || settings.batchSize > BallotLimits.MAX_BATCH_SIZE || settings.voteOptionTreeDepth == 0
                || settings.voteOptionTreeDepth > BallotLimits.MAX_VOTE_OPTION_TREE_DEPTH || settings.tallyBatchDepth == 0
                || settings.tallyBatchDepth > settings.stateTreeDepth || settings.voteOptions == 0
                || settings.voteOptions > uint256(5) ** settings.voteOptionTreeDepth || settings.initialCredits > BallotLimits.MAX_INITIAL_CREDITS
                || settings.coordinatorPublicKeyHash >= SNARK_FIELD
        ) revert InvalidSettings();
        membership = settings.membership;
        processVerifier = settings.processVerifier;
        tallyVerifier = settings.tallyVerifier;
        stateTreeDepth = settings.stateTreeDepth;
        batchSize = settings.batchSize;
        voteOptionTreeDepth = settings.voteOptionTreeDepth;
        tallyBatchDepth = settings.tallyBatchDepth;
        voteOptions = settings.voteOptions;
        // The poll id every command must name, unique per chain and contract, so that a message
        // (signed with a key a member reuses, for a coordinator that serves every ballot) cannot be
        // replayed into another ballot; reduced to the circuits' command field.
        pollId = uint64(uint256(keccak256(abi.encode(block.chainid, address(this)))) & (2 ** BallotLimits.COMMAND_FIELD_BITS - 1));
        votingDeadline = settings.votingDeadline;
        initialCredits = settings.initialCredits;
        coordinatorPublicKeyHash = settings.coordinatorPublicKeyHash;

        // Every ballot empty: zero votes under every option, nonce 0.
        uint256 voteRoot = 0;
        for (uint256 level = 0; level < settings.voteOptionTreeDepth; level++) {
            voteRoot = PoseidonT6.hash([voteRoot, voteRoot, voteRoot, voteRoot, voteRoot]);
        }
        uint256 ballotNode = PoseidonT3.hash([uint256(0), voteRoot]);
        uint256 stateZero = 0;
        for (uint256 level = 0; level < settings.stateTreeDepth; level++) {
            _zeros.push(stateZero);
            stateZero = PoseidonT3.hash([stateZero, stateZero]);
            ballotNode = PoseidonT3.hash([ballotNode, ballotNode]);
        }
        emptyBallotRoot = ballotNode;
        stateRoot = stateZero;
        messageChain = NOTHING_UP_MY_SLEEVE;
        _batchHashes.push(NOTHING_UP_MY_SLEEVE);
        uint256 blank = PoseidonT4.hash([PAD_KEY_X, PAD_KEY_Y, uint256(0)]);
        _blankLeaf = blank;
        _leafTokens.push(0);
        _insert(blank);
    }

    // ------------------------------------------------------------------ voting

    /// @notice Registers the caller's key: current members only, once per membership token (a
    ///         member re-admitted under a new token may sign up again: the old token's leaf is
    ///         voided at close). `hint` satisfies 8·hint = key (see {BabyJubJub}).
    function signUp(PublicKey calldata key, PublicKey calldata hint) external returns (uint256 stateIndex) {
        if (block.timestamp >= votingDeadline) revert VotingEnded(votingDeadline);
        if (!membership.isMember(msg.sender)) revert NotMember(msg.sender);
        uint256 tokenId = membership.tokenOf(msg.sender);
        if (tokenSignedUp[tokenId]) revert AlreadySignedUp(msg.sender, tokenId);
        if (numSignups >= uint256(2) ** stateTreeDepth) revert StateTreeFull();
        if (!BabyJubJub.isValidPublicKey(key.x, key.y, hint.x, hint.y)) revert InvalidPublicKey(key.x, key.y);
        tokenSignedUp[tokenId] = true;
        stateIndex = numSignups;
        _leafTokens.push(tokenId);
        _insert(PoseidonT4.hash([key.x, key.y, uint256(initialCredits)]));
        emit SignUp(stateIndex, msg.sender, key.x, key.y);
    }

    /// @notice Publishes an encrypted command. Anyone may call it, from any address: only the
    ///         coordinator can read it, and only the key registered in the voter's state leaf can
    ///         make it valid. `hint` satisfies 8·hint = encryptionKey. The publisher extends the
    ///         Poseidon message chain (what the circuit checks), so a message costs its sender more
    ///         gas than it costs the coordinator to prove it: spam is paid for by the spammer.
    function publishMessage(uint256[10] calldata data, PublicKey calldata encryptionKey, PublicKey calldata hint) external {
        if (block.timestamp >= votingDeadline) revert VotingEnded(votingDeadline);
        for (uint256 i = 0; i < 10; i++) {
            if (data[i] >= SNARK_FIELD) revert NotAFieldElement(data[i]);
        }
        if (!BabyJubJub.isValidPublicKey(encryptionKey.x, encryptionKey.y, hint.x, hint.y)) revert InvalidPublicKey(encryptionKey.x, encryptionKey.y);
        uint256 chain = PoseidonT3.hash([messageChain, _messageHash(data, encryptionKey)]);
        messageChain = chain;
        uint256 index = numMessages++;
        if (numMessages % batchSize == 0) _batchHashes.push(chain);
        emit PublishMessage(index, data, encryptionKey.x, encryptionKey.y);
    }

    // ------------------------------------------------------------------ proving

    /// @notice Ends voting (anyone, after the deadline): voids the leaves of memberships that
    ///         ended while voting was open, closes the last partial batch and fixes the starting
    ///         commitment hash3(stateRoot, emptyBallotRoot, 0). One membership lookup per leaf
    ///         (at most 2^stateTreeDepth − 1).
    function closeVoting() external {
        if (block.timestamp < votingDeadline) revert VotingOpen(votingDeadline);
        if (votingClosed) revert WrongPhase();
        votingClosed = true;
        for (uint256 i = 1; i < numSignups; i++) {
            uint256 tokenId = _leafTokens[i];
            uint64 ended = membership.endedAt(tokenId);
            // Ended before the deadline: while voting was open. Ended later: the vote was a member's.
            if (ended != 0 && ended < votingDeadline) {
                _setLeaf(i, _blankLeaf);
                _voidedLeaves.push(i);
                emit SignUpVoided(i, tokenId);
            }
        }
        if (numMessages % batchSize != 0) _batchHashes.push(messageChain);
        sbCommitment = PoseidonT4.hash([stateRoot, emptyBallotRoot, uint256(0)]);
        currentBatch = _batchHashes.length - 1;
        processingComplete = currentBatch == 0;
        emit VotingClosed(numSignups, numMessages, currentBatch, sbCommitment);
    }

    /// @notice Verifies the proof of the next batch (the last unproven one) and moves the
    ///         commitment forward. A proof is bound to its batch through the public inputs, so a
    ///         replayed or reordered proof fails.
    function processMessages(uint256 newSbCommitment, uint256[8] calldata proof) external {
        if (!votingClosed || processingComplete) revert WrongPhase();
        if (newSbCommitment >= SNARK_FIELD) revert NotAFieldElement(newSbCommitment);
        uint256 batch = currentBatch;
        uint256 index = (batch - 1) * batchSize;
        uint256 batchEnd = batch * batchSize < numMessages ? batch * batchSize : numMessages;
        uint256[9] memory inputs = [
            numSignups,
            _batchHashes[batch],
            coordinatorPublicKeyHash,
            uint256(voteOptions),
            sbCommitment,
            newSbCommitment,
            index,
            batchEnd,
            uint256(pollId)
        ];
        if (!processVerifier.verifyProof([proof[0], proof[1]], [[proof[2], proof[3]], [proof[4], proof[5]]], [proof[6], proof[7]], inputs)) revert InvalidProof();
        sbCommitment = newSbCommitment;
        currentBatch = batch - 1;
        processingComplete = batch == 1;
        emit BatchProcessed(batch, newSbCommitment);
    }

    /// @notice Verifies the proof of the next tally batch: its 2^tallyBatchDepth ballots are part of
    ///         the final commitment's ballot root and move the running tally commitment from the
    ///         current one (0 before batch 0) to `newTallyCommitment`.
    function tallyVotes(uint256 newTallyCommitment, uint256[8] calldata proof) external {
        uint256 batch = tallyBatchesProven;
        if (!processingComplete || batch == tallyBatchCount()) revert WrongPhase();
        if (newTallyCommitment >= SNARK_FIELD || newTallyCommitment == 0) revert NotAFieldElement(newTallyCommitment);
        uint256[4] memory inputs = [sbCommitment, tallyCommitment, newTallyCommitment, batch];
        if (!tallyVerifier.verifyProof([proof[0], proof[1]], [[proof[2], proof[3]], [proof[4], proof[5]]], [proof[6], proof[7]], inputs)) revert InvalidProof();
        tallyCommitment = newTallyCommitment;
        tallyBatchesProven = batch + 1;
        emit VotesTallied(batch, newTallyCommitment);
    }

    /// @notice Publishes the per-option results (all 5^depth of them) if they are exactly what
    ///         the last tally commitment binds: hash2(hash2(resultsRoot, resultsSalt), hash2(spent, spentSalt)).
    function publishResults(uint256[] calldata perOption, uint256 resultsSalt, uint256 spent, uint256 spentSalt) external {
        if (!tallyComplete() || resultsPublished) revert WrongPhase();
        if (perOption.length != uint256(5) ** voteOptionTreeDepth) revert ResultsMismatch();
        // Poseidon reduces its inputs mod p: a count or salt shifted by a multiple of p would match
        // the commitment too, and stored as the result it would block the true one for good.
        for (uint256 i = 0; i < perOption.length; i++) {
            if (perOption[i] >= SNARK_FIELD) revert NotAFieldElement(perOption[i]);
        }
        if (spent >= SNARK_FIELD) revert NotAFieldElement(spent);
        if (resultsSalt >= SNARK_FIELD) revert NotAFieldElement(resultsSalt);
        if (spentSalt >= SNARK_FIELD) revert NotAFieldElement(spentSalt);
        uint256[] memory level = perOption;
        while (level.length > 1) {
            uint256[] memory next = new uint256[](level.length / 5);
            for (uint256 i = 0; i < next.length; i++) {
                next[i] = PoseidonT6.hash([level[5 * i], level[5 * i + 1], level[5 * i + 2], level[5 * i + 3], level[5 * i + 4]]);
            }
            level = next;
        }
        uint256 commitment = PoseidonT3.hash([PoseidonT3.hash([level[0], resultsSalt]), PoseidonT3.hash([spent, spentSalt])]);
        if (commitment != tallyCommitment) revert ResultsMismatch();
        resultsPublished = true;
        _results = perOption;
        totalSpent = spent;
        emit ResultsPublished(perOption, spent);
    }

    // ------------------------------------------------------------------ views

    /// @notice The published results (empty before {publishResults}).
    function results() external view returns (uint256[] memory) {
        return _results;
    }

    /// @notice The message chain at the end of each batch; [0] is the start.
    function batchHashes() external view returns (uint256[] memory) {
        return _batchHashes;
    }

    /// @notice The state indices voided at close, in order.
    function voidedLeaves() external view returns (uint256[] memory) {
        return _voidedLeaves;
    }

    /// @notice Tally proofs a ballot needs: one per 2^tallyBatchDepth ballots of the whole tree.
    function tallyBatchCount() public view returns (uint256) {
        return uint256(1) << (stateTreeDepth - tallyBatchDepth);
    }

    /// @notice Whether every tally batch is proven (the commitment binds the final results).
    function tallyComplete() public view returns (bool) {
        return processingComplete && tallyBatchesProven == tallyBatchCount();
    }

    /// @notice Batches whose messages are published (the last partial one once voting closed).
    function batchCount() external view returns (uint256) {
        return _batchHashes.length - 1;
    }

    /// @notice The bounds every ballot's settings respect ({BallotLimits}), for off-chain code to
    ///         check it agrees with them.
    function limits()
        external
        pure
        returns (uint256 commandFieldBits, uint256 maxStateTreeDepth, uint256 maxBatchSize, uint256 maxVoteOptionTreeDepth, uint256 maxInitialCredits)
    {
        return (
            BallotLimits.COMMAND_FIELD_BITS,
            BallotLimits.MAX_STATE_TREE_DEPTH,
            BallotLimits.MAX_BATCH_SIZE,
            BallotLimits.MAX_VOTE_OPTION_TREE_DEPTH,
            BallotLimits.MAX_INITIAL_CREDITS
        );
    }

    // ------------------------------------------------------------------ internals

    // hash4(hash5(d0..d4), hash5(d5..d9), key.x, key.y), as the circuit hashes a message.
    function _messageHash(uint256[10] calldata d, PublicKey calldata key) private pure returns (uint256) {
        uint256 left = PoseidonT6.hash([d[0], d[1], d[2], d[3], d[4]]);
        uint256 right = PoseidonT6.hash([d[5], d[6], d[7], d[8], d[9]]);
        return PoseidonT5.hash([left, right, key.x, key.y]);
    }

    // Appends a leaf to the fixed-depth state tree.
    function _insert(uint256 leaf) private {
        _setLeaf(numSignups, leaf);
        numSignups++;
    }

    // Writes the leaf at `index` and every node above it; a missing right sibling is the zero
    // subtree of its level (a stored node is a Poseidon hash, never 0 in practice).
    function _setLeaf(uint256 index, uint256 leaf) private {
        uint256 node = leaf;
        for (uint256 level = 0; level < stateTreeDepth; level++) {
            _nodes[level][index] = node;
            if (index & 1 == 0) {
                uint256 right = _nodes[level][index + 1];
                node = PoseidonT3.hash([node, right == 0 ? _zeros[level] : right]);
            } else {
                node = PoseidonT3.hash([_nodes[level][index - 1], node]);
            }
            index >>= 1;
        }
        stateRoot = node;
    }
}
