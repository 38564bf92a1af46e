// SPDX-License-Identifier: AGPL-3.0-only
// Decisions: every anchored version, verified in this browser on request.
import { api, trust } from './bridge.js';
import { el, facts, say } from './dom.js';
import { verifyDecision } from './verify.js';

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
export function anchorText(batchStatus, blockNumber) {
  switch (batchStatus) {
    case 'confirmed': return `anchored in block ${blockNumber}, confirmed`;
    case 'submitted': return blockNumber ? `anchored in block ${blockNumber}, awaiting confirmations` : 'sent to the chain, not yet mined';
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
      ['Anchor', anchorText(decision.batchStatus, decision.blockNumber)],
      ['Record', el('code', {}, decision.cid)],
    ]),
    button, output);
}

/** Lists the anchored decision versions the API serves anonymously. */
export async function loadDecisions() {
  const { total, decisions } = await api('/api/decisions?limit=500');
  document.getElementById('decision-list').replaceChildren(...decisions.map(decisionCard));
  say('decisions-status', total === 0 ? 'No decision is anchored yet.' : `${total} anchored decision version${total === 1 ? '' : 's'}${total > decisions.length ? ` (the first ${decisions.length} shown)` : ''}.`);
}
