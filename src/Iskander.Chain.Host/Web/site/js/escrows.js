// SPDX-License-Identifier: AGPL-3.0-only
// Escrows between cooperatives, as the bridge mirrors InterCoopEscrow's events (all public on chain).
import { api, duration } from './bridge.js';
import { el, facts, say } from './dom.js';

// The deadline is in chain time; the time left is against this browser's clock.
function deadlineText(escrow) {
  if (escrow.disputeDeadline === null || escrow.disputeDeadline === undefined) return null;
  const left = escrow.disputeDeadline - Math.floor(Date.now() / 1000);
  return `${escrow.disputeDeadlineUtc} (${left > 0 ? `${duration(left)} left` : 'passed'})`;
}

function escrowCard(escrow) {
  return el('li', { class: 'card', 'data-escrow': `${escrow.contract}/${escrow.id}` },
    el('h3', {}, `Escrow ${escrow.id}: ${escrow.status}`),
    facts([
      ['Amount', escrow.amount],
      ['Buyer', el('code', {}, escrow.buyer)],
      ['Seller', el('code', {}, escrow.seller)],
      ['Arbitrator', el('code', {}, escrow.arbitrator)],
      ['Dispute deadline', deadlineText(escrow)],
      ['Disputed by', escrow.disputedBy ? el('code', {}, escrow.disputedBy) : null],
      ['Owed to the seller', escrow.sellerOwed],
      ['Owed to the buyer', escrow.buyerOwed],
      ['Contract', el('code', {}, escrow.contract)],
    ]));
}

/** Lists every escrow with its current state. */
export async function loadEscrows() {
  const { escrows } = await api('/api/escrows');
  document.getElementById('escrow-list').replaceChildren(...escrows.map(escrowCard));
  say('escrows-status', escrows.length === 0 ? 'No escrow yet.' : `${escrows.length} escrow${escrows.length === 1 ? '' : 's'}.`);
}
