// SPDX-License-Identifier: AGPL-3.0-only
pragma circom 2.1.6;

include "circomlib/circuits/babyjub.circom";
include "circomlib/circuits/comparators.circom";

// 1 when (x, y) is on BabyJubJub (168700·x² + y² = 1 + 168696·x²·y²), else 0. Never fails: the
// ballot circuits use it to turn a hostile point into an invalid message instead of a stuck proof.
template IsOnBabyJubJub() {
    signal input x;
    signal input y;
    signal output out;
    signal x2 <== x * x;
    signal y2 <== y * y;
    signal x2y2 <== x2 * y2;
    component equal = IsEqual();
    equal.in[0] <== 168700 * x2 + y2;
    equal.in[1] <== 1 + 168696 * x2y2;
    out <== equal.out;
}

// 1 when (x, y) is a key a state leaf may take: on BabyJubJub and not of small order (8·P is not
// the identity). A small-order key would make every signature with S = 0 and R8 = 8·P = O verify,
// so nobody would need a private key to sign for that leaf. Never fails: an off-curve point is
// replaced by the identity before the doublings (whose addition law is complete only on the curve).
template IsUsableKey() {
    signal input x;
    signal input y;
    signal output out;
    component onCurve = IsOnBabyJubJub();
    onCurve.x <== x;
    onCurve.y <== y;
    component doubles[3];
    signal px[4];
    signal py[4];
    px[0] <== onCurve.out * x;
    py[0] <== onCurve.out * (y - 1) + 1;
    for (var i = 0; i < 3; i++) {
        doubles[i] = BabyDbl();
        doubles[i].x <== px[i];
        doubles[i].y <== py[i];
        px[i + 1] <== doubles[i].xout;
        py[i + 1] <== doubles[i].yout;
    }
    component xZero = IsZero();
    xZero.in <== px[3];
    component yOne = IsEqual();
    yOne.in[0] <== py[3];
    yOne.in[1] <== 1;
    signal smallOrder <== xZero.out * yOne.out;
    out <== onCurve.out * (1 - smallOrder);
}
