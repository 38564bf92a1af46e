// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {PermanentOwnable2Step} from "./PermanentOwnable2Step.sol";
import {DecisionMerkle} from "./libraries/DecisionMerkle.sol";
import {IDecisionAnchor, DecisionRef} from "./interfaces/IDecisionAnchor.sol";

/// @title DecisionAnchor
/// @notice Append-only record of decision batches: each is a Merkle root over decision leaves
///         (see {DecisionMerkle}). Roots are never modified or removed. Other contracts cite an
///         anchored decision with a {DecisionRef} and call {verifyInclusion}.
/// @dev Least privilege: the anchoring key can only call {anchor}; the owner (the cooperative's
///      governance key) can only replace the anchoring key, and can never renounce ownership. The
///      anchorer and the batch counter share one storage slot and each batch takes one slot, so an
///      anchor costs the same for any batch size.
contract DecisionAnchor is IDecisionAnchor, PermanentOwnable2Step {
    /// @dev Packed: anchorer (160 bits) and the number of batches anchored so far (64 bits).
    address private _anchorer;
    uint64 private _batchCount;

    mapping(bytes32 root => Batch) private _batches;

    /// @param owner_ The governance key, which may replace the anchorer.
    /// @param anchorer_ The bridge's anchoring key.
    constructor(address owner_, address anchorer_) Ownable(owner_) {
        if (anchorer_ == address(0)) revert ZeroAnchorer();
        _anchorer = anchorer_;
        emit AnchorerChanged(address(0), anchorer_);
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

    /// @notice Number of batches anchored.
    function batchCount() external view returns (uint64) {
        return _batchCount;
    }

    /// @notice The decision leaf for a record digest (convenience for off-chain verifiers).
    function decisionLeaf(bytes32 digest) external pure returns (bytes32) {
        return DecisionMerkle.decisionLeaf(digest);
    }

    /// @notice Replaces the anchoring key. Only the owner may call it.
    function setAnchorer(address newAnchorer) external onlyOwner {
        if (newAnchorer == address(0)) revert ZeroAnchorer();
        emit AnchorerChanged(_anchorer, newAnchorer);
        _anchorer = newAnchorer;
    }
}
