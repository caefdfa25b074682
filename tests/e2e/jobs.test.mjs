// End-to-end tests of jobs and the link proxy against a real bisect-server
// (debug build, SQLite in a temp directory) serving the release build of the
// viewer: the "New bisection" form on a generated 40-commit repository with a
// flaky test script, the job page streaming its steps to the right culprit,
// a wrong token, cancelling, a restart of the server under an open job page,
// and a log from a site without CORS headers
// opened through the server's link proxy.
//
//   cargo build -p bisect-server --bin bisect-server
//   node --test tests/e2e/jobs.test.mjs      (after `trunk build --release`)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { execFileSync, spawn } from 'node:child_process';
import { ROOT, DIST, launch, newPage, screenshotPath } from './harness.mjs';

const TOKEN = 'e2e-token-7c21d9';
const TARGET = process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target');
const SERVER_BIN = path.join(TARGET, 'debug', 'bisect-server');
const SEED = path.resolve(ROOT, '..', 'shared', 'corpus', 'seeds', '004_dd38629cfa7ebbde.txt');
const SAMPLE = fs.existsSync(SEED) ? SEED : path.join(ROOT, 'static', 'samples', '004_dd38629cfa7ebbde.txt');

let tmp;
let server;
let upstream;
let browser;
let hashes;
let script;

function git(dir, args) {
  return execFileSync('git', ['-C', dir, ...args], {
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com',
      GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
    },
  }).toString().trim();
}

/// `n` commits; from commit `culprit` (1-based) on, the file `bug` exists
/// (as crates/server/tests/common makes them).
function makeRepo(dir, n, culprit) {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  const out = [];
  for (let i = 1; i <= n; i++) {
    fs.writeFileSync(path.join(dir, 'counter'), `${i}\n`);
    if (i === culprit) fs.writeFileSync(path.join(dir, 'bug'), 'the bug\n');
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', `commit ${i}`]);
    out.push(git(dir, ['rev-parse', 'HEAD']));
  }
  return out;
}

/// A flaky test: with the bug it crashes in 60% of runs, any commit crashes
/// with an unrelated title in 5%; `SLEEP` seconds per run.
function flakyScript(dir) {
  const file = path.join(dir, 'flaky-test.sh');
  fs.writeFileSync(file, `#!/bin/bash
sleep "\${SLEEP:-0.05}"
[ -f "$(dirname "$0")/slow" ] && sleep 0.5
echo "signature: $(sha1sum counter | cut -c1-40)"
echo "booting the kernel"
if [ $((RANDOM % 100)) -lt 5 ]; then
    echo "WARNING in some_unrelated_function"
    exit 1
fi
if [ -f bug ] && [ $((RANDOM % 100)) -lt 60 ]; then
    echo "KASAN: use-after-free Read in flaky_bug"
    exit 1
fi
echo "all good"
exit 0
`);
  return file;
}

/// The bisect-server binary (on a free port unless `listen` names one);
/// resolves once it listens.
function startServer(fetchAllow, { listen = '127.0.0.1:0', db = 'e2e.db' } = {}) {
  const child = spawn(SERVER_BIN, [
    '--listen', listen,
    '--database', `sqlite://${path.join(tmp, 'data', db)}`,
    '--dist', DIST,
    '--repos-root', path.join(tmp, 'repos'),
    '--workers', '1',
    '--fetch-allow', fetchAllow,
    '--fetch-timeout-s', '10',
  ], { env: { ...process.env, BISECT_LENS_TOKEN: TOKEN, RUST_LOG: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      const addr = line.trim().replace(/^bisect-server listening on /, '');
      resolve({ url: addr.startsWith('http') ? addr : `http://${addr}`, listen: addr.replace(/^https?:\/\//, ''), stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGINT'); }) });
    });
    child.once('exit', (code) => reject(new Error(`bisect-server exited with ${code}`)));
  });
}

before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, 'index.html')), `no release build in ${DIST}: run trunk build --release`);
  execFileSync('cargo', ['build', '-p', 'bisect-server', '--bin', 'bisect-server'], { cwd: ROOT, stdio: 'inherit' });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bisect-lens-jobs-'));
  hashes = makeRepo(path.join(tmp, 'repos', 'small'), 40, 23);
  script = flakyScript(tmp);
  // A site without CORS headers: the browser may not read it, the server may.
  const log = fs.readFileSync(SAMPLE);
  upstream = await new Promise((resolve) => {
    const s = http.createServer((req, res) => {
      if (req.url === '/bisect.txt') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': log.length });
        return res.end(log);
      }
      res.writeHead(404); res.end();
    });
    s.listen(0, '127.0.0.1', () => resolve({ s, port: s.address().port }));
  });
  server = await startServer(`127.0.0.1:${upstream.port}`);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((r) => (upstream ? upstream.s.close(r) : r()));
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function fillForm(page, fields) {
  const all = { repo: 'small', good: hashes[0], bad: hashes[39], command: `/bin/bash\n${script}`, runs: '10', timeout: '30', token: TOKEN, ...fields };
  for (const [k, v] of Object.entries(all)) await page.fill(`[data-testid=field-${k}]`, v);
}

/// Browser-side network errors of the expected kind (a refused cross-origin
/// read, an error status) are not problems of the page.
function realProblems(page) {
  return page.problems.filter((p) => !/CORS|Failed to load resource|ERR_FAILED/.test(p));
}

test('a job from the form streams its steps on the job page and ends with the right culprit', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => /fetched through this bisect-lens server/.test(document.querySelector('[data-testid=cors-note]')?.textContent ?? ''));
  await page.click('[data-testid=new-job-link]');
  await page.waitForSelector('[data-testid=new-job]');
  assert.equal(new URL(page.url()).pathname, '/new');
  await fillForm(page, {});
  await page.click('[data-testid=submit-job]');
  await page.waitForURL(/\/jobs\/[0-9a-z]{16}$/);
  const id = new URL(page.url()).pathname.split('/').pop();
  // The token stays in this tab's sessionStorage, never in the address or localStorage.
  assert.equal(await page.evaluate(() => sessionStorage.getItem('bisect-lens.job-token')), TOKEN);
  assert.equal(await page.evaluate(() => JSON.stringify(localStorage).includes('e2e-token')), false);
  assert.ok(!page.url().includes(TOKEN));

  // Watch the page while the job runs: the steps arrive one by one.
  const seen = new Set();
  const start = Date.now();
  for (;;) {
    const s = await page.evaluate(() => ({
      state: document.querySelector('[data-testid=job-state]')?.dataset.state,
      done: document.querySelector('[data-testid=job-progress]')?.dataset.done,
      steps: document.querySelectorAll('[data-testid=step]').length,
    }));
    if (s.state === 'running') seen.add(s.steps);
    if (['done', 'failed', 'cancelled'].includes(s.state)) break;
    assert.ok(Date.now() - start < 240000, `job not finished: ${JSON.stringify(s)}`);
    await page.waitForTimeout(100);
  }
  assert.equal(await page.getAttribute('[data-testid=job-state]', 'data-state'), 'done');
  assert.ok([...seen].filter((n) => n > 0).length >= 2, `steps appeared while running: ${[...seen]}`);
  const job = await (await fetch(`${server.url}/api/jobs/${id}`)).json();
  assert.equal(job.culprit, hashes[22]);
  await page.waitForSelector(`[data-testid=job-culprit][data-commit="${hashes[22]}"]`);
  // The same views as any log: the timeline has every tested commit, the
  // summary's culprit card the culprit.
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=step]').length === n, job.tested_commits);
  assert.match(await page.textContent('[data-testid=culprit]'), new RegExp(hashes[22]));
  // git's last answer: a first answer the engine's verification refuted is not the culprit.
  assert.equal(await page.textContent('[data-testid=culprit] .culprit-subject'), 'commit 23');
  assert.equal(await page.getAttribute('[data-testid=job-stream]', 'data-stream'), 'ended');
  const done = Number(await page.getAttribute('[data-testid=job-progress]', 'data-done'));
  assert.equal(done, job.tested_commits);
  await page.screenshot({ path: screenshotPath('job-done') });

  // Opened again once finished: the whole log arrives, and the stream is closed.
  await page.reload();
  await page.waitForSelector(`[data-testid=job-culprit][data-commit="${hashes[22]}"]`);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=step]').length === n, job.tested_commits);
  assert.equal(await page.getAttribute('[data-testid=job-stream]', 'data-stream'), 'ended');

  // The brand link leaves the job page.
  await page.click('.brand');
  await page.waitForSelector('[data-testid=sample]');
  await page.waitForFunction(() => location.pathname === '/', null, { timeout: 5000 });
  assert.equal(await page.$('[data-testid=job-page]'), null);
  // A reload stays on the start page.
  await page.reload();
  await page.waitForSelector('[data-testid=sample]');
  assert.deepEqual(realProblems(page), []);
  await page.context().close();
});

test('the form shows the server\'s refusals: a wrong token, a repository outside the root', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/new`);
  await page.waitForSelector('[data-testid=new-job]');
  await fillForm(page, { token: 'not-the-token' });
  await page.click('[data-testid=submit-job]');
  await page.waitForSelector('[data-testid=job-error]');
  assert.match(await page.textContent('[data-testid=job-error]'), /token was refused.*missing or wrong bearer token/);
  assert.equal(new URL(page.url()).pathname, '/new');

  await fillForm(page, { repo: 'nope' });
  await page.click('[data-testid=submit-job]');
  await page.waitForSelector('[data-testid=field-error-repo]');
  assert.match(await page.textContent('[data-testid=field-error-repo]'), /no repository nope/);
  assert.equal(await page.getAttribute('[data-testid=field-repo]', 'aria-invalid'), 'true');

  // Checked before sending: runs over the limit.
  await fillForm(page, { runs: '101' });
  await page.click('[data-testid=submit-job]');
  await page.waitForSelector('[data-testid=field-error-runs]');
  assert.deepEqual(realProblems(page), []);
  await page.context().close();
});

test('a running job is cancelled from its page', async () => {
  fs.writeFileSync(path.join(tmp, 'slow'), '');
  try {
    const page = await newPage(browser);
    await page.goto(`${server.url}/new`);
    await page.waitForSelector('[data-testid=new-job]');
    await fillForm(page, { runs: '20' });
    await page.click('[data-testid=submit-job]');
    await page.waitForURL(/\/jobs\/[0-9a-z]{16}$/);
    await page.waitForSelector('[data-testid=job-state][data-state=running]', { timeout: 60000 });
    await page.click('[data-testid=cancel-job]');
    await page.waitForSelector('[data-testid=job-state][data-state=cancelled]', { timeout: 60000 });
    assert.equal(await page.$('[data-testid=cancel-job]'), null);
    assert.deepEqual(realProblems(page), []);
    await page.context().close();
  } finally {
    fs.rmSync(path.join(tmp, 'slow'), { force: true });
  }
});

test('a log from a site without CORS opens through the server\'s link proxy; a refused host shows the proxy\'s error', async () => {
  const page = await newPage(browser);
  const url = `http://127.0.0.1:${upstream.port}/bisect.txt`;
  await page.goto(`${server.url}/?log=${encodeURIComponent(url)}`);
  await page.waitForSelector('[data-testid=viewer]');
  assert.match(await page.textContent('[data-testid=via-server]'), /through the bisect-lens server/);
  assert.ok((await page.$$('[data-testid=step]')).length > 0);

  // The proxy kept it: `?id=` opens the stored copy.
  const list = await (await fetch(`${server.url}/api/logs?limit=10`)).json();
  const stored = list.logs.find((l) => l.source_url === url);
  assert.ok(stored, JSON.stringify(list));
  await page.goto(`${server.url}/?id=${stored.id}`);
  await page.waitForSelector('[data-testid=viewer]');
  assert.equal(await page.$('[data-testid=via-server]'), null);

  // localhost is not on the allowlist (127.0.0.1:PORT is).
  await page.goto(`${server.url}/?log=${encodeURIComponent(`http://localhost:${upstream.port}/bisect.txt`)}`);
  await page.waitForSelector('[data-testid=load-error]');
  assert.match(await page.textContent('[data-testid=load-error]'), /host not allowed: localhost/);
  assert.deepEqual(realProblems(page), []);
  await page.context().close();
});

test('the job page reconnects when its server restarts, and the job ends with the right culprit', async () => {
  fs.writeFileSync(path.join(tmp, 'slow'), '');
  let first = await startServer(`127.0.0.1:${upstream.port}`, { db: 'restart.db' });
  let second;
  try {
    const resp = await fetch(`${first.url}/api/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ repo: 'small', good: hashes[0], bad: hashes[39], command: ['/bin/bash', script], runs: 4, timeout_s: 30 }),
    });
    assert.equal(resp.status, 201);
    const { id } = await resp.json();
    const page = await newPage(browser);
    await page.goto(`${first.url}/jobs/${id}`);
    await page.waitForSelector('[data-testid=job-stream][data-stream=live]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=step]').length >= 1, null, { timeout: 60000 });
    // A graceful stop puts the running job back in the queue.
    await first.stop();
    await page.waitForSelector('[data-testid=job-stream][data-stream=reconnecting]');
    fs.rmSync(path.join(tmp, 'slow'), { force: true });
    second = await startServer(`127.0.0.1:${upstream.port}`, { listen: first.listen, db: 'restart.db' });
    await page.waitForSelector('[data-testid=job-state][data-state=done]', { timeout: 240000 });
    const job = await (await fetch(`${second.url}/api/jobs/${id}`)).json();
    assert.equal(job.culprit, hashes[22]);
    await page.waitForSelector(`[data-testid=job-culprit][data-commit="${hashes[22]}"]`);
    // The log on the page is the server's, once: no line lost or doubled by the reconnection.
    const log = await (await fetch(`${second.url}/api/jobs/${id}/log`)).text();
    await page.click('[data-testid=tab-raw]');
    const steps = await page.$$eval('[data-testid=step]', (els) => els.length);
    assert.equal(steps, job.tested_commits);
    assert.equal((log.match(/^testing commit /gm) || []).length, job.tested_commits);
    await page.context().close();
  } finally {
    fs.rmSync(path.join(tmp, 'slow'), { force: true });
    await second?.stop();
  }
});
