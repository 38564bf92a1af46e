// SPDX-License-Identifier: AGPL-3.0-only
// Independent oracle for the gateway tests: @helia/verified-fetch, a real IPFS HTTP client that
// finds providers through delegated routing, fetches blocks from a trustless gateway and verifies
// them against the CID. Needs Node 22. Reads {"op": "fetch", "cases": [{gateway, cid, timeoutMs}]}
// and answers {"results": [{ok, status, base64} | {ok: false, error}]}.
import { createVerifiedFetch } from '@helia/verified-fetch';

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));

const results = [];
for (const { gateway, cid, timeoutMs } of input.cases) {
  const verifiedFetch = await createVerifiedFetch({ gateways: [gateway], routers: [gateway], allowLocal: true, allowInsecure: true });
  try {
    const response = await verifiedFetch(`ipfs://${cid}`, { signal: AbortSignal.timeout(timeoutMs) });
    const bytes = new Uint8Array(await response.arrayBuffer());
    results.push({ ok: response.ok, status: response.status, base64: Buffer.from(bytes).toString('base64') });
  } catch (error) {
    results.push({ ok: false, error: `${error.name}: ${error.message}` });
  } finally {
    await verifiedFetch.stop();
  }
}

process.stdout.write(JSON.stringify({ results }));
process.exit(0);
