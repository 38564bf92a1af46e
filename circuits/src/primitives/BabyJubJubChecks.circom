// SPDX-License-Identifier: AGPL-3.0-only
pragma circom 2.1.6;

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
