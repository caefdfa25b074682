// bisect-lens background parser. The page sends the URL of its own
// wasm-bindgen glue and its compiled WebAssembly.Module, so this worker runs
// the app's parser without downloading or compiling anything again.
let ready = null;

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === 'init') {
    ready = import(msg.glue).then(async (glue) => {
      await glue.default({ module_or_path: msg.module });
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
      self.postMessage({ type: 'done', id: msg.id, ok, payload, lines, parseMs, analyzeMs, encodeMs }, [lines.buffer]);
    } catch (e) {
      self.postMessage({ type: 'error', id: msg.id, message: String(e) });
    }
  }
};
