// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {DecisionAnchor} from "../src/DecisionAnchor.sol";
import {IDecisionAnchor, DecisionRef} from "../src/interfaces/IDecisionAnchor.sol";
import {DecisionMerkle} from "../src/libraries/DecisionMerkle.sol";
import {Test} from "./utils/Test.sol";
import {MerkleBuilder} from "./utils/MerkleBuilder.sol";

contract DecisionAnchorTest is Test {
    /// @dev Stands in for the ActionSchedule, the only contract that may replace the anchorer.
    address internal constant GOVERNOR = address(0x0C0);
    address internal constant ANCHORER = address(0xA11C);
    address internal constant STRANGER = address(0xBAD);
    bytes32 internal constant ROOT = keccak256("root");

    DecisionAnchor internal anchor;

    function setUp() public {
        anchor = new DecisionAnchor(ANCHORER);
        anchor.bindGovernor(GOVERNOR);
    }

    // ------------------------------------------------------------------ anchoring

    function test_anchor_records_the_batch_and_emits_its_sequence() public {
        vm.warp(1_800_000_000);
        vm.roll(77);
        vm.expectEmit(address(anchor));
        emit IDecisionAnchor.BatchAnchored(1, ROOT, 12, 1_800_000_000);
        vm.prank(ANCHORER);
        assertEq(uint256(anchor.anchor(ROOT, 12)), 1);

        IDecisionAnchor.Batch memory batch = anchor.batchOf(ROOT);
        assertEq(uint256(batch.sequence), 1);
        assertEq(uint256(batch.leafCount), 12);
        assertEq(uint256(batch.anchoredAt), 1_800_000_000);
        assertEq(uint256(batch.blockNumber), 77);
        assertEq(uint256(anchor.batchCount()), 1);
    }

    function test_sequences_count_up_without_gaps() public {
        vm.startPrank(ANCHORER);
        for (uint256 i = 1; i <= 5; i++) {
            assertEq(uint256(anchor.anchor(keccak256(abi.encode(i)), SafeCast.toUint64(i))), i);
        }
        vm.stopPrank();
        assertEq(uint256(anchor.batchCount()), 5);
    }

    function test_anchoring_a_root_twice_reverts_with_the_first_sequence() public {
        vm.startPrank(ANCHORER);
        anchor.anchor(ROOT, 3);
        anchor.anchor(keccak256("other"), 1);
        vm.expectRevert(abi.encodeWithSelector(IDecisionAnchor.RootAlreadyAnchored.selector, ROOT, uint64(1)));
        anchor.anchor(ROOT, 3);
        vm.stopPrank();
    }

    function test_empty_batches_are_refused() public {
        vm.startPrank(ANCHORER);
        vm.expectRevert(IDecisionAnchor.EmptyBatch.selector);
        anchor.anchor(bytes32(0), 1);
        vm.expectRevert(IDecisionAnchor.EmptyBatch.selector);
        anchor.anchor(ROOT, 0);
        vm.stopPrank();
    }

    function test_only_the_anchorer_may_anchor() public {
        vm.expectRevert(abi.encodeWithSelector(IDecisionAnchor.NotAnchorer.selector, STRANGER));
        vm.prank(STRANGER);
        anchor.anchor(ROOT, 1);
        vm.expectRevert(abi.encodeWithSelector(IDecisionAnchor.NotAnchorer.selector, GOVERNOR));
        vm.prank(GOVERNOR);
        anchor.anchor(ROOT, 1);
    }

    // ------------------------------------------------------------------ administration

    function test_the_governor_replaces_the_anchorer_and_earlier_batches_belong_to_the_old_key() public {
        vm.prank(ANCHORER);
        anchor.anchor(ROOT, 1);
        assertEq(anchor.keySince(), 1);
        address next = address(0xBEEF);
        vm.expectEmit(address(anchor));
        emit IDecisionAnchor.AnchorerChanged(ANCHORER, next);
        vm.prank(GOVERNOR);
        anchor.setAnchorer(next);
        assertEq(anchor.anchorer(), next);
        assertEq(anchor.keySince(), 2, "batch 1 was anchored by the replaced key");

        vm.expectRevert(abi.encodeWithSelector(IDecisionAnchor.NotAnchorer.selector, ANCHORER));
        vm.prank(ANCHORER);
        anchor.anchor(keccak256("next"), 1);
        vm.prank(next);
        anchor.anchor(keccak256("next"), 1);
    }

    /// No owner: neither the anchoring key nor anyone but the governor can change who anchors.
    function test_only_the_governor_replaces_the_anchorer() public {
        vm.expectRevert(abi.encodeWithSelector(DecisionAnchor.NotGovernor.selector, ANCHORER));
        vm.prank(ANCHORER);
        anchor.setAnchorer(ANCHORER);
        vm.expectRevert(abi.encodeWithSelector(DecisionAnchor.NotGovernor.selector, STRANGER));
        vm.prank(STRANGER);
        anchor.setAnchorer(STRANGER);
        assertEq(anchor.anchorer(), ANCHORER);
    }

    function test_the_governor_is_bound_once_by_the_deployer() public {
        vm.expectRevert(DecisionAnchor.AlreadyBound.selector);
        anchor.bindGovernor(STRANGER);
        DecisionAnchor fresh = new DecisionAnchor(ANCHORER);
        vm.expectRevert(abi.encodeWithSelector(DecisionAnchor.NotBinder.selector, STRANGER));
        vm.prank(STRANGER);
        fresh.bindGovernor(STRANGER);
        vm.expectRevert(DecisionAnchor.ZeroGovernor.selector);
        fresh.bindGovernor(address(0));
        // Unbound, nobody can replace the anchorer.
        vm.expectRevert(abi.encodeWithSelector(DecisionAnchor.NotGovernor.selector, address(this)));
        fresh.setAnchorer(STRANGER);
    }

    function test_the_zero_address_cannot_become_anchorer() public {
        vm.expectRevert(IDecisionAnchor.ZeroAnchorer.selector);
        new DecisionAnchor(address(0));
        vm.expectRevert(IDecisionAnchor.ZeroAnchorer.selector);
        vm.prank(GOVERNOR);
        anchor.setAnchorer(address(0));
    }

    // ------------------------------------------------------------------ inclusion: golden vectors

    function test_every_golden_vector_proof_verifies_and_leaves_match_the_format() public {
        // Relative to the project root, so the gas does not depend on where the checkout lives.
        string memory json = vm.readFile("contracts/test/vectors/decision-batches.json");
        assertEq(vm.parseJsonBytes32(json, ".tag"), DecisionMerkle.DECISION_TAG_V1, "format tag");
        for (uint256 b = 0; b < 6; b++) {
            string memory path = string.concat(".batches[", vm.toString(b), "]");
            bytes32[] memory digests = vm.parseJsonBytes32Array(json, string.concat(path, ".digests"));
            bytes32[] memory leaves = vm.parseJsonBytes32Array(json, string.concat(path, ".leaves"));
            bytes32 root = vm.parseJsonBytes32(json, string.concat(path, ".root"));
            for (uint256 i = 0; i < leaves.length; i++) {
                assertEq(anchor.decisionLeaf(digests[i]), leaves[i], "leaf");
            }
            assertEq(MerkleBuilder.root(leaves), root, "root rebuilt in Solidity");

            vm.prank(ANCHORER);
            anchor.anchor(root, uint64(leaves.length));
            for (uint256 i = 0; i < leaves.length; i++) {
                bytes32[] memory proof =
                    vm.parseJsonBytes32Array(json, string.concat(path, ".proofs[", vm.toString(i), "]"));
                assertTrue(anchor.verifyInclusion(DecisionRef(root, leaves[i], SafeCast.toUint64(i), proof)), "vector proof");
                if (leaves.length > 1) {
                    // The same proof at any other index fails: positions are bound.
                    uint64 other = uint64((i + 1) % leaves.length);
                    assertFalse(anchor.verifyInclusion(DecisionRef(root, leaves[i], other, proof)), "moved index");
                }
            }
        }
    }

    // ------------------------------------------------------------------ inclusion: attacks

    function test_forged_leaves_foreign_roots_and_unanchored_batches_fail() public {
        bytes32[] memory leaves = _leaves(5, 1);
        bytes32 root = MerkleBuilder.root(leaves);
        bytes32[] memory proof = MerkleBuilder.proof(leaves, 3);
        assertFalse(anchor.verifyInclusion(DecisionRef(root, leaves[3], 3, proof)), "not anchored yet");

        vm.prank(ANCHORER);
        anchor.anchor(root, 5);
        assertTrue(anchor.verifyInclusion(DecisionRef(root, leaves[3], 3, proof)));
        assertFalse(anchor.verifyInclusion(DecisionRef(root, keccak256("forged"), 3, proof)), "forged leaf");

        bytes32[] memory otherLeaves = _leaves(5, 2);
        bytes32 otherRoot = MerkleBuilder.root(otherLeaves);
        vm.prank(ANCHORER);
        anchor.anchor(otherRoot, 5);
        assertFalse(anchor.verifyInclusion(DecisionRef(otherRoot, leaves[3], 3, proof)), "proof for another batch");
    }

    function test_an_interior_node_cannot_pass_as_a_leaf() public {
        bytes32[] memory leaves = _leaves(4, 3);
        bytes32 root = MerkleBuilder.root(leaves);
        vm.prank(ANCHORER);
        anchor.anchor(root, 4);
        // The left subtree's root with the right subtree's root as proof would rebuild the root
        // if positions and sizes were not bound.
        bytes32 left = DecisionMerkle.node(leaves[0], leaves[1]);
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = DecisionMerkle.node(leaves[2], leaves[3]);
        assertFalse(anchor.verifyInclusion(DecisionRef(root, left, 0, proof)));
        assertFalse(anchor.verifyInclusion(DecisionRef(root, left, 1, proof)));
    }

    function test_out_of_range_indices_and_padded_proofs_fail() public {
        bytes32[] memory leaves = _leaves(3, 4);
        bytes32 root = MerkleBuilder.root(leaves);
        vm.prank(ANCHORER);
        anchor.anchor(root, 3);
        bytes32[] memory proof = MerkleBuilder.proof(leaves, 2);
        assertFalse(anchor.verifyInclusion(DecisionRef(root, leaves[2], 3, proof)), "index = size");
        bytes32[] memory padded = new bytes32[](proof.length + 1);
        for (uint256 i = 0; i < proof.length; i++) padded[i] = proof[i];
        assertFalse(anchor.verifyInclusion(DecisionRef(root, leaves[2], 2, padded)), "extra proof element");
    }

    // ------------------------------------------------------------------ fuzz

    /// forge-config: default.fuzz.runs = 512
    function testFuzz_proofs_of_random_trees_verify_at_their_index_only(uint256 sizeSeed, uint256 indexSeed, uint256 salt)
        public
    {
        uint256 size = bound(sizeSeed, 1, 70);
        uint256 index = bound(indexSeed, 0, size - 1);
        bytes32[] memory leaves = _leaves(size, salt);
        bytes32 root = MerkleBuilder.root(leaves);
        bytes32[] memory proof = MerkleBuilder.proof(leaves, index);

        vm.prank(ANCHORER);
        anchor.anchor(root, SafeCast.toUint64(size));
        assertTrue(anchor.verifyInclusion(DecisionRef(root, leaves[index], SafeCast.toUint64(index), proof)), "own proof");
        if (size > 1) {
            uint64 wrong = SafeCast.toUint64((index + 1 + salt % (size - 1)) % size);
            assertFalse(anchor.verifyInclusion(DecisionRef(root, leaves[index], wrong, proof)), "wrong index");
        }
    }

    function testFuzz_only_the_anchorer_can_anchor(address caller, bytes32 root, uint64 count) public {
        vm.assume(caller != ANCHORER && root != bytes32(0) && count != 0);
        vm.expectRevert(abi.encodeWithSelector(IDecisionAnchor.NotAnchorer.selector, caller));
        vm.prank(caller);
        anchor.anchor(root, count);
    }

    // ------------------------------------------------------------------ gas

    function test_gas_of_anchor_does_not_depend_on_the_batch_size() public {
        uint256[3] memory sizes = [uint256(1), 100, 10_000];
        uint256[3] memory used;
        for (uint256 i = 0; i < 3; i++) {
            bytes32 root = keccak256(abi.encode("batch", i));
            vm.prank(ANCHORER);
            uint256 before = gasleft();
            anchor.anchor(root, uint64(sizes[i]));
            used[i] = before - gasleft();
        }
        // The first anchor also turns the counter from zero to one; later ones pay the same.
        assertEq(used[1], used[2], "gas at 100 vs 10,000 leaves");
    }

    function _leaves(uint256 count, uint256 salt) private pure returns (bytes32[] memory leaves) {
        leaves = new bytes32[](count);
        for (uint256 i = 0; i < count; i++) {
            leaves[i] = DecisionMerkle.decisionLeaf(sha256(abi.encode(salt, i)));
        }
    }
}

/// @dev Drives DecisionAnchor for the invariant runner: anchors new and repeated roots as the
///      anchorer and attempts anchoring as strangers, keeping its own ledger of what was anchored.
contract DecisionAnchorHandler is Test {
    DecisionAnchor public immutable anchor;
    address public immutable anchorer;
    bytes32[] public roots;
    mapping(bytes32 => IDecisionAnchor.Batch) public recorded;
    /// @notice Counts forbidden outcomes (a duplicate or a stranger's anchor succeeding); the invariant requires zero.
    uint256 public violations;

    constructor(DecisionAnchor anchor_, address anchorer_) {
        anchor = anchor_;
        anchorer = anchorer_;
    }

    function anchorNew(bytes32 seed, uint64 count) external {
        bytes32 root = keccak256(abi.encode(seed, roots.length));
        count = uint64(bound(count, 1, type(uint64).max));
        vm.prank(anchorer);
        anchor.anchor(root, count);
        roots.push(root);
        recorded[root] = anchor.batchOf(root);
    }

    function anchorAgain(uint256 which, uint64 count) external {
        if (roots.length == 0) return;
        bytes32 root = roots[which % roots.length];
        vm.prank(anchorer);
        try anchor.anchor(root, uint64(bound(count, 1, type(uint64).max))) {
            violations++;
        } catch {}
    }

    function anchorAsStranger(address stranger, bytes32 root) external {
        if (stranger == anchorer) return;
        vm.prank(stranger);
        try anchor.anchor(root, 1) {
            violations++;
        } catch {}
    }

    function rootCount() external view returns (uint256) {
        return roots.length;
    }
}

contract DecisionAnchorInvariantTest is Test {
    DecisionAnchor internal anchor;
    DecisionAnchorHandler internal handler;

    function setUp() public {
        anchor = new DecisionAnchor(address(0xA11C));
        handler = new DecisionAnchorHandler(anchor, address(0xA11C));
        targetContract(address(handler));
    }

    /// Roots are never modified or removed, and sequences have no gaps.
    function invariant_anchored_batches_never_change() public view {
        uint256 count = handler.rootCount();
        assertEq(handler.violations(), 0, "a duplicate root or a stranger's anchor was accepted");
        assertEq(uint256(anchor.batchCount()), count, "batch count");
        for (uint256 i = 0; i < count; i++) {
            bytes32 root = handler.roots(i);
            IDecisionAnchor.Batch memory now_ = anchor.batchOf(root);
            (uint64 sequence, uint64 leafCount, uint64 anchoredAt, uint64 blockNumber) = handler.recorded(root);
            assertEq(uint256(now_.sequence), i + 1, "sequence");
            assertEq(uint256(now_.sequence), uint256(sequence), "sequence unchanged");
            assertEq(uint256(now_.leafCount), uint256(leafCount), "leaf count unchanged");
            assertEq(uint256(now_.anchoredAt), uint256(anchoredAt), "time unchanged");
            assertEq(uint256(now_.blockNumber), uint256(blockNumber), "block unchanged");
        }
    }
}
