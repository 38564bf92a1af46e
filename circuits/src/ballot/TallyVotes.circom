// SPDX-License-Identifier: AGPL-3.0-only
pragma circom 2.1.6;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "../primitives/Trees.circom";

// The tally in batches of 2^tallyBatchDepth ballots, proven in order from batch 0. Each proof shows
// that its batch's ballots (nonce and votes per option) are the subtree at batchIndex of the ballot
// root inside the final state/ballot commitment, and moves the running tally commitment on:
//   tallyCommitment = hash2(hash2(resultsRoot, resultsSalt), hash2(totalSpent, spentSalt)),
// where resultsRoot is the quinary root of the results so far. Batch 0 starts from zero results
// (its current commitment is 0); every later batch opens the current commitment. Public inputs:
// sbCommitment, currentTallyCommitment, newTallyCommitment, batchIndex. The contract checks the
// published results against the last commitment.
template TallyVotes(stateTreeDepth, tallyBatchDepth, voteOptionTreeDepth) {
    assert(tallyBatchDepth >= 1 && tallyBatchDepth <= stateTreeDepth);
    var ballots = 2 ** tallyBatchDepth;
    var options = 5 ** voteOptionTreeDepth;
    signal input sbCommitment;
    signal input currentTallyCommitment;
    signal input newTallyCommitment;
    signal input batchIndex;

    signal input stateRoot;
    signal input ballotRoot;
    signal input sbSalt;
    signal input ballotNonces[ballots];
    signal input votes[ballots][options];
    signal input batchSiblings[stateTreeDepth - tallyBatchDepth];
    signal input currentResults[options];
    signal input currentSpent;
    signal input currentResultsSalt;
    signal input currentSpentSalt;
    signal input newResultsSalt;
    signal input newSpentSalt;

    component commitment = Poseidon(3);
    commitment.inputs[0] <== stateRoot;
    commitment.inputs[1] <== ballotRoot;
    commitment.inputs[2] <== sbSalt;
    commitment.out === sbCommitment;

    // The batch's ballots are the subtree at batchIndex of the ballot tree.
    component voteRoots[ballots];
    component ballotHashes[ballots];
    component batchRoot = BinaryRoot(tallyBatchDepth);
    for (var b = 0; b < ballots; b++) {
        voteRoots[b] = QuinaryRoot(voteOptionTreeDepth);
        voteRoots[b].leaves <== votes[b];
        ballotHashes[b] = Poseidon(2);
        ballotHashes[b].inputs[0] <== ballotNonces[b];
        ballotHashes[b].inputs[1] <== voteRoots[b].root;
        batchRoot.leaves[b] <== ballotHashes[b].out;
    }
    var pathDepth = stateTreeDepth - tallyBatchDepth;
    if (pathDepth > 0) {
        component batchBits = Num2Bits(pathDepth);
        batchBits.in <== batchIndex;
        component path = BinaryMerkleRoot(pathDepth);
        path.leaf <== batchRoot.root;
        path.indexBits <== batchBits.out;
        path.siblings <== batchSiblings;
        path.root === ballotRoot;
    } else {
        batchIndex === 0;
        batchRoot.root === ballotRoot;
    }

    // The running tally: zero before batch 0, else what the current commitment opens to.
    component first = IsZero();
    first.in <== batchIndex;
    component current = TallyCommitment(voteOptionTreeDepth);
    current.results <== currentResults;
    current.resultsSalt <== currentResultsSalt;
    current.spent <== currentSpent;
    current.spentSalt <== currentSpentSalt;
    (1 - first.out) * (current.out - currentTallyCommitment) === 0;
    first.out * currentTallyCommitment === 0;
    first.out * currentSpent === 0;
    for (var j = 0; j < options; j++) {
        first.out * currentResults[j] === 0;
    }

    signal sums[ballots + 1][options];
    signal spent[ballots + 1];
    signal ballotSpent[ballots][options + 1];
    sums[0] <== currentResults;
    spent[0] <== currentSpent;
    for (var b = 0; b < ballots; b++) {
        ballotSpent[b][0] <== 0;
        for (var j = 0; j < options; j++) {
            sums[b + 1][j] <== sums[b][j] + votes[b][j];
            ballotSpent[b][j + 1] <== ballotSpent[b][j] + votes[b][j];
        }
        spent[b + 1] <== spent[b] + ballotSpent[b][options];
    }

    component next = TallyCommitment(voteOptionTreeDepth);
    next.results <== sums[ballots];
    next.resultsSalt <== newResultsSalt;
    next.spent <== spent[ballots];
    next.spentSalt <== newSpentSalt;
    next.out === newTallyCommitment;
}

// hash2(hash2(quinary root of the results, resultsSalt), hash2(spent, spentSalt)).
template TallyCommitment(voteOptionTreeDepth) {
    signal input results[5 ** voteOptionTreeDepth];
    signal input resultsSalt;
    signal input spent;
    signal input spentSalt;
    signal output out;

    component resultsRoot = QuinaryRoot(voteOptionTreeDepth);
    resultsRoot.leaves <== results;
    component resultsPart = Poseidon(2);
    resultsPart.inputs[0] <== resultsRoot.root;
    resultsPart.inputs[1] <== resultsSalt;
    component spentPart = Poseidon(2);
    spentPart.inputs[0] <== spent;
    spentPart.inputs[1] <== spentSalt;
    component tally = Poseidon(2);
    tally.inputs[0] <== resultsPart.out;
    tally.inputs[1] <== spentPart.out;
    out <== tally.out;
}
