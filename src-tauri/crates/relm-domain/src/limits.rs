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
use crate::text::{self, Lines};

/// Largest canonical body of one event, in bytes (a policy bundle of [`MAX_SOURCE`] fits).
pub const MAX_BODY: usize = 2 << 20;
/// Largest policy source (the TOML bundle with its Rego modules).
pub const MAX_SOURCE: usize = 1 << 20;
/// Multi-line free text: descriptions, rollback plans, notes, comments, reasons,
/// justifications, in characters.
pub const MAX_TEXT: usize = 20_000;
/// One-line text: names, titles, e-mail addresses, incidents, in characters.
pub const MAX_SHORT: usize = 200;
/// Items of any list (environments, components, changes, evidence, roles...).
pub const MAX_ITEMS: usize = 1_000;
/// Largest wall-clock timestamp of an event, in milliseconds: 2^47 - 1 (year 6429). The store
/// packs `ms << 16 | counter` into a signed 64-bit integer.
pub const MAX_TIMESTAMP_MS: u64 = (1 << 47) - 1;
/// Largest sequence number (SQLite integers are signed 64-bit).
pub const MAX_SEQ: u64 = i64::MAX as u64;

/// How far past the moment it is signed a deployment may say it ended, in minutes: the
/// clocks of the tool that ran it and of the member who records it differ a little.
pub const DEPLOYMENT_SKEW_MINUTES: i64 = 5;

/// The largest bound on clock offsets a workspace may set, in minutes (a week).
pub const MAX_CLOCK_OFFSET_MINUTES: u32 = 7 * 24 * 60;

/// Fields held to [`MAX_SHORT`] characters, on one line.
const SHORT_FIELDS: &[&str] = &["name", "title", "email", "incident"];
/// Fields that may hold several lines (and tabs), up to [`MAX_TEXT`] characters.
const MULTI_LINE_FIELDS: &[&str] = &[
    "description",
    "rollback_plan",
    "note",
    "comment",
    "reason",
    "justification",
    "source",
    "steps",
    "forward_fix",
    "went_well",
    "went_badly",
    "summary",
    "markdown",
];
/// Fields that hold names (see [`crate::text::check_name`]), with the field the UI shows.
const NAME_FIELDS: &[(&str, &str)] = &[
    ("service", "service"),
    ("services", "service"),
    ("environment", "environment"),
    ("environments", "environment"),
];
/// Other fields a form shows, so that an error can name the field the UI shows it beside.
const OTHER_FIELDS: &[&str] = &[
    "link",
    "components",
    "changes",
    "evidence",
    "version",
    "previous_version",
    "to_version",
    "tool",
    "external_ref",
    "reference",
    "due",
];

fn field_name(key: &str) -> &'static str {
    if let Some((_, ui)) = NAME_FIELDS.iter().find(|(k, _)| *k == key) {
        return ui;
    }
    SHORT_FIELDS
        .iter()
        .chain(MULTI_LINE_FIELDS)
        .chain(OTHER_FIELDS)
        .find(|f| **f == key)
        .copied()
        .unwrap_or("payload")
}

/// Check every string and list of a payload against the limits and the text rules of
/// [`crate::text`]; the error names the field.
pub fn check_payload(payload: &Value) -> Result<(), DomainError> {
    check_value("payload", payload, 0, Rules::All).map_err(|r| r.error)
}

/// [`check_payload`] for a received event: the violation's code (`too_long` for a size,
/// `bad_text` for characters or a name) and the error.
pub fn payload_violation(payload: &Value) -> Result<(), (&'static str, DomainError)> {
    check_value("payload", payload, 0, Rules::All).map_err(|r| (r.code, r.error))
}

/// Only the sizes of [`check_payload`]: what every event already in a ledger must respect.
/// The text rules are newer than some ledgers; an event recorded before them is authentic
/// all the same, and shown escaped.
pub fn check_sizes(payload: &Value) -> Result<(), DomainError> {
    check_value("payload", payload, 0, Rules::Sizes).map_err(|r| r.error)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Rules {
    Sizes,
    All,
}

/// Why a payload is refused: its size, or its text.
struct Refusal {
    code: &'static str,
    error: DomainError,
}

fn too_long(field: &'static str, message: String) -> Refusal {
    Refusal {
        code: "too_long",
        error: DomainError::invalid(field, message),
    }
}

fn bad_text(error: DomainError) -> Refusal {
    Refusal {
        code: "bad_text",
        error,
    }
}

fn check_string(key: &str, s: &str, rules: Rules) -> Result<(), Refusal> {
    let field = field_name(key);
    let name = NAME_FIELDS.iter().any(|(k, _)| *k == key);
    if rules == Rules::All && name {
        return text::check_name(field, s).map_err(bad_text);
    }
    let lines = if MULTI_LINE_FIELDS.contains(&key) {
        Lines::Many
    } else {
        Lines::One
    };
    let label = if field == key { "this text" } else { key };
    if rules == Rules::All {
        text::check_chars(field, label, s, lines).map_err(bad_text)?;
    }
    if key == "source" {
        // A policy bundle: its size in bytes is what matters.
        if s.len() > MAX_SOURCE {
            return Err(too_long(
                field,
                format!(
                    "the policy is {} bytes long; the limit is {MAX_SOURCE} bytes",
                    s.len()
                ),
            ));
        }
        return Ok(());
    }
    // A name the text rules were not asked to check is still held to a short length.
    let max = if name || SHORT_FIELDS.contains(&key) {
        MAX_SHORT
    } else {
        MAX_TEXT
    };
    let n = s.chars().count();
    if n > max {
        return Err(too_long(
            field,
            format!(
                "{} is {n} characters long; the limit is {max} (put longer documents in an evidence link)",
                if field == key { "this text" } else { key }
            ),
        ));
    }
    Ok(())
}

fn check_value(field: &str, v: &Value, depth: usize, rules: Rules) -> Result<(), Refusal> {
    if depth > 16 {
        return Err(too_long("payload", format!("{field} is nested too deeply")));
    }
    match v {
        Value::String(s) => check_string(field, s, rules),
        Value::Array(items) => {
            // An SBOM's packages are many by nature; every other list is short.
            let max = if field == "packages" {
                crate::sbom::MAX_PACKAGES
            } else {
                MAX_ITEMS
            };
            if items.len() > max {
                return Err(too_long(
                    field_name(field),
                    format!("{field} has {} items; the limit is {max}", items.len()),
                ));
            }
            items
                .iter()
                .try_for_each(|x| check_value(field, x, depth + 1, rules))
        }
        Value::Object(map) => map.iter().try_for_each(|(k, x)| {
            if rules == Rules::All {
                text::check_chars("payload", "a field name", k, Lines::One).map_err(bad_text)?;
            }
            check_value(k, x, depth + 1, rules)
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_kind_of_field_has_its_limit_and_the_error_names_it() {
        let ok = json!({"fields": {"title": "é".repeat(MAX_SHORT), "description": "d".repeat(MAX_TEXT)}});
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
                "environment",
            ),
        ] {
            let (code, err) = payload_violation(&payload).unwrap_err();
            assert_eq!(code, "too_long");
            assert!(
                err.to_string().starts_with(&format!("{field}:")),
                "{field}: {err}"
            );
        }
        assert!(check_payload(&json!({"source": "s".repeat(MAX_TEXT + 1)})).is_ok());
    }

    #[test]
    fn text_rules_hold_in_every_payload_with_the_field_named() {
        for (payload, field) in [
            (json!({"fields": {"title": "a\u{1b}[31m"}}), "title"),
            (
                json!({"member": {"name": "Eve\njoin request from Mallory"}}),
                "name",
            ),
            (json!({"comment": "ok\u{202e}gnp.exe"}), "comment"),
            (json!({"environment": "../../etc"}), "environment"),
            (
                json!({"fields": {"environments": ["prod", "x/../y"]}}),
                "environment",
            ),
            (
                json!({"entry": {"scope": {"services": ["-rf"]}}}),
                "service",
            ),
            (json!({"note": "nul\u{0}"}), "note"),
            (json!({"x\u{1b}": "key"}), "payload"),
        ] {
            let (code, err) = payload_violation(&payload).unwrap_err();
            assert_eq!(code, "bad_text", "{payload}");
            assert!(
                err.to_string().starts_with(&format!("{field}:")),
                "{field}: {err}"
            );
        }
        assert!(
            check_payload(
                &json!({"description": "two\nlines\tand a tab", "environment": "eu/prod"})
            )
            .is_ok()
        );
    }
}
