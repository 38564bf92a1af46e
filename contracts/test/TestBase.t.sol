// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {Test} from "./utils/Test.sol";

/// @dev Exposes the test base's internal assertions as external calls so that their failures
///      can be caught and inspected.
contract AssertionProbe is Test {
    function eqUint(uint256 a, uint256 b) external pure {
        assertEq(a, b, "probe");
    }

    function eqBytes(bytes memory a, bytes memory b) external pure {
        assertEq(a, b);
    }

    function truthy(bool condition) external pure {
        assertTrue(condition, "probe");
    }
}

/// @dev A tiny ledger the invariant runner drives through its handler.
contract Ledger {
    error InsufficientBalance(address account, uint256 balance, uint256 requested);

    mapping(address => uint256) public balanceOf;
    uint256 public total;

    function credit(address account, uint256 amount) external {
        balanceOf[account] += amount;
        total += amount;
    }

    function debit(address account, uint256 amount) external {
        uint256 balance = balanceOf[account];
        if (amount > balance) revert InsufficientBalance(account, balance, amount);
        balanceOf[account] = balance - amount;
        total -= amount;
    }
}

contract LedgerHandler is Test {
    Ledger public immutable ledger;
    address[3] internal accounts = [address(0xA11CE), address(0xB0B), address(0xCA7)];
    mapping(address => uint256) public expected;
    uint256 public calls;

    constructor(Ledger ledger_) {
        ledger = ledger_;
    }

    function credit(uint256 who, uint256 amount) external {
        address account = accounts[who % accounts.length];
        amount = bound(amount, 0, 1e30);
        ledger.credit(account, amount);
        expected[account] += amount;
        calls++;
    }

    function debit(uint256 who, uint256 amount) external {
        address account = accounts[who % accounts.length];
        amount = bound(amount, 0, expected[account]);
        ledger.debit(account, amount);
        expected[account] -= amount;
        calls++;
    }

    function sumExpected() external view returns (uint256 sum) {
        for (uint256 i; i < accounts.length; i++) sum += expected[accounts[i]];
    }

    function allMatch() external view returns (bool) {
        for (uint256 i; i < accounts.length; i++) {
            if (ledger.balanceOf(accounts[i]) != expected[accounts[i]]) return false;
        }
        return true;
    }
}

/// @notice Checks that the project's own test base behaves: assertions fail loudly with their
///         values, cheatcodes are wired to the right signatures, fuzzing and invariant targeting work.
contract TestBaseTest is Test {
    AssertionProbe internal probe;

    function setUp() public {
        probe = new AssertionProbe();
    }

    function test_assertEq_reverts_with_both_values() public view {
        try probe.eqUint(1, 2) {
            fail("assertEq(1, 2) did not revert");
        } catch Error(string memory reason) {
            assertEq(reason, "assertEq(uint256) failed: 1 vs 2 (probe)");
        }
    }

    function test_assertEq_bytes_compares_contents() public {
        probe.eqBytes(hex"0102", hex"0102");
        vm.expectRevert(bytes("assertEq(bytes) failed: 0x0102 vs 0x0103"));
        probe.eqBytes(hex"0102", hex"0103");
    }

    function test_assertTrue_reverts_on_false() public {
        vm.expectRevert(bytes("assertTrue failed: probe"));
        probe.truthy(false);
    }

    function test_expectRevert_matches_custom_error_data() public {
        Ledger ledger = new Ledger();
        vm.expectRevert(abi.encodeWithSelector(Ledger.InsufficientBalance.selector, address(this), 0, 1));
        ledger.debit(address(this), 1);
    }

    function test_prank_and_warp_change_the_environment() public {
        Ledger ledger = new Ledger();
        vm.warp(1_700_000_000);
        assertEq(block.timestamp, 1_700_000_000);
        vm.roll(42);
        assertEq(block.number, 42);
        vm.deal(address(0xBEEF), 3 ether);
        assertEq(address(0xBEEF).balance, 3 ether);
        vm.prank(address(0xBEEF));
        ledger.credit(address(0xBEEF), 5);
        assertEq(ledger.balanceOf(address(0xBEEF)), 5);
    }

    /// forge-config: default.fuzz.runs = 512
    function testFuzz_bound_stays_in_range(uint256 x, uint256 a, uint256 b) public pure {
        (uint256 lo, uint256 hi) = a <= b ? (a, b) : (b, a);
        uint256 y = bound(x, lo, hi);
        assertGe(y, lo, "below min");
        assertLe(y, hi, "above max");
    }

    function testFuzz_vm_sign_recovers_with_openzeppelin(uint256 keySeed, bytes32 message) public pure {
        uint256 key = boundPrivateKey(keySeed);
        bytes32 digest = MessageHashUtils.toEthSignedMessageHash(message);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        assertEq(ECDSA.recover(digest, v, r, s), vm.addr(key), "recovered signer");
    }
}

/// @notice The invariant runner only calls the handler (registered through `targetContract`),
///         and the ledger always agrees with the handler's own bookkeeping.
contract LedgerInvariantTest is Test {
    Ledger internal ledger;
    LedgerHandler internal handler;

    function setUp() public {
        ledger = new Ledger();
        handler = new LedgerHandler(ledger);
        targetContract(address(handler));
    }

    function invariant_total_equals_sum_of_balances() public view {
        assertEq(ledger.total(), handler.sumExpected(), "ledger total");
        assertTrue(handler.allMatch(), "per-account balances");
    }
}
