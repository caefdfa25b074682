//! The library of saved logs, in IndexedDB (database `bisect-lens`).
//!
//! Two object stores keyed by [`crate::doc::text_key`]: `meta` (what the
//! list shows: title, outcome, trust, date — small, read in one go) and
//! `logs` (text, annotations, view). A save, an import or a delete is one
//! transaction over both stores, so a failure (a full disk, a quota) leaves
//! the library as it was.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransaction, IdbTransactionMode};

use crate::bundle::Bundle;
use crate::json::{Map, Value};

const DB: &str = "bisect-lens";
const DB_VERSION: u32 = 1;
const META: &str = "meta";
const LOGS: &str = "logs";

/// What the library list shows of a saved log.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// [`crate::doc::text_key`] of the text.
    pub key: String,
    pub name: String,
    pub url: Option<String>,
    /// The bug title (the crash on the original commit).
    pub title: Option<String>,
    /// `culprit`, `inconclusive`, … as in `bisect-log summary`.
    pub outcome: String,
    /// `trusted`, `suspect` or `n/a`.
    pub trust: String,
    pub culprit: Option<String>,
    /// `cause` or `fix`.
    pub kind: String,
    /// ISO 8601.
    pub saved: String,
    pub bytes: usize,
    pub has_notes: bool,
}

/// The heavy part of a saved log.
#[derive(Debug, Clone, PartialEq)]
struct Stored {
    key: String,
    text: String,
    annotations: Option<Value>,
    view: String,
}

impl Entry {
    /// The list entry of a log: parsed and analysed here.
    pub fn of(b: &Bundle, saved: &str) -> Entry {
        let (title, outcome, trust, culprit, kind) = match bisect_log::parse(&b.text) {
            Ok(bis) => {
                let s = bisect_log::Summary::new(&b.name, &bis);
                let kind = match s.kind {
                    bisect_log::Kind::Cause => "cause",
                    bisect_log::Kind::Fix => "fix",
                }
                .to_string();
                (s.title, s.outcome, s.trust, s.culprit, kind)
            }
            Err(_) => (
                None,
                "not a bisection log".to_string(),
                "n/a".to_string(),
                None,
                String::new(),
            ),
        };
        Entry {
            key: crate::doc::text_key(&b.text),
            name: b.name.clone(),
            url: b.url.clone(),
            title,
            outcome,
            trust,
            culprit,
            kind,
            saved: saved.to_string(),
            bytes: b.text.len(),
            has_notes: b.annotations.is_some(),
        }
    }

    /// The date part of [`Entry::saved`] with the time to the minute.
    pub fn saved_short(&self) -> String {
        self.saved
            .get(..16)
            .unwrap_or(&self.saved)
            .replace('T', " ")
    }
}

/// Now, ISO 8601 (UTC).
pub fn now_iso() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// A library failure, worded for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibError(pub String);

impl std::fmt::Display for LibError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn dom_name(e: &JsValue) -> (String, String) {
    match e.dyn_ref::<web_sys::DomException>() {
        Some(d) => (d.name(), d.message()),
        None => match e.dyn_ref::<js_sys::Error>() {
            Some(err) => (String::from(err.name()), String::from(err.message())),
            None => (String::new(), e.as_string().unwrap_or_default()),
        },
    }
}

/// Words an IndexedDB failure; `what` is what was being done.
fn lib_error(what: &str, e: &JsValue) -> LibError {
    let (name, message) = dom_name(e);
    LibError(match name.as_str() {
        "QuotaExceededError" => format!(
            "{what} failed: the browser's storage for this site is full (QuotaExceededError). Delete saved logs you no longer need or free disk space, then try again. Nothing already in the library was lost."
        ),
        "InvalidStateError" | "UnknownError" | "SecurityError" | "NotAllowedError" => format!(
            "{what} failed: the browser does not let this page use its storage ({name}: {message}). Private windows and some privacy settings block it. Nothing already in the library was lost."
        ),
        _ => format!(
            "{what} failed ({}). Nothing already in the library was lost.",
            if name.is_empty() { message } else { format!("{name}: {message}") }
        ),
    })
}

/// Awaits an IndexedDB request: its result, or its error.
async fn request(r: &IdbRequest) -> Result<JsValue, JsValue> {
    let p = js_sys::Promise::new(&mut |resolve, reject| {
        r.set_onsuccess(Some(&resolve));
        r.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(p).await;
    r.set_onsuccess(None);
    r.set_onerror(None);
    match outcome {
        Ok(_) => r.result(),
        Err(_) => Err(r
            .error()
            .ok()
            .flatten()
            .map(JsValue::from)
            .unwrap_or_else(|| JsValue::from_str("the request failed"))),
    }
}

/// Awaits the end of a transaction: `Ok` once committed.
async fn committed(tx: &IdbTransaction) -> Result<(), JsValue> {
    let p = js_sys::Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onerror(Some(&reject));
        tx.set_onabort(Some(&reject));
    });
    let outcome = JsFuture::from(p).await;
    match outcome {
        Ok(_) => Ok(()),
        Err(_) => Err(tx
            .error()
            .map(JsValue::from)
            .unwrap_or_else(|| JsValue::from_str("the transaction was aborted"))),
    }
}

async fn open() -> Result<IdbDatabase, LibError> {
    let what = "Opening the library";
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| {
            LibError(
                "This browser offers no IndexedDB here (a private window?): the library is not available."
                    .into(),
            )
        })?;
    let req = factory
        .open_with_u32(DB, DB_VERSION)
        .map_err(|e| lib_error(what, &e))?;
    let upgrade = {
        let req = req.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| {
            let Ok(db) = req.result().and_then(|r| r.dyn_into::<IdbDatabase>()) else {
                return;
            };
            let names = db.object_store_names();
            for store in [META, LOGS] {
                if !names.contains(store) {
                    let params = web_sys::IdbObjectStoreParameters::new();
                    params.set_key_path(&JsValue::from_str("key"));
                    let _ = db.create_object_store_with_optional_parameters(store, &params);
                }
            }
        })
    };
    req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let result = request(&req).await;
    req.set_onupgradeneeded(None);
    drop(upgrade);
    result
        .and_then(|db| db.dyn_into::<IdbDatabase>())
        .map_err(|e| lib_error(what, &e))
}

fn transaction(db: &IdbDatabase, write: bool) -> Result<IdbTransaction, JsValue> {
    let stores = js_sys::Array::of2(&META.into(), &LOGS.into());
    let mode = if write {
        IdbTransactionMode::Readwrite
    } else {
        IdbTransactionMode::Readonly
    };
    db.transaction_with_str_sequence_and_mode(&stores, mode)
}

/// The stores hold plain objects with these fields (what serde wrote when
/// the library was introduced; kept so saved libraries stay readable).
trait Record: Sized {
    fn to_map(&self) -> Map;
    fn from_map(m: &mut Map) -> Option<Self>;
}

fn to_js<T: Record>(v: &T) -> Result<JsValue, JsValue> {
    Ok(Value::Object(v.to_map()).to_js())
}

fn from_js<T: Record>(v: &JsValue) -> Option<T> {
    match Value::from_js(v) {
        Value::Object(mut m) => T::from_map(&mut m),
        _ => None,
    }
}

fn take_string(m: &mut Map, key: &str) -> Option<String> {
    match m.remove(key)? {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// `Some(None)` for a missing field or `null`, `None` for a wrong type.
fn take_opt_string(m: &mut Map, key: &str) -> Option<Option<String>> {
    match m.remove(key) {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(s)) => Some(Some(s)),
        Some(_) => None,
    }
}

impl Record for Entry {
    fn to_map(&self) -> Map {
        let mut o = Map::new();
        o.insert("key", self.key.as_str());
        o.insert("name", self.name.as_str());
        o.insert("url", self.url.as_deref());
        o.insert("title", self.title.as_deref());
        o.insert("outcome", self.outcome.as_str());
        o.insert("trust", self.trust.as_str());
        o.insert("culprit", self.culprit.as_deref());
        o.insert("kind", self.kind.as_str());
        o.insert("saved", self.saved.as_str());
        o.insert("bytes", self.bytes);
        o.insert("has_notes", self.has_notes);
        o
    }

    fn from_map(m: &mut Map) -> Option<Entry> {
        Some(Entry {
            key: take_string(m, "key")?,
            name: take_string(m, "name")?,
            url: take_opt_string(m, "url")?,
            title: take_opt_string(m, "title")?,
            outcome: take_string(m, "outcome")?,
            trust: take_string(m, "trust")?,
            culprit: take_opt_string(m, "culprit")?,
            kind: take_string(m, "kind")?,
            saved: take_string(m, "saved")?,
            bytes: m.get("bytes").and_then(Value::as_u64)? as usize,
            has_notes: m.get("has_notes").and_then(Value::as_bool)?,
        })
    }
}

impl Record for Stored {
    fn to_map(&self) -> Map {
        let mut o = Map::new();
        o.insert("key", self.key.as_str());
        o.insert("text", self.text.as_str());
        o.insert("annotations", self.annotations.clone().unwrap_or_default());
        o.insert("view", self.view.as_str());
        o
    }

    fn from_map(m: &mut Map) -> Option<Stored> {
        Some(Stored {
            key: take_string(m, "key")?,
            text: take_string(m, "text")?,
            annotations: match m.remove("annotations") {
                None | Some(Value::Null) => None,
                Some(v) => Some(v),
            },
            view: take_string(m, "view")?,
        })
    }
}

/// Every saved log, newest first.
pub async fn list() -> Result<Vec<Entry>, LibError> {
    let what = "Reading the library";
    let db = open().await?;
    let run = async {
        let tx = transaction(&db, false)?;
        let all = request(&tx.object_store(META)?.get_all()?).await?;
        Ok::<_, JsValue>(all)
    };
    let all = run.await.map_err(|e| lib_error(what, &e));
    db.close();
    let all: js_sys::Array = all?.unchecked_into();
    let mut out: Vec<Entry> = all.iter().filter_map(|v| from_js(&v)).collect();
    out.sort_by(|a, b| b.saved.cmp(&a.saved).then_with(|| a.key.cmp(&b.key)));
    Ok(out)
}

/// A saved log as a bisect-lens file (with its date in `saved`).
pub async fn get(key: &str) -> Result<Option<Bundle>, LibError> {
    let what = "Reading the saved log";
    let db = open().await?;
    let run = async {
        let tx = transaction(&db, false)?;
        let k = JsValue::from_str(key);
        // Both requests are placed before awaiting either.
        let meta = tx.object_store(META)?.get(&k)?;
        let log = tx.object_store(LOGS)?.get(&k)?;
        Ok::<_, JsValue>((request(&meta).await?, request(&log).await?))
    };
    let got = run.await.map_err(|e| lib_error(what, &e));
    db.close();
    let (meta, log) = got?;
    Ok(join(&meta, &log))
}

fn join(meta: &JsValue, log: &JsValue) -> Option<Bundle> {
    let meta: Entry = from_js(meta)?;
    let log: Stored = from_js(log)?;
    let mut b = Bundle::new(
        &meta.name,
        meta.url.as_deref(),
        &log.text,
        log.annotations,
        &log.view,
    );
    b.saved = Some(meta.saved);
    Some(b)
}

/// Saves logs (a new save of the same text replaces the older one), all or
/// none. Returns their entries.
pub async fn save(logs: &[Bundle]) -> Result<Vec<Entry>, LibError> {
    let what = if logs.len() == 1 {
        "Saving the log"
    } else {
        "Importing the logs"
    };
    let now = now_iso();
    let entries: Vec<(Entry, Stored)> = logs
        .iter()
        .map(|b| {
            let e = Entry::of(b, b.saved.as_deref().unwrap_or(&now));
            let s = Stored {
                key: e.key.clone(),
                text: b.text.clone(),
                annotations: b.annotations.clone(),
                view: b.view.clone(),
            };
            (e, s)
        })
        .collect();
    let values = entries
        .iter()
        .map(|(e, s)| Ok((to_js(e)?, to_js(s)?)))
        .collect::<Result<Vec<_>, JsValue>>()
        .map_err(|e| lib_error(what, &e))?;
    let db = open().await?;
    let run = async {
        let tx = transaction(&db, true)?;
        let put_all = || -> Result<(), JsValue> {
            let meta = tx.object_store(META)?;
            let store = tx.object_store(LOGS)?;
            for (e, s) in &values {
                store.put(s)?;
                meta.put(e)?;
            }
            Ok(())
        };
        if let Err(e) = put_all() {
            // Nothing of this save may stay.
            let _ = tx.abort();
            return Err(e);
        }
        // A failing request aborts the transaction: `committed` reports it.
        committed(&tx).await
    };
    let done = run.await.map_err(|e| lib_error(what, &e));
    db.close();
    done.map(|_| entries.into_iter().map(|(e, _)| e).collect())
}

pub async fn delete(key: &str) -> Result<(), LibError> {
    let db = open().await?;
    let run = async {
        let tx = transaction(&db, true)?;
        let k = JsValue::from_str(key);
        tx.object_store(LOGS)?.delete(&k)?;
        tx.object_store(META)?.delete(&k)?;
        committed(&tx).await
    };
    let done = run.await.map_err(|e| lib_error("Deleting the log", &e));
    db.close();
    done
}

/// Every saved log, newest first, for "Export all".
pub async fn export_all() -> Result<Vec<Bundle>, LibError> {
    let db = open().await?;
    let run = async {
        let tx = transaction(&db, false)?;
        let meta = tx.object_store(META)?.get_all()?;
        let logs = tx.object_store(LOGS)?.get_all()?;
        Ok::<_, JsValue>((request(&meta).await?, request(&logs).await?))
    };
    let got = run
        .await
        .map_err(|e| lib_error("Exporting the library", &e));
    db.close();
    let (meta, logs) = got?;
    let logs: js_sys::Array = logs.unchecked_into();
    let mut entries: Vec<Entry> = meta
        .unchecked_into::<js_sys::Array>()
        .iter()
        .filter_map(|v| from_js(&v))
        .collect();
    entries.sort_by(|a, b| b.saved.cmp(&a.saved).then_with(|| a.key.cmp(&b.key)));
    let stored: Vec<Stored> = logs.iter().filter_map(|v| from_js(&v)).collect();
    Ok(entries
        .into_iter()
        .filter_map(|e| {
            let s = stored.iter().find(|s| s.key == e.key)?;
            let mut b = Bundle::new(
                &e.name,
                e.url.as_deref(),
                &s.text,
                s.annotations.clone(),
                &s.view,
            );
            b.saved = Some(e.saved);
            Some(b)
        })
        .collect())
}

/// How much the site stores and may store, in bytes (`navigator.storage`).
pub async fn estimate() -> Option<(f64, f64)> {
    let storage = web_sys::window()?.navigator().storage();
    let est = JsFuture::from(storage.estimate().ok()?).await.ok()?;
    let get = |k: &str| {
        js_sys::Reflect::get(&est, &JsValue::from_str(k))
            .ok()
            .and_then(|v| v.as_f64())
    };
    Some((get("usage")?, get("quota")?))
}
