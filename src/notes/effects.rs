//! The notes' side effects: reading them when a log opens (merging those a
//! link brought), keeping them after each change, and fetching those shared
//! with a log on the server.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use super::{link, store, Notes};
use crate::state::{Action, State};

/// Loads and keeps the open log's notes; used once, by the app.
#[hook]
pub fn use_notes(state: &State, dispatch: Callback<Action>) {
    {
        let doc = state.doc().cloned();
        let incoming = state.link_notes.clone();
        let dispatch = dispatch.clone();
        use_effect_with(
            (doc.as_ref().map(|d| d.id), incoming),
            move |(_, incoming)| {
                let Some(doc) = doc else {
                    return;
                };
                let Some(data) = incoming.clone() else {
                    let (notes, error) = match store::load(&doc.key) {
                        Ok(n) => (n, None),
                        // Kept as they are until the reader writes a note.
                        Err(e) => (
                            Notes::default(),
                            Some(format!("The notes kept for this log cannot be shown: {e}.")),
                        ),
                    };
                    dispatch.emit(Action::NotesLoaded {
                        doc: doc.id,
                        notes,
                        error,
                    });
                    return;
                };
                wasm_bindgen_futures::spawn_local(async move {
                    let merged = match link::decode(&data).await {
                        Ok(json) => store::merge_in(&doc.key, &json).map_err(|e| e.to_string()),
                        Err(e) => Err(e),
                    };
                    let (notes, error) = match merged {
                        Ok(n) => (n, None),
                        Err(e) => (
                            store::load(&doc.key).unwrap_or_default(),
                            Some(format!("The notes in this link could not be read: {e}.")),
                        ),
                    };
                    dispatch.emit(Action::NotesLoaded {
                        doc: doc.id,
                        notes,
                        error,
                    });
                });
            },
        );
    }
    {
        let doc = state.doc().cloned();
        let notes = state.notes.clone();
        let owner = state.notes_for;
        use_effect_with(state.notes_rev, move |rev| {
            let Some(doc) = doc.filter(|d| *rev > 0 && owner == Some(d.id)) else {
                return;
            };
            if let Err(e) = store::save(&doc.key, &notes) {
                dispatch.emit(Action::NotesFailed(format!(
                    "Your notes could not be kept in this browser: {e}. Export the log to keep them."
                )));
            }
        });
    }
}

/// Stores the annotations uploaded with server log `id` (whose text is
/// `text`) where the viewer reads them. A log without them, or with damaged
/// ones, opens anyway.
pub async fn fetch_shared(id: &str, text: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let url = bisect_log::paths::with_id(bisect_log::paths::LOG_ANNOTATIONS, id);
    let Ok(resp) = JsFuture::from(window.fetch_with_str(&url)).await else {
        return;
    };
    let Ok(resp) = resp.dyn_into::<web_sys::Response>() else {
        return;
    };
    if !resp.ok() {
        return;
    }
    let Some(body) = resp.text().ok().map(JsFuture::from) else {
        return;
    };
    let Some(json) = body.await.ok().and_then(|t| t.as_string()) else {
        return;
    };
    if json.trim() == "null" {
        return;
    }
    if let Err(e) = store::merge_in(&crate::doc::TextKey::of(text), &json) {
        web_sys::console::warn_1(&format!("bisect-lens: notes of log {id}: {e}").into());
    }
}
