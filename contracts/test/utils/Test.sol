// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {Vm} from "./Vm.sol";

/// @title Test
/// @notice The project's own Foundry test base (npm's forge-std is an unusable 2022 copy).
///         A test fails when it reverts, so every assertion reverts with a message that names
///         the assertion and both values. Invariant tests register their targets with
///         `targetContract` / `targetSelector`; forge reads them through the views below.
abstract contract Test {
    /// @dev Where forge serves cheatcodes: address(uint160(uint256(keccak256("hevm cheat code")))).
    address internal constant VM_ADDRESS = 0x7109709ECfa91a80626fF3989D68f67F5b1DD12D;
    Vm internal constant vm = Vm(VM_ADDRESS);

    uint256 internal constant SECP256K1_ORDER =
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    /// @notice Marks this contract as a test contract for tools that look for it.
    bool public IS_TEST = true;

    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    address[] private _targetedContracts;
    address[] private _targetedSenders;
    FuzzSelector[] private _targetedSelectors;

    // ---------------------------------------------------------------- invariant targets

    function targetContract(address target) internal {
        _targetedContracts.push(target);
    }

    function targetSender(address sender) internal {
        _targetedSenders.push(sender);
    }

    function targetSelector(FuzzSelector memory selector) internal {
        _targetedSelectors.push(selector);
    }

    /// @notice Contracts forge's invariant runner may call (empty: every deployed contract).
    function targetContracts() public view returns (address[] memory) {
        return _targetedContracts;
    }

    /// @notice Senders forge's invariant runner may use (empty: random senders).
    function targetSenders() public view returns (address[] memory) {
        return _targetedSenders;
    }

    /// @notice Functions forge's invariant runner may call, per contract.
    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetedSelectors;
    }

    // ---------------------------------------------------------------- fuzz helpers

    /// @notice Maps any `x` into [min, max] without discarding runs (unlike `vm.assume`).
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        uint256 size = max - min;
        if (size == type(uint256).max) return x;
        return min + (x % (size + 1));
    }

    /// @notice A valid secp256k1 private key derived from any fuzzed seed.
    function boundPrivateKey(uint256 seed) internal pure returns (uint256) {
        return bound(seed, 1, SECP256K1_ORDER - 1);
    }

    // ---------------------------------------------------------------- assertions

    function fail(string memory message) internal pure {
        revert(message);
    }

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) revert(string.concat("assertTrue failed: ", message));
    }

    function assertTrue(bool condition) internal pure {
        assertTrue(condition, "condition is false");
    }

    function assertFalse(bool condition, string memory message) internal pure {
        if (condition) revert(string.concat("assertFalse failed: ", message));
    }

    function assertFalse(bool condition) internal pure {
        assertFalse(condition, "condition is true");
    }

    function assertEq(uint256 actual, uint256 expected, string memory message) internal pure {
        if (actual != expected) _failPair("assertEq(uint256)", vm.toString(actual), vm.toString(expected), message);
    }

    function assertEq(uint256 actual, uint256 expected) internal pure {
        assertEq(actual, expected, "");
    }

    function assertEq(int256 actual, int256 expected, string memory message) internal pure {
        if (actual != expected) _failPair("assertEq(int256)", vm.toString(actual), vm.toString(expected), message);
    }

    function assertEq(int256 actual, int256 expected) internal pure {
        assertEq(actual, expected, "");
    }

    function assertEq(address actual, address expected, string memory message) internal pure {
        if (actual != expected) _failPair("assertEq(address)", vm.toString(actual), vm.toString(expected), message);
    }

    function assertEq(address actual, address expected) internal pure {
        assertEq(actual, expected, "");
    }

    function assertEq(bytes32 actual, bytes32 expected, string memory message) internal pure {
        if (actual != expected) _failPair("assertEq(bytes32)", vm.toString(actual), vm.toString(expected), message);
    }

    function assertEq(bytes32 actual, bytes32 expected) internal pure {
        assertEq(actual, expected, "");
    }

    function assertEq(bool actual, bool expected, string memory message) internal pure {
        if (actual != expected) _failPair("assertEq(bool)", vm.toString(actual), vm.toString(expected), message);
    }

    function assertEq(bool actual, bool expected) internal pure {
        assertEq(actual, expected, "");
    }

    function assertEq(bytes memory actual, bytes memory expected, string memory message) internal pure {
        if (keccak256(actual) != keccak256(expected)) {
            _failPair("assertEq(bytes)", vm.toString(actual), vm.toString(expected), message);
        }
    }

    function assertEq(bytes memory actual, bytes memory expected) internal pure {
        assertEq(actual, expected, "");
    }

    function assertEq(string memory actual, string memory expected, string memory message) internal pure {
        if (keccak256(bytes(actual)) != keccak256(bytes(expected))) {
            _failPair("assertEq(string)", actual, expected, message);
        }
    }

    function assertEq(string memory actual, string memory expected) internal pure {
        assertEq(actual, expected, "");
    }

    function assertNotEq(bytes32 actual, bytes32 unexpected, string memory message) internal pure {
        if (actual == unexpected) _failPair("assertNotEq(bytes32)", vm.toString(actual), vm.toString(unexpected), message);
    }

    function assertNotEq(uint256 actual, uint256 unexpected, string memory message) internal pure {
        if (actual == unexpected) _failPair("assertNotEq(uint256)", vm.toString(actual), vm.toString(unexpected), message);
    }

    function assertGt(uint256 a, uint256 b, string memory message) internal pure {
        if (a <= b) _failPair("assertGt", vm.toString(a), vm.toString(b), message);
    }

    function assertGe(uint256 a, uint256 b, string memory message) internal pure {
        if (a < b) _failPair("assertGe", vm.toString(a), vm.toString(b), message);
    }

    function assertLt(uint256 a, uint256 b, string memory message) internal pure {
        if (a >= b) _failPair("assertLt", vm.toString(a), vm.toString(b), message);
    }

    function assertLe(uint256 a, uint256 b, string memory message) internal pure {
        if (a > b) _failPair("assertLe", vm.toString(a), vm.toString(b), message);
    }

    function _failPair(string memory assertion, string memory left, string memory right, string memory message)
        private
        pure
    {
        string memory detail = string.concat(assertion, " failed: ", left, " vs ", right);
        if (bytes(message).length != 0) detail = string.concat(detail, " (", message, ")");
        revert(detail);
    }
}
