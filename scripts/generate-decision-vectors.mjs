// SPDX-License-Identifier: AGPL-3.0-only
// Writes contracts/test/vectors/decision-batches.json: decision leaves, Merkle roots and every
// inclusion proof for batches of 1, 2, 3, 5, 8 and 100 decisions, computed from the definitions in
// docs/formats.md with ethers.js hashing. The Solidity and C# tests both read this file, so neither
// implementation can drift from the format (or from the other) unnoticed.
import { writeFileSync } from 'node:fs';
import { ethers } from 'ethers';

const tag = ethers.keccak256(ethers.toUtf8Bytes('iskander.decision-record.v1:cidv1-raw-sha2-256'));
const leafOf = (digest) => ethers.keccak256(ethers.concat(['0x00', tag, digest]));
const node = (left, right) => ethers.keccak256(ethers.concat(['0x01', left, right]));
const split = (n) => { let k = 1; while (k * 2 < n) k *= 2; return k; };

function root(leaves) {
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return node(root(leaves.slice(0, k)), root(leaves.slice(k)));
}

// RFC 6962 PATH(m, D[n]).
function path(m, leaves) {
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return m < k
    ? [...path(m, leaves.slice(0, k)), root(leaves.slice(k))]
    : [...path(m - k, leaves.slice(k)), root(leaves.slice(0, k))];
}

const batches = [1, 2, 3, 5, 8, 100].map((size) => {
  const digests = Array.from({ length: size }, (_, i) => ethers.sha256(ethers.toUtf8Bytes(`decision ${i}`)));
  const leaves = digests.map(leafOf);
  return { size, digests, leaves, root: root(leaves), proofs: leaves.map((_, i) => path(i, leaves)) };
});

writeFileSync(new URL('../contracts/test/vectors/decision-batches.json', import.meta.url), JSON.stringify({ tag, batches }, null, 1) + '\n');
