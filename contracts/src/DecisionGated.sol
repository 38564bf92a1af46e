// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {IActionSchedule} from "./interfaces/IActionSchedule.sol";

/// @title DecisionGated
/// @notice Base for contracts whose consequential actions must be ordered by an anchored decision
///         and publicly scheduled first: the action executes only once the cooperative's
///         {IActionSchedule} says it served its notice and was neither vetoed, superseded nor
///         left to expire. The schedule marks it executed, so each action runs at most once.
abstract contract DecisionGated {
    /// @notice The schedule whose actions may execute here.
    IActionSchedule public immutable actionSchedule;

    constructor(IActionSchedule schedule_) {
        actionSchedule = schedule_;
    }

    /// @dev Consumes the scheduled action (kind, params, decision) at this contract.
    function _consumeDecision(bytes32 kind, bytes memory params, bytes32 decisionDigest)
        internal
        returns (IActionSchedule.Action memory action, bytes32 leaf)
    {
        return actionSchedule.consume(kind, params, decisionDigest);
    }
}
