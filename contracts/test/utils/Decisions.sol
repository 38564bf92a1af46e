// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {ActionSchedule} from "../../src/ActionSchedule.sol";
import {Constitution} from "../../src/Constitution.sol";
import {CoopIdentity} from "../../src/CoopIdentity.sol";
import {DecisionAnchor} from "../../src/DecisionAnchor.sol";
import {DecisionRef} from "../../src/interfaces/IDecisionAnchor.sol";
import {DecisionMerkle} from "../../src/libraries/DecisionMerkle.sol";
import {GovernanceAction} from "../../src/libraries/GovernanceAction.sol";
import {MerkleBuilder} from "./MerkleBuilder.sol";
import {Test} from "./Test.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @notice Test helper: one cooperative's contracts as the deploy script wires them, and anchored,
///         scheduled actions (between ordinary decision leaves, as the bridge would lay them out).
abstract contract Decisions is Test {
    address internal constant ANCHORER = address(0xA11C);
    uint64 internal constant NOTICE = 48 hours;
    uint64 internal constant VALIDITY = 30 days;
    uint256 internal constant VETO_QUORUM_BPS = 2000;
    uint256 internal constant RECOVERY_QUORUM_BPS = 5001;
    uint64 internal constant VERSION = 1;

    /// @dev The veto quorum the next {_deployCoop} writes into the constitution.
    uint256 internal vetoQuorumBps = VETO_QUORUM_BPS;

    DecisionAnchor internal anchor;
    ActionSchedule internal schedule;
    CoopIdentity internal identity;
    Constitution internal constitution;
    uint256 private _batchSalt;

    /// @dev One cooperative: anchor, schedule, identity and constitution (genesis "Riverside Coop",
    ///      the deploy script's parameters), bound together.
    function _deployCoop(address issuer) internal {
        anchor = new DecisionAnchor(ANCHORER);
        schedule = new ActionSchedule(anchor);
        anchor.bindGovernor(address(schedule));
        identity = new CoopIdentity("Riverside Coop Membership", "RCM", schedule, issuer);
        constitution = new Constitution(_genesis(address(identity)), schedule, _parameters());
        schedule.bind(identity, constitution);
    }

    function _genesis(address identity_) internal pure returns (Constitution.Genesis memory) {
        bytes32[] memory documents = new bytes32[](2);
        documents[0] = sha256("Articles of association");
        documents[1] = sha256("Member handbook");
        return Constitution.Genesis("Riverside Coop", documents, "ICA-1995", 7, identity_, 0);
    }

    /// @dev The parameters and ranges of the deploy script (with 12 confirmations and the 48-hour floor).
    function _parameters() internal view returns (Constitution.ParameterSpec[] memory parameters) {
        parameters = new Constitution.ParameterSpec[](7);
        parameters[0] = Constitution.ParameterSpec("confirmations", 12, 1, 256);
        parameters[1] = Constitution.ParameterSpec("maxPayRatioX100", 600, 100, 10_000);
        parameters[2] = Constitution.ParameterSpec("ballotQuorumBps", 5000, 1, 10_000);
        parameters[3] = Constitution.ParameterSpec("noticePeriod", NOTICE, 48 hours, 30 days);
        parameters[4] = Constitution.ParameterSpec("actionValidity", VALIDITY, 1 hours, 365 days);
        parameters[5] = Constitution.ParameterSpec("vetoQuorumBps", vetoQuorumBps, 1, 10_000);
        parameters[6] = Constitution.ParameterSpec("recoveryQuorumBps", RECOVERY_QUORUM_BPS, 5_001, 10_000);
    }

    /// @dev The poll a test decision belongs to: one poll per decision record unless a test says otherwise.
    function _pollOf(bytes32 digest) internal pure returns (bytes32) {
        return keccak256(abi.encode("poll", digest));
    }

    function _actionId(address target, bytes32 kind, bytes memory params, bytes32 digest) internal view returns (bytes32) {
        return GovernanceAction.id(block.chainid, target, kind, params, digest);
    }

    function _leaf(address target, bytes32 kind, bytes memory params, bytes32 digest, bytes32 poll, uint64 version)
        internal
        view
        returns (bytes32)
    {
        return GovernanceAction.leaf(_actionId(target, kind, params, digest), poll, version);
    }

    /// @dev Anchors a batch holding `leaves` and returns a citation for each.
    function _anchorLeaves(bytes32[] memory actions) internal returns (DecisionRef[] memory refs) {
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

    function _anchorLeaf(bytes32 leaf) internal returns (DecisionRef memory) {
        bytes32[] memory leaves = new bytes32[](1);
        leaves[0] = leaf;
        return _anchorLeaves(leaves)[0];
    }

    /// @dev Anchors and schedules one action of version `version` of `poll`; returns its leaf's citation.
    function _scheduleIn(address target, bytes32 kind, bytes memory params, bytes32 digest, bytes32 poll, uint64 version)
        internal
        returns (DecisionRef memory ref)
    {
        ref = _anchorLeaf(_leaf(target, kind, params, digest, poll, version));
        schedule.schedule(target, kind, params, digest, poll, version, ref);
    }

    /// @dev Anchors and schedules one action (its own poll, version 1); returns its leaf's citation.
    function _schedule(address target, bytes32 kind, bytes memory params, bytes32 digest) internal returns (DecisionRef memory) {
        return _scheduleIn(target, kind, params, digest, _pollOf(digest), VERSION);
    }

    /// @dev Anchors, schedules and lets the notice pass: the action is executable. Returns its leaf's citation.
    function _authorise(address target, bytes32 kind, bytes memory params, bytes32 digest) internal returns (DecisionRef memory ref) {
        ref = _schedule(target, kind, params, digest);
        vm.warp(block.timestamp + NOTICE);
    }

    /// @dev Anchors actions of one kind at one target in one batch, schedules them all and lets the notice pass.
    function _authoriseBatch(address target, bytes32 kind, bytes[] memory params, bytes32[] memory digests)
        internal
        returns (DecisionRef[] memory refs)
    {
        bytes32[] memory leaves = new bytes32[](params.length);
        for (uint256 i = 0; i < params.length; i++) {
            leaves[i] = _leaf(target, kind, params[i], digests[i], _pollOf(digests[i]), VERSION);
        }
        refs = _anchorLeaves(leaves);
        for (uint256 i = 0; i < params.length; i++) {
            schedule.schedule(target, kind, params[i], digests[i], _pollOf(digests[i]), VERSION, refs[i]);
        }
        vm.warp(block.timestamp + NOTICE);
    }

    /// @dev Admits `key`'s address with the member's consent, through an authorised decision.
    function _admitKey(uint256 issuerKey, uint256 key, bytes32 role, bytes32 digest) internal returns (uint256 tokenId) {
        address member = vm.addr(key);
        _authorise(address(identity), GovernanceAction.ADMIT_MEMBER, abi.encode(member, role), digest);
        tokenId = _give(issuerKey, key, role, digest);
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev Gives the token of an executable admission of `key`'s address with its consent.
    function _give(uint256 issuerKey, uint256 key, bytes32 role, bytes32 digest) internal returns (uint256) {
        bytes memory metadata = abi.encode(CoopIdentity.MembershipTerms(role, "", digest));
        bytes memory consent = _sign(key, identity.agreementHash(vm.addr(issuerKey), vm.addr(key), metadata));
        vm.prank(vm.addr(issuerKey));
        return identity.give(vm.addr(key), metadata, consent);
    }
}
