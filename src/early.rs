//! What the inline script of `index.html` started before this wasm was
//! loaded, kept in `window.__bisectLensEarly` and taken over here once: the
//! download of a `?log=` link and the parsing worker (loading its own copy
//! of the wasm), so both happen while the app loads instead of after.

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

/// The parsing worker the page started, if any. Taken once.
pub fn take_worker() -> Option<web_sys::Worker> {
    let e = early()?;
    let worker = get(&e, "worker");
    let _ = js_sys::Reflect::set(&e, &"worker".into(), &JsValue::UNDEFINED);
    worker.dyn_into().ok()
}
