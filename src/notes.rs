//! Annotations: notes any reader attaches to a step, a run, a diagnostic or
//! a range of raw lines, and doubted verdicts ("I think this step was really
//! good, because …") that feed the trust analysis's what-if.
//!
//! They are kept per log text (see [`store`]) as the `annotations` object of
//! the bisect-lens file: `{"version":1,"notes":[…]}`, one object per note:
//!
//! | key | meaning |
//! |---|---|
//! | `on` | `"step"`, `"run"`, `"diag"` or `"lines"` |
//! | `step` | 1-based step (`step`, `run`) |
//! | `run` | 1-based run of that step (`run`) |
//! | `diag` | 1-based diagnostic (`diag`) |
//! | `lines` | `[first, last]` raw lines (`lines`) |
//! | `text` | the note |
//! | `doubt` | `"good"` or `"bad"`: what the step's verdict really was (`step` only) |
//!
//! The JSON goes through the browser's `JSON` (not serde) to keep the wasm
//! small.

pub mod effects;
pub mod link;
pub mod store;

use std::fmt;

use bisect_log::Verdict;
use js_sys::{Array, Object, JSON};

use crate::json::fields::{field as get, set};
use wasm_bindgen::JsValue;

/// The version of the annotations object this viewer writes and reads.
pub const VERSION: u32 = 1;

/// What a note is attached to (0-based indexes; the JSON is 1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Step(usize),
    Run { step: usize, run: usize },
    Diag(usize),
    Lines(u32, u32),
}

impl Target {
    /// How the target is named on screen.
    pub fn label(self) -> String {
        match self {
            Target::Step(s) => format!("step {}", s + 1),
            Target::Run { step, run } => format!("step {}, run {}", step + 1, run + 1),
            Target::Diag(d) => format!("diagnostic {}", d + 1),
            Target::Lines(a, b) if a == b => format!("line {a}"),
            Target::Lines(a, b) => format!("lines {a}\u{2013}{b}"),
        }
    }

    /// The step this target belongs to, if any.
    pub fn step(self) -> Option<usize> {
        match self {
            Target::Step(s) | Target::Run { step: s, .. } => Some(s),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub target: Target,
    pub text: String,
    /// A doubted verdict: what the reader thinks git should have been told
    /// (steps only; git's words, so in a fix bisection `good` still crashes).
    pub doubt: Option<Verdict>,
}

/// Every note on one log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Notes(pub Vec<Note>);

/// Why an annotations object cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotesError {
    NotJson,
    Newer(u32),
    Malformed(String),
    /// Read, but could not be kept in the browser.
    Storage(String),
}

impl fmt::Display for NotesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotesError::NotJson => write!(f, "the annotations are not valid JSON"),
            NotesError::Newer(v) => write!(
                f,
                "the annotations were written by a newer bisect-lens (version {v}; this viewer reads {VERSION})"
            ),
            NotesError::Malformed(e) => write!(f, "the annotations are damaged: {e}"),
            NotesError::Storage(e) => write!(f, "the annotations could not be kept: {e}"),
        }
    }
}

/// A 1-based JSON number as a 0-based index.
fn index(o: &JsValue, key: &str) -> Option<usize> {
    get(o, key)
        .as_f64()
        .filter(|n| n.fract() == 0.0 && *n >= 1.0 && *n <= 1e9)
        .map(|n| n as usize - 1)
}

fn line(v: &JsValue) -> Option<u32> {
    v.as_f64()
        .filter(|n| n.fract() == 0.0 && *n >= 1.0 && *n <= f64::from(u32::MAX))
        .map(|n| n as u32)
}

impl Notes {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The doubted verdicts: `(step, verdict)`.
    pub fn doubts(&self) -> impl Iterator<Item = (usize, Verdict)> + '_ {
        self.0
            .iter()
            .filter_map(|n| Some((n.target.step()?, n.doubt?)))
    }

    /// Notes on `target`, with their indexes.
    pub fn on(&self, target: Target) -> impl Iterator<Item = (usize, &Note)> + '_ {
        self.0
            .iter()
            .enumerate()
            .filter(move |(_, n)| n.target == target)
    }

    /// Adds the notes of `other` this one lacks (a shared link or upload
    /// meeting the reader's own notes on the same log).
    pub fn merge(&mut self, other: Notes) {
        for n in other.0 {
            if !self.0.contains(&n) {
                self.0.push(n);
            }
        }
    }

    /// Reads an annotations object (`{"version":1,"notes":[…]}`).
    pub fn from_value(v: &JsValue) -> Result<Notes, NotesError> {
        if !v.is_object() || Array::is_array(v) {
            return Err(NotesError::Malformed("not a JSON object".into()));
        }
        match get(v, "version").as_f64() {
            Some(n) if n == f64::from(VERSION) => {}
            Some(n) if n > f64::from(VERSION) && n.fract() == 0.0 => {
                return Err(NotesError::Newer(n.min(f64::from(u32::MAX)) as u32))
            }
            _ => {
                return Err(NotesError::Malformed(format!(
                    "\"version\" must be {VERSION}"
                )))
            }
        }
        let list = get(v, "notes");
        if list.is_undefined() || list.is_null() {
            return Ok(Notes::default());
        }
        if !Array::is_array(&list) {
            return Err(NotesError::Malformed("\"notes\" must be an array".into()));
        }
        Array::from(&list)
            .iter()
            .enumerate()
            .map(|(i, n)| {
                note_from(&n).map_err(|e| NotesError::Malformed(format!("notes[{i}]: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Notes)
    }

    pub fn parse(json: &str) -> Result<Notes, NotesError> {
        let v = JSON::parse(json).map_err(|_| NotesError::NotJson)?;
        Notes::from_value(&v)
    }

    pub fn to_value(&self) -> JsValue {
        let o = Object::new();
        set(&o, "version", VERSION);
        let list: Array = self.0.iter().map(note_to).collect();
        set(&o, "notes", list);
        o.into()
    }

    /// The annotations object as compact JSON.
    pub fn to_json(&self) -> String {
        JSON::stringify(&self.to_value())
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }
}

fn note_from(n: &JsValue) -> Result<Note, String> {
    if !n.is_object() {
        return Err("not an object".into());
    }
    let need = |key: &str| index(n, key).ok_or(format!("\"{key}\" must be a number from 1"));
    let on = get(n, "on").as_string().unwrap_or_default();
    let target = match on.as_str() {
        "step" => Target::Step(need("step")?),
        "run" => Target::Run {
            step: need("step")?,
            run: need("run")?,
        },
        "diag" => Target::Diag(need("diag")?),
        "lines" => {
            let l = get(n, "lines");
            let pair = Array::is_array(&l)
                .then(|| Array::from(&l))
                .and_then(|a| Some((line(&a.get(0))?, line(&a.get(1))?)));
            let (a, b) = pair.ok_or("\"lines\" must be [first, last] line numbers")?;
            Target::Lines(a.min(b), a.max(b))
        }
        _ => return Err("\"on\" must be \"step\", \"run\", \"diag\" or \"lines\"".into()),
    };
    let text = match get(n, "text") {
        t if t.is_undefined() || t.is_null() => String::new(),
        t => t.as_string().ok_or("\"text\" must be a string")?,
    };
    let doubt = match get(n, "doubt").as_string().as_deref() {
        None => None,
        Some("good") => Some(Verdict::Good),
        Some("bad") => Some(Verdict::Bad),
        Some(_) => return Err("\"doubt\" must be \"good\" or \"bad\"".into()),
    };
    if doubt.is_some() && !matches!(target, Target::Step(_)) {
        return Err("only a step's verdict can be doubted".into());
    }
    Ok(Note {
        target,
        text,
        doubt,
    })
}

fn note_to(n: &Note) -> JsValue {
    let o = Object::new();
    let num = |i: usize| JsValue::from_f64((i + 1) as f64);
    match n.target {
        Target::Step(s) => {
            set(&o, "on", "step");
            set(&o, "step", num(s));
        }
        Target::Run { step, run } => {
            set(&o, "on", "run");
            set(&o, "step", num(step));
            set(&o, "run", num(run));
        }
        Target::Diag(d) => {
            set(&o, "on", "diag");
            set(&o, "diag", num(d));
        }
        Target::Lines(a, b) => {
            set(&o, "on", "lines");
            set(&o, "lines", Array::of2(&a.into(), &b.into()));
        }
    }
    set(&o, "text", n.text.as_str());
    if let Some(v) = n.doubt {
        set(&o, "doubt", v.as_str());
    }
    o.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn sample() -> Notes {
        Notes(vec![
            Note {
                target: Target::Step(6),
                text: "only 2 of 10 runs crashed on the neighbours: \"flaky\" <b>".into(),
                doubt: Some(Verdict::Good),
            },
            Note {
                target: Target::Run { step: 2, run: 7 },
                text: "unrelated crash \u{1f41b}".into(),
                doubt: None,
            },
            Note {
                target: Target::Diag(0),
                text: String::new(),
                doubt: None,
            },
            Note {
                target: Target::Lines(120, 124),
                text: "see these".into(),
                doubt: None,
            },
        ])
    }

    #[wasm_bindgen_test]
    fn round_trip() {
        let n = sample();
        let json = n.to_json();
        assert!(json.starts_with("{\"version\":1,\"notes\":["), "{json}");
        assert!(
            json.contains("\"on\":\"run\",\"step\":3,\"run\":8"),
            "{json}"
        );
        assert!(json.contains("\"lines\":[120,124]"), "{json}");
        assert_eq!(Notes::parse(&json), Ok(n));
        assert_eq!(
            Notes::parse(&Notes::default().to_json()),
            Ok(Notes::default())
        );
        assert_eq!(Notes::parse("{\"version\":1}"), Ok(Notes::default()));
    }

    #[wasm_bindgen_test]
    fn version_is_checked() {
        assert_eq!(
            Notes::parse("{\"version\":2,\"notes\":[]}"),
            Err(NotesError::Newer(2))
        );
        let e = Notes::parse("{\"notes\":[]}");
        assert!(matches!(e, Err(NotesError::Malformed(_))), "{e:?}");
        assert!(Notes::parse("{\"version\":2}")
            .err()
            .is_some_and(|e| e.to_string().contains("newer bisect-lens")));
    }

    #[wasm_bindgen_test]
    fn malformed_input_gets_a_clear_error() {
        assert_eq!(Notes::parse("{not json"), Err(NotesError::NotJson));
        assert_eq!(
            Notes::parse("[1]").map_err(|e| e.to_string()),
            Err("the annotations are damaged: not a JSON object".into())
        );
        let bad = |json: &str| Notes::parse(json).err().map(|e| e.to_string());
        assert_eq!(
            bad(r#"{"version":1,"notes":[{"on":"step","step":1},{"on":"step","step":0}]}"#),
            Some("the annotations are damaged: notes[1]: \"step\" must be a number from 1".into())
        );
        assert!(bad(r#"{"version":1,"notes":[{"on":"commit"}]}"#)
            .is_some_and(|e| e.contains("notes[0]: \"on\" must be")));
        assert!(bad(r#"{"version":1,"notes":[{"on":"lines","lines":[3]}]}"#)
            .is_some_and(|e| e.contains("[first, last]")));
        assert!(
            bad(r#"{"version":1,"notes":[{"on":"diag","diag":1,"doubt":"good"}]}"#)
                .is_some_and(|e| e.contains("only a step"))
        );
        assert!(bad(r#"{"version":1,"notes":{}}"#).is_some_and(|e| e.contains("array")));
        assert!(
            bad(r#"{"version":1,"notes":[{"on":"step","step":1,"doubt":"skip"}]}"#)
                .is_some_and(|e| e.contains("\"good\" or \"bad\""))
        );
    }

    #[wasm_bindgen_test]
    fn merge_adds_only_missing_notes() {
        let mut a = sample();
        let mut b = Notes(vec![sample().0[1].clone()]);
        b.0.push(Note {
            target: Target::Step(1),
            text: "new".into(),
            doubt: None,
        });
        a.merge(b);
        assert_eq!(a.0.len(), 5);
        assert_eq!(a.doubts().collect::<Vec<_>>(), vec![(6, Verdict::Good)]);
    }
}
