// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

/// @title GovernanceAction
/// @notice Action identities and action leaves (docs/formats.md). An action is one concrete thing a
///         decision orders — admit this member with this role, amend this parameter to this value.
///         Its identity binds the chain, the contract that executes it, the kind of action, its
///         parameters and the digest of the decision record that ordered it; the executing contract
///         recomputes it from its own arguments. The anchored action leaf adds the poll the
///         decision belongs to and the decision's version, so that the schedule can order the
///         versions of one poll (supersession).
library GovernanceAction {
    /// @notice Format tag of version-2 action leaves (version 1 had no poll and version).
    bytes32 internal constant ACTION_TAG_V2 = keccak256("iskander.governance-action.v2");

    bytes32 internal constant ADMIT_MEMBER = keccak256("ADMIT_MEMBER");
    bytes32 internal constant REVOKE_MEMBER = keccak256("REVOKE_MEMBER");
    bytes32 internal constant AMEND_PARAMETER = keccak256("AMEND_PARAMETER");
    bytes32 internal constant RELEASE_ESCROW = keccak256("RELEASE_ESCROW");
    bytes32 internal constant SET_ANCHORER = keccak256("SET_ANCHORER");
    bytes32 internal constant SET_ISSUER = keccak256("SET_ISSUER");

    /// @notice keccak256(abi.encode(chainId, target, kind, params, decisionDigest)).
    function id(uint256 chainId, address target, bytes32 kind, bytes memory params, bytes32 decisionDigest)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(chainId, target, kind, params, decisionDigest));
    }

    /// @notice keccak256(0x00 ‖ ACTION_TAG_V2 ‖ keccak256(abi.encode(actionId, poll, version))).
    function leaf(bytes32 actionId, bytes32 poll, uint64 version) internal pure returns (bytes32) {
        bytes32 body = keccak256(abi.encode(actionId, poll, version));
        return keccak256(abi.encodePacked(bytes1(0x00), ACTION_TAG_V2, body));
    }
}
