// SPDX-License-Identifier: AGPL-3.0-only
// Pending actions: members sign vetoes into the bridge's pool, and once the pool holds the quorum the
// ActionSchedule asks for, anyone submits them to the chain with their wallet.
import { decodeError, encodeCall, resultWord } from './abi.js';
import { api, duration, trust } from './bridge.js';
import { el, facts, say } from './dom.js';
import { rpc } from './verify.js';
import { requestAccount, sendTransaction, signTypedData, vetoTypedData } from './wallet.js';

// IActionSchedule.Status, in declaration order.
const STATUS = ['None', 'Pending', 'Executable', 'Executed', 'Vetoed', 'Superseded', 'Expired', 'Cancelled'];

/** `ActionSchedule.vetoQuorum()` on the trusted chain: how many member signatures a veto needs now. */
async function vetoQuorum() {
  const { rpcUrl, actionSchedule } = trust();
  return Number(resultWord(await rpc(rpcUrl, 'eth_call', [{ to: actionSchedule, data: encodeCall('vetoQuorum()', []) }, 'latest'])));
}

/** `ActionSchedule.statusOf(actionId)` on the trusted chain, by name. */
async function statusOf(actionId) {
  const { rpcUrl, actionSchedule } = trust();
  const status = Number(resultWord(await rpc(rpcUrl, 'eth_call', [{ to: actionSchedule, data: encodeCall('statusOf(bytes32)', [actionId]) }, 'latest'])));
  return STATUS[status] ?? `unknown status ${status}`;
}

// The ActionSchedule errors a veto can meet (contracts/src/ActionSchedule.sol), said in words.
const VETO_ERRORS = {
  'WrongStatus(bytes32,uint8)': ([, status]) => `the action is ${STATUS[Number(status)] ?? `in status ${status}`} on chain, no longer Pending`,
  'InvalidVetoSignature(uint256)': ([index]) => `signature ${Number(index) + 1} is not a valid signature of this veto`,
  'DuplicateOrUnorderedSigner(address)': ([signer]) => `${signer} signed more than once`,
  'NotMember(address)': ([signer]) => `${signer} is not a member on chain`,
  'VetoBelowQuorum(uint256,uint256)': ([count, required]) => `${count} signatures, the chain needs ${required}`,
};

// Runs the veto as an eth_call on the trusted node first: a refusal is then named from the
// contract's error, before the wallet is asked to sign and pay for a transaction that would revert.
async function simulate(account, actionSchedule, data) {
  try {
    await rpc(trust().rpcUrl, 'eth_call', [{ from: account, to: actionSchedule, data }, 'latest']);
  } catch (error) {
    const known = decodeError(error.revertData, Object.keys(VETO_ERRORS));
    if (known) throw new Error(`the chain refuses it: ${VETO_ERRORS[known.signature](known.args)}`);
    throw error;
  }
}

async function receipt(hash) {
  const { rpcUrl } = trust();
  for (let waited = 0; waited < 120_000; waited += 500) {
    const found = await rpc(rpcUrl, 'eth_getTransactionReceipt', [hash]);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`transaction ${hash} was not mined within two minutes; look it up on your node`);
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

// Submits the pooled vetoes to ActionSchedule.veto, signers in ascending address order (the contract refuses any other).
async function submit(action, quorum, output, button) {
  button.disabled = true;
  output.replaceChildren(el('p', {}, 'Submitting the veto to the chain…'));
  try {
    const { chainId, actionSchedule } = trust();
    const { vetoes } = await api(`/api/actions/${action.actionId}/vetoes`);
    const ordered = [...vetoes].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
    if (ordered.length < quorum) throw new Error(`the pool holds ${ordered.length} signatures, the chain needs ${quorum}`);
    const data = encodeCall('veto(bytes32,bytes[])', [action.actionId, ordered.map((v) => v.signature)]);
    const account = await requestAccount();
    await simulate(account, actionSchedule, data);
    const hash = await sendTransaction(account, chainId, actionSchedule, data);
    const mined = await receipt(hash);
    if (mined.status !== '0x1') throw new Error(`the chain refused the veto (transaction ${hash} reverted)`);
    const status = await statusOf(action.actionId);
    output.replaceChildren(el('p', {}, `Vetoed on chain with ${ordered.length} signatures in block ${Number(BigInt(mined.blockNumber))} (transaction `, el('code', {}, hash), `). The chain's status: ${status}.`));
  } catch (error) {
    output.replaceChildren(el('p', { class: 'error' }, `The veto was not submitted: ${error.message}`));
    button.disabled = false;
  }
}

function collected(count, quorum) {
  return quorum === null ? String(count) : `${count} of ${quorum} the chain needs`;
}

function actionCard(action, quorum) {
  const output = el('div', { role: 'status', 'aria-live': 'polite' });
  const title = actionSummary(action);
  const count = el('span', {}, collected(action.vetoes, quorum));
  const hidden = el('span', { class: 'visually-hidden' }, `: ${title}`);
  const vetoButton = el('button', { type: 'button' }, 'Veto with your wallet', hidden);
  const submitButton = el('button', { type: 'button', class: 'secondary' }, 'Submit the veto to the chain', hidden.cloneNode(true));
  submitButton.addEventListener('click', () => submit(action, quorum, output, submitButton));
  const buttons = el('div', { class: 'buttons' }, vetoButton, quorum !== null && action.vetoes >= quorum ? submitButton : null);
  vetoButton.addEventListener('click', async () => {
    vetoButton.disabled = true;
    try {
      const { chainId, actionSchedule } = trust();
      const account = await requestAccount();
      const signature = await signTypedData(account, vetoTypedData(chainId, actionSchedule, action.actionId));
      const kept = await api(`/api/actions/${action.actionId}/vetoes`, { signature });
      count.textContent = collected(kept.vetoes, quorum);
      const ready = quorum !== null && kept.vetoes >= quorum;
      if (ready && !submitButton.isConnected) buttons.append(submitButton);
      output.replaceChildren(el('p', {}, `Your veto is kept (signed by ${kept.signer}); ${kept.vetoes} veto signature${kept.vetoes === 1 ? '' : 's'} so far.${ready ? ' That is the quorum: anyone may now submit the veto to the chain.' : ''}`));
    } catch (error) {
      output.replaceChildren(el('p', { class: 'error' }, `The veto was not kept: ${error.message}`));
      vetoButton.disabled = false;
    }
  });
  const left = action.noticeSecondsLeft > 0 ? `notice: ${duration(action.noticeSecondsLeft)} left` : 'notice served: it may execute now';
  return el('li', { class: 'card', 'data-action-id': action.actionId },
    el('h3', {}, title),
    facts([
      ['Ordered by', `${action.pollKey}, version ${action.version}`],
      ['Status', `${action.status}; ${left}`],
      ['Vetoes collected', count],
      ['Action id', el('code', {}, action.actionId)],
    ]),
    buttons, output);
}

/** Lists the actions on the public schedule, with the veto quorum read from the trusted chain. */
export async function loadActions() {
  const { actions } = await api('/api/actions');
  let quorum = null;
  let quorumProblem = '';
  try {
    if (actions.length > 0) quorum = await vetoQuorum();
  } catch (error) {
    quorumProblem = ` The veto quorum could not be read from your chain node (${error.message}): vetoes can be signed, not submitted.`;
  }
  document.getElementById('action-list').replaceChildren(...actions.map((a) => actionCard(a, quorum)));
  say('actions-status', (actions.length === 0 ? 'No action is on the schedule.' : `${actions.length} action${actions.length === 1 ? '' : 's'} on the schedule.`) + quorumProblem, quorumProblem !== '');
}
