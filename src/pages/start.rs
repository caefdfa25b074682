//! The start page: open a file, paste, a link, or one of the bundled samples.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::file_button::FileButton;
use crate::route::percent_encode;
use crate::state::Request;

/// The two seed logs shipped in `static/samples/`.
pub const SAMPLES: [(&str, &str, &str); 2] = [
    (
        "samples/000_9f5fff6f4365948f.txt",
        "INFO: task hung in io_ring_exit_work",
        "A flaky reproducer; the verdicts were driven by another crash (WARNING in kvm_wait) and the blamed commit only touches lib/locking-selftest.c \u{2014} its kernel signature equals its parent's.",
    ),
    (
        "samples/004_dd38629cfa7ebbde.txt",
        "general protection fault in try_to_wake_up",
        "The \u{201c}bad\u{201d} verdict on the blamed commit rests on one SYZFAIL out of 10 runs: a test-infrastructure failure, not the kernel bug.",
    ),
];

#[derive(Properties, PartialEq)]
pub struct StartProps {
    pub on_open: Callback<Request>,
    /// A bisect-lens server serves the page: it fetches what the browser may not.
    #[prop_or_default]
    pub server: bool,
}

fn input_value(e: &InputEvent) -> Option<String> {
    let t = e.target()?;
    if let Some(i) = t.dyn_ref::<web_sys::HtmlInputElement>() {
        return Some(i.value());
    }
    t.dyn_ref::<web_sys::HtmlTextAreaElement>()
        .map(|a| a.value())
}

#[function_component(Start)]
pub fn start(props: &StartProps) -> Html {
    let pasted = use_state(String::new);
    let url = use_state(String::new);
    let on_paste_input = {
        let pasted = pasted.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = input_value(&e) {
                pasted.set(v);
            }
        })
    };
    let open_pasted = {
        let pasted = pasted.clone();
        let on_open = props.on_open.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !pasted.trim().is_empty() {
                on_open.emit(Request::Text {
                    name: "pasted log".to_string(),
                    text: (*pasted).clone(),
                });
            }
        })
    };
    let on_url_input = {
        let url = url.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = input_value(&e) {
                url.set(v);
            }
        })
    };
    let url_href = format!("?log={}", percent_encode(url.trim()));
    html! {
        <section class="start">
            <h1>{ "Read a syzbot bisection log" }</h1>
            <p class="lead">{ "bisect-lens shows the commits a bisection tested, every run, the crash report and the culprit, and says how far the result can be trusted." }</p>
            <div class="start-grid">
                <div class="card">
                    <h2>{ "Open a log" }</h2>
                    <p><FileButton label="Choose a file" on_file={props.on_open.reform(Request::File)} class="primary" /></p>
                    <p class="muted">{ "or drop a file anywhere on this page, or paste it with Ctrl+V. A bisect-lens file (.json) brings its annotations and view back." }</p>
                    <p><a href="./library" data-testid="start-library">{ "Your library" }</a>{ ": logs saved in this browser, readable offline." }</p>
                    <form onsubmit={open_pasted} class="paste-form">
                        <label for="paste">{ "Paste a log" }</label>
                        <textarea id="paste" rows="5" placeholder="bisecting cause commit starting from \u{2026}" value={(*pasted).clone()} oninput={on_paste_input} data-testid="paste-box" />
                        <button type="submit" disabled={pasted.trim().is_empty()}>{ "Open pasted text" }</button>
                    </form>
                    <form class="url-form" method="get" action="">
                        <label for="log-url">{ "Open a link" }</label>
                        <div class="row">
                            <input id="log-url" name="log" type="url" placeholder="https://\u{2026}/bisect.txt" value={(*url).clone()} oninput={on_url_input} />
                            <a class="button" href={url_href}>{ "Open" }</a>
                        </div>
                        <p class="muted" data-testid="cors-note">{ if props.server {
                            "Links the browser may not read (syzbot's dashboard sends no CORS headers) are fetched through this bisect-lens server."
                        } else {
                            "syzbot's dashboard does not let other sites read its logs (no CORS); download the log and open the file instead."
                        } }</p>
                    </form>
                </div>
                <div class="card">
                    <h2>{ "Samples" }</h2>
                    <ul class="samples">
                        { for SAMPLES.iter().map(|(path, title, what)| html! {
                            <li>
                                <a href={format!("?log={path}")} data-testid="sample">{ *title }</a>
                                <p class="muted">{ *what }</p>
                            </li>
                        }) }
                    </ul>
                </div>
            </div>
        </section>
    }
}
