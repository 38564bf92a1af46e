// SPDX-License-Identifier: AGPL-3.0-only
// The JavaScript side of the curve benchmark: ffjavascript's bn128 (snarkjs's curve library) on the
// inputs of CurveBenchmarks.cs. Prints {"rows": {"<row>": ops/s}}.
import { buildBn128 } from 'ffjavascript';
import { readFileSync } from 'node:fs';

function opsPerSecond(fn, minimumMs = 2000) {
  for (let i = 0; i < 5; i++) fn(); // warm up
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < minimumMs) { fn(); runs++; }
  return runs / ((performance.now() - start) / 1000);
}

const curve = await buildBn128(true); // single thread: the C# rows are single calls too
const { G1, G2, F1 } = curve;
const scalar = (1n << 252n) + 987654321n;
const p1 = G1.timesScalar(G1.g, 11);
const q1 = G1.timesScalar(G1.g, 13);
const q1Affine = G1.toAffine(q1);
const p2 = G2.timesScalar(G2.g, 11);
const q2 = G2.timesScalar(G2.g, 13);
const a = F1.e(3);
const b = F1.e(5);

// No batch-to-affine row: ffjavascript's is an asynchronous buffer API, not comparable per call.
const rows = {
  'Fq multiplication': opsPerSecond(() => F1.mul(a, b)),
  'G1 add (Jacobian)': opsPerSecond(() => G1.add(p1, q1)),
  'G1 add mixed (affine operand)': opsPerSecond(() => G1.add(p1, q1Affine)),
  'G1 double': opsPerSecond(() => G1.double(p1)),
  'G1 scalar multiplication (variable base)': opsPerSecond(() => G1.timesScalar(p1, scalar)),
  'G2 add (Jacobian)': opsPerSecond(() => G2.add(p2, q2)),
  'G2 scalar multiplication (variable base)': opsPerSecond(() => G2.timesScalar(p2, scalar)),
};
const version = (name) => JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url))).version;
process.stdout.write(JSON.stringify({ peer: `ffjavascript ${version('ffjavascript')} (bn128)`, node: process.version, rows }));
await curve.terminate();
