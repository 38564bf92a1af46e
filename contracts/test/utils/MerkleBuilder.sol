// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {DecisionMerkle} from "../../src/libraries/DecisionMerkle.sol";

/// @notice Builds decision trees in Solidity (RFC 6962 MTH and PATH), independently of the
///         verifier, so fuzz tests can check proofs against trees of any shape.
library MerkleBuilder {
    function root(bytes32[] memory leaves, uint256 from, uint256 to) internal pure returns (bytes32) {
        uint256 n = to - from;
        if (n == 1) return leaves[from];
        uint256 k = largestPowerOfTwoBelow(n);
        return DecisionMerkle.node(root(leaves, from, from + k), root(leaves, from + k, to));
    }

    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        return root(leaves, 0, leaves.length);
    }

    function proof(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory path) {
        path = new bytes32[](depthBound(leaves.length));
        uint256 length = _path(leaves, 0, leaves.length, index, path, 0);
        assembly ("memory-safe") {
            mstore(path, length)
        }
    }

    function _path(bytes32[] memory leaves, uint256 from, uint256 to, uint256 m, bytes32[] memory out, uint256 depth)
        private
        pure
        returns (uint256)
    {
        uint256 n = to - from;
        if (n == 1) return depth;
        uint256 k = largestPowerOfTwoBelow(n);
        uint256 length;
        if (m < k) {
            length = _path(leaves, from, from + k, m, out, depth);
            out[length] = root(leaves, from + k, to);
        } else {
            length = _path(leaves, from + k, to, m - k, out, depth);
            out[length] = root(leaves, from, from + k);
        }
        return length + 1;
    }

    function largestPowerOfTwoBelow(uint256 n) internal pure returns (uint256 k) {
        k = 1;
        while (k * 2 < n) k *= 2;
    }

    function depthBound(uint256 n) internal pure returns (uint256 depth) {
        while ((uint256(1) << depth) < n) depth++;
    }
}
