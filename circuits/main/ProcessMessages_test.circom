// SPDX-License-Identifier: AGPL-3.0-only
pragma circom 2.1.6;

include "../src/ballot/ProcessMessages.circom";

// Test parameter set: state depth 3 (7 members), batches of 2 messages, 5 options.
component main {public [totalSignups, outputBatchHash, coordinatorPublicKeyHash, voteOptions, currentSbCommitment, newSbCommitment, index, batchEndIndex, pollId]} = ProcessMessages(3, 2, 1);
