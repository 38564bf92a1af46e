// SPDX-License-Identifier: AGPL-3.0-only
// Independent oracle for JCS (RFC 8785): the npm `canonicalize` package (by an RFC author) and
// ECMAScript's own number formatting. Reads {"op", "cases"} on stdin, answers {"results"}.
import canonicalize from 'canonicalize';

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));

const handlers = {
  // A double given by its 16 hex digits (IEEE-754 bits) → how ECMAScript prints it.
  number: ({ bits }) => { const d = Buffer.from(bits, 'hex').readDoubleBE(0); return Number.isFinite(d) ? JSON.stringify(d) : null; },
  // A JSON text → its canonical form.
  canonicalize: ({ json }) => canonicalize(JSON.parse(json)),
};
process.stdout.write(JSON.stringify({ results: input.cases.map(handlers[input.op]) }));
