// End-to-end tests of the viewer: the release build (dist/) served on
// 127.0.0.1, driven in headless Chromium with playwright-core, checked
// against the parser's own answer (`bisect-log json FILE`).
//
//   node --test tests/e2e/        (after `trunk build --release`)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT, DIST, CORPUS, LARGEST, serve, launch, newPage, screenshotPath } from './harness.mjs';

const SEEDS = ['000_9f5fff6f4365948f.txt', '004_dd38629cfa7ebbde.txt'];
const SYZBOT = path.join(CORPUS, 'syzbot');
// cargo puts the binary under CARGO_TARGET_DIR when it is set.
const CLI = path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'), 'release', 'bisect-log');

let server;
let browser;
const hostile = {};

function cliJson(file) {
  return JSON.parse(execFileSync(CLI, ['json', file], { maxBuffer: 256 * 1024 * 1024 }).toString());
}

/// What the viewer must show for a log, from the parser's JSON.
function expected(json) {
  const tests = json.body.filter((e) => e.type === 'test');
  return {
    commits: tests.map((t) => t.commit),
    verdicts: tests.map((t) => t.verdict),
    runs: tests.map((t) => (t.runs.form === 'each' ? t.runs.runs.length : t.runs.form === 'all' ? 1 : 0)),
    culprit: json.trailer.outcome.outcome === 'culprit' ? json.trailer.outcome.commit : null,
    frames: (json.trailer.outcome.crash?.report.sections ?? []).reduce((n, s) => n + s.frames.length, 0),
  };
}

async function shown(page) {
  return page.evaluate(() => {
    const steps = [...document.querySelectorAll('[data-testid=step]')];
    return {
      commits: steps.map((s) => s.dataset.commit),
      verdicts: steps.map((s) => s.dataset.verdict),
      runs: steps.map((s) => s.querySelectorAll('[data-testid=run]').length),
      culprit: document.querySelector('[data-testid=culprit]')?.textContent ?? null,
    };
  });
}

async function open(page, query) {
  await page.goto(`${server.url}/${query}`);
  await page.waitForSelector('[data-testid=viewer], [data-testid=load-error]', { timeout: 30000 });
}

function corpusSample() {
  if (!fs.existsSync(SYZBOT)) return [];
  const all = fs.readdirSync(SYZBOT).filter((f) => f.endsWith('.txt')).sort();
  // Every n-th log (deterministic spread over 2019-2023) plus the largest.
  const step = Math.max(1, Math.floor(all.length / 24));
  const pick = all.filter((_, i) => i % step === 0).slice(0, 24);
  if (!pick.includes(LARGEST) && all.includes(LARGEST)) pick.push(LARGEST);
  return pick;
}

before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, 'index.html')), `no release build in ${DIST}: run trunk build --release`);
  // The parser's answer comes from the CLI built from this tree (fast when fresh).
  execFileSync('cargo', ['build', '--release', '--bin', 'bisect-log'], { cwd: ROOT, stdio: 'inherit' });
  const crlf = fs.readFileSync(path.join(ROOT, 'static', 'samples', SEEDS[1]), 'utf8').replace(/\n/g, '\r\n');
  const evil = [
    'bisecting cause commit starting from 1111111111111111111111111111111111111111',
    'building syzkaller on 2222222222222222222222222222222222222222',
    'testing commit 1111111111111111111111111111111111111111 with gcc (GCC) 10.2.1',
    'kernel signature: 3333333333333333333333333333333333333333333333333333333333333333',
    'run #0: crashed: <script>window.__pwned = 1</script>',
    'run #1: crashed: <img src=x onerror="window.__pwned = 2">',
    'all runs: OK',
    '<script>window.__pwned = 3</script>',
    '<a href="javascript:window.__pwned=4">click</a>',
    'revisions tested: 1, total time: 1m0s (build: 30s, test: 30s)',
    'first bad commit: 1111111111111111111111111111111111111111 <b onmouseover="window.__pwned=5">x</b>',
    'crash: <script>window.__pwned = 6</script>',
    'BUG: KASAN: use-after-free in foo',
    'Call Trace:',
    ' evil+0x1/0x2 javascript:window.__pwned=7:12',
    ' evil2+0x1/0x2 ../../etc/passwd:1',
    ' good+0x1/0x2 mm/slub.c:4124',
    '',
  ].join('\n');
  const garbage = Buffer.alloc(200000);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 256;
  hostile.evil = evil;
  const largest = path.join(SYZBOT, LARGEST);
  server = await serve({
    // A log stored on a bisect-lens server, opened as /s/<id>.
    '/api/logs/largest': (req, res) => {
      if (!fs.existsSync(largest)) { res.writeHead(404, { 'content-type': 'application/json' }); return res.end('{}'); }
      const body = fs.readFileSync(largest);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length });
      res.end(body);
    },
    '/hostile/evil.txt': { body: evil },
    '/hostile/crlf.txt': { body: crlf },
    '/hostile/garbage.bin': { body: Buffer.concat([Buffer.from(evil), garbage]), type: 'application/octet-stream' },
    '/hostile/huge.txt': (req, res) => {
      // 100 MB, announced by content-length and streamed.
      const total = 100 * 1024 * 1024;
      const chunk = Buffer.alloc(1024 * 1024, 'run #0: OK\n');
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': total });
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => {});
      pump();
    },
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('start page offers the samples, a file picker and a paste box', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/`);
  await page.waitForSelector('[data-testid=sample]');
  assert.equal(await page.locator('[data-testid=sample]').count(), 2);
  assert.equal(await page.locator('[data-testid=file-input]').count(), 2);
  await page.screenshot({ path: screenshotPath('start') });
  assert.deepEqual(page.problems, []);
});

for (const seed of SEEDS) {
  test(`seed ${seed}: steps, verdicts, runs and culprit equal the parser's`, async () => {
    const page = await newPage(browser);
    await open(page, `?log=samples/${seed}`);
    const want = expected(cliJson(path.join(ROOT, 'static', 'samples', seed)));
    const got = await shown(page);
    assert.deepEqual(got.commits, want.commits);
    assert.deepEqual(got.verdicts, want.verdicts);
    assert.deepEqual(got.runs, want.runs);
    assert.ok(want.culprit && got.culprit.includes(want.culprit), `culprit ${want.culprit} in ${got.culprit}`);
    // Both seeds are known-wrong bisections: the trust badge says so, with diagnostics.
    assert.equal(await page.getAttribute('[data-testid=trust]', 'data-trust'), 'suspect');
    assert.ok((await page.locator('[data-testid=diagnostic][data-code]').count()) > 0);
    await page.screenshot({ path: screenshotPath(`seed-${seed.slice(0, 3)}-summary`) });
    assert.deepEqual(page.problems, []);
  });
}

test('seed 000: the blamed commit is flagged as a no-op and the diagnostic opens its evidence', async () => {
  const page = await newPage(browser);
  await open(page, `?log=samples/${SEEDS[0]}`);
  const codes = await page.$$eval('[data-testid=diagnostic]', (els) => els.map((e) => e.dataset.code));
  assert.ok(codes.includes('noop-culprit'), codes.join(','));
  await page.click('[data-testid=diagnostic][data-code=noop-culprit]');
  await page.waitForSelector('.diag-details');
  assert.match(await page.textContent('.diag-details'), /Evidence/);
  assert.ok((await page.locator('[data-testid=same-signature-mark]').count()) >= 2, 'identical signatures are marked');
  await page.screenshot({ path: screenshotPath('seed-000-diagnostic'), fullPage: true });
  assert.deepEqual(page.problems, []);
});

test('crash report: every parsed frame, links to the source at the tested commit', async () => {
  const page = await newPage(browser);
  await open(page, `?log=samples/${SEEDS[0]}`);
  const json = cliJson(path.join(ROOT, 'static', 'samples', SEEDS[0]));
  const want = expected(json);
  await page.click('[data-testid=tab-report]');
  await page.waitForSelector('[data-testid=report]');
  assert.equal(await page.locator('[data-testid=frame]').count(), want.frames);
  const hrefs = await page.$$eval('[data-testid=frame-link]', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(hrefs.length > 0);
  for (const h of hrefs) {
    assert.match(h, /^https:\/\/git\.kernel\.org\/pub\/scm\/linux\/kernel\/git\/torvalds\/linux\.git\/tree\/[A-Za-z0-9_.+\/-]+\?id=[0-9a-f]{40}#n\d+$/);
    assert.ok(h.includes(`?id=${want.culprit}#`), h);
  }
  assert.ok(hrefs.includes(`https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/mm/slub.c?id=${want.culprit}#n4124`));
  assert.equal(page.url().includes('tab=report'), true, 'the tab is in the fragment');
  await page.screenshot({ path: screenshotPath('crash-report'), fullPage: true });
  // Another source host, from the settings; kept across reloads.
  await page.click('button[aria-label=Settings]');
  await page.click('[data-testid=settings] button:has-text("GitHub mirror")');
  await page.click('[data-testid=settings] button[type=submit]');
  await page.reload();
  await page.waitForSelector('[data-testid=report]');
  assert.ok(
    (await page.$$eval('[data-testid=frame-link]', (as) => as.map((a) => a.href)))
      .includes(`https://github.com/torvalds/linux/blob/${want.culprit}/mm/slub.c#L4124`),
  );
  assert.deepEqual(page.problems, []);
});

test('at least 20 corpus logs open with the parser\'s steps, verdicts, runs and culprit', async (t) => {
  const logs = corpusSample();
  if (logs.length === 0) {
    t.skip(`corpus not found at ${SYZBOT}`);
    console.log(`# SKIPPED: corpus not found at ${SYZBOT}`);
    return;
  }
  assert.ok(logs.length >= 20);
  const page = await newPage(browser);
  for (const name of logs) {
    const file = path.join(SYZBOT, name);
    const want = expected(cliJson(file));
    await open(page, `?log=${encodeURIComponent(server.corpus(name))}`);
    const got = await shown(page);
    assert.deepEqual(got.commits, want.commits, name);
    assert.deepEqual(got.verdicts, want.verdicts, name);
    assert.deepEqual(got.runs, want.runs, name);
    if (want.culprit) assert.ok(got.culprit.includes(want.culprit), name);
    else assert.equal(got.culprit, null, name);
    if (want.frames > 0) {
      await page.click('[data-testid=tab-report]');
      assert.equal(await page.locator('[data-testid=frame]').count(), want.frames, name);
    }
  }
  assert.deepEqual(page.problems, []);
});

test('keyboard: j/k steps, n/p problems, / search, ? help', async () => {
  const page = await newPage(browser);
  await open(page, `?log=samples/${SEEDS[0]}`);
  const selected = () => page.evaluate(() => [...document.querySelectorAll('[data-testid=step]')].findIndex((s) => s.classList.contains('selected')));
  // A key press returns once the event is dispatched; Yew renders after it
  // (on a later task when its scheduler yields): wait for the selection.
  const settle = (want) => page.waitForFunction((i) => [...document.querySelectorAll('[data-testid=step]')].findIndex((s) => s.classList.contains('selected')) === i, want, { timeout: 5000 }).catch(() => {});
  await page.keyboard.press('j');
  await settle(0);
  assert.equal(await selected(), 0);
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await settle(2);
  assert.equal(await selected(), 2);
  await page.keyboard.press('k');
  await settle(1);
  assert.equal(await selected(), 1);
  await page.waitForFunction(() => location.hash.includes('step=2'));
  await page.waitForSelector('[data-testid=step-details]');
  const problems = await page.$$eval('[data-testid=step]', (els) => els.map((e, i) => (e.classList.contains('problem') ? i : -1)).filter((i) => i >= 0));
  await page.keyboard.press('n');
  await settle(problems.find((i) => i > 1));
  assert.equal(await selected(), problems.find((i) => i > 1));
  await page.keyboard.press('p');
  await settle(problems.filter((i) => i < problems.find((j) => j > 1)).pop());
  assert.equal(await selected(), problems.filter((i) => i < problems.find((j) => j > 1)).pop());
  await page.keyboard.press('?');
  await page.waitForSelector('[data-testid=help]');
  await page.screenshot({ path: screenshotPath('help') });
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('[data-testid=help]').count(), 0);
  await page.keyboard.press('/');
  await page.waitForSelector('[data-testid=raw-log]');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'search');
  await page.keyboard.type('kvm_wait');
  await page.waitForFunction(() => /of \d+/.test(document.querySelector('[data-testid=search-count]')?.textContent ?? ''));
  assert.ok((await page.locator('.raw-row.match mark').count()) > 0);
  await page.screenshot({ path: screenshotPath('raw-search') });
  assert.deepEqual(page.problems, []);
});

test('#L anchors select and reveal raw lines; clicking a line number writes one', async () => {
  const page = await newPage(browser);
  await open(page, `?log=samples/${SEEDS[0]}#L300-L305`);
  await page.waitForSelector('.raw-row.sel');
  const sel = await page.$$eval('.raw-row.sel', (rows) => rows.map((r) => Number(r.dataset.line)));
  assert.deepEqual(sel, [300, 301, 302, 303, 304, 305]);
  const visible = await page.evaluate(() => {
    const vp = document.querySelector('[data-testid=raw-log]').getBoundingClientRect();
    const r = document.querySelector('.raw-row[data-line="300"]').getBoundingClientRect();
    return r.top >= vp.top && r.bottom <= vp.bottom;
  });
  assert.ok(visible, 'line 300 is on screen');
  await page.click('.raw-row[data-line="302"] .ln');
  await page.waitForFunction(() => location.hash.endsWith('L302'));
  await page.click('.raw-row[data-line="306"] .ln', { modifiers: ['Shift'] });
  await page.waitForFunction(() => location.hash.endsWith('L302-L306'));
  // The scroll position goes into the fragment too.
  await page.evaluate(() => { document.querySelector('[data-testid=raw-log]').scrollTop = 18 * 199; });
  await page.waitForFunction(() => location.hash.includes('top=200'));
  // A copied link reopens the same view.
  const link = page.url();
  const again = await newPage(browser);
  await again.goto(link);
  await again.waitForSelector('.raw-row[data-line="200"]');
  const top = await again.evaluate(() => {
    const vp = document.querySelector('[data-testid=raw-log]').getBoundingClientRect();
    return [...document.querySelectorAll('.raw-row')].find((r) => r.getBoundingClientRect().top >= vp.top - 1)?.dataset.line;
  });
  assert.equal(top, '200');
  await again.evaluate(() => { document.querySelector('[data-testid=raw-log]').scrollTop = 18 * 295; });
  await again.waitForSelector('.raw-row.sel');
  assert.deepEqual(await again.$$eval('.raw-row.sel', (rows) => rows.map((r) => Number(r.dataset.line))), [302, 303, 304, 305, 306]);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(again.problems, []);
});

test('drag and drop and paste open a log', async () => {
  const text = fs.readFileSync(path.join(ROOT, 'static', 'samples', SEEDS[1]), 'utf8');
  const want = expected(cliJson(path.join(ROOT, 'static', 'samples', SEEDS[1])));
  const page = await newPage(browser);
  await page.goto(`${server.url}/`);
  await page.waitForSelector('[data-testid=sample]');
  await page.evaluate((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'dropped.txt', { type: 'text/plain' }));
    window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, text);
  await page.waitForSelector('[data-testid=viewer]');
  assert.deepEqual((await shown(page)).commits, want.commits);
  assert.match(await page.textContent('.doc-name'), /dropped\.txt/);

  await page.goto(`${server.url}/`);
  await page.waitForSelector('[data-testid=sample]');
  await page.evaluate((t) => {
    const dt = new DataTransfer();
    dt.setData('text/plain', t);
    document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, text);
  await page.waitForSelector('[data-testid=viewer]');
  assert.deepEqual((await shown(page)).verdicts, want.verdicts);

  await page.goto(`${server.url}/`);
  await page.fill('[data-testid=paste-box]', text);
  await page.click('.paste-form button[type=submit]');
  await page.waitForSelector('[data-testid=viewer]');
  assert.deepEqual((await shown(page)).runs, want.runs);
  assert.deepEqual(page.problems, []);
});

test('a log over 1 MB is parsed in the worker behind a progress bar', async (t) => {
  const file = path.join(SYZBOT, LARGEST);
  if (!fs.existsSync(file)) {
    t.skip(`corpus not found at ${SYZBOT}`);
    console.log(`# SKIPPED: ${file} not found`);
    return;
  }
  const page = await newPage(browser);
  await page.addInitScript(() => {
    window.__stages = [];
    new MutationObserver(() => {
      const p = document.querySelector('[data-testid=progress]');
      if (p && window.__stages.at(-1) !== p.dataset.stage) window.__stages.push(p.dataset.stage);
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
  await open(page, `?log=${encodeURIComponent(server.corpus(LARGEST))}`);
  const want = expected(cliJson(file));
  assert.equal(await page.getAttribute('[data-testid=viewer]', 'data-parsed-in'), 'worker');
  const stages = await page.evaluate(() => window.__stages);
  assert.ok(stages.includes('parsing'), `progress stages seen: ${stages}`);
  assert.deepEqual((await shown(page)).commits, want.commits);
  assert.ok((await shown(page)).culprit.includes(want.culprit));
  const tti = await page.evaluate(() => performance.getEntriesByName('bl:tti')[0]?.duration);
  assert.ok(tti > 0, 'time to interactive is measured');
  console.log(`# largest log: interactive ${tti.toFixed(1)} ms after its text arrived`);
  await page.screenshot({ path: screenshotPath('largest-log') });
  // Its culprit changes 11,835 files: the list is built when the reader opens it.
  assert.equal(await page.locator('[data-testid=diffstat] li').count(), 0);
  await page.click('[data-testid=diffstat] summary');
  await page.waitForSelector('[data-testid=diffstat] li');
  assert.equal(await page.locator('[data-testid=diffstat] li').count(), 40);
  assert.match(await page.textContent('[data-testid=diffstat]'), /and 11795 more files/);
  await page.click('[data-testid=tab-raw]');
  await page.waitForSelector('[data-testid=raw-log]');
  // Virtualised: a 20,968-line log keeps only a screenful of rows in the DOM.
  assert.ok((await page.locator('.raw-row').count()) < 200);
  assert.deepEqual(page.problems, []);
});

test('hostile logs render as text: no script runs, no unsafe link', async () => {
  const page = await newPage(browser);
  for (const q of ['?log=hostile/evil.txt', '?log=hostile/crlf.txt', '?log=hostile/garbage.bin']) {
    await open(page, q);
    for (const tab of ['details', 'report', 'raw']) {
      await page.click(`[data-testid=tab-${tab}]`);
      await page.waitForTimeout(50);
      assert.equal(await page.evaluate(() => window.__pwned), undefined, `${q} ${tab}`);
      assert.equal(await page.locator('#main script, #main img, #main b').count(), 0, `${q} ${tab}`);
      const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
      // Web links, anchors, the app's own pages (`./`, `/library`; never `//host`).
      for (const h of hrefs) assert.match(h, /^(https?:\/\/|#|\.\/|\?log=|\/(?!\/))/, `${q} ${tab}: ${h}`);
    }
  }
  await open(page, '?log=hostile/evil.txt');
  await page.click('[data-testid=tab-report]');
  // Only the plain kernel path became a link.
  assert.deepEqual(
    await page.$$eval('[data-testid=frame-link]', (as) => as.map((a) => a.textContent)),
    ['mm/slub.c:4124'],
  );
  await page.click('[data-testid=tab-raw]');
  assert.match(await page.textContent('[data-testid=raw-log]'), /<script>window.__pwned = 1<\/script>/);
  await page.screenshot({ path: screenshotPath('hostile') });
  assert.deepEqual(page.problems, []);
});

test('a 100 MB log fails with a clear message and the page stays responsive', async () => {
  const page = await newPage(browser);
  await open(page, '?log=hostile/huge.txt');
  assert.match(await page.textContent('[data-testid=load-error]'), /too large/);
  const t0 = Date.now();
  await page.evaluate(() => 1);
  assert.ok(Date.now() - t0 < 1000);
  // The same from a dropped file.
  await page.goto(`${server.url}/`);
  await page.waitForSelector('[data-testid=sample]');
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(100 * 1024 * 1024)], 'huge.txt'));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.waitForSelector('[data-testid=load-error]');
  assert.match(await page.textContent('[data-testid=load-error]'), /too large/);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(page.problems, []);
});

test('on /s/<id> the worker script and the warm-up sample come from the site root, not /s/', async (t) => {
  if (!fs.existsSync(path.join(SYZBOT, LARGEST))) {
    t.skip(`corpus not found at ${SYZBOT}`);
    return;
  }
  const page = await newPage(browser);
  const workers = [];
  const wasm = [];
  let early = 0;
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.endsWith('.wasm')) wasm.push(u.pathname);
    if (!u.pathname.endsWith('worker.js')) return;
    workers.push(u.pathname);
    // index.html starts the worker, loading the wasm itself, before the app.
    if (u.searchParams.get('wasm')?.endsWith('.wasm')) early += 1;
  });
  await open(page, 's/largest');
  assert.equal(await page.getAttribute('[data-testid=viewer]', 'data-parsed-in'), 'worker');
  assert.ok(workers.length > 0 && workers.every((p) => p === '/worker.js'), `worker requests: ${workers}`);
  assert.equal(early, 1);
  // The header's library link goes to the library, not to the stored log "library".
  assert.equal(await page.getAttribute('[data-testid=library-link]', 'href'), '/library');
  // A log link downloads the viewer's build only, never the full one.
  assert.ok(wasm.length > 0 && wasm.every((p) => /^\/bisect-lens-[0-9a-f]+_bg\.wasm$/.test(p)), `wasm requests: ${wasm}`);
  assert.deepEqual(page.problems, []);
});

test('an app that cannot start says so on the page', async () => {
  const page = await newPage(browser);
  await page.route(/\.wasm$/, (r) => r.fulfill({ status: 404, body: 'gone' }));
  await page.goto(`${server.url}/?log=samples/${SEEDS[0]}`);
  await page.waitForSelector('[role=alert]', { timeout: 15000 });
  assert.match(await page.textContent('[role=alert]'), /^bisect-lens could not start: .*404.*Reload the page to try again\.$/);
  await page.context().close();
});

test('failed loads explain themselves: 404, no server for ?id=', async () => {
  const page = await newPage(browser);
  await open(page, '?log=missing.txt');
  assert.match(await page.textContent('[data-testid=load-error]'), /HTTP 404/);
  assert.equal(await page.locator('[data-testid=load-error] [data-testid=file-input]').count(), 1);
  await page.screenshot({ path: screenshotPath('load-error') });
  await open(page, '?id=abc123');
  assert.match(await page.textContent('[data-testid=load-error]'), /No bisect-lens server/);
  // Only the expected failed requests were logged.
  assert.ok(page.problems.every((p) => p.includes('Failed to load resource')), page.problems.join('\n'));
});

test('dark mode follows the system and the toggle', async () => {
  const page = await newPage(browser, { colorScheme: 'dark' });
  await open(page, `?log=samples/${SEEDS[1]}`);
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(await bg(), 'rgb(18, 21, 27)');
  await page.screenshot({ path: screenshotPath('dark') });
  // system -> dark -> light
  await page.click('button[aria-label^="Theme"]');
  await page.click('button[aria-label^="Theme"]');
  assert.equal(await bg(), 'rgb(246, 247, 249)');
  assert.deepEqual(page.problems, []);
});
