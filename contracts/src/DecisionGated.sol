// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {IDecisionAnchor, DecisionRef} from "./interfaces/IDecisionAnchor.sol";
import {GovernanceAction} from "./libraries/GovernanceAction.sol";

/// @title DecisionGated
/// @notice Base for contracts whose consequential actions must cite an anchored decision: the
///         citation must prove, through the cooperative's {IDecisionAnchor}, an action leaf that
///         names exactly this action, and each action leaf is executed at most once.
abstract contract DecisionGated {
    /// @notice The anchor whose batches authorise actions here.
    IDecisionAnchor public immutable decisionAnchor;

    /// @notice Action leaves already executed (replays are refused).
    mapping(bytes32 leaf => bool) public actionExecuted;

    /// @notice The citation proves a different action than the one requested.
    error DecisionMismatch(bytes32 expectedLeaf, bytes32 citedLeaf);
    /// @notice The cited leaf is not in a batch anchored at {decisionAnchor}.
    error DecisionNotAnchored(bytes32 root, bytes32 leaf);
    /// @notice This action leaf was executed before.
    error DecisionAlreadyExecuted(bytes32 leaf);

    constructor(IDecisionAnchor anchor_) {
        decisionAnchor = anchor_;
    }

    /// @dev Checks `ref` authorises the action (kind, params, decision) on this contract and chain,
    ///      marks it executed, and returns the sequence number of the batch that anchored it.
    function _consumeDecision(bytes32 kind, bytes memory params, bytes32 decisionDigest, DecisionRef memory ref)
        internal
        returns (uint64 batchSequence)
    {
        bytes32 expected = GovernanceAction.leaf(block.chainid, address(this), kind, params, decisionDigest);
        if (ref.leaf != expected) revert DecisionMismatch(expected, ref.leaf);
        if (actionExecuted[expected]) revert DecisionAlreadyExecuted(expected);
        if (!decisionAnchor.verifyInclusion(ref)) revert DecisionNotAnchored(ref.root, ref.leaf);
        actionExecuted[expected] = true;
        batchSequence = decisionAnchor.batchOf(ref.root).sequence;
    }
}
