//! How big and how far out anything in an event may be, checked alike when a member records an
//! event and when a replica receives one.
//!
//! A member can sign anything with their own key, so every limit that protects the other
//! replicas (storage, memory, the width of a column) is checked on what arrives, not only in the
//! forms that produce it: a 100 MB description signed by a member is refused at ingest exactly
//! as it is refused at entry. Timestamps are bounded so that they always fit the store's packed
//! column, and sequence numbers so that they fit SQLite's integers.

use serde_json::Value;

use crate::DomainError;

/// Largest canonical body of one event, in bytes (a policy bundle of [`MAX_SOURCE`] fits).
pub const MAX_BODY: usize = 2 << 20;
/// Largest policy source (the TOML bundle with its Rego modules).
pub const MAX_SOURCE: usize = 1 << 20;
/// Free text: descriptions, rollback plans, notes, comments, reasons, justifications.
pub const MAX_TEXT: usize = 20_000;
/// Names, titles, e-mail addresses, environments, incidents.
pub const MAX_SHORT: usize = 200;
/// Items of any list (environments, components, changes, evidence, roles...).
pub const MAX_ITEMS: usize = 1_000;
/// Largest wall-clock timestamp of an event, in milliseconds: 2^47 - 1 (year 6429). The store
/// packs `ms << 16 | counter` into a signed 64-bit integer.
pub const MAX_TIMESTAMP_MS: u64 = (1 << 47) - 1;
/// Largest sequence number (SQLite integers are signed 64-bit).
pub const MAX_SEQ: u64 = i64::MAX as u64;

/// The largest bound on clock offsets a workspace may set, in minutes (a week).
pub const MAX_CLOCK_OFFSET_MINUTES: u32 = 7 * 24 * 60;

/// Fields held to [`MAX_SHORT`].
const SHORT_FIELDS: &[&str] = &["name", "title", "email", "environment", "incident"];
/// Other field names, so that an error can name the field the UI shows it beside.
const TEXT_FIELDS: &[&str] = &[
    "description",
    "rollback_plan",
    "note",
    "comment",
    "reason",
    "justification",
    "source",
    "link",
    "components",
    "changes",
    "evidence",
    "environments",
];

fn field_name(key: &str) -> &'static str {
    SHORT_FIELDS
        .iter()
        .chain(TEXT_FIELDS)
        .find(|f| **f == key)
        .copied()
        .unwrap_or("payload")
}

/// Check every string and list of a payload against the limits; the error names the field.
pub fn check_payload(payload: &Value) -> Result<(), DomainError> {
    check_value("payload", payload, 0)
}

fn check_value(field: &str, v: &Value, depth: usize) -> Result<(), DomainError> {
    if depth > 16 {
        return Err(DomainError::invalid(
            "payload",
            format!("{field} is nested too deeply"),
        ));
    }
    match v {
        Value::String(s) => {
            let max = if field == "source" {
                MAX_SOURCE
            } else if SHORT_FIELDS.contains(&field) {
                MAX_SHORT
            } else {
                MAX_TEXT
            };
            if s.len() > max {
                return Err(DomainError::invalid(
                    field_name(field),
                    format!(
                        "{field} is {} bytes long; the limit is {max} bytes (attach longer documents as evidence links)",
                        s.len()
                    ),
                ));
            }
            Ok(())
        }
        Value::Array(items) => {
            if items.len() > MAX_ITEMS {
                return Err(DomainError::invalid(
                    field_name(field),
                    format!(
                        "{field} has {} items; the limit is {MAX_ITEMS}",
                        items.len()
                    ),
                ));
            }
            items
                .iter()
                .try_for_each(|x| check_value(field, x, depth + 1))
        }
        Value::Object(map) => map
            .iter()
            .try_for_each(|(k, x)| check_value(k, x, depth + 1)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_kind_of_field_has_its_limit_and_the_error_names_it() {
        let ok = json!({"fields": {"title": "t".repeat(MAX_SHORT), "description": "d".repeat(MAX_TEXT)}});
        assert!(check_payload(&ok).is_ok());
        for (payload, field) in [
            (
                json!({"fields": {"title": "t".repeat(MAX_SHORT + 1)}}),
                "title",
            ),
            (
                json!({"patch": {"description": "d".repeat(MAX_TEXT + 1)}}),
                "description",
            ),
            (json!({"source": "s".repeat(MAX_SOURCE + 1)}), "source"),
            (
                json!({"environments": vec!["e"; MAX_ITEMS + 1]}),
                "environments",
            ),
        ] {
            let err = check_payload(&payload).unwrap_err().to_string();
            assert!(err.contains(field), "{field}: {err}");
        }
        assert!(check_payload(&json!({"source": "s".repeat(MAX_TEXT + 1)})).is_ok());
    }
}
