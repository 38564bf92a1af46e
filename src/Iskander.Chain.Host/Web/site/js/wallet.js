// SPDX-License-Identifier: AGPL-3.0-only
// The member's wallet, through EIP-1193 (window.ethereum). The page builds what is signed from the
// trusted deployment (chain id and contract shown in "What you trust"), never from the bridge's word.

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

/** The EIP-712 veto of `actionId` (docs/formats.md, "Veto signature and veto pool") on the trusted chain and ActionSchedule. */
export function vetoTypedData(chainId, actionSchedule, actionId) {
  return {
    types: {
      EIP712Domain: [{ name: 'name', type: 'string' }, { name: 'version', type: 'string' }, { name: 'chainId', type: 'uint256' }, { name: 'verifyingContract', type: 'address' }],
      Veto: [{ name: 'action', type: 'bytes32' }],
    },
    primaryType: 'Veto',
    domain: { name: 'ActionSchedule', version: '1', chainId: String(chainId), verifyingContract: actionSchedule },
    message: { action: actionId },
  };
}
