//! `relm report`: reports as PDF files (docs/reports.md).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use relm_api::{ApiError, Options, Relm, Result};

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
    /// Save the release's notes from FILE.md (edited from a draft), signed: what is published.
    Save {
        release: String,
        #[arg(value_name = "FILE.md")]
        file: PathBuf,
        /// The language they are written in.
        #[arg(long, value_enum, default_value = "en")]
        lang: LangArg,
    },
    /// The release's saved notes: Markdown on standard output, or written to FILE.md, or laid
    /// out as FILE.pdf.
    Show {
        release: String,
        #[arg(long, value_name = "FILE.md|FILE.pdf")]
        out: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "a4")]
        paper: PaperArg,
    },
    /// Publish the saved notes to the GitHub or GitLab release of the release's tag, through
    /// each connection of its service (or --connector): exit 0 when every platform has them, 1
    /// when one waits in the outbox (tried again at each sync).
    Publish {
        release: String,
        #[arg(long, value_name = "NAME")]
        connector: Option<String>,
    },
}

/// The largest notes file read (the ledger keeps at most 20,000 characters of them).
const MAX_NOTES_FILE: u64 = 1 << 20;

pub fn notes(opts: &Options, cmd: NotesCmd) -> Result<Outcome> {
    let (release, lang, out, paper) = match cmd {
        NotesCmd::Draft {
            release,
            lang,
            out,
            paper,
        } => (release, lang, out, paper),
        NotesCmd::Save {
            release,
            file,
            lang,
        } => {
            let mut relm = Relm::open(opts)?;
            let bytes = relm_api::files::read_user_file(
                &file,
                MAX_NOTES_FILE,
                "release notes are at most 20,000 characters; link longer documents from them",
            )?;
            let text = String::from_utf8(bytes).map_err(|_| {
                ApiError::invalid(
                    "file",
                    format!("{} is not UTF-8 text; save it as UTF-8", file.display()),
                )
            })?;
            let (_, lang) = names(PaperArg::A4, lang);
            let saved = relm.save_notes(&release, &lang, &text)?;
            let shown = format!(
                "notes of {} saved ({}, {} characters, {})\n",
                saved.release_id,
                saved.lang,
                saved.markdown.chars().count(),
                saved.digest
            );
            return Outcome::ok(saved, shown);
        }
        NotesCmd::Show {
            release,
            out,
            paper,
        } => {
            let relm = Relm::open(opts)?;
            let (paper, _) = names(paper, LangArg::En);
            return match out {
                None => {
                    let saved = relm.saved_notes(&release)?.ok_or_else(|| {
                        ApiError::validation(
                            "this release has no saved notes yet; draft them (`relm notes draft`), edit, and save them (`relm notes save`)",
                        )
                    })?;
                    let text = format!("{}\n", saved.markdown);
                    Outcome::ok(saved, text)
                }
                Some(out) => {
                    let w = relm.write_saved_notes(&release, &out, &paper)?;
                    let text = format!("{} ({}, {} bytes)\n", w.path, w.format, w.bytes);
                    Outcome::ok(w, text)
                }
            };
        }
        NotesCmd::Publish { release, connector } => {
            let mut relm = Relm::open(opts)?;
            let done = relm_api::publish::publish_notes(
                &std::cell::RefCell::new(&mut relm),
                &release,
                connector.as_deref(),
            )?;
            let mut text = String::new();
            for e in &done.entries {
                text.push_str(&match e.state.as_str() {
                    "done" => format!(
                        "{}: published ({})\n",
                        e.connector,
                        e.remote_id.as_deref().unwrap_or_default()
                    ),
                    _ => format!(
                        "{}: not published yet (outbox entry {}): {}\n",
                        e.connector,
                        e.id,
                        e.last_error.as_deref().unwrap_or("waiting")
                    ),
                });
            }
            let exit = u8::from(done.entries.iter().any(|e| e.state != "done"));
            return Ok(Outcome {
                exit,
                ..Outcome::ok(&done, text)?
            });
        }
    };
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
