//! "Export" (a bisect-lens file) and "Save to library" for the open log.
//!
//! A click only records the request; the work (reading the annotations,
//! the download, IndexedDB) runs in `use_effect_with`.

use std::rc::Rc;

use yew::prelude::*;

use crate::bundle::{self, Bundle};
use crate::doc::Doc;
use crate::library;

#[derive(Properties, PartialEq)]
pub struct LogActionsProps {
    pub doc: Rc<Doc>,
    /// The log's address when it was opened by `?log=`.
    pub url: Option<String>,
    /// The view as a URL fragment.
    pub view: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ask {
    None,
    Export(u64),
    Save(u64),
}

#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Busy(String),
    Done(String),
    Failed(String),
}

/// The open log as a bisect-lens file, with its current annotations.
fn bundle_of(doc: &Doc, url: Option<&str>, view: &str) -> Bundle {
    Bundle::new(
        &doc.name,
        url,
        &doc.text,
        bundle::load_annotations(&doc.text),
        view,
    )
}

#[function_component(LogActions)]
pub fn log_actions(props: &LogActionsProps) -> Html {
    let ask = use_state(|| Ask::None);
    let status = use_state(|| Status::Idle);
    {
        let status = status.clone();
        // A new log: forget the previous one's message.
        use_effect_with(props.doc.id, move |_| status.set(Status::Idle));
    }
    {
        let status = status.clone();
        let (doc, url, view) = (props.doc.clone(), props.url.clone(), props.view.clone());
        use_effect_with(*ask, move |ask| match *ask {
            Ask::None => {}
            Ask::Export(_) => {
                let b = bundle_of(&doc, url.as_deref(), &view);
                let name = bundle::file_name(&b.name, ".bisect-lens.json");
                match bundle::download(&name, &b.to_json(), "application/json") {
                    Ok(()) => status.set(Status::Done(format!("Exported as {name}"))),
                    Err(e) => status.set(Status::Failed(format!("Export failed: {e}"))),
                }
            }
            Ask::Save(_) => {
                let b = bundle_of(&doc, url.as_deref(), &view);
                status.set(Status::Busy("Saving\u{2026}".into()));
                wasm_bindgen_futures::spawn_local(async move {
                    match library::save(std::slice::from_ref(&b)).await {
                        Ok(_) => status.set(Status::Done(
                            if b.annotations.is_some() {
                                "Saved to the library, with its annotations"
                            } else {
                                "Saved to the library"
                            }
                            .into(),
                        )),
                        Err(e) => status.set(Status::Failed(e.0)),
                    }
                });
            }
        });
    }
    let next = |f: fn(u64) -> Ask| {
        let ask = ask.clone();
        Callback::from(move |_: MouseEvent| {
            let n = match *ask {
                Ask::None => 1,
                Ask::Export(n) | Ask::Save(n) => n + 1,
            };
            ask.set(f(n));
        })
    };
    let busy = matches!(*status, Status::Busy(_));
    html! {
        <div class="log-actions" data-testid="log-actions">
            <button type="button" onclick={next(Ask::Export)} data-testid="export"
                title="Download this log with its annotations and view as one bisect-lens file">{ "Export" }</button>
            <button type="button" onclick={next(Ask::Save)} disabled={busy} data-testid="save-library"
                title="Keep this log and its annotations in this browser, for reading offline">{ "Save to library" }</button>
            {
                match &*status {
                    Status::Idle => html! {},
                    Status::Busy(m) | Status::Done(m) => html! {
                        <span class="muted" role="status" data-testid="log-actions-status">{ m.clone() }</span>
                    },
                    Status::Failed(m) => html! {
                        <span class="error-text" role="alert" data-testid="log-actions-error">{ m.clone() }</span>
                    },
                }
            }
        </div>
    }
}
