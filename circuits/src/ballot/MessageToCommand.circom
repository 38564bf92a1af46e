// SPDX-License-Identifier: AGPL-3.0-only
pragma circom 2.1.6;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/escalarmulany.circom";
include "../primitives/PoseidonCipher.circom";

// Decrypts a published message with the coordinator's key (ECDH with the message's ephemeral key,
// Poseidon decryption without the tag check) and unpacks the command: 50-bit state index, vote
// option, vote weight, nonce and poll id from the first element, then the new public key, the
// salt and the signature. Any ciphertext decrypts to something: garbage becomes a command that
// fails validation. `highBitsZero` is 0 when the packed element has bits above the five fields.
template MessageToCommand() {
    signal input message[10];
    signal input encryptionKey[2];
    signal input coordinatorKeyBits[253];

    signal output packed;
    signal output stateIndex;
    signal output voteOptionIndex;
    signal output newVoteWeight;
    signal output nonce;
    signal output pollId;
    signal output highBitsZero;
    signal output newPublicKey[2];
    signal output salt;
    signal output r8[2];
    signal output s;

    component ecdh = EscalarMulAny(253);
    for (var i = 0; i < 253; i++) {
        ecdh.e[i] <== coordinatorKeyBits[i];
    }
    ecdh.p[0] <== encryptionKey[0];
    ecdh.p[1] <== encryptionKey[1];

    component decrypt = PoseidonDecryptWithoutCheck(7);
    decrypt.ciphertext <== message;
    decrypt.key[0] <== ecdh.out[0];
    decrypt.key[1] <== ecdh.out[1];
    decrypt.nonce <== 0;

    packed <== decrypt.plaintext[0];
    component bits = Num2Bits_strict();
    bits.in <== packed;
    component fields[5];
    for (var f = 0; f < 5; f++) {
        fields[f] = Bits2Num(50);
        for (var i = 0; i < 50; i++) {
            fields[f].in[i] <== bits.out[f * 50 + i];
        }
    }
    stateIndex <== fields[0].out;
    voteOptionIndex <== fields[1].out;
    newVoteWeight <== fields[2].out;
    nonce <== fields[3].out;
    pollId <== fields[4].out;
    component high = IsZero();
    high.in <== bits.out[250] + bits.out[251] + bits.out[252] + bits.out[253];
    highBitsZero <== high.out;

    newPublicKey[0] <== decrypt.plaintext[1];
    newPublicKey[1] <== decrypt.plaintext[2];
    salt <== decrypt.plaintext[3];
    r8[0] <== decrypt.plaintext[4];
    r8[1] <== decrypt.plaintext[5];
    s <== decrypt.plaintext[6];
}
