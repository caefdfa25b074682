//! The binary form in which the worker hands the parsed model to the page.
//!
//! Every model type writes its fields in declaration order ([`Wire`], impls
//! generated into `codec/model.rs` by `scripts/gen-codec.py`); enum variants
//! are a tag byte, numbers varints, floats 8 bytes. It replaces
//! serde_json, and is not serde-based either: serde's derives for the
//! model's internally tagged enums buffer every value in a generic tree, and
//! that machinery was over a third of the wasm. Short strings (commit
//! hashes, file paths, titles) are written once and then referred to by
//! index, which keeps big logs' answers small. Both ends are this same
//! wasm, so the format needs no versioning.

use std::collections::HashMap;
use std::fmt;

mod model;

/// Strings up to this length are kept in the table and written once.
const INTERN_MAX: usize = 48;

/// Why decoding failed (only on a bug, as both ends are the same code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    fn bad(what: &str) -> Error {
        Error(format!("unknown {what} variant"))
    }

    fn end() -> Error {
        Error("unexpected end".to_string())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A value the worker can send to the page.
pub trait Wire: Sized {
    fn put(&self, w: &mut Writer);
    fn get(r: &mut Reader) -> Result<Self, Error>;
}

/// Encodes `value`.
pub fn encode<T: Wire>(value: &T) -> Vec<u8> {
    let mut w = Writer {
        out: Vec::new(),
        table: HashMap::new(),
    };
    value.put(&mut w);
    w.out
}

/// Decodes what [`encode`] wrote.
pub fn decode<T: Wire>(bytes: &[u8]) -> Result<T, Error> {
    let mut r = Reader {
        input: bytes,
        pos: 0,
        table: Vec::new(),
    };
    let v = T::get(&mut r)?;
    if r.pos != bytes.len() {
        return Err(Error("trailing bytes".to_string()));
    }
    Ok(v)
}

pub struct Writer {
    out: Vec<u8>,
    table: HashMap<String, u32>,
}

impl Writer {
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.out.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }

    fn tag(&mut self, t: u8) {
        self.out.push(t);
    }
}

pub struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
    table: Vec<String>,
}

impl<'a> Reader<'a> {
    fn tag(&mut self) -> Result<u8, Error> {
        let b = *self.input.get(self.pos).ok_or_else(Error::end)?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, Error> {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = self.tag()?;
            if shift > 63 {
                return Err(Error("varint too long".to_string()));
            }
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
        }
    }

    fn len(&mut self) -> Result<usize, Error> {
        let n = usize::try_from(self.varint()?).map_err(|_| Error::end())?;
        // Every item takes at least one byte: a damaged length cannot make
        // the page reserve gigabytes.
        if n > self.input.len() - self.pos {
            return Err(Error::end());
        }
        Ok(n)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.pos.checked_add(n).ok_or_else(Error::end)?;
        let s = self.input.get(self.pos..end).ok_or_else(Error::end)?;
        self.pos = end;
        Ok(s)
    }
}

impl Wire for String {
    // Tag 0: a new string, added to the table; 1: a long string, not added;
    // 2: a string from the table by index.
    fn put(&self, w: &mut Writer) {
        if self.len() <= INTERN_MAX {
            if let Some(&i) = w.table.get(self.as_str()) {
                w.tag(2);
                w.varint(u64::from(i));
                return;
            }
            let i = w.table.len() as u32;
            w.table.insert(self.clone(), i);
            w.tag(0);
        } else {
            w.tag(1);
        }
        w.varint(self.len() as u64);
        w.out.extend_from_slice(self.as_bytes());
    }

    fn get(r: &mut Reader) -> Result<Self, Error> {
        let tag = r.tag()?;
        if tag == 2 {
            let i = usize::try_from(r.varint()?).map_err(|_| Error::end())?;
            return r
                .table
                .get(i)
                .cloned()
                .ok_or_else(|| Error("bad string reference".to_string()));
        }
        let n = r.len()?;
        let s = std::str::from_utf8(r.take(n)?)
            .map_err(|_| Error("invalid UTF-8".to_string()))?
            .to_string();
        match tag {
            0 => r.table.push(s.clone()),
            1 => {}
            _ => return Err(Error::bad("string")),
        }
        Ok(s)
    }
}

macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            fn put(&self, w: &mut Writer) {
                w.varint(*self as u64);
            }
            fn get(r: &mut Reader) -> Result<Self, Error> {
                <$t>::try_from(r.varint()?).map_err(|_| Error("number out of range".to_string()))
            }
        }
    )*};
}

unsigned!(u8, u16, u32, u64, usize);

impl Wire for bool {
    fn put(&self, w: &mut Writer) {
        w.tag(u8::from(*self));
    }
    fn get(r: &mut Reader) -> Result<Self, Error> {
        match r.tag()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Error::bad("bool")),
        }
    }
}

impl Wire for f64 {
    fn put(&self, w: &mut Writer) {
        w.out.extend_from_slice(&self.to_le_bytes());
    }
    fn get(r: &mut Reader) -> Result<Self, Error> {
        let mut a = [0u8; 8];
        a.copy_from_slice(r.take(8)?);
        Ok(f64::from_le_bytes(a))
    }
}

impl<T: Wire> Wire for Option<T> {
    fn put(&self, w: &mut Writer) {
        match self {
            None => w.tag(0),
            Some(v) => {
                w.tag(1);
                v.put(w);
            }
        }
    }
    fn get(r: &mut Reader) -> Result<Self, Error> {
        match r.tag()? {
            0 => Ok(None),
            1 => T::get(r).map(Some),
            _ => Err(Error::bad("Option")),
        }
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn put(&self, w: &mut Writer) {
        w.varint(self.len() as u64);
        for v in self {
            v.put(w);
        }
    }
    fn get(r: &mut Reader) -> Result<Self, Error> {
        let n = r.len()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(T::get(r)?);
        }
        Ok(out)
    }
}

impl<T: Wire> Wire for Box<T> {
    fn put(&self, w: &mut Writer) {
        (**self).put(w);
    }
    fn get(r: &mut Reader) -> Result<Self, Error> {
        T::get(r).map(Box::new)
    }
}

impl<A: Wire, B: Wire> Wire for (A, B) {
    fn put(&self, w: &mut Writer) {
        self.0.put(w);
        self.1.put(w);
    }
    fn get(r: &mut Reader) -> Result<Self, Error> {
        Ok((A::get(r)?, B::get(r)?))
    }
}

impl<A: Wire, B: Wire, C: Wire, D: Wire> Wire for (A, B, C, D) {
    fn put(&self, w: &mut Writer) {
        self.0.put(w);
        self.1.put(w);
        self.2.put(w);
        self.3.put(w);
    }
    fn get(r: &mut Reader) -> Result<Self, Error> {
        Ok((A::get(r)?, B::get(r)?, C::get(r)?, D::get(r)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::Answer;
    use bisect_log::Bisection;
    use wasm_bindgen_test::wasm_bindgen_test;

    const FIXTURES: &[&[u8]] = &[
        include_bytes!("../../crates/bisect-log/tests/fixtures/real/Log_14ee6217200000.txt"),
        include_bytes!("../../crates/bisect-log/tests/fixtures/real/Log_102e9499480000.txt"),
        include_bytes!("../../crates/bisect-log/tests/fixtures/real/Log_12fefe69f00000.txt"),
        include_bytes!("../../crates/bisect-log/tests/fixtures/made/cause_2020_config-bisect.txt"),
        include_bytes!(
            "../../crates/bisect-log/tests/fixtures/made/fix_2023-08_presence-checks_culprit.txt"
        ),
        include_bytes!(
            "../../crates/bisect-log/tests/fixtures/made/cause_2023-05_oldest-release-failed-building.txt"
        ),
        include_bytes!("../../crates/bisect-log/tests/fixtures/made/cause_truncated-tail.txt"),
        include_bytes!("../../crates/bisect-log/tests/fixtures/made/cause_2021_non-utf8-report.txt"),
    ];

    fn answers(drop_verbatim: bool) -> Vec<Answer> {
        FIXTURES
            .iter()
            .filter_map(|text| {
                let b = bisect_log::parse_bytes(text);
                assert!(b.is_ok());
                let mut b = b.ok()?;
                let a = bisect_log::analysis::analyze(&b);
                if drop_verbatim {
                    drop(crate::worker::take_verbatim_lines(&mut b));
                }
                Some((b, a, vec!["mm/slub.c".to_string()], 7))
            })
            .collect()
    }

    #[wasm_bindgen_test]
    fn real_logs_round_trip() {
        let all = answers(false);
        assert_eq!(all.len(), FIXTURES.len());
        for answer in all {
            let bytes = encode(&answer);
            assert_eq!(decode::<Answer>(&bytes).as_ref(), Ok(&answer));
            // Smaller than the JSON it replaced (mostly the logs' own text
            // here; the page's answer has none).
            let json = serde_json::to_string(&answer).unwrap_or_default();
            assert!(
                bytes.len() < json.len(),
                "{} vs {}",
                bytes.len(),
                json.len()
            );
        }
    }

    #[wasm_bindgen_test]
    fn the_page_answer_round_trips() {
        // What the worker really sends: verbatim lines dropped.
        for answer in answers(true) {
            assert_eq!(decode::<Answer>(&encode(&answer)), Ok(answer));
        }
    }

    #[wasm_bindgen_test]
    fn scalars_round_trip() {
        let v: (Vec<u64>, Option<Option<bool>>, Vec<String>, f64) = (
            vec![0, 127, 128, u64::MAX],
            Some(None),
            vec![
                "a".into(),
                "a".into(),
                "x".repeat(100),
                "x".repeat(100),
                String::new(),
            ],
            -0.25,
        );
        assert_eq!(decode(&encode(&v)), Ok(v));
    }

    #[wasm_bindgen_test]
    fn damaged_input_is_an_error() {
        let bytes = answers(false)
            .first()
            .map(|a| encode(&a.0))
            .unwrap_or_default();
        assert!(bytes.len() > 100);
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode::<Bisection>(&bytes[..cut]).is_err());
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode::<Bisection>(&longer).is_err());
        assert!(decode::<Bisection>(&[0xff]).is_err());
    }
}
