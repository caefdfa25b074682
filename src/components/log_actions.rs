//! "Export" (a bisect-lens file), "Save to library", "Copy link" (the notes
//! and view in the link's fragment) and "Share" (an upload to the
//! bisect-lens server this page came from) for the open log.
//!
//! A click only records the request; the work (reading the annotations,
//! the download, IndexedDB, compression, the upload) runs in `use_effect_with`.

use std::rc::Rc;

use yew::prelude::*;

use crate::bundle::{self, Bundle};
use crate::doc::Doc;
use crate::library;
use crate::notes::{link, Notes};

#[derive(Properties, PartialEq)]
pub struct LogActionsProps {
    pub doc: Rc<Doc>,
    /// The log's address when it was opened by `?log=`.
    pub url: Option<String>,
    /// The view as a URL fragment.
    pub view: String,
    pub notes: Rc<Notes>,
    /// A bisect-lens server serves this page (it can store a shared log).
    pub server: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ask {
    None,
    Export(u64),
    Save(u64),
    CopyLink(u64),
    Share(u64),
}

#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Busy(String),
    Done(String),
    Failed(String),
    /// A message and the link it is about (shown to copy by hand).
    Link(String, String),
}

/// The open log as a bisect-lens file, with its current annotations.
fn bundle_of(doc: &Doc, url: Option<&str>, view: &str) -> Bundle {
    Bundle::new(
        &doc.name,
        url,
        &doc.text,
        bundle::load_annotations(&doc.key),
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
        let notes = props.notes.clone();
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
            Ask::CopyLink(_) => {
                let notes = notes.clone();
                status.set(Status::Busy("Making the link\u{2026}".into()));
                wasm_bindgen_futures::spawn_local(async move {
                    status.set(copy_link(&doc, url.as_deref(), &view, &notes).await);
                });
            }
            Ask::Share(_) => {
                let notes = notes.clone();
                status.set(Status::Busy("Uploading\u{2026}".into()));
                wasm_bindgen_futures::spawn_local(async move {
                    status.set(match share(&doc, &notes, &view).await {
                        Ok(l) => with_clipboard("Shared", l).await,
                        Err(e) => Status::Failed(format!("Share failed: {e}")),
                    });
                });
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
                Ask::Export(n) | Ask::Save(n) | Ask::CopyLink(n) | Ask::Share(n) => n + 1,
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
            if props.url.is_some() {
                <button type="button" onclick={next(Ask::CopyLink)} disabled={busy} data-testid="copy-link"
                    title="Copy a link to this log with your notes and the current view">{ "Copy link" }</button>
            }
            if props.server {
                <button type="button" onclick={next(Ask::Share)} disabled={busy} data-testid="share"
                    title="Upload this log with your notes to this bisect-lens server and copy its link">{ "Share" }</button>
            }
            {
                match &*status {
                    Status::Idle => html! {},
                    Status::Busy(m) | Status::Done(m) => html! {
                        <span class="muted" role="status" data-testid="log-actions-status">{ m.clone() }</span>
                    },
                    Status::Failed(m) => html! {
                        <span class="error-text" role="alert" data-testid="log-actions-error">{ m.clone() }</span>
                    },
                    Status::Link(m, l) => html! {
                        <>
                        <span class="muted" role="status" data-testid="log-actions-status">{ m.clone() }</span>
                        <input type="text" readonly=true class="share-link" value={l.clone()} aria-label="Link"
                            data-testid="share-link" onfocus={Callback::from(select_all)} />
                        </>
                    },
                }
            }
        </div>
    }
}

fn select_all(e: FocusEvent) {
    if let Some(i) = e
        .target()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
    {
        i.select();
    }
}

/// Puts `text` on the clipboard; false when the browser refuses (no
/// permission, page not focused): the link is then shown to copy by hand.
async fn to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let Ok(clipboard) = js_sys::Reflect::get(&window.navigator(), &"clipboard".into()) else {
        return false;
    };
    let write = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .ok()
        .and_then(|f| wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f).ok());
    let Some(promise) = write
        .and_then(|f| f.call1(&clipboard, &text.into()).ok())
        .and_then(|p| wasm_bindgen::JsCast::dyn_into::<js_sys::Promise>(p).ok())
    else {
        return false;
    };
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

async fn with_clipboard(what: &str, link: String) -> Status {
    let msg = if to_clipboard(&link).await {
        format!("{what}: the link is on the clipboard")
    } else {
        format!("{what}: copy the link")
    };
    Status::Link(msg, link)
}

/// The page's address without its fragment.
fn page_address() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or_default().to_string())
        .unwrap_or_default()
}

async fn copy_link(doc: &Doc, url: Option<&str>, view: &str, notes: &Notes) -> Status {
    if notes.is_empty() {
        return with_clipboard("Link", link_without_notes(view)).await;
    }
    let data = match link::encode(&notes.to_json()).await {
        Ok(d) => d,
        Err(e) => return Status::Failed(format!("Copy link failed: {e}")),
    };
    let l = link::link(&page_address(), view, &data);
    if l.len() <= link::MAX_LINK {
        return with_clipboard("Link with your notes", l).await;
    }
    // Too long for a link: the notes travel in a file instead.
    let b = bundle_of(doc, url, view);
    let name = bundle::file_name(&b.name, ".bisect-lens.json");
    match bundle::download(&name, &b.to_json(), "application/json") {
        Ok(()) => Status::Failed(format!(
            "With {} notes the link would be {} characters, over the {} that mail and chat tools pass on reliably, so the log and its notes were exported as {name} instead: send that file.",
            notes.0.len(),
            l.len(),
            link::MAX_LINK
        )),
        Err(e) => Status::Failed(format!(
            "The link would be {} characters (over {}), and exporting a file failed: {e}",
            l.len(),
            link::MAX_LINK
        )),
    }
}

fn link_without_notes(view: &str) -> String {
    let view = view.trim_start_matches('#');
    if view.is_empty() {
        page_address()
    } else {
        format!("{}#{view}", page_address())
    }
}

/// Uploads the log and its notes; gives the shared page's address.
async fn share(doc: &Doc, notes: &Notes, view: &str) -> Result<String, String> {
    use crate::json::fields as json;
    let window = web_sys::window().ok_or("no browser window")?;
    let body = json::object();
    json::set(&body, "text", doc.text.as_str());
    // The server takes names of up to 200 characters: a URL's file name.
    let name: String = doc
        .name
        .rsplit('/')
        .next()
        .unwrap_or("")
        .chars()
        .take(200)
        .collect();
    json::set(&body, "name", name);
    let annotations = if notes.is_empty() {
        wasm_bindgen::JsValue::NULL
    } else {
        notes.to_value()
    };
    json::set(&body, "annotations", annotations);
    let body = json::stringify(&body).ok_or("cannot encode the log")?;
    let (status, _, answer) =
        crate::jobs::api::send("POST", bisect_log::paths::LOGS, Some(&body), None)
            .await
            .map_err(|_| "the server could not be reached".to_string())?;
    if !(200..300).contains(&status) {
        let why = json::parse(&answer)
            .and_then(|v| json::string(&v, "error"))
            .unwrap_or_default();
        return Err(format!("the server answered HTTP {status} {why}"));
    }
    let path = json::parse(&answer)
        .and_then(|v| json::string(&v, "url"))
        .filter(|u| u.starts_with("/s/"))
        .ok_or_else(|| format!("the server answered HTTP {status} without a link"))?;
    let origin = window.location().origin().unwrap_or_default();
    let view = view.trim_start_matches('#');
    Ok(if view.is_empty() {
        format!("{origin}{path}")
    } else {
        format!("{origin}{path}#{view}")
    })
}
