// SPDX-License-Identifier: AGPL-3.0-only
pragma circom 2.1.6;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/eddsaposeidon.circom";
include "../src/primitives/PoseidonCipher.circom";

// Test circuit: the C# primitives and the circuits must agree. A witness built from C# values
// (a Poseidon hash, an EdDSA-Poseidon signature, a Poseidon ciphertext) satisfies every
// constraint; a tampered value does not.
template PrimitivesAgreement() {
    signal input hashInputs[2];
    signal input hash;
    signal input publicKey[2];
    signal input message;
    signal input r8[2];
    signal input s;
    signal input sharedKey[2];
    signal input ciphertext[10];
    signal input plaintext[7];

    component hasher = Poseidon(2);
    hasher.inputs <== hashInputs;
    hasher.out === hash;

    component verifier = EdDSAPoseidonVerifier();
    verifier.enabled <== 1;
    verifier.Ax <== publicKey[0];
    verifier.Ay <== publicKey[1];
    verifier.S <== s;
    verifier.R8x <== r8[0];
    verifier.R8y <== r8[1];
    verifier.M <== message;

    component decrypt = PoseidonDecryptWithoutCheck(7);
    decrypt.ciphertext <== ciphertext;
    decrypt.key <== sharedKey;
    decrypt.nonce <== 0;
    for (var i = 0; i < 7; i++) {
        decrypt.plaintext[i] === plaintext[i];
    }
}

component main = PrimitivesAgreement();
