//! Offline use: registers the service worker (`static/sw.js`), which keeps
//! the app shell in a cache named after this release.
//!
//! The worker's URL carries the release (named after the hashed files of
//! both builds, `sw.js?v=bisect-lens-<hash>_<hash>`, set by index.html): a new
//! release is a new worker script, so the browser installs it, it caches the
//! new shell and deletes the caches of older releases.

use wasm_bindgen::JsValue;

/// The release, as index.html names it (`None` in tests and unbundled
/// pages: nothing is registered then).
pub fn release() -> Option<String> {
    crate::early::build("release").filter(|r| {
        !r.is_empty()
            && r.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

thread_local! {
    static REGISTERED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Registers the service worker, where the browser offers one (secure
/// origins only; a failure only means no offline use). Once per page: a log
/// link calls it when the log is open, as installing (caching both builds)
/// takes a core that parsing and the first render need on a small machine.
pub fn register() {
    if REGISTERED.with(|r| r.replace(true)) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let has_sw = js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker"))
        .unwrap_or(false)
        && window.is_secure_context();
    let Some(release) = release().filter(|_| has_sw) else {
        return;
    };
    let container = navigator.service_worker();
    let opts = web_sys::RegistrationOptions::new();
    opts.set_scope("/");
    let promise = container.register_with_options(&format!("/sw.js?v={release}"), &opts);
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
            web_sys::console::warn_2(&"bisect-lens: no offline use:".into(), &e);
        }
    });
}
