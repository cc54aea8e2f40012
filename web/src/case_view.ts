// One case: its items (media and a video's frame strip blurred and greyscale until an audited
// reveal), hashes, flags with distances, scores and bank provenance, earlier reviews, history,
// and the decision form with keyboard shortcuts.
import { CaseDetail, CaseEvent, Flag, Item, VideoFrames, getBlob, getJson, sendJson } from './api.js';
import { clear, errorText, h, notice, table } from './dom.js';
import { startCountdowns } from './queue.js';
import { redressSection } from './actions.js';
import type { Session } from './app.js';

// The common decisions and their keys; the form shows them next to each choice.
const DECISIONS: { value: string; label: string; key: string }[] = [
  { value: 'confirmed_known', label: 'Confirmed: known material', key: 'k' },
  { value: 'confirmed_new', label: 'Confirmed: new material', key: 'w' },
  { value: 'confirmed_solicitation', label: 'Confirmed: solicitation', key: 's' },
  { value: 'not_csam', label: 'Not CSAM (false positive)', key: 'f' },
  { value: 'needs_second_opinion', label: 'Needs a second opinion', key: 'o' },
];

let keyHandler: ((e: KeyboardEvent) => void) | null = null;

function holds(c: CaseDetail, s: Session): boolean {
  return !!c.lease && c.lease.reviewer === s.me.name && Date.parse(c.lease.expires_at) > Date.now() + s.skewMs;
}

function flagValue(category: string, value: number): string {
  // Hash matches carry a Hamming distance; classifiers a score in [0, 1].
  return category === 'known' ? `distance ${value}` : `score ${value.toFixed(3)}`;
}

function cellText(v: unknown): string {
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return v.join(', ');
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

// A classifier's evidence: a list of indicators (or other records) as a table, with the
// detector, model version, score and threshold it explains.
function evidenceSection(f: Flag, id: string): HTMLElement {
  const ev = f.evidence;
  let body: HTMLElement;
  if (Array.isArray(ev) && ev.length && ev.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x))) {
    const rows = ev as Record<string, unknown>[];
    const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    body = table(keys.map((k) => k.replace(/_/g, ' ')), rows.map((r) => keys.map((k) => (k in r ? cellText(r[k]) : '—'))),
      'What the classifier found');
  } else if (typeof ev === 'string') {
    body = h('p', { class: 'evidence-text' }, ev);
  } else {
    body = h('pre', { class: 'mono' }, JSON.stringify(ev, null, 2));
  }
  return h('section', { class: 'evidence', 'aria-labelledby': id },
    h('h4', { id }, `Why ${f.detector} flagged this item`),
    h('dl', { class: 'hashes' },
      h('dt', {}, 'Technology'), h('dd', {}, f.detector),
      h('dt', {}, 'Model version'), h('dd', {}, f.version || 'not stated'),
      h('dt', {}, 'Score'), h('dd', {}, f.value.toFixed(3)),
      h('dt', {}, 'Threshold'), h('dd', {}, f.threshold || 'not stated')),
    body);
}

async function provenance(entryId: number, out: HTMLElement): Promise<void> {
  try {
    const e = await getJson<Record<string, unknown>>(`/v1/entries/${entryId}`);
    const rows = Object.entries(e)
      .filter(([k]) => k !== 'signal')
      .map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
    clear(out, table(['Field', 'Value'], rows, `Bank entry ${entryId}`));
  } catch (err) {
    clear(out, notice(errorText(err), 'error'));
  }
}

// An image, or a video under the same safeguards: never autoplayed, muted, no native controls
// (they would be blurred with it, and offer picture-in-picture, full screen and download, which
// show the video outside the page's filter); a Play/Pause button of our own beside it.
function protectedMedia(blob: Blob, itemId: string): { el: HTMLElement; controls: HTMLElement | null } {
  const src = URL.createObjectURL(blob);
  if (!blob.type.startsWith('video/')) return { el: h('img', { src, alt: `Item ${itemId}`, class: 'protected' }), controls: null };
  const video = h('video', {
    src, class: 'protected', muted: true, preload: 'metadata', playsinline: true,
    disablepictureinpicture: true, disableremoteplayback: true,
  }) as HTMLVideoElement;
  video.muted = true;
  video.autoplay = false;
  const play = h('button', { type: 'button', class: 'play' }, 'Play (muted)');
  play.addEventListener('click', () => void (video.paused ? video.play() : video.pause()));
  video.addEventListener('play', () => { play.textContent = 'Pause'; });
  video.addEventListener('pause', () => { play.textContent = 'Play (muted)'; });
  video.addEventListener('error', () => {
    video.replaceWith(h('p', { class: 'placeholder' },
      `This browser cannot play item ${itemId} (${blob.type}): review it by its hashes and matches.`));
    play.remove();
  });
  return { el: video, controls: play };
}

// A video's frame thumbnails as blob: images, in frame order.
async function frameStrip(c: CaseDetail, index: number): Promise<{ frames: VideoFrames; urls: string[] }> {
  const frames = await getJson<VideoFrames>(`/v1/cases/${c.id}/items/${index}/frames`);
  const urls = frames.frames.map((f) => {
    const bytes = Uint8Array.from(atob(f.data), (ch) => ch.charCodeAt(0));
    return URL.createObjectURL(new Blob([bytes], { type: f.content_type }));
  });
  return { frames, urls };
}

function itemCard(c: CaseDetail, item: Item, index: number, s: Session, canSee: boolean): HTMLElement {
  const w = s.me.wellness;
  // blur_percent 100 is a 24 px blur: shapes only. Greyscale takes the colour out as well.
  const filter = `blur(${(w.blur_percent * 24) / 100}px)${w.greyscale ? ' grayscale(1)' : ''}`;
  const media = h('div', { class: 'media' });
  const status = h('div', { class: 'media-status' });
  const strip = h('div', { class: 'strip' });
  // Everything shown of the item (the image or video, a video's frame strip) is blurred and grey
  // together, and one audited reveal shows it all as it is.
  const shielded: { el: HTMLElement; label: string }[] = [];
  let revealed = false;
  const paint = ({ el, label }: { el: HTMLElement; label: string }) => {
    el.style.filter = revealed ? 'none' : filter;
    el.setAttribute('aria-label', `${label}, ${revealed ? 'revealed' : 'blurred'}`);
    if (el instanceof HTMLImageElement) el.alt = el.getAttribute('aria-label') ?? '';
  };
  const actions = h('div', { class: 'actions' });
  const reveal = h('button', { type: 'button', class: 'reveal' }, 'Reveal (recorded in the audit log)');
  const hide = h('button', { type: 'button', class: 'reveal' }, 'Blur again');
  const show = (r: boolean) => { revealed = r; shielded.forEach(paint); };
  reveal.addEventListener('click', async () => {
    try {
      await sendJson('POST', `/v1/cases/${c.id}/items/${index}/reveal`);
      show(true);
      reveal.replaceWith(hide);
      hide.focus();
    } catch (e) {
      clear(status, notice(`Reveal refused: ${errorText(e)}`, 'error'));
    }
  });
  hide.addEventListener('click', () => { show(false); hide.replaceWith(reveal); });
  const shield = (el: HTMLElement, label: string) => {
    shielded.push({ el, label });
    paint({ el, label });
    if (!reveal.isConnected && !hide.isConnected) actions.append(reveal);
  };
  if (!s.me.media) {
    clear(media, h('p', { class: 'placeholder' }, 'No media store is configured: review by hashes and matches.'));
  } else if (!canSee) {
    clear(media, h('p', { class: 'placeholder' }, 'Claim the case to see its media.'));
  } else {
    clear(media, h('p', { class: 'placeholder' }, 'Loading media…'), actions);
    void getBlob(`/v1/cases/${c.id}/items/${index}/media`).then(
      (blob) => {
        const { el, controls } = protectedMedia(blob, item.item_id);
        clear(media, h('div', { class: 'frame' }, el), actions);
        if (controls) actions.prepend(controls);
        shield(el, `Item ${item.item_id}`);
      },
      (e) => {
        media.firstChild?.replaceWith(h('p', { class: 'placeholder' }, `Media unavailable: ${errorText(e)}`));
      },
    );
    if (item.content_type === 'video') {
      // Frames extracted by the server: what the video shows without playing it, under the same
      // filter; the server bounds their number and size and audits the view.
      clear(strip, h('p', { class: 'placeholder' }, 'Loading frames…'));
      void frameStrip(c, index).then(
        ({ frames, urls }) => {
          const figures = frames.frames.map((f, i) => {
            const img = h('img', { src: urls[i], class: 'frame-thumb protected', width: f.width, height: f.height });
            shield(img, `Frame ${f.frame_number} of item ${item.item_id} at ${f.timestamp.toFixed(1)} s`);
            return h('li', {}, h('figure', {}, h('div', { class: 'thumb' }, img), h('figcaption', {}, `${f.timestamp.toFixed(1)} s`)));
          });
          clear(strip,
            h('h4', { id: `frames-${index}` }, `Frames of ${item.item_id} (${frames.frames.length}, without playing it)`),
            h('ul', { class: 'frames', 'aria-labelledby': `frames-${index}` }, ...figures));
        },
        (e) => clear(strip, h('p', { class: 'placeholder' }, `Frames unavailable: ${errorText(e)}`)),
      );
    }
  }
  const details = h('div', { class: 'provenance' });
  const hashes = Object.entries(item.hashes ?? {});
  return h('article', { class: 'item', 'aria-labelledby': `item-${index}` },
    h('h3', { id: `item-${index}` }, `Item ${index + 1}: ${item.item_id}`),
    h('div', { class: 'item-body' },
      h('div', {}, media, status),
      h('div', { class: 'item-facts' },
        h('p', {}, `${item.content_type}, received ${item.received_at}`),
        hashes.length
          ? h('dl', { class: 'hashes' }, ...hashes.flatMap(([alg, hex]) => [h('dt', {}, alg), h('dd', { class: 'mono' }, hex)]))
          : h('p', {}, 'No hashes kept.'),
        table(['Technology', 'Version', 'Threshold', 'Category', 'Value', 'Bank', 'Entry'], item.flags.map((f) => [
          f.detector, f.version || '—', f.threshold || '—', f.category, flagValue(f.category, f.value), f.bank ?? '—',
          f.bank_entry_id !== undefined
            ? h('button', { type: 'button', class: 'link', onclick: () => void provenance(f.bank_entry_id as number, details) },
                `#${f.bank_entry_id} provenance`)
            : '—',
        ]), 'Flags'),
        ...item.flags.map((f, j) => (f.evidence !== undefined ? evidenceSection(f, `evidence-${index}-${j}`) : null)),
        details)),
    strip);
}

function decisionForm(c: CaseDetail, s: Session, qa: boolean): HTMLElement {
  const status = h('div', { class: 'status-line' });
  const rationale = h('textarea', { id: 'rationale', name: 'rationale', rows: 3, required: true, 'aria-describedby': 'rationale-help' }) as HTMLTextAreaElement;
  const choices = (qa ? DECISIONS.filter((d) => d.value !== 'needs_second_opinion') : DECISIONS).map((d) =>
    h('div', { class: 'choice' },
      h('input', { type: 'radio', name: 'decision', id: `d-${d.value}`, value: d.value }),
      h('label', { for: `d-${d.value}` }, d.label, ' ', h('kbd', {}, d.key.toUpperCase()))));
  const form = h('form', { class: 'decision', 'aria-labelledby': 'decision-title' },
    h('h2', { id: 'decision-title' }, qa ? 'QA review' : 'Decision'),
    h('fieldset', {}, h('legend', {}, 'Outcome'), ...choices),
    h('label', { for: 'rationale' }, 'Rationale (required)'),
    rationale,
    h('p', { id: 'rationale-help', class: 'help' }, 'Keys: K, W, S, F, O choose; Ctrl+Enter records. Keys do nothing while you type.'),
    h('button', { type: 'submit', id: 'submit-decision' }, qa ? 'Record QA review' : 'Record decision'),
    status) as HTMLFormElement;
  const submit = async () => {
    const chosen = form.querySelector<HTMLInputElement>('input[name=decision]:checked');
    if (!chosen) return clear(status, notice('Choose an outcome first.', 'error'));
    if (!rationale.value.trim()) { rationale.focus(); return clear(status, notice('Write a rationale first.', 'error')); }
    try {
      const path = qa ? `/v1/cases/${c.id}/qa-review` : `/v1/cases/${c.id}/decision`;
      const after = await sendJson<CaseDetail>('POST', path, { decision: chosen.value, rationale: rationale.value.trim() });
      await s.refreshHeader();
      sessionStorage.setItem('vigil.flash', `Case #${c.id}: ${chosen.value} recorded (now ${after.state}).`);
      location.hash = qa ? '#/qa' : '#/queue';
    } catch (e) {
      clear(status, notice(`Not recorded: ${errorText(e)}`, 'error'));
    }
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); void submit(); });
  if (keyHandler) document.removeEventListener('keydown', keyHandler);
  keyHandler = (e: KeyboardEvent) => {
    if (!form.isConnected) return;
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void submit(); return; }
    const t = e.target as HTMLElement;
    if (e.ctrlKey || e.metaKey || e.altKey || t.tagName === 'TEXTAREA' || t.tagName === 'INPUT' && (t as HTMLInputElement).type !== 'radio') return;
    const d = DECISIONS.find((x) => x.key === e.key.toLowerCase());
    const input = d && form.querySelector<HTMLInputElement>(`#d-${d.value}`);
    if (input) { e.preventDefault(); input.checked = true; input.focus(); }
  };
  document.addEventListener('keydown', keyHandler);
  return form;
}

export async function showCase(main: HTMLElement, s: Session, arg: string): Promise<void> {
  const id = Number(arg);
  if (!Number.isInteger(id) || id < 1) return clear(main, notice(`'${arg}' is not a case number.`, 'error'));
  const [c, { events }] = await Promise.all([
    getJson<CaseDetail>(`/v1/cases/${id}`),
    getJson<{ events: CaseEvent[] }>(`/v1/cases/${id}/events?limit=500`),
  ]);
  const held = holds(c, s);
  const oversight = s.has('admin') || s.has('auditor');
  const reviewer = s.has('reviewer') || s.has('admin');
  const status = h('div', { class: 'status-line' });
  const act = async (what: string, path: string, body: unknown = {}) => {
    try {
      await sendJson('POST', path, body);
      await s.refreshHeader();
      if (what === 'release') location.hash = '#/queue';
      else await showCase(main, s, arg);
    } catch (e) {
      clear(status, notice(`${what} refused: ${errorText(e)}`, 'error'));
    }
  };
  const claimable = reviewer && !held && (c.state === 'new' || (c.state === 'in_review' && !c.lease) ||
    (c.state === 'in_review' && !!c.lease && Date.parse(c.lease.expires_at) <= Date.now() + s.skewMs));
  const qa = c.state === 'decided' && held;
  clear(main,
    h('h1', {}, `Case #${c.id}`),
    h('dl', { class: 'facts' },
      h('dt', {}, 'State'), h('dd', { id: 'case-state' }, c.state + (c.outcome ? ` (${c.outcome})` : '')),
      h('dt', {}, 'Priority'), h('dd', {}, String(c.priority)),
      h('dt', {}, 'Region'), h('dd', {}, c.eu ? 'EU' : 'global'),
      h('dt', {}, 'Account'), h('dd', { class: 'mono' }, c.account_id),
      h('dt', {}, 'Surface'), h('dd', {}, c.surface || '—'),
      h('dt', {}, 'Opened'), h('dd', {}, c.created_at),
      h('dt', {}, 'QA'), h('dd', {}, c.qa),
      h('dt', {}, 'Lease'), h('dd', { id: 'lease' }, c.lease ? h('span', {}, `${c.lease.reviewer}: `, h('span', { 'data-expires': c.lease.expires_at, id: 'lease-left' })) : 'none')),
    h('div', { class: 'actions' },
      claimable ? h('button', { type: 'button', id: 'claim', onclick: () => void act('claim', '/v1/review/claim', { case_id: c.id }) }, 'Claim') : null,
      held ? h('button', { type: 'button', id: 'release', onclick: () => void act('release', `/v1/cases/${c.id}/release`) }, 'Release') : null),
    status,
    h('section', { 'aria-labelledby': 'items-title' },
      h('h2', { id: 'items-title' }, `Items (${c.items.length})`),
      ...c.items.map((it, i) => itemCard(c, it, i, s, held || oversight))),
    held && (c.state === 'in_review' || qa) ? decisionForm(c, s, qa) : null,
    redressSection(c, s, async () => {
      await showCase(main, s, arg);
      const flash = sessionStorage.getItem('vigil.flash');
      if (flash) { sessionStorage.removeItem('vigil.flash'); main.prepend(notice(flash)); }
    }),
    h('section', { 'aria-labelledby': 'reviews-title' },
      h('h2', { id: 'reviews-title' }, 'Reviews'),
      c.reviews.length
        ? table(['Kind', 'Reviewer', 'Decision', 'Rationale', 'When'], c.reviews.map((r) => [r.kind, r.reviewer, r.decision, r.rationale, r.decided_at]))
        : h('p', {}, 'None yet.')),
    h('section', { 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, 'History'),
      table(['When', 'Who', 'What', 'Details'], events.map((e) => [e.at, e.actor, e.action, e.details]))));
  startCountdowns(main, s);
}
