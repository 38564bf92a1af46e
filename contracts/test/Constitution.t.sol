// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {Constitution} from "../src/Constitution.sol";
import {IActionSchedule} from "../src/interfaces/IActionSchedule.sol";
import {DecisionRef} from "../src/interfaces/IDecisionAnchor.sol";
import {GovernanceAction} from "../src/libraries/GovernanceAction.sol";
import {ActionSchedule} from "../src/ActionSchedule.sol";
import {Decisions} from "./utils/Decisions.sol";

contract ConstitutionTest is Decisions {
    bytes32 internal constant CONFIRMATIONS = "confirmations";
    bytes32 internal constant MAX_PAY_RATIO = "maxPayRatioX100";
    bytes32 internal constant QUORUM = "ballotQuorumBps";
    bytes32 internal constant ICA_1995 = "ICA-1995";
    bytes32 internal constant NEW_THING = "newThing";

    function setUp() public {
        _deployCoop(address(0x1551E));
    }

    function _authoriseAmendment(bytes32 name, uint256 value, bytes32 digest) internal returns (DecisionRef memory) {
        return _authorise(address(constitution), GovernanceAction.AMEND_PARAMETER, abi.encode(name, value), digest);
    }

    function _amendId(bytes32 name, uint256 value, bytes32 digest) internal view returns (bytes32) {
        return _actionId(address(constitution), GovernanceAction.AMEND_PARAMETER, abi.encode(name, value), digest);
    }

    function _unscheduled(bytes32 id) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(ActionSchedule.WrongStatus.selector, id, IActionSchedule.Status.None);
    }

    function test_genesis_and_initial_parameters_are_readable() public view {
        Constitution.Genesis memory genesis = constitution.genesis();
        assertEq(genesis.cooperativeName, "Riverside Coop");
        assertEq(genesis.foundingDocuments[0], sha256("Articles of association"));
        assertEq(uint256(genesis.foundersCount), 7);
        assertEq(genesis.icaPrinciplesVersion, ICA_1995);
        assertEq(genesis.identity, address(identity));
        assertEq(uint256(genesis.ratifiedAt), block.timestamp);
        assertEq(constitution.parameter(CONFIRMATIONS), 12);
        assertEq(constitution.parameter(MAX_PAY_RATIO), 600);
        assertEq(constitution.parameterNames().length, 7);
        Constitution.Parameter memory quorum = constitution.parameterRecord(QUORUM);
        assertEq(quorum.min, 1);
        assertEq(quorum.max, 10_000);
    }

    function test_an_anchored_amendment_changes_the_parameter() public {
        bytes32 digest = sha256("decision: 20 confirmations");
        DecisionRef memory ref = _authoriseAmendment(CONFIRMATIONS, 20, digest);
        vm.expectEmit(address(constitution));
        emit Constitution.Amended(CONFIRMATIONS, 12, 20, ref.leaf, 1);
        vm.prank(address(0xE7EC)); // anyone may execute it
        constitution.amend(CONFIRMATIONS, 20, digest);
        assertEq(constitution.parameter(CONFIRMATIONS), 20);
        assertEq(uint256(constitution.parameterRecord(CONFIRMATIONS).setByBatch), 1);
    }

    function test_nothing_changes_without_a_scheduled_action() public {
        bytes32 digest = sha256("decision: quorum 1");
        vm.expectRevert(_unscheduled(_amendId(QUORUM, 1, digest)));
        constitution.amend(QUORUM, 1, digest);

        _authoriseAmendment(QUORUM, 6000, digest);
        vm.expectRevert(_unscheduled(_amendId(QUORUM, 1, digest)));
        constitution.amend(QUORUM, 1, digest);
        assertEq(constitution.parameter(QUORUM), 5000);
    }

    function test_a_scheduled_amendment_waits_for_its_notice() public {
        bytes32 digest = sha256("decision: quorum 60%");
        _schedule(address(constitution), GovernanceAction.AMEND_PARAMETER, abi.encode(QUORUM, uint256(6000)), digest);
        vm.warp(block.timestamp + NOTICE - 1);
        vm.expectRevert(
            abi.encodeWithSelector(ActionSchedule.WrongStatus.selector, _amendId(QUORUM, 6000, digest), IActionSchedule.Status.Pending)
        );
        constitution.amend(QUORUM, 6000, digest);
        vm.warp(block.timestamp + 1);
        constitution.amend(QUORUM, 6000, digest);
        assertEq(constitution.parameter(QUORUM), 6000);
    }

    function test_a_replayed_amendment_is_refused() public {
        bytes32 digest = sha256("decision: quorum 60%");
        _authoriseAmendment(QUORUM, 6000, digest);
        constitution.amend(QUORUM, 6000, digest);
        vm.expectRevert(
            abi.encodeWithSelector(ActionSchedule.WrongStatus.selector, _amendId(QUORUM, 6000, digest), IActionSchedule.Status.Executed)
        );
        constitution.amend(QUORUM, 6000, digest);
    }

    function test_a_stale_amendment_cannot_undo_a_newer_one() public {
        bytes32 olderDigest = sha256("decision 1: ratio 5:1");
        bytes32 newerDigest = sha256("decision 2: ratio 4:1");
        _authoriseAmendment(MAX_PAY_RATIO, 500, olderDigest);
        _authoriseAmendment(MAX_PAY_RATIO, 400, newerDigest);
        constitution.amend(MAX_PAY_RATIO, 400, newerDigest);
        vm.expectRevert(
            abi.encodeWithSelector(Constitution.StaleAmendment.selector, MAX_PAY_RATIO, uint64(1), uint64(3), uint64(2), uint64(3))
        );
        constitution.amend(MAX_PAY_RATIO, 500, olderDigest);
        assertEq(constitution.parameter(MAX_PAY_RATIO), 400);
    }

    function test_an_action_scheduled_for_another_constitution_is_foreign() public {
        Constitution other = new Constitution(_genesis(address(identity)), schedule, _parameters());
        bytes32 digest = sha256("decision: 3 confirmations");
        _authorise(address(other), GovernanceAction.AMEND_PARAMETER, abi.encode(CONFIRMATIONS, uint256(3)), digest);
        vm.expectRevert(_unscheduled(_amendId(CONFIRMATIONS, 3, digest)));
        constitution.amend(CONFIRMATIONS, 3, digest);
        other.amend(CONFIRMATIONS, 3, digest); // valid where it belongs
        assertEq(other.parameter(CONFIRMATIONS), 3);
    }

    function test_unknown_parameters_and_malformed_genesis_are_refused() public {
        bytes32 digest = sha256("decision: new parameter");
        _authoriseAmendment(NEW_THING, 1, digest);
        vm.expectRevert(abi.encodeWithSelector(Constitution.UnknownParameter.selector, NEW_THING));
        constitution.amend(NEW_THING, 1, digest);
        vm.expectRevert(abi.encodeWithSelector(Constitution.UnknownParameter.selector, NEW_THING));
        constitution.parameter(NEW_THING);

        Constitution.Genesis memory genesis = constitution.genesis();
        Constitution.ParameterSpec[] memory twice = _parameters();
        twice[1].name = QUORUM;
        vm.expectRevert(abi.encodeWithSelector(Constitution.DuplicateParameter.selector, QUORUM));
        new Constitution(genesis, schedule, twice);

        Constitution.ParameterSpec[] memory empty = _parameters();
        empty[0].min = 300;
        vm.expectRevert(abi.encodeWithSelector(Constitution.InvalidRange.selector, CONFIRMATIONS, 300, 256));
        new Constitution(genesis, schedule, empty);

        Constitution.ParameterSpec[] memory outside = _parameters();
        outside[2].value = 10_001;
        vm.expectRevert(abi.encodeWithSelector(Constitution.ValueOutOfRange.selector, QUORUM, 10_001, 1, 10_000));
        new Constitution(genesis, schedule, outside);
    }

    // ------------------------------------------------------------------ order within a batch

    /// Two amendments of one parameter anchored in one batch: executed in leaf order, both apply
    /// and the later leaf's value stands.
    function test_amendments_in_one_batch_apply_in_leaf_order() public {
        bytes32 first = sha256("decision 1: quorum 60%");
        bytes32 second = sha256("decision 2: quorum 70%");
        bytes[] memory params = new bytes[](2);
        params[0] = abi.encode(QUORUM, uint256(6000));
        params[1] = abi.encode(QUORUM, uint256(7000));
        bytes32[] memory digests = new bytes32[](2);
        digests[0] = first;
        digests[1] = second;
        DecisionRef[] memory refs = _authoriseBatch(address(constitution), GovernanceAction.AMEND_PARAMETER, params, digests);
        constitution.amend(QUORUM, 6000, first);
        constitution.amend(QUORUM, 7000, second);
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
        bytes[] memory params = new bytes[](2);
        params[0] = abi.encode(QUORUM, uint256(6000));
        params[1] = abi.encode(QUORUM, uint256(7000));
        bytes32[] memory digests = new bytes32[](2);
        digests[0] = first;
        digests[1] = second;
        DecisionRef[] memory refs = _authoriseBatch(address(constitution), GovernanceAction.AMEND_PARAMETER, params, digests);
        vm.prank(address(0xF00)); // a front-runner executes the later leaf first
        constitution.amend(QUORUM, 7000, second);
        vm.expectRevert(
            abi.encodeWithSelector(Constitution.StaleAmendment.selector, QUORUM, uint64(1), refs[0].index, uint64(1), refs[1].index)
        );
        constitution.amend(QUORUM, 6000, first);
        assertEq(constitution.parameter(QUORUM), 7000);
    }

    // ------------------------------------------------------------------ ranges

    function test_out_of_range_amendments_are_refused_and_leave_the_decision_unspent() public {
        bytes32 digest = sha256("decision: quorum 0");
        _authoriseAmendment(QUORUM, 0, digest);
        vm.expectRevert(abi.encodeWithSelector(Constitution.ValueOutOfRange.selector, QUORUM, 0, 1, 10_000));
        constitution.amend(QUORUM, 0, digest);
        assertEq(uint8(schedule.statusOf(_amendId(QUORUM, 0, digest))), uint8(IActionSchedule.Status.Executable));
        assertEq(constitution.parameter(QUORUM), 5000);

        bytes32 above = sha256("decision: ratio 101:1");
        _authoriseAmendment(MAX_PAY_RATIO, 10_100, above);
        vm.expectRevert(abi.encodeWithSelector(Constitution.ValueOutOfRange.selector, MAX_PAY_RATIO, 10_100, 100, 10_000));
        constitution.amend(MAX_PAY_RATIO, 10_100, above);

        // The bounds themselves are valid values.
        bytes32 bound = sha256("decision: one confirmation");
        _authoriseAmendment(CONFIRMATIONS, 1, bound);
        constitution.amend(CONFIRMATIONS, 1, bound);
        assertEq(constitution.parameter(CONFIRMATIONS), 1);
    }

    function testFuzz_values_outside_a_range_are_always_refused(uint256 value, uint8 which) public {
        Constitution.ParameterSpec memory spec = _parameters()[which % 3];
        vm.assume(value < spec.min || value > spec.max);
        bytes32 digest = sha256(abi.encode(value, which));
        _authoriseAmendment(spec.name, value, digest);
        vm.expectRevert(abi.encodeWithSelector(Constitution.ValueOutOfRange.selector, spec.name, value, spec.min, spec.max));
        constitution.amend(spec.name, value, digest);
    }

    function testFuzz_amendments_apply_exactly_the_anchored_value(uint256 value, uint256 other, uint8 which) public {
        Constitution.ParameterSpec memory spec = _parameters()[which % 3];
        bytes32 name = spec.name;
        value = bound(value, spec.min, spec.max);
        other = bound(other, spec.min, spec.max);
        vm.assume(value != other);
        bytes32 digest = sha256(abi.encode(value, which));
        _authoriseAmendment(name, value, digest);
        vm.expectRevert(_unscheduled(_amendId(name, other, digest)));
        constitution.amend(name, other, digest);
        constitution.amend(name, value, digest);
        assertEq(constitution.parameter(name), value);
    }
}

/// @dev Anchors and schedules batches of amendments of one parameter (some out of range) and
///      executes them in random order; records the newest (batch, leaf index) that applied.
contract ConstitutionHandler is Decisions {
    bytes32 internal constant QUORUM = "ballotQuorumBps";
    uint256[] internal _values;
    bytes32[] internal _digests;
    DecisionRef[] internal _refs;
    uint64[] internal _batches;
    uint256 public newestPosition; // batch << 64 | index of the newest applied leaf
    uint256 public newestValue = 5000;
    uint256 public refusedNewer; // an executable amendment newer than every applied one that was refused anyway

    constructor() {
        _deployCoop(address(0x1551E));
    }

    function theConstitution() external view returns (Constitution) {
        return constitution;
    }

    /// Anchors and schedules one batch of two or three amendments of the quorum; their notice passes.
    function anchorBatch(uint256 seed) external {
        uint256 count = 2 + seed % 2;
        bytes[] memory params = new bytes[](count);
        uint256[] memory values = new uint256[](count);
        bytes32[] memory digests = new bytes32[](count);
        for (uint256 i = 0; i < count; i++) {
            values[i] = uint256(keccak256(abi.encode(seed, i))) % 10_200; // about 2% out of range
            digests[i] = keccak256(abi.encode("decision", seed, i, _refs.length));
            params[i] = abi.encode(QUORUM, values[i]);
        }
        DecisionRef[] memory refs = _authoriseBatch(address(constitution), GovernanceAction.AMEND_PARAMETER, params, digests);
        for (uint256 i = 0; i < count; i++) {
            _values.push(values[i]);
            _digests.push(digests[i]);
            _refs.push(refs[i]);
            _batches.push(anchor.batchCount());
        }
    }

    /// Anyone executes any scheduled amendment, in any order.
    function execute(uint256 which) external {
        if (_refs.length == 0) return;
        uint256 i = which % _refs.length;
        uint256 position = uint256(_batches[i]) << 64 | _refs[i].index;
        try constitution.amend(QUORUM, _values[i], _digests[i]) {
            newestPosition = position;
            newestValue = _values[i];
        } catch {
            bool inRange = _values[i] >= 1 && _values[i] <= 10_000;
            bytes32 id = _actionId(address(constitution), GovernanceAction.AMEND_PARAMETER, abi.encode(QUORUM, _values[i]), _digests[i]);
            bool executable = schedule.statusOf(id) == IActionSchedule.Status.Executable;
            if (inRange && position > newestPosition && executable) refusedNewer++;
        }
    }
}

contract ConstitutionInvariantTest is Decisions {
    bytes32 internal constant QUORUM = "ballotQuorumBps";
    ConstitutionHandler internal handler;

    function setUp() public {
        handler = new ConstitutionHandler();
        constitution = handler.theConstitution();
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
