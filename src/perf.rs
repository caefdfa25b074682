//! `performance.mark`/`measure` wrappers (work in the page and in the worker).

use wasm_bindgen::JsCast;

fn performance() -> Option<web_sys::Performance> {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
}

/// Milliseconds since the page (or worker) started.
pub fn now() -> f64 {
    performance().map_or(0.0, |p| p.now())
}

/// `performance.mark(name)`.
pub fn mark(name: &str) {
    if let Some(p) = performance() {
        let _ = p.mark(name);
    }
}

/// `performance.measure(name, start, end)` between two marks.
pub fn measure(name: &str, start: &str, end: &str) {
    if let Some(p) = performance() {
        let _ = p.measure_with_start_mark_and_end_mark(name, start, end);
    }
}

/// Clears earlier marks of these names (each load measures afresh).
pub fn clear(names: &[&str]) {
    if let Some(p) = performance() {
        for n in names {
            p.clear_marks_with_mark_name(n);
            p.clear_measures_with_measure_name(n);
        }
    }
}
