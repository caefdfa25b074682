//! The library page (`/library`): logs saved in this browser, searchable by
//! bug title; open, delete, compare two, export all, import.
//!
//! Clicks record what to do; IndexedDB work runs in `use_effect_with`.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use crate::bundle::{self, Content};
use crate::components::file_button::FileButton;
use crate::library::{self, Entry};
use crate::load::human_size;
use crate::route::percent_encode;
use crate::state::Request;

#[derive(Properties, PartialEq)]
pub struct LibraryProps {
    pub on_open: Callback<Request>,
}

#[derive(Clone, PartialEq)]
enum Op {
    Open(String),
    Delete(String),
    ExportAll,
    Import(web_sys::File),
}

#[derive(Clone, PartialEq, Default)]
struct Messages {
    status: Option<String>,
    error: Option<String>,
}

/// Lower-cased by the browser: `str::to_lowercase` would link Rust's Unicode
/// case tables (about 5 KB gzip) for this one search box.
fn lower(s: &str) -> String {
    String::from(js_sys::JsString::from(s).to_lower_case())
}

fn matches(e: &Entry, q: &str) -> bool {
    q.is_empty()
        || e.title.as_deref().is_some_and(|t| lower(t).contains(q))
        || lower(&e.name).contains(q)
}

/// The app's base path (the library lives at `<base>library`).
fn base_path() -> String {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    let trimmed = path.trim_end_matches('/');
    match trimmed.strip_suffix("library") {
        Some(base) => base.to_string(),
        None => "/".to_string(),
    }
}

async fn read_text(file: &web_sys::File) -> Result<String, String> {
    let blob: &web_sys::Blob = file.as_ref();
    JsFuture::from(blob.text())
        .await
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| format!("{} could not be read", file.name()))
}

async fn run(op: Op, on_open: Callback<Request>) -> Messages {
    let ok = |m: String| Messages {
        status: Some(m),
        error: None,
    };
    let fail = |m: String| Messages {
        status: None,
        error: Some(m),
    };
    match op {
        Op::Open(key) => match library::get(&key).await {
            Ok(Some(b)) => {
                // The viewer lives at the base path; the library stays one "back" away.
                if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                    let _ =
                        h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&base_path()));
                }
                // Opened as a bisect-lens file: annotations and view come back too.
                on_open.emit(Request::Text {
                    name: b.name.clone(),
                    text: b.to_json(),
                });
                Messages::default()
            }
            Ok(None) => fail("This log is no longer in the library.".into()),
            Err(e) => fail(e.0),
        },
        Op::Delete(key) => match library::delete(&key).await {
            Ok(()) => ok("Deleted.".into()),
            Err(e) => fail(e.0),
        },
        Op::ExportAll => match library::export_all().await {
            Ok(logs) => {
                let json = bundle::library_json(&logs);
                let name = format!(
                    "bisect-lens-library-{}.json",
                    library::now_iso().get(..10).unwrap_or("")
                );
                match bundle::download(&name, &json, "application/json") {
                    Ok(()) => ok(format!(
                        "Exported {} log(s) as {name} ({}).",
                        logs.len(),
                        human_size(json.len() as u64)
                    )),
                    Err(e) => fail(format!("Export failed: {e}")),
                }
            }
            Err(e) => fail(e.0),
        },
        Op::Import(file) => {
            let name = file.name();
            let text = match read_text(&file).await {
                Ok(t) => t,
                Err(e) => return fail(format!("Import failed: {e}.")),
            };
            let logs = if bundle::looks_like_json(text.as_bytes()) {
                match bundle::read(text.as_bytes()) {
                    Ok(Content::Log(b)) => vec![b],
                    Ok(Content::Library(v)) => v,
                    Err(e) => return fail(format!("{name} cannot be imported: {e}.")),
                }
            } else {
                // A plain log.
                vec![bundle::Bundle::new(&name, None, &text, None, "")]
            };
            match library::save(&logs).await {
                Ok(entries) => ok(format!("Imported {} log(s) from {name}.", entries.len())),
                Err(e) => fail(e.0),
            }
        }
    }
}

#[function_component(Library)]
pub fn library_page(props: &LibraryProps) -> Html {
    let entries = use_state(|| None::<Rc<Vec<Entry>>>);
    let usage = use_state(|| None::<(f64, f64)>);
    let messages = use_state(Messages::default);
    let query = use_state(String::new);
    let picked = use_state(Vec::<String>::new);
    // The operation asked for, numbered so that repeats run again.
    let op = use_state(|| None::<(u64, Op)>);
    // Bumped after each operation to read the list again.
    let generation = use_state(|| 0u64);

    {
        let entries = entries.clone();
        let usage = usage.clone();
        let messages = messages.clone();
        use_effect_with(*generation, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match library::list().await {
                    Ok(list) => entries.set(Some(Rc::new(list))),
                    Err(e) => {
                        entries.set(Some(Rc::new(Vec::new())));
                        messages.set(Messages {
                            status: None,
                            error: Some(e.0),
                        });
                    }
                }
                usage.set(library::estimate().await);
            });
        });
    }
    {
        let messages = messages.clone();
        let generation = generation.clone();
        let picked = picked.clone();
        let on_open = props.on_open.clone();
        let current = (*op).clone();
        use_effect_with(current.as_ref().map(|(n, _)| *n), move |_| {
            if let Some((_, op)) = current {
                let deleted = match &op {
                    Op::Delete(k) => Some(k.clone()),
                    _ => None,
                };
                wasm_bindgen_futures::spawn_local(async move {
                    let m = run(op, on_open).await;
                    if let Some(k) = deleted {
                        picked.set(picked.iter().filter(|p| **p != k).cloned().collect());
                    }
                    messages.set(m);
                    generation.set(*generation + 1);
                });
            }
        });
    }

    let ask = {
        let op = op.clone();
        Callback::from(move |o: Op| {
            let n = op.as_ref().map_or(1, |(n, _)| n + 1);
            op.set(Some((n, o)));
        })
    };
    let on_search = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                query.set(i.value());
            }
        })
    };
    let q = lower(query.trim());
    let compare_href = match picked.as_slice() {
        [a, b] => Some(format!(
            "./?log={}&compare={}",
            percent_encode(&format!("library:{a}")),
            percent_encode(&format!("library:{b}"))
        )),
        _ => None,
    };

    let rows = match &*entries {
        None => {
            html! { <p class="muted" data-testid="library-loading">{ "Reading the library\u{2026}" }</p> }
        }
        Some(list) if list.is_empty() => html! {
            <p class="muted" data-testid="library-empty">{ "No saved logs yet. Open a log and use \u{201c}Save to library\u{201d} to keep it here, for reading offline." }</p>
        },
        Some(list) => {
            let shown: Vec<&Entry> = list.iter().filter(|e| matches(e, &q)).collect();
            html! {
                <>
                if shown.is_empty() {
                    <p class="muted" data-testid="library-no-match">{ "No saved log has that in its title." }</p>
                }
                <table class="library-table">
                    <thead><tr>
                        <th scope="col"><span class="visually-hidden">{ "Compare" }</span></th>
                        <th scope="col">{ "Bug" }</th>
                        <th scope="col">{ "Outcome" }</th>
                        <th scope="col">{ "Trust" }</th>
                        <th scope="col">{ "Saved" }</th>
                        <th scope="col"><span class="visually-hidden">{ "Actions" }</span></th>
                    </tr></thead>
                    <tbody>
                    { for shown.into_iter().map(|e| {
                        let key = e.key.clone();
                        let is_picked = picked.contains(&key);
                        let toggle = {
                            let picked = picked.clone();
                            let key = key.clone();
                            Callback::from(move |_: Event| {
                                let mut v: Vec<String> = picked.iter().filter(|k| **k != key).cloned().collect();
                                if !picked.contains(&key) {
                                    v.push(key.clone());
                                    // Two at most: the oldest pick goes.
                                    if v.len() > 2 {
                                        v.remove(0);
                                    }
                                }
                                picked.set(v);
                            })
                        };
                        let open = { let ask = ask.clone(); let key = key.clone(); Callback::from(move |_: MouseEvent| ask.emit(Op::Open(key.clone()))) };
                        let delete = { let ask = ask.clone(); let key = key.clone(); Callback::from(move |_: MouseEvent| ask.emit(Op::Delete(key.clone()))) };
                        let title = e.title.clone().unwrap_or_else(|| "(no bug title)".into());
                        let trust_class = match e.trust.as_str() { "trusted" => "trusted", "suspect" => "suspect", _ => "na" };
                        html! {
                            <tr data-testid="library-entry" data-key={key.clone()} data-outcome={e.outcome.clone()} data-trust={e.trust.clone()}>
                                <td><input type="checkbox" checked={is_picked} onchange={toggle} data-testid="library-pick"
                                    aria-label={format!("Pick {title} to compare")} /></td>
                                <td>
                                    <div class="library-title" data-testid="library-title">{ title.clone() }</div>
                                    <div class="muted small">
                                        { e.name.clone() }{ " \u{b7} " }{ human_size(e.bytes as u64) }
                                        if !e.kind.is_empty() { { " \u{b7} " }{ e.kind.clone() } }
                                        if e.has_notes { { " \u{b7} annotated" } }
                                    </div>
                                </td>
                                <td data-testid="library-outcome">{ e.outcome.replace('_', " ") }</td>
                                <td><span class={classes!("trust-badge", trust_class)} data-testid="library-trust">{ e.trust.clone() }</span></td>
                                <td class="nowrap"><time datetime={e.saved.clone()}>{ e.saved_short() }</time></td>
                                <td class="nowrap">
                                    <button type="button" class="primary" onclick={open} data-testid="library-open">{ "Open" }</button>
                                    { " " }
                                    <button type="button" onclick={delete} data-testid="library-delete" aria-label={format!("Delete {title}")}>{ "Delete" }</button>
                                </td>
                            </tr>
                        }
                    }) }
                    </tbody>
                </table>
                </>
            }
        }
    };

    let count = entries.as_ref().map_or(0, |l| l.len());
    html! {
        <section class="library" data-testid="library">
            <div class="library-head">
                <h1>{ "Library" }</h1>
                <p class="muted">{ "Logs saved in this browser (IndexedDB), with their annotations. They open without a network." }</p>
            </div>
            <div class="library-toolbar">
                <input type="search" placeholder="Search by bug title" aria-label="Search by bug title"
                    value={(*query).clone()} oninput={on_search} data-testid="library-search" />
                if let Some(href) = compare_href {
                    <a class="button" href={href} data-testid="library-compare">{ "Compare the two picked" }</a>
                } else {
                    <button type="button" disabled=true title="Pick two logs to compare" data-testid="library-compare">{ "Compare the two picked" }</button>
                }
                <button type="button" onclick={ { let ask = ask.clone(); move |_| ask.emit(Op::ExportAll) } }
                    disabled={count == 0} data-testid="library-export">{ "Export all" }</button>
                <span data-testid="library-import">
                    <FileButton label="Import" on_file={ask.reform(Op::Import)} />
                </span>
            </div>
            if let Some(e) = &messages.error {
                <div class="banner error" role="alert" data-testid="library-error">{ e.clone() }</div>
            }
            if let Some(s) = &messages.status {
                <p class="muted" role="status" data-testid="library-status">{ s.clone() }</p>
            }
            { rows }
            <p class="muted small" data-testid="library-usage">
                { format!("{count} saved log(s).") }
                if let Some((used, quota)) = *usage {
                    { format!(" This site uses {} of the {} the browser allows it.", human_size(used as u64), human_size(quota as u64)) }
                }
            </p>
        </section>
    }
}
