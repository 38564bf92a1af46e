// SPDX-License-Identifier: AGPL-3.0-only
pragma circom 2.1.6;

include "circomlib/circuits/babyjub.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";
include "../primitives/BabyJubJubChecks.circom";
include "../primitives/EdDSAPoseidonValidity.circom";
include "../primitives/Trees.circom";
include "MessageToCommand.circom";

// One command applied to the state and ballot trees, one-member-one-vote accounting (non-quadratic:
// a vote of weight w on one option costs w credits, refunded when changed). Valid iff: the packed
// fields are in range, stateIndex < totalSignups, voteOptionIndex < voteOptions, nonce = ballot
// nonce + 1, pollId matches, the new key is on the curve and not of small order, the signature verifies against the key in
// the state leaf, balance + current vote ≥ new weight, and the slot is not padding. An invalid
// command changes nothing and never makes the proof fail: its state index falls back to leaf 0
// (when out of range) and its vote option to option 0, whose leaves the coordinator supplies.
template ProcessOneMessage(stateTreeDepth, voteOptionTreeDepth) {
    var options = 5 ** voteOptionTreeDepth;
    signal input currentStateRoot;
    signal input currentBallotRoot;
    signal input totalSignups;
    signal input voteOptions;
    signal input pollId;
    signal input isPadding;

    signal input packed;
    signal input stateIndex;
    signal input voteOptionIndex;
    signal input newVoteWeight;
    signal input nonce;
    signal input commandPollId;
    signal input highBitsZero;
    signal input newPublicKey[2];
    signal input salt;
    signal input r8[2];
    signal input s;

    signal input stateLeaf[3];
    signal input stateLeafSiblings[stateTreeDepth];
    signal input ballotNonce;
    signal input ballotVotes[options];
    signal input ballotSiblings[stateTreeDepth];

    signal output newStateRoot;
    signal output newBallotRoot;

    // Index checks (each field < 2^50, so 50-bit comparators cannot fail).
    component indexInRange = LessThan(50);
    indexInRange.in[0] <== stateIndex;
    indexInRange.in[1] <== totalSignups;
    component optionInRange = LessThan(50);
    optionInRange.in[0] <== voteOptionIndex;
    optionInRange.in[1] <== voteOptions;
    signal notPadding <== 1 - isPadding;
    signal wellFormed <== highBitsZero * notPadding;
    signal indexUsable <== wellFormed * indexInRange.out;
    signal stateIndexUsed <== indexUsable * stateIndex;
    signal optionUsed <== optionInRange.out * voteOptionIndex;

    // The leaves at the index used belong to the current roots.
    component indexBits = Num2Bits(stateTreeDepth);
    indexBits.in <== stateIndexUsed;
    component stateLeafHash = Poseidon(3);
    stateLeafHash.inputs <== stateLeaf;
    component stateRoot = BinaryMerkleRoot(stateTreeDepth);
    stateRoot.leaf <== stateLeafHash.out;
    stateRoot.indexBits <== indexBits.out;
    stateRoot.siblings <== stateLeafSiblings;
    stateRoot.root === currentStateRoot;

    component voteRoot = QuinaryRoot(voteOptionTreeDepth);
    voteRoot.leaves <== ballotVotes;
    component ballotHash = Poseidon(2);
    ballotHash.inputs[0] <== ballotNonce;
    ballotHash.inputs[1] <== voteRoot.root;
    component ballotRoot = BinaryMerkleRoot(stateTreeDepth);
    ballotRoot.leaf <== ballotHash.out;
    ballotRoot.indexBits <== indexBits.out;
    ballotRoot.siblings <== ballotSiblings;
    ballotRoot.root === currentBallotRoot;

    // Validity.
    component currentVote = SelectByIndex(options);
    currentVote.values <== ballotVotes;
    currentVote.index <== optionUsed;
    component nonceOk = IsEqual();
    nonceOk.in[0] <== nonce;
    nonceOk.in[1] <== ballotNonce + 1;
    component pollOk = IsEqual();
    pollOk.in[0] <== commandPollId;
    pollOk.in[1] <== pollId;
    component keyUsable = IsUsableKey();
    keyUsable.x <== newPublicKey[0];
    keyUsable.y <== newPublicKey[1];
    component commandHash = Poseidon(4);
    commandHash.inputs[0] <== packed;
    commandHash.inputs[1] <== newPublicKey[0];
    commandHash.inputs[2] <== newPublicKey[1];
    commandHash.inputs[3] <== salt;
    component signature = EdDSAPoseidonValidity();
    signature.Ax <== stateLeaf[0];
    signature.Ay <== stateLeaf[1];
    signature.S <== s;
    signature.R8x <== r8[0];
    signature.R8y <== r8[1];
    signature.M <== commandHash.out;
    // Credits and weights stay far below 2^52 (balances start small; weights are 50-bit fields).
    component affordable = LessEqThan(52);
    affordable.in[0] <== newVoteWeight;
    affordable.in[1] <== stateLeaf[2] + currentVote.out;

    signal checks[7];
    checks[0] <== indexUsable * optionInRange.out;
    checks[1] <== checks[0] * nonceOk.out;
    checks[2] <== checks[1] * pollOk.out;
    checks[3] <== checks[2] * keyUsable.out;
    checks[4] <== checks[3] * signature.valid;
    checks[5] <== checks[4] * affordable.out;
    checks[6] <== checks[5];
    signal valid <== checks[6];

    // New leaves: the command's key and the balance after the change, the new nonce and weight; or unchanged.
    signal newLeaf[3];
    newLeaf[0] <== stateLeaf[0] + valid * (newPublicKey[0] - stateLeaf[0]);
    newLeaf[1] <== stateLeaf[1] + valid * (newPublicKey[1] - stateLeaf[1]);
    newLeaf[2] <== stateLeaf[2] + valid * (currentVote.out - newVoteWeight);
    component newStateLeafHash = Poseidon(3);
    newStateLeafHash.inputs <== newLeaf;
    component newState = BinaryMerkleRoot(stateTreeDepth);
    newState.leaf <== newStateLeafHash.out;
    newState.indexBits <== indexBits.out;
    newState.siblings <== stateLeafSiblings;
    newStateRoot <== newState.root;

    component isTarget[options];
    signal changes[options];
    signal newVotes[options];
    for (var i = 0; i < options; i++) {
        isTarget[i] = IsEqual();
        isTarget[i].in[0] <== optionUsed;
        isTarget[i].in[1] <== i;
        changes[i] <== valid * isTarget[i].out;
        newVotes[i] <== ballotVotes[i] + changes[i] * (newVoteWeight - ballotVotes[i]);
    }
    component newVoteRoot = QuinaryRoot(voteOptionTreeDepth);
    newVoteRoot.leaves <== newVotes;
    component newBallotHash = Poseidon(2);
    newBallotHash.inputs[0] <== ballotNonce + valid * (nonce - ballotNonce);
    newBallotHash.inputs[1] <== newVoteRoot.root;
    component newBallot = BinaryMerkleRoot(stateTreeDepth);
    newBallot.leaf <== newBallotHash.out;
    newBallot.indexBits <== indexBits.out;
    newBallot.siblings <== ballotSiblings;
    newBallotRoot <== newBallot.root;
}

// One batch of the poll's messages, processed last to first (MACI's reverse order: a member's
// latest nonce-1 message wins, so a key change made out of a coercer's sight overrides what the
// coercer saw). Public inputs, all computed by the contract from its own state:
//   totalSignups, outputBatchHash (the message chain at the batch's end), coordinatorPublicKeyHash,
//   voteOptions, currentSbCommitment, newSbCommitment, index (first message of the batch),
//   batchEndIndex (one past its last real message), pollId.
// The chain is recomputed from the private inputBatchHash over the real messages; slots past
// batchEndIndex are padding and change nothing. The coordinator proves it holds the key whose hash
// the contract stores. State and ballot roots are hidden behind salted commitments.
template ProcessMessages(stateTreeDepth, batchSize, voteOptionTreeDepth) {
    var options = 5 ** voteOptionTreeDepth;
    signal input totalSignups;
    signal input outputBatchHash;
    signal input coordinatorPublicKeyHash;
    signal input voteOptions;
    signal input currentSbCommitment;
    signal input newSbCommitment;
    signal input index;
    signal input batchEndIndex;
    signal input pollId;

    signal input inputBatchHash;
    signal input messages[batchSize][10];
    signal input encryptionKeys[batchSize][2];
    signal input coordinatorPrivateKey;
    signal input currentStateRoot;
    signal input currentBallotRoot;
    signal input currentSbSalt;
    signal input newSbSalt;
    signal input stateLeaves[batchSize][3];
    signal input stateLeafSiblings[batchSize][stateTreeDepth];
    signal input ballotNonces[batchSize];
    signal input ballotVotes[batchSize][options];
    signal input ballotSiblings[batchSize][stateTreeDepth];

    // Parameters within the circuit's capacity.
    component signupsFit = LessEqThan(50);
    signupsFit.in[0] <== totalSignups;
    signupsFit.in[1] <== 2 ** stateTreeDepth;
    signupsFit.out === 1;
    component optionsFit = LessEqThan(50);
    optionsFit.in[0] <== voteOptions;
    optionsFit.in[1] <== options;
    optionsFit.out === 1;

    component currentCommitment = Poseidon(3);
    currentCommitment.inputs[0] <== currentStateRoot;
    currentCommitment.inputs[1] <== currentBallotRoot;
    currentCommitment.inputs[2] <== currentSbSalt;
    currentCommitment.out === currentSbCommitment;

    // The coordinator's key.
    component coordinatorKey = BabyPbk();
    coordinatorKey.in <== coordinatorPrivateKey;
    component coordinatorKeyHash = Poseidon(2);
    coordinatorKeyHash.inputs[0] <== coordinatorKey.Ax;
    coordinatorKeyHash.inputs[1] <== coordinatorKey.Ay;
    coordinatorKeyHash.out === coordinatorPublicKeyHash;
    component coordinatorKeyBits = Num2Bits(253);
    coordinatorKeyBits.in <== coordinatorPrivateKey;

    // The message chain over the batch's real messages.
    component isPadding[batchSize];
    component innerLeft[batchSize];
    component innerRight[batchSize];
    component messageHash[batchSize];
    component chainStep[batchSize];
    signal chain[batchSize + 1];
    chain[0] <== inputBatchHash;
    for (var i = 0; i < batchSize; i++) {
        isPadding[i] = GreaterEqThan(50);
        isPadding[i].in[0] <== index + i;
        isPadding[i].in[1] <== batchEndIndex;
        innerLeft[i] = Poseidon(5);
        innerRight[i] = Poseidon(5);
        for (var j = 0; j < 5; j++) {
            innerLeft[i].inputs[j] <== messages[i][j];
            innerRight[i].inputs[j] <== messages[i][5 + j];
        }
        messageHash[i] = Poseidon(4);
        messageHash[i].inputs[0] <== innerLeft[i].out;
        messageHash[i].inputs[1] <== innerRight[i].out;
        messageHash[i].inputs[2] <== encryptionKeys[i][0];
        messageHash[i].inputs[3] <== encryptionKeys[i][1];
        chainStep[i] = Poseidon(2);
        chainStep[i].inputs[0] <== chain[i];
        chainStep[i].inputs[1] <== messageHash[i].out;
        chain[i + 1] <== chainStep[i].out + isPadding[i].out * (chain[i] - chainStep[i].out);
    }
    chain[batchSize] === outputBatchHash;

    // Commands, applied last to first.
    component commands[batchSize];
    component processors[batchSize];
    signal stateRoots[batchSize + 1];
    signal ballotRoots[batchSize + 1];
    stateRoots[batchSize] <== currentStateRoot;
    ballotRoots[batchSize] <== currentBallotRoot;
    for (var i = batchSize - 1; i >= 0; i--) {
        commands[i] = MessageToCommand();
        commands[i].message <== messages[i];
        commands[i].encryptionKey <== encryptionKeys[i];
        commands[i].coordinatorKeyBits <== coordinatorKeyBits.out;

        processors[i] = ProcessOneMessage(stateTreeDepth, voteOptionTreeDepth);
        processors[i].currentStateRoot <== stateRoots[i + 1];
        processors[i].currentBallotRoot <== ballotRoots[i + 1];
        processors[i].totalSignups <== totalSignups;
        processors[i].voteOptions <== voteOptions;
        processors[i].pollId <== pollId;
        processors[i].isPadding <== isPadding[i].out;
        processors[i].packed <== commands[i].packed;
        processors[i].stateIndex <== commands[i].stateIndex;
        processors[i].voteOptionIndex <== commands[i].voteOptionIndex;
        processors[i].newVoteWeight <== commands[i].newVoteWeight;
        processors[i].nonce <== commands[i].nonce;
        processors[i].commandPollId <== commands[i].pollId;
        processors[i].highBitsZero <== commands[i].highBitsZero;
        processors[i].newPublicKey <== commands[i].newPublicKey;
        processors[i].salt <== commands[i].salt;
        processors[i].r8 <== commands[i].r8;
        processors[i].s <== commands[i].s;
        processors[i].stateLeaf <== stateLeaves[i];
        processors[i].stateLeafSiblings <== stateLeafSiblings[i];
        processors[i].ballotNonce <== ballotNonces[i];
        processors[i].ballotVotes <== ballotVotes[i];
        processors[i].ballotSiblings <== ballotSiblings[i];
        stateRoots[i] <== processors[i].newStateRoot;
        ballotRoots[i] <== processors[i].newBallotRoot;
    }

    component newCommitment = Poseidon(3);
    newCommitment.inputs[0] <== stateRoots[0];
    newCommitment.inputs[1] <== ballotRoots[0];
    newCommitment.inputs[2] <== newSbSalt;
    newCommitment.out === newSbCommitment;
}
