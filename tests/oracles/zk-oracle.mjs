// SPDX-License-Identifier: AGPL-3.0-only
// Independent oracle for the C# ZK primitives: circomlibjs, blake-hash, @zk-kit/baby-jubjub,
// @zk-kit/eddsa-poseidon, @zk-kit/poseidon-cipher and MACI's @maci-protocol/crypto and
// domainobjs 3.0.0. Reads {"op": ..., "cases": [...]} on stdin, answers {"results": [...]};
// every number is a decimal string.
import { buildPoseidon } from 'circomlibjs';
import createBlakeHash from 'blake-hash';
import { mulPointEscalar, packPoint, inCurve } from '@zk-kit/baby-jubjub';
import { createRequire } from 'node:module';
import { poseidonEncrypt, poseidonDecrypt } from '@zk-kit/poseidon-cipher';
import { formatPrivateKeyForBabyJub, generateEcdhSharedKey, IncrementalQuinTree, hash2, hash5 } from '@maci-protocol/crypto';
import { Keypair, PrivateKey, PublicKey, VoteCommand, Message } from '@maci-protocol/domainobjs';

// The package's ESM build imports blakejs by named exports, which Node cannot resolve; its CommonJS build (BLAKE-1 default) loads.
const { signMessage, derivePublicKey, verifySignature } = createRequire(import.meta.url)('@zk-kit/eddsa-poseidon');

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));

const poseidon = await buildPoseidon();
const s = (value) => value.toString();
const b = (text) => BigInt(text);
const point = (p) => [s(p[0]), s(p[1])];

const handlers = {
  poseidon: ({ inputs }) => poseidon.F.toString(poseidon(inputs.map(b))),
  blake512: ({ hex }) => createBlakeHash('blake512').update(Buffer.from(hex, 'hex')).digest('hex'),
  babyjub: ({ x, y, scalar }) => {
    const product = mulPointEscalar([b(x), b(y)], b(scalar));
    return { product: point(product), packed: s(packPoint(product)), onCurve: inCurve(product) };
  },
  eddsaSign: ({ keyHex, message }) => {
    const key = Buffer.from(keyHex, 'hex');
    const signature = signMessage(key, b(message));
    return { publicKey: point(derivePublicKey(key)), r8: point(signature.R8), s: s(signature.S) };
  },
  eddsaVerify: ({ publicKey, message, r8, sig }) => verifySignature(b(message), { R8: r8.map(b), S: b(sig) }, publicKey.map(b)),
  maciKey: ({ sk }) => {
    const keypair = new Keypair(new PrivateKey(b(sk)));
    return {
      serializedPrivate: keypair.privateKey.serialize(),
      formatted: s(formatPrivateKeyForBabyJub(b(sk))),
      publicKey: point(keypair.publicKey.raw),
      serializedPublic: keypair.publicKey.serialize(),
      hash: s(keypair.publicKey.hash()),
    };
  },
  ecdh: ({ sk, publicKey }) => point(generateEcdhSharedKey(b(sk), publicKey.map(b))),
  encrypt: ({ plaintext, key, nonce }) => poseidonEncrypt(plaintext.map(b), key.map(b), b(nonce)).map(s),
  decrypt: ({ ciphertext, key, nonce, length }) => {
    try {
      return { ok: true, plaintext: poseidonDecrypt(ciphertext.map(b), key.map(b), b(nonce), length).map(s) };
    } catch (error) {
      return { ok: false, error: String(error.message ?? error) };
    }
  },
  // A voter's whole command path, as MACI's domain objects do it.
  command: ({ stateIndex, newPublicKey, voteOptionIndex, newVoteWeight, nonce, pollId, salt, voterSk, ephemeralSk, coordinatorPublicKey }) => {
    const command = new VoteCommand(b(stateIndex), PublicKey.deserialize(newPublicKey), b(voteOptionIndex), b(newVoteWeight), b(nonce), b(pollId), b(salt));
    const signature = command.sign(new PrivateKey(b(voterSk)));
    const ephemeral = new Keypair(new PrivateKey(b(ephemeralSk)));
    const coordinator = PublicKey.deserialize(coordinatorPublicKey);
    const message = command.encrypt(signature, Keypair.generateEcdhSharedKey(ephemeral.privateKey, coordinator));
    return {
      packed: s(command.asArray()[0]),
      hash: s(command.hash()),
      r8: point(signature.R8),
      s: s(signature.S),
      data: message.data.map(s),
      messageHash: s(message.hash(ephemeral.publicKey)),
    };
  },
  // The coordinator's side: decrypt a message built in C#.
  decryptCommand: ({ data, ephemeralPublicKey, coordinatorSk }) => {
    const sharedKey = Keypair.generateEcdhSharedKey(new PrivateKey(b(coordinatorSk)), PublicKey.deserialize(ephemeralPublicKey));
    const { command, signature } = VoteCommand.decrypt(new Message(data.map(b)), sharedKey);
    return {
      stateIndex: s(command.stateIndex), voteOptionIndex: s(command.voteOptionIndex), newVoteWeight: s(command.newVoteWeight),
      nonce: s(command.nonce), pollId: s(command.pollId), salt: s(command.salt), newPublicKey: command.newPublicKey.serialize(),
      r8: point(signature.R8), s: s(signature.S),
    };
  },
  tree: ({ arity, depth, zero, leaves, proveIndex }) => {
    const tree = new IncrementalQuinTree(depth, b(zero), arity, arity === 2 ? (xs) => hash2(xs) : hash5);
    for (const leaf of leaves) tree.insert(b(leaf));
    const proof = tree.generateProof(proveIndex);
    return { root: s(tree.root), pathElements: proof.pathElements.map((level) => level.map(s)), pathIndices: proof.pathIndices.map(Number) };
  },
};

const handler = handlers[input.op];
if (!handler) throw new Error(`unknown op ${input.op}`);
const results = [];
for (const c of input.cases) results.push(await handler(c));
process.stdout.write(JSON.stringify({ results }));
