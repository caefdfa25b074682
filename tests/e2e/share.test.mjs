// End-to-end tests of annotations and sharing: notes on a step and on raw
// lines, "Copy link" opened in a fresh browser context (same log, notes and
// view), a doubted verdict's what-if range, export → import keeping the
// notes, and "Share" through a real bisect-server (`/s/<id>` in a fresh
// context).
//
//   node --test tests/e2e/share.test.mjs   (after `trunk build --release` and
//   `cargo build -p bisect-server --bin bisect-server`)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT, DIST, serve, launch, newPage, screenshotPath } from './harness.mjs';

const SEED = '004_dd38629cfa7ebbde.txt';
const SERVER_BIN = process.env.BISECT_LENS_SERVER_BIN
  || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'), 'debug', 'bisect-server');

let server;
let browser;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bisect-lens-share-'));

before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, 'index.html')), `no release build in ${DIST}: run trunk build --release`);
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function openLog(page, url) {
  await page.goto(url);
  await page.waitForSelector('[data-testid=viewer], [data-testid=load-error]', { timeout: 30000 });
}

async function addNote(page, text) {
  await page.fill('[data-testid=note-text]', text);
  await page.click('[data-testid=add-note]');
}

const notesShown = (page) => page.$$eval('[data-testid=note]', (els) => els.map((e) => e.textContent));

test('annotate → Copy link → the link opens the same log, notes and view in a fresh context', async () => {
  const page = await newPage(browser);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await openLog(page, `${server.url}/?log=samples/${SEED}`);
  await page.locator('[data-testid=step]').nth(2).click();
  await addNote(page, 'flaky here <b>not html</b>');
  // A run of that step.
  await page.selectOption('[data-testid=note-run]', '1');
  await addNote(page, 'this run crashed differently');
  // Raw lines.
  await page.evaluate(() => { location.hash = 'tab=raw&L10-L12'; });
  await page.waitForFunction(() => /lines 10.12/.test(document.querySelector('#note-form-title')?.textContent ?? ''));
  await addNote(page, 'the bisection starts here');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=note]').length === 3);
  const notes = await notesShown(page);
  assert.ok(notes[0].includes('step 3') && notes[0].includes('flaky here <b>not html</b>'), notes[0]);
  assert.ok(notes[1].includes('step 3, run 1'), notes[1]);
  assert.ok(notes[2].includes('lines 10\u201312'), notes[2]);
  assert.equal(await page.locator('.note-text b').count(), 0, 'note text is never HTML');

  await page.click('[data-testid=copy-link]');
  await page.waitForSelector('[data-testid=share-link]');
  const link = await page.inputValue('[data-testid=share-link]');
  assert.ok(link.startsWith(`${server.url}/?log=samples/${SEED}#`), link);
  assert.ok(link.includes('tab=raw') && link.includes('L10-L12') && /notes=[A-Za-z0-9_-]+/.test(link), link);
  assert.match(await page.textContent('[data-testid=log-actions-status]'), /Link with your notes/);
  const clip = await page.evaluate(() => navigator.clipboard.readText().catch(() => null));
  if (clip !== null) assert.equal(clip, link, 'the clipboard holds the link');
  console.log(`# link with 3 notes: ${link.length} characters`);
  assert.deepEqual(page.problems, []);
  await page.context().close();

  const fresh = await newPage(browser);
  await openLog(fresh, link);
  await fresh.waitForFunction(() => document.querySelectorAll('[data-testid=note]').length === 3);
  assert.deepEqual(await notesShown(fresh), notes);
  assert.equal(await fresh.getAttribute('[data-testid=tab-raw]', 'aria-selected'), 'true');
  // The notes are kept in this browser now, and the address drops them.
  await fresh.waitForFunction(() => !location.hash.includes('notes=') && location.hash.includes('L10-L12'));
  const kept = await fresh.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('bisect-lens.notes.')));
  assert.equal(kept.length, 1);
  await fresh.reload();
  await fresh.waitForFunction(() => document.querySelectorAll('[data-testid=note]').length === 3);
  await fresh.screenshot({ path: screenshotPath('share-link-opened') });
  assert.deepEqual(fresh.problems, []);
  await fresh.context().close();
});

test('a doubted verdict shows the range the bisection would have ended with', async () => {
  const page = await newPage(browser);
  await openLog(page, `${server.url}/?log=samples/${SEED}`);
  assert.equal(await page.locator('[data-testid=what-if]').count(), 0);
  const step = page.locator('[data-testid=step][data-commit^="7c25c0d16ef3"]');
  assert.equal(await step.getAttribute('data-verdict'), 'bad');
  await step.locator('.step-main').click();
  await page.fill('[data-testid=note-text]', 'the crash was the unrelated KASAN report');
  await page.click('[data-testid=doubt-good]');
  await page.waitForSelector('[data-testid=what-if]');
  const cell = (id) => page.textContent(`[data-testid=${id}]`);
  assert.match(await cell('what-if-good'), /^7c25c0d16ef3/);
  assert.match(await cell('what-if-bad'), /^a1639a434b20/);
  assert.match(await cell('what-if-left'), /about \d+/);
  // Next to the real result.
  assert.doesNotMatch(await cell('logged-good'), /^7c25c0d16ef3/);
  assert.match(await cell('logged-left'), /culprit/);
  const notes = await notesShown(page);
  assert.equal(notes.length, 1);
  assert.match(notes[0], /doubted: really good.*unrelated KASAN/);
  await page.screenshot({ path: screenshotPath('what-if') });
  // Survives a reload; deleting the doubt removes the what-if.
  await page.reload();
  await page.waitForSelector('[data-testid=what-if]');
  await page.click('[data-testid=note] >> text=Delete');
  await page.waitForFunction(() => !document.querySelector('[data-testid=what-if]'));
  await page.screenshot({ path: screenshotPath('what-if-removed') });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('export → import in a fresh context keeps the notes', async () => {
  const page = await newPage(browser, { acceptDownloads: true });
  await openLog(page, `${server.url}/?log=samples/${SEED}`);
  await page.locator('[data-testid=step]').nth(4).click();
  await addNote(page, 'exported note');
  await page.waitForSelector('[data-testid=note]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export]')]);
  const file = path.join(tmp, download.suggestedFilename());
  await download.saveAs(file);
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepEqual(json.annotations, { version: 1, notes: [{ on: 'step', step: 5, text: 'exported note' }] });
  await page.context().close();

  const fresh = await newPage(browser);
  await fresh.goto(`${server.url}/`);
  await fresh.waitForSelector('[data-testid=sample]');
  await fresh.locator('[data-testid=file-input]').first().setInputFiles(file);
  await fresh.waitForSelector('[data-testid=note]');
  const shown = await notesShown(fresh);
  assert.equal(shown.length, 1);
  assert.ok(shown[0].includes('step 5') && shown[0].includes('exported note'), shown[0]);
  assert.deepEqual(fresh.problems, []);
  await fresh.context().close();
});

test('notes from a damaged link are reported, the log still opens', async () => {
  const page = await newPage(browser);
  await openLog(page, `${server.url}/?log=samples/${SEED}#step=2&notes=AAAAAAAAAA`);
  await page.waitForSelector('[data-testid=notes-error]');
  assert.match(await page.textContent('[data-testid=notes-error]'), /notes in this link could not be read/);
  assert.equal(await page.locator('[data-testid=note]').count(), 0);
  // Notes that arrive by a hash change (a link pasted into the address bar) are merged too.
  const good = await page.evaluate(async () => {
    const json = JSON.stringify({ version: 1, notes: [{ on: 'diag', diag: 1, text: 'from a pasted link' }] });
    const s = new Blob([json]).stream().pipeThrough(new CompressionStream('deflate-raw'));
    const b = new Uint8Array(await new Response(s).arrayBuffer());
    return btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  });
  await page.evaluate((d) => { location.hash = `step=2&notes=${d}`; }, good);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=note]').length === 1);
  assert.match((await notesShown(page))[0], /diagnostic 1.*from a pasted link/);
  await page.waitForFunction(() => !location.hash.includes('notes='));
  assert.equal(await page.locator('[data-testid=notes-error]').count(), 0, 'the earlier error is gone');
  await page.context().close();
});

test('notes too long for a link are exported as a file, with a clear message', async () => {
  const page = await newPage(browser, { acceptDownloads: true });
  await openLog(page, `${server.url}/?log=samples/${SEED}`);
  // 120 notes of random text (compression cannot shrink them below the limit).
  await page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith('bisect-lens.notes.'));
    if (key) localStorage.removeItem(key);
  });
  const key = await page.evaluate(async () => {
    const text = await (await fetch('samples/004_dd38629cfa7ebbde.txt')).text();
    let h = 0xcbf29ce484222325n;
    const bytes = new TextEncoder().encode(text);
    for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
    return `bisect-lens.notes.${h.toString(16).padStart(16, '0')}-${bytes.length.toString(16)}`;
  });
  const notes = Array.from({ length: 120 }, (_, i) => ({
    on: 'step', step: (i % 10) + 1, text: Array.from({ length: 12 }, () => Math.random().toString(36).slice(2)).join(' '),
  }));
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [key, JSON.stringify({ version: 1, notes })]);
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=note]').length === 120);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=copy-link]')]);
  assert.match(download.suggestedFilename(), /\.bisect-lens\.json$/);
  const msg = await page.textContent('[data-testid=log-actions-error]');
  assert.match(msg, /With 120 notes the link would be [\d,]+ characters, over the 8000/);
  assert.match(msg, /exported as 004_dd38629cfa7ebbde\.bisect-lens\.json/);
  assert.equal(await page.locator('[data-testid=share-link]').count(), 0);
  await page.context().close();
});

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startServer() {
  assert.ok(fs.existsSync(SERVER_BIN), `no ${SERVER_BIN}: run cargo build -p bisect-server --bin bisect-server`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(SERVER_BIN, [
    '--listen', `127.0.0.1:${port}`, '--database', `sqlite://${path.join(tmp, 'share.db')}`,
    '--dist', DIST, '--workers', '0', '--repos-root', tmp,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(`${url}/api/logs?limit=1`);
      if (r.ok) return { url, stop: () => child.kill() };
    } catch { /* not up yet */ }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`bisect-server did not start: ${stderr}`);
}

test('Share uploads the log with its notes; /s/<id> opens both in a fresh context', async () => {
  const srv = await startServer();
  try {
    // Served by a plain file server: no Share button.
    const plain = await newPage(browser);
    await openLog(plain, `${server.url}/?log=samples/${SEED}`);
    await plain.waitForTimeout(300);
    assert.equal(await plain.locator('[data-testid=share]').count(), 0);
    await plain.context().close();

    const page = await newPage(browser);
    await openLog(page, `${srv.url}/?log=samples/${SEED}`);
    await page.locator('[data-testid=step][data-commit^="7c25c0d16ef3"] .step-main').click();
    await page.click('[data-testid=doubt-good]');
    await addNote(page, 'shared note');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=note]').length === 2);
    const notes = await notesShown(page);
    await page.click('[data-testid=share]');
    await page.waitForSelector('[data-testid=share-link]');
    const link = await page.inputValue('[data-testid=share-link]');
    assert.match(link, new RegExp(`^${srv.url}/s/[A-Za-z0-9_-]+(#.*)?$`));
    assert.deepEqual(page.problems, []);
    await page.context().close();

    const fresh = await newPage(browser);
    await openLog(fresh, link);
    await fresh.waitForFunction(() => document.querySelectorAll('[data-testid=note]').length === 2);
    assert.deepEqual(await notesShown(fresh), notes);
    await fresh.waitForSelector('[data-testid=what-if]');
    assert.match(await fresh.textContent('[data-testid=what-if-good]'), /^7c25c0d16ef3/);
    // The step that was open is open again.
    assert.ok(await fresh.locator('[data-testid=step][data-commit^="7c25c0d16ef3"]').evaluate((e) => e.classList.contains('selected')));
    assert.deepEqual(fresh.problems, []);
    await fresh.context().close();

    // A big log on /s/<id> is parsed in the worker: worker.js comes from the site root.
    const big = fs.readFileSync(path.join(ROOT, 'static', 'samples', SEED), 'utf8');
    const r = await fetch(`${srv.url}/api/logs`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: big + '\n'.repeat(1_100_000) });
    assert.equal(r.status, 201);
    const { url: sharePath } = await r.json();
    const wpage = await newPage(browser);
    const requested = [];
    wpage.on('request', (q) => requested.push(new URL(q.url()).pathname));
    await openLog(wpage, `${srv.url}${sharePath}`);
    assert.equal(await wpage.getAttribute('[data-testid=viewer]', 'data-parsed-in'), 'worker');
    assert.ok(requested.includes('/worker.js') && !requested.includes('/s/worker.js'), requested.join(' '));
    assert.deepEqual(wpage.problems, []);
    await wpage.context().close();
  } finally {
    srv.stop();
  }
});
