// SPDX-License-Identifier: AGPL-3.0-only
// The Solidity ABI encoding of the few calls the page sends (Solidity's "Contract ABI Specification"):
// static words (bytes32, uint256, address, bool) and the dynamic bytes and T[] of them. Written here
// so that the page depends on nothing served by anyone else; checked against ethers.js by the browser tests.
import { keccak256 } from './keccak.js';
import { fromHex, selector, toHex } from './verify.js';

const MAX_UINT = (1n << 256n) - 1n;
const utf8 = new TextEncoder();

function word(value) {
  const n = BigInt(value);
  if (n < 0n || n > MAX_UINT) throw new Error(`${value} does not fit in a uint256`);
  return n.toString(16).padStart(64, '0');
}

const isDynamic = (type) => type === 'bytes' || type.endsWith('[]');

function encodeStatic(type, value) {
  switch (type) {
    case 'bytes32': {
      const bytes = fromHex(value);
      if (bytes.length !== 32) throw new Error(`a bytes32 is 32 bytes, not ${bytes.length}`);
      return toHex(bytes).slice(2);
    }
    case 'address':
      if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw new Error(`not an address: ${value}`);
      return value.slice(2).toLowerCase().padStart(64, '0');
    case 'uint256': return word(value);
    case 'bool': return word(value ? 1 : 0);
    default: throw new Error(`the page cannot encode ${type}`);
  }
}

function encodeDynamic(type, value) {
  if (type === 'bytes') {
    const hex = toHex(fromHex(value)).slice(2);
    return word(hex.length / 2) + hex.padEnd(Math.ceil(hex.length / 64) * 64, '0');
  }
  const inner = type.slice(0, -2);
  return word(value.length) + encodeTuple(value.map(() => inner), value);
}

/** The ABI encoding (hex without 0x) of `values` as a tuple of `types`: heads, with offsets to the dynamic values' tails. */
export function encodeTuple(types, values) {
  if (types.length !== values.length) throw new Error(`${types.length} types but ${values.length} values`);
  let head = '';
  let tail = '';
  types.forEach((type, i) => {
    if (isDynamic(type)) {
      head += word(32 * types.length + tail.length / 2);
      tail += encodeDynamic(type, values[i]);
    } else {
      head += encodeStatic(type, values[i]);
    }
  });
  return head + tail;
}

/** Call data for `signature`, e.g. `veto(bytes32,bytes[])`, with `values`: selector and encoded arguments, 0x-hex. */
export function encodeCall(signature, values) {
  const types = signature.slice(signature.indexOf('(') + 1, -1).split(',').filter(Boolean);
  return '0x' + selector(signature) + encodeTuple(types, values);
}

/** The `index`th 32-byte word of an eth_call result, as a BigInt. */
export function resultWord(result, index = 0) {
  const hex = (result ?? '0x').slice(2 + 64 * index, 2 + 64 * (index + 1));
  if (hex.length !== 64) throw new Error(`the call answered ${Math.max(0, ((result ?? '0x').length - 2) / 64)} words, fewer than ${index + 1}`);
  return BigInt('0x' + hex);
}

/**
 * A custom error's revert data, named from `signatures` (e.g. `NotMember(address)`): the matching
 * signature and its static arguments decoded, or null when no signature has its selector.
 */
export function decodeError(data, signatures) {
  const hex = (data ?? '').toLowerCase();
  const signature = signatures.find((s) => hex.startsWith('0x' + selector(s)));
  if (!signature) return null;
  const types = signature.slice(signature.indexOf('(') + 1, -1).split(',').filter(Boolean);
  const args = types.map((type, i) => {
    const value = resultWord('0x' + hex.slice(10), i);
    return type === 'address' ? checksumAddress('0x' + value.toString(16).padStart(40, '0')) : type === 'bytes32' ? '0x' + value.toString(16).padStart(64, '0') : value;
  });
  return { signature, args };
}

/** The EIP-55 (mixed-case checksum) form of an address. */
export function checksumAddress(address) {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new Error(`not an address: ${address}`);
  const lower = address.slice(2).toLowerCase();
  const hash = toHex(keccak256(utf8.encode(lower))).slice(2);
  return '0x' + Array.from(lower, (c, i) => (parseInt(hash[i], 16) >= 8 ? c.toUpperCase() : c)).join('');
}
