// Shared helpers of the end-to-end tests and the benchmark: a tiny static
// server for dist/, playwright-core resolved from the tools directory, and
// Chromium launched with the flags it needs as root in a container.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..');
export const DIST = process.env.BISECT_LENS_DIST || path.join(ROOT, 'dist');
export const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus');
/// The largest log of the corpus (1.36 MB): the big-log path and its benchmarks.
export const LARGEST = 'Log_12639fd7200000.txt';
export const SCREENSHOTS = path.join(ROOT, 'target', 'screenshots');
const TOOLS = process.env.BISECT_LENS_TOOLS || path.join(os.homedir(), '.cache', 'bisect-lens', 'node');
const CHROMIUM = process.env.BISECT_LENS_CHROMIUM || '/usr/bin/chromium';

export function playwright() {
  const require = createRequire(path.join(TOOLS, 'package.json'));
  return require('playwright-core');
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
};

/// Serves dist/ plus extra routes: `extra` maps a URL path to
/// { body: Buffer|string, type } or to a function (req, res).
/// Serves `dist` (the release build under test by default), the corpus and `extra` routes.
export function serve(extra = {}, dist = DIST) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const corpus = url.pathname.match(/^\/corpus-file\/(Log_[0-9a-f]+\.txt)$/);
    if (corpus) {
      const file = path.join(CORPUS, 'syzbot', corpus[1]);
      if (!fs.existsSync(file)) { res.writeHead(404); return res.end(); }
      const body = fs.readFileSync(file);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length });
      return res.end(body);
    }
    const route = extra[url.pathname];
    if (typeof route === 'function') return route(req, res);
    if (route) {
      res.writeHead(200, { 'content-type': route.type || 'text/plain', 'content-length': Buffer.byteLength(route.body) });
      return res.end(route.body);
    }
    let file = path.normalize(path.join(dist, decodeURIComponent(url.pathname)));
    if (!file.startsWith(dist)) { res.writeHead(403); return res.end(); }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) {
      // App routes fall back to index.html, as a real deployment would.
      if (!path.extname(file)) file = path.join(dist, 'index.html');
      else { res.writeHead(404, { 'content-type': 'text/plain' }); return res.end('not found'); }
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      const url = `http://127.0.0.1:${port}`;
      resolve({
        url,
        /// URL of a corpus log (syzbot/<name>) on this server.
        corpus: (name) => `${url}/corpus-file/${name}`,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
      });
    });
  });
}

export async function launch() {
  const { chromium } = playwright();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
  });
}

/// A page that records console errors and page errors in `page.problems`.
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...opts });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  return page;
}

export function screenshotPath(name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return path.join(SCREENSHOTS, `${name}.png`);
}

/// The `p` quantile of `xs` (0.5: the median), for benchmark figures.
export function quantile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
}

/// Opens `url` as a log link on the viewer at `base` and returns its timings
/// (performance marks and the worker's own figures; ms).
export async function openLog(page, base, url) {
  await page.goto(`${base}/?log=${encodeURIComponent(url)}`);
  await page.waitForSelector('[data-testid=viewer]', { timeout: 120000 });
  await page.waitForFunction(() => performance.getEntriesByName('bl:tti').length > 0);
  return page.evaluate((url) => {
    const v = document.querySelector('[data-testid=viewer]').dataset;
    const m = (n) => performance.getEntriesByName(n)[0]?.duration ?? NaN;
    return {
      parsedIn: v.parsedIn, bytes: Number(v.bytes), parse: Number(v.parseMs), analyze: Number(v.analyzeMs),
      encode: Number(v.encodeMs), tti: m('bl:tti'), worker: m('bl:worker'), decode: m('bl:decode'), yew: m('bl:render'),
      // navigation start -> interactive
      navTti: (performance.getEntriesByName('bl:tti')[0]?.startTime ?? NaN) + m('bl:tti'),
      // > 0: the worker became ready after the text had arrived.
      readyAfterText: (performance.getEntriesByName('bl:worker-ready')[0]?.startTime ?? NaN) - (performance.getEntriesByName('bl:text')[0]?.startTime ?? NaN),
      // navigation start -> the log's last byte in the browser (Resource Timing)
      arrived: performance.getEntriesByName(url).find((e) => e.entryType === 'resource')?.responseEnd ?? NaN,
      // the log's last byte in the browser -> bl:text
      textAfterArrival: (performance.getEntriesByName('bl:text')[0]?.startTime ?? NaN)
        - (performance.getEntriesByName(url).find((e) => e.entryType === 'resource')?.responseEnd ?? NaN),
    };
  }, url);
}
