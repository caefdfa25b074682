// bisect-lens service worker: keeps the app shell (index.html, both builds'
// hashed scripts and wasm, the styles, worker.js, the samples) in a cache
// named after the release, so that after one visit the app starts with no
// network. The page registers it as `sw.js?v=<release>` (named after both
// builds' hashes, by index.html): a new release is a new worker, which
// caches the new shell and deletes the caches of older releases.
//
// Only same-origin GETs of the cached shell are answered from the cache.
// Everything else goes to the network untouched and is never stored: the
// server's API (/api/), logs opened by `?log=` (other origins, and
// same-origin files, which may change), anything not in the shell.
const RELEASE = new URL(self.location.href).searchParams.get('v') || 'dev';
const PREFIX = 'bisect-lens-shell-';
const CACHE = PREFIX + RELEASE;
const SCOPE = new URL(self.registration.scope);
const INDEX = new URL('./', SCOPE).href;
// Files of the shell: Trunk's hashed outputs at the top, worker.js, samples.
const SHELL_FILE = /^\/(?:[^/]+\.(?:js|wasm|css)|samples\/[^/]+\.txt)$/;
const EXTRA = ['worker.js', 'samples/000_9f5fff6f4365948f.txt', 'samples/004_dd38629cfa7ebbde.txt'];

// The assets index.html names: its styles and every quoted file name of its
// loader (both builds' scripts and wasm).
function assetsOf(html) {
  const urls = new Set();
  const re = /(?:href|src)\s*=\s*["']([^"']+)["']|["']([^"'\s]+\.(?:js|wasm|css))["']/g;
  for (const m of html.matchAll(re)) {
    const raw = m[1] || m[2];
    if (!raw || raw.startsWith('data:') || raw.startsWith('#')) continue;
    const url = new URL(raw, SCOPE);
    if (url.origin === SCOPE.origin && /\.(js|wasm|css)$/.test(url.pathname)) urls.add(url.href);
  }
  return urls;
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const index = await fetch(INDEX, { cache: 'reload' });
    if (!index.ok) throw new Error(`index.html: HTTP ${index.status}`);
    const urls = assetsOf(await index.clone().text());
    for (const e of EXTRA) urls.add(new URL(e, SCOPE).href);
    const cache = await caches.open(CACHE);
    // All or nothing: a half-cached shell would not start offline.
    await cache.addAll([...urls].map((u) => new Request(u, { cache: 'reload' })));
    await cache.put(INDEX, index);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== SCOPE.origin || url.pathname.startsWith('/api/')) return;
  if (req.mode === 'navigate') {
    // Every app route (/, /library, /s/<id>, ?log=…) is index.html: the
    // network's when online (a new release shows at once), else the cached.
    event.respondWith((async () => {
      try {
        return await fetch(req);
      } catch (e) {
        const cached = await caches.open(CACHE).then((c) => c.match(INDEX));
        if (cached) return cached;
        throw e;
      }
    })());
    return;
  }
  // Only the shell's own files; everything else is not intercepted at all.
  // worker.js alone has a query: its start parameters (index.html).
  const path = url.pathname.slice(SCOPE.pathname.length - 1);
  const worker = path === '/worker.js';
  if ((url.search && !worker) || !SHELL_FILE.test(path)) return;
  event.respondWith((async () => {
    const cached = await caches.open(CACHE).then((c) => c.match(req, { ignoreSearch: worker }));
    if (!cached) return fetch(req);
    // A worker's location is its script's response URL, and the cached
    // worker.js's has no query: the worker would lose its start parameters
    // (and the page parse big logs itself). A new response has no URL of its
    // own, so the worker keeps the request's.
    return worker ? new Response(cached.body, cached) : cached;
  })());
});
