// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {DecisionAnchor} from "../../src/DecisionAnchor.sol";
import {DecisionRef} from "../../src/interfaces/IDecisionAnchor.sol";
import {DecisionMerkle} from "../../src/libraries/DecisionMerkle.sol";
import {GovernanceAction} from "../../src/libraries/GovernanceAction.sol";
import {MerkleBuilder} from "./MerkleBuilder.sol";
import {Test} from "./Test.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @notice Test helper: anchors batches that contain given action leaves (between ordinary
///         decision leaves, as the bridge would) and returns their citations.
abstract contract Decisions is Test {
    address internal constant ANCHORER = address(0xA11C);
    DecisionAnchor internal anchor;
    uint256 private _batchSalt;

    function _deployAnchor(address owner) internal {
        anchor = new DecisionAnchor(owner, ANCHORER);
    }

    function _actionLeaf(address target, bytes32 kind, bytes memory params, bytes32 digest) internal view returns (bytes32) {
        return GovernanceAction.leaf(block.chainid, target, kind, params, digest);
    }

    /// @dev Anchors a batch holding `actions` and returns a citation for each.
    function _anchorActions(bytes32[] memory actions) internal returns (DecisionRef[] memory refs) {
        uint256 fillers = 3;
        bytes32[] memory leaves = new bytes32[](actions.length + fillers);
        for (uint256 i = 0; i < fillers; i++) {
            leaves[i] = DecisionMerkle.decisionLeaf(sha256(abi.encode("record", _batchSalt, i)));
        }
        for (uint256 i = 0; i < actions.length; i++) {
            leaves[fillers + i] = actions[i];
        }
        _batchSalt++;
        bytes32 root = MerkleBuilder.root(leaves);
        vm.prank(ANCHORER);
        anchor.anchor(root, SafeCast.toUint64(leaves.length));
        refs = new DecisionRef[](actions.length);
        for (uint256 i = 0; i < actions.length; i++) {
            refs[i] = DecisionRef(root, actions[i], SafeCast.toUint64(fillers + i), MerkleBuilder.proof(leaves, fillers + i));
        }
    }

    function _anchorAction(bytes32 action) internal returns (DecisionRef memory) {
        bytes32[] memory actions = new bytes32[](1);
        actions[0] = action;
        return _anchorActions(actions)[0];
    }

    /// @dev A citation of `action` that was never anchored (a valid-looking proof over an unanchored tree).
    function _unanchoredRef(bytes32 action) internal pure returns (DecisionRef memory) {
        bytes32[] memory leaves = new bytes32[](2);
        leaves[0] = action;
        leaves[1] = keccak256("unanchored sibling");
        return DecisionRef(MerkleBuilder.root(leaves), action, 0, MerkleBuilder.proof(leaves, 0));
    }
}
