// SPDX-License-Identifier: AGPL-3.0-only
// The Glass Box: every write the bridge makes, in one hash chain whose heads are anchored on chain.
// It names private decisions, so it is read with the member's signed challenge.
import { anchorText } from './decisions.js';
import { api, signIn } from './bridge.js';
import { el, facts, say } from './dom.js';

const PAGE = 50;
let offset = 0;

// The first anchored head at or after the entry covers it (heads come in ascending order).
function coverText(entry, heads) {
  const head = heads.find((h) => h.seq >= entry.seq);
  return head ? `head at entry ${head.seq}, ${anchorText(head.batchStatus, head.blockNumber)}` : 'not yet covered by an anchored head';
}

function entryCard(entry, heads) {
  return el('li', { class: 'card', 'data-seq': entry.seq },
    el('h3', {}, `${entry.seq}. ${entry.kind}: ${entry.action}`),
    facts([
      ['Subject', entry.subject ?? null],
      ['Recorded', entry.recordedAt],
      ['Follows intent', entry.intentSeq === null || entry.intentSeq === undefined ? null : String(entry.intentSeq)],
      ['Covered by', coverText(entry, heads)],
      ['Hash', el('code', {}, entry.hash)],
    ]),
    el('details', {}, el('summary', {}, 'Detail'), el('pre', { class: 'mono' }, JSON.stringify(entry.detail, null, 2))));
}

async function show() {
  const { authorization } = await signIn();
  const headers = { authorization };
  const [{ total, entries }, { heads }] = await Promise.all([api(`/api/audit?offset=${offset}&limit=${PAGE}`, undefined, headers), api('/api/audit/heads', undefined, headers)]);
  document.getElementById('audit-list').replaceChildren(...entries.map((e) => entryCard(e, heads)));
  document.getElementById('audit-previous').disabled = offset === 0;
  document.getElementById('audit-next').disabled = offset + entries.length >= total;
  document.getElementById('audit-pages').hidden = false;
  const last = heads.at(-1);
  say('audit-status', `Entries ${total === 0 ? 0 : offset + 1}–${offset + entries.length} of ${total}; ${heads.length} head${heads.length === 1 ? '' : 's'} anchored${last ? `, the last covering entries up to ${last.seq}` : ''}.`);
}

/** Shows a page of the Glass Box (`step` pages forward or back from the current one). */
export async function loadAudit(step = 0) {
  offset = Math.max(0, offset + step * PAGE);
  const buttons = document.querySelectorAll('#audit button');
  buttons.forEach((b) => { b.disabled = true; });
  try {
    say('audit-status', 'Asking your wallet…');
    await show();
    document.getElementById('audit-button').disabled = false;
  } catch (error) {
    say('audit-status', `The Glass Box could not be read: ${error.message}`, true);
    document.getElementById('audit-button').disabled = false;
  }
}
