// SPDX-License-Identifier: AGPL-3.0-only
// The members' page: reads the bridge's API and checks what matters against the chain, in this browser.
import { el, facts, say } from './dom.js';
import { verifyDecision } from './verify.js';
import { requestAccount, signTypedData, vetoTypedData } from './wallet.js';

const trustInputs = {
  rpcUrl: document.getElementById('rpc-url'),
  chainId: document.getElementById('chain-id'),
  decisionAnchor: document.getElementById('decision-anchor'),
  actionSchedule: document.getElementById('action-schedule'),
};

/** What the member trusts now: the values in the form, whatever the bridge suggested. */
export function trust() {
  return Object.fromEntries(Object.entries(trustInputs).map(([name, input]) => [name, input.value.trim()]));
}

/** GET (or POST with `body`) on the bridge's API; throws with the API's error message. */
export async function api(path, body) {
  const response = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(json?.error ?? `${path}: HTTP ${response.status}`);
  return json;
}

async function loadDeployment() {
  const deployment = await api('/api/deployment');
  trustInputs.rpcUrl.value = deployment.rpcUrl ?? '';
  trustInputs.chainId.value = String(deployment.chainId);
  trustInputs.decisionAnchor.value = deployment.contracts.DecisionAnchor ?? '';
  trustInputs.actionSchedule.value = deployment.contracts.ActionSchedule ?? '';
  return deployment;
}

// ------------------------------------------------------------------ decisions

function verdictView(result) {
  const failed = result.verdict === 'FAIL';
  return el('div', { class: `result ${failed ? 'fail' : 'pass'}` },
    el('p', { class: 'verdict' }, failed ? `FAIL: ${result.failedName}` : 'PASS: every link holds'),
    el('ol', {}, result.checks.map((c) => el('li', { class: c.ok ? 'check-ok' : 'check-failed' }, `${c.name}: ${c.detail}`))));
}

async function verify(decision, output, button) {
  button.disabled = true;
  output.replaceChildren(el('p', {}, 'Verifying…'));
  try {
    const bundle = await api(`/api/decisions/${encodeURIComponent(decision.cid)}/evidence`);
    // The bytes come from the content gateway, apart from the bundle: the gateway's word is checked, not taken.
    const response = await fetch(`/ipfs/${encodeURIComponent(decision.cid)}?format=raw`);
    if (!response.ok) throw new Error(`the gateway answered HTTP ${response.status} for ${decision.cid}`);
    const record = new Uint8Array(await response.arrayBuffer());
    output.replaceChildren(verdictView(await verifyDecision(bundle, record, trust())));
  } catch (error) {
    output.replaceChildren(el('div', { class: 'result fail' }, el('p', { class: 'verdict' }, `FAIL: could not verify — ${error.message}`)));
  } finally {
    button.disabled = false;
  }
}

// Batch statuses: closed (batched, not yet sent), submitted (sent, awaiting confirmations), confirmed.
function anchorText(decision) {
  switch (decision.batchStatus) {
    case 'confirmed': return `anchored in block ${decision.blockNumber}, confirmed`;
    case 'submitted': return decision.blockNumber ? `anchored in block ${decision.blockNumber}, awaiting confirmations` : 'sent to the chain, not yet mined';
    default: return 'batched, not yet sent to the chain';
  }
}

function decisionCard(decision) {
  const output = el('div', { role: 'status', 'aria-live': 'polite' });
  const title = `${decision.pollKey}, version ${decision.version}`;
  // The visible text starts the accessible name; the hidden rest tells screen-reader users which decision.
  const button = el('button', { type: 'button' }, 'Verify in your browser', el('span', { class: 'visually-hidden' }, `: ${title}`));
  button.addEventListener('click', () => verify(decision, output, button));
  return el('li', { class: 'card', 'data-poll-key': decision.pollKey, 'data-version': decision.version },
    el('h3', {}, title),
    facts([
      ['State', decision.state],
      ['Anchor', anchorText(decision)],
      ['Record', el('code', {}, decision.cid)],
    ]),
    button, output);
}

async function loadDecisions() {
  const { total, decisions } = await api('/api/decisions?limit=500');
  document.getElementById('decision-list').replaceChildren(...decisions.map(decisionCard));
  say('decisions-status', total === 0 ? 'No decision is anchored yet.' : `${total} anchored decision version${total === 1 ? '' : 's'}${total > decisions.length ? ` (the first ${decisions.length} shown)` : ''}.`);
}

// ------------------------------------------------------------------ pending actions

function duration(seconds) {
  if (seconds >= 86400) return `${Math.floor(seconds / 86400)} d ${Math.floor((seconds % 86400) / 3600)} h`;
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)} min`;
  return `${seconds} s`;
}

function actionSummary(action) {
  const spec = action.spec ?? {};
  switch (action.kind) {
    case 'admit-member': return `admit ${spec.member} as ${spec.role ?? 'member'}`;
    case 'revoke-member': return `revoke the membership of ${spec.member}`;
    case 'amend-parameter': return `set ${spec.parameter} to ${spec.value}`;
    default: return action.kind;
  }
}

async function veto(action, output, button) {
  button.disabled = true;
  try {
    const { chainId, actionSchedule } = trust();
    const account = await requestAccount();
    const signature = await signTypedData(account, vetoTypedData(chainId, actionSchedule, action.actionId));
    const kept = await api(`/api/actions/${action.actionId}/vetoes`, { signature });
    output.replaceChildren(el('p', {}, `Your veto is kept (signed by ${kept.signer}); ${kept.vetoes} veto signature${kept.vetoes === 1 ? '' : 's'} so far.`));
  } catch (error) {
    output.replaceChildren(el('p', { class: 'error' }, `The veto was not kept: ${error.message}`));
    button.disabled = false;
  }
}

function actionCard(action) {
  const output = el('div', { role: 'status', 'aria-live': 'polite' });
  const title = actionSummary(action);
  const button = el('button', { type: 'button' }, 'Veto with your wallet', el('span', { class: 'visually-hidden' }, `: ${title}`));
  button.addEventListener('click', () => veto(action, output, button));
  const left = action.noticeSecondsLeft > 0 ? `notice: ${duration(action.noticeSecondsLeft)} left` : 'notice served: it may execute now';
  return el('li', { class: 'card', 'data-action-id': action.actionId },
    el('h3', {}, title),
    facts([
      ['Ordered by', `${action.pollKey}, version ${action.version}`],
      ['Status', `${action.status}; ${left}`],
      ['Vetoes collected', String(action.vetoes)],
      ['Action id', el('code', {}, action.actionId)],
    ]),
    button, output);
}

async function loadActions() {
  const { actions } = await api('/api/actions');
  document.getElementById('action-list').replaceChildren(...actions.map(actionCard));
  say('actions-status', actions.length === 0 ? 'No action is on the schedule.' : `${actions.length} action${actions.length === 1 ? '' : 's'} on the schedule.`);
}

async function start() {
  try {
    await loadDeployment();
  } catch (error) {
    say('decisions-status', `The bridge's deployment could not be read: ${error.message}. Enter the chain node and contracts yourself.`, true);
  }
  await Promise.all([
    loadDecisions().catch((error) => say('decisions-status', `Decisions could not be loaded: ${error.message}`, true)),
    loadActions().catch((error) => say('actions-status', `Actions could not be loaded: ${error.message}`, true)),
  ]);
  document.body.dataset.ready = 'true';
}

start();
