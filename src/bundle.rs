//! The bisect-lens file: one log with its annotations and view as one JSON
//! object (`"format": "bisect-lens"`), and the library export that holds
//! many of them (`"format": "bisect-lens-library"`). The format is
//! documented in README.md ("The bisect-lens file").
//!
//! Annotations are opaque here: whatever JSON object the annotation feature
//! keeps under [`notes_key`] in `localStorage`.

use std::fmt;

use wasm_bindgen::JsCast;

use crate::doc::TextKey;
use crate::json::{Map, Value};

pub const FORMAT: &str = "bisect-lens";
pub const LIBRARY_FORMAT: &str = "bisect-lens-library";
/// The format version this viewer writes and the newest it reads.
pub const VERSION: u64 = 1;

/// One log with what belongs to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    pub format: String,
    pub version: u64,
    pub name: String,
    pub url: Option<String>,
    pub text: String,
    /// The annotations object, or `null` when the log has none.
    pub annotations: Option<Value>,
    /// The view as a URL fragment (see [`crate::fragment`]), without `#`.
    pub view: String,
    /// When the log was saved to the library (ISO 8601); library exports
    /// only (not written when `None`).
    pub saved: Option<String>,
}

impl Bundle {
    pub fn new(
        name: &str,
        url: Option<&str>,
        text: &str,
        annotations: Option<Value>,
        view: &str,
    ) -> Bundle {
        Bundle {
            format: FORMAT.to_string(),
            version: VERSION,
            name: name.to_string(),
            url: url.map(str::to_string),
            text: text.to_string(),
            annotations,
            view: view.trim_start_matches('#').to_string(),
            saved: None,
        }
    }

    pub fn to_json(&self) -> String {
        self.to_value().to_json_pretty()
    }

    /// The file's object, fields in the documented order.
    pub fn to_value(&self) -> Value {
        let mut o = Map::new();
        o.insert("format", self.format.as_str());
        o.insert("version", self.version);
        o.insert("name", self.name.as_str());
        o.insert("url", self.url.as_deref());
        o.insert("text", self.text.as_str());
        o.insert("annotations", self.annotations.clone().unwrap_or_default());
        o.insert("view", self.view.as_str());
        if let Some(saved) = &self.saved {
            o.insert("saved", saved.as_str());
        }
        Value::Object(o)
    }
}

/// Many logs: the library's "Export all".
pub fn library_json(logs: &[Bundle]) -> String {
    let logs: Vec<Value> = logs.iter().map(Bundle::to_value).collect();
    let mut o = Map::new();
    o.insert("format", LIBRARY_FORMAT);
    o.insert("version", VERSION);
    o.insert("logs", logs);
    Value::Object(o).to_json_pretty()
}

/// What a bisect-lens JSON file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Log(Bundle),
    Library(Vec<Bundle>),
}

/// Why a file cannot be read as a bisect-lens file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleError {
    /// Not JSON at all (with the browser's message, which names the
    /// position).
    NotJson(String),
    /// JSON, but no `"format": "bisect-lens"` or `"bisect-lens-library"`.
    NotBundle,
    /// Written by a newer bisect-lens.
    Newer { version: u64 },
    /// A bisect-lens file with a missing or wrong field.
    Malformed(String),
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleError::NotJson(e) => write!(f, "the file is not valid JSON ({e})"),
            BundleError::NotBundle => write!(
                f,
                "the JSON has no \"format\": \"{FORMAT}\" or \"{LIBRARY_FORMAT}\", so it is not a bisect-lens file"
            ),
            BundleError::Newer { version } => write!(
                f,
                "it was written by a newer bisect-lens (format version {version}); this viewer reads version {VERSION} — open it in an up-to-date bisect-lens"
            ),
            BundleError::Malformed(e) => write!(f, "the bisect-lens file is damaged: {e}"),
        }
    }
}

/// Whether `bytes` start like a JSON object (after whitespace or a BOM):
/// a bisection log never does, so such input is read as a bisect-lens file.
pub fn looks_like_json(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    b.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'{')
}

/// Reads a bisect-lens file or library export.
pub fn read(bytes: &[u8]) -> Result<Content, BundleError> {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(b)
        .map_err(|e| BundleError::NotJson(format!("invalid UTF-8 at byte {}", e.valid_up_to())))?;
    let v = Value::parse(text).map_err(BundleError::NotJson)?;
    let Value::Object(o) = v else {
        return Err(BundleError::NotBundle);
    };
    let format = o.get("format").and_then(Value::as_str);
    let library = match format {
        Some(FORMAT) => false,
        Some(LIBRARY_FORMAT) => true,
        _ => return Err(BundleError::NotBundle),
    };
    check_version(&o)?;
    if !library {
        return bundle_from(o, "").map(Content::Log);
    }
    let logs = match o.get("logs") {
        Some(Value::Array(a)) => a,
        _ => {
            return Err(BundleError::Malformed(
                "\"logs\" must be an array of bisect-lens files".into(),
            ))
        }
    };
    logs.iter()
        .enumerate()
        .map(|(i, l)| match l {
            Value::Object(o) => {
                let at = format!("logs[{i}]: ");
                if o.get("format").and_then(Value::as_str) != Some(FORMAT) {
                    return Err(BundleError::Malformed(format!(
                        "{at}\"format\" must be \"{FORMAT}\""
                    )));
                }
                check_version(o)?;
                bundle_from(o.clone(), &at)
            }
            _ => Err(BundleError::Malformed(format!(
                "logs[{i}] is not an object"
            ))),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Content::Library)
}

fn check_version(o: &Map) -> Result<(), BundleError> {
    match o.get("version").and_then(Value::as_u64) {
        Some(VERSION) => Ok(()),
        Some(v) if v > VERSION => Err(BundleError::Newer { version: v }),
        _ => Err(BundleError::Malformed(format!(
            "\"version\" must be a whole number (this viewer reads {VERSION})"
        ))),
    }
}

fn bundle_from(mut o: Map, at: &str) -> Result<Bundle, BundleError> {
    let bad =
        |field: &str, what: &str| BundleError::Malformed(format!("{at}\"{field}\" must be {what}"));
    let text = match o.remove("text") {
        Some(Value::String(s)) => s,
        Some(_) => return Err(bad("text", "the log text as a string")),
        None => return Err(bad("text", "present (the log text)")),
    };
    let name = match o.remove("name") {
        Some(Value::String(s)) => s,
        None | Some(Value::Null) => "bisect-lens file".to_string(),
        Some(_) => return Err(bad("name", "a string")),
    };
    let url = match o.remove("url") {
        Some(Value::String(s)) => Some(s),
        None | Some(Value::Null) => None,
        Some(_) => return Err(bad("url", "a string or null")),
    };
    let annotations = match o.remove("annotations") {
        Some(v @ Value::Object(_)) => Some(v),
        None | Some(Value::Null) => None,
        Some(_) => return Err(bad("annotations", "an object or null")),
    };
    let view = match o.remove("view") {
        Some(Value::String(s)) => s.trim_start_matches('#').to_string(),
        None | Some(Value::Null) => String::new(),
        Some(_) => return Err(bad("view", "a string (a URL fragment)")),
    };
    let saved = match o.remove("saved") {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    Ok(Bundle {
        format: FORMAT.to_string(),
        version: VERSION,
        name,
        url,
        text,
        annotations,
        view,
        saved,
    })
}

/// The log inside `bytes` when they are a bisect-lens file: its name, text
/// and view, with its annotations stored where the viewer reads them. Other
/// input comes back unchanged (`view` is `None`); JSON that is not a
/// bisect-lens file is left to the parser.
pub fn unpack(
    name: String,
    bytes: Vec<u8>,
) -> Result<(String, Vec<u8>, Option<String>), crate::state::LoadError> {
    use crate::state::LoadError;
    if !looks_like_json(&bytes) {
        return Ok((name, bytes, None));
    }
    match read(&bytes) {
        Ok(Content::Log(b)) => {
            if let Some(a) = &b.annotations {
                store_annotations(&TextKey::of(&b.text), a).map_err(|e| LoadError {
                    title: "The annotations of this file could not be restored".into(),
                    detail: format!(
                        "{name} holds annotations, but {e}. Free some browser storage and open it again."
                    ),
                    offer_file: false,
                })?;
            }
            Ok((b.name, b.text.into_bytes(), Some(b.view)))
        }
        Ok(Content::Library(logs)) => Err(LoadError {
            title: "This is a bisect-lens library export".into(),
            detail: format!(
                "{name} holds {} saved log(s). Import it on the Library page (/library, \u{201c}Import\u{201d}) to read them.",
                logs.len()
            ),
            offer_file: false,
        }),
        Err(BundleError::NotBundle) => Ok((name, bytes, None)),
        Err(e) => Err(LoadError {
            title: "This bisect-lens file cannot be opened".into(),
            detail: format!("{name}: {e}."),
            offer_file: true,
        }),
    }
}

/// The `localStorage` key of a log's annotations (shared with the
/// annotation feature).
pub fn notes_key(key: &TextKey) -> String {
    format!("bisect-lens.notes.{}", key.as_str())
}

/// The annotations kept for a log's text, if any (and if valid JSON).
pub fn load_annotations(key: &TextKey) -> Option<Value> {
    let raw = crate::notes::store::read(key)?;
    Value::parse(&raw).ok().filter(Value::is_object)
}

/// Stores a log's annotations where the viewer reads them when the log opens.
pub fn store_annotations(key: &TextKey, annotations: &Value) -> Result<(), String> {
    crate::notes::store::write(key, &annotations.to_json())
}

/// Offers `contents` as a file download.
pub fn download(file_name: &str, contents: &str, mime: &str) -> Result<(), String> {
    let fail = |_| "the browser refused to create the file".to_string();
    let parts = js_sys::Array::of1(&contents.into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(fail)?
        .dyn_into()
        .map_err(|_| "no link element".to_string())?;
    a.set_href(&url);
    a.set_download(file_name);
    a.set_attribute("hidden", "").ok();
    if let Some(body) = document.body() {
        body.append_child(&a).ok();
        a.click();
        body.remove_child(&a).ok();
    } else {
        a.click();
    }
    // Revoke later: the download reads the blob after this task.
    let cb = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 60_000);
    }
    Ok(())
}

/// A file name for a log: `<name>.bisect-lens.json`, only safe characters.
pub fn file_name(name: &str, suffix: &str) -> String {
    let base = name.rsplit('/').next().unwrap_or(name);
    let base = base
        .strip_suffix(".txt")
        .or_else(|| base.strip_suffix(".log"))
        .or_else(|| base.strip_suffix(".bisect-lens.json"))
        .unwrap_or(base);
    let mut out: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    if out.trim_matches(['_', '.']).is_empty() {
        out = "bisection".to_string();
    }
    format!("{out}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const LOG: &str = "bisecting cause commit starting from 1111111111111111111111111111111111111111\nrun #0: crashed: <b>x</b> \"quoted\" \u{fffd}\r\n";

    fn sample() -> Bundle {
        Bundle::new(
            "bisect.txt",
            Some("https://example.org/bisect.txt"),
            LOG,
            Value::parse(r#"{"version": 1, "notes": [{"step": 2, "text": "flaky?"}]}"#).ok(),
            "#step=3&tab=raw&L4-L6",
        )
    }

    #[wasm_bindgen_test]
    fn round_trip() {
        let b = sample();
        let json = b.to_json();
        assert!(looks_like_json(json.as_bytes()));
        assert_eq!(read(json.as_bytes()), Ok(Content::Log(b.clone())));
        assert_eq!(b.view, "step=3&tab=raw&L4-L6");
        // Read back by an independent JSON reader.
        let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(v["format"], "bisect-lens");
        assert_eq!(v["version"], 1);
        assert_eq!(v["text"], LOG);
        assert!(v.get("saved").is_none());
        // No annotations and no URL are written as null.
        let bare = Bundle::new("a", None, "x\n", None, "");
        let v: serde_json::Value = serde_json::from_str(&bare.to_json()).unwrap_or_default();
        assert_eq!(v["annotations"], serde_json::Value::Null);
        assert_eq!(v["url"], serde_json::Value::Null);
        assert_eq!(read(bare.to_json().as_bytes()), Ok(Content::Log(bare)));
    }

    #[wasm_bindgen_test]
    fn library_round_trip() {
        let mut a = sample();
        a.saved = Some("2026-12-01T20:00:00.000Z".into());
        let b = Bundle::new("b", None, "y\n", None, "");
        let json = library_json(&[a.clone(), b.clone()]);
        assert_eq!(read(json.as_bytes()), Ok(Content::Library(vec![a, b])));
        assert_eq!(
            read(br#"{"format":"bisect-lens-library","version":1,"logs":[]}"#),
            Ok(Content::Library(vec![]))
        );
    }

    #[wasm_bindgen_test]
    fn newer_version_is_refused() {
        let json = sample()
            .to_json()
            .replace("\"version\": 1", "\"version\": 2");
        let e = read(json.as_bytes()).err();
        assert_eq!(e, Some(BundleError::Newer { version: 2 }));
        assert!(e
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("newer bisect-lens"));
        let lib = br#"{"format":"bisect-lens-library","version":7,"logs":[]}"#;
        assert_eq!(read(lib), Err(BundleError::Newer { version: 7 }));
    }

    #[wasm_bindgen_test]
    fn malformed_files_get_clear_errors() {
        let msg = |s: &str| {
            read(s.as_bytes())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(msg(r#"{"format":"bisect-lens","version":1,"text":"#).contains("not valid JSON"));
        assert!(msg(r#"{"format":"bisect-lens","version":1}"#).contains("\"text\""));
        assert!(
            msg(r#"{"format":"bisect-lens","version":1,"text":5}"#).contains("\"text\" must be")
        );
        assert!(msg(r#"{"format":"bisect-lens","text":"x"}"#).contains("\"version\""));
        assert!(msg(r#"{"format":"bisect-lens","version":"1","text":"x"}"#).contains("\"version\""));
        assert!(
            msg(r#"{"format":"bisect-lens","version":1,"text":"x","annotations":[1]}"#)
                .contains("\"annotations\" must be an object or null")
        );
        assert!(
            msg(r#"{"format":"bisect-lens","version":1,"text":"x","view":3}"#).contains("\"view\"")
        );
        assert!(msg(r#"{"format":"bisect-lens-library","version":1,"logs":[{"format":"bisect-lens","version":1}]}"#)
            .contains("logs[0]: \"text\""));
        assert_eq!(read(br#"{"a":1}"#), Err(BundleError::NotBundle));
        assert_eq!(read(b"[1,2]"), Err(BundleError::NotBundle));
        assert!(!looks_like_json(
            b"bisecting cause commit starting from x\n"
        ));
        assert!(looks_like_json(b"\xEF\xBB\xBF  \n{\"format\""));
    }

    #[wasm_bindgen_test]
    fn file_names_are_safe() {
        assert_eq!(
            file_name("https://x.org/a/bisect.txt", ".bisect-lens.json"),
            "bisect.bisect-lens.json"
        );
        assert_eq!(file_name("../<evil> name", ".json"), "_evil__name.json");
        assert_eq!(file_name("", ".json"), "bisection.json");
    }
}
