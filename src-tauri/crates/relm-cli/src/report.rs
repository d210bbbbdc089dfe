//! `relm report`: reports as PDF files (docs/reports.md).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
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
    /// A period's compliance report: every release with its verdict when deployed, the
    /// compliance rate, exceptions, risks, reviews, metrics and the control mapping.
    Period {
        #[command(flatten)]
        period: PeriodArgs,
        /// The PDF file to write (replaced whole, never half-written).
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
        #[command(flatten)]
        look: Look,
    },
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

#[derive(Debug, Subcommand)]
pub enum PackCmd {
    /// A period's evidence pack: its compliance report with everything needed to check it.
    Period {
        #[command(flatten)]
        period: PeriodArgs,
        /// The zip file to write (replaced whole, never half-written).
        #[arg(long, value_name = "FILE.zip")]
        out: PathBuf,
        #[command(flatten)]
        look: Look,
    },
    /// A release's evidence pack: its dossier, the signed events it rests on, the facts as CSV,
    /// the keys, a guide, and a manifest signed by you (docs/reports.md).
    Release {
        /// Release id or a unique prefix.
        id: String,
        /// The zip file to write (replaced whole, never half-written).
        #[arg(long, value_name = "FILE.zip")]
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

/// A report's period and environment.
#[derive(Debug, Args)]
pub struct PeriodArgs {
    /// First day of the period (YYYY-MM-DD, from its start, UTC) or an RFC 3339 time.
    #[arg(long, value_name = "D")]
    from: String,
    /// Last day of the period (YYYY-MM-DD, to its end, UTC) or an RFC 3339 time.
    #[arg(long, value_name = "D")]
    to: String,
    /// Only this environment (every one by default; the metrics then measure production).
    #[arg(long, value_name = "E")]
    env: Option<String>,
}

/// How a period's report looks: paper, language, zone.
#[derive(Debug, Args)]
pub struct Look {
    #[arg(long, value_enum, default_value = "a4")]
    paper: PaperArg,
    #[arg(long, value_enum, default_value = "en")]
    lang: LangArg,
    /// The IANA zone times are shown in (UTC by default).
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
}

fn names(paper: PaperArg, lang: LangArg) -> (String, String) {
    let name = |v: clap::builder::PossibleValue| v.get_name().to_string();
    (
        paper.to_possible_value().map(name).unwrap_or_default(),
        lang.to_possible_value().map(name).unwrap_or_default(),
    )
}

fn pack_text(w: &relm_api::pack::PackWritten) -> String {
    format!(
        "{}: {} files, {} bytes; manifest {}; evidence {} ({} events); the export is on record\n",
        w.path, w.files, w.bytes, w.manifest, w.digest, w.events
    )
}

pub fn pack(opts: &Options, cmd: PackCmd) -> Result<Outcome> {
    match cmd {
        PackCmd::Period { period, out, look } => {
            let (paper, lang) = names(look.paper, look.lang);
            let w = Relm::open(opts)?.pack_period_file(
                (&period.from, &period.to),
                period.env.as_deref(),
                &out,
                (&paper, &lang, look.tz.as_deref()),
            )?;
            let text = pack_text(&w);
            Outcome::ok(w, text)
        }
        PackCmd::Release {
            id,
            out,
            paper,
            lang,
            tz,
        } => {
            let (paper, lang) = names(paper, lang);
            let w = Relm::open(opts)?.pack_release_file(&id, &out, &paper, &lang, tz.as_deref())?;
            let text = pack_text(&w);
            Outcome::ok(w, text)
        }
    }
}

/// `relm verify PACK.zip`: exit 0 verified, 1 not verified, 2 not a pack.
pub fn verify(pack: &std::path::Path) -> Result<Outcome> {
    let v = relm_api::pack::verify_pack(pack)?;
    let mut text = String::new();
    use relm_api::pack::PackStatus;
    let exit = match v.status {
        PackStatus::Verified => 0,
        PackStatus::NotVerified => 1,
        PackStatus::NotAPack => 2,
    };
    match (&v.status, &v.manifest) {
        (PackStatus::NotAPack, _) | (_, None) => {
            text.push_str(&format!("{}: not an evidence pack\n", v.path));
        }
        (status, Some(m)) => {
            text.push_str(&format!(
                "{}: {}\n",
                v.path,
                if *status == PackStatus::Verified {
                    "VERIFIED"
                } else {
                    "NOT VERIFIED"
                }
            ));
            text.push_str(&format!(
                "  {} {} of workspace {} ({}), exported by {} ({}) at {}\n",
                m.kind,
                m.subject,
                m.workspace.name,
                m.workspace.id,
                m.exporter.name,
                m.exporter.member,
                m.exported_at
            ));
            text.push_str(&format!(
                "  {} files, {} events by {} signers; evidence {}\n",
                v.files.len(),
                v.events,
                v.signers.len(),
                m.evidence.digest
            ));
            for s in &v.signers {
                text.push_str(&format!(
                    "    {} ({}): {}, {} events\n",
                    s.name,
                    s.fingerprint,
                    if s.roles.is_empty() {
                        "no role".to_string()
                    } else {
                        s.roles.join(", ")
                    },
                    s.events
                ));
            }
            if !v.not_applied.is_empty() {
                text.push_str(&format!(
                    "  {} authentic events without effect (left out of the tables):\n",
                    v.not_applied.len()
                ));
                for f in &v.not_applied {
                    text.push_str(&format!(
                        "    {} {} by {}: {}\n",
                        f.event, f.kind, f.by, f.reason
                    ));
                }
            }
        }
    }
    let errors: Vec<String> = v
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.subject, p.message))
        .collect();
    Ok(Outcome {
        exit,
        errors,
        ..Outcome::ok(&v, text)?
    })
}

fn report_text(w: &relm_api::reports::Written) -> String {
    format!(
        "{}: {} pages, {} bytes; evidence {} ({} events)\n",
        w.path, w.pages, w.bytes, w.digest, w.events
    )
}

pub fn report(opts: &Options, cmd: ReportCmd) -> Result<Outcome> {
    match cmd {
        ReportCmd::Period { period, out, look } => {
            let (paper, lang) = names(look.paper, look.lang);
            let w = Relm::open(opts)?.report_period_file(
                (&period.from, &period.to),
                period.env.as_deref(),
                &out,
                (&paper, &lang, look.tz.as_deref()),
            )?;
            let text = report_text(&w);
            Outcome::ok(w, text)
        }
        ReportCmd::Release {
            id,
            out,
            paper,
            lang,
            tz,
        } => {
            let (paper, lang) = names(paper, lang);
            let w =
                Relm::open(opts)?.report_release_file(&id, &out, &paper, &lang, tz.as_deref())?;
            let text = report_text(&w);
            Outcome::ok(w, text)
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum NotesCmd {
    /// Draft a release's notes from its changes, components and what changed inside them
    /// (its SBOMs against the previous version): Markdown on standard output, or written to
    /// FILE.md, or laid out as FILE.pdf.
    Draft {
        release: String,
        #[arg(long, value_enum, default_value = "en")]
        lang: LangArg,
        #[arg(long, value_name = "FILE.md|FILE.pdf")]
        out: Option<PathBuf>,
        /// Paper for a PDF.
        #[arg(long, value_enum, default_value = "a4")]
        paper: PaperArg,
    },
}

pub fn notes(opts: &Options, cmd: NotesCmd) -> Result<Outcome> {
    let NotesCmd::Draft {
        release,
        lang,
        out,
        paper,
    } = cmd;
    let (paper, lang) = names(paper, lang);
    let relm = Relm::open(opts)?;
    match out {
        None => {
            let draft = relm.draft_notes_in(&release, &lang)?;
            let text = draft.markdown.clone();
            Outcome::ok(draft, text)
        }
        Some(out) => {
            let w = relm.write_notes_file(&release, &out, &paper, &lang)?;
            let text = format!("{} ({}, {} bytes)\n", w.path, w.format, w.bytes);
            Outcome::ok(w, text)
        }
    }
}
