// SPDX-License-Identifier: AGPL-3.0-only
// The JavaScript side of the content benchmark: ipfs-unixfs-importer with Kubo's CIDv1 parameters
// on the same inputs, blocks discarded. Prints {"rows": {"<row name>": value}} where CID rows are MiB/s.
import { importBytes } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { readFileSync } from 'node:fs';

const fill = (n) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
const discard = { put: async (cid) => cid, has: async () => false, get: async () => { throw new Error('discarded'); } };
const options = { cidVersion: 1, rawLeaves: true, reduceSingleLeafToSelf: true, chunker: fixedSize({ chunkSize: 262144 }), layout: balanced({ maxChildrenPerNode: 174 }) };

async function megabytesPerSecond(bytes, rounds) {
  await importBytes(bytes, discard, options); // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) await importBytes(bytes, discard, options);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return (bytes.length * rounds) / (1 << 20) / seconds;
}

const rows = {
  'CID of 1 MiB (UnixFS, CIDv1)': await megabytesPerSecond(fill(1 << 20), 100),
  'CID of 100 MiB (UnixFS, CIDv1)': await megabytesPerSecond(fill(100 << 20), 3),
};
const version = JSON.parse(readFileSync(new URL('../node_modules/ipfs-unixfs-importer/package.json', import.meta.url))).version;
process.stdout.write(JSON.stringify({ peer: `ipfs-unixfs-importer ${version}`, node: process.version, rows }));
