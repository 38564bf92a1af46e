// SPDX-License-Identifier: AGPL-3.0-only
// What every view shares: the deployment the member trusts, the bridge's API, and the member's signed
// read-access challenge (docs/architecture.md, "What is public").
import { checksumAddress } from './abi.js';
import { personalSign, requestAccount } from './wallet.js';

const trustInputs = {
  rpcUrl: document.getElementById('rpc-url'),
  chainId: document.getElementById('chain-id'),
  decisionAnchor: document.getElementById('decision-anchor'),
  actionSchedule: document.getElementById('action-schedule'),
  coopIdentity: document.getElementById('coop-identity'),
};

/** What the member trusts now: the values in the form, whatever the bridge suggested. */
export function trust() {
  return Object.fromEntries(Object.entries(trustInputs).map(([name, input]) => [name, input.value.trim()]));
}

/** Fills the trust form with the bridge's suggestions (`GET /api/deployment`). */
export async function loadDeployment() {
  const deployment = await api('/api/deployment');
  trustInputs.rpcUrl.value = deployment.rpcUrl ?? '';
  trustInputs.chainId.value = String(deployment.chainId);
  trustInputs.decisionAnchor.value = deployment.contracts.DecisionAnchor ?? '';
  trustInputs.actionSchedule.value = deployment.contracts.ActionSchedule ?? '';
  trustInputs.coopIdentity.value = deployment.contracts.CoopIdentity ?? '';
  return deployment;
}

/** GET (or POST with `body`) on the bridge's API, with extra `headers`; throws with the API's error message. */
export async function api(path, body, headers = {}) {
  const init = body === undefined ? { headers } : { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
  const response = await fetch(path, init);
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(json?.error ?? `${path}: HTTP ${response.status}`);
  return json;
}

/** A span of seconds, as people read it. */
export function duration(seconds) {
  if (seconds >= 86400) return `${Math.floor(seconds / 86400)} d ${Math.floor((seconds % 86400) / 3600)} h`;
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)} min`;
  return `${seconds} s`;
}

let signed = null; // { account, until, authorization }: kept in this page's memory only, never stored
const signedListeners = [];

/** The signed challenge's header, if the member signed one that is still valid for a minute. */
export function memberAuthorization() {
  return signed && signed.until - Date.now() / 1000 > 60 ? signed : null;
}

/** Calls `listener` each time the member signs a new challenge (views that show more to members reload). */
export function onSignedIn(listener) {
  signedListeners.push(listener);
}

/**
 * The member's read access: their wallet signs the bridge's challenge (`personal_sign`), once per
 * validity. The message is rebuilt from the trusted chain id and DecisionAnchor and must equal the
 * bridge's: a member never signs access to another cooperative.
 */
export async function signIn() {
  const known = memberAuthorization();
  if (known) return known;
  const account = await requestAccount();
  const { chainId, decisionAnchor } = trust();
  const challenge = await api('/api/access/challenge');
  const expected = `iskander-chain read access: chain ${chainId}, DecisionAnchor ${checksumAddress(decisionAnchor)}, until ${challenge.until}`;
  if (challenge.message !== expected) throw new Error(`the bridge asked to sign "${challenge.message}", not access to the cooperative you trust ("${expected}")`);
  const signature = await personalSign(account, challenge.message);
  signed = { account, until: challenge.until, authorization: `${challenge.scheme} until=${challenge.until}, signature=${signature}` };
  for (const listener of signedListeners) listener(signed);
  return signed;
}
