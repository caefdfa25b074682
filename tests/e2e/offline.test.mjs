// End-to-end tests of the bisect-lens file, the library and offline use:
// export → import in a fresh browser context (annotations and view come
// back), clear errors for newer and damaged files, the library (save,
// search, import, export all, delete), and the app and a saved log opening
// with no network after one visit.
//
//   node --test tests/e2e/offline.test.mjs      (after `trunk build --release`)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, DIST, CORPUS, LARGEST, serve, launch, newPage, screenshotPath } from './harness.mjs';

const SEEDS = ['000_9f5fff6f4365948f.txt', '004_dd38629cfa7ebbde.txt'];
const seedText = (s) => fs.readFileSync(path.join(ROOT, 'static', 'samples', s), 'utf8');

/// `bisect_lens::doc::text_key`: FNV-1a 64 of the UTF-8 bytes, then the length in hex.
function textKey(text) {
  const bytes = Buffer.from(text, 'utf8');
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return `${h.toString(16).padStart(16, '0')}-${bytes.length.toString(16)}`;
}
const notesKey = (text) => `bisect-lens.notes.${textKey(text)}`;

/// Annotations as the viewer keeps them (src/notes.rs): opaque JSON to the file format.
const NOTES = {
  version: 1,
  notes: [
    { on: 'step', step: 2, text: 'e2e note <b>not html</b>' },
    { on: 'step', step: 3, text: 'one SYZFAIL run', doubt: 'good' },
  ],
};

let server;
let browser;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bisect-lens-e2e-'));

before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, 'index.html')), `no release build in ${DIST}: run trunk build --release`);
  assert.ok(fs.existsSync(path.join(DIST, 'sw.js')), 'dist/sw.js: the service worker is copied by Trunk');
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function openLog(page, base, query) {
  await page.goto(`${base}/${query}`);
  await page.waitForSelector('[data-testid=viewer], [data-testid=load-error]', { timeout: 30000 });
}

async function commitsShown(page) {
  return page.$$eval('[data-testid=step]', (els) => els.map((e) => e.dataset.commit));
}

test('export → import in a fresh context restores the log, its annotations and its view', async () => {
  const page = await newPage(browser, { acceptDownloads: true });
  const text = seedText(SEEDS[1]);
  await openLog(page, server.url, `?log=samples/${SEEDS[1]}`);
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [notesKey(text), JSON.stringify(NOTES)]);
  // A view worth restoring: the third step, in the raw log.
  await page.locator('[data-testid=step]').nth(2).click();
  await page.click('[data-testid=tab-raw]');
  await page.waitForFunction(() => location.hash.includes('step=3') && location.hash.includes('tab=raw'));
  const commits = await commitsShown(page);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export]')]);
  const view = new URL(page.url()).hash.slice(1);
  assert.match(download.suggestedFilename(), /^004_dd38629cfa7ebbde\.bisect-lens\.json$/);
  const file = path.join(tmp, download.suggestedFilename());
  await download.saveAs(file);
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(json.format, 'bisect-lens');
  assert.equal(json.version, 1);
  assert.equal(json.text, text, 'the log text, byte for byte');
  assert.deepEqual(json.annotations, NOTES);
  assert.equal(json.view, view);
  assert.equal(json.url, `samples/${SEEDS[1]}`);
  assert.equal(typeof json.name, 'string');
  assert.deepEqual(page.problems, []);
  await page.context().close();

  // A fresh browser context: nothing stored; the file brings it all back.
  const fresh = await newPage(browser);
  await fresh.goto(`${server.url}/`);
  await fresh.waitForSelector('[data-testid=sample]');
  assert.equal(await fresh.evaluate((k) => localStorage.getItem(k), notesKey(text)), null);
  await fresh.locator('[data-testid=file-input]').first().setInputFiles(file);
  await fresh.waitForSelector('[data-testid=viewer]');
  assert.deepEqual(await commitsShown(fresh), commits);
  const restored = await fresh.evaluate((k) => localStorage.getItem(k), notesKey(text));
  assert.deepEqual(JSON.parse(restored), NOTES, 'annotations written under bisect-lens.notes.<text_key>');
  // The view: the same step and tab (the first raw line shown may differ with the layout).
  await fresh.waitForFunction(() => location.hash.includes('step=3') && location.hash.includes('tab=raw'));
  assert.equal(await fresh.getAttribute('[data-testid=tab-raw]', 'aria-selected'), 'true');
  assert.ok(await fresh.locator('[data-testid=step]').nth(2).evaluate((e) => e.classList.contains('selected')));
  await fresh.screenshot({ path: screenshotPath('bundle-restored') });
  assert.deepEqual(fresh.problems, []);
  await fresh.context().close();
});

test('a newer or damaged bisect-lens file gets a clear error (file picker and drop)', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/`);
  await page.waitForSelector('[data-testid=sample]');
  const good = { format: 'bisect-lens', version: 1, name: 'x', url: null, text: seedText(SEEDS[0]), annotations: null, view: '' };
  const newer = Buffer.from(JSON.stringify({ ...good, version: 2 }));
  await page.locator('[data-testid=file-input]').first().setInputFiles({ name: 'newer.json', mimeType: 'application/json', buffer: newer });
  await page.waitForSelector('[data-testid=load-error]');
  assert.match(await page.textContent('[data-testid=load-error]'), /newer bisect-lens \(format version 2\)/);

  // Dropped: a cut file.
  const cut = JSON.stringify(good).slice(0, 500);
  const dt = await page.evaluateHandle((body) => {
    const d = new DataTransfer();
    d.items.add(new File([body], 'cut.bisect-lens.json', { type: 'application/json' }));
    return d;
  }, cut);
  await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
  await page.waitForFunction(() => /not valid JSON/.test(document.querySelector('[data-testid=load-error]')?.textContent ?? ''));
  assert.match(await page.textContent('[data-testid=load-error]'), /cannot be opened/);

  const noText = Buffer.from(JSON.stringify({ ...good, text: 42 }));
  await page.locator('[data-testid=file-input]').first().setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: noText });
  await page.waitForFunction(() => /"text" must be/.test(document.querySelector('[data-testid=load-error]')?.textContent ?? ''));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('library: import, search, compare two, export all, delete', async () => {
  const page = await newPage(browser, { acceptDownloads: true });
  await page.goto(`${server.url}/library`);
  await page.waitForSelector('[data-testid=library-empty]');
  const lib = {
    format: 'bisect-lens-library',
    version: 1,
    logs: SEEDS.map((s, i) => ({
      format: 'bisect-lens', version: 1, name: s, url: null, text: seedText(s),
      annotations: i === 0 ? NOTES : null, view: '', saved: `2026-11-0${i + 1}T10:00:00.000Z`,
    })),
  };
  await page.locator('[data-testid=library-import] [data-testid=file-input]').setInputFiles({ name: 'lib.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(lib)) });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=library-entry]').length === 2);
  assert.match(await page.textContent('[data-testid=library-status]'), /Imported 2 log/);
  const titles = await page.$$eval('[data-testid=library-title]', (e) => e.map((x) => x.textContent));
  // Newest first; titles, outcome and trust come from the analysis.
  assert.deepEqual(titles, ['general protection fault in try_to_wake_up', 'INFO: task hung in io_ring_exit_work']);
  assert.deepEqual(await page.$$eval('[data-testid=library-entry]', (e) => e.map((x) => [x.dataset.outcome, x.dataset.trust])),
    [['culprit', 'suspect'], ['culprit', 'suspect']]);

  await page.fill('[data-testid=library-search]', 'TASK HUNG');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=library-entry]').length === 1);
  await page.fill('[data-testid=library-search]', 'no such bug');
  await page.waitForSelector('[data-testid=library-no-match]');
  await page.fill('[data-testid=library-search]', '');

  // Export all gives the same logs back.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=library-export]')]);
  const out = path.join(tmp, 'library.json');
  await download.saveAs(out);
  const exported = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(exported.format, 'bisect-lens-library');
  assert.equal(exported.version, 1);
  assert.deepEqual(exported.logs.map((l) => l.text).sort(), SEEDS.map(seedText).sort());
  assert.deepEqual(exported.logs.find((l) => l.name === SEEDS[0]).annotations, NOTES);
  await page.screenshot({ path: screenshotPath('library'), fullPage: true });

  // Compare the two picked.
  await page.locator('[data-testid=library-pick]').nth(0).check();
  await page.locator('[data-testid=library-pick]').nth(1).check();
  await page.click('a[data-testid=library-compare]');
  await page.waitForSelector('[data-testid=compare-row]');
  assert.equal(await page.locator('[data-testid=compare-side]').count(), 2);
  assert.equal(await page.locator('[data-testid=compare-error]').count(), 0);

  // Delete one; the other stays.
  await page.goto(`${server.url}/library`);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=library-entry]').length === 2);
  await page.locator('[data-testid=library-delete]').first().click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=library-entry]').length === 1);
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=library-entry]').length === 1);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('offline: after one visit the app, the library and a saved log open with no network', async () => {
  // Its own server: closed below, so nothing can come from the network.
  const own = await serve();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  const text = seedText(SEEDS[0]);
  await openLog(page, own.url, `?log=samples/${SEEDS[0]}`);
  const commits = await commitsShown(page);
  // The service worker took over and cached the shell of this release.
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30000 });
  const caches = await page.evaluate(async () => {
    const names = await caches.keys();
    const c = await caches.open(names.find((n) => n.startsWith('bisect-lens-shell-')));
    return { names, urls: (await c.keys()).map((r) => new URL(r.url).pathname) };
  });
  const shells = caches.names.filter((n) => n.startsWith('bisect-lens-shell-'));
  assert.equal(shells.length, 1, caches.names.join());
  assert.match(shells[0], /^bisect-lens-shell-bisect-lens-[0-9a-f]+_[0-9a-f]+$/, 'the cache is named after both builds');
  // Both builds: the library's compare page runs the full one.
  for (const re of [/^\/$/, /^\/bisect-lens-[0-9a-f]+_bg\.wasm$/, /^\/bisect-lens-[0-9a-f]+\.js$/,
    /^\/bisect-lens-full-[0-9a-f]+_bg\.wasm$/, /^\/bisect-lens-full-[0-9a-f]+\.js$/,
    /\.css$/, /^\/worker\.js$/, /^\/samples\/000_/]) {
    assert.ok(caches.urls.some((u) => re.test(u)), `${re} cached: ${caches.urls.join(' ')}`);
  }

  // Save it with annotations.
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [notesKey(text), JSON.stringify(NOTES)]);
  await page.click('[data-testid=save-library]');
  await page.waitForFunction(() => /Saved to the library, with its annotations/.test(document.querySelector('[data-testid=log-actions-status]')?.textContent ?? ''));
  const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage);
  console.log(`# storage used by this origin after one visit and one saved log: ${usage} bytes`);

  // A full quota: a clear error, and what was saved stays.
  await openLog(page, own.url, `?log=samples/${SEEDS[1]}`);
  await page.evaluate(() => {
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  await page.click('[data-testid=save-library]');
  await page.waitForSelector('[data-testid=log-actions-error]');
  assert.match(await page.textContent('[data-testid=log-actions-error]'),
    /storage for this site is full \(QuotaExceededError\).*Nothing already in the library was lost/);

  // No network at all.
  await context.setOffline(true);
  await own.close();
  await page.evaluate((k) => localStorage.removeItem(k), notesKey(text));
  await page.goto(`${own.url}/library`);
  await page.waitForSelector('[data-testid=library-entry]', { timeout: 30000 });
  assert.equal(await page.locator('[data-testid=library-entry]').count(), 1, 'the failed save left nothing behind');
  assert.equal(await page.textContent('[data-testid=library-title]'), 'INFO: task hung in io_ring_exit_work');
  await page.click('[data-testid=library-open]');
  await page.waitForSelector('[data-testid=viewer]');
  assert.deepEqual(await commitsShown(page), commits);
  assert.deepEqual(JSON.parse(await page.evaluate((k) => localStorage.getItem(k), notesKey(text))), NOTES);
  await page.screenshot({ path: screenshotPath('offline-library-log') });

  // A reload of the start page and of a bundled sample work offline too.
  await page.goto(`${own.url}/`);
  await page.waitForSelector('[data-testid=sample]');
  await openLog(page, own.url, `?log=samples/${SEEDS[1]}`);
  assert.ok((await page.locator('[data-testid=viewer]').count()) === 1);
  // A log that is not cached fails as a download error, not as a broken app.
  await openLog(page, own.url, '?log=corpus-file/Log_10008d0e500000.txt');
  assert.equal(await page.locator('[data-testid=load-error]').count(), 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a big log on a later visit is still parsed in the worker (the service worker serves worker.js)', async (t) => {
  if (!fs.existsSync(path.join(CORPUS, 'syzbot', LARGEST))) {
    t.skip(`corpus not found at ${CORPUS}`);
    return;
  }
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const query = `?log=${encodeURIComponent(server.corpus(LARGEST))}`;
  await openLog(page, server.url, query);
  assert.equal(await page.getAttribute('[data-testid=viewer]', 'data-parsed-in'), 'worker');
  const commits = await commitsShown(page);
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30000 });
  // The cached worker.js used to start without its query (a worker's
  // location is its script's response URL), failed, and the page parsed the
  // log on its own thread.
  await openLog(page, server.url, query);
  assert.ok(await page.evaluate(() => navigator.serviceWorker.controller != null), 'the second visit is under the service worker');
  assert.equal(await page.getAttribute('[data-testid=viewer]', 'data-parsed-in'), 'worker');
  assert.deepEqual(await commitsShown(page), commits);
  await context.close();
});

test('a new release replaces the cached shell of the old one', async () => {
  // Release 2 is release 1 with its script and wasm under other hashed names.
  const index = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const oldName = index.match(/\/(bisect-lens-[0-9a-f]+)\.js/)[1];
  const newName = oldName.endsWith('0') ? oldName.replace(/0$/, '1') : oldName.replace(/.$/, '0');
  // The release (the cache's name) is named after both builds.
  const full = index.match(/bisect-lens-full-([0-9a-f]+)\.js/)[1];
  const [oldShell, newShell] = [oldName, newName].map((n) => `bisect-lens-shell-${n}_${full}`);
  let release = 1;
  const file = (name, type) => (req, res) => {
    const body = fs.readFileSync(path.join(DIST, name));
    res.writeHead(200, { 'content-type': type, 'content-length': body.length });
    res.end(body);
  };
  const own = await serve({
    '/': (req, res) => {
      const body = release === 1 ? index : index.replaceAll(oldName, newName);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(body);
    },
    [`/${newName}.js`]: file(`${oldName}.js`, 'text/javascript'),
    [`/${newName}_bg.wasm`]: file(`${oldName}_bg.wasm`, 'application/wasm'),
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  const shells = () => page.evaluate(async () => (await caches.keys()).filter((n) => n.startsWith('bisect-lens-shell-')));
  const waitFor = async (want) => {
    for (let i = 0; i < 100; i++) {
      const got = await shells();
      if (JSON.stringify(got) === JSON.stringify(want)) return got;
      await page.waitForTimeout(100);
    }
    return shells();
  };
  await page.goto(`${own.url}/`);
  await page.waitForSelector('[data-testid=sample]');
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30000 });
  assert.deepEqual(await waitFor([oldShell]), [oldShell]);

  release = 2;
  await page.reload();
  await page.waitForSelector('[data-testid=sample]');
  assert.deepEqual(await waitFor([newShell]), [newShell], 'the old cache is gone');
  const cached = await page.evaluate(async (n) => (await (await caches.open(n)).keys()).map((r) => new URL(r.url).pathname), newShell);
  assert.ok(cached.includes(`/${newName}_bg.wasm`) && !cached.includes(`/${oldName}_bg.wasm`), cached.join(' '));

  // And the new release starts offline.
  await context.setOffline(true);
  await own.close();
  await page.reload();
  await page.waitForSelector('[data-testid=sample]');
  assert.ok(await page.evaluate((n) => [...document.querySelectorAll('link[rel=modulepreload]')].some((l) => l.href.includes(n)), newName));
  await context.close();
});
