// End-to-end test of the reviewer console: Playwright (playwright-core) drives Debian's Chromium
// against a real `vigil serve` on a loopback port with a temporary SQLite database seeded here
// (a bank holding a benign photo's PDQ hash, the photo submitted through the pipeline, which
// opens a case). Exit 77 (ctest: skipped) when Chromium, node_modules or the built console is
// missing. Usage: node console.test.mjs --vigil build/vigil --out build/console-artifacts
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const webDir = path.resolve(here, '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const vigil = path.resolve(arg('--vigil', path.join(webDir, '..', 'build', 'vigil')));
const outDir = path.resolve(arg('--out', path.join(webDir, '..', 'build', 'console-artifacts')));
const chromiumPath = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';
const sharedDir = process.env.VIGIL_SHARED_DIR ?? path.join(webDir, '..', '..', 'shared');

function skip(why) {
  console.log(`SKIPPED: ${why}`);
  process.exit(77);
}
if (!fs.existsSync(chromiumPath)) skip(`no Chromium at ${chromiumPath} (apt-get install chromium; scripts/setup does)`);
if (!fs.existsSync(path.join(webDir, 'node_modules', 'playwright-core'))) skip('web/node_modules is missing (scripts/setup runs npm ci)');
if (!fs.existsSync(path.join(webDir, 'dist', 'index.html'))) skip('the console is not built (scripts/setup runs npm run build in web/)');
if (!fs.existsSync(vigil)) skip(`no vigil binary at ${vigil}`);
const { chromium } = await import('playwright-core');

// A benign photo from the shared PDQ test set, or a generated 96x96 BMP pattern without it.
function testImage() {
  const photo = path.join(sharedDir, 'testdata', 'pdq', 'images', '13_elephants.jpg');
  if (fs.existsSync(photo)) return { bytes: fs.readFileSync(photo), name: 'photo.jpg' };
  const w = 96, hgt = 96, row = w * 3, size = 54 + row * hgt;
  const b = Buffer.alloc(size);
  b.write('BM', 0); b.writeUInt32LE(size, 2); b.writeUInt32LE(54, 10); b.writeUInt32LE(40, 14);
  b.writeInt32LE(w, 18); b.writeInt32LE(hgt, 22); b.writeUInt16LE(1, 26); b.writeUInt16LE(24, 28);
  for (let y = 0; y < hgt; y++) for (let x = 0; x < w; x++) {
    const o = 54 + y * row + x * 3;
    b[o] = (x * 7 + y * 3) & 255; b[o + 1] = ((x ^ y) * 5) & 255; b[o + 2] = (y * 11) & 255;
  }
  return { bytes: b, name: 'pattern.bmp' };
}

const started = Date.now();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-console-'));
fs.mkdirSync(outDir, { recursive: true });
const db = path.join(tmp, 'vigil.db');
// Items' media: kept by POST /v1/items in the encrypted evidence store, which the console reads.
const evidenceDir = path.join(tmp, 'evidence');
const evidenceKeys = path.join(tmp, 'evidence.keys');
fs.writeFileSync(evidenceKeys, 'm1 0303030303030303030303030303030303030303030303030303030303030303\n');
const run = (...args) => execFileSync(vigil, [...args, '--db', db], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const keys = {};
for (const [name, role] of [['alice', 'reviewer'], ['carol', 'reviewer'], ['root', 'admin'], ['rita', 'reporter'],
  ['ingest', 'ingest-client'], ['audrey', 'auditor']]) {
  keys[name] = run('keys', 'create', '--name', name, '--role', role).trim().split('\n').pop().trim();
  assert.match(keys[name], /^vgl_[0-9a-f]{64}$/, `secret of ${name}`);
}

const config = path.join(tmp, 'server.json');
const redressConfig = path.join(tmp, 'redress.json');
fs.writeFileSync(redressConfig, JSON.stringify({ service_name: 'PhotoShare', supervisory_authority: 'the Example Authority',
  complaint_decision_days: 10 }));
// Chromium keeps up to six idle keep-alive connections per host, each holding a server worker:
// with 4 threads every sign-in waited out a keep-alive timeout (62 s instead of 12 s in all).
fs.writeFileSync(config, JSON.stringify({ address: '127.0.0.1', port: 0, database: db, threads: 16,
  console_dir: path.join(webDir, 'dist'), evidence_dir: evidenceDir, evidence_keys: evidenceKeys, redress_config: redressConfig }));
const server = spawn(vigil, ['serve', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
let serverLog = '';
const base = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`server did not start: ${serverLog}`)), 15000);
  server.stderr.on('data', (d) => {
    serverLog += d;
    const m = /serving on (http:\/\/[0-9.]+:\d+)/.exec(serverLog);
    if (m) { clearTimeout(timer); resolve(m[1]); }
  });
  server.on('exit', (code) => reject(new Error(`server exited ${code}: ${serverLog}`)));
});

async function api(key, method, p, body) {
  const init = { method, headers: { Authorization: `Bearer ${key}` } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) { init.body = JSON.stringify(body); init.headers['Content-Type'] = 'application/json'; }
  const res = await fetch(base + p, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return JSON.parse(text);
}

let browser;
let failed = false;
const shot = async (page, name) => {
  // Every page shot is also checked for unlabelled form controls (accessibility).
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label'))
    .map((el) => el.outerHTML));
  assert.deepEqual(unlabelled, [], `unlabelled controls on ${name}`);
  await page.screenshot({ path: path.join(outDir, `${name}.png`) });
  console.log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${name}`);
};
try {
  // Seed: a bank with the photo's PDQ hash, then the photo through the pipeline.
  const img = testImage();
  const form = () => { const f = new FormData(); f.append('file', new Blob([img.bytes]), img.name); return f; };
  const hashes = await api(keys.root, 'POST', '/v1/hash', form());
  await api(keys.root, 'POST', '/v1/banks', { name: 'hotline', owner: 'Test hotline' });
  await api(keys.root, 'POST', '/v1/banks/hotline/entries', { signal_type: 'pdq', signal: hashes.pdq, source_ref: 'list-1' });
  const item = form();
  item.append('item_id', 'upload-1'); item.append('account_id', 'acct-7f3a'); item.append('region', 'eu');
  const filed = await api(keys.ingest, 'POST', '/v1/items', item);
  assert.equal(filed.flagged, true, 'the photo matches its bank entry');
  const caseId = filed.case_id;

  // Static serving: content types and caching headers.
  const index = await fetch(`${base}/console`);
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  assert.match(index.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.equal((await fetch(`${base}/console/app.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8');

  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const signIn = async (key) => {
    await page.goto(`${base}/console`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  // A wrong key is refused on the sign-in form.
  await signIn('vgl_wrong');
  await page.getByText('Sign-in refused').waitFor();
  await shot(page, '01-login-refused');

  // A reporter key has no console pages, and the review queue is refused by name.
  await signIn(keys.rita);
  await page.getByText("have no pages in this console").waitFor();
  await page.evaluate(() => { location.hash = '#/queue'; });
  await page.getByText("Key 'rita' (roles reporter) may not open Queue.").waitFor();
  await shot(page, '02-reporter-denied');
  await page.getByRole('button', { name: 'Sign out' }).click();

  // The reviewer: queue with the case, no admin pages.
  await signIn(keys.alice);
  await page.getByRole('heading', { name: 'Review queue' }).waitFor();
  // Focus order: the skip link, the header's sign-out, then the navigation.
  const focused = [];
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    focused.push(await page.evaluate(() => document.activeElement.textContent));
  }
  assert.deepEqual(focused, ['Skip to content', 'Sign out', 'Queue', 'Second review']);
  await page.getByRole('link', { name: `#${caseId}` }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'API keys' }).count(), 0, 'reviewers see no key admin');
  assert.match(await page.locator('#exposure').innerText(), /Exposure today: 0 \/ 300/);
  await shot(page, '03-queue');
  await page.getByRole('button', { name: `Claim case ${caseId}` }).click();
  await page.getByRole('heading', { name: `Case #${caseId}` }).waitFor();
  await page.locator('#lease-left').filter({ hasText: /left$/ }).waitFor();
  assert.match(await page.locator('#exposure').innerText(), /Exposure today: 1 \/ 300/);
  const photo = page.locator('img.protected');
  await photo.waitFor();
  assert.match(await photo.evaluate((el) => el.style.filter), /blur\(24px\) grayscale\(1\)/, 'blurred and grey by default');
  await page.getByText(createHash('sha256').update(img.bytes).digest('hex'), { exact: true }).waitFor();
  await page.getByRole('cell', { name: 'distance 0' }).waitFor();
  await shot(page, '04-case-blurred');

  // Reveal: the image is shown as is and the audit log has the reveal.
  await page.getByRole('button', { name: /Reveal/ }).click();
  await page.getByRole('button', { name: 'Blur again' }).waitFor();
  assert.equal(await photo.evaluate((el) => el.style.filter), 'none');
  const audit = await api(keys.root, 'GET', '/v1/audit?limit=1000');
  const reveal = audit.records.find((r) => r.action === 'POST /v1/cases/{id}/items/{n}/reveal');
  assert.ok(reveal, 'the reveal is in the audit log');
  assert.equal(reveal.actor, 'alice');
  assert.equal(reveal.target, `/v1/cases/${caseId}/items/0/reveal`);
  await shot(page, '05-case-revealed');

  // Decide with the keyboard: F chooses "not CSAM", Ctrl+Enter records.
  await page.locator('h1').click();
  await page.keyboard.press('f');
  assert.equal(await page.locator('#d-not_csam').isChecked(), true);
  await page.getByLabel('Rationale (required)').fill('Ordinary wildlife photo; the bank entry is wrong.');
  await shot(page, '06-decision');
  await page.keyboard.press('Control+Enter');
  await page.getByText(`Case #${caseId}: not_csam recorded (now decided).`).waitFor();
  assert.equal(await page.getByRole('link', { name: `#${caseId}` }).count(), 0, 'the case left the queue');
  await shot(page, '07-queue-after');
  const decided = await api(keys.root, 'GET', `/v1/cases/${caseId}`);
  assert.equal(decided.state, 'decided');
  assert.equal(decided.reviews[0].reviewer, 'alice');

  // The admin sees the audit log with the reveal, and the key page.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(keys.root);
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByLabel('Filter this page by who, what or target').fill('reveal');
  await page.getByRole('cell', { name: 'POST /v1/cases/{id}/items/{n}/reveal' }).waitFor();
  await shot(page, '08-audit-log');
  await page.getByRole('link', { name: 'API keys' }).click();
  await page.getByRole('cell', { name: 'alice', exact: true }).waitFor();
  await page.getByLabel('Daily exposure cap of alice').fill('120');
  await page.getByRole('row').filter({ has: page.getByLabel('Daily exposure cap of alice') })
    .getByRole('button', { name: 'Set cap' }).click();
  await page.getByText('Daily exposure cap of alice: 120 items.').waitFor();
  await shot(page, '09-keys');
  await page.getByRole('link', { name: 'Banks' }).click();
  await page.getByRole('link', { name: 'hotline' }).click();
  await page.getByText('list-1').waitFor();
  await shot(page, '10-bank');

  // Complaints: carol confirms a second upload of the photo and removes it; the user complains.
  const second = form();
  second.append('item_id', 'upload-2'); second.append('account_id', 'acct-2b9c'); second.append('region', 'eu');
  const case2 = (await api(keys.ingest, 'POST', '/v1/items', second)).case_id;
  await api(keys.carol, 'POST', '/v1/review/claim', { case_id: case2 });
  await api(keys.carol, 'POST', `/v1/cases/${case2}/decision`, { decision: 'confirmed_known', rationale: 'Matches the hotline entry.' });
  // Carol removes the item from the case page.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(keys.carol);
  await page.evaluate((id) => { location.hash = `#/case/${id}`; }, case2);
  await page.getByRole('heading', { name: 'Actions and complaints' }).waitFor();
  await page.getByText('No action taken yet.').waitFor();
  await page.getByLabel('Action', { exact: true }).selectOption('remove_content');
  await page.getByLabel('Item', { exact: true }).selectOption('upload-2');
  await page.getByRole('button', { name: 'Take action' }).click();
  await page.getByText('Write a reason first.').waitFor();
  await page.getByLabel('Reason (told to the user)').fill('known material');
  await page.getByRole('button', { name: 'Take action' }).click();
  await page.getByText(/^Action #\d+ taken: remove_content\.$/).waitFor();
  await page.getByRole('cell', { name: 'en: pending' }).waitFor();
  // A second removal of the same item is refused by the server, shown as it is.
  await page.getByLabel('Reason (told to the user)').fill('again');
  await page.getByRole('button', { name: 'Take action' }).click();
  await page.getByText(/^Not taken: case \d+ already has action/).waitFor();
  await shot(page, '11a-case-action');
  const [action] = (await api(keys.root, 'GET', `/v1/cases/${case2}/redress`)).actions;
  assert.equal(action.actor, 'carol');
  const complaint = await api(keys.ingest, 'POST', '/v1/complaints', { action_id: action.id, text: 'This is my photo of elephants.' });
  // Carol decided the case: the queue puts the complaint apart and the server refuses her.
  await page.getByRole('link', { name: 'Complaints' }).click();
  await page.getByRole('heading', { name: 'For another reviewer (1)' }).waitFor();
  await page.getByRole('cell', { name: `reviewer carol made the original decision on case ${case2}; a complaint needs a second reviewer` }).waitFor();
  assert.match(await page.getByRole('heading', { name: /For you to decide/ }).innerText(), /\(0\)/);
  assert.match(await page.locator('[data-expires]').first().innerText(), /^(9 d 23 h|10 d 0 h) left$/, 'ten days to decide');
  await shot(page, '11-complaints-carol');
  await page.getByRole('link', { name: `Complaint #${complaint.id}` }).click();
  await page.getByText('This is my photo of elephants.').waitFor();
  await page.getByText('You may not decide this complaint').waitFor();
  await page.getByLabel('Reinstate the content').check();
  await page.getByLabel('Rationale (required)').fill('I would reinstate.');
  await page.getByRole('button', { name: 'Record complaint decision' }).click();
  await page.getByRole('alert').filter({ hasText: 'Not recorded: reviewer carol made the original decision' }).waitFor();
  await shot(page, '12-complaint-refused');
  // Alice is independent: she decides, and the complaint leaves the open queue.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(keys.alice);
  await page.getByRole('link', { name: 'Complaints' }).click();
  await page.getByRole('heading', { name: 'For you to decide (1)' }).waitFor();
  await page.getByRole('link', { name: `Complaint #${complaint.id}` }).click();
  assert.equal(await page.getByText('You may not decide this complaint').count(), 0);
  await page.getByLabel('Uphold the action (reject the complaint)').check();
  await page.getByLabel('Rationale (required)').fill('The photo matches the hotline entry; the removal stands.');
  await shot(page, '13-complaint-decision');
  await page.getByRole('button', { name: 'Record complaint decision' }).click();
  await page.getByText(`Complaint #${complaint.id}: action_upheld recorded.`).waitFor();
  await page.getByText('No complaint is open.').waitFor();
  const after = await api(keys.root, 'GET', `/v1/complaints/${complaint.id}`);
  assert.equal(after.state, 'decided');
  assert.equal(after.reviewer, 'alice');

  // Classifier evidence (Art 3(1)(f)): a synthetic conversation scanned into the store by the CLI
  // becomes a solicitation case whose page explains the score indicator by indicator.
  const repo = path.resolve(webDir, '..');
  const detectRules = path.join(tmp, 'rules.json');
  fs.writeFileSync(detectRules, JSON.stringify({ rules: [{ detector: 'classifier:*', min_score: 0.25, action: 'review', priority: 80 }] }));
  run('dpia', 'add', '--technology', 'classifier:*', '--date', '2026-09-01', '--authority', 'DPC IE', '--outcome', 'no objection',
    '--link', 'https://example.org/dpia', '--by', 'lead');
  const scanned = JSON.parse(run('scan', '--conversation', '-q', '-f', 'jsonl', '--grooming-rules', path.join(repo, 'data', 'grooming', 'example-rules.json'),
    '--rules', detectRules, '--account', 'acct-chat', path.join(repo, 'tests', 'classify', 'data', 'adult-minor-en.json')).trim().split('\n')[0]);
  await page.evaluate((id) => { location.hash = `#/case/${id}`; }, scanned.case_id);
  const evidence = page.getByRole('region', { name: 'Why classifier:grooming-example flagged this item' });
  await evidence.waitFor();
  assert.match(await evidence.innerText(), /Model version\s+1\s+Score\s+1\.000\s+Threshold\s+s>=0\.25/);
  await evidence.getByRole('row').filter({ hasText: 'secrecy' }).filter({ hasText: 'm3' }).waitFor();
  await shot(page, '14-classifier-evidence');

  // A video under the same safeguards: fetched for the holder, blurred and grey, muted, never
  // autoplayed, no full screen or picture-in-picture; reveal is audited as for images.
  const videoPath = path.join(sharedDir, 'testdata', 'vpdq', 'videos', 's03_slideshow_vp9__scale50.webm');
  if (!fs.existsSync(videoPath)) {
    console.log(`video step skipped: no ${videoPath} (VIGIL_SHARED_DIR)`);
  } else {
    const video = fs.readFileSync(videoPath);
    await api(keys.root, 'POST', '/v1/banks/hotline/entries',
      { signal_type: 'md5', signal: createHash('md5').update(video).digest('hex'), source_ref: 'list-2' });
    const vf = new FormData();
    vf.append('file', new Blob([video]), 'clip.webm');
    vf.append('item_id', 'clip-1'); vf.append('account_id', 'acct-5d1e'); vf.append('region', 'eu');
    const filedVideo = await api(keys.ingest, 'POST', '/v1/items', vf);
    assert.equal(filedVideo.flagged, true, 'the video matches its MD5 entry');
    await page.evaluate((id) => { location.hash = `#/case/${id}`; }, filedVideo.case_id);
    await page.getByRole('button', { name: 'Claim' }).click();
    const player = page.locator('video.protected');
    await player.waitFor();
    await page.waitForFunction(() => document.querySelector('video.protected')?.readyState >= 1, null, { timeout: 10000 });
    const v = await player.evaluate((el) => ({
      filter: el.style.filter, muted: el.muted, autoplay: el.autoplay, paused: el.paused,
      pip: el.disablePictureInPicture, controls: el.controls, width: el.videoWidth,
    }));
    assert.match(v.filter, /blur\(24px\) grayscale\(1\)/, 'the video is blurred and grey by default');
    // The frame strip the server extracted: 8 frames of the 9 s clip, decoded by the browser
    // (blob: images), each blurred and grey like the video.
    const thumbs = page.locator('img.frame-thumb');
    await page.getByRole('heading', { name: 'Frames of clip-1 (8, without playing it)' }).waitFor();
    assert.equal(await thumbs.count(), 8);
    await page.waitForFunction(() => [...document.querySelectorAll('img.frame-thumb')].every((i) => i.complete && i.naturalWidth > 0));
    const strip = await thumbs.evaluateAll((els) => els.map((el) => ({ filter: el.style.filter, w: el.naturalWidth, alt: el.alt })));
    for (const t of strip) {
      assert.match(t.filter, /blur\(24px\) grayscale\(1\)/, 'each frame is blurred and grey by default');
      assert.equal(t.w, 160, 'a 160 px thumbnail');
      assert.match(t.alt, /^Frame \d+ of item clip-1 at [\d.]+ s, blurred$/);
    }
    const framesView = (await api(keys.root, 'GET', '/v1/audit?order=desc&limit=50')).records
      .find((r) => r.action === 'GET /v1/cases/{id}/items/{n}/frames');
    assert.ok(framesView && framesView.actor === 'alice', 'the frames view is audited');
    assert.deepEqual([v.muted, v.autoplay, v.paused, v.pip, v.controls], [true, false, true, true, false]);
    assert.ok(v.width > 0, 'the browser decoded the video (CSP media-src allows blob:)');
    await page.getByRole('button', { name: 'Play (muted)' }).click();
    await page.getByRole('button', { name: 'Pause' }).click();
    assert.equal(await player.evaluate((el) => el.paused && el.muted), true);
    await shot(page, '15-video-blurred');
    await page.getByRole('button', { name: /Reveal/ }).click();
    await page.getByRole('button', { name: 'Blur again' }).waitFor();
    assert.equal(await player.evaluate((el) => el.style.filter), 'none');
    assert.deepEqual(await thumbs.evaluateAll((els) => els.map((el) => el.style.filter)), Array(8).fill('none'),
      'the one reveal shows the frames too');
    const log = await api(keys.root, 'GET', '/v1/audit?limit=1000');
    assert.ok(log.records.some((r) => r.target === `/v1/cases/${filedVideo.case_id}/items/0/reveal` && r.actor === 'alice'),
      'the video reveal is in the audit log');
    await page.getByRole('button', { name: 'Blur again' }).click();
    assert.match(await player.evaluate((el) => el.style.filter), /blur\(24px\)/);
    assert.ok((await thumbs.evaluateAll((els) => els.map((el) => el.style.filter))).every((f) => /blur\(24px\)/.test(f)));
  }
  // A flood of 21 more uploads matching one bank entry (over the default 20 an hour) raises a
  // cluster alert; alice acknowledges it with a note, and the audit log, newest first, opens
  // with her acknowledgement.
  for (let i = 0; i < 21; i++) {
    const f = form();
    f.append('item_id', `flood-${i}`); f.append('account_id', `acct-flood-${i}`); f.append('region', 'eu');
    await api(keys.ingest, 'POST', '/v1/items', f);
  }
  const { alerts } = await api(keys.root, 'GET', '/v1/alerts');
  assert.equal(alerts.length, 1, 'one cluster alert for the bank entry');
  assert.equal(alerts[0].paused_auto_action, true, 'the alert paused automatic action');
  const alertId = alerts[0].id;
  const pausedEntry = alerts[0].key;
  await page.getByRole('link', { name: 'Alerts' }).click();
  await page.getByLabel(`Note for alert ${alertId}`).fill('A test burst of one photo, not a bad hash.');
  await page.getByRole('button', { name: `Acknowledge alert ${alertId}` }).click();
  await page.getByText(`Alert #${alertId} acknowledged.`).waitFor();
  await page.getByRole('cell', { name: /^alice at .*: A test burst of one photo, not a bad hash\.$/ }).waitFor();
  await shot(page, '16-alert-acknowledged');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(keys.root);
  await page.getByRole('link', { name: 'Audit log' }).click();
  const firstRow = page.locator('tbody tr').first();
  await firstRow.filter({ hasText: 'POST /v1/alerts/{id}/acknowledge' }).waitFor();
  assert.match(await firstRow.innerText(), /alice/);
  const seqs = await page.locator('tbody tr td:first-child').allInnerTexts();
  assert.deepEqual(seqs.map(Number), [...seqs.map(Number)].sort((a, b) => b - a), 'newest first');
  await page.getByText(new RegExp(`^Records ${seqs[0]} to ${Math.max(1, Number(seqs[0]) - 99)} of ${seqs[0]}, newest first$`)).waitFor();
  await shot(page, '17-audit-newest-first');
  // Paging: the page before a seq starts just below it and links to newer and older records.
  const top = Number(seqs[0]);
  await page.evaluate((b) => { location.hash = `#/audit/${b}`; }, top - 5);
  await page.getByText(new RegExp(`^Records ${top - 6} to ${Math.max(1, top - 105)} of ${top}, newest first$`)).waitFor();
  assert.equal(Number(await page.locator('tbody tr td:first-child').first().innerText()), top - 6);
  await page.getByRole('link', { name: '← Newer' }).click();
  await page.getByText(new RegExp(`^Records ${top} to ${Math.max(1, top - 99)} of ${top}, newest first$`)).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Older →' }).count(), top > 100 ? 1 : 0);

  // The pause the alert set: an auditor sees it with Resume disabled; alice resumes it with a
  // reason after confirming (a cancelled confirmation sends nothing), the alert then shows
  // "resumed" and the resume is in the audit log.
  const what = `bank entry ${pausedEntry}`;
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(keys.audrey);
  await page.getByRole('link', { name: 'Alerts' }).click();
  await page.getByRole('heading', { name: 'Automatic action paused (1)' }).waitFor();
  assert.match(await page.locator('#alert-count').innerText(), /automatic action paused for 1/);
  assert.equal(await page.getByRole('button', { name: `Resume ${what}` }).isDisabled(), true, 'auditors may not resume');
  assert.equal(await page.getByLabel(`Reason for resuming ${what}`).isDisabled(), true);
  await page.getByText('Your roles may view pauses but not resume them.').waitFor();
  await shot(page, '18-pause-auditor');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(keys.alice);
  await page.getByRole('link', { name: 'Alerts' }).click();
  const resumeButton = page.getByRole('button', { name: `Resume ${what}` });
  await resumeButton.click();
  await page.getByText(`Resume ${what}: write a reason first.`).waitFor();
  await page.getByLabel(`Reason for resuming ${what}`).fill('Entry re-verified against the hotline list.');
  await resumeButton.click();
  const confirmBox = page.getByRole('group', { name: `Confirm resuming ${what}` });
  await confirmBox.getByText('Its matches will be actioned without review again.').waitFor();
  await shot(page, '19-pause-confirm');
  await confirmBox.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await confirmBox.count(), 0);
  assert.equal((await api(keys.root, 'GET', '/v1/pauses')).pauses.length, 1, 'a cancelled resume sends nothing');
  await resumeButton.click();
  await confirmBox.getByRole('button', { name: 'Confirm resume' }).click();
  await page.getByText(`Automatic action resumed for ${what}.`).waitFor();
  await page.getByText('Automatic action is not paused for any subject.').waitFor();
  await page.getByRole('row').filter({ hasText: `#${alertId}` }).getByRole('cell', { name: 'resumed', exact: true }).waitFor();
  await shot(page, '20-pause-resumed');
  assert.deepEqual((await api(keys.root, 'GET', '/v1/pauses')).pauses, []);
  const resumeLog = (await api(keys.root, 'GET', '/v1/audit?order=desc&limit=20')).records
    .find((r) => r.action === 'POST /v1/pauses/resume');
  assert.ok(resumeLog, 'the resume is in the audit log');
  assert.equal(resumeLog.actor, 'alice');
  assert.deepEqual(consoleErrors, [], 'no script errors');
  console.log(`took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`PASSED: console end to end against ${base}; screenshots in ${outDir}`);
} catch (e) {
  failed = true;
  console.error(`FAILED: ${e.stack ?? e}\nserver log:\n${serverLog}`);
  const pages = browser ? browser.contexts().flatMap((c) => c.pages()) : [];
  if (pages[0]) await shot(pages[0], 'failure').catch(() => {});
} finally {
  if (browser) await browser.close();
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
