//! What the inline script of `index.html` started before this wasm was
//! loaded, kept in `window.__bisectLensEarly` and taken over here once: the
//! download of a `?log=` link and the parsing worker (loading its own copy
//! of the wasm), so both happen while the app loads instead of after. It
//! also says which build it started (`window.__bisectLensBuild.chosen`).

use wasm_bindgen::{JsCast, JsValue};

use crate::json::fields::{field, set, string};

const GLOBAL: &str = "__bisectLensEarly";

fn early() -> Option<js_sys::Object> {
    let window: JsValue = web_sys::window()?.into();
    field(&window, GLOBAL).dyn_into().ok()
}

/// `key` (`js`: the glue's URL, `release`: the offline shell's name) of the
/// build index.html started; `None` on pages it did not start (tests).
pub fn build(key: &str) -> Option<String> {
    let window: JsValue = web_sys::window()?.into();
    string(&field(&field(&window, "__bisectLensBuild"), "chosen"), key)
}

/// `key` of the early object, cleared so that it is taken once.
fn take(e: &js_sys::Object, key: &str) -> JsValue {
    let v = field(e, key);
    set(e, key, JsValue::UNDEFINED);
    v
}

/// The response (a `Promise<Response>`) of the early download of `url`
/// (absolute, as resolved against the page), if the page started one for
/// exactly this URL. Taken once: a second open of the link fetches afresh.
pub fn take_log(url: &str) -> Option<js_sys::Promise> {
    let e = early()?;
    if string(&field(&e, "log"), "url").as_deref() != Some(url) {
        return None;
    }
    field(&take(&e, "log"), "response").dyn_into().ok()
}

/// The parsing worker the page started, if any. Taken once.
pub fn take_worker() -> Option<web_sys::Worker> {
    take(&early()?, "worker").dyn_into().ok()
}
