// A/B benchmark (not a test): two release builds open the largest corpus log
// in alternating cold pages, so the machine's drift hits both alike.
//
//   node tests/e2e/ab.mjs <dist A> <dist B> [<dist C> ...] [loads per build, default 20]
//
// Prints, per build, the median and quartiles of: text -> interactive (the
// 150 ms budget), navigation -> interactive, the worker's parse, its round
// trip and Yew's render.
import path from 'node:path';
import { LARGEST, serve, launch, newPage, openLog, quantile } from './harness.mjs';

const dists = process.argv.slice(2);
const n = /^\d+$/.test(dists.at(-1) ?? '') ? dists.pop() : '20';
if (dists.length < 2) {
  console.error('usage: node tests/e2e/ab.mjs <dist A> <dist B> [<dist C> ...] [loads]');
  process.exit(2);
}
const builds = await Promise.all(dists.map(async (dist) => ({ dist, server: await serve({}, path.resolve(dist)), runs: [] })));
const browser = await launch();
for (let i = 0; i < Number(n); i++) {
  // Each round starts with another build: none always goes first.
  for (const build of [...builds.slice(i % builds.length), ...builds.slice(0, i % builds.length)]) {
    const page = await newPage(browser);
    build.runs.push(await openLog(page, build.server.url, build.server.corpus(LARGEST)));
    await page.context().close();
  }
}
const fig = (xs) => `${quantile(xs, 0.5).toFixed(0).padStart(4)} (${quantile(xs, 0.25).toFixed(0)}–${quantile(xs, 0.75).toFixed(0)})`;
console.log(`${LARGEST}, ${n} cold loads per build, median (quartiles), ms`);
console.log(`  ${''.padEnd(24)} ${builds.map(({ dist }) => path.basename(path.resolve(dist)).padEnd(18)).join('')}`);
const columns = {
  tti: 'text→interactive', navTti: 'nav→interactive', parse: 'parse', analyze: 'analysis', encode: 'encoding',
  worker: 'worker round trip', decode: 'decode', yew: 'Yew render', readyAfterText: 'worker ready after text',
  arrived: 'nav→log arrived', textAfterArrival: 'arrived→bl:text',
};
for (const [k, label] of Object.entries(columns)) {
  console.log(`  ${label.padEnd(24)} ${builds.map(({ runs }) => fig(runs.map((r) => r[k])).padEnd(18)).join('')}`);
}
await browser.close();
await Promise.all(builds.map((x) => x.server.close()));
