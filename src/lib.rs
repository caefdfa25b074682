//! bisect-lens viewer: opens a syzbot bisection log and shows its timeline,
//! runs, crash report, culprit and trust verdict.
//!
//! [`App`] owns the one [`state::State`] reducer; pages and components get
//! props and send [`state::Action`]s up through callbacks. Side effects
//! (loading, the URL fragment, storage, global keys, drag and drop) live in
//! `use_effect_with` hooks here and in the components that need them.

pub mod bundle;
pub mod compare;
pub mod components;
pub mod doc;
pub mod early;
pub mod fragment;
pub mod jobs;
pub mod json;
pub mod library;
pub mod links;
pub mod load;
pub mod notes;
pub mod num;
pub mod offline;
pub mod pages;
pub mod perf;
pub mod route;
pub mod settings;
pub mod state;
pub mod worker;

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::dialogs::{DropOverlay, Help, Settings};
use crate::components::header::Header;
use crate::components::log_actions::LogActions;
use crate::fragment::Fragment;
use crate::pages::failed::Failed;
use crate::pages::loading::Loading;
use crate::pages::start::Start;
use crate::pages::viewer::Viewer;
use crate::route::Route;
use crate::state::{Action, Load, Request, State};

/// Entry point of the page; does nothing in the parsing worker, which loads
/// this same module.
pub fn start() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let loc = window.location();
    let route = Route::parse(
        &loc.pathname().unwrap_or_default(),
        &loc.search().unwrap_or_default(),
    );
    let log_coming = matches!(route, Route::Log(_) | Route::Server(_));
    if log_coming {
        // Start the background parser before the first render.
        worker::warm_up();
    } else if let Some(w) = early::take_worker() {
        w.terminate();
    }
    yew::Renderer::<App>::new().render();
    if !log_coming {
        // Else once the log is open (load.rs).
        offline::register();
    }
}

fn initial_state() -> State {
    let loc = web_sys::window().map(|w| w.location());
    let get = |f: fn(&web_sys::Location) -> Result<String, wasm_bindgen::JsValue>| {
        loc.as_ref().and_then(|l| f(l).ok()).unwrap_or_default()
    };
    State::new(
        Route::parse(
            &get(web_sys::Location::pathname),
            &get(web_sys::Location::search),
        ),
        Fragment::parse(&get(web_sys::Location::hash)),
        settings::load_theme(),
        settings::load_source_template(),
    )
}

/// Whether a key event comes from a text field (global keys are then off).
fn typing_in_field(e: &web_sys::Event) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            let tag = el.tag_name().to_ascii_lowercase();
            matches!(tag.as_str(), "input" | "textarea" | "select")
                || el.has_attribute("contenteditable")
        })
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(initial_state);
    // One callback for the page's life: a new one each render made every
    // component that takes it render again on any change of state.
    let dispatch = use_callback(state.dispatcher(), |a: Action, d| d.dispatch(a));

    // Load whatever was requested (by the address, a file, a drop, a paste).
    {
        let request = state.request.clone();
        let dispatch = dispatch.clone();
        use_effect_with(request.as_ref().map(|(n, _)| *n), move |_| {
            if let Some((nonce, req)) = request {
                if matches!(req, Request::File(_) | Request::Text { .. }) {
                    // The address no longer names the open log.
                    set_address(None, "");
                }
                wasm_bindgen_futures::spawn_local(load::run(nonce, req, dispatch));
            }
        });
    }

    notes::effects::use_notes(&state, dispatch.clone());

    // Keep the view in the URL fragment once a log is open.
    {
        let fragment = state.fragment().format();
        let ready = state.doc().map(|d| d.id);
        // The compare page keeps its `?log=A&compare=B` address.
        let idle = matches!(state.load, Load::Idle)
            && !matches!(
                state.route,
                Route::Compare(..) | Route::NewJob | Route::Job(_)
            );
        // Back at the start page (the brand link): leave the page's own path too.
        let home = state.route == Route::Start;
        // Also once a link's notes are merged: the address then drops them.
        let merging = state.link_notes.is_some();
        use_effect_with(
            (fragment, ready, idle, home, merging),
            |(fragment, ready, idle, home, _)| {
                if ready.is_some() {
                    set_address(Some(fragment), "keep");
                } else if *idle {
                    set_address(None, if *home { "home" } else { "" });
                }
            },
        );
    }

    // The opened log is interactive once it is on screen.
    {
        let id = state.doc().map(|d| d.id);
        let title = state
            .doc()
            .and_then(|d| d.bisection())
            .and_then(|b| b.bug_title())
            .map(str::to_string);
        use_effect_with(id, move |id| {
            if id.is_some() {
                load::mark_interactive();
            }
            if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                doc.set_title(&match title {
                    Some(t) => format!("{t} \u{2014} bisect-lens"),
                    None => "bisect-lens".to_string(),
                });
            }
        });
    }

    // Theme and source host settings.
    use_effect_with(state.theme, |theme| {
        settings::save_theme(*theme);
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("data-theme", theme.as_str());
        }
    });
    use_effect_with(state.source_template.clone(), |t| {
        settings::save_source_template(t);
    });

    // Whether a bisect-lens server serves the page (the "New bisection" link).
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let present = jobs::api::server_present().await;
                dispatch.emit(Action::ServerDetected(present));
            });
        });
    }

    // Global listeners: back/forward in the fragment, keys, drag and drop, paste.
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            let listeners = global_listeners(dispatch);
            move || drop(listeners)
        });
    }

    let on_open = dispatch.reform(Action::Open);
    let content = full_page(&state, &dispatch, &on_open)
        .unwrap_or_else(|| log_content(&state, &dispatch, &on_open));
    let doc_name = state.doc().map(|d| d.name.clone());
    html! {
        <>
            <a class="skip-link" href="#main">{ "Skip to content" }</a>
            <Header doc_name={doc_name} theme={state.theme} server={state.server == Some(true)} on_action={dispatch.clone()} on_open={on_open.clone()} />
            <main id="main" class="main" tabindex="-1">{ content }</main>
            if state.help_open {
                <Help on_action={dispatch.clone()} />
            }
            if state.settings_open {
                <Settings
                    theme={state.theme}
                    source_template={state.source_template.clone()}
                    on_action={dispatch.clone()}
                />
            }
            if state.dragging {
                <DropOverlay />
            }
        </>
    }
}

/// The page for the open log (or the start page).
fn log_content(state: &State, dispatch: &Callback<Action>, on_open: &Callback<Request>) -> Html {
    match &state.load {
        Load::Idle => {
            html! { <Start on_open={on_open.clone()} server={state.server == Some(true)} /> }
        }
        Load::Loading {
            what,
            stage,
            done,
            total,
        } => html! { <Loading what={what.clone()} stage={*stage} done={*done} total={*total} /> },
        Load::Failed(error) => html! { <Failed error={error.clone()} on_open={on_open.clone()} /> },
        Load::Ready(doc) => html! {
            <>
            if state.via_server {
                <p class="banner info" role="status" data-testid="via-server">
                    { "Fetched through the bisect-lens server: this site does not let the browser read the log directly." }
                </p>
            }
            <LogActions
                doc={doc.clone()}
                url={match &state.request { Some((_, Request::Url(u))) => Some(u.clone()), _ => None }}
                view={state.fragment().format()}
                notes={notes_of(state, doc)}
                server={state.server == Some(true)}
            />
            { viewer(state, doc, dispatch) }
            </>
        },
    }
}

/// The pages of the `full` build: a new bisection, a live job, two logs
/// compared, the library (`None`: the route shows a log, or the start page).
#[cfg(feature = "full")]
fn full_page(
    state: &State,
    dispatch: &Callback<Action>,
    on_open: &Callback<Request>,
) -> Option<Html> {
    use crate::pages::{compare::Compare, job::JobPage, library::Library, new_job::NewJob};
    Some(match (&state.route, &state.job, &state.load) {
        (Route::NewJob, _, _) => html! { <NewJob /> },
        (Route::Job(_), Some(job), _) => html! {
            <JobPage job={job.clone()} doc={state.doc().cloned()} on_action={dispatch.clone()}>
                if let Some(doc) = state.doc() {
                    { viewer(state, doc, dispatch) }
                }
            </JobPage>
        },
        (Route::Compare(a, b), _, Load::Idle) => html! { <Compare a={a.clone()} b={b.clone()} /> },
        (Route::Library, _, Load::Idle) => html! { <Library on_open={on_open.clone()} /> },
        _ => return None,
    })
}

/// The viewer's build leaves these pages to the `full` one, which index.html
/// loads on their addresses; this shows only if the page was reached some
/// other way.
#[cfg(not(feature = "full"))]
fn full_page(state: &State, _: &Callback<Action>, _: &Callback<Request>) -> Option<Html> {
    let full = match (&state.route, &state.load) {
        (Route::NewJob, _) => true,
        (Route::Job(_), _) => state.job.is_some(),
        (Route::Compare(..) | Route::Library, Load::Idle) => true,
        _ => false,
    };
    let reload = Callback::from(|e: MouseEvent| {
        e.prevent_default();
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    full.then(|| {
        html! {
            <section class="page" data-testid="needs-full">
                <h1>{ "This page is not part of the viewer" }</h1>
                <p>{ "The library, comparisons, new bisections and jobs load a larger build of bisect-lens. " }
                    <a href="" onclick={reload}>{ "Reload the page" }</a>{ " to load it." }</p>
            </section>
        }
    })
}

/// The views of an open log, as the state has them.
fn viewer(state: &State, doc: &std::rc::Rc<doc::Doc>, dispatch: &Callback<Action>) -> Html {
    html! {
        <Viewer
            doc={doc.clone()}
            step={state.step}
            diag={state.diag}
            tab={state.tab}
            lines={state.lines}
            scroll={state.scroll}
            search={state.search.clone()}
            search_focus={state.search_focus}
            source_template={state.source_template.clone()}
            notes={notes_of(state, doc)}
            notes_error={state.notes_error.clone()}
            on_action={dispatch.clone()}
        />
    }
}

/// The open log's notes; none while another log's are still in the state.
fn notes_of(state: &State, doc: &doc::Doc) -> std::rc::Rc<notes::Notes> {
    if state.notes_for == Some(doc.id) {
        state.notes.clone()
    } else {
        std::rc::Rc::default()
    }
}

/// Rewrites the address without a navigation: the fragment (`Some`), and
/// the query (`"keep"` keeps it, anything else drops it; `"home"` also
/// goes back to the start page's path).
fn set_address(fragment: Option<&str>, query: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let loc = window.location();
    let here = loc.pathname().unwrap_or_default();
    let path = if query == "home" {
        route::home_path(&here)
    } else {
        here.clone()
    };
    let search = if query == "keep" {
        loc.search().unwrap_or_default()
    } else {
        String::new()
    };
    let hash = match fragment {
        Some(f) if !f.is_empty() => format!("#{f}"),
        _ => String::new(),
    };
    let url = format!("{path}{search}{hash}");
    let current = format!(
        "{here}{}{}",
        loc.search().unwrap_or_default(),
        loc.hash().unwrap_or_default()
    );
    if url != current {
        if let Ok(h) = window.history() {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
}

fn global_listeners(dispatch: Callback<Action>) -> Vec<EventListener> {
    let Some(window) = web_sys::window() else {
        return Vec::new();
    };
    let target: &web_sys::EventTarget = window.as_ref();
    let mut out = Vec::new();
    let active = EventListenerOptions::enable_prevent_default();

    let d = dispatch.clone();
    out.push(EventListener::new(target, "hashchange", move |_| {
        let hash = web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default();
        d.emit(Action::ApplyFragment(Fragment::parse(&hash)));
    }));

    let d = dispatch.clone();
    out.push(EventListener::new_with_options(
        target,
        "keydown",
        active,
        move |e| {
            let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                return;
            };
            if k.key() == "Escape" {
                d.emit(Action::CloseOverlays);
                return;
            }
            if k.ctrl_key() || k.meta_key() || k.alt_key() || typing_in_field(e) {
                return;
            }
            let action = match k.key().as_str() {
                "j" => Action::StepBy(1),
                "k" => Action::StepBy(-1),
                "n" => Action::ProblemBy(1),
                "p" => Action::ProblemBy(-1),
                "/" => Action::FocusSearch,
                "?" => Action::ToggleHelp,
                _ => return,
            };
            e.prevent_default();
            d.emit(action);
        },
    ));

    let d = dispatch.clone();
    out.push(EventListener::new_with_options(
        target,
        "dragover",
        active,
        move |e| {
            let has_files = e
                .dyn_ref::<web_sys::DragEvent>()
                .and_then(|d| d.data_transfer())
                .is_some_and(|dt| dt.types().includes(&"Files".into(), 0));
            if has_files {
                e.prevent_default();
                d.emit(Action::SetDragging(true));
            }
        },
    ));
    let d = dispatch.clone();
    out.push(EventListener::new(target, "dragleave", move |e| {
        // Leaving the window: no related target.
        let left = e
            .dyn_ref::<web_sys::DragEvent>()
            .is_some_and(|m| m.related_target().is_none());
        if left {
            d.emit(Action::SetDragging(false));
        }
    }));
    let d = dispatch.clone();
    out.push(EventListener::new_with_options(
        target,
        "drop",
        active,
        move |e| {
            e.prevent_default();
            d.emit(Action::SetDragging(false));
            let file = e
                .dyn_ref::<web_sys::DragEvent>()
                .and_then(|d| d.data_transfer())
                .and_then(|dt| dt.files())
                .and_then(|f| f.get(0));
            if let Some(file) = file {
                d.emit(Action::Open(Request::File(file)));
            }
        },
    ));

    let d = dispatch;
    out.push(EventListener::new(target, "paste", move |e| {
        if typing_in_field(e) {
            return;
        }
        let Some(data) = e
            .dyn_ref::<web_sys::ClipboardEvent>()
            .and_then(|c| c.clipboard_data())
        else {
            return;
        };
        if let Some(file) = data.files().and_then(|f| f.get(0)) {
            d.emit(Action::Open(Request::File(file)));
            return;
        }
        if let Ok(text) = data.get_data("text/plain") {
            if !text.trim().is_empty() {
                d.emit(Action::Open(Request::Text {
                    name: "pasted log".to_string(),
                    text,
                }));
            }
        }
    }));
    out
}
