//! `relm`, the command-line tool. Each subcommand is a thin adapter over `relm-api`; this crate
//! only parses arguments, asks for passphrases, formats output and maps errors to exit codes:
//! 0 ok, 1 negative verdict (verification failed), 2 bad usage or input, 3 internal error.

mod args;
mod commands;
mod gates;
mod text;

use clap::Parser;
use relm_api::{ApiError, ErrorCode};
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

#[allow(clippy::print_stdout, clippy::print_stderr)] // the CLI's own output
fn main() -> ExitCode {
    relm_api::prepare_keyring();
    relm_api::private::restrict_process();
    let cli = args::Cli::parse();
    let _guard = relm_api::logging::init("relm-cli");
    tracing::debug!(command = ?cli.command, "relm starting");
    let json = cli.json;
    let result = commands::run(cli);
    for note in relm_api::private::take_notices() {
        eprintln!("note: {note}");
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
                writeln!(stdout, "{}", out.text.trim_end())
            };
            if written.is_err() {
                return ExitCode::from(3);
            }
            for e in &out.errors {
                eprintln!("error: {e}");
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
            eprintln!("error: {message}");
            ExitCode::from(exit_code(*code))
        }
    }
}
