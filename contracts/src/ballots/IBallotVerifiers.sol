// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

/// @notice The snarkjs-exported Groth16 verifier of the message-processing circuit (9 public inputs).
interface IProcessMessagesVerifier {
    function verifyProof(uint256[2] calldata pA, uint256[2][2] calldata pB, uint256[2] calldata pC, uint256[9] calldata pubSignals)
        external
        view
        returns (bool);
}

/// @notice The snarkjs-exported Groth16 verifier of the tally circuit (2 public inputs).
interface ITallyVotesVerifier {
    function verifyProof(uint256[2] calldata pA, uint256[2][2] calldata pB, uint256[2] calldata pC, uint256[4] calldata pubSignals)
        external
        view
        returns (bool);
}

/// @notice What the ballot asks of the cooperative's membership contract (CoopIdentity).
interface IMembership {
    function isMember(address account) external view returns (bool);
    function tokenOf(address account) external view returns (uint256);
    function endedAt(uint256 tokenId) external view returns (uint64);
}
