// SPDX-License-Identifier: AGPL-3.0-only
pragma circom 2.1.6;

include "circomlib/circuits/babyjub.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/compconstant.circom";
include "circomlib/circuits/escalarmulany.circom";
include "circomlib/circuits/escalarmulfix.circom";
include "circomlib/circuits/poseidon.circom";
include "BabyJubJubChecks.circom";

// EdDSA-Poseidon verification (circomlib's equation S·Base8 = R8 + 8·H(R8, A, M)·A with S < l) that
// outputs whether the signature is valid instead of asserting it, and never fails on hostile input:
// S is decomposed strictly and zeroed when ≥ l, and an R8 off the curve is replaced by the identity
// (the addition law is complete only for points on the curve). The public key A must be on the
// curve; the ballot circuits guarantee that for every key a state leaf can hold.
template EdDSAPoseidonValidity() {
    signal input Ax;
    signal input Ay;
    signal input S;
    signal input R8x;
    signal input R8y;
    signal input M;
    signal output valid;

    component sBits = Num2Bits_strict();
    sBits.in <== S;
    component sTooLarge = CompConstant(2736030358979909402780800718157159386076813972158567259200215660948447373040);
    for (var i = 0; i < 254; i++) {
        sTooLarge.in[i] <== sBits.out[i];
    }
    signal sInRange <== 1 - sTooLarge.out;

    component r8OnCurve = IsOnBabyJubJub();
    r8OnCurve.x <== R8x;
    r8OnCurve.y <== R8y;
    signal r8x <== r8OnCurve.out * R8x;
    signal r8y <== r8OnCurve.out * (R8y - 1) + 1;

    component challenge = Poseidon(5);
    challenge.inputs[0] <== R8x;
    challenge.inputs[1] <== R8y;
    challenge.inputs[2] <== Ax;
    challenge.inputs[3] <== Ay;
    challenge.inputs[4] <== M;
    component challengeBits = Num2Bits_strict();
    challengeBits.in <== challenge.out;

    // 8·A by three doublings: in the prime-order subgroup (or the identity, which EscalarMulAny handles).
    component double1 = BabyDbl();
    double1.x <== Ax;
    double1.y <== Ay;
    component double2 = BabyDbl();
    double2.x <== double1.xout;
    double2.y <== double1.yout;
    component double3 = BabyDbl();
    double3.x <== double2.xout;
    double3.y <== double2.yout;
    component hA = EscalarMulAny(254);
    for (var i = 0; i < 254; i++) {
        hA.e[i] <== challengeBits.out[i];
    }
    hA.p[0] <== double3.xout;
    hA.p[1] <== double3.yout;

    component right = BabyAdd();
    right.x1 <== r8x;
    right.y1 <== r8y;
    right.x2 <== hA.out[0];
    right.y2 <== hA.out[1];

    var BASE8[2] = [
        5299619240641551281634865583518297030282874472190772894086521144482721001553,
        16950150798460657717958625567821834550301663161624707787222815936182638968203
    ];
    signal sMasked[253];
    component left = EscalarMulFix(253, BASE8);
    for (var i = 0; i < 253; i++) {
        sMasked[i] <== sBits.out[i] * sInRange;
        left.e[i] <== sMasked[i];
    }

    component equalX = IsEqual();
    equalX.in[0] <== left.out[0];
    equalX.in[1] <== right.xout;
    component equalY = IsEqual();
    equalY.in[0] <== left.out[1];
    equalY.in[1] <== right.yout;
    signal pointsEqual <== equalX.out * equalY.out;
    signal wellFormed <== sInRange * r8OnCurve.out;
    valid <== pointsEqual * wellFormed;
}
