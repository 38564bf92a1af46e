// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

/// @title IActionSchedule
/// @notice What governed contracts ask of a cooperative's public schedule of actions: whether the
///         action they are asked to execute was scheduled, has served its notice, was not vetoed,
///         superseded or left to expire — and to mark it executed.
interface IActionSchedule {
    /// @notice Where a scheduled action stands.
    enum Status {
        None, // never scheduled
        Pending, // scheduled, in its notice period
        Executable, // notice served, neither vetoed, superseded nor expired
        Executed,
        Vetoed,
        Superseded, // a later version of its poll was scheduled
        Expired, // not executed within its validity window
        Cancelled // its batch was anchored in a window a member quorum's recovery distrusted
    }

    /// @notice A scheduled action as the schedule keeps it.
    /// @dev Two slots besides `poll`: the four times and counters, then `vetoed`/`executed` and the index.
    struct Action {
        uint64 executableAt;
        uint64 expiresAt;
        uint64 version;
        uint64 batchSequence;
        uint64 leafIndex;
        bool executed;
        bool vetoed;
        bytes32 poll;
    }

    /// @notice Marks the action (`kind`, `params`, `decisionDigest`) at the calling contract executed;
    ///         reverts unless its status is {Status.Executable}.
    /// @return action The scheduled action.
    /// @return leaf Its anchored action leaf.
    function consume(bytes32 kind, bytes calldata params, bytes32 decisionDigest)
        external
        returns (Action memory action, bytes32 leaf);
}
