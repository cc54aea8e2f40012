// The reviewer console: sign-in, the header (who, exposure, alerts), role-based navigation and
// a hash router over the pages. The server enforces every role; the console only hides what a
// key may not use so reviewers are not shown dead ends.
import { ApiError, Me, getJson, storeKey, storedKey } from './api.js';
import { clear, errorText, h, notice } from './dom.js';
import { showAlerts, showQueue, showQaQueue } from './queue.js';
import { showCase } from './case_view.js';
import { showComplaint, showComplaints } from './complaints.js';
import { showAudit, showBanks, showKeys, showRules, showSettings } from './admin.js';

export interface Session {
  me: Me;
  skewMs: number; // server clock minus this browser's clock
  has(role: string): boolean;
  refreshHeader(): Promise<void>;
}

interface Page {
  hash: string;
  label: string;
  roles: string[]; // besides admin
  show: (main: HTMLElement, s: Session, arg: string) => Promise<void>;
}

const PAGES: Page[] = [
  { hash: 'queue', label: 'Queue', roles: ['reviewer', 'auditor'], show: (m, s) => showQueue(m, s, 'first') },
  { hash: 'second', label: 'Second review', roles: ['reviewer', 'auditor'], show: (m, s) => showQueue(m, s, 'second') },
  { hash: 'qa', label: 'QA samples', roles: ['reviewer', 'auditor'], show: showQaQueue },
  { hash: 'complaints', label: 'Complaints', roles: ['reviewer', 'auditor'], show: showComplaints },
  { hash: 'alerts', label: 'Alerts', roles: ['reviewer', 'auditor'], show: showAlerts },
  { hash: 'banks', label: 'Banks', roles: ['bank-manager'], show: showBanks },
  { hash: 'rules', label: 'Rules', roles: ['bank-manager', 'reviewer', 'auditor'], show: showRules },
  { hash: 'keys', label: 'API keys', roles: [], show: showKeys },
  { hash: 'audit', label: 'Audit log', roles: ['auditor'], show: showAudit },
  { hash: 'settings', label: 'Wellness', roles: ['reviewer'], show: showSettings },
];
// Pages reached from others, not from the navigation.
const HIDDEN: Page[] = [
  { hash: 'case', label: 'Case', roles: ['reviewer', 'auditor'], show: showCase },
  { hash: 'complaint', label: 'Complaint', roles: ['reviewer', 'auditor'], show: showComplaint },
];

const app = document.getElementById('app') as HTMLElement;

function allowed(page: Page, s: Session): boolean {
  return s.has('admin') || page.roles.some((r) => s.has(r));
}

function showLogin(message?: string): void {
  const input = h('input', {
    id: 'api-key',
    name: 'api-key',
    type: 'password',
    autocomplete: 'off',
    required: true,
    'aria-describedby': 'api-key-help',
  }) as HTMLInputElement;
  const status = h('div', { id: 'login-status' }, message ? notice(message, 'error') : null);
  const form = h(
    'form',
    { class: 'login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'vigil reviewer console'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('p', { id: 'api-key-help', class: 'help' }, 'Your key (vgl_...) is kept in this tab only and forgotten when it closes.'),
    h('button', { type: 'submit' }, 'Sign in'),
    status,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    storeKey(input.value.trim());
    void start();
  });
  clear(app, h('main', { id: 'main' }, form));
  input.focus();
}

async function start(): Promise<void> {
  if (!storedKey()) return showLogin();
  let me: Me;
  try {
    me = await getJson<Me>('/v1/me');
  } catch (e) {
    storeKey(null);
    return showLogin(e instanceof ApiError && e.status === 401 ? `Sign-in refused: ${e.message}` : errorText(e));
  }
  const header = h('header', { class: 'top' });
  const nav = h('nav', { 'aria-label': 'Pages' });
  const main = h('main', { id: 'main', tabindex: '-1' });
  const session: Session = {
    me,
    skewMs: Date.parse(me.now) - Date.now(),
    has: (role) => session.me.roles.includes(role),
    refreshHeader: async () => {
      session.me = await getJson<Me>('/v1/me');
      renderHeader(header, session);
    },
  };
  renderHeader(header, session);
  const pages = PAGES.filter((p) => allowed(p, session));
  clear(
    nav,
    h('ul', {}, ...pages.map((p) => h('li', {}, h('a', { href: `#/${p.hash}`, 'data-page': p.hash }, p.label)))),
  );
  clear(app, h('a', { class: 'skip', href: '#main' }, 'Skip to content'), header, nav, main);
  const route = async () => {
    const [, name = '', arg = ''] = location.hash.split('/');
    const page = [...PAGES, ...HIDDEN].find((p) => p.hash === name) ?? pages[0];
    for (const a of nav.querySelectorAll('a')) {
      if (a.dataset.page === page?.hash) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    if (!page) {
      clear(main, notice(`The roles of key '${me.name}' (${me.roles.join(', ')}) have no pages in this console.`, 'error'));
      return;
    }
    if (!allowed(page, session)) {
      clear(main, notice(`Key '${me.name}' (roles ${me.roles.join(', ')}) may not open ${page.label}.`, 'error'));
      return;
    }
    clear(main, h('p', { class: 'loading' }, 'Loading…'));
    const flash = sessionStorage.getItem('vigil.flash');
    try {
      await page.show(main, session, decodeURIComponent(arg));
      // A message from the page before (a recorded decision), shown once.
      if (flash && sessionStorage.getItem('vigil.flash') === flash) {
        sessionStorage.removeItem('vigil.flash');
        main.prepend(notice(flash));
      }
    } catch (e) {
      clear(main, notice(errorText(e), 'error'));
    }
  };
  window.onhashchange = () => void route();
  await route();
}

function renderHeader(header: HTMLElement, s: Session): void {
  const w = s.me.wellness;
  const near = s.me.exposure_today >= w.daily_exposure_cap * 0.8;
  clear(
    header,
    h('span', { class: 'brand' }, 'vigil'),
    h('span', { class: 'who' }, `${s.me.name} (${s.me.roles.join(', ')})`),
    s.has('reviewer') || s.has('admin')
      ? h(
          'span',
          { class: near ? 'exposure near' : 'exposure', id: 'exposure', title: 'Items shown to you today (UTC) and your daily cap' },
          `Exposure today: ${s.me.exposure_today} / ${w.daily_exposure_cap}`,
        )
      : null,
    h('span', { id: 'alert-count', class: 'alerts' }),
    h(
      'button',
      {
        type: 'button',
        class: 'link',
        onclick: () => {
          storeKey(null);
          location.hash = '';
          showLogin();
        },
      },
      'Sign out',
    ),
  );
}

void start();
