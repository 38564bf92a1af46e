// SPDX-License-Identifier: AGPL-3.0-only
// Keccak-256 (the original Keccak padding, as Ethereum uses it; not NIST SHA3-256), written from the
// Keccak reference specification so that the members' page depends on nothing served by the bridge
// but itself. Lanes are 64-bit, held as two 32-bit halves: lane i is (lo = s[2i], hi = s[2i + 1]).

const RATE = 136; // bytes: 1600 - 2 * 256 bits of capacity

// Rotation offsets and round constants, derived as the specification defines them (not transcribed).
const ROTATION = new Array(25).fill(0);
for (let t = 0, x = 1, y = 0; t < 24; t++) {
  ROTATION[x + 5 * y] = (((t + 1) * (t + 2)) / 2) % 64;
  [x, y] = [y, (2 * x + 3 * y) % 5];
}

function rcBit(t) {
  let r = 1;
  for (let i = 0; i < t % 255; i++) {
    r <<= 1;
    if (r & 0x100) r ^= 0x171; // x^8 + x^6 + x^5 + x^4 + 1, then truncated to 8 bits
  }
  return r & 1;
}

const ROUND_LO = new Uint32Array(24);
const ROUND_HI = new Uint32Array(24);
for (let round = 0; round < 24; round++) {
  for (let j = 0; j < 7; j++) {
    if (!rcBit(j + 7 * round)) continue;
    const bit = (1 << j) - 1;
    if (bit < 32) ROUND_LO[round] |= 1 << bit;
    else ROUND_HI[round] |= 1 << (bit - 32);
  }
}

// Rotates the lane (lo, hi) left by n bits; returns [lo, hi].
function rotate(lo, hi, n) {
  if (n === 0) return [lo, hi];
  if (n >= 32) {
    [lo, hi] = [hi, lo];
    n -= 32;
    if (n === 0) return [lo, hi];
  }
  return [((lo << n) | (hi >>> (32 - n))) >>> 0, ((hi << n) | (lo >>> (32 - n))) >>> 0];
}

function permute(s) {
  const c = new Uint32Array(10);
  const b = new Uint32Array(50);
  for (let round = 0; round < 24; round++) {
    // θ
    for (let x = 0; x < 5; x++) {
      c[2 * x] = s[2 * x] ^ s[2 * x + 10] ^ s[2 * x + 20] ^ s[2 * x + 30] ^ s[2 * x + 40];
      c[2 * x + 1] = s[2 * x + 1] ^ s[2 * x + 11] ^ s[2 * x + 21] ^ s[2 * x + 31] ^ s[2 * x + 41];
    }
    for (let x = 0; x < 5; x++) {
      const left = (x + 4) % 5;
      const right = (x + 1) % 5;
      const [rlo, rhi] = rotate(c[2 * right], c[2 * right + 1], 1);
      const dlo = c[2 * left] ^ rlo;
      const dhi = c[2 * left + 1] ^ rhi;
      for (let y = 0; y < 5; y++) {
        s[2 * (x + 5 * y)] ^= dlo;
        s[2 * (x + 5 * y) + 1] ^= dhi;
      }
    }
    // ρ and π: B[y, 2x + 3y] = rot(A[x, y], r[x, y])
    for (let x = 0; x < 5; x++) {
      for (let y = 0; y < 5; y++) {
        const from = x + 5 * y;
        const to = y + 5 * ((2 * x + 3 * y) % 5);
        [b[2 * to], b[2 * to + 1]] = rotate(s[2 * from], s[2 * from + 1], ROTATION[from]);
      }
    }
    // χ
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 5; x++) {
        const i = x + 5 * y;
        const i1 = ((x + 1) % 5) + 5 * y;
        const i2 = ((x + 2) % 5) + 5 * y;
        s[2 * i] = b[2 * i] ^ (~b[2 * i1] & b[2 * i2]);
        s[2 * i + 1] = b[2 * i + 1] ^ (~b[2 * i1 + 1] & b[2 * i2 + 1]);
      }
    }
    // ι
    s[0] ^= ROUND_LO[round];
    s[1] ^= ROUND_HI[round];
  }
}

/** Keccak-256 of `data` (a Uint8Array); returns the 32-byte digest. */
export function keccak256(data) {
  if (!(data instanceof Uint8Array)) throw new TypeError('keccak256 takes a Uint8Array');
  const padded = new Uint8Array((Math.floor(data.length / RATE) + 1) * RATE);
  padded.set(data);
  padded[data.length] ^= 0x01;
  padded[padded.length - 1] ^= 0x80;
  const state = new Uint32Array(50);
  const view = new DataView(padded.buffer);
  for (let offset = 0; offset < padded.length; offset += RATE) {
    for (let word = 0; word < RATE / 4; word++) state[word] ^= view.getUint32(offset + 4 * word, true);
    permute(state);
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  for (let word = 0; word < 8; word++) outView.setUint32(4 * word, state[word], true);
  return out;
}
