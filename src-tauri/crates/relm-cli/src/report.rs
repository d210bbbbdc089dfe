//! `relm report`: reports as PDF files (docs/reports.md).

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use relm_api::{Options, Relm, Result};

use crate::Outcome;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PaperArg {
    A4,
    Letter,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    En,
    Fr,
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// A release's dossier: everything about it, with the evidence's digest on every page.
    Release {
        /// Release id or a unique prefix.
        id: String,
        /// The PDF file to write (replaced whole, never half-written).
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
        #[arg(long, value_enum, default_value = "a4")]
        paper: PaperArg,
        #[arg(long, value_enum, default_value = "en")]
        lang: LangArg,
        /// The IANA zone times are shown in (the release window's zone by default, else UTC).
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
    },
}

pub fn report(opts: &Options, cmd: ReportCmd) -> Result<Outcome> {
    match cmd {
        ReportCmd::Release {
            id,
            out,
            paper,
            lang,
            tz,
        } => {
            let name = |v: clap::builder::PossibleValue| v.get_name().to_string();
            let (paper, lang) = (
                paper.to_possible_value().map(name).unwrap_or_default(),
                lang.to_possible_value().map(name).unwrap_or_default(),
            );
            let w =
                Relm::open(opts)?.report_release_file(&id, &out, &paper, &lang, tz.as_deref())?;
            let text = format!(
                "{}: {} pages, {} bytes; evidence {} ({} events)\n",
                w.path, w.pages, w.bytes, w.digest, w.events
            );
            Outcome::ok(w, text)
        }
    }
}
