//! Parsing big logs off the main thread.
//!
//! The worker (`static/worker.js`, a few lines) runs this same wasm module,
//! so the bundle has one wasm file. For a log link `index.html` starts it
//! before the app, loading the wasm itself; otherwise the app starts it and
//! sends it the wasm-bindgen glue URL and its compiled `WebAssembly.Module`.
//! In the worker, [`parse_for_viewer`] parses and
//! analyses the bytes and returns the model in a compact binary form
//! ([`codec`]); the page indexes the lines while it waits and decodes it.

mod codec;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use bisect_log::analysis::Analysis;
use bisect_log::Bisection;
use futures_channel::oneshot;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::doc::{next_id, push_line_starts, Doc, KeyHasher, Parsed, ParsedIn, TextKey};
use crate::json::fields::{boolean, field, number, object, set, string};

/// Diffstat lines the worker passes on (the culprit card shows fewer).
pub const DIFFSTAT_KEPT: usize = 100;

/// What the worker answers with: the model (verbatim lines taken out), its
/// analysis, the culprit's files that the crash report names, and how many
/// files the culprit changes.
pub(crate) type Answer = (Bisection, Analysis, Vec<String>, usize);

/// Logs larger than this are parsed in the worker.
pub const WORKER_THRESHOLD: usize = 1_000_000;

/// Worker side: parses `bytes` and returns `[ok, encoded model (bytes) or
/// error (string), parse ms, analysis ms, encoding ms]`. (The page indexes
/// the lines itself while it waits.)
#[wasm_bindgen]
pub fn parse_for_viewer(bytes: &[u8]) -> js_sys::Array {
    // The model takes about 2.6 times the text; with the answer, 4.
    reserve_heap(bytes.len().saturating_mul(4));
    let t0 = crate::perf::now();
    let parsed = bisect_log::parse_bytes(bytes);
    let parse_ms = crate::perf::now() - t0;
    let result = parsed.map(|mut b| {
        let a = bisect_log::analysis::analyze(&b);
        let paths: Vec<&str> = b
            .culprit_commit()
            .map(|c| c.paths().collect())
            .unwrap_or_default();
        let files = paths.len();
        // Only the culprit's paths that a frame of the report names matter
        // to the page (highlights); the diffstat is cut to what is shown.
        // A culprit may change thousands of files: look each frame's file
        // up in a set, not in the list.
        let changed: std::collections::HashSet<&str> = paths.iter().copied().collect();
        let in_report: Vec<String> = b
            .trailer
            .outcome
            .crash()
            .map(|c| {
                c.report
                    .frames()
                    .filter_map(|f| f.file.as_deref())
                    .filter(|f| changed.contains(f))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let verbatim = take_verbatim_lines(&mut b);
        ((b, a, in_report, files), verbatim)
    });
    let analyze_ms = crate::perf::now() - t0 - parse_ms;
    let (ok, payload) = match result {
        Ok((answer, verbatim)) => {
            let payload = js_sys::Uint8Array::from(codec::encode(&answer).as_slice()).into();
            SPENT.with(|s| *s.borrow_mut() = Some((answer, verbatim)));
            (true, payload)
        }
        Err(e) => (false, JsValue::from_str(&e.to_string())),
    };
    let out = js_sys::Array::new();
    out.push(&JsValue::from_bool(ok));
    out.push(&payload);
    out.push(&JsValue::from_f64(parse_ms));
    out.push(&JsValue::from_f64(analyze_ms));
    out.push(&JsValue::from_f64(
        crate::perf::now() - t0 - parse_ms - analyze_ms,
    ));
    out
}

/// Worker side: grows the heap by `bytes` in one step, or not at all when
/// that much is free. Grown as the parser asks for it, a 1.4 MB log's heap
/// grew about 40 times, for 10-20 ms of its parse; the worker reserves
/// some while it waits, and the rest before parsing.
#[wasm_bindgen]
pub fn reserve_heap(bytes: usize) {
    // The allocator keeps what is freed (wasm memory never shrinks), so the
    // parse allocates from this block without growing again.
    std::hint::black_box(Vec::<u8>::with_capacity(bytes));
}

/// What [`take_verbatim_lines`] took out of a model, to be freed once the
/// worker has answered: a big log's are tens of thousands of strings.
#[derive(Default)]
pub struct Verbatim {
    lines: Vec<Vec<String>>,
    texts: Vec<String>,
    changes: Vec<Vec<bisect_log::Change>>,
}

/// Empties the fields that repeat raw lines verbatim (crash report lines,
/// multi-line errors, git's culprit block, unrecognized lines) and returns
/// them: the page has the text and reads those lines through spans, and
/// without them the answer stays small however big the log is. Structure
/// read from those lines (frames, sections, author) is kept; the diffstat
/// is cut to its first [`DIFFSTAT_KEPT`] files and its summary line.
pub fn take_verbatim_lines(b: &mut Bisection) -> Verbatim {
    use bisect_log::{Change, Entry, GitOutput};
    use std::mem::take;
    let mut v = Verbatim::default();
    for e in &mut b.body {
        match e {
            Entry::Test(t) => {
                for f in &mut t.failures {
                    v.lines.push(take(&mut f.more));
                }
                if let bisect_log::Runs::Each { runs } = &mut t.runs {
                    for r in runs {
                        v.lines.push(take(&mut r.more));
                    }
                }
            }
            Entry::Git(g) => {
                for o in &mut g.output {
                    if let GitOutput::FirstBad(c) = o {
                        v.lines.push(take(&mut c.lines));
                        let mut files = 0;
                        let (kept, cut) =
                            take(&mut c.changes).into_iter().partition(|ch| match ch {
                                Change::Stat { .. } | Change::Raw { .. } => {
                                    files += 1;
                                    files <= DIFFSTAT_KEPT
                                }
                                Change::Summary { .. } => true,
                                // `create mode …`: thousands in a big merge, never shown.
                                Change::Mode { .. } => false,
                            });
                        c.changes = kept;
                        v.changes.push(cut);
                    }
                }
            }
            Entry::Note(n) => v.lines.push(take(&mut n.more)),
        }
    }
    for u in &mut b.unrecognized {
        v.texts.push(take(&mut u.text));
    }
    if let Some(c) = b.trailer.outcome.crash_mut() {
        v.lines.push(take(&mut c.lines));
    }
    v
}

thread_local! {
    /// The last model the worker answered with, and what was taken out of
    /// it, until [`release_parsed`].
    static SPENT: RefCell<Option<(Answer, Verbatim)>> = const { RefCell::new(None) };
}

/// Worker side: frees the model of the last answer. worker.js calls it
/// after posting the answer: freeing a big log's model (~50,000
/// allocations) then no longer delays it.
#[wasm_bindgen]
pub fn release_parsed() {
    SPENT.with(|s| s.borrow_mut().take());
}

/// What the worker answered.
struct Reply {
    ok: bool,
    /// The encoded model when `ok`.
    payload: Vec<u8>,
    /// The error when not `ok`.
    message: String,
    parse_ms: f64,
    analyze_ms: f64,
    encode_ms: f64,
}

type ProgressFn = Rc<dyn Fn(&str)>;

struct Client {
    worker: web_sys::Worker,
    pending: HashMap<u32, oneshot::Sender<Result<Reply, String>>>,
    on_progress: HashMap<u32, ProgressFn>,
    next: u32,
    _onmessage: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _onerror: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
}

/// The URL of this app's wasm-bindgen glue, as index.html started it.
fn glue_url() -> Option<String> {
    crate::early::build("js")
}

/// The URL of a file Trunk copied next to the app (`worker.js`,
/// `samples/…`): resolved against the glue, at the site root, not against
/// the page, which on `/s/<id>` or `/jobs/<id>` would point into `/s/`.
pub fn asset_url(path: &str) -> String {
    glue_url()
        .and_then(|g| web_sys::Url::new_with_base(path, &g).ok())
        .map(|u| u.href())
        .unwrap_or_else(|| format!("/{path}"))
}

fn on_message(event: web_sys::MessageEvent) {
    let data = event.data();
    let kind = string(&data, "type").unwrap_or_default();
    let id = number(&data, "id").map(|f| f as u32);
    match (kind.as_str(), id) {
        ("progress", Some(id)) => {
            let stage = string(&data, "stage").unwrap_or_default();
            let cb = CLIENT.with(|c| {
                c.borrow()
                    .as_ref()
                    .and_then(|c| c.on_progress.get(&id).cloned())
            });
            if let Some(cb) = cb {
                cb(&stage);
            }
        }
        ("done", Some(id)) => {
            let reply = Reply {
                ok: boolean(&data, "ok"),
                payload: field(&data, "payload")
                    .dyn_into::<js_sys::Uint8Array>()
                    .map(|a| a.to_vec())
                    .unwrap_or_default(),
                message: string(&data, "payload").unwrap_or_default(),
                parse_ms: number(&data, "parseMs").unwrap_or(0.0),
                analyze_ms: number(&data, "analyzeMs").unwrap_or(0.0),
                encode_ms: number(&data, "encodeMs").unwrap_or(0.0),
            };
            finish(id, Ok(reply));
        }
        ("error", Some(id)) => {
            let msg = string(&data, "message").unwrap_or_default();
            finish(id, Err(msg));
        }
        ("ready", _) => crate::perf::mark("bl:worker-ready"),
        ("fatal", _) => {
            let msg = string(&data, "message").unwrap_or_default();
            fail_all(&format!("the background parser could not start: {msg}"));
        }
        _ => {}
    }
}

fn finish(id: u32, result: Result<Reply, String>) {
    let tx = CLIENT.with(|c| {
        c.borrow_mut().as_mut().and_then(|c| {
            c.on_progress.remove(&id);
            c.pending.remove(&id)
        })
    });
    if let Some(tx) = tx {
        let _ = tx.send(result);
    }
}

fn fail_all(msg: &str) {
    let client = CLIENT.with(|c| c.borrow_mut().take());
    if let Some(mut c) = client {
        c.worker.terminate();
        for (_, tx) in c.pending.drain() {
            let _ = tx.send(Err(msg.to_string()));
        }
    }
}

/// Listens to `worker` from now on.
fn adopt(worker: web_sys::Worker) {
    let onmessage = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(on_message);
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    let onerror = Closure::<dyn FnMut(web_sys::Event)>::new(|_e: web_sys::Event| {
        fail_all("the background parser stopped");
    });
    worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    CLIENT.with(|c| {
        *c.borrow_mut() = Some(Client {
            worker,
            pending: HashMap::new(),
            on_progress: HashMap::new(),
            next: 1,
            _onmessage: onmessage,
            _onerror: onerror,
        })
    });
}

fn spawn() -> Result<(), String> {
    // Started by index.html, it loads the wasm itself: nothing to send.
    if let Some(worker) = crate::early::take_worker() {
        adopt(worker);
        return Ok(());
    }
    let glue = glue_url().ok_or("the app's script was not found on the page")?;
    let opts = web_sys::WorkerOptions::new();
    opts.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options(&asset_url("worker.js"), &opts)
        .map_err(|e| format!("cannot start a web worker: {e:?}"))?;
    let init = object();
    set(&init, "type", "init");
    set(&init, "glue", glue);
    set(&init, "module", wasm_bindgen::module());
    worker
        .post_message(&init)
        .map_err(|e| format!("cannot talk to the web worker: {e:?}"))?;
    adopt(worker);
    Ok(())
}

/// Starts the worker ahead of time so a big log does not wait for it.
pub fn warm_up() {
    let running = CLIENT.with(|c| c.borrow().is_some());
    if !running {
        let _ = spawn();
    }
}

/// Parses `bytes` in the worker; `on_progress` hears the worker's stages.
/// Without a working worker, gives the bytes back (to be parsed here).
pub async fn parse(
    name: String,
    bytes: Vec<u8>,
    on_progress: Rc<dyn Fn(&str)>,
) -> Result<Rc<Doc>, Vec<u8>> {
    warm_up();
    let size = bytes.len();
    let array = to_js_in_slices(&bytes).await;
    let (tx, rx) = oneshot::channel();
    let posted: Result<(), String> = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        let c = c.as_mut().ok_or("the background parser is not running")?;
        let id = c.next;
        c.next += 1;
        c.pending.insert(id, tx);
        c.on_progress.insert(id, on_progress);
        let msg = object();
        set(&msg, "type", "parse");
        set(&msg, "id", id);
        set(&msg, "bytes", array.buffer());
        let transfer = js_sys::Array::of1(&array.buffer());
        c.worker
            .post_message_with_transfer(&msg, &transfer)
            .map_err(|e| format!("cannot talk to the web worker: {e:?}"))
    });
    if posted.is_err() {
        return Err(bytes);
    }
    // The page keeps the text (no copy when it is valid UTF-8) and indexes
    // its lines while the worker parses.
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    let (line_starts, key) = index_lines(&text).await;
    let reply = match rx.await {
        Ok(Ok(reply)) => reply,
        _ => return Err(text.into_bytes()),
    };
    crate::perf::mark("bl:worker-done");
    crate::perf::measure("bl:worker", "bl:text", "bl:worker-done");
    let parsed = if reply.ok {
        codec::decode::<Answer>(&reply.payload)
            .map(|(b, a, in_report, files)| {
                let mut p = Parsed::with_analysis(b, Some(a));
                p.culprit_paths = in_report.into_iter().collect();
                p.culprit_files = files;
                p
            })
            .map_err(|e| format!("cannot read the background parser's answer: {e}"))
    } else {
        Err(reply.message)
    };
    crate::perf::mark("bl:decoded");
    crate::perf::measure("bl:decode", "bl:worker-done", "bl:decoded");
    Ok(Rc::new(Doc {
        id: next_id(),
        name,
        text,
        key,
        line_starts,
        parsed,
        parsed_in: ParsedIn::Worker,
        bytes: size,
        parse_ms: reply.parse_ms,
        analyze_ms: reply.analyze_ms,
        encode_ms: reply.encode_ms,
    }))
}

/// The line index and the storage key of a big text, built in slices with
/// the browser's other work between them while the worker parses: in one go
/// they held the page for 50-100 ms on a 50 MB log (index alone, 4 MB
/// slices; with the hash the slices are 2 MB).
async fn index_lines(text: &str) -> (Vec<u32>, TextKey) {
    const SLICE: usize = 2 << 20;
    let bytes = text.as_bytes();
    let mut starts = Vec::with_capacity(bytes.len() / 60 + 1);
    let mut key = KeyHasher::default();
    let mut from = 0;
    while from < bytes.len() {
        let to = (from + SLICE).min(bytes.len());
        push_line_starts(bytes, from..to, &mut starts);
        key.update(&bytes[from..to]);
        from = to;
        if from < bytes.len() {
            next_task().await;
        }
    }
    (starts, key.finish())
}

/// A copy of `bytes` for the worker, made in slices with the browser's
/// other work between them: in one go the copy of a 50 MB log (a new 50 MB
/// buffer, its pages touched for the first time) held the page for 47-65 ms.
async fn to_js_in_slices(bytes: &[u8]) -> js_sys::Uint8Array {
    const SLICE: usize = 8 << 20;
    // wasm32: a length always fits in u32.
    let array = js_sys::Uint8Array::new_with_length(bytes.len() as u32);
    let mut from = 0;
    for chunk in bytes.chunks(SLICE) {
        if from > 0 {
            next_task().await;
        }
        let to = from + chunk.len() as u32;
        array.subarray(from, to).copy_from(chunk);
        from = to;
    }
    array
}

/// Resolves in a later task of the page's event loop (a zero timeout).
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let queued = web_sys::window()
            .and_then(|w| w.set_timeout_with_callback(&resolve).ok())
            .is_some();
        if !queued {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    async fn copy_in_slices_is_the_whole_text_in_order() {
        // Two slices and a piece of a third, so the joins are checked.
        let bytes: Vec<u8> = (0..(2 * (8 << 20) + 1000))
            .map(|i: usize| (i % 251) as u8)
            .collect();
        let array = to_js_in_slices(&bytes).await;
        assert_eq!(array.length() as usize, bytes.len());
        assert_eq!(array.to_vec(), bytes);
        assert_eq!(to_js_in_slices(&[]).await.length(), 0);
    }
}
