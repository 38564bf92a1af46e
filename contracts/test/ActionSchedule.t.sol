// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {ActionSchedule} from "../src/ActionSchedule.sol";
import {Constitution} from "../src/Constitution.sol";
import {CoopIdentity} from "../src/CoopIdentity.sol";
import {DecisionAnchor} from "../src/DecisionAnchor.sol";
import {DecisionGated} from "../src/DecisionGated.sol";
import {IActionSchedule} from "../src/interfaces/IActionSchedule.sol";
import {DecisionRef, IDecisionAnchor} from "../src/interfaces/IDecisionAnchor.sol";
import {GovernanceAction} from "../src/libraries/GovernanceAction.sol";
import {Decisions} from "./utils/Decisions.sol";

/// @dev A governed contract with one kind of action, which records when each one ran.
contract ActionProbe is DecisionGated {
    bytes32 public constant KIND = keccak256("PROBE");
    mapping(bytes32 actionId => uint256) public executedAt;

    constructor(IActionSchedule schedule_) DecisionGated(schedule_) {}

    function run(bytes calldata params, bytes32 digest) external {
        _consumeDecision(KIND, params, digest);
        executedAt[GovernanceAction.id(block.chainid, address(this), KIND, params, digest)] = block.timestamp;
    }
}

/// @dev A cooperative with members (keys in ascending address order) and a probe to govern.
abstract contract ScheduleFixture is Decisions {
    uint256 internal constant ISSUER_KEY = 0x1551E;
    bytes32 internal constant KIND = keccak256("PROBE");
    ActionProbe internal probe;
    uint256[] internal memberKeys;

    function _setUpCoop(uint256 members) internal {
        _deployCoop(vm.addr(ISSUER_KEY));
        probe = new ActionProbe(schedule);
        uint256[] memory keys = new uint256[](members);
        bytes[] memory params = new bytes[](members);
        bytes32[] memory digests = new bytes32[](members);
        for (uint256 i = 0; i < members; i++) {
            keys[i] = 0x1000 + i;
            params[i] = abi.encode(vm.addr(keys[i]), keccak256("member"));
            digests[i] = sha256(abi.encode("admit", i));
        }
        if (members > 0) _authoriseBatch(address(identity), GovernanceAction.ADMIT_MEMBER, params, digests);
        for (uint256 i = 0; i < members; i++) {
            _give(ISSUER_KEY, keys[i], keccak256("member"), digests[i]);
        }
        _sortByAddress(keys);
        memberKeys = keys;
    }

    function _sortByAddress(uint256[] memory keys) internal pure {
        for (uint256 i = 1; i < keys.length; i++) {
            for (uint256 j = i; j > 0 && vm.addr(keys[j - 1]) > vm.addr(keys[j]); j--) {
                (keys[j - 1], keys[j]) = (keys[j], keys[j - 1]);
            }
        }
    }

    function _probeId(bytes memory params, bytes32 digest) internal view returns (bytes32) {
        return _actionId(address(probe), KIND, params, digest);
    }

    /// @dev Signatures of the first `count` members (ascending addresses) vetoing `actionId`.
    function _vetoes(bytes32 actionId, uint256 count) internal view returns (bytes[] memory signatures) {
        signatures = new bytes[](count);
        for (uint256 i = 0; i < count; i++) {
            signatures[i] = _sign(memberKeys[i], schedule.vetoDigest(actionId));
        }
    }

    /// @dev Signatures of the first `count` members (ascending addresses) consenting to the next recovery.
    function _recoveryConsents(address newAnchorer, uint64 distrustFrom, uint256 count) internal view returns (bytes[] memory signatures) {
        signatures = new bytes[](count);
        for (uint256 i = 0; i < count; i++) {
            signatures[i] = _sign(memberKeys[i], schedule.recoveryDigest(newAnchorer, distrustFrom));
        }
    }

    function _status(bytes32 actionId) internal view returns (uint8) {
        return uint8(schedule.statusOf(actionId));
    }

    function _wrongStatus(bytes32 actionId, IActionSchedule.Status status) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(ActionSchedule.WrongStatus.selector, actionId, status);
    }
}

contract ActionScheduleTest is ScheduleFixture {
    bytes internal constant PARAMS = abi.encode(uint256(42));
    bytes32 internal constant DIGEST = keccak256("decision: probe 42");

    function setUp() public {
        _setUpCoop(10); // a veto needs 2 of 10 (20 %)
    }

    // ------------------------------------------------------------------ scheduling

    function test_scheduling_publishes_the_whole_action() public {
        bytes32 poll = _pollOf(DIGEST);
        bytes32 leaf = _leaf(address(probe), KIND, PARAMS, DIGEST, poll, 1);
        DecisionRef memory ref = _anchorLeaf(leaf);
        bytes32 actionId = _probeId(PARAMS, DIGEST);
        IActionSchedule.Action memory expected = IActionSchedule.Action({
            executableAt: uint64(block.timestamp) + NOTICE,
            expiresAt: uint64(block.timestamp) + NOTICE + VALIDITY,
            version: 1,
            batchSequence: anchor.batchCount(),
            leafIndex: ref.index,
            executed: false,
            vetoed: false,
            poll: poll
        });
        vm.expectEmit(address(schedule));
        emit ActionSchedule.ActionScheduled(actionId, poll, address(probe), 1, KIND, PARAMS, DIGEST, leaf, expected);
        vm.prank(address(0x5C4E)); // anyone may schedule an anchored action
        assertEq(schedule.schedule(address(probe), KIND, PARAMS, DIGEST, poll, 1, ref), actionId);
        assertEq(_status(actionId), uint8(IActionSchedule.Status.Pending));
        assertEq(schedule.actionOf(actionId).executableAt, expected.executableAt);
    }

    function test_an_unanchored_or_mismatched_leaf_cannot_be_scheduled() public {
        bytes32 poll = _pollOf(DIGEST);
        bytes32 leaf = _leaf(address(probe), KIND, PARAMS, DIGEST, poll, 1);
        DecisionRef memory ref = _anchorLeaf(leaf);
        // Another version, poll or parameter than the anchored leaf says.
        vm.expectRevert(
            abi.encodeWithSelector(ActionSchedule.NotAnchored.selector, ref.root, _leaf(address(probe), KIND, PARAMS, DIGEST, poll, 2))
        );
        schedule.schedule(address(probe), KIND, PARAMS, DIGEST, poll, 2, ref);
        vm.expectRevert();
        schedule.schedule(address(probe), KIND, abi.encode(uint256(43)), DIGEST, poll, 1, ref);

        // A leaf anchored by another cooperative's anchor.
        DecisionAnchor foreign = new DecisionAnchor(address(0xFACE));
        bytes32 elsewhereDigest = sha256("elsewhere");
        bytes32 other = _leaf(address(probe), KIND, PARAMS, elsewhereDigest, poll, 1);
        DecisionRef memory elsewhere = DecisionRef(other, other, 0, new bytes32[](0));
        vm.prank(address(0xFACE));
        foreign.anchor(other, 1);
        assertTrue(foreign.verifyInclusion(elsewhere));
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.NotAnchored.selector, other, other));
        schedule.schedule(address(probe), KIND, PARAMS, elsewhereDigest, poll, 1, elsewhere);

        schedule.schedule(address(probe), KIND, PARAMS, DIGEST, poll, 1, ref);
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.AlreadyScheduled.selector, _probeId(PARAMS, DIGEST)));
        schedule.schedule(address(probe), KIND, PARAMS, DIGEST, poll, 1, ref);
    }

    /// The attack of issue 15: the anchoring key alone anchors a fabricated action. An unscheduled
    /// leaf cannot execute; scheduled, it is public and waits out the notice, in which members veto it.
    function test_a_fabricated_action_is_public_and_members_veto_it_before_it_can_run() public {
        bytes32 actionId = _probeId(PARAMS, DIGEST);
        _anchorLeaf(_leaf(address(probe), KIND, PARAMS, DIGEST, _pollOf(DIGEST), 1));
        vm.expectRevert(_wrongStatus(actionId, IActionSchedule.Status.None));
        probe.run(PARAMS, DIGEST);

        _schedule(address(probe), KIND, PARAMS, DIGEST);
        vm.expectRevert(_wrongStatus(actionId, IActionSchedule.Status.Pending));
        probe.run(PARAMS, DIGEST);

        vm.warp(block.timestamp + NOTICE - 1);
        vm.prank(address(0x5E4D)); // anyone submits the members' signatures
        schedule.veto(actionId, _vetoes(actionId, 2));
        assertEq(_status(actionId), uint8(IActionSchedule.Status.Vetoed));
        vm.warp(block.timestamp + 1);
        vm.expectRevert(_wrongStatus(actionId, IActionSchedule.Status.Vetoed));
        probe.run(PARAMS, DIGEST);
        bytes[] memory vetoes160 = _vetoes(actionId, 2);
        vm.expectRevert(_wrongStatus(actionId, IActionSchedule.Status.Vetoed));
        schedule.veto(actionId, vetoes160);
    }

    function test_an_action_runs_once_between_its_notice_and_its_expiry() public {
        bytes32 actionId = _probeId(PARAMS, DIGEST);
        uint256 scheduledAt = block.timestamp;
        _schedule(address(probe), KIND, PARAMS, DIGEST);
        vm.warp(scheduledAt + NOTICE);
        probe.run(PARAMS, DIGEST);
        assertEq(probe.executedAt(actionId), scheduledAt + NOTICE);
        vm.expectRevert(_wrongStatus(actionId, IActionSchedule.Status.Executed));
        probe.run(PARAMS, DIGEST);
        bytes[] memory vetoes173 = _vetoes(actionId, 2);
        vm.expectRevert(_wrongStatus(actionId, IActionSchedule.Status.Executed));
        schedule.veto(actionId, vetoes173);
    }

    function test_an_action_not_executed_in_its_validity_window_is_dead() public {
        bytes32 actionId = _probeId(PARAMS, DIGEST);
        _schedule(address(probe), KIND, PARAMS, DIGEST);
        vm.warp(block.timestamp + NOTICE + VALIDITY);
        assertEq(_status(actionId), uint8(IActionSchedule.Status.Expired));
        vm.expectRevert(_wrongStatus(actionId, IActionSchedule.Status.Expired));
        probe.run(PARAMS, DIGEST);
        bytes[] memory vetoes184 = _vetoes(actionId, 2);
        vm.expectRevert(_wrongStatus(actionId, IActionSchedule.Status.Expired));
        schedule.veto(actionId, vetoes184);
    }

    // ------------------------------------------------------------------ supersession

    /// A revocation superseded by a revised outcome does not execute; the older version can no
    /// longer be scheduled once a newer one is.
    function test_scheduling_a_later_version_supersedes_the_earlier_ones() public {
        bytes32 poll = keccak256("loomio poll 7");
        bytes memory revoke = abi.encode(uint256(1));
        bytes memory amended = abi.encode(uint256(2));
        bytes32 v1 = sha256("poll 7 version 1");
        bytes32 v2 = sha256("poll 7 version 2");
        _scheduleIn(address(probe), KIND, revoke, v1, poll, 1);
        DecisionRef memory stale = _anchorLeaf(_leaf(address(probe), KIND, amended, v1, poll, 1));

        DecisionRef memory newer = _anchorLeaf(_leaf(address(probe), KIND, amended, v2, poll, 2));
        vm.expectEmit(address(schedule));
        emit ActionSchedule.PollSuperseded(poll, 1, 2);
        schedule.schedule(address(probe), KIND, amended, v2, poll, 2, newer);
        assertEq(schedule.latestVersion(poll), 2);
        assertEq(_status(_probeId(revoke, v1)), uint8(IActionSchedule.Status.Superseded));

        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.StaleVersion.selector, poll, 1, 2));
        schedule.schedule(address(probe), KIND, amended, v1, poll, 1, stale);

        vm.warp(block.timestamp + NOTICE);
        vm.expectRevert(_wrongStatus(_probeId(revoke, v1), IActionSchedule.Status.Superseded));
        probe.run(revoke, v1);
        probe.run(amended, v2);
    }

    function test_actions_of_one_version_do_not_supersede_each_other() public {
        bytes32 poll = keccak256("loomio poll 8");
        bytes32 digest = sha256("poll 8 version 3");
        _scheduleIn(address(probe), KIND, abi.encode(uint256(1)), digest, poll, 3);
        _scheduleIn(address(probe), KIND, abi.encode(uint256(2)), digest, poll, 3);
        vm.warp(block.timestamp + NOTICE);
        probe.run(abi.encode(uint256(1)), digest);
        probe.run(abi.encode(uint256(2)), digest);
    }

    // ------------------------------------------------------------------ veto

    function test_a_veto_below_quorum_fails() public {
        bytes32 actionId = _probeId(PARAMS, DIGEST);
        _schedule(address(probe), KIND, PARAMS, DIGEST);
        assertEq(schedule.vetoQuorum(), 2);
        bytes[] memory vetoes232 = _vetoes(actionId, 1);
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.VetoBelowQuorum.selector, 1, 2));
        schedule.veto(actionId, vetoes232);
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.VetoBelowQuorum.selector, 0, 2));
        schedule.veto(actionId, new bytes[](0));
        assertEq(_status(actionId), uint8(IActionSchedule.Status.Pending));
    }

    function test_duplicate_signers_non_members_and_ended_memberships_are_refused() public {
        bytes32 actionId = _probeId(PARAMS, DIGEST);
        _schedule(address(probe), KIND, PARAMS, DIGEST);
        bytes32 digest = schedule.vetoDigest(actionId);

        bytes[] memory twice = new bytes[](2);
        twice[0] = _sign(memberKeys[0], digest);
        twice[1] = _sign(memberKeys[0], digest);
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.DuplicateOrUnorderedSigner.selector, vm.addr(memberKeys[0])));
        schedule.veto(actionId, twice);

        bytes[] memory descending = new bytes[](2);
        descending[0] = _sign(memberKeys[1], digest);
        descending[1] = _sign(memberKeys[0], digest);
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.DuplicateOrUnorderedSigner.selector, vm.addr(memberKeys[0])));
        schedule.veto(actionId, descending);

        uint256 stranger = 0xBAD;
        uint256[] memory keys = new uint256[](2);
        keys[0] = memberKeys[0];
        keys[1] = stranger;
        _sortByAddress(keys);
        bytes[] memory withStranger = new bytes[](2);
        withStranger[0] = _sign(keys[0], digest);
        withStranger[1] = _sign(keys[1], digest);
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.NotMember.selector, vm.addr(stranger)));
        schedule.veto(actionId, withStranger);

        // A member who left no longer counts.
        address leaver = vm.addr(memberKeys[1]);
        uint256 token = identity.tokenOf(leaver);
        vm.prank(leaver);
        identity.unequip(token);
        bytes[] memory vetoes272 = _vetoes(actionId, 2);
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.NotMember.selector, leaver));
        schedule.veto(actionId, vetoes272);

        bytes[] memory garbage = new bytes[](2);
        garbage[0] = hex"00";
        garbage[1] = _sign(memberKeys[2], digest);
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.InvalidVetoSignature.selector, 0));
        schedule.veto(actionId, garbage);
        assertEq(_status(actionId), uint8(IActionSchedule.Status.Pending));
    }

    function test_signatures_for_another_action_or_deployment_are_refused() public {
        bytes32 actionId = _probeId(PARAMS, DIGEST);
        _schedule(address(probe), KIND, PARAMS, DIGEST);
        bytes32 otherAction = _probeId(abi.encode(uint256(7)), DIGEST);

        bytes[] memory forOther = _vetoes(otherAction, 2);
        vm.expectRevert(); // they recover to unrelated addresses: not members (or out of order)
        schedule.veto(actionId, forOther);

        ActionSchedule otherDeployment = new ActionSchedule(anchor);
        bytes[] memory elsewhere = new bytes[](2);
        for (uint256 i = 0; i < 2; i++) {
            elsewhere[i] = _sign(memberKeys[i], otherDeployment.vetoDigest(actionId));
        }
        vm.expectRevert();
        schedule.veto(actionId, elsewhere);

        uint256 realChain = block.chainid;
        vm.chainId(realChain + 1);
        bytes[] memory otherChain = _vetoes(actionId, 2);
        vm.chainId(realChain);
        vm.expectRevert();
        schedule.veto(actionId, otherChain);
        assertEq(_status(actionId), uint8(IActionSchedule.Status.Pending));

        schedule.veto(actionId, _vetoes(actionId, 2));
        assertEq(_status(actionId), uint8(IActionSchedule.Status.Vetoed));
    }

    function test_nothing_can_be_vetoed_that_was_never_scheduled() public {
        bytes[] memory vetoes313 = _vetoes(bytes32(uint256(1)), 2);
        vm.expectRevert(_wrongStatus(bytes32(uint256(1)), IActionSchedule.Status.None));
        schedule.veto(bytes32(uint256(1)), vetoes313);
    }

    // ------------------------------------------------------------------ notice floor and binding

    function test_the_notice_floor_cannot_be_amended_away() public {
        bytes32 digest = sha256("decision: one hour notice");
        // forge-lint: disable-next-line(unsafe-typecast)
        _authorise(address(constitution), GovernanceAction.AMEND_PARAMETER, abi.encode(bytes32("noticePeriod"), uint256(1 hours)), digest);
        vm.expectRevert(
            // forge-lint: disable-next-line(unsafe-typecast)
            abi.encodeWithSelector(Constitution.ValueOutOfRange.selector, bytes32("noticePeriod"), 1 hours, 48 hours, 30 days)
        );
        constitution.amend("noticePeriod", 1 hours, digest);
    }

    function test_a_public_chain_refuses_a_notice_floor_below_48_hours() public {
        vm.chainId(100);
        ActionSchedule fresh = _freshSchedule();
        CoopIdentity freshIdentity = new CoopIdentity("C", "C", fresh, vm.addr(ISSUER_KEY));
        Constitution.ParameterSpec[] memory parameters = _parameters();
        parameters[3] = Constitution.ParameterSpec("noticePeriod", 10 minutes, 10 minutes, 30 days);
        Constitution shortNotice = new Constitution(_genesis(address(freshIdentity)), fresh, parameters);
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.NoticeFloorTooLow.selector, 10 minutes, 48 hours));
        fresh.bind(freshIdentity, shortNotice);

        parameters[3] = Constitution.ParameterSpec("noticePeriod", 48 hours, 48 hours, 30 days);
        Constitution fullNotice = new Constitution(_genesis(address(freshIdentity)), fresh, parameters);
        fresh.bind(freshIdentity, fullNotice);
        assertEq(address(fresh.constitution()), address(fullNotice));
    }

    function test_binding_happens_once_by_the_deployer_and_only_to_this_schedules_contracts() public {
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.AlreadyBound.selector));
        schedule.bind(identity, constitution);

        ActionSchedule fresh = new ActionSchedule(anchor);
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.NotBinder.selector, address(0xBAD)));
        vm.prank(address(0xBAD));
        fresh.bind(identity, constitution);
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.BindingMismatch.selector, address(identity)));
        fresh.bind(identity, constitution);
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.NotBound.selector));
        fresh.schedule(address(probe), KIND, PARAMS, DIGEST, bytes32(0), 1, DecisionRef(0, 0, 0, new bytes32[](0)));

        CoopIdentity freshIdentity = new CoopIdentity("C", "C", fresh, vm.addr(ISSUER_KEY));
        Constitution.ParameterSpec[] memory withoutVeto = new Constitution.ParameterSpec[](2);
        withoutVeto[0] = _parameters()[3];
        withoutVeto[1] = _parameters()[4];
        Constitution incomplete = new Constitution(_genesis(address(freshIdentity)), fresh, withoutVeto);
        // forge-lint: disable-next-line(unsafe-typecast)
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.MissingParameter.selector, bytes32("vetoQuorumBps")));
        fresh.bind(freshIdentity, incomplete);

        // The anchor must name this schedule as the only contract that may replace its key.
        Constitution complete = new Constitution(_genesis(address(freshIdentity)), fresh, _parameters());
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.BindingMismatch.selector, address(anchor)));
        fresh.bind(freshIdentity, complete);
    }

    function test_a_recovery_quorum_below_a_majority_is_refused_at_binding() public {
        ActionSchedule fresh = _freshSchedule();
        CoopIdentity freshIdentity = new CoopIdentity("C", "C", fresh, vm.addr(ISSUER_KEY));
        Constitution.ParameterSpec[] memory parameters = _parameters();
        parameters[6] = Constitution.ParameterSpec("recoveryQuorumBps", 5_001, 5_000, 10_000);
        Constitution minority = new Constitution(_genesis(address(freshIdentity)), fresh, parameters);
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.RecoveryQuorumTooLow.selector, 5_000, 5_001));
        fresh.bind(freshIdentity, minority);
    }

    /// @dev A schedule over its own anchor, which names it governor (as the deploy script wires them).
    function _freshSchedule() internal returns (ActionSchedule fresh) {
        DecisionAnchor freshAnchor = new DecisionAnchor(ANCHORER);
        fresh = new ActionSchedule(freshAnchor);
        freshAnchor.bindGovernor(address(fresh));
    }

    // ------------------------------------------------------------------ compromise recovery

    /// The anchoring key is stolen: the thief anchors fabrications. A majority of the members replace
    /// the key without it, which cancels what the thief scheduled and leaves the thief's other roots
    /// unschedulable; the genuine action anchored before the theft still runs.
    function test_a_member_majority_replaces_a_stolen_anchoring_key_and_cancels_its_actions() public {
        bytes memory genuineParams = abi.encode(uint256(1));
        bytes32 genuineDigest = sha256("decision: genuine");
        bytes32 genuine = _probeId(genuineParams, genuineDigest);
        _schedule(address(probe), KIND, genuineParams, genuineDigest); // batch 2 (batch 1 admitted the members)

        bytes32 fabricated = _probeId(PARAMS, DIGEST);
        _schedule(address(probe), KIND, PARAMS, DIGEST); // batch 3: the thief's
        bytes memory laterParams = abi.encode(uint256(3));
        bytes32 laterDigest = sha256("decision: also fabricated");
        DecisionRef memory unscheduled = _anchorLeaf(_leaf(address(probe), KIND, laterParams, laterDigest, _pollOf(laterDigest), 1)); // batch 4
        assertEq(anchor.batchCount(), 4);

        address fresh = address(0xF2E5);
        uint256 needed = schedule.recoveryQuorum();
        assertEq(needed, 6, "a majority of 10 members");
        bytes[] memory tooFew = _recoveryConsents(fresh, 3, needed - 1);
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.VetoBelowQuorum.selector, needed - 1, needed));
        schedule.recover(fresh, 3, tooFew);

        bytes[] memory consents = _recoveryConsents(fresh, 3, needed);
        vm.expectEmit(address(schedule));
        emit ActionSchedule.AnchorerRecovered(fresh, 3, 4, _firstMembers(needed));
        vm.prank(address(0x5E4D)); // anyone submits the members' consents
        schedule.recover(fresh, 3, consents);

        assertEq(anchor.anchorer(), fresh);
        assertEq(anchor.keySince(), 5);
        assertEq(_status(fabricated), uint8(IActionSchedule.Status.Cancelled));
        vm.warp(block.timestamp + NOTICE);
        vm.expectRevert(_wrongStatus(fabricated, IActionSchedule.Status.Cancelled));
        probe.run(PARAMS, DIGEST);
        bytes[] memory vetoes = _vetoes(fabricated, 2);
        vm.expectRevert(_wrongStatus(fabricated, IActionSchedule.Status.Cancelled));
        schedule.veto(fabricated, vetoes);
        // The thief's other root can no longer schedule anything, nor can the thief anchor.
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.AnchoredByReplacedKey.selector, unscheduled.root, 4, 5));
        schedule.schedule(address(probe), KIND, laterParams, laterDigest, _pollOf(laterDigest), 1, unscheduled);
        vm.expectRevert(abi.encodeWithSelector(IDecisionAnchor.NotAnchorer.selector, ANCHORER));
        vm.prank(ANCHORER);
        anchor.anchor(keccak256("more"), 1);
        // Before the distrusted window: the genuine action runs.
        probe.run(genuineParams, genuineDigest);
        assertEq(_status(genuine), uint8(IActionSchedule.Status.Executed));
        // Consents count once: the same signatures do not recover again.
        vm.expectRevert();
        schedule.recover(fresh, 3, consents);
    }

    function test_a_recovery_names_a_batch_range_that_exists() public {
        bytes[] memory consents = _recoveryConsents(address(0xF2E5), 0, 6);
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.InvalidDistrustFrom.selector, 0, 1));
        schedule.recover(address(0xF2E5), 0, consents);
        consents = _recoveryConsents(address(0xF2E5), 3, 6);
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.InvalidDistrustFrom.selector, 3, 1));
        schedule.recover(address(0xF2E5), 3, consents);
        // One past the last batch distrusts nothing: a plain key replacement by the members.
        consents = _recoveryConsents(address(0xF2E5), 2, 6);
        schedule.recover(address(0xF2E5), 2, consents);
        assertEq(schedule.distrustedBatches().length, 0);
        assertEq(anchor.anchorer(), address(0xF2E5));
    }

    /// A planned key change is a decision like any other: public, with notice, and vetoable.
    function test_a_decision_replaces_the_anchoring_key_only_after_its_notice() public {
        address next = address(0xBEEF);
        bytes memory params = abi.encode(next);
        bytes32 digest = sha256("decision: rotate the anchoring key");
        bytes32 actionId = _actionId(address(schedule), GovernanceAction.SET_ANCHORER, params, digest);
        vm.expectRevert(_wrongStatus(actionId, IActionSchedule.Status.None));
        schedule.replaceAnchorer(next, digest);
        _schedule(address(schedule), GovernanceAction.SET_ANCHORER, params, digest);
        vm.expectRevert(_wrongStatus(actionId, IActionSchedule.Status.Pending));
        schedule.replaceAnchorer(next, digest);
        vm.warp(block.timestamp + NOTICE);
        schedule.replaceAnchorer(next, digest);
        assertEq(anchor.anchorer(), next);
        assertEq(_status(actionId), uint8(IActionSchedule.Status.Executed));

        // A fabricated rotation (the anchoring key handing itself on) is vetoed like anything else.
        bytes32 otherDigest = sha256("fabricated: rotate to the thief");
        bytes32 other = _actionId(address(schedule), GovernanceAction.SET_ANCHORER, abi.encode(address(0xBAD)), otherDigest);
        vm.startPrank(next);
        bytes32 leaf = _leaf(address(schedule), GovernanceAction.SET_ANCHORER, abi.encode(address(0xBAD)), otherDigest, _pollOf(otherDigest), 1);
        anchor.anchor(leaf, 1);
        vm.stopPrank();
        schedule.schedule(address(schedule), GovernanceAction.SET_ANCHORER, abi.encode(address(0xBAD)), otherDigest, _pollOf(otherDigest), 1, DecisionRef(leaf, leaf, 0, new bytes32[](0)));
        schedule.veto(other, _vetoes(other, 2));
        vm.warp(block.timestamp + NOTICE);
        vm.expectRevert(_wrongStatus(other, IActionSchedule.Status.Vetoed));
        schedule.replaceAnchorer(address(0xBAD), otherDigest);
        assertEq(anchor.anchorer(), next);
    }

    function _firstMembers(uint256 count) internal view returns (address[] memory members) {
        members = new address[](count);
        for (uint256 i = 0; i < count; i++) {
            members[i] = vm.addr(memberKeys[i]);
        }
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_an_action_executes_only_inside_its_window(uint256 delay) public {
        delay = bound(delay, 0, NOTICE + VALIDITY + 1 days);
        bytes32 actionId = _probeId(PARAMS, DIGEST);
        _schedule(address(probe), KIND, PARAMS, DIGEST);
        vm.warp(block.timestamp + delay);
        if (delay < NOTICE) {
            vm.expectRevert(_wrongStatus(actionId, IActionSchedule.Status.Pending));
        } else if (delay >= NOTICE + VALIDITY) {
            vm.expectRevert(_wrongStatus(actionId, IActionSchedule.Status.Expired));
        }
        probe.run(PARAMS, DIGEST);
    }

    function testFuzz_a_non_member_signature_never_counts(uint256 keySeed) public {
        uint256 key = boundPrivateKey(keySeed);
        vm.assume(!identity.isMember(vm.addr(key)));
        bytes32 actionId = _probeId(PARAMS, DIGEST);
        _schedule(address(probe), KIND, PARAMS, DIGEST);
        uint256[] memory keys = new uint256[](2);
        keys[0] = memberKeys[0];
        keys[1] = key;
        _sortByAddress(keys);
        bytes[] memory signatures = new bytes[](2);
        signatures[0] = _sign(keys[0], schedule.vetoDigest(actionId));
        signatures[1] = _sign(keys[1], schedule.vetoDigest(actionId));
        vm.expectRevert(abi.encodeWithSelector(ActionSchedule.NotMember.selector, vm.addr(key)));
        schedule.veto(actionId, signatures);
    }
}

/// @dev Gas of the schedule's operations, each alone in its test (the snapshot records them).
contract ActionScheduleGasTest is ScheduleFixture {
    bytes internal constant PARAMS = abi.encode(uint256(42));
    bytes32 internal constant DIGEST = keccak256("decision: probe 42");
    bytes32 internal actionId;
    DecisionRef internal ref;

    function setUp() public {
        vetoQuorumBps = 1; // one signature suffices, so a veto may carry 1, 5 or 20
        _setUpCoop(20);
        ref = _anchorLeaf(_leaf(address(probe), KIND, PARAMS, DIGEST, _pollOf(DIGEST), 1));
        actionId = _probeId(PARAMS, DIGEST);
        schedule.schedule(address(probe), KIND, PARAMS, DIGEST, _pollOf(DIGEST), 1, ref);
    }

    function test_gas_schedule() public {
        bytes32 digest = sha256("another decision");
        DecisionRef memory other = _anchorLeaf(_leaf(address(probe), KIND, PARAMS, digest, _pollOf(digest), 1));
        uint256 before = gasleft();
        schedule.schedule(address(probe), KIND, PARAMS, digest, _pollOf(digest), 1, other);
        assertLt(before - gasleft(), 140_000, "schedule");
    }

    function test_gas_execute_amendment() public {
        bytes32 digest = sha256("decision: 3 confirmations");
        // forge-lint: disable-next-line(unsafe-typecast)
        _authorise(address(constitution), GovernanceAction.AMEND_PARAMETER, abi.encode(bytes32("confirmations"), uint256(3)), digest);
        uint256 before = gasleft();
        constitution.amend("confirmations", 3, digest);
        assertLt(before - gasleft(), 60_000, "amend through the schedule");
    }

    function _vetoGas(uint256 signatures) internal {
        bytes[] memory vetoes = _vetoes(actionId, signatures);
        uint256 before = gasleft();
        schedule.veto(actionId, vetoes);
        uint256 used = before - gasleft();
        assertLt(used, 33_000 + signatures * 12_000, "veto gas"); // incl. the recovery windows' cold read
        assertEq(_status(actionId), uint8(IActionSchedule.Status.Vetoed));
    }

    function test_gas_recover_with_a_majority_of_20_members() public {
        uint256 needed = schedule.recoveryQuorum();
        assertEq(needed, 11);
        bytes[] memory consents = _recoveryConsents(address(0xF2E5), 2, needed);
        uint256 before = gasleft();
        schedule.recover(address(0xF2E5), 2, consents);
        assertLt(before - gasleft(), 100_000 + needed * 12_000, "recover gas");
        assertEq(_status(actionId), uint8(IActionSchedule.Status.Cancelled));
    }

    function test_gas_veto_1_signature() public {
        _vetoGas(1);
    }

    function test_gas_veto_5_signatures() public {
        _vetoGas(5);
    }

    function test_gas_veto_20_signatures() public {
        _vetoGas(20);
    }
}

/// @dev Schedules, vetoes, supersedes and executes actions of three polls in any order and at any
///      time, keeping its own record of what the rules allow.
contract ScheduleHandler is ScheduleFixture {
    struct Ghost {
        bytes params;
        bytes32 digest;
        bytes32 poll;
        uint64 version;
        uint256 scheduledAt;
        uint64 batch;
        bool vetoed;
        bool cancelled;
    }

    Ghost[] internal _ghosts;
    mapping(bytes32 poll => uint64) internal _latest;
    uint256 public executions;
    uint256 public violations;

    constructor() {
        _setUpCoop(3); // one signature vetoes
    }

    function scheduleAction(uint256 seed, bool newerVersion) external {
        bytes32 poll = bytes32(seed % 3);
        uint64 version = _latest[poll] + (newerVersion || _latest[poll] == 0 ? 1 : 0);
        bytes memory params = abi.encode(seed);
        bytes32 digest = keccak256(abi.encode("record", _ghosts.length));
        _scheduleIn(address(probe), KIND, params, digest, poll, version);
        _latest[poll] = version;
        _ghosts.push(Ghost(params, digest, poll, version, block.timestamp, anchor.batchCount(), false, false));
    }

    /// @dev A member majority recovers the anchoring key (handing it to the same address, so the
    ///      handler keeps anchoring) and distrusts batches from `seed`'s pick on.
    function recoverKey(uint256 seed) external {
        uint64 last = anchor.batchCount();
        uint64 from = uint64(bound(seed, 1, last + 1));
        schedule.recover(ANCHORER, from, _recoveryConsents(ANCHORER, from, schedule.recoveryQuorum()));
        for (uint256 i = 0; i < _ghosts.length; i++) {
            if (_ghosts[i].batch >= from) _ghosts[i].cancelled = true;
        }
    }

    function passTime(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 0, 20 days));
    }

    function vetoAction(uint256 which) external {
        if (_ghosts.length == 0) return;
        Ghost storage ghost = _ghosts[which % _ghosts.length];
        bytes32 id = _probeId(ghost.params, ghost.digest);
        try schedule.veto(id, _vetoes(id, 1)) {
            ghost.vetoed = true;
        } catch {}
    }

    function execute(uint256 which) external {
        if (_ghosts.length == 0) return;
        Ghost storage ghost = _ghosts[which % _ghosts.length];
        try probe.run(ghost.params, ghost.digest) {
            executions++;
            bool early = block.timestamp < ghost.scheduledAt + NOTICE;
            bool late = block.timestamp >= ghost.scheduledAt + NOTICE + VALIDITY;
            if (early || late || ghost.vetoed || ghost.cancelled || ghost.version < _latest[ghost.poll]) violations++;
        } catch {}
    }

    function theProbe() external view returns (ActionProbe) {
        return probe;
    }
}

contract ActionScheduleInvariantTest is Decisions {
    ScheduleHandler internal handler;

    function setUp() public {
        handler = new ScheduleHandler();
        targetContract(address(handler));
    }

    /// No action executes unless scheduled at least the notice period earlier and neither vetoed,
    /// superseded, cancelled by a recovery nor expired.
    function invariant_no_action_runs_outside_the_rules() public view {
        assertEq(handler.violations(), 0, "an action ran outside the rules");
    }
}
