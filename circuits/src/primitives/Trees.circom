// SPDX-License-Identifier: AGPL-3.0-only
pragma circom 2.1.6;

include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";

// Root of a binary Poseidon Merkle tree of fixed depth from a leaf, its index bits (least
// significant first: bit i says the node is a right child at level i) and its siblings.
template BinaryMerkleRoot(depth) {
    signal input leaf;
    signal input indexBits[depth];
    signal input siblings[depth];
    signal output root;

    signal nodes[depth + 1];
    signal lefts[depth];
    signal rights[depth];
    component hashers[depth];
    nodes[0] <== leaf;
    for (var i = 0; i < depth; i++) {
        indexBits[i] * (1 - indexBits[i]) === 0;
        lefts[i] <== nodes[i] + indexBits[i] * (siblings[i] - nodes[i]);
        rights[i] <== siblings[i] + nodes[i] - lefts[i];
        hashers[i] = Poseidon(2);
        hashers[i].inputs[0] <== lefts[i];
        hashers[i].inputs[1] <== rights[i];
        nodes[i + 1] <== hashers[i].out;
    }
    root <== nodes[depth];
}

// Root of a complete quinary Poseidon tree over 5^depth leaves (a ballot's vote-option tree).
template QuinaryRoot(depth) {
    var count = 5 ** depth;
    signal input leaves[count];
    signal output root;

    var levelSize = count;
    var offset = 0;
    signal nodes[(5 * count - 1) \ 4];
    for (var i = 0; i < count; i++) {
        nodes[i] <== leaves[i];
    }
    component hashers[(count - 1) \ 4];
    var hasher = 0;
    while (levelSize > 1) {
        for (var j = 0; j < levelSize \ 5; j++) {
            hashers[hasher] = Poseidon(5);
            for (var k = 0; k < 5; k++) {
                hashers[hasher].inputs[k] <== nodes[offset + 5 * j + k];
            }
            nodes[offset + levelSize + j] <== hashers[hasher].out;
            hasher++;
        }
        offset += levelSize;
        levelSize = levelSize \ 5;
    }
    root <== nodes[offset];
}

// Root of a complete binary Poseidon tree over 2^depth leaves.
template BinaryRoot(depth) {
    var count = 2 ** depth;
    signal input leaves[count];
    signal output root;

    signal nodes[2 * count - 1];
    for (var i = 0; i < count; i++) {
        nodes[i] <== leaves[i];
    }
    component hashers[count - 1];
    var offset = 0;
    var levelSize = count;
    var hasher = 0;
    while (levelSize > 1) {
        for (var j = 0; j < levelSize \ 2; j++) {
            hashers[hasher] = Poseidon(2);
            hashers[hasher].inputs[0] <== nodes[offset + 2 * j];
            hashers[hasher].inputs[1] <== nodes[offset + 2 * j + 1];
            nodes[offset + levelSize + j] <== hashers[hasher].out;
            hasher++;
        }
        offset += levelSize;
        levelSize = levelSize \ 2;
    }
    root <== nodes[offset];
}

// values[index] when index < n, else 0; never fails.
template SelectByIndex(n) {
    signal input values[n];
    signal input index;
    signal output out;

    component matches[n];
    signal terms[n + 1];
    terms[0] <== 0;
    for (var i = 0; i < n; i++) {
        matches[i] = IsEqual();
        matches[i].in[0] <== index;
        matches[i].in[1] <== i;
        terms[i + 1] <== terms[i] + matches[i].out * values[i];
    }
    out <== terms[n];
}
