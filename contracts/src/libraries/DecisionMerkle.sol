// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

/// @title DecisionMerkle
/// @notice The decision-batch formats of Iskander.Chain (docs/formats.md), shared bit for bit with
///         the bridge: decision leaves and RFC 6962-style Merkle trees over keccak-256.
/// @dev Leaves and interior nodes carry distinct one-byte prefixes (0x00, 0x01), so no 64-byte
///      interior preimage can pass as a leaf. Hashing is ordered, and verification binds the leaf's
///      index and the tree size (RFC 9162, 2.1.3.2): a proof for one position cannot be replayed for
///      another. Trees whose size is not a power of two split at the largest power of two below n.
library DecisionMerkle {
    /// @notice Format tag of version-1 decision leaves: the record is canonical JSON stored as one
    ///         raw IPFS block (CIDv1, codec raw, sha2-256), so the digest alone rebuilds the CID.
    bytes32 internal constant DECISION_TAG_V1 = keccak256("iskander.decision-record.v1:cidv1-raw-sha2-256");

    /// @notice The leaf for a decision record whose sha2-256 digest is `digest`.
    function decisionLeaf(bytes32 digest) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(bytes1(0x00), DECISION_TAG_V1, digest));
    }

    /// @notice An interior node: keccak256(0x01 ‖ left ‖ right).
    function node(bytes32 left, bytes32 right) internal pure returns (bytes32 result) {
        assembly ("memory-safe") {
            let free := mload(0x40)
            mstore8(free, 0x01)
            mstore(add(free, 1), left)
            mstore(add(free, 33), right)
            result := keccak256(free, 65)
        }
    }

    /// @notice Recomputes the root from `leaf` at `index` in a tree of `size` leaves and its audit
    ///         path; returns false for any inconsistent index, size or path length.
    function computeRoot(bytes32 leaf, uint256 index, uint256 size, bytes32[] calldata proof)
        internal
        pure
        returns (bool ok, bytes32 root)
    {
        if (index >= size) return (false, bytes32(0));
        uint256 fn = index;
        uint256 sn = size - 1;
        root = leaf;
        for (uint256 i = 0; i < proof.length; i++) {
            if (sn == 0) return (false, bytes32(0));
            if (fn & 1 == 1 || fn == sn) {
                root = node(proof[i], root);
                if (fn & 1 == 0) {
                    while (fn & 1 == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                root = node(root, proof[i]);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return (sn == 0, root);
    }
}
