// SPDX-License-Identifier: AGPL-3.0-only
// Members (mirrored from CoopIdentity, public) and the member's own admissions awaiting their consent.
import { api, memberAuthorization, signIn, trust } from './bridge.js';
import { el, facts, say } from './dom.js';
import { signTypedData } from './wallet.js';

function decisionText(decision) {
  if (decision.pollKey) return `${decision.pollKey}, version ${decision.version}`;
  return decision.membersOnly ? `a members-only decision (action leaf ${decision.leaf})` : `a decision this bridge did not record (action leaf ${decision.leaf})`;
}

function memberCard(membership) {
  return el('li', { class: 'card', 'data-member': membership.member },
    el('h3', {}, el('code', {}, membership.member)),
    facts([
      ['Role', membership.role],
      ['Admitted by', decisionText(membership.admission)],
      ['Admitted in block', String(membership.admittedInBlock)],
      ['Token', el('code', {}, membership.tokenId)],
    ]));
}

/** Lists the current members, each with the decision that admitted them (named to members when it is private). */
export async function loadMembers() {
  const signed = memberAuthorization();
  const { members } = await api('/api/members', undefined, signed ? { authorization: signed.authorization } : {});
  document.getElementById('member-list').replaceChildren(...members.map(memberCard));
  say('members-status', members.length === 0 ? 'No member yet.' : `${members.length} current member${members.length === 1 ? '' : 's'}.`);
}

// The agreement's metadata is abi.encode((bytes32 role, string uri, bytes32 decisionDigest)): the role
// is read from what is signed, not from the bridge's summary of it.
function signedRole(metadata) {
  const roleWord = metadata.slice(2 + 64, 2 + 128);
  const bytes = (roleWord.match(/../g) ?? []).map((h) => parseInt(h, 16));
  while (bytes.length > 0 && bytes[bytes.length - 1] === 0) bytes.pop();
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

// The agreement must be for the member's own address, on the chain and CoopIdentity they trust.
function checkAgreement(typedData, account) {
  const { chainId, coopIdentity } = trust();
  const { domain, message } = typedData;
  if (String(domain.chainId) !== String(chainId) || String(domain.verifyingContract).toLowerCase() !== coopIdentity.toLowerCase()) {
    throw new Error(`the agreement is for chain ${domain.chainId}, CoopIdentity ${domain.verifyingContract}; you trust chain ${chainId}, CoopIdentity ${coopIdentity}`);
  }
  if (String(message.passive).toLowerCase() !== account.toLowerCase()) throw new Error(`the agreement admits ${message.passive}, not your account ${account}`);
}

function admissionCard(admission, account) {
  const output = el('div', { role: 'status', 'aria-live': 'polite' });
  const role = signedRole(admission.typedData.message.metadata);
  const title = `Admission as ${role}`;
  const button = el('button', { type: 'button' }, 'Consent with your wallet', el('span', { class: 'visually-hidden' }, `: ${title}, ${admission.pollKey}`));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      checkAgreement(admission.typedData, account);
      const signature = await signTypedData(account, admission.typedData);
      await api('/api/members/consent', { actionId: admission.actionId, signature });
      output.replaceChildren(el('p', {}, 'Your consent is kept: the bridge issues your membership token with it once the admission may execute.'));
    } catch (error) {
      output.replaceChildren(el('p', { class: 'error' }, `Your consent was not kept: ${error.message}`));
      button.disabled = false;
    }
  });
  return el('li', { class: 'card', 'data-admission': admission.actionId },
    el('h3', {}, title),
    facts([
      ['Ordered by', `${admission.pollKey}, version ${admission.version}`],
      ['Member', el('code', {}, admission.member)],
      ['Consent until', new Date(admission.deadline).toUTCString()],
      ['Agreement digest', el('code', {}, admission.digest)],
    ]),
    button, output);
}

/** The member's own admissions awaiting consent: their wallet signs the read-access challenge first. */
export async function loadMyAdmissions() {
  const button = document.getElementById('admissions-button');
  button.disabled = true;
  try {
    say('admissions-status', 'Asking your wallet…');
    const { account, authorization } = await signIn();
    const { pending } = await api(`/api/members/pending?member=${encodeURIComponent(account)}`, undefined, { authorization });
    document.getElementById('admission-list').replaceChildren(...pending.map((a) => admissionCard(a, account)));
    say('admissions-status', pending.length === 0 ? `No admission awaits the consent of ${account}.` : `${pending.length} admission${pending.length === 1 ? '' : 's'} await${pending.length === 1 ? 's' : ''} your consent (${account}).`);
  } catch (error) {
    say('admissions-status', `Your admissions could not be read: ${error.message}`, true);
  } finally {
    button.disabled = false;
  }
}
