//! What the inline script of `index.html` started before this wasm was
//! loaded: the background parser (compiling its own copy of the wasm while
//! the page compiles this one) and the download of a `?log=` link. Both are
//! kept in `window.__bisectLensEarly` and taken over here once, so a big log
//! does not wait first for the app and then for the worker.

use wasm_bindgen::{JsCast, JsValue};

const GLOBAL: &str = "__bisectLensEarly";

fn early() -> Option<JsValue> {
    let w = web_sys::window()?;
    let v = js_sys::Reflect::get(&w, &GLOBAL.into()).ok()?;
    (v.is_object()).then_some(v)
}

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// The worker the page started, with the messages it sent before the app
/// listened, unless it failed to start. Taken once.
pub fn take_worker() -> Option<(web_sys::Worker, Vec<web_sys::MessageEvent>)> {
    let e = early()?;
    let worker = get(&e, "worker");
    let _ = js_sys::Reflect::set(&e, &"worker".into(), &JsValue::UNDEFINED);
    if get(&e, "failed").is_truthy() {
        return None;
    }
    let worker: web_sys::Worker = worker.dyn_into().ok()?;
    let messages = get(&e, "messages")
        .dyn_into::<js_sys::Array>()
        .map(|a| a.iter().filter_map(|m| m.dyn_into().ok()).collect())
        .unwrap_or_default();
    Some((worker, messages))
}

/// The response (a `Promise<Response>`) of the early download of `url`
/// (absolute, as resolved against the page), if the page started one for
/// exactly this URL. Taken once: a second open of the link fetches afresh.
pub fn take_log(url: &str) -> Option<js_sys::Promise> {
    let e = early()?;
    let log = get(&e, "log");
    if get(&log, "url").as_string().as_deref() != Some(url) {
        return None;
    }
    let _ = js_sys::Reflect::set(&e, &"log".into(), &JsValue::UNDEFINED);
    get(&log, "response").dyn_into().ok()
}
