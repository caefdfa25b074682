// End-to-end test of the compare view: two syzbot bisections of one bug
// ("WARNING in inc_nlink" and "WARNING in inc_nlink (2)", two attempts with
// 21 commits in common, 12 of them with different verdicts), checked against
// the parser's own answer (`bisect-log json` / `summary`).
//
//   node --test tests/e2e/compare.test.mjs      (after `trunk build --release`)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT, DIST, CORPUS, serve, launch, newPage, screenshotPath } from './harness.mjs';

const SYZBOT = path.join(CORPUS, 'syzbot');
const A = 'Log_147487a3e00000.txt';
const B = 'Log_12b82fbed00000.txt';
const CLI = path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'), 'release', 'bisect-log');

let server;
let browser;

before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, 'index.html')), `no release build in ${DIST}: run trunk build --release`);
  execFileSync('cargo', ['build', '--release', '--bin', 'bisect-log'], { cwd: ROOT, stdio: 'inherit' });
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/// Each tested commit's last verdict, in test order, and the summary line.
function parsed(file) {
  const json = JSON.parse(execFileSync(CLI, ['json', file], { maxBuffer: 64 * 1024 * 1024 }).toString());
  const verdicts = new Map();
  for (const e of json.body) if (e.type === 'test') verdicts.set(e.commit, e.verdict);
  const summary = JSON.parse(execFileSync(CLI, ['summary', file]).toString().split('\n')[0]);
  return { verdicts, summary };
}

test('compare: two attempts at one bug, commits aligned by hash, differing verdicts highlighted', async (t) => {
  if (![A, B].every((f) => fs.existsSync(path.join(SYZBOT, f)))) {
    t.skip(`corpus not found at ${SYZBOT}`);
    return;
  }
  const a = parsed(path.join(SYZBOT, A));
  const b = parsed(path.join(SYZBOT, B));
  const common = [...a.verdicts.keys()].filter((c) => b.verdicts.has(c));
  const differ = common.filter((c) => a.verdicts.get(c) !== b.verdicts.get(c)).sort();
  assert.ok(common.length >= 10 && differ.length >= 1, 'the pair is worth comparing');

  const page = await newPage(browser);
  const wasm = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.endsWith('.wasm')) wasm.push(u.pathname);
  });
  await page.goto(`${server.url}/?log=${encodeURIComponent(server.corpus(A))}&compare=${encodeURIComponent(server.corpus(B))}`);
  await page.waitForSelector('[data-testid=compare-row]', { timeout: 30000 });
  // The viewer's build leaves comparing out: index.html loads the full one alone.
  assert.deepEqual([...new Set(wasm)].map((p) => p.replace(/[0-9a-f]{16}/, 'H')), ['/bisect-lens-full-H_bg.wasm']);
  const rows = await page.$$eval('[data-testid=compare-row]', (els) => els.map((e) => ({
    commit: e.dataset.commit, a: e.dataset.a, b: e.dataset.b, differs: e.dataset.differs === 'true',
    highlighted: e.classList.contains('differs'),
    background: getComputedStyle(e.querySelector('td')).backgroundColor,
  })));

  // Every commit of either log once, each with both logs' verdicts.
  const all = new Set([...a.verdicts.keys(), ...b.verdicts.keys()]);
  assert.equal(rows.length, all.size);
  assert.deepEqual(new Set(rows.map((r) => r.commit)), all);
  for (const r of rows) {
    assert.equal(r.a, a.verdicts.get(r.commit) ?? '', `A's verdict on ${r.commit}`);
    assert.equal(r.b, b.verdicts.get(r.commit) ?? '', `B's verdict on ${r.commit}`);
  }
  // A's order is kept.
  assert.deepEqual(rows.filter((r) => r.a).map((r) => r.commit), [...a.verdicts.keys()]);
  // Differing verdicts are flagged and look different.
  assert.deepEqual(rows.filter((r) => r.differs).map((r) => r.commit).sort(), differ);
  assert.ok(rows.every((r) => r.highlighted === r.differs));
  const plain = rows.find((r) => !r.differs).background;
  assert.ok(rows.filter((r) => r.differs).every((r) => r.background !== plain), 'highlighted rows have their own colour');
  const stats = await page.$eval('[data-testid=compare-stats]', (e) => ({ both: +e.dataset.both, differ: +e.dataset.differ }));
  assert.deepEqual(stats, { both: common.length, differ: differ.length });

  // Culprits and trust verdicts side by side, as the parser says.
  const sides = await page.$$eval('[data-testid=compare-side]', (els) => els.map((s) => ({
    side: s.dataset.side,
    culprit: s.querySelector('[data-testid=compare-culprit]')?.dataset.commit ?? null,
    trust: s.querySelector('[data-testid=compare-trust]')?.dataset.trust ?? null,
    title: s.querySelector('[data-testid=compare-title]')?.textContent ?? null,
  })));
  assert.deepEqual(sides.map((s) => s.side), ['a', 'b']);
  assert.equal(sides[0].culprit, a.summary.culprit ?? '');
  assert.equal(sides[1].culprit, b.summary.culprit ?? '');
  assert.equal(sides[0].trust, a.summary.trust);
  assert.equal(sides[1].trust, b.summary.trust);
  assert.equal(sides[0].title, a.summary.title);
  assert.equal(sides[1].title, b.summary.title);

  // Only the commits both tested.
  await page.check('[data-testid=compare-only-both]');
  assert.equal(await page.locator('[data-testid=compare-row]').count(), common.length);
  await page.uncheck('[data-testid=compare-only-both]');
  // The address still names both logs (a reload shows the same).
  assert.ok(page.url().includes('compare='), page.url());
  await page.screenshot({ path: screenshotPath('compare'), fullPage: true });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('compare: a log that cannot be fetched is named, the other still shows', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/?log=samples/000_9f5fff6f4365948f.txt&compare=${encodeURIComponent(`${server.url}/nope.txt`)}`);
  await page.waitForSelector('[data-testid=compare-error]');
  assert.match(await page.textContent('[data-testid=compare-error]'), /could not be downloaded/);
  assert.equal(await page.textContent('[data-testid=compare-side][data-side=a] [data-testid=compare-title]'), 'INFO: task hung in io_ring_exit_work');
  // The 404 is logged by the browser; nothing else.
  assert.deepEqual(page.problems.filter((p) => !/404/.test(p)), []);
  await page.context().close();
});
