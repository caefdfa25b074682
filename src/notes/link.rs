//! Notes in a link: `#<view>&notes=<data>`, where `<data>` is the
//! annotations JSON compressed with the browser's own `CompressionStream`
//! (`deflate-raw`, so no compressor ships in the wasm) and written in
//! base64url. The fragment never reaches a server.

use js_sys::{Array, Function, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The fragment key of the notes.
pub const KEY: &str = "notes";

/// The longest link "Copy link" makes. Browsers take far longer ones, but
/// chat tools, mail clients and issue trackers cut or refuse links around
/// this size; beyond it the notes go into a file instead.
pub const MAX_LINK: usize = 8_000;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding.
pub fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Reads base64url (padding and standard `+/` accepted too).
pub fn from_base64url(s: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' | b'+' => Some(62),
        b'_' | b'/' => Some(63),
        _ => None,
    };
    let s = s.trim_end_matches('=').as_bytes();
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for chunk in s.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= u32::from(digit(c)?) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

/// Runs `bytes` through a `CompressionStream` or `DecompressionStream`.
async fn transform(class: &str, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let missing = || format!("this browser has no {class}");
    let ctor: Function = Reflect::get(&js_sys::global(), &JsValue::from_str(class))
        .ok()
        .and_then(|c| c.dyn_into().ok())
        .ok_or_else(missing)?;
    let pair =
        Reflect::construct(&ctor, &Array::of1(&"deflate-raw".into())).map_err(|_| missing())?;
    let blob = web_sys::Blob::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(bytes)))
        .map_err(|_| "cannot read the data".to_string())?;
    let input = blob.stream();
    let pipe: Function = Reflect::get(&input, &"pipeThrough".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(missing)?;
    let out: web_sys::ReadableStream = pipe
        .call1(&input, &pair)
        .ok()
        .and_then(|s| s.dyn_into().ok())
        .ok_or_else(missing)?;
    let resp =
        web_sys::Response::new_with_opt_readable_stream(Some(&out)).map_err(|_| missing())?;
    let buf = resp.array_buffer().map_err(|_| missing())?;
    let buf = JsFuture::from(buf)
        .await
        .map_err(|_| "the data is damaged (it does not decompress)".to_string())?;
    Ok(Uint8Array::new(&buf).to_vec())
}

/// The annotations JSON as a fragment value.
pub async fn encode(json: &str) -> Result<String, String> {
    transform("CompressionStream", json.as_bytes())
        .await
        .map(|b| base64url(&b))
}

/// A fragment value back to the annotations JSON.
pub async fn decode(data: &str) -> Result<String, String> {
    let bytes = from_base64url(data).ok_or("the data is not base64url")?;
    let json = transform("DecompressionStream", &bytes).await?;
    String::from_utf8(json).map_err(|_| "the data is not text".to_string())
}

/// `base#view&notes=data` (`base` is the page address without fragment).
pub fn link(base: &str, view: &str, data: &str) -> String {
    let view = view.trim_start_matches('#');
    if view.is_empty() {
        format!("{base}#{KEY}={data}")
    } else {
        format!("{base}#{view}&{KEY}={data}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn base64url_round_trip() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(&[0xfb, 0xff, 0xfe]), "-__-");
        assert_eq!(from_base64url("-__-"), Some(vec![0xfb, 0xff, 0xfe]));
        assert_eq!(from_base64url("+//+"), Some(vec![0xfb, 0xff, 0xfe]));
        assert_eq!(from_base64url("Zm8="), Some(b"fo".to_vec()));
        assert_eq!(from_base64url("Z"), None);
        assert_eq!(from_base64url("Zm*v"), None);
        let all: Vec<u8> = (0..=255).collect();
        for n in 0..all.len() {
            assert_eq!(
                from_base64url(&base64url(&all[..n])).as_deref(),
                Some(&all[..n])
            );
        }
    }

    #[wasm_bindgen_test]
    fn link_shape() {
        assert_eq!(
            link("http://x/?log=a", "", "QUJD"),
            "http://x/?log=a#notes=QUJD"
        );
        assert_eq!(
            link("http://x/?log=a", "#step=3&tab=raw", "QUJD"),
            "http://x/?log=a#step=3&tab=raw&notes=QUJD"
        );
    }
}
