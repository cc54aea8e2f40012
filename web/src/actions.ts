// What follows a confirmed decision (docs/redress.md): the case's actions, user notices and
// complaints, and the form to take an action (remove or block an item, suspend or close the
// account, preserve evidence). The server checks the case may be acted on and writes the
// user notice (Art 3(1)(g)(vi)); its refusals are shown as they are.
import { CaseDetail, RedressAction, getJson, sendJson } from './api.js';
import { clear, errorText, h, notice, table } from './dom.js';
import type { Session } from './app.js';

const KINDS: { value: string; label: string; content: boolean }[] = [
  { value: 'remove_content', label: 'Remove the item', content: true },
  { value: 'block_content', label: 'Block the item', content: true },
  { value: 'suspend_account', label: 'Suspend the account', content: false },
  { value: 'terminate_account', label: 'Close the account', content: false },
  { value: 'preserve_evidence', label: 'Preserve evidence (no user notice)', content: true },
];

// States after a decision, where actions and complaints can exist.
const DECIDED = ['decided', 'actioned', 'reported', 'appealed', 'reinstated'];

interface Redress {
  actions: RedressAction[];
  complaints: { id: number; action_id: number; state: string; outcome: string | null }[];
  notices: { id: number; action_id: number; language: string; state: string }[];
}

export function redressSection(c: CaseDetail, s: Session, reload: () => Promise<void>): HTMLElement | null {
  if (!DECIDED.includes(c.state)) return null;
  const section = h('section', { 'aria-labelledby': 'redress-title' }, h('h2', { id: 'redress-title' }, 'Actions and complaints'));
  const body = h('div', {}, h('p', { class: 'loading' }, 'Loading…'));
  section.append(body);
  void getJson<Redress>(`/v1/cases/${c.id}/redress`).then(
    (r) => clear(body, ...render(c, s, r, reload)),
    (e) => clear(body, notice(errorText(e), 'error')),
  );
  return section;
}

function render(c: CaseDetail, s: Session, r: Redress, reload: () => Promise<void>): (HTMLElement | null)[] {
  const complaintOf = (id: number) => r.complaints.find((x) => x.action_id === id);
  const noticeOf = (id: number) => r.notices.find((x) => x.action_id === id);
  const actions = r.actions.length
    ? table(['Action', 'Kind', 'Item', 'Reason', 'By', 'When', 'Notice', 'Complaint'], r.actions.map((a) => {
        const cm = complaintOf(a.id), n = noticeOf(a.id);
        return [`#${a.id}`, a.kind + (a.reversed_at ? ` (reversed ${a.reversed_at})` : ''), a.item_id || 'account', a.reason,
          a.actor, a.taken_at, n ? `${n.language}: ${n.state}` : '—',
          cm ? h('a', { href: `#/complaint/${cm.id}` }, `#${cm.id} ${cm.state}${cm.outcome ? ` (${cm.outcome})` : ''}`) : '—'];
      }), 'Actions taken')
    : h('p', {}, 'No action taken yet.');
  const canAct = (s.has('reviewer') || s.has('admin')) && c.outcome !== undefined && c.outcome.startsWith('confirmed');
  return [actions, canAct ? actionForm(c, reload) : null];
}

function actionForm(c: CaseDetail, reload: () => Promise<void>): HTMLElement {
  const status = h('div', { class: 'status-line' });
  const kind = h('select', { id: 'action-kind', name: 'kind' },
    ...KINDS.map((k) => h('option', { value: k.value }, k.label))) as HTMLSelectElement;
  const item = h('select', { id: 'action-item', name: 'item' },
    ...c.items.map((it) => h('option', { value: it.item_id }, it.item_id))) as HTMLSelectElement;
  const reason = h('input', { id: 'action-reason', name: 'reason', type: 'text', 'aria-required': 'true' }) as HTMLInputElement;
  const syncItem = () => { item.disabled = !KINDS.find((k) => k.value === kind.value)?.content; };
  kind.addEventListener('change', syncItem);
  syncItem();
  const form = h('form', { class: 'inline', 'aria-label': 'Take an action' },
    h('div', { class: 'field' }, h('label', { for: 'action-kind' }, 'Action'), kind),
    h('div', { class: 'field' }, h('label', { for: 'action-item' }, 'Item'), item),
    h('div', { class: 'field' }, h('label', { for: 'action-reason' }, 'Reason (told to the user)'), reason),
    h('button', { type: 'submit' }, 'Take action')) as HTMLFormElement;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!reason.value.trim()) { reason.focus(); return clear(status, notice('Write a reason first.', 'error')); }
    const k = KINDS.find((x) => x.value === kind.value);
    try {
      const a = await sendJson<RedressAction>('POST', `/v1/cases/${c.id}/actions`,
        { kind: kind.value, reason: reason.value.trim(), ...(k?.content ? { item_id: item.value } : {}) });
      sessionStorage.setItem('vigil.flash', `Action #${a.id} taken: ${a.kind}.`);
      await reload();
    } catch (err) {
      clear(status, notice(`Not taken: ${errorText(err)}`, 'error'));
    }
  });
  return h('div', {}, h('h3', {}, 'Take an action'), form, status);
}
