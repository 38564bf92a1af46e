// SPDX-License-Identifier: AGPL-3.0-only
// Independent oracle for the C# content-addressing tests: the JavaScript IPFS stack
// (ipfs-unixfs-importer, multiformats, @ipld/car). Reads {"op": ..., "cases": [...]} on stdin and
// answers {"results": [...]} on stdout.
import { readFileSync, writeFileSync } from 'node:fs';
import { importBytes } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { CarWriter, CarReader } from '@ipld/car';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';

function memoryBlockstore() {
  const blocks = new Map();
  return {
    blocks,
    put: async (cid, bytes) => { blocks.set(cid.toString(), { cid, bytes }); return cid; },
    has: async (cid) => blocks.has(cid.toString()),
    get: async (cid) => blocks.get(cid.toString()).bytes,
  };
}

const handlers = {
  // Import a file with Kubo-equivalent options (or the given chunk size and fan-out).
  importFile: async ({ path, cidVersion, chunkSize = 262144, maxChildrenPerNode = 174, car }) => {
    const store = memoryBlockstore();
    const result = await importBytes(readFileSync(path), store, {
      cidVersion,
      rawLeaves: cidVersion === 1,
      leafType: 'file',
      reduceSingleLeafToSelf: true,
      chunker: fixedSize({ chunkSize }),
      layout: balanced({ maxChildrenPerNode }),
    });
    if (car) {
      const { writer, out } = CarWriter.create([result.cid]);
      const chunks = [];
      const collect = (async () => { for await (const chunk of out) chunks.push(chunk); })();
      for (const { cid, bytes } of store.blocks.values()) await writer.put({ cid, bytes });
      await writer.close();
      await collect;
      writeFileSync(car, Buffer.concat(chunks));
    }
    return { cid: result.cid.toString(), blocks: store.blocks.size };
  },
  // Read a CAR file: roots and every block, each checked against its CID.
  readCar: async ({ path }) => {
    try {
      const reader = await CarReader.fromBytes(readFileSync(path));
      const roots = (await reader.getRoots()).map((r) => r.toString());
      const blocks = [];
      for await (const { cid, bytes } of reader.blocks()) {
        const digest = await sha256.digest(bytes);
        blocks.push({ cid: cid.toString(), valid: Buffer.compare(Buffer.from(digest.bytes), Buffer.from(cid.multihash.bytes)) === 0 });
      }
      return { roots, blocks };
    } catch (e) {
      return { error: e.message };
    }
  },
  // Parse a CID's text form and convert it.
  parseCid: ({ text }) => {
    try {
      const cid = CID.parse(text);
      return { v1: cid.toV1().toString(), code: cid.code, version: cid.version };
    } catch (e) {
      return { error: e.message };
    }
  },
};

const request = JSON.parse(readFileSync(0, 'utf8'));
const handler = handlers[request.op];
if (!handler) {
  process.stderr.write(`unknown op ${request.op}\n`);
  process.exit(2);
}
const results = [];
for (const c of request.cases) results.push(await handler(c));
process.stdout.write(JSON.stringify({ results }));
