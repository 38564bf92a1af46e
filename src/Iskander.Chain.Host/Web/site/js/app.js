// SPDX-License-Identifier: AGPL-3.0-only
// The members' page: reads the bridge's API and checks what matters against the chain, in this browser.
import { loadActions } from './actions.js';
import { loadAudit } from './audit.js';
import { loadBallots } from './ballots.js';
import { loadDeployment, onSignedIn } from './bridge.js';
import { loadDecisions } from './decisions.js';
import { say } from './dom.js';
import { loadEscrows } from './escrows.js';
import { loadMembers, loadMyAdmissions } from './members.js';

// Each view reports its own failure in its status line; one failing does not stop the others.
function view(load, statusId, what) {
  return load().catch((error) => say(statusId, `${what} could not be loaded: ${error.message}`, true));
}

async function start() {
  document.getElementById('admissions-button').addEventListener('click', loadMyAdmissions);
  document.getElementById('audit-button').addEventListener('click', () => loadAudit(0));
  document.getElementById('audit-previous').addEventListener('click', () => loadAudit(-1));
  document.getElementById('audit-next').addEventListener('click', () => loadAudit(1));
  // Members see more of the ballots (their questions) and of the members (private decisions) once they have signed the challenge.
  onSignedIn(() => view(loadBallots, 'ballots-status', 'Ballots'));
  onSignedIn(() => view(loadMembers, 'members-status', 'Members'));
  try {
    await loadDeployment();
  } catch (error) {
    say('decisions-status', `The bridge's deployment could not be read: ${error.message}. Enter the chain node and contracts yourself.`, true);
  }
  await Promise.all([
    view(loadDecisions, 'decisions-status', 'Decisions'),
    view(loadActions, 'actions-status', 'Actions'),
    view(loadMembers, 'members-status', 'Members'),
    view(loadBallots, 'ballots-status', 'Ballots'),
    view(loadEscrows, 'escrows-status', 'Escrows'),
  ]);
  document.body.dataset.ready = 'true';
}

start();
