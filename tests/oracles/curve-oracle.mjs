// SPDX-License-Identifier: AGPL-3.0-only
// Independent oracle for the C# BN254 curve code: ffjavascript's bn128 (the WebAssembly curve
// snarkjs proves with). Reads {"op": ..., "cases": [...]} on stdin, answers {"results": [...]};
// every number is a decimal string, G2 coordinates as [c0, c1].
import { buildBn128 } from 'ffjavascript';

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));

const curve = await buildBn128(true);
const { G1, G2 } = curve;
const affine1 = (p) => {
  if (G1.isZero(p)) return { infinity: true };
  const [x, y] = G1.toObject(G1.toAffine(p));
  return { x: x.toString(), y: y.toString() };
};
const affine2 = (p) => {
  if (G2.isZero(p)) return { infinity: true };
  const [x, y] = G2.toObject(G2.toAffine(p));
  return { x: x.map(String), y: y.map(String) };
};

const handlers = {
  // k·G1 and k·G2 of the generators, and (a·G1 + b·G1) for addition.
  g1: ({ k }) => affine1(G1.timesScalar(G1.g, BigInt(k))),
  g2: ({ k }) => affine2(G2.timesScalar(G2.g, BigInt(k))),
  g1sum: ({ a, b }) => affine1(G1.add(G1.timesScalar(G1.g, BigInt(a)), G1.timesScalar(G1.g, BigInt(b)))),
  g2sum: ({ a, b }) => affine2(G2.add(G2.timesScalar(G2.g, BigInt(a)), G2.timesScalar(G2.g, BigInt(b)))),
};

const results = input.cases.map((c) => handlers[input.op](c));
process.stdout.write(JSON.stringify({ results }));
await curve.terminate();
