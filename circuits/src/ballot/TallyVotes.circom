// SPDX-License-Identifier: AGPL-3.0-only
pragma circom 2.1.6;

include "circomlib/circuits/poseidon.circom";
include "../primitives/Trees.circom";

// The tally of every ballot in one proof: the ballots (nonce and votes per option) must make up
// the ballot root inside the final state/ballot commitment, and the tally commitment binds the
// per-option results and the total spent credits, each with its own salt:
//   tallyCommitment = hash2(hash2(resultsRoot, resultsSalt), hash2(totalSpent, spentSalt)),
// where resultsRoot is the quinary root of the results. Public inputs: sbCommitment, tallyCommitment.
// The contract checks published results against the commitment.
template TallyVotes(stateTreeDepth, voteOptionTreeDepth) {
    var ballots = 2 ** stateTreeDepth;
    var options = 5 ** voteOptionTreeDepth;
    signal input sbCommitment;
    signal input tallyCommitment;

    signal input stateRoot;
    signal input ballotRoot;
    signal input sbSalt;
    signal input ballotNonces[ballots];
    signal input votes[ballots][options];
    signal input resultsSalt;
    signal input spentSalt;

    component commitment = Poseidon(3);
    commitment.inputs[0] <== stateRoot;
    commitment.inputs[1] <== ballotRoot;
    commitment.inputs[2] <== sbSalt;
    commitment.out === sbCommitment;

    component voteRoots[ballots];
    component ballotHashes[ballots];
    component allBallots = BinaryRoot(stateTreeDepth);
    signal sums[ballots + 1][options];
    signal spent[ballots + 1];
    signal ballotSpent[ballots][options + 1];
    for (var j = 0; j < options; j++) {
        sums[0][j] <== 0;
    }
    spent[0] <== 0;
    for (var b = 0; b < ballots; b++) {
        voteRoots[b] = QuinaryRoot(voteOptionTreeDepth);
        voteRoots[b].leaves <== votes[b];
        ballotHashes[b] = Poseidon(2);
        ballotHashes[b].inputs[0] <== ballotNonces[b];
        ballotHashes[b].inputs[1] <== voteRoots[b].root;
        allBallots.leaves[b] <== ballotHashes[b].out;
        ballotSpent[b][0] <== 0;
        for (var j = 0; j < options; j++) {
            sums[b + 1][j] <== sums[b][j] + votes[b][j];
            ballotSpent[b][j + 1] <== ballotSpent[b][j] + votes[b][j];
        }
        spent[b + 1] <== spent[b] + ballotSpent[b][options];
    }
    allBallots.root === ballotRoot;

    component resultsRoot = QuinaryRoot(voteOptionTreeDepth);
    resultsRoot.leaves <== sums[ballots];
    component resultsPart = Poseidon(2);
    resultsPart.inputs[0] <== resultsRoot.root;
    resultsPart.inputs[1] <== resultsSalt;
    component spentPart = Poseidon(2);
    spentPart.inputs[0] <== spent[ballots];
    spentPart.inputs[1] <== spentSalt;
    component tally = Poseidon(2);
    tally.inputs[0] <== resultsPart.out;
    tally.inputs[1] <== spentPart.out;
    tally.out === tallyCommitment;
}
