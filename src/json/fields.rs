//! Reading and writing small JSON objects in place, as browser values
//! (`js_sys::JSON` and `js_sys::Reflect`), for API answers and requests
//! where building a [`super::Value`] tree would be a needless copy.

use wasm_bindgen::JsValue;

/// Parses JSON text; `None` when it is not JSON.
pub fn parse(text: &str) -> Option<JsValue> {
    js_sys::JSON::parse(text).ok()
}

pub fn field(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() {
        return JsValue::UNDEFINED;
    }
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn string(obj: &JsValue, key: &str) -> Option<String> {
    field(obj, key).as_string()
}

pub fn number(obj: &JsValue, key: &str) -> Option<f64> {
    field(obj, key).as_f64()
}

pub fn boolean(obj: &JsValue, key: &str) -> bool {
    field(obj, key).as_bool().unwrap_or(false)
}

/// The strings of an array field (other items are skipped).
pub fn strings(obj: &JsValue, key: &str) -> Vec<String> {
    let v = field(obj, key);
    if !js_sys::Array::is_array(&v) {
        return Vec::new();
    }
    js_sys::Array::from(&v)
        .iter()
        .filter_map(|s| s.as_string())
        .collect()
}

/// A new empty object.
pub fn object() -> js_sys::Object {
    js_sys::Object::new()
}

pub fn set(obj: &js_sys::Object, key: &str, value: impl Into<JsValue>) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

/// JSON text of a value (`None` only for values JSON cannot hold).
pub fn stringify(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn reads_fields_of_any_shape() {
        let v =
            parse(r#"{"a": "x", "n": 3, "b": true, "l": ["p", 1, "q"]}"#).unwrap_or(JsValue::NULL);
        assert_eq!(string(&v, "a").as_deref(), Some("x"));
        assert_eq!(number(&v, "n"), Some(3.0));
        assert!(boolean(&v, "b"));
        assert_eq!(strings(&v, "l"), vec!["p".to_string(), "q".to_string()]);
        assert_eq!(string(&v, "missing"), None);
        assert_eq!(string(&v, "n"), None);
        assert!(parse("{not json").is_none());
        // Fields of non-objects are absent, not errors.
        let s = parse("\"text\"").unwrap_or(JsValue::NULL);
        assert_eq!(s.as_string().as_deref(), Some("text"));
        assert_eq!(string(&s, "length"), None);
    }
}
