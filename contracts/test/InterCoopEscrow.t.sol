// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {InterCoopEscrow} from "../src/InterCoopEscrow.sol";
import {ActionSchedule} from "../src/ActionSchedule.sol";
import {IActionSchedule} from "../src/interfaces/IActionSchedule.sol";
import {GovernanceAction} from "../src/libraries/GovernanceAction.sol";
import {Decisions} from "./utils/Decisions.sol";
import {MockToken, FeeOnTransferToken, ReentrantToken} from "./mocks/Tokens.sol";

contract InterCoopEscrowTest is Decisions {
    address internal constant BUYER = address(0xB1);
    address internal constant SELLER = address(0x5E);
    address internal constant ARBITRATOR = address(0xA7);
    address internal constant STRANGER = address(0xBAD);
    uint256 internal constant AMOUNT = 1_000 ether;

    InterCoopEscrow internal escrow;
    MockToken internal token;

    function setUp() public {
        _deployCoop(address(0x1551E));
        escrow = new InterCoopEscrow();
        token = new MockToken();
        token.mint(BUYER, 10 * AMOUNT);
        vm.prank(BUYER);
        token.approve(address(escrow), type(uint256).max);
        vm.warp(1_800_000_000);
    }

    function _terms() internal view returns (InterCoopEscrow.Terms memory) {
        return InterCoopEscrow.Terms({
            buyer: BUYER,
            seller: SELLER,
            arbitrator: ARBITRATOR,
            token: IERC20(address(token)),
            amount: AMOUNT,
            expiry: uint64(block.timestamp + 30 days),
            arbitrationPeriod: 14 days,
            fallbackSellerBps: 5_000,
            termsDigest: sha256("supply agreement"),
            buyerSchedule: IActionSchedule(address(0))
        });
    }

    // Arguments are computed before vm.prank: a sha256 (a precompile call) would consume the prank.
    function _open(InterCoopEscrow.Terms memory terms) internal returns (uint256 id) {
        vm.prank(terms.buyer);
        id = escrow.propose(terms);
        vm.prank(terms.seller);
        escrow.accept(id);
    }

    function _status(uint256 id) internal view returns (InterCoopEscrow.Status) {
        return escrow.escrowOf(id).status;
    }

    function _withdrawAll(uint256 id) internal {
        InterCoopEscrow.Escrow memory e = escrow.escrowOf(id);
        if (e.sellerOwed > 0) {
            vm.prank(SELLER);
            escrow.withdraw(id);
        }
        if (e.buyerOwed > 0) {
            vm.prank(BUYER);
            escrow.withdraw(id);
        }
    }

    // ------------------------------------------------------------------ happy paths

    function test_confirmed_delivery_pays_the_seller_everything() public {
        uint256 id = _open(_terms());
        assertEq(token.balanceOf(address(escrow)), AMOUNT);
        vm.prank(BUYER);
        escrow.confirmDelivery(id, bytes32(0));
        assertEq(uint256(_status(id)), uint256(InterCoopEscrow.Status.Releasing));

        vm.expectEmit(address(escrow));
        emit InterCoopEscrow.Settled(id, InterCoopEscrow.Status.Released);
        vm.prank(SELLER);
        escrow.withdraw(id);
        assertEq(token.balanceOf(SELLER), AMOUNT);
        assertEq(uint256(_status(id)), uint256(InterCoopEscrow.Status.Released));
        assertEq(escrow.heldBy(id), 0);
    }

    function test_an_agreed_split_pays_both_parties() public {
        uint256 id = _open(_terms());
        vm.prank(BUYER);
        escrow.proposeSplit(id, 300 ether, bytes32(0));
        assertEq(uint256(_status(id)), uint256(InterCoopEscrow.Status.Locked), "one proposal is not agreement");
        vm.prank(SELLER);
        escrow.proposeSplit(id, 400 ether, bytes32(0));
        assertEq(uint256(_status(id)), uint256(InterCoopEscrow.Status.Locked), "different proposals");
        vm.prank(SELLER);
        escrow.proposeSplit(id, 300 ether, bytes32(0));
        _withdrawAll(id);
        assertEq(token.balanceOf(SELLER), 300 ether);
        assertEq(token.balanceOf(BUYER), 9 * AMOUNT + 700 ether);
    }

    function test_a_proposal_can_be_cancelled_before_the_seller_accepts() public {
        InterCoopEscrow.Terms memory terms = _terms();
        vm.prank(BUYER);
        uint256 id = escrow.propose(terms);
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.NotParty.selector, id, SELLER));
        vm.prank(SELLER);
        escrow.cancel(id);
        vm.prank(BUYER);
        escrow.cancel(id);
        _withdrawAll(id);
        assertEq(uint256(_status(id)), uint256(InterCoopEscrow.Status.Cancelled));
        assertEq(token.balanceOf(BUYER), 10 * AMOUNT);
    }

    // ------------------------------------------------------------------ disputes and time

    function test_the_arbitrator_named_at_creation_rules_within_the_period() public {
        uint256 id = _open(_terms());
        bytes32 reason = sha256("goods not paid for");
        vm.prank(SELLER);
        escrow.dispute(id, reason);
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.NotArbitrator.selector, id, BUYER));
        vm.prank(BUYER);
        escrow.rule(id, 0);
        vm.prank(ARBITRATOR);
        escrow.rule(id, 800 ether);
        _withdrawAll(id);
        assertEq(token.balanceOf(SELLER), 800 ether);
    }

    function test_an_unanswered_dispute_resolves_by_the_fallback_terms() public {
        uint256 id = _open(_terms());
        bytes32 reason = sha256("late delivery");
        vm.prank(BUYER);
        escrow.dispute(id, reason);
        uint64 deadline = escrow.escrowOf(id).disputeDeadline;
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.TooEarly.selector, id, deadline + 1));
        escrow.resolveUnanswered(id);

        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.TooLate.selector, id, deadline));
        vm.prank(ARBITRATOR);
        escrow.rule(id, AMOUNT);
        vm.prank(STRANGER);
        escrow.resolveUnanswered(id);
        _withdrawAll(id);
        assertEq(token.balanceOf(SELLER), AMOUNT / 2);
        assertEq(token.balanceOf(address(escrow)), 0, "nothing stuck");
    }

    function test_an_undisputed_escrow_refunds_the_buyer_after_expiry() public {
        InterCoopEscrow.Terms memory terms = _terms();
        uint256 id = _open(terms);
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.TooEarly.selector, id, terms.expiry));
        escrow.refundExpired(id);
        vm.warp(terms.expiry);
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.TooLate.selector, id, terms.expiry));
        vm.prank(SELLER);
        escrow.dispute(id, bytes32(0));
        escrow.refundExpired(id);
        _withdrawAll(id);
        assertEq(uint256(_status(id)), uint256(InterCoopEscrow.Status.Refunded));
        assertEq(token.balanceOf(BUYER), 10 * AMOUNT);
    }

    // ------------------------------------------------------------------ attacks

    /// The reference project let either party install itself as arbitrator after creation.
    function test_no_one_can_substitute_the_arbitrator() public {
        uint256 id = _open(_terms());
        vm.prank(BUYER);
        escrow.dispute(id, bytes32(0));
        (bool found,) = address(escrow).call(abi.encodeWithSignature("setArbitrationRegistry(address)", BUYER));
        assertFalse(found, "an arbitrator setter exists");
        (found,) = address(escrow).call(abi.encodeWithSignature("setArbitrator(uint256,address)", id, BUYER));
        assertFalse(found, "a per-escrow arbitrator setter exists");
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.NotArbitrator.selector, id, BUYER));
        vm.prank(BUYER);
        escrow.rule(id, 0);
        assertEq(escrow.escrowOf(id).terms.arbitrator, ARBITRATOR);
    }

    function test_fee_on_transfer_tokens_are_refused_at_deposit() public {
        FeeOnTransferToken feeToken = new FeeOnTransferToken();
        feeToken.mint(BUYER, AMOUNT);
        vm.prank(BUYER);
        feeToken.approve(address(escrow), AMOUNT);
        InterCoopEscrow.Terms memory terms = _terms();
        terms.token = IERC20(address(feeToken));
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.UnsupportedToken.selector, address(feeToken), AMOUNT, AMOUNT - AMOUNT / 100));
        vm.prank(BUYER);
        escrow.propose(terms);
    }

    function test_a_reentrant_token_cannot_withdraw_twice() public {
        ReentrantToken evil = new ReentrantToken();
        evil.mint(BUYER, AMOUNT);
        vm.prank(BUYER);
        evil.approve(address(escrow), AMOUNT);
        InterCoopEscrow.Terms memory terms = _terms();
        terms.token = IERC20(address(evil));
        uint256 id = _open(terms);
        vm.prank(BUYER);
        escrow.confirmDelivery(id, bytes32(0));

        evil.arm(address(escrow), abi.encodeWithSelector(InterCoopEscrow.withdraw.selector, id));
        vm.prank(SELLER);
        escrow.withdraw(id);
        assertTrue(evil.reentered(), "the token tried to re-enter");
        assertFalse(evil.reentrySucceeded(), "re-entry succeeded");
        assertEq(evil.balanceOf(SELLER), AMOUNT);
        assertEq(evil.balanceOf(address(escrow)), 0);
    }

    function test_strangers_and_wrong_states_are_refused() public {
        uint256 id = _open(_terms());
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.NotParty.selector, id, STRANGER));
        vm.prank(STRANGER);
        escrow.dispute(id, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.NotParty.selector, id, SELLER));
        vm.prank(SELLER);
        escrow.confirmDelivery(id, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.WrongStatus.selector, id, InterCoopEscrow.Status.Locked));
        vm.prank(SELLER);
        escrow.accept(id);
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.WrongStatus.selector, id, InterCoopEscrow.Status.Locked));
        vm.prank(SELLER);
        escrow.withdraw(id);
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.SplitTooLarge.selector, AMOUNT + 1, AMOUNT));
        vm.prank(BUYER);
        escrow.proposeSplit(id, AMOUNT + 1, bytes32(0));

        vm.prank(BUYER);
        escrow.confirmDelivery(id, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.NothingOwed.selector, id, BUYER));
        vm.prank(BUYER);
        escrow.withdraw(id);
    }

    function test_malformed_terms_are_refused() public {
        InterCoopEscrow.Terms memory terms = _terms();
        terms.arbitrator = SELLER;
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.InvalidTerms.selector, "arbitrator must be a third party"));
        vm.prank(BUYER);
        escrow.propose(terms);

        terms = _terms();
        terms.fallbackSellerBps = 10_001;
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.InvalidTerms.selector, "fallback split"));
        vm.prank(BUYER);
        escrow.propose(terms);

        terms = _terms();
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.InvalidTerms.selector, "the buyer proposes"));
        vm.prank(SELLER);
        escrow.propose(terms);

        address[2] memory badSellers = [address(0), BUYER];
        for (uint256 i = 0; i < badSellers.length; i++) {
            terms = _terms();
            terms.seller = badSellers[i];
            vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.InvalidTerms.selector, "seller"));
            vm.prank(BUYER);
            escrow.propose(terms);
        }
        address[2] memory badArbitrators = [address(0), BUYER];
        for (uint256 i = 0; i < badArbitrators.length; i++) {
            terms = _terms();
            terms.arbitrator = badArbitrators[i];
            vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.InvalidTerms.selector, "arbitrator must be a third party"));
            vm.prank(BUYER);
            escrow.propose(terms);
        }
        terms = _terms();
        terms.amount = 0;
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.InvalidTerms.selector, "amount"));
        vm.prank(BUYER);
        escrow.propose(terms);
        assertEq(escrow.escrowCount(), 0, "nothing was proposed");
    }

    function test_the_arbitrator_cannot_award_more_than_the_deposit() public {
        uint256 id = _open(_terms());
        vm.prank(SELLER);
        escrow.dispute(id, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(InterCoopEscrow.SplitTooLarge.selector, AMOUNT + 1, AMOUNT));
        vm.prank(ARBITRATOR);
        escrow.rule(id, AMOUNT + 1);
        assertEq(uint256(_status(id)), uint256(InterCoopEscrow.Status.Disputed));
    }

    /// heldBy follows the escrow through every status: the deposit while open, the unpaid shares while releasing, then nothing.
    function test_heldBy_follows_every_status() public {
        InterCoopEscrow.Terms memory terms = _terms();
        vm.prank(BUYER);
        uint256 id = escrow.propose(terms);
        assertEq(escrow.heldBy(id), AMOUNT, "proposed");
        vm.prank(SELLER);
        escrow.accept(id);
        assertEq(escrow.heldBy(id), AMOUNT, "locked");
        vm.prank(BUYER);
        escrow.dispute(id, bytes32(0));
        assertEq(escrow.heldBy(id), AMOUNT, "disputed");
        vm.prank(ARBITRATOR);
        escrow.rule(id, 250 ether);
        assertEq(escrow.heldBy(id), AMOUNT, "releasing, nothing withdrawn");
        vm.prank(SELLER);
        escrow.withdraw(id);
        assertEq(escrow.heldBy(id), AMOUNT - 250 ether, "releasing, the seller paid");
        vm.prank(BUYER);
        escrow.withdraw(id);
        assertEq(escrow.heldBy(id), 0, "released");
        assertEq(uint256(_status(id)), uint256(InterCoopEscrow.Status.Released));
        assertEq(escrow.heldBy(id + 1), 0, "no such escrow");
    }

    // ------------------------------------------------------------------ decision-bound release

    function _releaseId(uint256 id, uint256 sellerAmount, bytes32 digest) internal view returns (bytes32) {
        return _actionId(address(escrow), GovernanceAction.RELEASE_ESCROW, abi.encode(id, sellerAmount), digest);
    }

    function _wrongStatus(bytes32 actionId, IActionSchedule.Status status) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(ActionSchedule.WrongStatus.selector, actionId, status);
    }

    function test_a_buyer_with_a_schedule_needs_its_scheduled_release_decision() public {
        InterCoopEscrow.Terms memory terms = _terms();
        terms.buyerSchedule = schedule;
        uint256 id = _open(terms);
        bytes32 digest = sha256("buyer decision: accept delivery");
        bytes32 actionId = _releaseId(id, AMOUNT, digest);

        vm.expectRevert(_wrongStatus(actionId, IActionSchedule.Status.None));
        vm.prank(BUYER);
        escrow.confirmDelivery(id, digest);

        _schedule(address(escrow), GovernanceAction.RELEASE_ESCROW, abi.encode(id, AMOUNT), digest);
        vm.expectRevert(_wrongStatus(actionId, IActionSchedule.Status.Pending));
        vm.prank(BUYER);
        escrow.confirmDelivery(id, digest);

        vm.warp(block.timestamp + NOTICE);
        vm.prank(BUYER);
        escrow.confirmDelivery(id, digest);
        assertEq(uint8(schedule.statusOf(actionId)), uint8(IActionSchedule.Status.Executed));
        assertEq(escrow.escrowOf(id).sellerOwed, AMOUNT);
    }

    /// Agreeing on the full amount is a release like a confirmed delivery: the buyer's side needs its decision.
    function test_an_agreed_full_split_needs_the_buyers_release_decision() public {
        InterCoopEscrow.Terms memory terms = _terms();
        terms.buyerSchedule = schedule;
        uint256 id = _open(terms);
        bytes32 digest = sha256("buyer decision: settle in full");
        vm.prank(SELLER);
        escrow.proposeSplit(id, AMOUNT, bytes32(0));

        vm.expectRevert(_wrongStatus(_releaseId(id, AMOUNT, digest), IActionSchedule.Status.None));
        vm.prank(BUYER);
        escrow.proposeSplit(id, AMOUNT, digest);
        assertEq(uint256(_status(id)), uint256(InterCoopEscrow.Status.Locked), "nothing released without the decision");

        _authorise(address(escrow), GovernanceAction.RELEASE_ESCROW, abi.encode(id, AMOUNT), digest);
        vm.prank(BUYER);
        escrow.proposeSplit(id, AMOUNT, digest);
        assertEq(uint8(schedule.statusOf(_releaseId(id, AMOUNT, digest))), uint8(IActionSchedule.Status.Executed));
        _withdrawAll(id);
        assertEq(token.balanceOf(SELLER), AMOUNT);
    }

    /// Every split the buyer proposes is the buyer's consent to that exact release.
    function test_a_buyers_partial_split_needs_a_decision_for_exactly_that_amount() public {
        InterCoopEscrow.Terms memory terms = _terms();
        terms.buyerSchedule = schedule;
        uint256 id = _open(terms);
        bytes32 digest = sha256("buyer decision: 300 to the seller");
        _authorise(address(escrow), GovernanceAction.RELEASE_ESCROW, abi.encode(id, 300 ether), digest);

        vm.expectRevert(_wrongStatus(_releaseId(id, 400 ether, digest), IActionSchedule.Status.None));
        vm.prank(BUYER);
        escrow.proposeSplit(id, 400 ether, digest);
        vm.prank(BUYER);
        escrow.proposeSplit(id, 300 ether, digest);
        vm.expectRevert(_wrongStatus(_releaseId(id, 300 ether, digest), IActionSchedule.Status.Executed));
        vm.prank(BUYER);
        escrow.proposeSplit(id, 300 ether, digest); // spent

        vm.prank(SELLER);
        escrow.proposeSplit(id, 300 ether, bytes32(0));
        _withdrawAll(id);
        assertEq(token.balanceOf(SELLER), 300 ether);
        assertEq(token.balanceOf(BUYER), 9 * AMOUNT + 700 ether);
    }

    // ------------------------------------------------------------------ bounds

    /// A period near 2^64 used to be accepted and then overflow the deadline in dispute().
    function test_periods_out_of_bounds_are_refused_at_creation() public {
        uint64 maxPeriod = escrow.MAX_ARBITRATION_PERIOD();
        uint64 minPeriod = escrow.MIN_ARBITRATION_PERIOD();
        InterCoopEscrow.Terms memory terms = _terms();
        uint64[3] memory badPeriods = [type(uint64).max - 10, 0, maxPeriod + 1];
        for (uint256 i = 0; i < badPeriods.length; i++) {
            terms.arbitrationPeriod = badPeriods[i];
            vm.expectRevert(
                abi.encodeWithSelector(InterCoopEscrow.PeriodOutOfBounds.selector, "arbitration period", badPeriods[i], minPeriod, maxPeriod)
            );
            vm.prank(BUYER);
            escrow.propose(terms);
        }

        terms = _terms();
        uint64 minLifetime = escrow.MIN_LIFETIME();
        uint64 maxLifetime = escrow.MAX_LIFETIME();
        uint64[4] memory badExpiries =
            [uint64(block.timestamp), uint64(block.timestamp - 1), uint64(block.timestamp + minLifetime - 1), type(uint64).max];
        uint256[4] memory lifetimes = [uint256(0), 0, minLifetime - 1, type(uint64).max - block.timestamp];
        for (uint256 i = 0; i < badExpiries.length; i++) {
            terms.expiry = badExpiries[i];
            vm.expectRevert(
                abi.encodeWithSelector(InterCoopEscrow.PeriodOutOfBounds.selector, "lifetime", lifetimes[i], minLifetime, maxLifetime)
            );
            vm.prank(BUYER);
            escrow.propose(terms);
        }

        // The bounds themselves are accepted, and the longest dispute deadline is reachable.
        terms.expiry = uint64(block.timestamp + maxLifetime);
        terms.arbitrationPeriod = maxPeriod;
        uint256 id = _open(terms);
        vm.warp(terms.expiry - 1);
        vm.prank(SELLER);
        escrow.dispute(id, bytes32(0));
        assertEq(uint256(escrow.escrowOf(id).disputeDeadline), uint256(terms.expiry) - 1 + maxPeriod);
    }

    /// The fallback split used to multiply before dividing and overflow for deposits above 2^256 / 10^4.
    function test_the_fallback_split_of_a_huge_deposit_does_not_overflow() public {
        uint256 huge = type(uint256).max / 2;
        token.mint(BUYER, huge);
        InterCoopEscrow.Terms memory terms = _terms();
        terms.amount = huge;
        terms.fallbackSellerBps = 9_999;
        uint256 id = _open(terms);
        vm.prank(BUYER);
        escrow.dispute(id, bytes32(0));
        vm.warp(block.timestamp + terms.arbitrationPeriod + 1);
        escrow.resolveUnanswered(id);
        InterCoopEscrow.Escrow memory e = escrow.escrowOf(id);
        assertEq(e.sellerOwed, huge / 10_000 * 9_999 + (huge % 10_000) * 9_999 / 10_000, "exact floor(amount * bps / 10^4)");
        assertEq(e.sellerOwed + e.buyerOwed, huge);
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_splits_never_pay_out_more_than_was_deposited(uint256 amount, uint256 split, bool arbitrated) public {
        amount = bound(amount, 1, 5 * AMOUNT);
        split = bound(split, 0, amount);
        InterCoopEscrow.Terms memory terms = _terms();
        terms.amount = amount;
        uint256 id = _open(terms);
        if (arbitrated) {
            vm.prank(BUYER);
            escrow.dispute(id, bytes32(0));
            vm.prank(ARBITRATOR);
            escrow.rule(id, split);
        } else {
            vm.prank(BUYER);
            escrow.proposeSplit(id, split, bytes32(0));
            vm.prank(SELLER);
            escrow.proposeSplit(id, split, bytes32(0));
        }
        _withdrawAll(id);
        assertEq(token.balanceOf(SELLER), split);
        assertEq(token.balanceOf(BUYER), 10 * AMOUNT - amount + (amount - split));
        assertEq(token.balanceOf(address(escrow)), 0);
    }

    function testFuzz_the_fallback_split_follows_the_terms(uint16 bps, uint256 amount) public {
        bps = uint16(bound(bps, 0, 10_000));
        amount = bound(amount, 1, 5 * AMOUNT);
        InterCoopEscrow.Terms memory terms = _terms();
        terms.amount = amount;
        terms.fallbackSellerBps = bps;
        uint256 id = _open(terms);
        vm.prank(SELLER);
        escrow.dispute(id, bytes32(0));
        vm.warp(block.timestamp + 15 days);
        escrow.resolveUnanswered(id);
        InterCoopEscrow.Escrow memory e = escrow.escrowOf(id);
        assertEq(e.sellerOwed, amount * bps / 10_000);
        assertEq(e.sellerOwed + e.buyerOwed, amount);
    }

    /// Whatever periods the escrow accepts, a dispute on its last second and the fallback after it never overflow.
    function testFuzz_accepted_periods_can_always_be_disputed_and_resolved(uint64 expiry, uint64 period) public {
        // Half the runs around the bounds, half anywhere in uint64 (where the overflow was).
        if (period % 2 == 0) {
            expiry = uint64(bound(expiry, block.timestamp, block.timestamp + 2 * uint256(escrow.MAX_LIFETIME())));
            period = uint64(bound(period, 0, 2 * uint256(escrow.MAX_ARBITRATION_PERIOD())));
        }
        InterCoopEscrow.Terms memory terms = _terms();
        terms.expiry = expiry;
        terms.arbitrationPeriod = period;
        vm.prank(BUYER);
        try escrow.propose(terms) returns (uint256 id) {
            vm.prank(SELLER);
            escrow.accept(id);
            vm.warp(uint256(expiry) - 1);
            vm.prank(SELLER);
            escrow.dispute(id, bytes32(0));
            vm.warp(uint256(escrow.escrowOf(id).disputeDeadline) + 1);
            escrow.resolveUnanswered(id);
            assertEq(escrow.escrowOf(id).sellerOwed, AMOUNT / 2);
        } catch (bytes memory reason) {
            uint256 lifetime = expiry > block.timestamp ? expiry - block.timestamp : 0;
            bytes memory expected = lifetime < escrow.MIN_LIFETIME() || lifetime > escrow.MAX_LIFETIME()
                ? abi.encodeWithSelector(
                    InterCoopEscrow.PeriodOutOfBounds.selector, "lifetime", lifetime, escrow.MIN_LIFETIME(), escrow.MAX_LIFETIME()
                )
                : abi.encodeWithSelector(
                    InterCoopEscrow.PeriodOutOfBounds.selector,
                    "arbitration period",
                    period,
                    escrow.MIN_ARBITRATION_PERIOD(),
                    escrow.MAX_ARBITRATION_PERIOD()
                );
            assertEq(reason, expected, "refused only for its periods");
        }
    }
}

/// @dev Drives many escrows through random paths; keeps a ledger of deposits and payouts.
contract EscrowHandler is Decisions {
    InterCoopEscrow public immutable escrow;
    MockToken public immutable token;
    address[3] internal parties = [address(0xB1), address(0x5E), address(0xA7)];
    uint256[] public ids;
    uint256 public deposited;
    mapping(uint256 id => uint256) public paidOut;

    constructor(InterCoopEscrow escrow_, MockToken token_) {
        escrow = escrow_;
        token = token_;
    }

    function open(uint256 amount, uint16 bps) external {
        amount = bound(amount, 1, 1e30);
        token.mint(parties[0], amount);
        vm.startPrank(parties[0]);
        token.approve(address(escrow), amount);
        uint256 id = escrow.propose(
            InterCoopEscrow.Terms(
                parties[0], parties[1], parties[2], IERC20(address(token)), amount,
                uint64(block.timestamp + 10 days), 5 days, uint16(bound(bps, 0, 10_000)), bytes32(0), IActionSchedule(address(0))
            )
        );
        vm.stopPrank();
        deposited += amount;
        ids.push(id);
    }

    function act(uint256 which, uint8 action, uint256 value) external {
        if (ids.length == 0) return;
        uint256 id = ids[which % ids.length];
        address party = parties[action % 3];
        uint256 sellerBefore = token.balanceOf(parties[1]);
        uint256 buyerBefore = token.balanceOf(parties[0]);
        vm.startPrank(party);
        if (action % 9 == 0) try escrow.accept(id) {} catch {}
        else if (action % 9 == 1) try escrow.cancel(id) {} catch {}
        else if (action % 9 == 2) try escrow.confirmDelivery(id, bytes32(0)) {} catch {}
        else if (action % 9 == 3) try escrow.dispute(id, bytes32(0)) {} catch {}
        else if (action % 9 == 4) try escrow.proposeSplit(id, value, bytes32(0)) {} catch {}
        else if (action % 9 == 5) try escrow.rule(id, value) {} catch {}
        else if (action % 9 == 6) try escrow.resolveUnanswered(id) {} catch {}
        else if (action % 9 == 7) try escrow.refundExpired(id) {} catch {}
        else try escrow.withdraw(id) {} catch {}
        vm.stopPrank();
        paidOut[id] += token.balanceOf(parties[1]) - sellerBefore + token.balanceOf(parties[0]) - buyerBefore;
    }

    function passTime(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 0, 20 days));
    }

    function count() external view returns (uint256) {
        return ids.length;
    }
}

contract InterCoopEscrowInvariantTest is Decisions {
    InterCoopEscrow internal escrow;
    MockToken internal token;
    EscrowHandler internal handler;

    function setUp() public {
        escrow = new InterCoopEscrow();
        token = new MockToken();
        handler = new EscrowHandler(escrow, token);
        targetContract(address(handler));
    }

    /// The escrow holds exactly what its open escrows owe, and no escrow ever paid out more than its deposit.
    function invariant_balance_equals_open_obligations() public view {
        uint256 held;
        for (uint256 i = 0; i < handler.count(); i++) {
            uint256 id = handler.ids(i);
            held += escrow.heldBy(id);
            assertLe(handler.paidOut(id), escrow.escrowOf(id).terms.amount, "paid out more than deposited");
            assertEq(handler.paidOut(id) + escrow.heldBy(id), escrow.escrowOf(id).terms.amount, "value conserved per escrow");
        }
        assertEq(token.balanceOf(address(escrow)), held, "token balance vs open escrows");
    }
}
