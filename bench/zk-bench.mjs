// SPDX-License-Identifier: AGPL-3.0-only
// The JavaScript side of the ZK benchmark: circomlibjs (Poseidon, BabyJub, EdDSA) and
// @zk-kit/poseidon-cipher on the inputs of ZkBenchmarks.cs. Prints {"rows": {"<row>": ops/s}}.
import { buildPoseidon, buildBabyjub, buildEddsa } from 'circomlibjs';
import { poseidonEncrypt } from '@zk-kit/poseidon-cipher';
import { readFileSync } from 'node:fs';

function opsPerSecond(fn, minimumMs = 2000) {
  for (let i = 0; i < 5; i++) fn(); // warm up
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < minimumMs) { fn(); runs++; }
  return runs / ((performance.now() - start) / 1000);
}

const poseidon = await buildPoseidon();
const babyjub = await buildBabyjub();
const eddsa = await buildEddsa();
const key = Buffer.alloc(32, 7);
const message = eddsa.F.e(42n);
const signature = eddsa.signPoseidon(key, message);
const publicKey = eddsa.prv2pub(key);
const scalar = (1n << 250n) + 12345n;
const sharedKey = [1n, 2n].map((v) => v); // any key: the cost does not depend on it
const plaintext = [1n, 2n, 3n, 4n, 5n, 6n, 7n];
// Batches of 64 hashes of 1, 2, 3, … (circomlibjs hashes one at a time).
const batch = (arity) => Array.from({ length: 64 }, (_, i) => Array.from({ length: arity }, (_, j) => BigInt(i * arity + j + 1)));
const pairs = batch(2);
const quintuples = batch(5);

const rows = {
  'Poseidon t=3 (2 inputs)': opsPerSecond(() => poseidon([1n, 2n])),
  'Poseidon t=6 (5 inputs)': opsPerSecond(() => poseidon([1n, 2n, 3n, 4n, 5n])),
  'Poseidon t=3, 64 hashes (one batch)': opsPerSecond(() => pairs.forEach((inputs) => poseidon(inputs))),
  'Poseidon t=6, 64 hashes (one batch)': opsPerSecond(() => quintuples.forEach((inputs) => poseidon(inputs))),
  'BabyJub scalar multiplication (Base8)': opsPerSecond(() => babyjub.mulPointEscalar(babyjub.Base8, scalar)),
  'EdDSA-Poseidon sign': opsPerSecond(() => eddsa.signPoseidon(key, message)),
  'EdDSA-Poseidon verify': opsPerSecond(() => eddsa.verifyPoseidon(message, signature, publicKey)),
  'Poseidon encrypt 7 elements': opsPerSecond(() => poseidonEncrypt(plaintext, sharedKey, 0n)),
};
const version = (name) => JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url))).version;
process.stdout.write(JSON.stringify({ peer: `circomlibjs ${version('circomlibjs')} / @zk-kit/poseidon-cipher ${version('@zk-kit/poseidon-cipher')}`, node: process.version, rows }));
