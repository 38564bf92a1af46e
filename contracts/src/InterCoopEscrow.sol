// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IActionSchedule} from "./interfaces/IActionSchedule.sol";
import {GovernanceAction} from "./libraries/GovernanceAction.sol";

/// @title InterCoopEscrow
/// @notice ERC-20 escrow between two cooperatives, as a saga whose every path ends with the funds
///         paid out: Proposed → Locked → (Disputed) → Releasing → Released | Refunded, or
///         Proposed → Cancelled. Everything that decides an outcome is fixed when the seller accepts:
///         the arbitrator (agreed by both, immutable: there are no setters), the expiry, the time the
///         arbitrator has to rule, and the split that applies if a dispute is never ruled on.
///         A buyer that names its ActionSchedule gives its consent to a release (confirming
///         delivery, proposing a split) only through a `RELEASE_ESCROW` action of an anchored
///         decision that its schedule lets through (notice served, not vetoed, superseded or expired).
/// @dev Payouts are pulled with {withdraw}. Tokens that deliver less than the amount sent
///      (fee-on-transfer) are refused at deposit. Every state change is nonReentrant and follows
///      checks-effects-interactions.
contract InterCoopEscrow is ReentrancyGuard {
    using SafeERC20 for IERC20;

    enum Status {
        None,
        Proposed,
        Locked,
        Disputed,
        Releasing,
        Released,
        Refunded,
        Cancelled
    }

    /// @notice What both cooperatives agree to.
    struct Terms {
        address buyer;
        address seller;
        address arbitrator;
        IERC20 token;
        uint256 amount;
        uint64 expiry;
        uint64 arbitrationPeriod;
        uint16 fallbackSellerBps;
        bytes32 termsDigest;
        IActionSchedule buyerSchedule;
    }

    /// @notice An escrow's state.
    struct Escrow {
        Terms terms;
        Status status;
        Status outcome;
        uint64 disputeDeadline;
        uint256 sellerOwed;
        uint256 buyerOwed;
        uint256 buyerSplit;
        uint256 sellerSplit;
    }

    uint16 private constant BPS = 10_000;

    /// @notice Bounds of the time the arbitrator has to rule: long enough to hear both parties,
    ///         short enough that a dispute deadline stays far inside `uint64` and funds are not
    ///         held indefinitely.
    uint64 public constant MIN_ARBITRATION_PERIOD = 1 days;
    uint64 public constant MAX_ARBITRATION_PERIOD = 365 days;
    /// @notice Bounds of an escrow's lifetime (from proposal to expiry): at least a day to accept
    ///         and to dispute, at most ten years.
    uint64 public constant MIN_LIFETIME = 1 days;
    uint64 public constant MAX_LIFETIME = 3650 days;
    uint256 private constant NO_PROPOSAL = type(uint256).max;

    uint256 public escrowCount;
    mapping(uint256 id => Escrow) private _escrows;

    event Proposed(uint256 indexed id, address indexed buyer, address indexed seller, address arbitrator, uint256 amount, bytes32 termsDigest);
    event Accepted(uint256 indexed id);
    event Cancelled(uint256 indexed id);
    event Disputed(uint256 indexed id, address indexed by, bytes32 reasonDigest, uint64 deadline);
    event SplitProposed(uint256 indexed id, address indexed by, uint256 sellerAmount);
    event Releasing(uint256 indexed id, uint256 sellerAmount, uint256 buyerAmount, bytes32 reason);
    event Withdrawn(uint256 indexed id, address indexed to, uint256 amount);
    event Settled(uint256 indexed id, Status outcome);

    error InvalidTerms(string reason);
    /// @notice The `period` of the terms (in seconds) lies outside [`min`, `max`].
    error PeriodOutOfBounds(string period, uint256 value, uint256 min, uint256 max);
    error UnsupportedToken(address token, uint256 expected, uint256 received);
    error WrongStatus(uint256 id, Status status);
    error NotParty(uint256 id, address caller);
    error NotArbitrator(uint256 id, address caller);
    error TooEarly(uint256 id, uint64 notBefore);
    error TooLate(uint256 id, uint64 deadline);
    error SplitTooLarge(uint256 sellerAmount, uint256 amount);
    error NothingOwed(uint256 id, address caller);

    // ------------------------------------------------------------------ lifecycle

    /// @notice The buyer proposes an escrow and deposits `terms.amount`.
    function propose(Terms calldata terms) external nonReentrant returns (uint256 id) {
        if (msg.sender != terms.buyer) revert InvalidTerms("the buyer proposes");
        if (terms.seller == address(0) || terms.seller == terms.buyer) revert InvalidTerms("seller");
        if (terms.arbitrator == address(0) || terms.arbitrator == terms.buyer || terms.arbitrator == terms.seller) {
            revert InvalidTerms("arbitrator must be a third party");
        }
        if (terms.amount == 0) revert InvalidTerms("amount");
        uint256 lifetime = terms.expiry > block.timestamp ? terms.expiry - block.timestamp : 0;
        _requireWithin("lifetime", lifetime, MIN_LIFETIME, MAX_LIFETIME);
        _requireWithin("arbitration period", terms.arbitrationPeriod, MIN_ARBITRATION_PERIOD, MAX_ARBITRATION_PERIOD);
        if (terms.fallbackSellerBps > BPS) revert InvalidTerms("fallback split");

        id = ++escrowCount;
        Escrow storage escrow = _escrows[id];
        escrow.terms = terms;
        escrow.status = Status.Proposed;
        escrow.buyerSplit = NO_PROPOSAL;
        escrow.sellerSplit = NO_PROPOSAL;
        emit Proposed(id, terms.buyer, terms.seller, terms.arbitrator, terms.amount, terms.termsDigest);

        uint256 before = terms.token.balanceOf(address(this));
        terms.token.safeTransferFrom(msg.sender, address(this), terms.amount);
        uint256 received = terms.token.balanceOf(address(this)) - before;
        if (received != terms.amount) revert UnsupportedToken(address(terms.token), terms.amount, received);
    }

    /// @notice The seller accepts the terms (and with them the arbitrator).
    function accept(uint256 id) external nonReentrant {
        Escrow storage escrow = _require(id, Status.Proposed);
        if (msg.sender != escrow.terms.seller) revert NotParty(id, msg.sender);
        escrow.status = Status.Locked;
        emit Accepted(id);
    }

    /// @notice The buyer withdraws a proposal the seller has not accepted.
    function cancel(uint256 id) external nonReentrant {
        Escrow storage escrow = _require(id, Status.Proposed);
        if (msg.sender != escrow.terms.buyer) revert NotParty(id, msg.sender);
        emit Cancelled(id);
        _release(id, escrow, 0, Status.Cancelled, "cancelled");
    }

    /// @notice The buyer confirms delivery: everything goes to the seller. When the buyer named an
    ///         ActionSchedule, the confirmation executes its scheduled `RELEASE_ESCROW` action
    ///         ordered by the record with `decisionDigest`.
    function confirmDelivery(uint256 id, bytes32 decisionDigest) external nonReentrant {
        Escrow storage escrow = _escrows[id];
        if (escrow.status != Status.Locked && escrow.status != Status.Disputed) revert WrongStatus(id, escrow.status);
        if (msg.sender != escrow.terms.buyer) revert NotParty(id, msg.sender);
        _consumeReleaseDecision(id, escrow, escrow.terms.amount, decisionDigest);
        _release(id, escrow, escrow.terms.amount, Status.Released, "delivery confirmed");
    }

    /// @notice Either party disputes before expiry; the arbitrator then has `arbitrationPeriod` to rule.
    function dispute(uint256 id, bytes32 reasonDigest) external nonReentrant {
        Escrow storage escrow = _require(id, Status.Locked);
        _requireParty(id, escrow);
        if (block.timestamp >= escrow.terms.expiry) revert TooLate(id, escrow.terms.expiry);
        uint64 deadline = uint64(block.timestamp) + escrow.terms.arbitrationPeriod;
        escrow.status = Status.Disputed;
        escrow.disputeDeadline = deadline;
        emit Disputed(id, msg.sender, reasonDigest, deadline);
    }

    /// @notice A party proposes how much the seller gets; when both propose the same split it is
    ///         executed. When the buyer named an ActionSchedule, the buyer's proposal executes its
    ///         scheduled `RELEASE_ESCROW` action for exactly `sellerAmount` (the seller passes a
    ///         zero digest).
    function proposeSplit(uint256 id, uint256 sellerAmount, bytes32 decisionDigest) external nonReentrant {
        Escrow storage escrow = _escrows[id];
        if (escrow.status != Status.Locked && escrow.status != Status.Disputed) revert WrongStatus(id, escrow.status);
        _requireParty(id, escrow);
        if (sellerAmount > escrow.terms.amount) revert SplitTooLarge(sellerAmount, escrow.terms.amount);
        if (msg.sender == escrow.terms.buyer) {
            _consumeReleaseDecision(id, escrow, sellerAmount, decisionDigest);
            escrow.buyerSplit = sellerAmount;
        } else {
            escrow.sellerSplit = sellerAmount;
        }
        emit SplitProposed(id, msg.sender, sellerAmount);
        if (escrow.buyerSplit == escrow.sellerSplit) {
            _release(id, escrow, sellerAmount, _outcome(sellerAmount), "agreed split");
        }
    }

    /// @notice The arbitrator named in the terms rules on a dispute before its deadline.
    function rule(uint256 id, uint256 sellerAmount) external nonReentrant {
        Escrow storage escrow = _require(id, Status.Disputed);
        if (msg.sender != escrow.terms.arbitrator) revert NotArbitrator(id, msg.sender);
        if (block.timestamp > escrow.disputeDeadline) revert TooLate(id, escrow.disputeDeadline);
        if (sellerAmount > escrow.terms.amount) revert SplitTooLarge(sellerAmount, escrow.terms.amount);
        _release(id, escrow, sellerAmount, _outcome(sellerAmount), "arbitrated");
    }

    /// @notice After the arbitration deadline passes without a ruling, anyone applies the fallback split fixed in the terms.
    function resolveUnanswered(uint256 id) external nonReentrant {
        Escrow storage escrow = _require(id, Status.Disputed);
        if (block.timestamp <= escrow.disputeDeadline) revert TooEarly(id, escrow.disputeDeadline + 1);
        // mulDiv: the product overflows for deposits above 2^256 / 10^4 tokens.
        uint256 sellerAmount = Math.mulDiv(escrow.terms.amount, escrow.terms.fallbackSellerBps, BPS);
        _release(id, escrow, sellerAmount, _outcome(sellerAmount), "fallback terms");
    }

    /// @notice After expiry, anyone refunds the buyer of an undisputed, unreleased escrow.
    function refundExpired(uint256 id) external nonReentrant {
        Escrow storage escrow = _require(id, Status.Locked);
        if (block.timestamp < escrow.terms.expiry) revert TooEarly(id, escrow.terms.expiry);
        _release(id, escrow, 0, Status.Refunded, "expired");
    }

    /// @notice Pays the caller what the escrow owes them; the last withdrawal settles the escrow.
    function withdraw(uint256 id) external nonReentrant {
        Escrow storage escrow = _escrows[id];
        if (escrow.status != Status.Releasing) revert WrongStatus(id, escrow.status);
        uint256 amount;
        if (msg.sender == escrow.terms.seller && escrow.sellerOwed > 0) {
            amount = escrow.sellerOwed;
            escrow.sellerOwed = 0;
        } else if (msg.sender == escrow.terms.buyer && escrow.buyerOwed > 0) {
            amount = escrow.buyerOwed;
            escrow.buyerOwed = 0;
        } else {
            revert NothingOwed(id, msg.sender);
        }

        if (escrow.sellerOwed == 0 && escrow.buyerOwed == 0) {
            escrow.status = escrow.outcome;
            emit Settled(id, escrow.outcome);
        }
        emit Withdrawn(id, msg.sender, amount);
        escrow.terms.token.safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------------ views

    /// @notice The escrow `id`.
    function escrowOf(uint256 id) external view returns (Escrow memory) {
        return _escrows[id];
    }

    /// @notice Tokens `id` still holds: its deposit while open, its unpaid shares while releasing.
    function heldBy(uint256 id) public view returns (uint256) {
        Escrow storage escrow = _escrows[id];
        Status status = escrow.status;
        if (status == Status.Proposed || status == Status.Locked || status == Status.Disputed) return escrow.terms.amount;
        if (status == Status.Releasing) return escrow.sellerOwed + escrow.buyerOwed;
        return 0;
    }

    // ------------------------------------------------------------------ internals

    function _require(uint256 id, Status expected) private view returns (Escrow storage escrow) {
        escrow = _escrows[id];
        if (escrow.status != expected) revert WrongStatus(id, escrow.status);
    }

    function _requireParty(uint256 id, Escrow storage escrow) private view {
        if (msg.sender != escrow.terms.buyer && msg.sender != escrow.terms.seller) revert NotParty(id, msg.sender);
    }

    function _requireWithin(string memory period, uint256 value, uint64 min, uint64 max) private pure {
        if (value < min || value > max) revert PeriodOutOfBounds(period, value, min, max);
    }

    function _outcome(uint256 sellerAmount) private pure returns (Status) {
        return sellerAmount == 0 ? Status.Refunded : Status.Released;
    }

    function _release(uint256 id, Escrow storage escrow, uint256 sellerAmount, Status outcome, bytes32 reason) private {
        escrow.status = Status.Releasing;
        escrow.outcome = outcome;
        escrow.sellerOwed = sellerAmount;
        escrow.buyerOwed = escrow.terms.amount - sellerAmount;
        emit Releasing(id, sellerAmount, escrow.terms.amount - sellerAmount, reason);
    }

    /// @dev The buyer's consent to paying the seller `sellerAmount`: when the buyer named a
    ///      schedule, its executable `RELEASE_ESCROW` action for (id, sellerAmount), consumed there.
    function _consumeReleaseDecision(uint256 id, Escrow storage escrow, uint256 sellerAmount, bytes32 decisionDigest)
        private
    {
        if (address(escrow.terms.buyerSchedule) == address(0)) return;
        escrow.terms.buyerSchedule.consume(GovernanceAction.RELEASE_ESCROW, abi.encode(id, sellerAmount), decisionDigest);
    }
}
