// SPDX-License-Identifier: AGPL-3.0-only
// The JavaScript side of the Ethereum benchmark: the same operations on the same inputs with
// ethers.js 6. Prints {"rows": {"<row name>": opsPerSecond, ...}} as JSON.
import { ethers } from 'ethers';

const bytes32 = Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 1) & 0xff);
const kib = Uint8Array.from({ length: 1024 }, (_, i) => (i * 31 + 3) & 0xff);
const key = new ethers.SigningKey('0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318');
const digest = ethers.hexlify(bytes32);
const signature = key.sign(digest);

const iface = new ethers.Interface(['function submit((uint256,address[],string) ballot, bytes32 root)']);
const args = [[42n, ['0x70997970C51812dc3A010C7d01b50e0d17dc79C8', '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', '0x90F79bf6EB2c4f870365E785982E1f101E93b906'],
  'Adopt the 2027 budget as proposed by the finance circle'], digest];
const callData = iface.encodeFunctionData('submit', args);
const txFields = { type: 2, chainId: 31337n, nonce: 17, maxPriorityFeePerGas: 1000000000n, maxFeePerGas: 30000000000n, gasLimit: 120000n,
  to: '0x5FbDB2315678afecb367f032d93F642f64180aa3', value: 0n, data: callData, accessList: [] };
const unsigned = ethers.Transaction.from(txFields);
const txSignature = key.sign(unsigned.unsignedHash);
const serialized = ethers.Transaction.from({ ...txFields, signature: txSignature }).serialized;

const rows = {
  'keccak256 32 B': () => ethers.keccak256(bytes32),
  'keccak256 1 KiB': () => ethers.keccak256(kib),
  'secp256k1 sign': () => key.sign(digest),
  'secp256k1 recover address': () => ethers.recoverAddress(digest, signature),
  'ABI encode call (tuple with array and string)': () => iface.encodeFunctionData('submit', args),
  'ABI decode call (tuple with array and string)': () => iface.decodeFunctionData('submit', callData),
  'RLP encode signed EIP-1559 transaction': () => ethers.Transaction.from({ ...txFields, signature: txSignature }).serialized,
  'RLP decode signed EIP-1559 transaction': () => ethers.Transaction.from(serialized),
};

function measure(fn) {
  for (let i = 0; i < 200; i++) fn(); // warm up the JIT
  let best = 0;
  for (let round = 0; round < 5; round++) {
    let count = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0n;
    while (elapsed < 300_000_000n) {
      for (let i = 0; i < 50; i++) fn();
      count += 50;
      elapsed = process.hrtime.bigint() - start;
    }
    best = Math.max(best, count / (Number(elapsed) / 1e9));
  }
  return best;
}

const result = {};
for (const [name, fn] of Object.entries(rows)) result[name] = measure(fn);
process.stdout.write(JSON.stringify({ peer: `ethers ${ethers.version}`, node: process.version, rows: result }));
