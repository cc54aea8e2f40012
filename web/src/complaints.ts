// Complaints against actions (Art 3(1)(g)(iv)): the queue of open complaints, oldest first with
// their decision targets, and one complaint with its decision form. The second review must be
// independent: the server refuses whoever decided the case or took the action, and the queue
// puts those complaints apart so a reviewer is not handed one about their own decision.
import { Complaint, getJson, sendJson } from './api.js';
import { clear, errorText, h, notice, table } from './dom.js';
import { leaseText, startCountdowns } from './queue.js';
import type { Session } from './app.js';

const OUTCOMES: { value: string; label: string }[] = [
  { value: 'action_upheld', label: 'Uphold the action (reject the complaint)' },
  { value: 'content_reinstated', label: 'Reinstate the content' },
  { value: 'account_reinstated', label: 'Reinstate the account' },
  { value: 'both_reinstated', label: 'Reinstate content and account' },
];

function deadline(c: Complaint, s: Session): HTMLElement {
  if (c.state !== 'open') return h('span', {}, `decided ${c.decided_at ?? ''}`);
  if (c.overdue) return h('span', { class: 'overdue' }, `overdue since ${c.decide_by}`);
  return h('span', {}, `${c.decide_by} (`, h('span', { 'data-expires': c.decide_by }, leaseText(c.decide_by, s)), ')');
}

function rows(list: Complaint[], s: Session, withConflict: boolean) {
  return list.map((c) => [
    h('a', { href: `#/complaint/${c.id}` }, `Complaint #${c.id}`),
    h('a', { href: `#/case/${c.case_id}` }, `#${c.case_id}`),
    `${c.action.kind} by ${c.action.actor}`,
    c.filed_at,
    deadline(c, s),
    ...(withConflict ? [c.conflict ?? ''] : []),
  ]);
}

export async function showComplaints(main: HTMLElement, s: Session): Promise<void> {
  const { complaints, decision_target_days: days } =
    await getJson<{ complaints: Complaint[]; decision_target_days: number }>('/v1/complaints?limit=500');
  const decides = s.has('reviewer') || s.has('admin');
  const mine = complaints.filter((c) => c.may_decide);
  const others = complaints.filter((c) => !c.may_decide);
  const headers = ['Complaint', 'Case', 'Action', 'Filed', 'Decide by'];
  clear(main,
    h('h1', {}, 'Complaints'),
    h('p', { class: 'help' },
      `Users' complaints against actions, oldest first. Each should be decided within ${days} days of filing. ` +
      'A complaint needs a second reviewer: nobody who decided the case or took the action may decide it.'),
    complaints.length === 0 ? notice('No complaint is open.') : null,
    decides && complaints.length
      ? h('section', { 'aria-labelledby': 'cq-mine' },
          h('h2', { id: 'cq-mine' }, `For you to decide (${mine.length})`),
          mine.length ? table(headers, rows(mine, s, false), 'Open complaints you may decide') : h('p', {}, 'None.'))
      : null,
    complaints.length && (others.length || !decides)
      ? h('section', { 'aria-labelledby': 'cq-others' },
          h('h2', { id: 'cq-others' }, decides ? `For another reviewer (${others.length})` : `Open (${others.length})`),
          table(decides ? [...headers, 'Why not you'] : headers, rows(others, s, decides),
            decides ? 'Open complaints about your own decisions or actions' : 'Open complaints'))
      : null);
  startCountdowns(main, s);
}

function decisionForm(c: Complaint): HTMLElement {
  const status = h('div', { class: 'status-line' });
  const rationale = h('textarea', { id: 'complaint-rationale', name: 'rationale', rows: 3, required: true }) as HTMLTextAreaElement;
  const form = h('form', { class: 'decision', 'aria-labelledby': 'complaint-decision-title' },
    h('h2', { id: 'complaint-decision-title' }, 'Second review'),
    h('fieldset', {}, h('legend', {}, 'Outcome'),
      ...OUTCOMES.map((o) => h('div', { class: 'choice' },
        h('input', { type: 'radio', name: 'outcome', id: `o-${o.value}`, value: o.value }),
        h('label', { for: `o-${o.value}` }, o.label)))),
    h('label', { for: 'complaint-rationale' }, 'Rationale (required)'),
    rationale,
    h('button', { type: 'submit', id: 'submit-complaint' }, 'Record complaint decision'),
    status) as HTMLFormElement;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const chosen = form.querySelector<HTMLInputElement>('input[name=outcome]:checked');
    if (!chosen) return clear(status, notice('Choose an outcome first.', 'error'));
    if (!rationale.value.trim()) { rationale.focus(); return clear(status, notice('Write a rationale first.', 'error')); }
    try {
      const after = await sendJson<Complaint>('POST', `/v1/complaints/${c.id}/decision`,
        { outcome: chosen.value, rationale: rationale.value.trim() });
      sessionStorage.setItem('vigil.flash', `Complaint #${c.id}: ${after.outcome} recorded.`);
      location.hash = '#/complaints';
    } catch (err) {
      const el = notice(`Not recorded: ${errorText(err)}`, 'error');
      clear(status, el);
      el.setAttribute('tabindex', '-1');
      el.focus();
    }
  });
  return form;
}

export async function showComplaint(main: HTMLElement, s: Session, arg: string): Promise<void> {
  const id = Number(arg);
  if (!Number.isInteger(id) || id < 1) return clear(main, notice(`'${arg}' is not a complaint number.`, 'error'));
  const c = await getJson<Complaint>(`/v1/complaints/${id}`);
  const decides = s.has('reviewer') || s.has('admin');
  const a = c.action;
  clear(main,
    h('h1', {}, `Complaint #${c.id}`),
    h('dl', { class: 'facts' },
      h('dt', {}, 'State'), h('dd', { id: 'complaint-state' }, c.state + (c.outcome ? ` (${c.outcome})` : '')),
      h('dt', {}, 'Case'), h('dd', {}, h('a', { href: `#/case/${c.case_id}` }, `#${c.case_id}`)),
      h('dt', {}, 'Filed'), h('dd', {}, `${c.filed_at} by ${c.filed_by ?? ''}`),
      h('dt', {}, 'Decide by'), h('dd', {}, deadline(c, s)),
      h('dt', {}, 'Reviewer'), h('dd', {}, c.reviewer || '—'),
      h('dt', {}, 'Report follow-up'), h('dd', {}, c.report_followup || '—')),
    h('section', { 'aria-labelledby': 'grounds-title' },
      h('h2', { id: 'grounds-title' }, "The user's grounds"),
      h('blockquote', { class: 'grounds' }, c.text ?? '')),
    h('section', { 'aria-labelledby': 'action-title' },
      h('h2', { id: 'action-title' }, 'The action complained about'),
      table(['Action', 'Kind', 'Item', 'Reason', 'Technologies', 'By', 'When', 'Reversed'], [[
        `#${a.id}`, a.kind, a.item_id || 'account', a.reason, a.technologies, a.actor, a.taken_at, a.reversed_at ?? '—',
      ]])),
    c.rationale ? h('p', {}, `Rationale: ${c.rationale}`) : null,
    decides && c.state === 'open' && c.conflict
      ? notice(`You may not decide this complaint: ${c.conflict}.`, 'error')
      : null,
    decides && c.state === 'open' ? decisionForm(c) : null);
  startCountdowns(main, s);
}
