//! What the inline script of `index.html` started before this wasm was
//! loaded: the download of a `?log=` link, kept in
//! `window.__bisectLensEarly` and taken over here once, so the log downloads
//! while the wasm loads instead of after.

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
