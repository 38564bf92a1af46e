// SPDX-License-Identifier: AGPL-3.0-only
// Verifies one anchored decision in the member's browser, trusting neither the bridge nor its API:
// the record's bytes are hashed here (WebCrypto SHA-256), the decision leaf and the Merkle root are
// recomputed here (keccak-256, docs/formats.md "Decision leaf" and "Merkle batch"), and the root is
// looked up on chain through the JSON-RPC node and DecisionAnchor the member names.
import { keccak256 } from './keccak.js';

const utf8 = new TextEncoder();

/** Bytes as 0x-prefixed lower-case hex. */
export function toHex(bytes) {
  return '0x' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** 0x-prefixed hex as bytes; throws on anything else. */
export function fromHex(text) {
  if (typeof text !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(text)) throw new Error(`not hex: ${String(text).slice(0, 80)}`);
  const bytes = new Uint8Array((text.length - 2) / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(2 + 2 * i, 4 + 2 * i), 16);
  return bytes;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

// RFC 4648 base32, lower case, unpadded: the multibase 'b' encoding of CIDv1.
function base32(bytes) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

/** The CIDv1 (raw codec 0x55, sha2-256 multihash) of a record's SHA-256 digest, as base32 text. */
export function rawCid(digest) {
  return 'b' + base32(concat(Uint8Array.of(0x01, 0x55, 0x12, 0x20), digest));
}

/** The decision leaf (version 1) of a record's SHA-256 digest. */
export function decisionLeaf(digest) {
  const tag = keccak256(utf8.encode('iskander.decision-record.v1:cidv1-raw-sha2-256'));
  return keccak256(concat(Uint8Array.of(0x00), tag, digest));
}

/** The root an RFC 9162 inclusion proof leads to from `leaf` at `index` in a tree of `size` leaves, or null when the proof cannot fit that tree. */
export function rootFromProof(leaf, index, size, proof) {
  if (!(index < size)) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = keccak256(concat(Uint8Array.of(0x01), p, r));
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = keccak256(concat(Uint8Array.of(0x01), r, p));
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/** The 4-byte selector of a Solidity function signature, as hex without 0x. */
export function selector(signature) {
  return toHex(keccak256(utf8.encode(signature)).slice(0, 4)).slice(2);
}

/** One JSON-RPC call to the member's node. */
export async function rpc(url, method, params) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  if (!response.ok) throw new Error(`${method}: the node answered HTTP ${response.status}`);
  const body = await response.json();
  if (body.error) {
    // The node's revert data (a custom error), kept so that the caller can name the error.
    throw Object.assign(new Error(`${method}: ${body.error.message ?? JSON.stringify(body.error)}`), { revertData: typeof body.error.data === 'string' ? body.error.data : null });
  }
  return body.result;
}

/** Reads `DecisionAnchor.batchOf(root)` with eth_call: the anchored batch (all zero when the root was never anchored). */
export async function batchOf(rpcUrl, anchor, root) {
  const data = '0x' + selector('batchOf(bytes32)') + toHex(root).slice(2);
  const result = await rpc(rpcUrl, 'eth_call', [{ to: anchor, data }, 'latest']);
  const words = (result ?? '0x').slice(2).match(/.{64}/g) ?? [];
  if (words.length !== 4) throw new Error(`batchOf answered ${words.length} words, not 4: is ${anchor} a DecisionAnchor?`);
  const [sequence, leafCount, anchoredAt, blockNumber] = words.map((w) => Number(BigInt('0x' + w)));
  return { sequence, leafCount, anchoredAt, blockNumber };
}

/** The links checked, in order; a FAIL names the first broken one. */
export const LINKS = {
  bytes: 'record bytes → CID',
  leaf: 'CID → decision leaf',
  chain: 'node → chain',
  anchored: 'root anchored on chain',
  proof: 'leaf → root (inclusion proof)',
  cooperative: 'bundle names this cooperative',
};

/**
 * Verifies the decision whose evidence bundle is `bundle` against record bytes `record` (fetched
 * apart from the bundle) and the trusted chain: `trust` = { rpcUrl, chainId, decisionAnchor }.
 * Returns { verdict: 'PASS' | 'FAIL', failed: link name or null, checks: [{ link, ok, detail }] }.
 */
export async function verifyDecision(bundle, record, trust) {
  const checks = [];
  const check = (link, ok, detail) => {
    checks.push({ link, name: LINKS[link], ok, detail });
    return ok;
  };
  const done = () => {
    const failed = checks.find((c) => !c.ok);
    return { verdict: failed ? 'FAIL' : 'PASS', failed: failed?.link ?? null, failedName: failed?.name ?? null, checks };
  };

  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', record));
  const cid = rawCid(digest);
  if (!check('bytes', cid === bundle.cid, cid === bundle.cid ? `the ${record.length} bytes hash to ${cid}` : `the bytes served hash to ${cid}, not ${bundle.cid}`)) return done();

  const leaf = decisionLeaf(digest);
  const leafOk = toHex(leaf) === String(bundle.leaf).toLowerCase();
  if (!check('leaf', leafOk, leafOk ? `leaf ${toHex(leaf)}` : `the CID gives leaf ${toHex(leaf)}, the bundle says ${bundle.leaf}`)) return done();

  let chainId;
  try {
    chainId = Number(BigInt(await rpc(trust.rpcUrl, 'eth_chainId', [])));
  } catch (error) {
    check('chain', false, `the node at ${trust.rpcUrl} did not answer: ${error.message}`);
    return done();
  }
  if (!check('chain', chainId === Number(trust.chainId), chainId === Number(trust.chainId) ? `the node is on chain ${chainId}` : `wrong chain: the node is on chain ${chainId}, the cooperative is on chain ${trust.chainId}`)) return done();

  const root = fromHex(bundle.root);
  let batch;
  try {
    batch = await batchOf(trust.rpcUrl, trust.decisionAnchor, root);
  } catch (error) {
    check('anchored', false, error.message);
    return done();
  }
  if (!check('anchored', batch.sequence > 0, batch.sequence > 0 ? `batch ${batch.sequence} of ${batch.leafCount} leaves, block ${batch.blockNumber}` : `root ${bundle.root} is not anchored in DecisionAnchor ${trust.decisionAnchor}`)) return done();

  const computed = rootFromProof(leaf, Number(bundle.index), batch.leafCount, (bundle.proof ?? []).map(fromHex));
  const proofOk = computed !== null && toHex(computed) === toHex(root);
  if (!check('proof', proofOk, proofOk ? `leaf ${bundle.index} of ${batch.leafCount} leads to the anchored root` : `the proof does not lead from leaf ${bundle.index} of ${batch.leafCount} to root ${bundle.root}`)) return done();

  const sameCooperative = Number(bundle.chainId) === Number(trust.chainId) && String(bundle.decisionAnchor).toLowerCase() === String(trust.decisionAnchor).toLowerCase();
  check('cooperative', sameCooperative, sameCooperative ? `chain ${bundle.chainId}, DecisionAnchor ${bundle.decisionAnchor}` : `the bundle names chain ${bundle.chainId}, DecisionAnchor ${bundle.decisionAnchor}; you trust chain ${trust.chainId}, DecisionAnchor ${trust.decisionAnchor}`);
  return done();
}
