// bisect-lens background parser: runs the app's own wasm (its parser) off
// the page's thread. Two ways to start:
// - by index.html while the page is still loading, with `?glue=…&wasm=…`:
//   it loads the wasm itself (from the HTTP cache the page's preload fills)
//   at once, so it is ready before the page could hand it anything;
// - by the app later (a big file dropped): the app sends its glue URL and
//   its compiled WebAssembly.Module ('init'), nothing is downloaded again.
let ready = null;
// A log is waiting: the warm-up would only delay it (its functions compile
// on their first call either way).
let wanted = false;

const SAMPLE = 'samples/000_9f5fff6f4365948f.txt';
const RESERVE = 16 << 20;

// The browser compiles each wasm function on its first call: parse a small
// bundled log once before the real one, so a big log does not pay for that.
// (Parsing it again and again while idle, for the optimising compiler, kept
// both cores of a small machine busy and made the page itself start later.)
async function warmUp(glue, sample) {
  try {
    const res = await sample;
    const bytes = res.ok && !wanted ? new Uint8Array(await res.arrayBuffer()) : null;
    if (bytes && !wanted) {
      glue.parse_for_viewer(bytes);
      glue.release_parsed();
    }
    // Heap for a log of a few MB, grown now rather than while it is parsed.
    if (!wanted) glue.reserve_heap(RESERVE);
  } catch (e) { /* only a warm-up */ }
}

function start(glueUrl, moduleOrPath) {
  const sample = fetch(new URL(SAMPLE, self.location));
  sample.catch(() => {});
  ready = import(glueUrl).then(async (glue) => {
    await glue.default({ module_or_path: moduleOrPath });
    await warmUp(glue, sample);
    self.postMessage({ type: 'ready' });
    return glue;
  });
  ready.catch((e) => self.postMessage({ type: 'fatal', message: String(e) }));
}

{
  const q = new URLSearchParams(self.location.search);
  if (q.get('glue') && q.get('wasm')) start(q.get('glue'), q.get('wasm'));
}

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === 'init') {
    if (!ready) start(msg.glue, msg.module);
    return;
  }
  if (msg.type === 'parse') {
    wanted = true;
    let glue;
    try {
      if (!ready) throw new Error('it was given no start parameters');
      glue = await ready;
    } catch (e) {
      self.postMessage({ type: 'error', id: msg.id, message: 'the background parser could not start: ' + e });
      return;
    }
    self.postMessage({ type: 'progress', id: msg.id, stage: 'parsing' });
    try {
      const [ok, payload, parseMs, analyzeMs, encodeMs] = glue.parse_for_viewer(new Uint8Array(msg.bytes));
      const transfer = payload instanceof Uint8Array ? [payload.buffer] : [];
      self.postMessage({ type: 'done', id: msg.id, ok, payload, parseMs, analyzeMs, encodeMs }, transfer);
      // Freed once the answer is on its way, not before.
      glue.release_parsed();
    } catch (e) {
      self.postMessage({ type: 'error', id: msg.id, message: String(e) });
    }
  }
};
