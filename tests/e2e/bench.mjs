// Viewer benchmark (not a test): prints the figures for the README.
//
//   node tests/e2e/bench.mjs        (after `trunk build --release`)
//
// 1. bundle size: wasm + JS of dist/, gzip -9;
// 2. the largest corpus log: time from its text arriving to the view being
//    interactive (performance marks bl:text -> bl:interactive), cold page;
// 3. parse speed in the browser (the worker's own timing), for the largest
//    log and a 50 MB synthetic log;
// 4. scrolling the 50 MB log's raw view: frame times.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, DIST, CORPUS, LARGEST, serve, launch, newPage, openLog, quantile, screenshotPath } from './harness.mjs';

const RUNS = Number(process.env.BENCH_RUNS || 7);

const median = (xs) => quantile(xs, 0.5);

// 1. bundle: what a log link downloads, and the full build that /library,
// /new, /jobs/<id> and compare load instead (the figures of the README).
process.stdout.write(execFileSync('bash', [path.join(ROOT, 'scripts', 'bundle-size.sh'), DIST], { encoding: 'utf8' }));

// A 50 MB log: the largest real log with its crash report repeated.
const big = fs.readFileSync(path.join(CORPUS, 'syzbot', LARGEST), 'utf8');
const lines = big.split('\n');
const crashAt = lines.findIndex((l) => l.startsWith('crash: '));
const report = lines.slice(crashAt + 1).join('\n');
let synthetic = big;
while (synthetic.length < 50 * 1024 * 1024) synthetic += report + '\n';
const server = await serve({ '/bench/50mb.txt': { body: synthetic } });
const browser = await launch();

// 2./3. the largest log, cold pages
const cold = [];
for (let i = 0; i < RUNS; i++) {
  const page = await newPage(browser);
  cold.push(await openLog(page, server.url, server.corpus(LARGEST)));
  await page.context().close();
}
const f = (k) => median(cold.map((r) => r[k])).toFixed(1);
console.log(`\nlargest corpus log ${LARGEST} (${(cold[0].bytes / 1e6).toFixed(2)} MB, parsed in the ${cold[0].parsedIn}), median of ${RUNS} cold loads:`);
const q = (k, p) => quantile(cold.map((r) => r[k]), p).toFixed(1);
console.log(`  interactive ${f('tti')} ms after the text arrived (budget 150 ms); quartiles ${q('tti', 0.25)}–${q('tti', 0.75)}, min ${Math.min(...cold.map((r) => r.tti)).toFixed(1)}, max ${Math.max(...cold.map((r) => r.tti)).toFixed(1)}`);
console.log(`  navigation -> interactive ${f('navTti')} ms; the log's last byte reached the browser ${f('arrived')} ms after navigation, the app read it ${f('textAfterArrival')} ms later`);
console.log(`  of which: worker round trip ${f('worker')} ms (parse ${f('parse')}, analysis ${f('analyze')}, encoding ${f('encode')}), decode on the page ${f('decode')} ms, render ${(median(cold.map((r) => r.tti)) - median(cold.map((r) => r.worker)) - median(cold.map((r) => r.decode))).toFixed(1)} ms`);
console.log(`  Yew render (Loaded dispatched -> effects ran) ${f('yew')} ms`);
console.log(`  worker ready ${f('readyAfterText')} ms after the text arrived (negative: before)`);
console.log(`  parse speed (cold worker): ${(cold[0].bytes / 1e6 / (median(cold.map((r) => r.parse)) / 1e3)).toFixed(0)} MB/s`);

// later visits: the same page opens the log again (the service worker's
// cached app, V8's cached code, the JIT tiered up)
{
  const page = await newPage(browser);
  const warm = [];
  for (let i = 0; i < RUNS; i++) {
    await page.evaluate(() => performance.clearMeasures());
    const r = await openLog(page, server.url, server.corpus(LARGEST));
    warm.push(r);
  }
  const later = warm.slice(2);
  const parse = median(later.map((r) => r.parse));
  const wq = (k, p) => quantile(later.map((r) => r[k]), p).toFixed(1);
  console.log(`  later visits (reloads, parsed in the ${[...new Set(later.map((r) => r.parsedIn))].join(' and ')}): interactive ${wq('tti', 0.5)} ms after the text arrived (quartiles ${wq('tti', 0.25)}–${wq('tti', 0.75)}), navigation -> interactive ${wq('navTti', 0.5)} ms, parse ${parse.toFixed(1)} ms = ${(warm[0].bytes / 1e6 / (parse / 1e3)).toFixed(0)} MB/s`);
  await page.context().close();
}

// 3./4. the 50 MB log
{
  const page = await newPage(browser);
  // Long main-thread tasks while it loads: the page must not freeze.
  await page.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__long.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  });
  const r = await openLog(page, server.url, `${server.url}/bench/50mb.txt`);
  // The app's own start (its wasm, the first render) apart from the log's reading, parsing and drawing.
  const [longest, afterText] = await page.evaluate(() => {
    const text = performance.getEntriesByName('bl:text')[0]?.startTime ?? 0;
    const max = (xs) => Math.max(0, ...xs.map(([, d]) => d));
    return [max(window.__long), max(window.__long.filter(([s, d]) => s + d > text))];
  });
  console.log(`\n50 MB synthetic log (${(r.bytes / 1e6).toFixed(1)} MB, parsed in the ${r.parsedIn}):`);
  console.log(`  parse ${r.parse.toFixed(0)} ms = ${(r.bytes / 1e6 / (r.parse / 1e3)).toFixed(0)} MB/s; analysis ${r.analyze.toFixed(0)} ms; encoding ${r.encode.toFixed(0)} ms; page decode ${r.decode.toFixed(0)} ms; interactive ${r.tti.toFixed(0)} ms after the text arrived`);
  // The Long Tasks API reports only tasks over 50 ms.
  const task = (ms) => (ms > 0 ? `${ms.toFixed(0)} ms` : 'none over 50 ms');
  console.log(`  longest main-thread task from the text's arrival on: ${task(afterText)}; during the whole load (with the app's start): ${task(longest)}`);
  await page.click('[data-testid=tab-raw]');
  await page.waitForSelector('.raw-row');
  const frames = await page.evaluate(async () => {
    const vp = document.querySelector('[data-testid=raw-log]');
    const times = [];
    let last = performance.now();
    const max = vp.scrollHeight - vp.clientHeight;
    for (let i = 1; i <= 120; i++) {
      vp.scrollTop = (max * i) / 120;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const now = performance.now();
      times.push(now - last);
      last = now;
    }
    return { times, rows: document.querySelectorAll('.raw-row').length, lastLine: document.querySelector('.raw-row:last-child')?.dataset.line };
  });
  console.log(`  raw view scroll through the whole log in 120 jumps: 2 frames per jump median ${median(frames.times).toFixed(1)} ms, p95 ${quantile(frames.times, 0.95).toFixed(1)} ms, max ${Math.max(...frames.times).toFixed(1)} ms; ${frames.rows} rows in the DOM; last line shown ${frames.lastLine}`);
  await page.screenshot({ path: screenshotPath('bench-50mb-raw') });
  await page.context().close();
}

await browser.close();
await server.close();
