// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {DecisionMerkle} from "./libraries/DecisionMerkle.sol";
import {IDecisionAnchor, DecisionRef} from "./interfaces/IDecisionAnchor.sol";

/// @title DecisionAnchor
/// @notice Append-only record of decision batches: each is a Merkle root over decision leaves
///         (see {DecisionMerkle}). Roots are never modified or removed. Other contracts cite an
///         anchored decision with a {DecisionRef} and call {verifyInclusion}.
/// @dev Least privilege and no owner: the anchoring key can only call {anchor}; only the
///      cooperative's ActionSchedule (its {governor}, bound once by the deployer) can replace that key
///      — after a decision served its notice, or at once on a member quorum's recovery. The anchorer
///      and the batch counter share one storage slot and each batch takes one slot, so an anchor
///      costs the same for any batch size.
contract DecisionAnchor is IDecisionAnchor {
    /// @dev Packed: anchorer (160 bits) and the number of batches anchored so far (64 bits).
    address private _anchorer;
    uint64 private _batchCount;
    /// @dev The first batch sequence the current anchoring key may have anchored.
    uint64 private _keySince;
    address private immutable _binder;

    /// @notice The contract that may replace the anchoring key (the cooperative's ActionSchedule).
    address public governor;

    mapping(bytes32 root => Batch) private _batches;

    /// @notice The governor was bound.
    event GovernorBound(address governor);

    /// @notice Only the deployer binds the governor, once.
    error NotBinder(address caller);
    error AlreadyBound();
    /// @notice Only the governor may replace the anchoring key.
    error NotGovernor(address caller);
    error ZeroGovernor();

    /// @param anchorer_ The bridge's anchoring key.
    constructor(address anchorer_) {
        if (anchorer_ == address(0)) revert ZeroAnchorer();
        _anchorer = anchorer_;
        _keySince = 1;
        _binder = msg.sender;
        emit AnchorerChanged(address(0), anchorer_);
    }

    /// @notice Names the contract that may replace the anchoring key; once, by the deployer.
    function bindGovernor(address governor_) external {
        if (msg.sender != _binder) revert NotBinder(msg.sender);
        if (governor != address(0)) revert AlreadyBound();
        if (governor_ == address(0)) revert ZeroGovernor();
        governor = governor_;
        emit GovernorBound(governor_);
    }

    /// @inheritdoc IDecisionAnchor
    function anchor(bytes32 root, uint64 leafCount) external returns (uint64 sequence) {
        if (msg.sender != _anchorer) revert NotAnchorer(msg.sender);
        if (root == bytes32(0) || leafCount == 0) revert EmptyBatch();
        Batch storage existing = _batches[root];
        if (existing.sequence != 0) revert RootAlreadyAnchored(root, existing.sequence);

        sequence = _batchCount + 1;
        _batchCount = sequence;
        _batches[root] = Batch(sequence, leafCount, uint64(block.timestamp), uint64(block.number));
        emit BatchAnchored(sequence, root, leafCount, uint64(block.timestamp));
    }

    /// @inheritdoc IDecisionAnchor
    function setAnchorer(address newAnchorer) external {
        if (msg.sender != governor) revert NotGovernor(msg.sender);
        if (newAnchorer == address(0)) revert ZeroAnchorer();
        emit AnchorerChanged(_anchorer, newAnchorer);
        _anchorer = newAnchorer;
        _keySince = _batchCount + 1;
    }

    /// @inheritdoc IDecisionAnchor
    function verifyInclusion(DecisionRef calldata ref) external view returns (bool) {
        Batch storage batch = _batches[ref.root];
        if (batch.sequence == 0) return false;
        (bool ok, bytes32 computed) = DecisionMerkle.computeRoot(ref.leaf, ref.index, batch.leafCount, ref.proof);
        return ok && computed == ref.root;
    }

    /// @inheritdoc IDecisionAnchor
    function batchOf(bytes32 root) external view returns (Batch memory) {
        return _batches[root];
    }

    /// @notice The current anchoring key.
    function anchorer() external view returns (address) {
        return _anchorer;
    }

    /// @inheritdoc IDecisionAnchor
    function batchCount() external view returns (uint64) {
        return _batchCount;
    }

    /// @inheritdoc IDecisionAnchor
    function keySince() external view returns (uint64) {
        return _keySince;
    }

    /// @notice The decision leaf for a record digest (convenience for off-chain verifiers).
    function decisionLeaf(bytes32 digest) external pure returns (bytes32) {
        return DecisionMerkle.decisionLeaf(digest);
    }
}
