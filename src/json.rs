//! JSON through the browser's own `JSON.parse` / `JSON.stringify`.
//!
//! The viewer reads and writes JSON only for bisect-lens files and the
//! library, where speed hardly matters; a JSON library compiled into the
//! wasm (serde_json with its number formatting and parsing) costs every
//! visitor tens of kilobytes of download, while the browser already has a
//! fast, exact implementation. [`Value`] is the tree the Rust side reads
//! and builds; objects keep their key order.

pub mod fields;

use wasm_bindgen::{JsCast, JsValue};

/// A JSON value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Map),
}

/// A JSON object, in its key order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map(Vec<(String, Value)>);

impl Map {
    pub fn new() -> Map {
        Map(Vec::new())
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(i).1)
    }

    /// Sets `key`, replacing an earlier value in its place.
    pub fn insert(&mut self, key: &str, value: impl Into<Value>) {
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => self.0.push((key.to_string(), value)),
        }
    }
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A whole non-negative number (as `serde_json::Value::as_u64` reads
    /// `1`, not `1.5` or `-1`).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            // 2^53: above it, doubles no longer hold every whole number.
            Value::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n <= 9_007_199_254_740_992.0 => {
                Some(*n as u64)
            }
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    /// Parses JSON text; the error is the browser's message (it names the
    /// position).
    pub fn parse(text: &str) -> Result<Value, String> {
        js_sys::JSON::parse(text)
            .map(|v| Value::from_js(&v))
            .map_err(|e| {
                e.dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
                    .unwrap_or_else(|| "invalid JSON".to_string())
            })
    }

    /// Compact JSON text.
    pub fn to_json(&self) -> String {
        stringify(&self.to_js(), None)
    }

    /// JSON text indented by two spaces.
    pub fn to_json_pretty(&self) -> String {
        stringify(&self.to_js(), Some(2))
    }

    /// The value of a JS value that came from JSON (or could have):
    /// functions, `undefined` and the like read as `null`.
    pub fn from_js(v: &JsValue) -> Value {
        if let Some(s) = v.as_string() {
            Value::String(s)
        } else if let Some(n) = v.as_f64() {
            Value::Number(n)
        } else if let Some(b) = v.as_bool() {
            Value::Bool(b)
        } else if js_sys::Array::is_array(v) {
            let a: &js_sys::Array = v.unchecked_ref();
            Value::Array(a.iter().map(|x| Value::from_js(&x)).collect())
        } else if v.is_object() && !v.is_function() {
            let o: &js_sys::Object = v.unchecked_ref();
            let entries = js_sys::Object::keys(o)
                .iter()
                .filter_map(|k| {
                    let key = k.as_string()?;
                    let val = js_sys::Reflect::get(o, &k).ok()?;
                    Some((key, Value::from_js(&val)))
                })
                .collect();
            Value::Object(Map(entries))
        } else {
            Value::Null
        }
    }

    /// The JS value (plain objects and arrays), e.g. for IndexedDB.
    pub fn to_js(&self) -> JsValue {
        match self {
            Value::Null => JsValue::NULL,
            Value::Bool(b) => JsValue::from_bool(*b),
            Value::Number(n) => JsValue::from_f64(*n),
            Value::String(s) => JsValue::from_str(s),
            Value::Array(a) => a.iter().map(Value::to_js).collect::<js_sys::Array>().into(),
            Value::Object(m) => {
                let o = js_sys::Object::new();
                for (k, v) in &m.0 {
                    let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &v.to_js());
                }
                o.into()
            }
        }
    }
}

fn stringify(v: &JsValue, indent: Option<u32>) -> String {
    let s = match indent {
        Some(n) => {
            js_sys::JSON::stringify_with_replacer_and_space(v, &JsValue::NULL, &JsValue::from(n))
        }
        None => js_sys::JSON::stringify(v),
    };
    s.ok().and_then(|s| s.as_string()).unwrap_or_default()
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::Number(n as f64)
    }
}

impl From<usize> for Value {
    fn from(n: usize) -> Value {
        Value::Number(n as f64)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::Object(m)
    }
}

impl From<Vec<Value>> for Value {
    fn from(a: Vec<Value>) -> Value {
        Value::Array(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn parse_and_write_back() {
        let text = r#"{"b":1,"a":[true,null,"x\n\u00e9",-2.5],"o":{}}"#;
        let v = Value::parse(text);
        assert_eq!(
            v.as_ref().map(Value::to_json),
            Ok(text.replace("\\u00e9", "é"))
        );
        let v = v.unwrap_or_default();
        assert!(v.is_object());
        let m = match &v {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        assert_eq!(m.get("b").and_then(Value::as_u64), Some(1));
        assert_eq!(
            m.get("a"),
            Some(&Value::Array(vec![
                Value::Bool(true),
                Value::Null,
                Value::from("x\né"),
                Value::Number(-2.5),
            ]))
        );
        assert!(Value::parse("{\"a\":").is_err());
        assert_eq!(Value::Number(1.5).as_u64(), None);
        assert_eq!(Value::Number(-1.0).as_u64(), None);
        let mut m = Map::new();
        m.insert("k", 2u64);
        m.insert("s", Some("v"));
        m.insert("k", 3u64);
        assert_eq!(
            Value::from(m).to_json_pretty(),
            "{\n  \"k\": 3,\n  \"s\": \"v\"\n}"
        );
    }
}
