//! Canonical encoding of signed content: RFC 8785 JSON Canonicalization Scheme (JCS).
//!
//! JCS gives every JSON value exactly one byte form (sorted keys, no insignificant whitespace,
//! ECMAScript number formatting), so a signature over those bytes can be checked by any
//! implementation in any language. Relm's payloads contain no floating-point numbers, which keeps
//! the number rule trivial; integers stay below 2^53.

use serde::Serialize;

/// The JCS bytes of `value`.
pub fn to_canonical_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising plain data structures (strings, integers, maps) cannot fail.
    serde_json_canonicalizer::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        let s = String::from_utf8(to_canonical_bytes(&v)).unwrap();
        assert!(s.find('\u{10000}').unwrap() < s.find('\u{fb33}').unwrap());
    }
}
