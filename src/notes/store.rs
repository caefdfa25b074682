//! Where a log's notes live: `localStorage["bisect-lens.notes.<text key>"]`
//! (the key [`crate::bundle::notes_key`] names, which the bisect-lens file
//! and the library read and write too).

use wasm_bindgen::JsCast;

use super::{Notes, NotesError};
use crate::bundle::notes_key;
use crate::doc::TextKey;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The JSON kept for a log's text, as stored.
pub fn read(key: &TextKey) -> Option<String> {
    storage()?.get_item(&notes_key(key)).ok().flatten()
}

/// Keeps `json` for a log's text, or says in words why the browser would not.
pub fn write(key: &TextKey, json: &str) -> Result<(), String> {
    let s = storage().ok_or("this browser offers no localStorage")?;
    s.set_item(&notes_key(key), json).map_err(|e| {
        let name = e
            .dyn_ref::<web_sys::DomException>()
            .map(|d| d.name())
            .unwrap_or_default();
        if name == "QuotaExceededError" {
            "the browser's storage for this site is full".to_string()
        } else {
            format!("the browser refused to store them ({name})")
        }
    })
}

/// The notes kept for a log's text (none when nothing is kept).
pub fn load(key: &TextKey) -> Result<Notes, NotesError> {
    match read(key) {
        Some(json) => Notes::parse(&json),
        None => Ok(Notes::default()),
    }
}

/// Keeps `notes` for a log's text (an empty list removes the entry).
pub fn save(key: &TextKey, notes: &Notes) -> Result<(), String> {
    if notes.is_empty() {
        let s = storage().ok_or("this browser offers no localStorage")?;
        let _ = s.remove_item(&notes_key(key));
        return Ok(());
    }
    write(key, &notes.to_json())
}

/// Adds notes that came with a link or a shared log to those kept for its
/// text, and returns them all.
pub fn merge_in(key: &TextKey, incoming: &str) -> Result<Notes, NotesError> {
    let incoming = Notes::parse(incoming)?;
    let mut notes = load(key)?;
    notes.merge(incoming);
    save(key, &notes).map_err(NotesError::Storage)?;
    Ok(notes)
}
