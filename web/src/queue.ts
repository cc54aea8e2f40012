// The review queues: first review (cases no one reviewed yet), second review (cases back in the
// queue after a "needs second opinion" review), QA samples, and the cluster alerts.
import { Alert, CaseSummary, Pause, getJson, sendJson } from './api.js';
import { clear, duration, errorText, h, notice, table } from './dom.js';
import { pausesPanel } from './pauses.js';
import type { Session } from './app.js';

interface Filters {
  technology: string;
  bank: string;
  contentType: string;
  region: string;
}

const filters: Filters = { technology: '', bank: '', contentType: '', region: '' };

function distinct(cases: CaseSummary[], pick: (c: CaseSummary) => string[]): string[] {
  return [...new Set(cases.flatMap(pick))].sort();
}

function select(id: string, label: string, values: string[], current: string, onchange: (v: string) => void,
                names: Record<string, string> = {}): HTMLElement {
  const sel = h('select', { id, name: id }, h('option', { value: '' }, 'All'),
    ...values.map((v) => h('option', { value: v, selected: v === current }, names[v] ?? v))) as HTMLSelectElement;
  sel.addEventListener('change', () => onchange(sel.value));
  return h('div', { class: 'field' }, h('label', { for: id }, label), sel);
}

function matches(c: CaseSummary, f: Filters): boolean {
  return (!f.technology || c.technologies.includes(f.technology)) &&
    (!f.bank || c.banks.includes(f.bank)) &&
    (!f.contentType || c.content_types.includes(f.contentType)) &&
    (!f.region || (f.region === 'eu') === c.eu);
}

// Highest priority first, then oldest: the order the server serves claims in.
function byPriorityThenAge(a: CaseSummary, b: CaseSummary): number {
  return b.priority - a.priority || Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id;
}

export function leaseText(expiresAt: string, s: Session): string {
  const left = Date.parse(expiresAt) - (Date.now() + s.skewMs);
  return left > 0 ? `${duration(left)} left` : 'expired';
}

// Counts down every `lease` element on the page once a second.
export function startCountdowns(root: HTMLElement, s: Session): void {
  const tick = () => {
    if (!root.isConnected) return clearInterval(timer);
    for (const el of root.querySelectorAll<HTMLElement>('[data-expires]')) {
      el.textContent = leaseText(el.dataset.expires ?? '', s);
    }
  };
  const timer = setInterval(tick, 1000);
  tick();
}

async function claim(id: number | null, status: HTMLElement, s: Session): Promise<void> {
  try {
    const c = await sendJson<{ id: number }>('POST', '/v1/review/claim', id === null ? {} : { case_id: id });
    await s.refreshHeader();
    location.hash = `#/case/${c.id}`;
  } catch (e) {
    clear(status, notice(`Claim refused: ${errorText(e)}`, 'error'));
  }
}

export async function updateAlertCount(): Promise<void> {
  const el = document.getElementById('alert-count');
  if (!el) return;
  try {
    const [{ alerts }, { pauses }] = await Promise.all([
      getJson<{ alerts: Alert[] }>('/v1/alerts'),
      getJson<{ pauses: Pause[] }>('/v1/pauses'),
    ]);
    const parts = [
      alerts.length ? `${alerts.length} open cluster alert(s)` : '',
      pauses.length ? `automatic action paused for ${pauses.length}` : '',
    ].filter((t) => t);
    el.textContent = parts.join('; ');
    el.className = parts.length ? 'alerts open' : 'alerts';
  } catch {
    el.textContent = '';
  }
}

export async function showQueue(main: HTMLElement, s: Session, which: 'first' | 'second'): Promise<void> {
  const [{ cases: queue }, { cases: held }] = await Promise.all([
    getJson<{ cases: CaseSummary[] }>('/v1/review/queue?limit=500'),
    getJson<{ cases: CaseSummary[] }>('/v1/cases?state=in_review&limit=500'),
  ]);
  void updateAlertCount();
  const canClaim = s.has('reviewer') || s.has('admin');
  const all = queue.filter((c) => (which === 'first' ? c.reviews === 0 : c.reviews > 0)).sort(byPriorityThenAge);
  const mine = held.filter((c) => c.lease?.reviewer === s.me.name);
  const status = h('div', { class: 'status-line' });
  const body = h('div');
  const render = () => {
    const shown = all.filter((c) => matches(c, filters));
    const now = Date.now() + s.skewMs;
    const rows = shown.map((c) => [
      h('a', { href: `#/case/${c.id}` }, `#${c.id}`),
      c.priority,
      duration(now - Date.parse(c.created_at)),
      c.items,
      c.technologies.join(', '),
      c.banks.join(', ') || '—',
      c.content_types.join(', '),
      c.eu ? 'EU' : 'global',
      c.lease ? h('span', {}, `${c.lease.reviewer}: `, h('span', { 'data-expires': c.lease.expires_at })) : '—',
      canClaim
        ? h('button', { type: 'button', onclick: () => void claim(c.id, status, s), 'aria-label': `Claim case ${c.id}` }, 'Claim')
        : '',
    ]);
    clear(body,
      h('p', { class: 'count', role: 'status' }, `${shown.length} of ${all.length} case(s) shown`),
      shown.length
        ? table(['Case', 'Priority', 'Age', 'Items', 'Technologies', 'Banks', 'Content', 'Region', 'Lease', ''], rows,
            which === 'first' ? 'Cases waiting for review, by priority and age' : 'Cases waiting for a second opinion')
        : notice('No case matches.'));
    startCountdowns(body, s);
  };
  const rerender = (key: keyof Filters) => (v: string) => { filters[key] = v; render(); };
  clear(main,
    h('h1', {}, which === 'first' ? 'Review queue' : 'Second review'),
    mine.length
      ? h('section', { 'aria-labelledby': 'mine-title', class: 'mine' },
          h('h2', { id: 'mine-title' }, 'Cases you hold'),
          h('ul', {}, ...mine.map((c) => h('li', {}, h('a', { href: `#/case/${c.id}` }, `Case #${c.id}`), ' — ',
            h('span', { 'data-expires': c.lease?.expires_at ?? '' })))))
      : null,
    h('form', { class: 'filters', 'aria-label': 'Filters', onsubmit: (e: Event) => e.preventDefault() },
      select('f-tech', 'Technology', distinct(all, (c) => c.technologies), filters.technology, rerender('technology')),
      select('f-bank', 'Bank', distinct(all, (c) => c.banks), filters.bank, rerender('bank')),
      select('f-type', 'Content type', distinct(all, (c) => c.content_types), filters.contentType, rerender('contentType')),
      select('f-region', 'Region', ['eu', 'global'], filters.region, rerender('region'), { eu: 'EU', global: 'Global (non-EU)' }),
      canClaim && which === 'first'
        ? h('button', { type: 'button', id: 'claim-next', onclick: () => void claim(null, status, s) }, 'Claim next case')
        : null),
    status,
    body);
  render();
  startCountdowns(main, s);
}

export async function showQaQueue(main: HTMLElement, s: Session): Promise<void> {
  const { cases } = await getJson<{ cases: CaseSummary[] }>('/v1/review/qa-queue?limit=500');
  const status = h('div', { class: 'status-line' });
  const canClaim = s.has('reviewer') || s.has('admin');
  const claimQa = async (id: number) => {
    try {
      await sendJson('POST', '/v1/review/qa-claim', { case_id: id });
      await s.refreshHeader();
      location.hash = `#/case/${id}`;
    } catch (e) {
      clear(status, notice(`QA claim refused: ${errorText(e)}`, 'error'));
    }
  };
  clear(main,
    h('h1', {}, 'QA samples'),
    h('p', { class: 'help' }, 'Decided cases drawn for quality assurance. A QA review records agreement; it never changes the outcome. You cannot QA a case you reviewed.'),
    status,
    cases.length
      ? table(['Case', 'Priority', 'Items', 'Technologies', 'Region', ''], cases.map((c) => [
          h('a', { href: `#/case/${c.id}` }, `#${c.id}`), c.priority, c.items, c.technologies.join(', '), c.eu ? 'EU' : 'global',
          canClaim ? h('button', { type: 'button', onclick: () => void claimQa(c.id) }, 'Claim for QA') : '',
        ]), 'Cases sampled for QA')
      : notice('No case waits for QA.'));
}

// Cluster alerts, newest first; an open one is acknowledged with a note saying what was checked
// (the server records who and when, and audits it).
export async function showAlerts(main: HTMLElement, s: Session): Promise<void> {
  const [{ alerts }, { pauses }] = await Promise.all([
    getJson<{ alerts: Alert[] }>('/v1/alerts?open=false'),
    getJson<{ pauses: Pause[] }>('/v1/pauses'),
  ]);
  alerts.sort((a, b) => b.id - a.id);
  void updateAlertCount();
  const canAck = s.has('reviewer') || s.has('admin');
  const status = h('div', { class: 'status-line' });
  const ackCell = (a: Alert): HTMLElement | string => {
    if (a.acknowledged_at) return `${a.acknowledged_by} at ${a.acknowledged_at}: ${a.note ?? ''}`;
    if (!canAck) return 'open';
    const note = h('input', { type: 'text', 'aria-label': `Note for alert ${a.id}`, placeholder: 'what you checked', class: 'note' }) as HTMLInputElement;
    const ack = async () => {
      if (!note.value.trim()) { note.focus(); return clear(status, notice(`Alert #${a.id}: write a note first.`, 'error')); }
      try {
        await sendJson('POST', `/v1/alerts/${a.id}/acknowledge`, { note: note.value.trim() });
        await showAlerts(main, s);
        main.prepend(notice(`Alert #${a.id} acknowledged.`));
      } catch (e) {
        clear(status, notice(`Acknowledgement refused: ${errorText(e)}`, 'error'));
      }
    };
    return h('span', { class: 'inline' }, note, h('button', { type: 'button', onclick: () => void ack() }, `Acknowledge alert ${a.id}`));
  };
  // An alert's pause is in force while the subject's pause is still the one it set.
  const autoAction = (a: Alert): string => {
    if (!a.paused_auto_action) return '—';
    const inForce = pauses.some((p) => p.alert_id === a.id && p.subject === a.subject && p.key === a.key);
    return inForce ? 'paused' : 'resumed';
  };
  const resumed = async (message: string) => {
    await showAlerts(main, s);
    main.prepend(notice(message));
  };
  clear(main,
    h('h1', {}, 'Cluster alerts'),
    h('p', { class: 'help' }, 'A flood of flags from one technology or one bank entry often means a bad hash or a broken model; automatic action is paused for the subject until it is resumed. Acknowledging records who looked, when, and what they found.'),
    h('div', { class: 'alerts-layout' },
      h('div', { class: 'alerts-list' },
        status,
        alerts.length
          ? table(['Alert', 'Subject', 'Flags', 'Window', 'Raised', 'Case', 'Auto-action', 'Acknowledged'], alerts.map((a) => [
              `#${a.id}`, `${a.subject}: ${a.key}`, `${a.flag_count} > ${a.threshold}`, `${a.window_seconds} s`, a.raised_at,
              h('a', { href: `#/case/${a.case_id}` }, `#${a.case_id}`), autoAction(a), ackCell(a),
            ]), 'Cluster alerts, newest first')
          : notice('No cluster alert has been raised.')),
      pausesPanel(pauses, s, resumed)));
}
