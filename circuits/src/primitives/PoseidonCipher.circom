// SPDX-License-Identifier: AGPL-3.0-only
pragma circom 2.1.6;

include "circomlib/circuits/poseidon.circom";

// Poseidon duplex-sponge decryption (the cipher of @zk-kit/poseidon-cipher and MACI), without the
// tag check: what MACI's message processor uses so that a malformed ciphertext decrypts to garbage
// (an invalid command, a no-op) instead of making the proof impossible. The state starts as
// [0, key.x, key.y, nonce + length * 2^128]; each block of three ciphertext elements is the state
// after a width-4 permutation plus the plaintext.
template PoseidonDecryptWithoutCheck(length) {
    var blocks = (length + 2) \ 3;
    signal input ciphertext[blocks * 3 + 1];
    signal input key[2];
    signal input nonce;
    signal output plaintext[length];

    component permutations[blocks];
    for (var b = 0; b < blocks; b++) {
        permutations[b] = PoseidonEx(3, 4);
        if (b == 0) {
            permutations[b].initialState <== 0;
            permutations[b].inputs[0] <== key[0];
            permutations[b].inputs[1] <== key[1];
            permutations[b].inputs[2] <== nonce + length * (2 ** 128);
        } else {
            // The sponge continues from the ciphertext of the previous block.
            permutations[b].initialState <== permutations[b - 1].out[0];
            for (var i = 0; i < 3; i++) {
                permutations[b].inputs[i] <== ciphertext[(b - 1) * 3 + i];
            }
        }
        for (var i = 0; i < 3; i++) {
            if (b * 3 + i < length) {
                plaintext[b * 3 + i] <== ciphertext[b * 3 + i] - permutations[b].out[i + 1];
            }
        }
    }
}
