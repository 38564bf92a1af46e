// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

/// @title BallotLimits
/// @notice The settings a secret ballot may have: what the circuits can prove and the coordinator
///         can run. MACIVoting refuses anything else at deployment; the C# class
///         `Iskander.Chain.Zk.Maci.BallotLimits` mirrors these values (a test checks both agree) and
///         the circuits' field widths are these bit counts.
library BallotLimits {
    /// @notice Width of each packed command field (state index, option, weight, nonce, poll id):
    ///         five fields and the circuits' 50-bit comparators fit one 253-bit field element.
    uint256 internal constant COMMAND_FIELD_BITS = 50;
    /// @notice Largest state tree depth (1,023 members): each message proves a state path of this
    ///         depth (about 1k constraints a level); the tally goes in batches of 2^tallyBatchDepth.
    uint256 internal constant MAX_STATE_TREE_DEPTH = 10;
    /// @notice Largest batch: about 22k constraints per message at the coop shape, so a batch of
    ///         64 stays within a 2^21 powers of tau.
    uint256 internal constant MAX_BATCH_SIZE = 64;
    /// @notice Largest vote option tree depth (125 options).
    uint256 internal constant MAX_VOTE_OPTION_TREE_DEPTH = 3;
    /// @notice Largest initial credit balance: a vote weight is a command field, and the circuit
    ///         compares balance plus current vote with a 52-bit comparator.
    uint256 internal constant MAX_INITIAL_CREDITS = 2 ** COMMAND_FIELD_BITS - 1;
}
