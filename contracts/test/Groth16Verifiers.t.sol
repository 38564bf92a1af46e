// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {ProcessMessagesVerifier_3_2_1} from "../src/verifiers/ProcessMessagesVerifier_3_2_1.sol";
import {TallyVotesVerifier_3_2_1} from "../src/verifiers/TallyVotesVerifier_3_2_1.sol";
import {Test} from "./utils/Test.sol";

/// @notice The exported Groth16 verifiers with real proofs: fixtures proven by the C# suite with the
///         test-shape keys (contracts/test/fixtures/groth16/; the C# VerifierFixtureTests checks they
///         still verify against these verifiers and rewrites them on request). Every tampering a
///         submitter could try is refused.
contract Groth16VerifiersTest is Test {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    ProcessMessagesVerifier_3_2_1 internal process;
    TallyVotesVerifier_3_2_1 internal tally;

    function setUp() public {
        process = new ProcessMessagesVerifier_3_2_1();
        tally = new TallyVotesVerifier_3_2_1();
    }

    function _fixture(string memory verifier) internal view returns (uint256[] memory proof, uint256[] memory inputs) {
        string memory json = vm.readFile(string.concat("contracts/test/fixtures/groth16/", verifier, ".json"));
        assertEq(keccak256(bytes(vm.parseJsonString(json, ".verifier"))), keccak256(bytes(verifier)), "fixture of another verifier");
        proof = vm.parseJsonUintArray(json, ".proof");
        inputs = vm.parseJsonUintArray(json, ".publicInputs");
        assertEq(proof.length, 8, "a proof is eight field elements");
    }

    function _process(uint256[] memory p, uint256[] memory inputs) internal view returns (bool) {
        uint256[9] memory nine;
        for (uint256 i = 0; i < 9; i++) {
            nine[i] = inputs[i];
        }
        return process.verifyProof([p[0], p[1]], [[p[2], p[3]], [p[4], p[5]]], [p[6], p[7]], nine);
    }

    function _tally(uint256[] memory p, uint256[] memory inputs) internal view returns (bool) {
        return tally.verifyProof([p[0], p[1]], [[p[2], p[3]], [p[4], p[5]]], [p[6], p[7]], [inputs[0], inputs[1], inputs[2], inputs[3]]);
    }

    function _verifies(bool isProcess, uint256[] memory p, uint256[] memory inputs) internal view returns (bool) {
        return isProcess ? _process(p, inputs) : _tally(p, inputs);
    }

    function _check(bool isProcess) internal view {
        (uint256[] memory proof, uint256[] memory inputs) = _fixture(isProcess ? "ProcessMessagesVerifier_3_2_1" : "TallyVotesVerifier_3_2_1");
        assertEq(inputs.length, isProcess ? 9 : 4);
        assertTrue(_verifies(isProcess, proof, inputs), "the real proof verifies");

        // Any public input changed: a proof of other inputs (each input's term of the key is used).
        for (uint256 i = 0; i < inputs.length; i++) {
            inputs[i] += 1;
            assertFalse(_verifies(isProcess, proof, inputs), "a changed public input");
            inputs[i] -= 1;
        }
        // An input not reduced below r (the same value mod r): refused before any pairing.
        inputs[0] += R;
        assertFalse(_verifies(isProcess, proof, inputs), "an input at or above r");
        inputs[0] -= R;

        // A tampered proof: -A (still on the curve), C and A swapped, a point off the curve.
        proof[1] = Q - proof[1];
        assertFalse(_verifies(isProcess, proof, inputs), "a negated A");
        proof[1] = Q - proof[1];
        (proof[0], proof[1], proof[6], proof[7]) = (proof[6], proof[7], proof[0], proof[1]);
        assertFalse(_verifies(isProcess, proof, inputs), "A and C swapped");
        (proof[0], proof[1], proof[6], proof[7]) = (proof[6], proof[7], proof[0], proof[1]);
        proof[7] += 1;
        assertFalse(_verifies(isProcess, proof, inputs), "C off the curve");
        proof[7] -= 1;
        proof[2] += 1;
        assertFalse(_verifies(isProcess, proof, inputs), "B off the curve");
        proof[2] -= 1;
        assertTrue(_verifies(isProcess, proof, inputs), "restored, it verifies again");
    }

    function test_the_process_verifier_accepts_its_real_proof_and_nothing_tampered() public view {
        _check(true);
    }

    function test_the_tally_verifier_accepts_its_real_proof_and_nothing_tampered() public view {
        _check(false);
    }

    // Starved of gas, a verifier reverts or says no (a precompile call that fails returns false);
    // it never accepts. The step hits every precompile call of both verifiers short of its gas.
    function _starve(bool isProcess) internal view {
        (uint256[] memory p, uint256[] memory inputs) = _fixture(isProcess ? "ProcessMessagesVerifier_3_2_1" : "TallyVotesVerifier_3_2_1");
        uint256[9] memory nine;
        for (uint256 i = 0; i < 9 && i < inputs.length; i++) {
            nine[i] = inputs[i];
        }
        for (uint256 limit = 1_000; limit < 300_000; limit += 97) {
            bool accepted;
            if (isProcess) {
                try process.verifyProof{gas: limit}([p[0], p[1]], [[p[2], p[3]], [p[4], p[5]]], [p[6], p[7]], nine) returns (bool ok) {
                    accepted = ok;
                } catch {}
            } else {
                try tally.verifyProof{gas: limit}([p[0], p[1]], [[p[2], p[3]], [p[4], p[5]]], [p[6], p[7]], [nine[0], nine[1], nine[2], nine[3]]) returns (bool ok) {
                    accepted = ok;
                } catch {}
            }
            // Enough gas for the pairing: only then may it accept.
            if (accepted) assertGt(limit, 180_000, "accepted without running the pairing");
        }
    }

    function test_a_verifier_starved_of_gas_does_not_accept() public view {
        _starve(true);
        _starve(false);
    }

    function test_gas_the_process_verifier_verifies_a_real_proof() public view {
        (uint256[] memory proof, uint256[] memory inputs) = _fixture("ProcessMessagesVerifier_3_2_1");
        assertTrue(_process(proof, inputs));
    }
}
