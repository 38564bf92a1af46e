// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {CoopIdentity} from "../src/CoopIdentity.sol";
import {ActionSchedule} from "../src/ActionSchedule.sol";
import {IActionSchedule} from "../src/interfaces/IActionSchedule.sol";
import {DecisionRef} from "../src/interfaces/IDecisionAnchor.sol";
import {IERC4973} from "../src/interfaces/IERC4973.sol";
import {GovernanceAction} from "../src/libraries/GovernanceAction.sol";
import {Decisions} from "./utils/Decisions.sol";

contract CoopIdentityTest is Decisions {
    address internal constant OWNER = address(0x0C0);
    uint256 internal constant ISSUER_KEY = 0x1551E;
    uint256 internal constant ALICE_KEY = 0xA11CE;
    uint256 internal constant BOB_KEY = 0xB0B;
    bytes32 internal constant MEMBER = keccak256("member");
    bytes32 internal constant STEWARD = keccak256("steward");

    address internal issuer;
    address internal alice;
    address internal bob;

    function setUp() public {
        issuer = vm.addr(ISSUER_KEY);
        alice = vm.addr(ALICE_KEY);
        bob = vm.addr(BOB_KEY);
        _deployCoop(issuer);
    }

    // ------------------------------------------------------------------ helpers

    function _admitId(address member, bytes32 role, bytes32 digest) internal view returns (bytes32) {
        return _actionId(address(identity), GovernanceAction.ADMIT_MEMBER, abi.encode(member, role), digest);
    }

    /// @dev Anchors and schedules the admission of `member` as `role`, and lets its notice pass.
    function _authoriseAdmission(address member, bytes32 role, bytes32 digest) internal returns (DecisionRef memory) {
        return _authorise(address(identity), GovernanceAction.ADMIT_MEMBER, abi.encode(member, role), digest);
    }

    function _terms(bytes32 role, bytes32 digest) internal pure returns (bytes memory) {
        return abi.encode(CoopIdentity.MembershipTerms(role, "ipfs://bafy-member-card", digest));
    }

    function _status(bytes32 id, IActionSchedule.Status status) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(ActionSchedule.WrongStatus.selector, id, status);
    }

    function _consent(uint256 key, address active, address passive, bytes memory metadata) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, identity.agreementHash(active, passive, metadata));
        return abi.encodePacked(r, s, v);
    }

    /// @dev Anchors an admission of `member` and gives the token with the member's consent.
    function _admit(address member, uint256 key, bytes32 role, bytes32 digest) internal returns (uint256 tokenId) {
        _authoriseAdmission(member, role, digest);
        bytes memory metadata = _terms(role, digest);
        bytes memory signature = _consent(key, issuer, member, metadata);
        vm.prank(issuer);
        tokenId = identity.give(member, metadata, signature);
    }

    // ------------------------------------------------------------------ ERC-4973 surface

    function test_interfaces_are_the_current_ERC4973_ones() public view {
        assertEq(uint256(uint32(type(IERC4973).interfaceId)), uint256(uint32(0xeb72bb7c)), "ERC-4973 id");
        assertTrue(identity.supportsInterface(0xeb72bb7c), "ERC-4973");
        assertTrue(identity.supportsInterface(0x01ffc9a7), "ERC-165");
        assertTrue(identity.supportsInterface(0x5b5e139f), "ERC-721 metadata");
        assertFalse(identity.supportsInterface(0x80ac58cd), "must not claim ERC-721");
        assertEq(identity.name(), "Riverside Coop Membership");
        assertEq(identity.symbol(), "RCM");
    }

    /// ERC-4973: the zero address holds no tokens and queries about it throw.
    function test_balanceOf_the_zero_address_throws() public {
        vm.expectRevert(CoopIdentity.ZeroAddressQuery.selector);
        identity.balanceOf(address(0));
        assertEq(identity.balanceOf(alice), 0, "any other address without a token has none");
    }

    function test_give_with_consent_and_an_anchored_decision_admits_the_member() public {
        bytes32 digest = sha256("decision: admit alice");
        DecisionRef memory ref = _authoriseAdmission(alice, MEMBER, digest);
        bytes memory metadata = _terms(MEMBER, digest);
        uint256 expectedId = uint256(identity.agreementHash(issuer, alice, metadata));
        bytes memory signature = _consent(ALICE_KEY, issuer, alice, metadata);

        // ERC-4973: give emits Transfer(msg.sender, to, tokenId); mints from the zero address do not exist.
        vm.expectEmit(address(identity));
        emit IERC4973.Transfer(issuer, alice, expectedId);
        vm.expectEmit(address(identity));
        emit CoopIdentity.Admitted(expectedId, alice, MEMBER, ref.leaf);
        vm.prank(issuer);
        uint256 tokenId = identity.give(alice, metadata, signature);

        assertEq(tokenId, expectedId, "token id is the agreement hash");
        assertEq(identity.balanceOf(alice), 1);
        assertEq(identity.ownerOf(tokenId), alice);
        assertTrue(identity.isMember(alice));
        assertEq(identity.tokenOf(alice), tokenId);
        assertEq(identity.tokenURI(tokenId), "ipfs://bafy-member-card");
        assertEq(identity.decodeURI(metadata), "ipfs://bafy-member-card");
        assertEq(identity.memberCount(), 1);
        assertEq(identity.members(0, 10)[0], alice);
        assertEq(uint8(schedule.statusOf(_admitId(alice, MEMBER, digest))), uint8(IActionSchedule.Status.Executed), "decision consumed");
        CoopIdentity.Membership memory record = identity.membership(tokenId);
        assertEq(record.role, MEMBER);
        assertEq(record.admissionLeaf, ref.leaf);
    }

    function test_take_lets_the_member_claim_a_token_the_issuer_signed() public {
        bytes32 digest = sha256("decision: admit bob");
        _authoriseAdmission(bob, STEWARD, digest);
        bytes memory metadata = _terms(STEWARD, digest);
        bytes memory issuerConsent = _consent(ISSUER_KEY, bob, issuer, metadata);
        uint256 expectedId = uint256(identity.agreementHash(bob, issuer, metadata));
        // ERC-4973: take emits Transfer(from, msg.sender, tokenId).
        vm.expectEmit(address(identity));
        emit IERC4973.Transfer(issuer, bob, expectedId);
        vm.prank(bob);
        uint256 tokenId = identity.take(issuer, metadata, issuerConsent);
        assertEq(tokenId, expectedId);
        assertEq(identity.ownerOf(tokenId), bob);

        // Only the issuer's consent counts.
        bytes memory carolMetadata = _terms(STEWARD, digest);
        bytes memory aliceConsent = _consent(ALICE_KEY, address(0xCA401), alice, carolMetadata);
        vm.expectRevert(abi.encodeWithSelector(CoopIdentity.NotIssuer.selector, alice));
        vm.prank(address(0xCA401));
        identity.take(alice, carolMetadata, aliceConsent);
    }

    // ------------------------------------------------------------------ attacks on issuance

    function test_issuing_without_a_scheduled_decision_fails() public {
        bytes32 digest = sha256("never scheduled");
        bytes memory metadata = _terms(MEMBER, digest);
        bytes memory signature = _consent(ALICE_KEY, issuer, alice, metadata);
        vm.expectRevert(_status(_admitId(alice, MEMBER, digest), IActionSchedule.Status.None));
        vm.prank(issuer);
        identity.give(alice, metadata, signature);
    }

    function test_issuing_during_the_notice_period_fails() public {
        bytes32 digest = sha256("decision: admit alice");
        _schedule(address(identity), GovernanceAction.ADMIT_MEMBER, abi.encode(alice, MEMBER), digest);
        bytes memory metadata = _terms(MEMBER, digest);
        bytes memory signature = _consent(ALICE_KEY, issuer, alice, metadata);
        vm.expectRevert(_status(_admitId(alice, MEMBER, digest), IActionSchedule.Status.Pending));
        vm.prank(issuer);
        identity.give(alice, metadata, signature);
        vm.warp(block.timestamp + NOTICE);
        vm.prank(issuer);
        identity.give(alice, metadata, signature);
        assertTrue(identity.isMember(alice));
    }

    function test_a_decision_for_another_member_or_role_cannot_be_used() public {
        bytes32 digest = sha256("decision: admit bob");
        _authoriseAdmission(bob, MEMBER, digest);
        bytes memory metadata = _terms(MEMBER, digest);
        bytes memory signature = _consent(ALICE_KEY, issuer, alice, metadata);
        vm.expectRevert(_status(_admitId(alice, MEMBER, digest), IActionSchedule.Status.None));
        vm.prank(issuer);
        identity.give(alice, metadata, signature);

        bytes32 aliceDigest = sha256("decision: admit alice");
        _authoriseAdmission(alice, MEMBER, aliceDigest);
        bytes memory asSteward = _terms(STEWARD, aliceDigest);
        bytes memory stewardSignature = _consent(ALICE_KEY, issuer, alice, asSteward);
        vm.expectRevert(_status(_admitId(alice, STEWARD, aliceDigest), IActionSchedule.Status.None));
        vm.prank(issuer);
        identity.give(alice, asSteward, stewardSignature);
    }

    function test_consent_signed_for_another_address_or_chain_is_rejected() public {
        bytes32 digest = sha256("decision: admit alice");
        _authoriseAdmission(alice, MEMBER, digest);
        bytes memory metadata = _terms(MEMBER, digest);

        bytes memory bobSigned = _consent(BOB_KEY, issuer, alice, metadata);
        vm.expectRevert(abi.encodeWithSelector(CoopIdentity.InvalidConsent.selector, alice));
        vm.prank(issuer);
        identity.give(alice, metadata, bobSigned);

        uint256 realChain = block.chainid;
        vm.chainId(realChain + 1);
        bytes memory otherChain = _consent(ALICE_KEY, issuer, alice, metadata);
        vm.chainId(realChain);
        vm.expectRevert(abi.encodeWithSelector(CoopIdentity.InvalidConsent.selector, alice));
        vm.prank(issuer);
        identity.give(alice, metadata, otherChain);
    }

    function test_take_needs_the_issuers_own_consent_to_this_member() public {
        bytes32 digest = sha256("decision: admit bob");
        _authoriseAdmission(bob, MEMBER, digest);
        bytes memory metadata = _terms(MEMBER, digest);
        bytes memory signedForAlice = _consent(ISSUER_KEY, alice, issuer, metadata);
        vm.expectRevert(abi.encodeWithSelector(CoopIdentity.InvalidConsent.selector, issuer));
        vm.prank(bob);
        identity.take(issuer, metadata, signedForAlice);
        bytes memory signedByBob = _consent(BOB_KEY, bob, issuer, metadata);
        vm.expectRevert(abi.encodeWithSelector(CoopIdentity.InvalidConsent.selector, issuer));
        vm.prank(bob);
        identity.take(issuer, metadata, signedByBob);
        assertFalse(identity.isMember(bob));
    }

    function test_only_the_issuer_gives_and_one_token_per_member() public {
        bytes32 digest = sha256("decision: admit alice");
        _authoriseAdmission(alice, MEMBER, digest);
        bytes memory metadata = _terms(MEMBER, digest);
        bytes memory signature = _consent(ALICE_KEY, bob, alice, metadata);
        vm.expectRevert(abi.encodeWithSelector(CoopIdentity.NotIssuer.selector, bob));
        vm.prank(bob);
        identity.give(alice, metadata, signature);

        uint256 tokenId = _admit(alice, ALICE_KEY, MEMBER, sha256("first"));
        bytes32 second = sha256("second");
        _authoriseAdmission(alice, MEMBER, second);
        bytes memory again = _terms(MEMBER, second);
        bytes memory againSigned = _consent(ALICE_KEY, issuer, alice, again);
        vm.expectRevert(abi.encodeWithSelector(CoopIdentity.AlreadyMember.selector, alice, tokenId));
        vm.prank(issuer);
        identity.give(alice, again, againSigned);
    }

    function test_a_replayed_admission_decision_is_refused() public {
        bytes32 digest = sha256("decision: admit alice");
        _authoriseAdmission(alice, MEMBER, digest);
        bytes memory metadata = _terms(MEMBER, digest);
        bytes memory firstSignature = _consent(ALICE_KEY, issuer, alice, metadata);
        vm.prank(issuer);
        uint256 tokenId = identity.give(alice, metadata, firstSignature);
        vm.prank(alice);
        identity.unequip(tokenId);

        // Same decision, new metadata URI (so a new agreement): the decision is spent.
        bytes memory replay = abi.encode(CoopIdentity.MembershipTerms(MEMBER, "ipfs://other", digest));
        bytes memory signature = _consent(ALICE_KEY, issuer, alice, replay);
        vm.expectRevert(_status(_admitId(alice, MEMBER, digest), IActionSchedule.Status.Executed));
        vm.prank(issuer);
        identity.give(alice, replay, signature);
    }

    function test_tokens_cannot_be_transferred_or_approved() public {
        uint256 tokenId = _admit(alice, ALICE_KEY, MEMBER, sha256("admit alice"));
        vm.startPrank(alice);
        (bool moved,) = address(identity).call(abi.encodeWithSignature("transferFrom(address,address,uint256)", alice, bob, tokenId));
        (bool safeMoved,) =
            address(identity).call(abi.encodeWithSignature("safeTransferFrom(address,address,uint256)", alice, bob, tokenId));
        (bool approved,) = address(identity).call(abi.encodeWithSignature("approve(address,uint256)", bob, tokenId));
        vm.stopPrank();
        assertFalse(moved || safeMoved || approved, "a soulbound token moved or was approved");
        assertEq(identity.ownerOf(tokenId), alice);
    }

    // ------------------------------------------------------------------ leaving and revocation

    function test_a_member_can_always_leave_and_the_record_stays() public {
        uint256 tokenId = _admit(alice, ALICE_KEY, MEMBER, sha256("admit alice"));
        vm.expectRevert(abi.encodeWithSelector(CoopIdentity.NotHolder.selector, bob, tokenId));
        vm.prank(bob);
        identity.unequip(tokenId);
        assertEq(identity.endedAt(tokenId), 0, "active");
        vm.warp(block.timestamp + 77);

        vm.expectEmit(address(identity));
        emit IERC4973.Transfer(alice, address(0), tokenId);
        vm.prank(alice);
        identity.unequip(tokenId);
        assertFalse(identity.isMember(alice));
        assertEq(identity.balanceOf(alice), 0);
        assertEq(uint256(identity.membership(tokenId).status), uint256(CoopIdentity.Status.Left));
        assertEq(identity.endedAt(tokenId), block.timestamp, "when it ended, for ballots");
        vm.expectRevert(abi.encodeWithSelector(CoopIdentity.NotActive.selector, tokenId));
        identity.ownerOf(tokenId);
        vm.expectRevert(abi.encodeWithSelector(CoopIdentity.NotActive.selector, tokenId));
        vm.prank(alice);
        identity.unequip(tokenId);
    }

    /// Deviation from ERC-4973 (docs/contracts.md): an unequipped membership is not re-equipable with
    /// the same agreement. Leaving ends the membership; coming back is a new admission that needs a
    /// new decision of the cooperative, and the ended record keeps its token id.
    function test_an_unequipped_agreement_cannot_be_re_equipped_and_re_admission_needs_a_new_decision() public {
        bytes32 digest = sha256("decision: admit alice");
        _authoriseAdmission(alice, MEMBER, digest);
        bytes memory metadata = _terms(MEMBER, digest);
        bytes memory aliceConsent = _consent(ALICE_KEY, issuer, alice, metadata);
        vm.prank(issuer);
        uint256 tokenId = identity.give(alice, metadata, aliceConsent);
        vm.prank(alice);
        identity.unequip(tokenId);

        vm.expectRevert(abi.encodeWithSelector(CoopIdentity.AgreementUsed.selector, tokenId));
        vm.prank(issuer);
        identity.give(alice, metadata, aliceConsent);

        bytes32 takeDigest = sha256("decision: admit alice (take)");
        _authoriseAdmission(alice, MEMBER, takeDigest);
        bytes memory takeMetadata = _terms(MEMBER, takeDigest);
        bytes memory issuerConsent = _consent(ISSUER_KEY, alice, issuer, takeMetadata);
        vm.prank(alice);
        uint256 taken = identity.take(issuer, takeMetadata, issuerConsent);
        vm.prank(alice);
        identity.unequip(taken);
        vm.expectRevert(abi.encodeWithSelector(CoopIdentity.AgreementUsed.selector, taken));
        vm.prank(alice);
        identity.take(issuer, takeMetadata, issuerConsent);

        assertEq(uint256(identity.membership(tokenId).status), uint256(CoopIdentity.Status.Left), "the record stays");
        uint256 again = _admit(alice, ALICE_KEY, MEMBER, sha256("decision: readmit alice"));
        assertTrue(again != tokenId && again != taken, "a new token");
        assertEq(identity.ownerOf(again), alice);
    }

    function test_revocation_needs_its_own_decision_and_re_admission_gives_a_new_token() public {
        uint256 first = _admit(alice, ALICE_KEY, MEMBER, sha256("admit alice"));
        _admit(bob, BOB_KEY, MEMBER, sha256("admit bob"));
        bytes32 digest = sha256("decision: remove alice");
        bytes memory params = abi.encode(alice, first);
        bytes32 id = _actionId(address(identity), GovernanceAction.REVOKE_MEMBER, params, digest);

        vm.expectRevert(_status(id, IActionSchedule.Status.None));
        identity.revoke(first, digest);

        DecisionRef memory ref = _authorise(address(identity), GovernanceAction.REVOKE_MEMBER, params, digest);
        vm.expectEmit(address(identity));
        emit CoopIdentity.Revoked(first, alice, ref.leaf);
        vm.prank(address(0xE7EC)); // anyone may execute a scheduled decision
        identity.revoke(first, digest);
        assertFalse(identity.isMember(alice));
        assertEq(identity.memberCount(), 1);
        assertEq(identity.members(0, 10)[0], bob);
        CoopIdentity.Membership memory record = identity.membership(first);
        assertEq(uint256(record.status), uint256(CoopIdentity.Status.Revoked));
        assertEq(record.revocationLeaf, ref.leaf);

        assertEq(identity.endedAt(first), block.timestamp);
        uint256 second = _admit(alice, ALICE_KEY, STEWARD, sha256("readmit alice"));
        assertTrue(second != first, "a new token");
        assertEq(identity.endedAt(second), 0);
        assertEq(identity.ownerOf(second), alice);
    }

    function test_ended_and_unknown_memberships_cannot_be_revoked_or_read_as_tokens() public {
        uint256 tokenId = _admit(alice, ALICE_KEY, MEMBER, sha256("admit alice"));
        bytes32 digest = sha256("decision: remove alice");
        bytes32 id = _actionId(address(identity), GovernanceAction.REVOKE_MEMBER, abi.encode(alice, tokenId), digest);
        _authorise(address(identity), GovernanceAction.REVOKE_MEMBER, abi.encode(alice, tokenId), digest);
        vm.prank(alice);
        identity.unequip(tokenId);

        vm.expectRevert(abi.encodeWithSelector(CoopIdentity.NotActive.selector, tokenId));
        identity.revoke(tokenId, digest);
        vm.expectRevert(abi.encodeWithSelector(CoopIdentity.NotActive.selector, tokenId));
        identity.tokenURI(tokenId);
        vm.expectRevert(abi.encodeWithSelector(CoopIdentity.NotActive.selector, uint256(1)));
        identity.revoke(1, digest);
        assertEq(uint8(schedule.statusOf(id)), uint8(IActionSchedule.Status.Executable), "the revocation stays unspent");
        assertEq(uint256(identity.membership(tokenId).status), uint256(CoopIdentity.Status.Left));
    }

    function test_members_pages_through_current_members() public {
        _admit(alice, ALICE_KEY, MEMBER, sha256("a"));
        _admit(bob, BOB_KEY, MEMBER, sha256("b"));
        assertEq(identity.members(1, 5).length, 1);
        assertEq(identity.members(2, 5).length, 0);
        assertEq(identity.members(0, 1).length, 1);
    }

    // ------------------------------------------------------------------ administration

    /// No owner: the issuing key changes only by a decision that served its notice.
    function test_the_issuer_is_replaced_only_by_a_scheduled_decision() public {
        bytes32 digest = sha256("decision: new issuing key");
        bytes memory params = abi.encode(bob);
        bytes32 actionId = _actionId(address(identity), GovernanceAction.SET_ISSUER, params, digest);
        vm.expectRevert(_status(actionId, IActionSchedule.Status.None));
        vm.prank(issuer);
        identity.setIssuer(bob, digest);

        _schedule(address(identity), GovernanceAction.SET_ISSUER, params, digest);
        vm.expectRevert(_status(actionId, IActionSchedule.Status.Pending));
        identity.setIssuer(bob, digest);
        vm.warp(block.timestamp + NOTICE);
        vm.prank(alice); // anyone executes it: the decision is the authority
        identity.setIssuer(bob, digest);
        assertEq(identity.issuer(), bob);

        vm.expectRevert(CoopIdentity.ZeroIssuer.selector);
        identity.setIssuer(address(0), digest);
        vm.expectRevert(CoopIdentity.ZeroIssuer.selector);
        new CoopIdentity("x", "x", schedule, address(0));
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_consent_from_any_other_key_is_rejected(uint256 signerSeed) public {
        uint256 signerKey = boundPrivateKey(signerSeed);
        vm.assume(signerKey != ALICE_KEY);
        bytes32 digest = sha256("decision: admit alice");
        _authoriseAdmission(alice, MEMBER, digest);
        bytes memory metadata = _terms(MEMBER, digest);
        bytes memory signature = _consent(signerKey, issuer, alice, metadata);
        vm.expectRevert(abi.encodeWithSelector(CoopIdentity.InvalidConsent.selector, alice));
        vm.prank(issuer);
        identity.give(alice, metadata, signature);
    }
}

/// @dev Admits, revokes and lets members leave, among a fixed set of accounts. It owns the
///      decision anchor (anchoring as its anchorer) so that every action it takes is authorised.
contract CoopIdentityHandler is Decisions {
    uint256 internal constant ISSUER_KEY = 0x1551E;
    uint256[4] internal keys = [uint256(0xA1), 0xA2, 0xA3, 0xA4];
    mapping(uint256 tokenId => address) public firstHolder;
    uint256[] public tokens;
    uint256 private _nonce;

    constructor() {
        _deployCoop(vm.addr(ISSUER_KEY));
    }

    function theIdentity() external view returns (CoopIdentity) {
        return identity;
    }

    function account(uint256 i) external view returns (address) {
        return vm.addr(keys[i]);
    }

    function admit(uint256 who) external {
        uint256 key = keys[who % 4];
        address member = vm.addr(key);
        if (identity.isMember(member)) return;
        bytes32 digest = sha256(abi.encode(_nonce++));
        uint256 tokenId = _admitKey(ISSUER_KEY, key, keccak256("member"), digest);
        firstHolder[tokenId] = member;
        tokens.push(tokenId);
    }

    function unequipOne(uint256 who) external {
        address member = vm.addr(keys[who % 4]);
        uint256 tokenId = identity.tokenOf(member);
        if (tokenId == 0) return;
        vm.prank(member);
        identity.unequip(tokenId);
    }

    function revoke(uint256 who) external {
        address member = vm.addr(keys[who % 4]);
        uint256 tokenId = identity.tokenOf(member);
        if (tokenId == 0) return;
        bytes32 digest = sha256(abi.encode(_nonce++));
        _authorise(address(identity), GovernanceAction.REVOKE_MEMBER, abi.encode(member, tokenId), digest);
        identity.revoke(tokenId, digest);
    }

    function tokenCount() external view returns (uint256) {
        return tokens.length;
    }
}

contract CoopIdentityInvariantTest is Decisions {
    CoopIdentityHandler internal handler;

    function setUp() public {
        handler = new CoopIdentityHandler();
        identity = handler.theIdentity();
        bytes4[] memory selectors = new bytes4[](3);
        selectors[0] = CoopIdentityHandler.admit.selector;
        selectors[1] = CoopIdentityHandler.unequipOne.selector;
        selectors[2] = CoopIdentityHandler.revoke.selector;
        targetContract(address(handler));
        targetSelector(FuzzSelector(address(handler), selectors));
    }

    /// At most one token per address, and a token never changes holder.
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_one_token_per_member_and_tokens_never_move() public view {
        uint256 active;
        for (uint256 i = 0; i < 4; i++) {
            address account = handler.account(i);
            uint256 balance = identity.balanceOf(account);
            assertLe(balance, 1, "more than one token");
            active += balance;
        }
        assertEq(identity.memberCount(), active, "member list");
        for (uint256 t = 0; t < handler.tokenCount(); t++) {
            uint256 tokenId = handler.tokens(t);
            assertEq(identity.membership(tokenId).member, handler.firstHolder(tokenId), "a token moved");
        }
    }
}
