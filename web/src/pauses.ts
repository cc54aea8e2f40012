// Automatic action paused by cluster alerts: the subjects (a technology, a bank entry) whose
// matches go to review instead of being actioned until a person resumes them. Resuming asks for
// a reason and a confirmation; the server records who, when and why (case event and audit log).
// Keys whose roles may not resume (auditors) see the panel with the button disabled.
import { Pause, sendJson } from './api.js';
import { clear, errorText, h, notice } from './dom.js';
import type { Session } from './app.js';

function subjectText(p: Pause): string {
  return p.subject === 'bank_entry' ? `bank entry ${p.key}` : `technology ${p.key}`;
}

// The panel; `onResumed` re-renders the page around it after a resume.
export function pausesPanel(pauses: Pause[], s: Session, onResumed: (message: string) => Promise<void>): HTMLElement {
  const canResume = s.has('reviewer') || s.has('admin');
  const status = h('div', { class: 'status-line' });
  const resumeCell = (p: Pause, i: number): HTMLElement => {
    const what = subjectText(p);
    const reason = h('input', {
      type: 'text', id: `resume-reason-${i}`, class: 'note', placeholder: 'what you checked',
      'aria-label': `Reason for resuming ${what}`, disabled: !canResume,
    }) as HTMLInputElement;
    const resume = h('button', {
      type: 'button', disabled: !canResume,
      title: canResume ? undefined : `Key '${s.me.name}' (${s.me.roles.join(', ')}) may not resume automatic action`,
    }, `Resume ${what}`) as HTMLButtonElement;
    const cell = h('div', { class: 'inline' }, reason, resume);
    // A second step before anything is sent: resuming lets matches be actioned without review.
    const confirmStep = () => {
      if (!reason.value.trim()) {
        reason.focus();
        return clear(status, notice(`Resume ${what}: write a reason first.`, 'error'));
      }
      clear(status);
      const yes = h('button', { type: 'button', class: 'danger' }, 'Confirm resume');
      const no = h('button', { type: 'button', class: 'link' }, 'Cancel');
      const ask = h('div', { class: 'confirm', role: 'group', 'aria-label': `Confirm resuming ${what}` },
        h('span', {}, `Resume automatic action for ${what}? Its matches will be actioned without review again.`), yes, no);
      no.addEventListener('click', () => { ask.remove(); resume.disabled = false; resume.focus(); });
      yes.addEventListener('click', async () => {
        yes.setAttribute('disabled', '');
        try {
          await sendJson('POST', '/v1/pauses/resume', { subject: p.subject, key: p.key, reason: reason.value.trim() });
          await onResumed(`Automatic action resumed for ${what}.`);
        } catch (e) {
          ask.remove();
          resume.disabled = false;
          clear(status, notice(`Resume refused: ${errorText(e)}`, 'error'));
        }
      });
      resume.disabled = true;
      cell.after(ask);
      yes.focus();
    };
    resume.addEventListener('click', confirmStep);
    return h('div', {}, cell);
  };
  return h('section', { class: 'pauses', 'aria-labelledby': 'pauses-title' },
    h('h2', { id: 'pauses-title' }, `Automatic action paused (${pauses.length})`),
    h('p', { class: 'help' }, canResume
      ? 'Matches of these subjects go to review instead of being actioned. Resume one only after checking its alert (the bank entry, the model).'
      : 'Matches of these subjects go to review instead of being actioned. Your roles may view pauses but not resume them.'),
    status,
    pauses.length
      ? h('ul', { class: 'pause-list', 'aria-label': 'Subjects whose automatic action is paused, oldest first' },
          ...pauses.map((p, i) => h('li', { class: 'pause' },
            h('strong', {}, subjectText(p)),
            h('span', { class: 'help' }, ` paused ${p.paused_at} by alert #${p.alert_id}`),
            resumeCell(p, i))))
      : notice('Automatic action is not paused for any subject.'));
}
