// SPDX-License-Identifier: AGPL-3.0-only
// Independent oracle for the C# Ethereum tests: reads {"op": ..., "cases": [...]} as JSON on stdin,
// answers {"results": [...]} on stdout, computed by ethers.js (nobody here wrote it).
import { readFileSync } from 'node:fs';
import { ethers } from 'ethers';

const handlers = {
  // Sign transactions: each case is an ethers TransactionLike plus privateKey.
  signTransaction: ({ privateKey, ...fields }) => {
    const tx = ethers.Transaction.from(fields);
    const unsignedSerialized = tx.unsignedSerialized;
    tx.signature = new ethers.SigningKey(privateKey).sign(tx.unsignedHash);
    return { unsignedSerialized, serialized: tx.serialized, hash: tx.hash, from: tx.from };
  },
  // Parse a serialized transaction back into its fields.
  parseTransaction: ({ serialized }) => {
    const tx = ethers.Transaction.from(serialized);
    return { type: tx.type, nonce: tx.nonce, from: tx.from, hash: tx.hash, to: tx.to, value: tx.value.toString(), chainId: tx.chainId.toString() };
  },
  // RLP: encode a nested array of hex strings, and decode back.
  rlpEncode: ({ value }) => ({ encoded: ethers.encodeRlp(value) }),
  rlpDecode: ({ encoded }) => {
    try { return { value: ethers.decodeRlp(encoded) }; } catch (e) { return { error: e.shortMessage ?? e.message }; }
  },
  keccak: ({ data }) => ({ hash: ethers.keccak256(data) }),
  // EIP-712: ethers infers the EIP712Domain type from the domain's members.
  typedData: ({ types, primaryType, domain, message }) => ({
    encodeType: ethers.TypedDataEncoder.from(types).encodeType(primaryType),
    domainSeparator: ethers.TypedDataEncoder.hashDomain(domain),
    digest: ethers.TypedDataEncoder.hash(domain, types, message),
  }),
  // ABI: encode values of the given types, and decode data back into JSON-friendly values.
  abiEncode: ({ types, values }) => ({ encoded: ethers.AbiCoder.defaultAbiCoder().encode(types, values) }),
  abiDecode: ({ types, data }) => {
    try { return { values: plain(ethers.AbiCoder.defaultAbiCoder().decode(types, data)) }; } catch (e) { return { error: e.shortMessage ?? e.message }; }
  },
  personalSign: ({ privateKey, message }) => {
    const signature = new ethers.SigningKey(privateKey).sign(ethers.hashMessage(ethers.getBytes(message)));
    return { hash: ethers.hashMessage(ethers.getBytes(message)), signature: signature.serialized };
  },
};

// ethers' Result objects are arrays with extras; bigints become decimal strings.
function plain(value) {
  if (Array.isArray(value)) return Array.from(value, plain);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

const request = JSON.parse(readFileSync(0, 'utf8'));
const handler = handlers[request.op];
if (!handler) {
  process.stderr.write(`unknown op ${request.op}\n`);
  process.exit(2);
}
const results = request.cases.map(handler);
process.stdout.write(JSON.stringify({ results }, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
