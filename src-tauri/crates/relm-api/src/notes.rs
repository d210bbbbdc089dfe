//! Release notes drafted from what the workspace knows of a release: its title and
//! description, its changes, its components, and what changed inside them since the
//! service's previous version with an SBOM. In Markdown, or as a PDF through the report
//! engine; in English or French.

use relm_report::{Block, Column, Document, Section};
use relm_sbom::Diff;
use serde::Serialize;

use crate::error::{ApiError, Result};
use crate::reports::{pdf, write_whole};
use crate::session::Relm;
use relm_report::Lang as ReportLang;

/// A draft, in Markdown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NotesDraft {
    pub release_id: String,
    pub title: String,
    pub markdown: String,
}

/// Release notes written to a file.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NotesWritten {
    pub path: String,
    /// `markdown` or `pdf`.
    pub format: String,
    pub bytes: u64,
}

/// What the notes say, before it is written one way or the other.
struct Notes {
    release_id: String,
    title: String,
    description: String,
    changes: Vec<(String, String, Option<String>)>,
    components: Vec<String>,
    /// `None`: no SBOM attached; else the previous version compared with (if any) and the diff.
    inside: Option<(Option<String>, Diff)>,
}

/// Markdown's special characters in text from outside (titles, descriptions), escaped so that
/// they read as written and cannot make links, HTML or headings.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '(' | ')'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn version(p: &relm_sbom::Package) -> &str {
    p.version.as_deref().unwrap_or("?")
}

impl Relm {
    fn notes(&self, release: &str) -> Result<Notes> {
        let id = self.resolve_release(release)?;
        let row = relm_store::projection::releases::get(self.store.conn(), &id)?
            .ok_or_else(|| crate::error::no_release(&id))?;
        let f = &row.fields;
        let has_sbom = !relm_store::projection::sbom::documents(self.store.conn(), &id)?.is_empty();
        let inside = if has_sbom {
            let d = self.sbom_diff(&id, None)?;
            Some((
                d.against.map(|a| format!("{} {}", a.service, a.version)),
                d.diff,
            ))
        } else {
            None
        };
        Ok(Notes {
            release_id: id.clone(),
            title: format!("{} {} — {}", f.service, f.version, f.title),
            description: f.description.trim().to_string(),
            changes: f
                .changes
                .iter()
                .map(|c| (c.id.clone(), c.title.clone(), c.link.clone()))
                .collect(),
            components: f
                .components
                .iter()
                .map(|c| format!("{} {}", c.name, c.version))
                .collect(),
            inside,
        })
    }

    /// Draft the release notes of `release` in Markdown.
    pub fn draft_notes(&self, release: &str, lang: ReportLang) -> Result<NotesDraft> {
        let n = self.notes(release)?;
        Ok(NotesDraft {
            markdown: markdown(&n, lang),
            release_id: n.release_id,
            title: n.title,
        })
    }
}

/// The notes in Markdown.
fn markdown(n: &Notes, lang: ReportLang) -> String {
    let t = |en: &str, fr: &str| if lang == ReportLang::Fr { fr } else { en }.to_string();
    let mut m = format!("# {}\n\n", md(&n.title));
    if !n.description.is_empty() {
        m.push_str(&format!("{}\n\n", md(&n.description)));
    }
    if !n.changes.is_empty() {
        m.push_str(&format!("## {}\n\n", t("Changes", "Changements")));
        for (id, title, link) in &n.changes {
            match link {
                Some(l) if l.starts_with("https://") || l.starts_with("http://") => m.push_str(
                    &format!("- [{}]({}) {}\n", md(id), l.replace(')', "%29"), md(title)),
                ),
                _ => m.push_str(&format!("- {} {}\n", md(id), md(title))),
            }
        }
        m.push('\n');
    }
    if !n.components.is_empty() {
        m.push_str(&format!("## {}\n\n", t("Components", "Composants")));
        for c in &n.components {
            m.push_str(&format!("- {}\n", md(c)));
        }
        m.push('\n');
    }
    m.push_str(&format!(
        "## {}\n\n",
        t("What changed inside", "Ce qui a changé à l’intérieur")
    ));
    match &n.inside {
        None => m.push_str(&t(
            "No SBOM is attached: the packages inside are not known.\n",
            "Aucune SBOM n’est jointe\u{202f}: les paquets qu’elle contient ne sont pas connus.\n",
        )),
        Some((None, d)) => m.push_str(&format!(
            "{}\n",
            t(
                &format!("First version with an SBOM: {} packages.", d.added.len()),
                &format!(
                    "Première version avec une SBOM\u{a0}: {} paquets.",
                    d.added.len()
                ),
            )
        )),
        Some((Some(against), d)) => {
            m.push_str(&format!(
                "{}\n\n",
                t(
                    &format!("Since {}:", md(against)),
                    &format!("Depuis {}\u{a0}:", md(against))
                )
            ));
            for p in &d.added {
                m.push_str(&format!(
                    "- {} {} {}\n",
                    t("Added:", "Ajouté\u{a0}:"),
                    md(&p.name),
                    md(version(p))
                ));
            }
            for mv in &d.upgraded {
                m.push_str(&format!(
                    "- {} {} {} → {}\n",
                    t("Upgraded:", "Mis à jour\u{a0}:"),
                    md(&mv.name),
                    md(version(&mv.from)),
                    md(version(&mv.to))
                ));
            }
            for mv in &d.downgraded {
                m.push_str(&format!(
                    "- {} {} {} → {}\n",
                    t("Downgraded:", "Revenu en arrière\u{a0}:"),
                    md(&mv.name),
                    md(version(&mv.from)),
                    md(version(&mv.to))
                ));
            }
            for p in &d.removed {
                m.push_str(&format!(
                    "- {} {} {}\n",
                    t("Removed:", "Retiré\u{a0}:"),
                    md(&p.name),
                    md(version(p))
                ));
            }
            for l in &d.relicensed {
                m.push_str(&format!(
                    "- {} {}: {} → {}\n",
                    t("Licence changed:", "Licence changée\u{a0}:"),
                    md(&l.name),
                    md(&l.from.join(" / ")),
                    md(&l.to.join(" / "))
                ));
            }
            if d.is_empty() {
                m.push_str(&t(
                    "- No package changed.\n",
                    "- Aucun paquet n’a changé.\n",
                ));
            }
        }
    }
    m
}

impl Relm {
    /// The release notes as a report-engine document.
    fn notes_document(&self, release: &str, lang: ReportLang) -> Result<Document> {
        let n = self.notes(release)?;
        let t = |en: &str, fr: &str| if lang == ReportLang::Fr { fr } else { en }.to_string();
        let mut sections = Vec::new();
        let mut intro = Vec::new();
        if !n.description.is_empty() {
            intro.push(Block::paragraph(n.description.clone()));
        }
        if !n.components.is_empty() {
            intro.push(Block::key_values([(
                t("Components", "Composants"),
                n.components.join(", "),
            )]));
        }
        if !intro.is_empty() {
            sections.push(Section::new(n.title.clone(), intro));
        }
        if !n.changes.is_empty() {
            sections.push(Section::new(
                t("Changes", "Changements"),
                vec![crate::reports::table(
                    vec![
                        Column::new(t("Reference", "Référence"), 0.2),
                        Column::new(t("Title", "Titre"), 0.8),
                    ],
                    n.changes
                        .iter()
                        .map(|(id, title, _)| vec![id.clone(), title.clone()])
                        .collect(),
                )],
            ));
        }
        let inside = match &n.inside {
            None => vec![Block::note(t(
                "No SBOM is attached: the packages inside are not known.",
                "Aucune SBOM n’est jointe\u{202f}: les paquets qu’elle contient ne sont pas connus.",
            ))],
            Some((against, d)) => {
                let mut rows = Vec::new();
                for p in &d.added {
                    rows.push(vec![
                        t("added", "ajouté"),
                        p.name.clone(),
                        "—".into(),
                        version(p).into(),
                    ]);
                }
                for (word, list) in [
                    (t("upgraded", "mis à jour"), &d.upgraded),
                    (t("downgraded", "revenu en arrière"), &d.downgraded),
                ] {
                    for mv in list {
                        rows.push(vec![
                            word.clone(),
                            mv.name.clone(),
                            version(&mv.from).into(),
                            version(&mv.to).into(),
                        ]);
                    }
                }
                for p in &d.removed {
                    rows.push(vec![
                        t("removed", "retiré"),
                        p.name.clone(),
                        version(p).into(),
                        "—".into(),
                    ]);
                }
                for l in &d.relicensed {
                    rows.push(vec![
                        t("licence", "licence"),
                        l.name.clone(),
                        l.from.join(" / "),
                        l.to.join(" / "),
                    ]);
                }
                let mut blocks = vec![Block::paragraph(match against {
                    Some(a) => t(&format!("Since {a}."), &format!("Depuis {a}.")),
                    None => t(
                        "First version with an SBOM.",
                        "Première version avec une SBOM.",
                    ),
                })];
                if rows.is_empty() {
                    blocks.push(Block::note(t(
                        "No package changed.",
                        "Aucun paquet n’a changé.",
                    )));
                } else {
                    blocks.push(crate::reports::table(
                        vec![
                            Column::new(t("Change", "Changement"), 0.2),
                            Column::new(t("Package", "Paquet"), 0.4),
                            Column::new(t("Before", "Avant"), 0.2),
                            Column::new(t("After", "Après"), 0.2),
                        ],
                        rows,
                    ));
                }
                blocks
            }
        };
        sections.push(Section::new(
            t("What changed inside", "Ce qui a changé à l’intérieur"),
            inside,
        ));
        let at = self.report_time()?;
        // The footer's digest: the Markdown draft's, the same text in another form.
        let digest = relm_sbom::digest(markdown(&n, lang).as_bytes());
        Ok(Document {
            title: n.title,
            subject: t("Release notes", "Notes de version"),
            author: self.identity()?.member.name,
            lang,
            digest,
            created: at.timestamp(),
            sections,
        })
    }

    /// Write the release notes of `release` to `out`: Markdown for `.md`, PDF (on `paper`) for
    /// `.pdf`. Written whole or not at all.
    pub fn write_notes(
        &self,
        release: &str,
        lang: ReportLang,
        out: &std::path::Path,
        paper: relm_report::Paper,
    ) -> Result<NotesWritten> {
        let ext = out
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let (format, bytes) = match ext.as_str() {
            "md" | "markdown" => (
                "markdown",
                self.draft_notes(release, lang)?.markdown.into_bytes(),
            ),
            "pdf" => ("pdf", pdf(&self.notes_document(release, lang)?, paper)?.0),
            _ => {
                return Err(ApiError::invalid(
                    "out",
                    format!(
                        "{}: write release notes to a `.md` file (Markdown) or a `.pdf` file",
                        out.display()
                    ),
                ));
            }
        };
        write_whole(out, &bytes)?;
        Ok(NotesWritten {
            path: out.display().to_string(),
            format: format.into(),
            bytes: bytes.len() as u64,
        })
    }
}

impl Relm {
    /// [`Relm::draft_notes`] in the language named `lang` (`en` or `fr`).
    pub fn draft_notes_in(&self, release: &str, lang: &str) -> Result<NotesDraft> {
        let (_, opts) = self.report_form("a4", lang, None)?;
        self.draft_notes(release, opts.lang)
    }

    /// [`Relm::write_notes`] with the paper and language named (`a4`/`letter`, `en`/`fr`).
    pub fn write_notes_file(
        &self,
        release: &str,
        out: &std::path::Path,
        paper: &str,
        lang: &str,
    ) -> Result<NotesWritten> {
        let (paper, opts) = self.report_form(paper, lang, None)?;
        self.write_notes(release, opts.lang, out, paper)
    }
}
