// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {Constitution} from "../src/Constitution.sol";
import {DecisionGated} from "../src/DecisionGated.sol";
import {DecisionAnchor} from "../src/DecisionAnchor.sol";
import {DecisionRef} from "../src/interfaces/IDecisionAnchor.sol";
import {GovernanceAction} from "../src/libraries/GovernanceAction.sol";
import {Decisions} from "./utils/Decisions.sol";

contract ConstitutionTest is Decisions {
    bytes32 internal constant CONFIRMATIONS = "confirmations";
    bytes32 internal constant MAX_PAY_RATIO = "maxPayRatioX100";
    bytes32 internal constant QUORUM = "ballotQuorumBps";
    bytes32 internal constant ICA_1995 = "ICA-1995";
    bytes32 internal constant NEW_THING = "newThing";

    Constitution internal constitution;

    function setUp() public {
        _deployAnchor(address(0x0C0));
        constitution = _deploy();
    }

    function _deploy() internal returns (Constitution) {
        bytes32[] memory documents = new bytes32[](2);
        documents[0] = sha256("Articles of association");
        documents[1] = sha256("Member handbook");
        return new Constitution(_genesis(documents), anchor, _parameters());
    }

    function _genesis(bytes32[] memory documents) internal pure returns (Constitution.Genesis memory) {
        return Constitution.Genesis("Riverside Coop", documents, "ICA-1995", 7, address(0x1D), 0);
    }

    /// @dev The parameters and ranges of the deploy script.
    function _parameters() internal pure returns (Constitution.ParameterSpec[] memory parameters) {
        parameters = new Constitution.ParameterSpec[](3);
        parameters[0] = Constitution.ParameterSpec(CONFIRMATIONS, 12, 1, 256);
        parameters[1] = Constitution.ParameterSpec(MAX_PAY_RATIO, 600, 100, 10_000);
        parameters[2] = Constitution.ParameterSpec(QUORUM, 5000, 1, 10_000);
    }

    function _amendAction(bytes32 name, uint256 value, bytes32 digest) internal view returns (bytes32) {
        return _actionLeaf(address(constitution), GovernanceAction.AMEND_PARAMETER, abi.encode(name, value), digest);
    }

    function test_genesis_and_initial_parameters_are_readable() public view {
        Constitution.Genesis memory genesis = constitution.genesis();
        assertEq(genesis.cooperativeName, "Riverside Coop");
        assertEq(genesis.foundingDocuments[0], sha256("Articles of association"));
        assertEq(uint256(genesis.foundersCount), 7);
        assertEq(genesis.icaPrinciplesVersion, ICA_1995);
        assertEq(genesis.identity, address(0x1D));
        assertEq(uint256(genesis.ratifiedAt), block.timestamp);
        assertEq(constitution.parameter(CONFIRMATIONS), 12);
        assertEq(constitution.parameter(MAX_PAY_RATIO), 600);
        assertEq(constitution.parameterNames().length, 3);
        Constitution.Parameter memory quorum = constitution.parameterRecord(QUORUM);
        assertEq(quorum.min, 1);
        assertEq(quorum.max, 10_000);
    }

    function test_an_anchored_amendment_changes_the_parameter() public {
        bytes32 digest = sha256("decision: 20 confirmations");
        DecisionRef memory ref = _anchorAction(_amendAction(CONFIRMATIONS, 20, digest));
        vm.expectEmit(address(constitution));
        emit Constitution.Amended(CONFIRMATIONS, 12, 20, ref.leaf, 1);
        vm.prank(address(0xE7EC)); // anyone may execute it
        constitution.amend(CONFIRMATIONS, 20, digest, ref);
        assertEq(constitution.parameter(CONFIRMATIONS), 20);
        assertEq(uint256(constitution.parameterRecord(CONFIRMATIONS).setByBatch), 1);
    }

    function test_nothing_changes_without_an_anchored_citation() public {
        bytes32 digest = sha256("decision: quorum 1");
        DecisionRef memory unanchored = _unanchoredRef(_amendAction(QUORUM, 1, digest));
        vm.expectRevert(abi.encodeWithSelector(DecisionGated.DecisionNotAnchored.selector, unanchored.root, unanchored.leaf));
        constitution.amend(QUORUM, 1, digest, unanchored);

        DecisionRef memory ref = _anchorAction(_amendAction(QUORUM, 6000, digest));
        vm.expectRevert(
            abi.encodeWithSelector(DecisionGated.DecisionMismatch.selector, _amendAction(QUORUM, 1, digest), ref.leaf)
        );
        constitution.amend(QUORUM, 1, digest, ref);
        assertEq(constitution.parameter(QUORUM), 5000);
    }

    function test_a_replayed_amendment_is_refused() public {
        bytes32 digest = sha256("decision: quorum 60%");
        DecisionRef memory ref = _anchorAction(_amendAction(QUORUM, 6000, digest));
        constitution.amend(QUORUM, 6000, digest, ref);
        vm.expectRevert(abi.encodeWithSelector(DecisionGated.DecisionAlreadyExecuted.selector, ref.leaf));
        constitution.amend(QUORUM, 6000, digest, ref);
    }

    function test_a_stale_amendment_cannot_undo_a_newer_one() public {
        bytes32 olderDigest = sha256("decision 1: ratio 5:1");
        bytes32 newerDigest = sha256("decision 2: ratio 4:1");
        DecisionRef memory older = _anchorAction(_amendAction(MAX_PAY_RATIO, 500, olderDigest));
        DecisionRef memory newer = _anchorAction(_amendAction(MAX_PAY_RATIO, 400, newerDigest));
        constitution.amend(MAX_PAY_RATIO, 400, newerDigest, newer);
        vm.expectRevert(
            abi.encodeWithSelector(Constitution.StaleAmendment.selector, MAX_PAY_RATIO, uint64(1), uint64(3), uint64(2), uint64(3))
        );
        constitution.amend(MAX_PAY_RATIO, 500, olderDigest, older);
        assertEq(constitution.parameter(MAX_PAY_RATIO), 400);
    }

    function test_a_proof_made_for_another_constitution_is_foreign() public {
        Constitution other = _deploy();
        bytes32 digest = sha256("decision: 3 confirmations");
        bytes32 foreignAction =
            _actionLeaf(address(other), GovernanceAction.AMEND_PARAMETER, abi.encode(CONFIRMATIONS, uint256(3)), digest);
        DecisionRef memory ref = _anchorAction(foreignAction);
        other.amend(CONFIRMATIONS, 3, digest, ref); // valid where it belongs
        vm.expectRevert(
            abi.encodeWithSelector(DecisionGated.DecisionMismatch.selector, _amendAction(CONFIRMATIONS, 3, digest), foreignAction)
        );
        constitution.amend(CONFIRMATIONS, 3, digest, ref);
    }

    function test_a_proof_anchored_by_another_cooperative_is_foreign() public {
        DecisionAnchor otherAnchor = new DecisionAnchor(address(0x0C0), address(0xFACE));
        bytes32 digest = sha256("decision elsewhere");
        bytes32 action = _amendAction(QUORUM, 1, digest);
        DecisionRef memory elsewhere = _unanchoredRef(action);
        vm.prank(address(0xFACE));
        otherAnchor.anchor(elsewhere.root, 2);
        assertTrue(otherAnchor.verifyInclusion(elsewhere));
        vm.expectRevert(abi.encodeWithSelector(DecisionGated.DecisionNotAnchored.selector, elsewhere.root, action));
        constitution.amend(QUORUM, 1, digest, elsewhere);
    }

    function test_unknown_parameters_and_malformed_genesis_are_refused() public {
        bytes32 digest = sha256("decision: new parameter");
        DecisionRef memory ref = _anchorAction(_amendAction(NEW_THING, 1, digest));
        vm.expectRevert(abi.encodeWithSelector(Constitution.UnknownParameter.selector, NEW_THING));
        constitution.amend(NEW_THING, 1, digest, ref);
        vm.expectRevert(abi.encodeWithSelector(Constitution.UnknownParameter.selector, NEW_THING));
        constitution.parameter(NEW_THING);

        Constitution.Genesis memory genesis = constitution.genesis();
        Constitution.ParameterSpec[] memory twice = _parameters();
        twice[1].name = QUORUM;
        vm.expectRevert(abi.encodeWithSelector(Constitution.DuplicateParameter.selector, QUORUM));
        new Constitution(genesis, anchor, twice);

        Constitution.ParameterSpec[] memory empty = _parameters();
        empty[0].min = 300;
        vm.expectRevert(abi.encodeWithSelector(Constitution.InvalidRange.selector, CONFIRMATIONS, 300, 256));
        new Constitution(genesis, anchor, empty);

        Constitution.ParameterSpec[] memory outside = _parameters();
        outside[2].value = 10_001;
        vm.expectRevert(abi.encodeWithSelector(Constitution.ValueOutOfRange.selector, QUORUM, 10_001, 1, 10_000));
        new Constitution(genesis, anchor, outside);
    }

    // ------------------------------------------------------------------ order within a batch

    /// Two amendments of one parameter anchored in one batch: executed in leaf order, both apply
    /// and the later leaf's value stands.
    function test_amendments_in_one_batch_apply_in_leaf_order() public {
        bytes32 first = sha256("decision 1: quorum 60%");
        bytes32 second = sha256("decision 2: quorum 70%");
        bytes32[] memory actions = new bytes32[](2);
        actions[0] = _amendAction(QUORUM, 6000, first);
        actions[1] = _amendAction(QUORUM, 7000, second);
        DecisionRef[] memory refs = _anchorActions(actions);
        constitution.amend(QUORUM, 6000, first, refs[0]);
        constitution.amend(QUORUM, 7000, second, refs[1]);
        assertEq(constitution.parameter(QUORUM), 7000);
        Constitution.Parameter memory record = constitution.parameterRecord(QUORUM);
        assertEq(uint256(record.setByBatch), 1);
        assertEq(uint256(record.setByIndex), uint256(refs[1].index));
    }

    /// Whoever executes first, the earlier leaf of a batch cannot undo the later one: the outcome
    /// no longer depends on the order of execution.
    function test_an_earlier_leaf_of_the_same_batch_cannot_undo_a_later_one() public {
        bytes32 first = sha256("decision 1: quorum 60%");
        bytes32 second = sha256("decision 2: quorum 70%");
        bytes32[] memory actions = new bytes32[](2);
        actions[0] = _amendAction(QUORUM, 6000, first);
        actions[1] = _amendAction(QUORUM, 7000, second);
        DecisionRef[] memory refs = _anchorActions(actions);
        vm.prank(address(0xF00)); // a front-runner executes the later leaf first
        constitution.amend(QUORUM, 7000, second, refs[1]);
        vm.expectRevert(
            abi.encodeWithSelector(Constitution.StaleAmendment.selector, QUORUM, uint64(1), refs[0].index, uint64(1), refs[1].index)
        );
        constitution.amend(QUORUM, 6000, first, refs[0]);
        assertEq(constitution.parameter(QUORUM), 7000);
    }

    // ------------------------------------------------------------------ ranges

    function test_out_of_range_amendments_are_refused_and_leave_the_decision_unspent() public {
        bytes32 digest = sha256("decision: quorum 0");
        bytes32 action = _amendAction(QUORUM, 0, digest);
        DecisionRef memory ref = _anchorAction(action);
        vm.expectRevert(abi.encodeWithSelector(Constitution.ValueOutOfRange.selector, QUORUM, 0, 1, 10_000));
        constitution.amend(QUORUM, 0, digest, ref);
        assertFalse(constitution.actionExecuted(action));
        assertEq(constitution.parameter(QUORUM), 5000);

        bytes32 above = sha256("decision: ratio 101:1");
        DecisionRef memory aboveRef = _anchorAction(_amendAction(MAX_PAY_RATIO, 10_100, above));
        vm.expectRevert(abi.encodeWithSelector(Constitution.ValueOutOfRange.selector, MAX_PAY_RATIO, 10_100, 100, 10_000));
        constitution.amend(MAX_PAY_RATIO, 10_100, above, aboveRef);

        // The bounds themselves are valid values.
        bytes32 bound = sha256("decision: one confirmation");
        constitution.amend(CONFIRMATIONS, 1, bound, _anchorAction(_amendAction(CONFIRMATIONS, 1, bound)));
        assertEq(constitution.parameter(CONFIRMATIONS), 1);
    }

    function testFuzz_values_outside_a_range_are_always_refused(uint256 value, uint8 which) public {
        Constitution.ParameterSpec memory spec = _parameters()[which % 3];
        vm.assume(value < spec.min || value > spec.max);
        bytes32 digest = sha256(abi.encode(value, which));
        DecisionRef memory ref = _anchorAction(_amendAction(spec.name, value, digest));
        vm.expectRevert(abi.encodeWithSelector(Constitution.ValueOutOfRange.selector, spec.name, value, spec.min, spec.max));
        constitution.amend(spec.name, value, digest, ref);
    }

    function testFuzz_amendments_apply_exactly_the_anchored_value(uint256 value, uint256 other, uint8 which) public {
        Constitution.ParameterSpec memory spec = _parameters()[which % 3];
        bytes32 name = spec.name;
        value = bound(value, spec.min, spec.max);
        other = bound(other, spec.min, spec.max);
        vm.assume(value != other);
        bytes32 digest = sha256(abi.encode(value, which));
        DecisionRef memory ref = _anchorAction(_amendAction(name, value, digest));
        vm.expectRevert(abi.encodeWithSelector(DecisionGated.DecisionMismatch.selector, _amendAction(name, other, digest), ref.leaf));
        constitution.amend(name, other, digest, ref);
        constitution.amend(name, value, digest, ref);
        assertEq(constitution.parameter(name), value);
    }
}

/// @dev Anchors batches of amendments of one parameter (some out of range) and executes them in
///      random order; records the newest (batch, leaf index) that applied.
contract ConstitutionHandler is Decisions {
    bytes32 internal constant QUORUM = "ballotQuorumBps";
    Constitution public constitution;
    uint256[] internal _values;
    bytes32[] internal _digests;
    DecisionRef[] internal _refs;
    uint64[] internal _batches;
    uint256 public newestPosition; // batch << 64 | index of the newest applied leaf
    uint256 public newestValue = 5000;
    uint256 public refusedNewer; // an amendment newer than every applied one that was refused anyway

    constructor() {
        _deployAnchor(address(this));
        Constitution.ParameterSpec[] memory parameters = new Constitution.ParameterSpec[](1);
        parameters[0] = Constitution.ParameterSpec(QUORUM, 5000, 1, 10_000);
        constitution = new Constitution(
            Constitution.Genesis("Coop", new bytes32[](0), "ICA-1995", 1, address(0x1D), 0), anchor, parameters
        );
    }

    /// Anchors one batch of two or three amendments of the quorum.
    function anchorBatch(uint256 seed) external {
        uint256 count = 2 + seed % 2;
        bytes32[] memory actions = new bytes32[](count);
        uint256[] memory values = new uint256[](count);
        bytes32[] memory digests = new bytes32[](count);
        for (uint256 i = 0; i < count; i++) {
            values[i] = uint256(keccak256(abi.encode(seed, i))) % 10_200; // about 2% out of range
            digests[i] = keccak256(abi.encode("decision", seed, i, _refs.length));
            actions[i] = _actionLeaf(
                address(constitution), GovernanceAction.AMEND_PARAMETER, abi.encode(QUORUM, values[i]), digests[i]
            );
        }
        DecisionRef[] memory refs = _anchorActions(actions);
        for (uint256 i = 0; i < count; i++) {
            _values.push(values[i]);
            _digests.push(digests[i]);
            _refs.push(refs[i]);
            _batches.push(anchor.batchCount());
        }
    }

    /// Anyone executes any anchored amendment, in any order.
    function execute(uint256 which) external {
        if (_refs.length == 0) return;
        uint256 i = which % _refs.length;
        uint256 position = uint256(_batches[i]) << 64 | _refs[i].index;
        try constitution.amend(QUORUM, _values[i], _digests[i], _refs[i]) {
            newestPosition = position;
            newestValue = _values[i];
        } catch {
            bool inRange = _values[i] >= 1 && _values[i] <= 10_000;
            if (inRange && position > newestPosition && !constitution.actionExecuted(_refs[i].leaf)) refusedNewer++;
        }
    }
}

contract ConstitutionInvariantTest is Decisions {
    bytes32 internal constant QUORUM = "ballotQuorumBps";
    ConstitutionHandler internal handler;
    Constitution internal constitution;

    function setUp() public {
        handler = new ConstitutionHandler();
        constitution = handler.constitution();
        targetContract(address(handler));
    }

    /// The value is always in range and always the one of the newest applied leaf; a newer leaf is never refused.
    function invariant_the_newest_applied_amendment_stands_and_stays_in_range() public view {
        uint256 value = constitution.parameter(QUORUM);
        assertGe(value, 1, "below the range");
        assertLe(value, 10_000, "above the range");
        assertEq(value, handler.newestValue(), "not the newest applied value");
        Constitution.Parameter memory record = constitution.parameterRecord(QUORUM);
        assertEq(uint256(record.setByBatch) << 64 | record.setByIndex, handler.newestPosition(), "position");
        assertEq(handler.refusedNewer(), 0, "a newer amendment was refused");
    }
}
