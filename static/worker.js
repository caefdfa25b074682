// bisect-lens background parser. The page sends the URL of its own
// wasm-bindgen glue and its compiled WebAssembly.Module, so this worker runs
// the app's parser without downloading or compiling anything again.
let ready = null;

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === 'init') {
    ready = import(msg.glue).then(async (glue) => {
      await glue.default({ module_or_path: msg.module });
      self.postMessage({ type: 'ready' });
      // Warm up once idle: the first parse compiles the parser's functions;
      // do it on a bundled sample while the page still downloads the real
      // log (a parse request already queued goes first).
      setTimeout(async () => {
        try {
          const sample = await fetch(new URL('samples/004_dd38629cfa7ebbde.txt', self.location));
          if (sample.ok) glue.parse_for_viewer(new Uint8Array(await sample.arrayBuffer()));
        } catch (e) { /* only a warm-up */ }
      }, 0);
      return glue;
    });
    ready.catch((e) => self.postMessage({ type: 'fatal', message: String(e) }));
    return;
  }
  if (msg.type === 'parse') {
    let glue;
    try {
      glue = await ready;
    } catch (e) {
      self.postMessage({ type: 'error', id: msg.id, message: 'the background parser could not start: ' + e });
      return;
    }
    self.postMessage({ type: 'progress', id: msg.id, stage: 'parsing' });
    try {
      const [ok, payload, lines, parseMs, analyzeMs, encodeMs] = glue.parse_for_viewer(new Uint8Array(msg.bytes));
      const transfer = payload instanceof Uint8Array ? [lines.buffer, payload.buffer] : [lines.buffer];
      self.postMessage({ type: 'done', id: msg.id, ok, payload, lines, parseMs, analyzeMs, encodeMs }, transfer);
    } catch (e) {
      self.postMessage({ type: 'error', id: msg.id, message: String(e) });
    }
  }
};
