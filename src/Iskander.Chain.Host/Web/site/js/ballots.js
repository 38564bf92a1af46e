// SPDX-License-Identifier: AGPL-3.0-only
// Secret ballots the bridge coordinates: phase, proofs, and the results once published on chain. A
// ballot's title names its question, which is not on chain: the API gives it to members only.
import { api, memberAuthorization } from './bridge.js';
import { el, facts, say } from './dom.js';

const PHASES = {
  collecting: 'voting: messages are being collected until the deadline',
  proving: 'voting closed: the coordinator is proving the tally',
  published: 'results published on chain',
  recorded: 'results published on chain and recorded as a decision',
};

function proofsText(proofs) {
  if (proofs.length === 0) return 'none made yet';
  const confirmed = proofs.filter((p) => p.status === 'confirmed').length;
  return `${confirmed} of ${proofs.length} verified on chain (${proofs.map((p) => `${p.step}: ${p.status}`).join(', ')})`;
}

function resultsView(ballot) {
  if (!ballot.results) return null;
  return el('ol', { class: 'results', start: '0' }, ballot.results.map((count, option) => el('li', {}, `option ${option}: ${count}`)));
}

function ballotCard(ballot) {
  return el('li', { class: 'card', 'data-ballot': ballot.address },
    el('h3', {}, ballot.title ?? 'Ballot (its question is shown to members)'),
    facts([
      ['Phase', PHASES[ballot.status] ?? ballot.status],
      ['Proofs', proofsText(ballot.proofs)],
      ['Options', String(ballot.voteOptions)],
      ['Results', ballot.results ? `${ballot.totalSpent} credits spent` : 'not published yet'],
      ['Contract', el('code', {}, ballot.address)],
    ]),
    resultsView(ballot));
}

/** Lists the ballots; with the member's signed challenge, their titles too. */
export async function loadBallots() {
  const signed = memberAuthorization();
  const { ballots } = await api('/api/ballots', undefined, signed ? { authorization: signed.authorization } : {});
  document.getElementById('ballot-list').replaceChildren(...ballots.map(ballotCard));
  say('ballots-status', ballots.length === 0 ? 'No ballot is coordinated by this bridge.' : `${ballots.length} ballot${ballots.length === 1 ? '' : 's'}${signed ? '' : '; members see their questions after “Open the Glass Box” or “Show my admissions”'}.`);
}
