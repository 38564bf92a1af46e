// SPDX-License-Identifier: AGPL-3.0-only
// The member's wallet, through EIP-1193 (window.ethereum). The page builds what is signed from the
// trusted deployment (chain id and contracts shown in "What you trust"), never from the bridge's word.
import { toHex } from './verify.js';

function provider() {
  if (!window.ethereum?.request) throw new Error('no wallet found: open this page in a browser with an Ethereum wallet (EIP-1193)');
  return window.ethereum;
}

/** The member's account, asking the wallet for access if needed. */
export async function requestAccount() {
  const [account] = await provider().request({ method: 'eth_requestAccounts' });
  if (!account) throw new Error('the wallet gave no account');
  return account;
}

/** `eth_signTypedData_v4` of `typedData` by `account`; returns the 65-byte signature as hex. */
export function signTypedData(account, typedData) {
  return provider().request({ method: 'eth_signTypedData_v4', params: [account, JSON.stringify(typedData)] });
}

/** `personal_sign` (EIP-191) of the UTF-8 text `message` by `account`; returns the signature as hex. */
export function personalSign(account, message) {
  return provider().request({ method: 'personal_sign', params: [toHex(new TextEncoder().encode(message)), account] });
}

/** Sends a transaction from `account` with the wallet (`eth_sendTransaction`), after checking the wallet is on `chainId`; returns its hash. */
export async function sendTransaction(account, chainId, to, data) {
  const walletChain = Number(BigInt(await provider().request({ method: 'eth_chainId' })));
  if (walletChain !== Number(chainId)) throw new Error(`your wallet is on chain ${walletChain}, the cooperative on chain ${chainId}: switch networks first`);
  return provider().request({ method: 'eth_sendTransaction', params: [{ from: account, to, data }] });
}

const EIP712_DOMAIN = [{ name: 'name', type: 'string' }, { name: 'version', type: 'string' }, { name: 'chainId', type: 'uint256' }, { name: 'verifyingContract', type: 'address' }];

/** The EIP-712 veto of `actionId` (docs/formats.md, "Veto signature and veto pool") on the trusted chain and ActionSchedule. */
export function vetoTypedData(chainId, actionSchedule, actionId) {
  return {
    types: { EIP712Domain: EIP712_DOMAIN, Veto: [{ name: 'action', type: 'bytes32' }] },
    primaryType: 'Veto',
    domain: { name: 'ActionSchedule', version: '1', chainId: String(chainId), verifyingContract: actionSchedule },
    message: { action: actionId },
  };
}
