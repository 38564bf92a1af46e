// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

/// @title BabyJubJub
/// @notice Public-key checks for BabyJubJub (a = 168700, d = 168696 over the BN254 scalar field),
///         the curve of MACI keys. A key must lie in the prime-order subgroup: on-curve alone admits
///         points with a small-order component, which leak bits of the coordinator's key through
///         ECDH (MACI audit finding MACI-2). Checking l·P = O on chain costs hundreds of thousands
///         of gas; instead the caller supplies Q with 8·Q = P. Every point of the form 8·Q lies in
///         the subgroup of order l (the group has order 8·l with gcd(8, l) = 1), and every point of
///         that subgroup has such a Q (Q = 8⁻¹ mod l · P), so the check is exact and costs three
///         doublings.
library BabyJubJub {
    uint256 internal constant P = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant A = 168700;
    uint256 internal constant D = 168696;

    /// @notice Whether (x, y) is on the curve: a·x² + y² = 1 + d·x²·y².
    function isOnCurve(uint256 x, uint256 y) internal pure returns (bool) {
        if (x >= P || y >= P) return false;
        uint256 x2 = mulmod(x, x, P);
        uint256 y2 = mulmod(y, y, P);
        return addmod(mulmod(A, x2, P), y2, P) == addmod(1, mulmod(D, mulmod(x2, y2, P), P), P);
    }

    /// @notice Whether (x, y) is a valid public key: in the prime-order subgroup and not the
    ///         identity, witnessed by (qx, qy) on the curve with 8·(qx, qy) = (x, y).
    function isValidPublicKey(uint256 x, uint256 y, uint256 qx, uint256 qy) internal pure returns (bool) {
        if (x >= P || y >= P || (x == 0 && y == 1) || !isOnCurve(qx, qy)) return false;
        (uint256 px, uint256 py, uint256 pz) = (qx, qy, 1);
        for (uint256 i = 0; i < 3; i++) {
            (px, py, pz) = _double(px, py, pz);
        }
        return px == mulmod(x, pz, P) && py == mulmod(y, pz, P);
    }

    // Projective doubling on a twisted Edwards curve (dbl-2008-bbjlp); complete on BabyJubJub.
    function _double(uint256 x, uint256 y, uint256 z) private pure returns (uint256, uint256, uint256) {
        uint256 xy = addmod(x, y, P);
        uint256 b = mulmod(xy, xy, P);
        uint256 c = mulmod(x, x, P);
        uint256 d = mulmod(y, y, P);
        uint256 e = mulmod(A, c, P);
        uint256 f = addmod(e, d, P);
        uint256 h = mulmod(z, z, P);
        uint256 j = addmod(f, P - addmod(h, h, P), P);
        uint256 x3 = mulmod(addmod(b, P - addmod(c, d, P), P), j, P);
        uint256 y3 = mulmod(f, addmod(e, P - d, P), P);
        uint256 z3 = mulmod(f, j, P);
        return (x3, y3, z3);
    }
}
