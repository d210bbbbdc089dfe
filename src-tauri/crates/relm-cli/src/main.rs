//! `relm`, the command-line tool. Each subcommand is a thin adapter over `relm-api`; this crate
//! only parses arguments, asks for passphrases, formats output and maps errors to exit codes:
//! 0 ok, 1 negative verdict (verification failed), 2 bad usage or input, 3 internal error.

mod args;
mod commands;
mod connect;
mod delivery;
mod gates;
mod report;
mod sbom;
mod tell;
mod text;

use clap::Parser;
use relm_api::{ApiError, ErrorCode};
use relm_domain::text::shown_output;
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug)]
/// What a command produced: JSON for `--json`, text otherwise, and the exit status.
pub struct Outcome {
    pub json: serde_json::Value,
    pub text: String,
    pub exit: u8,
    /// Errors to print on stderr even when the command produced a result (e.g. one remote of
    /// several could not be reached).
    pub errors: Vec<String>,
}

impl Outcome {
    pub fn ok(json: impl serde::Serialize, text: String) -> relm_api::Result<Outcome> {
        Ok(Outcome {
            json: serde_json::to_value(json).unwrap_or_default(),
            text,
            exit: 0,
            errors: Vec::new(),
        })
    }
}

fn exit_code(code: ErrorCode) -> u8 {
    match code {
        ErrorCode::Keyring | ErrorCode::Internal => 3,
        _ => 2,
    }
}

/// Which argument is not UTF-8 (clap only says that one is), its bytes, and what to do.
fn not_utf8(args: Vec<std::ffi::OsString>) -> String {
    let Some(at) = args
        .iter()
        .skip(1)
        .position(|a| a.to_str().is_none())
        .map(|i| i + 1)
    else {
        return "an argument is not UTF-8 text; Relm stores text as UTF-8".into();
    };
    let bytes = args[at].as_encoded_bytes();
    let (option, value) = match bytes.strip_prefix(b"--").and_then(|b| {
        let eq = b.iter().position(|c| *c == b'=')?;
        Some((
            format!("--{}", String::from_utf8_lossy(&b[..eq])),
            &b[eq + 1..],
        ))
    }) {
        Some((option, value)) => (option, value),
        None => match args[at - 1].to_str() {
            Some(prev) if prev.starts_with('-') && at > 1 => (prev.to_string(), bytes),
            _ => (format!("argument {at}"), bytes),
        },
    };
    format!(
        "{option}: `{}` is not UTF-8 text (Relm keeps text as UTF-8); check the encoding of the terminal or script that passed it",
        value.escape_ascii()
    )
}

#[allow(clippy::print_stdout, clippy::print_stderr)] // the CLI's own output
fn main() -> ExitCode {
    relm_api::prepare_keyring();
    relm_api::private::restrict_process();
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.kind() == clap::error::ErrorKind::InvalidUtf8 => {
            eprintln!("error: {}", not_utf8(std::env::args_os().collect()));
            return ExitCode::from(2);
        }
        Err(e) => e.exit(),
    };
    let _guard = relm_api::logging::init("relm-cli");
    tracing::debug!(command = ?cli.command, "relm starting");
    let json = cli.json;
    let result = commands::run(cli);
    for note in relm_api::private::take_notices() {
        eprintln!("note: {}", shown_output(&note));
    }
    let mut stdout = std::io::stdout().lock();
    match result {
        Ok(out) => {
            let written = if json {
                writeln!(
                    stdout,
                    "{}",
                    serde_json::to_string_pretty(&out.json).unwrap_or_default()
                )
            } else if out.text.is_empty() {
                Ok(())
            } else {
                // The last guard: whatever a formatter let through, no control character but
                // line breaks and tabs (and no direction override) reaches the terminal.
                writeln!(stdout, "{}", shown_output(out.text.trim_end()))
            };
            if written.is_err() {
                return ExitCode::from(3);
            }
            for e in &out.errors {
                eprintln!("error: {}", shown_output(e));
            }
            ExitCode::from(out.exit)
        }
        Err(e) => {
            let ApiError { code, message, .. } = &e;
            tracing::warn!(?code, %message, "command failed");
            if json {
                let v = serde_json::json!({ "error": e });
                let _ = writeln!(
                    stdout,
                    "{}",
                    serde_json::to_string_pretty(&v).unwrap_or_default()
                );
            }
            // Every problem of bad input on its own line.
            for line in shown_output(message).lines() {
                eprintln!("error: {line}");
            }
            ExitCode::from(exit_code(*code))
        }
    }
}
