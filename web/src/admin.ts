// Admin and oversight pages: banks (create, import, retire entries), rules and thresholds (read
// only), API keys and roles, the audit log, and one's own wellness settings.
import { Me, getJson, sendJson } from './api.js';
import { clear, errorText, h, notice, table } from './dom.js';
import type { Session } from './app.js';

interface Bank { name: string; owner: string; policy: string; description: string; created_at: string }
interface Entry { id: number; signal_type: string; signal: string; source_ref?: string; retired_at?: string | null; retired_reason?: string }
interface Key { id: number; name: string; roles: string[]; created_at: string; revoked_at: string | null }
interface AuditRecord { seq: number; at: string; actor: string; action: string; target: string; origin: string; details: string }

const ROLES = ['admin', 'bank-manager', 'reviewer', 'auditor', 'ingest-client', 'reporter'];

function field(id: string, label: string, attrs: Record<string, string | boolean> = {}): [HTMLElement, HTMLInputElement] {
  const input = h('input', { id, name: id, ...attrs }) as HTMLInputElement;
  return [h('div', { class: 'field' }, h('label', { for: id }, label), input), input];
}

export async function showBanks(main: HTMLElement, s: Session, arg: string): Promise<void> {
  if (arg) return showBankEntries(main, s, arg);
  const { banks } = await getJson<{ banks: Bank[] }>('/v1/banks');
  const status = h('div', { class: 'status-line' });
  const [nameField, name] = field('bank-name', 'Name', { required: true, pattern: '[A-Za-z0-9_.-]+' });
  const [ownerField, owner] = field('bank-owner', 'Owner');
  const create = h('form', { class: 'inline', 'aria-label': 'Create a bank' }, nameField, ownerField,
    h('button', { type: 'submit' }, 'Create bank'));
  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await sendJson('POST', '/v1/banks', { name: name.value.trim(), owner: owner.value.trim() });
      await showBanks(main, s, '');
    } catch (err) {
      clear(status, notice(errorText(err), 'error'));
    }
  });
  clear(main, h('h1', {}, 'Banks'),
    banks.length
      ? table(['Bank', 'Owner', 'Policy', 'Created'], banks.map((b) => [
          h('a', { href: `#/banks/${encodeURIComponent(b.name)}` }, b.name), b.owner || '—', b.policy, b.created_at]), 'Hash banks')
      : notice('No bank yet.'),
    h('h2', {}, 'New bank'), create, status);
}

async function showBankEntries(main: HTMLElement, s: Session, bank: string): Promise<void> {
  const path = `/v1/banks/${encodeURIComponent(bank)}`;
  const [stats, page] = await Promise.all([
    getJson<Record<string, unknown>>(path),
    getJson<{ entries: Entry[] }>(`${path}/entries?limit=200&include_retired=true`),
  ]);
  const status = h('div', { class: 'status-line' });
  const lines = h('textarea', { id: 'import-lines', name: 'import-lines', rows: 5, 'aria-describedby': 'import-help' }) as HTMLTextAreaElement;
  const importForm = h('form', { 'aria-label': 'Import entries' },
    h('label', { for: 'import-lines' }, 'Import entries'), lines,
    h('p', { id: 'import-help', class: 'help' }, 'One entry a line: signal_type,signal[,source_ref] (e.g. pdq,<64 hex>,list-2026-11). Re-adding an entry returns the existing one; retired entries are never revived.'),
    h('button', { type: 'submit' }, 'Import'));
  importForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const results: string[] = [];
    const rows = lines.value.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const [i, line] of rows.entries()) {
      const [signal_type, signal, source_ref] = line.split(',').map((x) => x.trim());
      try {
        const body: Record<string, string> = { signal_type: signal_type ?? '', signal: signal ?? '' };
        if (source_ref) body.source_ref = source_ref;
        const entry = await sendJson<Entry>('POST', `${path}/entries`, body);
        results.push(`line ${i + 1}: entry ${entry.id}`);
      } catch (err) {
        results.push(`line ${i + 1}: ${errorText(err)}`);
      }
    }
    sessionStorage.setItem('vigil.flash', `Import into ${bank}: ${results.join('; ')}`);
    await showBankEntries(main, s, bank);
  });
  const retire = async (entry: Entry, reasonInput: HTMLInputElement) => {
    if (!reasonInput.value.trim()) return clear(status, notice('A retirement needs a reason.', 'error'));
    try {
      await sendJson('POST', `/v1/entries/${entry.id}/retire`, { reason: reasonInput.value.trim() });
      await showBankEntries(main, s, bank);
    } catch (err) {
      clear(status, notice(errorText(err), 'error'));
    }
  };
  const flash = sessionStorage.getItem('vigil.flash');
  sessionStorage.removeItem('vigil.flash');
  clear(main, h('h1', {}, `Bank ${bank}`),
    h('p', {}, h('a', { href: '#/banks' }, '← All banks')),
    flash ? notice(flash) : null,
    h('pre', { class: 'mono' }, JSON.stringify(stats.entries ?? stats, null, 1)),
    table(['Entry', 'Type', 'Signal', 'Source', 'State', ''], page.entries.map((en) => {
      const reason = h('input', { 'aria-label': `Reason to retire entry ${en.id}`, placeholder: 'reason' }) as HTMLInputElement;
      return [`#${en.id}`, en.signal_type, h('span', { class: 'mono' }, en.signal.slice(0, 24) + (en.signal.length > 24 ? '…' : '')),
        en.source_ref ?? '—', en.retired_at ? `retired ${en.retired_at}` : 'active',
        en.retired_at ? '' : h('span', { class: 'inline' }, reason, h('button', { type: 'button', onclick: () => void retire(en, reason) }, 'Retire'))];
    }), 'Entries (first 200)'),
    importForm, status);
}

export async function showRules(main: HTMLElement): Promise<void> {
  const r = await getJson<{ auto_action_enabled: boolean; pdq_radius: number; min_pdq_quality: number;
    rules: { detector: string; max_distance: number | null; min_score: number | null; action: string; priority: number }[];
    review: Record<string, unknown> }>('/v1/rules');
  clear(main, h('h1', {}, 'Rules and thresholds'),
    h('p', { class: 'help' }, 'Read only: rules are set in the server\'s rules file (docs/review.md).'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Automatic action'), h('dd', {}, r.auto_action_enabled ? 'enabled' : 'off'),
      h('dt', {}, 'PDQ radius'), h('dd', {}, String(r.pdq_radius)),
      h('dt', {}, 'Minimum PDQ quality'), h('dd', {}, String(r.min_pdq_quality))),
    table(['Detector', 'Max distance', 'Min score', 'Action', 'Priority'], r.rules.map((x) => [
      x.detector, x.max_distance ?? '—', x.min_score ?? '—', x.action, x.priority]), 'Detection rules'),
    h('h2', {}, 'Review'),
    h('pre', { class: 'mono' }, JSON.stringify(r.review, null, 2)));
}

export async function showKeys(main: HTMLElement, s: Session): Promise<void> {
  const { keys } = await getJson<{ keys: Key[] }>('/v1/keys');
  const status = h('div', { class: 'status-line' });
  const [nameField, name] = field('key-name', 'Name', { required: true });
  const boxes = ROLES.map((r) => h('span', { class: 'choice' },
    h('input', { type: 'checkbox', id: `role-${r}`, value: r }), h('label', { for: `role-${r}` }, r)));
  const form = h('form', { 'aria-label': 'Create an API key' }, nameField,
    h('fieldset', {}, h('legend', {}, 'Roles'), ...boxes), h('button', { type: 'submit' }, 'Create key'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const roles = [...form.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map((b) => b.value);
    try {
      const k = await sendJson<Key & { secret: string }>('POST', '/v1/keys', { name: name.value.trim(), roles });
      await showKeys(main, s);
      main.prepend(notice(`Key '${k.name}' created. Its secret is shown this once: ${k.secret}`));
    } catch (err) {
      clear(status, notice(errorText(err), 'error'));
    }
  });
  const revoke = async (k: Key) => {
    if (!confirm(`Revoke key '${k.name}'? It stops working at once and cannot be restored.`)) return;
    try {
      await sendJson('POST', `/v1/keys/${encodeURIComponent(k.name)}/revoke`);
      await showKeys(main, s);
    } catch (err) {
      clear(status, notice(errorText(err), 'error'));
    }
  };
  // An admin sets a reviewer's daily exposure cap (reviewers cannot raise their own).
  const capCell = (k: Key) => {
    if (k.revoked_at || !k.roles.includes('reviewer')) return '';
    const cap = h('input', { type: 'number', min: 1, max: 100000, 'aria-label': `Daily exposure cap of ${k.name}`, placeholder: 'items/day', class: 'cap' }) as HTMLInputElement;
    const save = async () => {
      try {
        const w = await sendJson<{ daily_exposure_cap: number }>('PUT', `/v1/reviewers/${encodeURIComponent(k.name)}/wellness`, { daily_exposure_cap: Number(cap.value) });
        clear(status, notice(`Daily exposure cap of ${k.name}: ${w.daily_exposure_cap} items.`));
      } catch (err) {
        clear(status, notice(errorText(err), 'error'));
      }
    };
    return h('span', { class: 'inline' }, cap, h('button', { type: 'button', onclick: () => void save() }, 'Set cap'));
  };
  main.replaceChildren(h('h1', {}, 'API keys and roles'),
    table(['Name', 'Roles', 'Created', 'State', 'Exposure cap', ''], keys.map((k) => [k.name, k.roles.join(', '), k.created_at,
      k.revoked_at ? `revoked ${k.revoked_at}` : 'active', capCell(k),
      k.revoked_at ? '' : h('button', { type: 'button', onclick: () => void revoke(k) }, `Revoke ${k.name}`)]), 'Keys (secrets are never shown again)'),
    h('h2', {}, 'New key'), form, status);
}

// Newest first, 100 records a page; the argument is the seq the page ends before (empty: the
// newest page). "Older" follows the server's next_before_seq.
export async function showAudit(main: HTMLElement, s: Session, arg: string): Promise<void> {
  const before = Number(arg) > 0 ? Number(arg) : 0;
  const page = await getJson<{ records: AuditRecord[]; next_before_seq?: number; last_seq: number }>(
    `/v1/audit?order=desc&limit=100${before ? `&before_seq=${before}` : ''}`);
  const filter = h('input', { id: 'audit-filter', type: 'search' }) as HTMLInputElement;
  const body = h('div');
  const first = page.records[0]?.seq, last = page.records[page.records.length - 1]?.seq;
  const render = () => {
    const q = filter.value.trim().toLowerCase();
    const rows = page.records.filter((r) => !q || `${r.actor} ${r.action} ${r.target}`.toLowerCase().includes(q));
    clear(body, table(['#', 'When', 'Who', 'What', 'Target', 'From', 'Details'],
      rows.map((r) => [r.seq, r.at, r.actor, r.action, r.target, r.origin, h('span', { class: 'mono small' }, r.details)]),
      page.records.length ? `Records ${first} to ${last} of ${page.last_seq}, newest first` : 'No records'));
  };
  filter.addEventListener('input', render);
  const newerBefore = (first ?? 0) + 101;
  clear(main, h('h1', {}, 'Audit log'),
    h('p', { class: 'help' }, 'The hash-chained log of every change and every view of evidence, newest first; ', h('code', {}, 'vigil audit verify'), ' checks the chain.'),
    h('div', { class: 'field' }, h('label', { for: 'audit-filter' }, 'Filter this page by who, what or target'), filter),
    body,
    h('nav', { class: 'pager', 'aria-label': 'Audit log pages' },
      before && first !== undefined && first < page.last_seq
        ? h('a', { href: newerBefore > page.last_seq ? '#/audit' : `#/audit/${newerBefore}` }, '← Newer') : null, ' ',
      page.next_before_seq ? h('a', { href: `#/audit/${page.next_before_seq}` }, 'Older →') : null));
  render();
  void s;
}

export async function showSettings(main: HTMLElement, s: Session): Promise<void> {
  const w = s.me.wellness;
  const status = h('div', { class: 'status-line' });
  const blur = h('input', { id: 'blur', type: 'range', min: 0, max: 100, step: 5, value: w.blur_percent, 'aria-describedby': 'blur-value' }) as HTMLInputElement;
  const blurValue = h('output', { id: 'blur-value', for: 'blur' }, `${w.blur_percent} %`);
  blur.addEventListener('input', () => { blurValue.textContent = `${blur.value} %`; });
  const grey = h('input', { id: 'greyscale', type: 'checkbox', checked: w.greyscale }) as HTMLInputElement;
  const form = h('form', { 'aria-labelledby': 'wellness-title' },
    h('h1', { id: 'wellness-title' }, 'Wellness settings'),
    h('p', { class: 'help' }, 'How media is shown before you reveal it. Your daily exposure cap is set by an administrator.'),
    h('div', { class: 'field' }, h('label', { for: 'blur' }, 'Blur'), blur, blurValue),
    h('div', { class: 'field' }, grey, h('label', { for: 'greyscale' }, 'Greyscale')),
    h('p', {}, `Daily exposure cap: ${w.daily_exposure_cap} items; seen today: ${s.me.exposure_today}.`),
    h('button', { type: 'submit' }, 'Save'), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const me = await sendJson<Me>('PUT', '/v1/me/wellness', { blur_percent: Number(blur.value), greyscale: grey.checked });
      s.me = me;
      clear(status, notice('Saved.'));
    } catch (err) {
      clear(status, notice(errorText(err), 'error'));
    }
  });
  clear(main, form);
}
