// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

/// @title GovernanceAction
/// @notice Action leaves (docs/formats.md): the anchored authorisation of one concrete action that a
///         decision orders — admit this member with this role, amend this parameter to this value.
///         The leaf binds the chain, the contract that executes it, the kind of action, its
///         parameters and the digest of the decision record that ordered it, so a citation cannot be
///         replayed on another chain or contract, for another action, or with other parameters.
library GovernanceAction {
    /// @notice Format tag of version-1 action leaves.
    bytes32 internal constant ACTION_TAG_V1 = keccak256("iskander.governance-action.v1");

    bytes32 internal constant ADMIT_MEMBER = keccak256("ADMIT_MEMBER");
    bytes32 internal constant REVOKE_MEMBER = keccak256("REVOKE_MEMBER");
    bytes32 internal constant AMEND_PARAMETER = keccak256("AMEND_PARAMETER");
    bytes32 internal constant RELEASE_ESCROW = keccak256("RELEASE_ESCROW");

    /// @notice keccak256(0x00 ‖ ACTION_TAG_V1 ‖ keccak256(abi.encode(chainId, target, kind, params, decisionDigest))).
    function leaf(uint256 chainId, address target, bytes32 kind, bytes memory params, bytes32 decisionDigest)
        internal
        pure
        returns (bytes32)
    {
        bytes32 body = keccak256(abi.encode(chainId, target, kind, params, decisionDigest));
        return keccak256(abi.encodePacked(bytes1(0x00), ACTION_TAG_V1, body));
    }
}
