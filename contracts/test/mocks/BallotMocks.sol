// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {IMembership, IProcessMessagesVerifier, ITallyVotesVerifier} from "../../src/ballots/IBallotVerifiers.sol";

/// @notice Membership as a test sets it: member flags and token ids per address, end times per token.
contract MockMembership is IMembership {
    mapping(address account => bool) public memberFlag;
    mapping(address account => uint256) public token;
    mapping(uint256 tokenId => uint64) public ended;

    function set(address account, bool member, uint256 tokenId) external {
        memberFlag[account] = member;
        token[account] = tokenId;
    }

    /// @dev Ends the membership of `account` now, as a revocation or leaving does.
    function end(address account) external {
        memberFlag[account] = false;
        ended[token[account]] = uint64(block.timestamp);
        token[account] = 0;
    }

    function endedAt(uint256 tokenId) external view returns (uint64) {
        return ended[tokenId];
    }

    function isMember(address account) external view returns (bool) {
        return memberFlag[account];
    }

    function tokenOf(address account) external view returns (uint256) {
        return token[account];
    }
}

/// @notice Accepts a proof only when told to. Tests check the public inputs the ballot computes
///         with `vm.expectCall` on this contract; the real verifiers are tested with real proofs in
///         Groth16Verifiers.t.sol and in the C# suite.
contract SwitchableVerifier is IProcessMessagesVerifier, ITallyVotesVerifier {
    bool public accept = true;

    function setAccept(bool value) external {
        accept = value;
    }

    function verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata, uint256[9] calldata) external view returns (bool) {
        return accept;
    }

    function verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata, uint256[4] calldata) external view returns (bool) {
        return accept;
    }
}
