//! Canonical encoding of signed content: RFC 8785 JSON Canonicalization Scheme (JCS).
//!
//! JCS gives every JSON value exactly one byte form (sorted keys, no insignificant whitespace,
//! ECMAScript number formatting), so a signature over those bytes can be checked by any
//! implementation in any language. Relm's payloads contain no floating-point numbers, which keeps
//! the number rule trivial; integers stay below 2^53.
//!
//! Writing uses a full JCS encoder. Reading back a million events would spend most of its time
//! re-encoding them, so [`is_canonical`] instead checks the stored bytes in place, without
//! allocating; for the one construct it does not judge (non-integer or very long numbers) it
//! defers to a full re-encode.

use serde::Serialize;
use std::cmp::Ordering;

/// The JCS bytes of `value`.
pub fn to_canonical_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    // A value whose structs declare their fields in the order of their names (an event's
    // envelope) serialises canonical as it is: plain JSON is kept when the checker finds it
    // canonical, which costs a fraction of the full encoder's sorting and re-encoding. Any
    // other text (fields out of order, a number the checker cannot judge) takes the encoder.
    if let Ok(plain) = serde_json::to_vec(value)
        && is_canonical(&plain) == Some(true)
    {
        return plain;
    }
    // Serialising plain data structures (strings, integers, maps) cannot fail.
    serde_json_canonicalizer::to_vec(value).unwrap_or_default()
}

/// Whether `bytes`, a JSON text, are in RFC 8785 canonical form: `Some(true)` or `Some(false)`,
/// or `None` when the text holds a number other than a short integer, which only a full
/// re-encode can judge. Malformed JSON is `Some(false)`.
pub fn is_canonical(bytes: &[u8]) -> Option<bool> {
    let mut c = Checker { b: bytes, i: 0 };
    match c.value().and_then(|()| c.end()) {
        Ok(()) => Some(true),
        Err(Verdict::No) => Some(false),
        Err(Verdict::Unsure) => None,
    }
}

enum Verdict {
    No,
    Unsure,
}

struct Checker<'a> {
    b: &'a [u8],
    i: usize,
}

type Step = Result<(), Verdict>;

impl<'a> Checker<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, byte: u8) -> Step {
        if self.peek() == Some(byte) {
            self.i += 1;
            Ok(())
        } else {
            Err(Verdict::No)
        }
    }

    fn end(&self) -> Step {
        if self.i == self.b.len() {
            Ok(())
        } else {
            Err(Verdict::No)
        }
    }

    fn value(&mut self) -> Step {
        match self.peek().ok_or(Verdict::No)? {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => self.string().map(|_| ()),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(Verdict::No),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Step {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(Verdict::No)
        }
    }

    /// Integers up to 2^53 in magnitude are exact in IEEE 754 doubles, so ECMAScript prints them
    /// back as plain digits; anything larger, fractional or with an exponent is left to the
    /// encoder.
    fn number(&mut self) -> Step {
        let start = self.i;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        let digits = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        let n = self.i - digits;
        let text = &self.b[start..self.i];
        let exact = n <= 15
            || std::str::from_utf8(&self.b[digits..self.i])
                .ok()
                .and_then(|d| d.parse::<u64>().ok())
                .is_some_and(|v| v <= 1 << 53);
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) || !exact {
            return Err(Verdict::Unsure);
        }
        let leading_zero = n > 1 && self.b[digits] == b'0';
        if n == 0 || leading_zero || text == b"-0" {
            return Err(Verdict::No);
        }
        Ok(())
    }

    /// A string in the form ECMAScript's `JSON.stringify` writes; returns its raw content span.
    fn string(&mut self) -> Result<(usize, usize, bool), Verdict> {
        self.eat(b'"')?;
        let start = self.i;
        let mut escaped = false;
        loop {
            match self.peek().ok_or(Verdict::No)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    self.i += 1;
                    match self.peek().ok_or(Verdict::No)? {
                        b'"' | b'\\' | b'b' | b't' | b'n' | b'f' | b'r' => self.i += 1,
                        b'u' => {
                            // Only control characters without a short form are written as \u00xx.
                            let hex = self.b.get(self.i + 1..self.i + 5).ok_or(Verdict::No)?;
                            let lower = hex.iter().all(|h| matches!(h, b'0'..=b'9' | b'a'..=b'f'));
                            let code = std::str::from_utf8(hex)
                                .ok()
                                .and_then(|h| u32::from_str_radix(h, 16).ok());
                            match code {
                                Some(c)
                                    if lower && c < 0x20 && ![8, 9, 10, 12, 13].contains(&c) =>
                                {
                                    self.i += 5
                                }
                                _ => return Err(Verdict::No),
                            }
                        }
                        _ => return Err(Verdict::No),
                    }
                }
                0..=0x1f => return Err(Verdict::No),
                _ => self.i += 1,
            }
        }
        let end = self.i;
        self.i += 1;
        Ok((start, end, escaped))
    }

    fn array(&mut self) -> Step {
        self.eat(b'[')?;
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.value()?;
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(Verdict::No),
            }
        }
    }

    fn object(&mut self) -> Step {
        self.eat(b'{')?;
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(());
        }
        let mut previous: Option<(usize, usize, bool)> = None;
        loop {
            let key = self.string()?;
            if let Some(prev) = previous
                && self.key_order(prev, key)? != Ordering::Less
            {
                return Err(Verdict::No);
            }
            previous = Some(key);
            self.eat(b':')?;
            self.value()?;
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(Verdict::No),
            }
        }
    }

    /// Keys compare by their UTF-16 code units (RFC 8785 §3.2.3).
    fn key_order(
        &self,
        a: (usize, usize, bool),
        b: (usize, usize, bool),
    ) -> Result<Ordering, Verdict> {
        let text =
            |(s, e, escaped): (usize, usize, bool)| -> Result<std::borrow::Cow<'a, str>, Verdict> {
                let raw = &self.b[s..e];
                if escaped {
                    let quoted = &self.b[s - 1..=e];
                    serde_json::from_slice::<String>(quoted)
                        .map(Into::into)
                        .map_err(|_| Verdict::No)
                } else {
                    std::str::from_utf8(raw)
                        .map(Into::into)
                        .map_err(|_| Verdict::No)
                }
            };
        let (a, b) = (text(a)?, text(b)?);
        Ok(a.encode_utf16().cmp(b.encode_utf16()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    #[test]
    fn keys_are_sorted_and_whitespace_removed() {
        let v = json!({"b": 1, "a": {"d": [1, 2], "c": "é"}});
        let s = String::from_utf8(to_canonical_bytes(&v)).unwrap();
        assert_eq!(s, r#"{"a":{"c":"é","d":[1,2]},"b":1}"#);
    }

    #[test]
    fn key_order_follows_utf16_code_units_as_rfc8785_requires() {
        // U+10000 (surrogate pair D800 DC00) sorts before U+FB33 in UTF-16 but after it in UTF-8.
        let v = json!({"\u{fb33}": 1, "\u{10000}": 2});
        let bytes = to_canonical_bytes(&v);
        let s = String::from_utf8(bytes.clone()).unwrap();
        assert!(s.find('\u{10000}').unwrap() < s.find('\u{fb33}').unwrap());
        assert_eq!(is_canonical(&bytes), Some(true));
        assert_eq!(
            is_canonical("{\"\u{fb33}\":1,\"\u{10000}\":2}".as_bytes()),
            Some(false)
        );
    }

    #[test]
    fn check_refuses_each_non_canonical_form() {
        for text in [
            r#"{"a":1, "b":2}"#,
            r#" {"a":1}"#,
            r#"{"a":1} "#,
            r#"{"b":1,"a":2}"#,
            r#"{"a":1,"a":2}"#,
            r#"[1 ,2]"#,
            r#"{"a":01}"#,
            r#"{"a":-0}"#,
            r#"{"a":"\/"}"#,
            r#"{"a":"\u0041"}"#,
            r#"{"a":"\u000A"}"#,
            r#"{"a":"\u000a"}"#,
            r#"{"a":"\u001F"}"#,
            r#"{"a":tru}"#,
            r#"{"a":1"#,
            "\"a\nb\"",
            "",
        ] {
            assert_eq!(is_canonical(text.as_bytes()), Some(false), "{text}");
        }
        for text in [
            r#"{"a":[],"b":{},"c":"x\"\\\b\t\n\f\r\u001f","d":[true,false,null,-12,0]}"#,
            r#"{"":0,"\n":1,"a\"":2,"a\\":3}"#,
        ] {
            assert_eq!(is_canonical(text.as_bytes()), Some(true), "{text}");
        }
        assert_eq!(is_canonical(b"-9007199254740992"), Some(true));
        for text in ["1.5", "1e3", "9007199254740993"] {
            assert_eq!(is_canonical(text.as_bytes()), None, "{text}");
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let text = "[a-c\u{0}-\u{1f}\"\\\\/é\u{fb33}\u{10000}\u{2028}]{0,4}";
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-(1i64 << 53)..(1i64 << 53)).prop_map(|n| json!(n)),
            text.prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 5, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map(text, inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// The full RFC 8785 encoder, which [`to_canonical_bytes`] must always agree with.
    fn reference<T: Serialize>(v: &T) -> Vec<u8> {
        serde_json_canonicalizer::to_vec(v).unwrap()
    }

    #[test]
    fn numbers_the_check_cannot_judge_take_the_full_encoder() {
        // Plain JSON writes 1e21 as `1e21`; RFC 8785 (ECMAScript) as `1e+21`.
        for v in [
            json!({"a": 1e21}),
            json!([0.1, 1.5, -0.0]),
            json!(9007199254740993u64),
        ] {
            assert_eq!(to_canonical_bytes(&v), reference(&v), "{v}");
        }
        assert_eq!(to_canonical_bytes(&json!({"a": 1e21})), br#"{"a":1e+21}"#);
    }

    #[test]
    fn an_envelope_serialises_canonical_as_declared() {
        // Its fields (and its clock's, and a dependency's) are declared in the order of their
        // names, so plain JSON is canonical and appending never needs the full encoder.
        let envelope = crate::event::Envelope {
            author: crate::keys::KeyId("k".into()),
            deps: vec![crate::event::Dep {
                author: crate::keys::KeyId("o".into()),
                hash: "ab".into(),
                seq: 3,
            }],
            hlc: crate::hlc::Hlc { ms: 5, c: 1 },
            id: crate::ids::EventId("e".into()),
            kind: "release.created".into(),
            payload: json!({"z": [1, "é"], "a": {"y": null, "b": true}}),
            prev: Some("cd".into()),
            seq: 4,
            v: 2,
            wall: Some(6),
            workspace: crate::ids::WorkspaceId("w".into()),
        };
        let plain = serde_json::to_vec(&envelope).unwrap();
        assert_eq!(
            is_canonical(&plain),
            Some(true),
            "{}",
            String::from_utf8_lossy(&plain)
        );
        assert_eq!(plain, reference(&envelope));
    }

    proptest! {
        /// The quick path gives exactly the full encoder's bytes, for any value (numbers and
        /// floats included) and for an event's envelope, whose fields are declared in order.
        #[test]
        fn quick_path_equals_the_full_encoder(v in json_value(), f in any::<f64>(), n in any::<u64>(), ms in any::<u64>(), c in any::<u16>(), seq in any::<u64>(), text in "[a-z\u{0}-\u{1f}\"é\u{10000}]{0,6}") {
            prop_assert_eq!(to_canonical_bytes(&v), reference(&v));
            let with_numbers = json!({"f": if f.is_finite() { json!(f) } else { Value::Null }, "n": n, "v": v});
            prop_assert_eq!(to_canonical_bytes(&with_numbers), reference(&with_numbers));
            let envelope = crate::event::Envelope {
                author: crate::keys::KeyId(text.clone()),
                deps: vec![crate::event::Dep { author: crate::keys::KeyId(text.clone()), hash: text.clone(), seq }],
                hlc: crate::hlc::Hlc { ms, c },
                id: crate::ids::EventId(text.clone()),
                kind: text.clone(),
                payload: with_numbers,
                prev: Some(text.clone()),
                seq,
                v: 2,
                wall: Some(ms),
                workspace: crate::ids::WorkspaceId(text),
            };
            let bytes = to_canonical_bytes(&envelope);
            prop_assert_eq!(&bytes, &reference(&envelope));
        }

        /// The in-place check agrees with a full re-encode, on canonical text and on the same
        /// values written by a plain or pretty JSON writer.
        #[test]
        fn check_agrees_with_reencoding(v in json_value()) {
            let canonical = reference(&v);
            prop_assert_eq!(is_canonical(&canonical), Some(true));
            for text in [serde_json::to_vec(&v).unwrap(), serde_json::to_vec_pretty(&v).unwrap()] {
                let expected = reference(&serde_json::from_slice::<Value>(&text).unwrap()) == text;
                if let Some(verdict) = is_canonical(&text) {
                    prop_assert_eq!(verdict, expected, "{}", String::from_utf8_lossy(&text));
                }
            }
        }
    }
}
