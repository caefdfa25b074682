//! Loading a log: download or read it with progress, then parse it here or
//! in the worker. Called from an effect; reports through `Action`s.

use bisect_log::decimal::fixed;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::Callback;

use crate::doc::open_here;
use crate::links::is_fetchable;
use crate::route::Route;
use crate::state::{Action, LoadError, Request, Stage};

/// Larger inputs are refused: syzbot logs are at most a few MB.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

fn err(title: &str, detail: impl Into<String>, offer_file: bool) -> LoadError {
    LoadError {
        title: title.to_string(),
        detail: detail.into(),
        offer_file,
    }
}

fn too_big(size: u64) -> LoadError {
    err(
        "This log is too large",
        format!(
            "It is {}; the viewer opens logs of up to {}. syzbot bisection logs are rarely above 2 MB.",
            human_size(size),
            human_size(MAX_BYTES)
        ),
        false,
    )
}

/// `1.4 MB`.
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{} MB", fixed(bytes as f64 / 1e6, 1))
    } else if bytes >= 1_000 {
        format!("{} kB", fixed(bytes as f64 / 1e3, 1))
    } else {
        format!("{bytes} bytes")
    }
}

pub fn js_error_text(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".to_string())
}

/// Runs one request to its end, dispatching progress and the result.
pub async fn run(nonce: u64, request: Request, dispatch: Callback<Action>) {
    crate::perf::clear(&[
        "bl:text",
        "bl:interactive",
        "bl:tti",
        "bl:worker",
        "bl:worker-done",
        "bl:decode",
        "bl:decoded",
        "bl:dispatch",
        "bl:rendered",
        "bl:render",
    ]);
    let progress = {
        let dispatch = dispatch.clone();
        move |stage: Stage, done: u64, total: Option<u64>| {
            dispatch.emit(Action::Progress {
                nonce,
                stage,
                done,
                total,
            })
        }
    };
    if matches!(request, Request::Url(_) | Request::Server(_)) {
        // The size is not known yet: have the worker ready in case it is big.
        crate::worker::warm_up();
    }
    let result: Result<(String, Vec<u8>), LoadError> = match request {
        Request::Url(url) => match fetch_log(&url, &progress).await {
            Ok((bytes, via_server)) => {
                if via_server {
                    dispatch.emit(Action::ViaServer { nonce });
                }
                Ok((url, bytes))
            }
            Err(e) => Err(e),
        },
        Request::Server(id) => match fetch_server(&id, &progress).await {
            Ok(b) => {
                // Notes shared with the log are in place before it opens.
                crate::notes::effects::fetch_shared(&id, &String::from_utf8_lossy(&b)).await;
                Ok((id, b))
            }
            Err(e) => Err(e),
        },
        Request::File(file) => read_file(&file, &progress).await.map(|b| (file.name(), b)),
        Request::Text { name, text } => {
            if text.len() as u64 > MAX_BYTES {
                Err(too_big(text.len() as u64))
            } else {
                Ok((name, text.into_bytes()))
            }
        }
    };
    // A bisect-lens file (JSON) brings its annotations and view along.
    let (name, bytes, view) = match result.and_then(|(n, b)| crate::bundle::unpack(n, b)) {
        Ok(v) => v,
        Err(error) => {
            dispatch.emit(Action::Failed { nonce, error });
            crate::offline::register();
            return;
        }
    };
    crate::perf::mark("bl:text");
    let total = bytes.len() as u64;
    let doc = if bytes.len() > crate::worker::WORKER_THRESHOLD {
        progress(Stage::Parsing, total, Some(total));
        let on_progress: Rc<dyn Fn(&str)> = {
            let progress = progress.clone();
            Rc::new(move |_stage: &str| progress(Stage::Parsing, total, Some(total)))
        };
        match crate::worker::parse(name.clone(), bytes, on_progress).await {
            Ok(doc) => doc,
            // No worker (old browser, blocked script): parse here instead.
            Err(bytes) => open_here(name, &bytes),
        }
    } else {
        open_here(name, &bytes)
    };
    progress(Stage::Rendering, total, Some(total));
    crate::perf::mark("bl:dispatch");
    dispatch.emit(Action::Loaded { nonce, doc });
    if let Some(view) = view {
        dispatch.emit(Action::ApplyFragment(crate::fragment::Fragment::parse(
            &view,
        )));
    }
}

/// Downloads a log without progress reports (the compare page).
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, LoadError> {
    fetch_log(url, &|_, _, _| {}).await.map(|(b, _)| b)
}

/// Marks the opened log as interactive once a frame with its view has been
/// drawn (called from the effect that runs once the view is in the DOM):
/// in a task queued from the next animation frame, which runs after that
/// frame's layout and paint. (Marking in the animation frame itself came
/// before the view's first layout whenever Yew had not yielded to the
/// browser between rendering and effects: 20-70 ms early.)
pub fn mark_interactive() {
    crate::perf::mark("bl:rendered");
    let mark = || {
        crate::perf::mark("bl:interactive");
        crate::perf::measure("bl:tti", "bl:text", "bl:interactive");
        crate::perf::measure("bl:render", "bl:dispatch", "bl:rendered");
        crate::offline::register();
    };
    let Some(window) = web_sys::window() else {
        mark();
        return;
    };
    let after_frame = {
        let window = window.clone();
        move || {
            let cb = Closure::once_into_js(mark);
            if window
                .set_timeout_with_callback(cb.unchecked_ref())
                .is_err()
            {
                mark();
            }
        }
    };
    let cb = Closure::once_into_js(after_frame);
    if window.request_animation_frame(cb.unchecked_ref()).is_err() {
        mark();
    }
}

/// Downloads a log; when the browser may not (the other site sends no CORS
/// headers, or cannot be reached from here) and a bisect-lens server serves
/// this page, through its link proxy instead. Answers the bytes and whether
/// they came through the server.
async fn fetch_log(
    url: &str,
    progress: &impl Fn(Stage, u64, Option<u64>),
) -> Result<(Vec<u8>, bool), LoadError> {
    let window = web_sys::window().ok_or_else(|| err("No browser window", "", false))?;
    let base = window.location().href().unwrap_or_default();
    let resolved = web_sys::Url::new_with_base(url, &base)
        .map(|u| u.href())
        .map_err(|_| {
            err(
                "This is not a URL",
                format!("\u{201c}{url}\u{201d} cannot be read as a web address."),
                true,
            )
        })?;
    if !is_fetchable(&resolved) {
        return Err(err(
            "Only http and https links can be opened",
            format!("\u{201c}{url}\u{201d} is not an http(s) address."),
            true,
        ));
    }
    // The page's inline script may have started this very download already.
    let pending =
        crate::early::take_log(&resolved).unwrap_or_else(|| window.fetch_with_str(&resolved));
    let resp = match JsFuture::from(pending).await {
        Ok(resp) => resp,
        Err(e) => {
            if crate::jobs::api::server_present().await {
                return fetch_via_server(&resolved, progress)
                    .await
                    .map(|b| (b, true));
            }
            return Err(err(
                "The log could not be downloaded",
                format!(
                    "The browser could not fetch {resolved} ({}). The server may be offline, or it does not allow other sites to read its files (CORS): syzbot's dashboard, for example, does not. Download the log and open the file instead.",
                    js_error_text(&e)
                ),
                true,
            ));
        }
    };
    let resp: web_sys::Response = resp
        .dyn_into()
        .map_err(|_| err("The log could not be downloaded", "unexpected answer", true))?;
    if !resp.ok() {
        return Err(err(
            "The log could not be downloaded",
            format!(
                "{resolved} answered HTTP {} {}. Check the link, or download the log and open the file instead.",
                resp.status(),
                resp.status_text()
            ),
            true,
        ));
    }
    read_response(resp, progress).await.map(|b| (b, false))
}

/// The link proxy (`GET /api/fetch?url=`): its refusals (a host not on its
/// allowlist, an upstream error) are shown in its own words.
async fn fetch_via_server(
    url: &str,
    progress: &impl Fn(Stage, u64, Option<u64>),
) -> Result<Vec<u8>, LoadError> {
    let window = web_sys::window().ok_or_else(|| err("No browser window", "", false))?;
    let refused = |why: String| {
        err(
            "The log could not be downloaded",
            format!(
                "The browser may not read {url} directly (no CORS headers, or unreachable from here), and the bisect-lens server could not fetch it either: {why}. Download the log and open the file instead."
            ),
            true,
        )
    };
    let path = crate::jobs::api::proxy_path(url);
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str(&path))
        .await
        .map_err(|e| refused(js_error_text(&e)))?
        .dyn_into()
        .map_err(|_| refused("unexpected answer".into()))?;
    if !resp.ok() {
        let status = resp.status();
        let body = match resp.text() {
            Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()),
            Err(_) => None,
        };
        let e = crate::jobs::form::ServerError::from_response(status, &body.unwrap_or_default());
        return Err(refused(e.message));
    }
    read_response(resp, progress).await
}

async fn fetch_server(
    id: &str,
    progress: &impl Fn(Stage, u64, Option<u64>),
) -> Result<Vec<u8>, LoadError> {
    let window = web_sys::window().ok_or_else(|| err("No browser window", "", false))?;
    let path = Route::server_path(id);
    let no_server = |why: String| {
        err(
            "No bisect-lens server here",
            format!(
                "Log ids like \u{201c}{id}\u{201d} are stored on a bisect-lens server, but {path} {why}. Open the log by link (?log=URL) or as a file instead."
            ),
            true,
        )
    };
    let resp = JsFuture::from(window.fetch_with_str(&path))
        .await
        .map_err(|e| no_server(format!("could not be reached ({})", js_error_text(&e))))?;
    let resp: web_sys::Response = resp
        .dyn_into()
        .map_err(|_| no_server("gave an unexpected answer".into()))?;
    let content_type = content_type(&resp);
    if resp.status() == 404 && content_type.starts_with("application/json") {
        return Err(err(
            "No such log",
            format!("The server has no log with id \u{201c}{id}\u{201d}."),
            true,
        ));
    }
    if !resp.ok() {
        return Err(no_server(format!("answered HTTP {}", resp.status())));
    }
    if content_type.contains("html") {
        return Err(no_server(
            "answered with a web page, not a log: this page is served by a plain file server"
                .into(),
        ));
    }
    read_response(resp, progress).await
}

/// The answer's `Content-Type` (empty when it has none).
pub fn content_type(resp: &web_sys::Response) -> String {
    resp.headers()
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_default()
}

async fn read_response(
    resp: web_sys::Response,
    progress: &impl Fn(Stage, u64, Option<u64>),
) -> Result<Vec<u8>, LoadError> {
    let total = resp
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(t) = total.filter(|&t| t > MAX_BYTES) {
        return Err(too_big(t));
    }
    if total.is_none_or(|t| t as usize > crate::worker::WORKER_THRESHOLD) {
        crate::worker::warm_up();
    }
    match resp.body() {
        Some(body) => read_stream(body, total, progress).await,
        None => Ok(Vec::new()),
    }
}

async fn read_file(
    file: &web_sys::File,
    progress: &impl Fn(Stage, u64, Option<u64>),
) -> Result<Vec<u8>, LoadError> {
    let size = file.size() as u64;
    if size > MAX_BYTES {
        return Err(too_big(size));
    }
    if size as usize > crate::worker::WORKER_THRESHOLD {
        crate::worker::warm_up();
    }
    let blob: &web_sys::Blob = file.as_ref();
    read_stream(blob.stream(), Some(size), progress).await
}

async fn read_stream(
    stream: web_sys::ReadableStream,
    total: Option<u64>,
    progress: &impl Fn(Stage, u64, Option<u64>),
) -> Result<Vec<u8>, LoadError> {
    let read_err = |e: JsValue| {
        err(
            "The log could not be read",
            format!("Reading stopped: {}.", js_error_text(&e)),
            true,
        )
    };
    let reader: web_sys::ReadableStreamDefaultReader = stream
        .get_reader()
        .dyn_into()
        .map_err(|_| err("The log could not be read", "no stream reader", true))?;
    let mut bytes: Vec<u8> = Vec::with_capacity(total.unwrap_or(0).min(MAX_BYTES) as usize);
    let mut last_report = 0u64;
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(read_err)?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let value = js_sys::Reflect::get(&chunk, &"value".into()).unwrap_or(JsValue::UNDEFINED);
        let Ok(array) = value.dyn_into::<js_sys::Uint8Array>() else {
            break;
        };
        let start = bytes.len();
        bytes.resize(start + array.length() as usize, 0);
        array.copy_to(&mut bytes[start..]);
        let n = bytes.len() as u64;
        if n > MAX_BYTES {
            let _ = reader.cancel();
            return Err(too_big(total.unwrap_or(n)));
        }
        if n - last_report >= 256 * 1024 {
            last_report = n;
            progress(Stage::Reading, n, total);
        }
    }
    Ok(bytes)
}
