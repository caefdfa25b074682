//! The binary form in which the worker hands the parsed model to the page.
//!
//! A small self-describing format behind serde: the model's internally
//! tagged enums (`#[serde(tag = "kind")]`) need `deserialize_any`, so every
//! value carries a one-byte tag. It replaces serde_json here because JSON
//! costs the bundle its number formatting and parsing machinery and the page
//! a text scan, while this is a straight copy of bytes and varints. Short
//! strings (field and variant names, commit hashes, file paths) are written
//! once and referred to by index afterwards, which keeps big logs' answers
//! small. Both ends are this same wasm, so the format needs no versioning.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, Serialize};

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const UINT: u8 = 3;
const NEG: u8 = 4;
const FLOAT: u8 = 5;
/// A string written out and added to the table.
const STR_NEW: u8 = 6;
/// A string written out, not added (long ones rarely repeat).
const STR: u8 = 7;
/// A string from the table, by index.
const STR_REF: u8 = 8;
const BYTES: u8 = 9;
const SOME: u8 = 10;
const SEQ: u8 = 11;
const MAP: u8 = 12;
/// Ends a SEQ or a MAP (so lengths need not be known in advance).
const END: u8 = 13;
/// An externally tagged enum variant with data: the name, then the data.
const VARIANT: u8 = 14;

/// Strings up to this length go into the table.
const INTERN_MAX: usize = 48;

/// Why encoding or decoding failed (decoding only fails on a bug, as both
/// ends are the same code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

fn err(msg: &str) -> Error {
    Error(msg.to_string())
}

/// Encodes `value`.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut s = Encoder {
        out: Vec::new(),
        table: HashMap::new(),
    };
    value.serialize(&mut s)?;
    Ok(s.out)
}

/// Decodes what [`encode`] wrote.
pub fn decode<T: de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let mut d = Decoder {
        input: bytes,
        pos: 0,
        table: Vec::new(),
    };
    let v = T::deserialize(&mut d)?;
    if d.pos != bytes.len() {
        return Err(err("trailing bytes"));
    }
    Ok(v)
}

struct Encoder {
    out: Vec<u8>,
    table: HashMap<String, u32>,
}

impl Encoder {
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.out.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }

    fn tagged_uint(&mut self, v: u64) {
        self.out.push(UINT);
        self.varint(v);
    }

    fn string(&mut self, s: &str) {
        if s.len() <= INTERN_MAX {
            if let Some(&i) = self.table.get(s) {
                self.out.push(STR_REF);
                self.varint(u64::from(i));
                return;
            }
            let i = self.table.len() as u32;
            self.table.insert(s.to_string(), i);
            self.out.push(STR_NEW);
        } else {
            self.out.push(STR);
        }
        self.varint(s.len() as u64);
        self.out.extend_from_slice(s.as_bytes());
    }
}

impl ser::Serializer for &mut Encoder {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.push(if v { TRUE } else { FALSE });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        if v >= 0 {
            self.tagged_uint(v as u64);
        } else {
            self.out.push(NEG);
            // -1 → 0, -2 → 1, …: no overflow at i64::MIN.
            self.varint(!(v as u64));
        }
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.tagged_uint(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.out.push(FLOAT);
        self.out.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.out.push(BYTES);
        self.varint(v.len() as u64);
        self.out.extend_from_slice(v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.out.push(NULL);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        self.out.push(SOME);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.push(NULL);
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.out.push(VARIANT);
        self.string(variant);
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Error> {
        self.out.push(SEQ);
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Error> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Error> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, Error> {
        self.out.push(VARIANT);
        self.string(variant);
        self.serialize_seq(None)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Error> {
        self.out.push(MAP);
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Error> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, Error> {
        self.out.push(VARIANT);
        self.string(variant);
        self.serialize_map(None)
    }
}

impl ser::SerializeSeq for &mut Encoder {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        self.out.push(END);
        Ok(())
    }
}

impl ser::SerializeTuple for &mut Encoder {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        self.out.push(END);
        Ok(())
    }
}

impl ser::SerializeTupleStruct for &mut Encoder {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        self.out.push(END);
        Ok(())
    }
}

impl ser::SerializeTupleVariant for &mut Encoder {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        self.out.push(END);
        Ok(())
    }
}

impl ser::SerializeMap for &mut Encoder {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        self.out.push(END);
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Encoder {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.string(key);
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        self.out.push(END);
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut Encoder {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.string(key);
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        self.out.push(END);
        Ok(())
    }
}

struct Decoder<'a> {
    input: &'a [u8],
    pos: usize,
    table: Vec<String>,
}

impl<'a> Decoder<'a> {
    fn peek(&self) -> Result<u8, Error> {
        self.input
            .get(self.pos)
            .copied()
            .ok_or_else(|| err("unexpected end"))
    }

    fn byte(&mut self) -> Result<u8, Error> {
        let b = self.peek()?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, Error> {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            if shift > 63 {
                return Err(err("varint too long"));
            }
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
        }
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], Error> {
        let n = usize::try_from(n).map_err(|_| err("length out of range"))?;
        let end = self
            .pos
            .checked_add(n)
            .ok_or_else(|| err("length out of range"))?;
        let s = self
            .input
            .get(self.pos..end)
            .ok_or_else(|| err("unexpected end"))?;
        self.pos = end;
        Ok(s)
    }

    fn str_body(&mut self) -> Result<&'a str, Error> {
        let n = self.varint()?;
        std::str::from_utf8(self.take(n)?).map_err(|_| err("invalid UTF-8"))
    }

    /// A string after its tag byte (`tag` is one of the three string tags).
    fn visit_string<'de, V: Visitor<'de>>(
        &mut self,
        tag: u8,
        visitor: V,
    ) -> Result<V::Value, Error> {
        match tag {
            STR_NEW => {
                let s = self.str_body()?;
                self.table.push(s.to_string());
                visitor.visit_str(s)
            }
            STR => visitor.visit_str(self.str_body()?),
            _ => {
                let i = self.varint()?;
                let s = usize::try_from(i)
                    .ok()
                    .and_then(|i| self.table.get(i))
                    .ok_or_else(|| err("bad string reference"))?;
                visitor.visit_str(s)
            }
        }
    }
}

impl<'de> de::Deserializer<'de> for &mut Decoder<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let tag = self.byte()?;
        match tag {
            NULL => visitor.visit_unit(),
            FALSE => visitor.visit_bool(false),
            TRUE => visitor.visit_bool(true),
            UINT => visitor.visit_u64(self.varint()?),
            NEG => visitor.visit_i64(!(self.varint()? as i64)),
            FLOAT => {
                let b = self.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                visitor.visit_f64(f64::from_le_bytes(a))
            }
            STR_NEW | STR | STR_REF => self.visit_string(tag, visitor),
            BYTES => {
                let n = self.varint()?;
                visitor.visit_bytes(self.take(n)?)
            }
            SOME => visitor.visit_some(self),
            SEQ => {
                let mut items = Items {
                    d: self,
                    done: false,
                };
                let v = visitor.visit_seq(&mut items)?;
                items.finish()?;
                Ok(v)
            }
            MAP => {
                let mut items = Items {
                    d: self,
                    done: false,
                };
                let v = visitor.visit_map(&mut items)?;
                items.finish()?;
                Ok(v)
            }
            VARIANT => visitor.visit_map(OneEntry { d: self, state: 0 }),
            _ => Err(err("unknown tag")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.peek()? {
            NULL => {
                self.pos += 1;
                visitor.visit_none()
            }
            SOME => {
                self.pos += 1;
                visitor.visit_some(self)
            }
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if self.peek()? == VARIANT {
            self.pos += 1;
            visitor.visit_enum(Variant {
                d: self,
                unit: false,
            })
        } else {
            visitor.visit_enum(Variant {
                d: self,
                unit: true,
            })
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// The items of a SEQ or MAP, up to its END.
struct Items<'a, 'b> {
    d: &'a mut Decoder<'b>,
    /// The END was read.
    done: bool,
}

impl Items<'_, '_> {
    fn at_end(&mut self) -> Result<bool, Error> {
        if !self.done && self.d.peek()? == END {
            self.d.pos += 1;
            self.done = true;
        }
        Ok(self.done)
    }

    /// A tuple's visitor stops after its last element without asking for
    /// more: its END is still to be read (and nothing else may come first).
    fn finish(&mut self) -> Result<(), Error> {
        if self.at_end()? {
            Ok(())
        } else {
            Err(err("more items than expected"))
        }
    }
}

impl<'de> SeqAccess<'de> for &mut Items<'_, '_> {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.at_end()? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.d).map(Some)
    }
}

impl<'de> MapAccess<'de> for &mut Items<'_, '_> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.at_end()? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.d).map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(&mut *self.d)
    }
}

/// A VARIANT read as a one-entry map (name → data), as serde's buffered
/// content expects of an externally tagged enum.
struct OneEntry<'a, 'b> {
    d: &'a mut Decoder<'b>,
    state: u8,
}

impl<'de> MapAccess<'de> for OneEntry<'_, '_> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.state > 0 {
            return Ok(None);
        }
        self.state = 1;
        seed.deserialize(&mut *self.d).map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(&mut *self.d)
    }
}

struct Variant<'a, 'b> {
    d: &'a mut Decoder<'b>,
    unit: bool,
}

impl<'de, 'a, 'b> de::EnumAccess<'de> for Variant<'a, 'b> {
    type Error = Error;
    type Variant = Self;
    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let v = seed.deserialize(&mut *self.d)?;
        Ok((v, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_, '_> {
    type Error = Error;
    fn unit_variant(self) -> Result<(), Error> {
        if self.unit {
            Ok(())
        } else {
            de::Deserialize::deserialize(&mut *self.d)
        }
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(&mut *self.d)
    }
    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(&mut *self.d, visitor)
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(&mut *self.d, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bisect_log::analysis::Analysis;
    use bisect_log::Bisection;
    use wasm_bindgen_test::wasm_bindgen_test;

    type Answer = (Bisection, Analysis, Vec<String>, usize);

    const FIXTURES: &[&[u8]] = &[
        include_bytes!("../../crates/bisect-log/tests/fixtures/real/Log_14ee6217200000.txt"),
        include_bytes!("../../crates/bisect-log/tests/fixtures/real/Log_102e9499480000.txt"),
        include_bytes!("../../crates/bisect-log/tests/fixtures/real/Log_12fefe69f00000.txt"),
        include_bytes!("../../crates/bisect-log/tests/fixtures/made/cause_2020_config-bisect.txt"),
        include_bytes!("../../crates/bisect-log/tests/fixtures/made/fix_2023-08_presence-checks_culprit.txt"),
        include_bytes!("../../crates/bisect-log/tests/fixtures/made/cause_2023-05_oldest-release-failed-building.txt"),
        include_bytes!("../../crates/bisect-log/tests/fixtures/made/cause_truncated-tail.txt"),
        include_bytes!("../../crates/bisect-log/tests/fixtures/made/cause_2021_non-utf8-report.txt"),
    ];

    #[wasm_bindgen_test]
    fn real_logs_round_trip() {
        for text in FIXTURES {
            let b = bisect_log::parse_bytes(text);
            assert!(b.is_ok());
            let Ok(b) = b else { continue };
            let a = bisect_log::analysis::analyze(&b);
            let answer: Answer = (b, a, vec!["mm/slub.c".to_string()], 7);
            let bytes = encode(&answer);
            assert!(bytes.is_ok(), "{bytes:?}");
            let bytes = bytes.unwrap_or_default();
            let back: Result<Answer, Error> = decode(&bytes);
            assert_eq!(back.as_ref(), Ok(&answer));
            // Same answer as through JSON, which the format replaced.
            let json = serde_json::to_string(&answer).unwrap_or_default();
            assert!(bytes.len() < json.len(), "{} ≥ {}", bytes.len(), json.len());
        }
    }

    #[wasm_bindgen_test]
    fn the_page_answer_round_trips() {
        // What the worker really sends: verbatim lines dropped.
        for text in FIXTURES {
            let b = bisect_log::parse_bytes(text);
            assert!(b.is_ok());
            let Ok(mut b) = b else { continue };
            let a = bisect_log::analysis::analyze(&b);
            crate::worker::drop_verbatim_lines(&mut b);
            let answer: Answer = (b, a, Vec::new(), 0);
            let back = encode(&answer).and_then(|bytes| decode::<Answer>(&bytes));
            assert_eq!(back, Ok(answer));
        }
    }

    #[wasm_bindgen_test]
    fn scalars_round_trip() {
        let v: (i64, i64, u64, f64, Option<Option<u8>>, Vec<String>, char) = (
            i64::MIN,
            -1,
            u64::MAX,
            -0.25,
            Some(None),
            vec!["a".into(), "a".into(), "x".repeat(100), String::new()],
            'é',
        );
        let back = encode(&v).and_then(|b| decode(&b));
        assert_eq!(back, Ok(v));
    }

    #[wasm_bindgen_test]
    fn damaged_input_is_an_error() {
        let b = bisect_log::parse_bytes(FIXTURES[0]);
        assert!(b.is_ok());
        let bytes = b
            .map(|b| encode(&b).unwrap_or_default())
            .unwrap_or_default();
        assert!(bytes.len() > 100);
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode::<Bisection>(&bytes[..cut]).is_err());
        }
        assert!(decode::<Bisection>(&[0xff]).is_err());
    }
}
