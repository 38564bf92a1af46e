// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

/// @notice A citation of an anchored decision: the batch root it was anchored under, its leaf,
///         the leaf's position and the audit path. Contracts pass it to {IDecisionAnchor.verifyInclusion}.
struct DecisionRef {
    bytes32 root;
    bytes32 leaf;
    uint64 index;
    bytes32[] proof;
}

/// @title IDecisionAnchor
/// @notice Append-only anchoring of decision batches (Merkle roots) and inclusion checks for other contracts.
interface IDecisionAnchor {
    /// @notice What is recorded of each anchored batch.
    struct Batch {
        uint64 sequence;
        uint64 leafCount;
        uint64 anchoredAt;
        uint64 blockNumber;
    }

    /// @notice A batch was anchored. `sequence` counts from 1 without gaps, so a missing batch is visible.
    event BatchAnchored(uint64 indexed sequence, bytes32 indexed root, uint64 leafCount, uint64 anchoredAt);

    /// @notice The anchoring key changed.
    event AnchorerChanged(address indexed previousAnchorer, address indexed newAnchorer);

    /// @notice Only the anchoring key may anchor.
    error NotAnchorer(address caller);
    /// @notice Roots are anchored once; the bridge treats this error as "already done".
    error RootAlreadyAnchored(bytes32 root, uint64 sequence);
    /// @notice A batch has at least one leaf and a non-zero root.
    error EmptyBatch();
    /// @notice The anchoring key cannot be the zero address.
    error ZeroAnchorer();

    /// @notice Anchors `root` over `leafCount` decision leaves. Only the anchorer may call it.
    /// @return sequence The batch's sequence number.
    function anchor(bytes32 root, uint64 leafCount) external returns (uint64 sequence);

    /// @notice Whether `ref` proves its leaf is in a batch anchored here.
    function verifyInclusion(DecisionRef calldata ref) external view returns (bool);

    /// @notice The batch anchored under `root` (all zero when none).
    function batchOf(bytes32 root) external view returns (Batch memory);

    /// @notice Number of batches anchored.
    function batchCount() external view returns (uint64);

    /// @notice The first batch sequence the current anchoring key may have anchored: batches before
    ///         it were anchored by a replaced key.
    function keySince() external view returns (uint64);

    /// @notice The contract that may replace the anchoring key (the cooperative's ActionSchedule).
    function governor() external view returns (address);

    /// @notice Replaces the anchoring key; only the cooperative's governor (its ActionSchedule).
    function setAnchorer(address newAnchorer) external;
}
