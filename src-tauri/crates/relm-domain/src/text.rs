//! Text from people and from other replicas: what it may hold, and how it is shown.
//!
//! Any member can type, sign and sync any string, and anyone reads it later in a terminal or in
//! the app. Two kinds of characters turn text into an attack on its reader:
//!
//! - **control characters** (C0, DEL and C1): an `ESC [` sequence rewrites the reader's
//!   terminal, a newline in a name forges a whole line of output (a fake "join request from …"
//!   under the real ones), a carriage return overwrites the start of a line;
//! - **bidirectional overrides and isolates** (U+202A–U+202E, U+2066–U+2069): they make text
//!   display in another order than it is stored (U+202E then `exe.txt` reads as `txt.exe`).
//!
//! Input refuses them ([`check_text`]; newline and tab are allowed in multi-line fields), at
//! entry and at ingest alike. Output escapes them anyway ([`shown`], [`shown_lines`],
//! [`shown_output`]): the ledger may hold events older than these rules. JSON output is exact;
//! its encoding escapes control characters itself.
//!
//! Names (services, environments, components, remotes) are stricter still: [`check_name`].

use std::borrow::Cow;
use std::fmt;

use crate::{DomainError, ProblemCode};

/// Whether a field holds one line (names, titles, e-mails) or several (descriptions, notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// Bidirectional embeddings, overrides and isolates: U+202A–U+202E and U+2066–U+2069.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` is refused in a field of kind `lines`.
pub fn is_refused(c: char, lines: Lines) -> bool {
    (c.is_control() && !(lines == Lines::Many && matches!(c, '\n' | '\t'))) || is_bidi_control(c)
}

/// How a refused character is named in an error: `U+001B (escape)`.
fn describe(c: char) -> String {
    let what = match c {
        '\0' => "a NUL byte",
        '\n' => "a line break",
        '\r' => "a carriage return",
        '\t' => "a tab",
        '\u{1b}' => "an escape character",
        c if is_bidi_control(c) => "a direction override",
        _ => "a control character",
    };
    format!("{what} (U+{:04X})", c as u32)
}

/// Refuse what text of kind `lines` may not hold, and anything longer than `max` characters.
/// The error names the field, the character and where it is, and says what to do.
pub fn check_text(field: &str, value: &str, lines: Lines, max: usize) -> Result<(), DomainError> {
    check_chars(field, "this text", value, lines)?;
    let n = value.chars().count();
    if n > max {
        return Err(DomainError::problem(
            field,
            ProblemCode::TooLong,
            format!(
                "this text is {n} characters long; the limit is {max} (put longer documents in an evidence link)"
            ),
        )
        .with("length", n)
        .with("max", max));
    }
    Ok(())
}

/// The character part of [`check_text`]: `label` is what the message calls the field (a
/// payload key), `field` what the UI shows the error beside.
pub fn check_chars(field: &str, label: &str, value: &str, lines: Lines) -> Result<(), DomainError> {
    // Printable ASCII holds no control character and no direction override: most text is
    // judged by its bytes, without decoding a character at a time.
    if value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Ok(());
    }
    match value
        .chars()
        .enumerate()
        .find(|(_, c)| is_refused(*c, lines))
    {
        None => Ok(()),
        Some((at, c)) => Err(DomainError::problem(
            field,
            ProblemCode::BadChar,
            refusal(label, c, Some(at + 1), lines),
        )
        .with("char", format!("U+{:04X}", c as u32))
        .with("position", at + 1)
        .with(
            "lines",
            match lines {
                Lines::One => "one",
                Lines::Many => "many",
            },
        )),
    }
}

/// What an error says about `c`, refused in `label` (at character `at`, when a position helps).
pub fn refusal(label: &str, c: char, at: Option<usize>, lines: Lines) -> String {
    let allowed = match lines {
        Lines::One => "it must be a single line of text",
        Lines::Many => "only line breaks and tabs may be used for layout",
    };
    format!(
        "{label} holds {}{}; remove it ({allowed}; control characters and direction overrides can disguise what the text says)",
        describe(c),
        at.map(|n| format!(" at character {n}")).unwrap_or_default()
    )
}

/// The longest name (service, environment, component, remote), in characters.
pub const MAX_NAME: usize = 100;

/// A name: 1 to [`MAX_NAME`] ASCII letters, digits, `-`, `_`, `.` and `/`, in `/`-separated
/// parts that each start with a letter or a digit (so `eu/prod` is a name; `../../etc`, `/prod`,
/// `a//b` and `-rf` are not). Names end up in file names, URLs and command lines.
pub fn check_name(field: &str, value: &str) -> Result<(), DomainError> {
    // "the name", "the service name".
    let what = if field == "name" {
        "name".to_string()
    } else {
        format!("{field} name")
    };
    if value.is_empty() {
        return Err(DomainError::problem(
            field,
            ProblemCode::Required,
            format!("the {what} is empty; give a name such as `payments-api`"),
        ));
    }
    let chars_ok = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    let parts_ok = value
        .split('/')
        .all(|p| p.starts_with(|c: char| c.is_ascii_alphanumeric()));
    if value.len() > MAX_NAME || !chars_ok || !parts_ok {
        return Err(DomainError::problem(
            field,
            ProblemCode::BadName,
            format!(
                "`{}` is not a valid {what}; use up to {MAX_NAME} letters, digits, `-`, `_`, `.` or `/`, each `/`-separated part starting with a letter or a digit (e.g. `prod` or `eu/prod`)",
                Shown(&truncated(value, 120))
            ),
        )
        .with("value", truncated(value, 120))
        .with("max", MAX_NAME));
    }
    Ok(())
}

/// At most `max` characters of `s`, with `…` when cut (to quote input in an error).
pub fn truncated(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((at, _)) => Cow::Owned(format!("{}…", &s[..at])),
    }
}

fn escape(c: char, out: &mut String) {
    use std::fmt::Write;
    let _ = match c {
        '\n' => write!(out, "\\n"),
        '\r' => write!(out, "\\r"),
        '\t' => write!(out, "\\t"),
        c => write!(out, "\\u{{{:x}}}", c as u32),
    };
}

fn escaped(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if keep(c) {
            out.push(c);
        } else {
            escape(c, &mut out);
        }
    }
    Cow::Owned(out)
}

/// One line of outside text, safe to print: every control character (newline and tab too) and
/// every direction override is written as an escape (`\n`, `\u{1b}`, `\u{202e}`).
pub fn shown(s: &str) -> Cow<'_, str> {
    escaped(s, |c| !is_refused(c, Lines::One))
}

/// Multi-line outside text, safe to print: as [`shown`] but line breaks stay, and every line
/// after the first starts with `indent`, so that no line of it can pass for a line of the
/// output around it.
pub fn shown_lines<'a>(s: &'a str, indent: &str) -> Cow<'a, str> {
    let body = escaped(s, |c| !is_refused(c, Lines::Many));
    if !body.contains('\n') {
        return body;
    }
    Cow::Owned(body.replace('\n', &format!("\n{indent}")))
}

/// A whole human-readable output, made safe at the last step: every control character but
/// newline and tab, and every direction override, escaped. What the formatters missed cannot
/// reach the terminal as a command.
pub fn shown_output(s: &str) -> Cow<'_, str> {
    escaped(s, |c| !is_refused(c, Lines::Many))
}

/// [`shown`] as a `Display` value that honours width and alignment (`{:<24}`).
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a>(pub &'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&shown(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The printable-ASCII shortcut judges as the character-by-character rule does.
        #[test]
        fn text_is_judged_as_each_character_is(
            value in "[ -~\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}é]{0,12}",
            many: bool,
        ) {
            let lines = if many { Lines::Many } else { Lines::One };
            let refused = value.chars().any(|c| is_refused(c, lines));
            proptest::prop_assert_eq!(check_chars("f", "this text", &value, lines).is_err(), refused);
        }
    }

    #[test]
    fn controls_and_overrides_are_refused_with_the_field_and_the_character() {
        for (value, lines, what) in [
            (
                "red \u{1b}[31m",
                Lines::One,
                "escape character (U+001B) at character 5",
            ),
            ("a\nb", Lines::One, "line break (U+000A)"),
            ("a\tb", Lines::One, "tab (U+0009)"),
            ("a\rb", Lines::Many, "carriage return (U+000D)"),
            ("nul\0", Lines::Many, "NUL byte (U+0000)"),
            ("c1 \u{9b}", Lines::Many, "control character (U+009B)"),
            ("del \u{7f}", Lines::Many, "control character (U+007F)"),
            (
                "\u{202e}txt.exe",
                Lines::Many,
                "direction override (U+202E)",
            ),
            ("iso \u{2066}x", Lines::One, "direction override (U+2066)"),
        ] {
            let err = check_text("title", value, lines, 100)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("title: this text holds"), "{err}");
            assert!(err.contains(what), "{value:?}: {err}");
        }
        for ok in [
            "two\nlines\twith a tab",
            "Déploiement «prod» ✓",
            "שלום עולם",
            "x'; DROP TABLE events;--",
        ] {
            assert!(
                check_text("description", ok, Lines::Many, 100).is_ok(),
                "{ok}"
            );
        }
        // Right-to-left text and the marks that go with it are language, not an attack.
        assert!(check_text("title", "\u{200f}עברית\u{200e}", Lines::One, 100).is_ok());
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        assert!(check_text("title", &"é".repeat(200), Lines::One, 200).is_ok());
        let err = check_text("title", &"é".repeat(201), Lines::One, 200).unwrap_err();
        assert_eq!(
            err.to_string(),
            "title: this text is 201 characters long; the limit is 200 (put longer documents in an evidence link)"
        );
    }

    #[test]
    fn names_are_parts_that_start_with_a_letter_or_digit() {
        for ok in [
            "prod",
            "eu/prod",
            "payments-api",
            "v1.2_x",
            "a".repeat(100).as_str(),
        ] {
            assert!(check_name("environment", ok).is_ok(), "{ok}");
        }
        for bad in [
            "../../etc",
            "/prod",
            "prod/",
            "a//b",
            ".hidden",
            "-rf",
            "eu/../prod",
            "pay ments",
            "prod\n",
            "prød",
            &"a".repeat(101),
        ] {
            let err = check_name("environment", bad).unwrap_err().to_string();
            assert!(err.contains("not a valid environment name"), "{bad}: {err}");
            assert!(
                !err.contains('\n'),
                "the error quotes the name escaped: {err}"
            );
        }
    }

    #[test]
    fn output_escapes_what_input_refuses() {
        assert_eq!(shown("plain"), Cow::Borrowed("plain"));
        assert_eq!(shown("a\nb\u{1b}[2J\u{202e}"), "a\\nb\\u{1b}[2J\\u{202e}");
        assert_eq!(
            shown_lines("first\nsecond\r\u{9b}", "  | "),
            "first\n  | second\\r\\u{9b}"
        );
        assert_eq!(
            shown_output("line\n\tok \u{1b}]0;x\u{7}"),
            "line\n\tok \\u{1b}]0;x\\u{7}"
        );
        assert_eq!(format!("[{:<6}]", Shown("a\nb")), "[a\\nb  ]");
        assert_eq!(truncated("abcdef", 3), "abc…");
    }
}
