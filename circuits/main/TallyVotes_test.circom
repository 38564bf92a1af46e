// SPDX-License-Identifier: AGPL-3.0-only
pragma circom 2.1.6;

include "../src/ballot/TallyVotes.circom";

// Test parameter set: state depth 3 (8 ballots), 5 options.
component main {public [sbCommitment, tallyCommitment]} = TallyVotes(3, 1);
