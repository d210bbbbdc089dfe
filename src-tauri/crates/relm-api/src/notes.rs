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
        let (format, bytes) = match notes_format(out)? {
            "pdf" => ("pdf", pdf(&self.notes_document(release, lang)?, paper)?.0),
            _ => (
                "markdown",
                self.draft_notes(release, lang)?.markdown.into_bytes(),
            ),
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

/// A release's notes as written and signed (`release.notes_set`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SavedNotes {
    pub release_id: String,
    /// `en` or `fr`.
    pub lang: String,
    pub markdown: String,
    /// `sha256:` of the Markdown.
    pub digest: String,
    pub event_id: String,
    pub at: String,
    pub by: String,
    pub by_name: String,
}

impl Relm {
    /// The release's notes as last saved, if they were.
    pub fn saved_notes(&self, release: &str) -> Result<Option<SavedNotes>> {
        let id = self.resolve_release(release)?;
        let Some(row) = relm_store::projection::notes::get(self.store.conn(), &id)? else {
            return Ok(None);
        };
        let by_name = relm_store::projection::governance::people(self.store.conn())?
            .get(&relm_domain::keys::KeyId(row.by_key.clone()))
            .map(|p| p.name.clone())
            .unwrap_or_else(|| row.by_key.clone());
        Ok(Some(SavedNotes {
            digest: relm_sbom::digest(row.markdown.as_bytes()),
            release_id: row.release_id,
            lang: row.lang,
            markdown: row.markdown,
            event_id: row.event_id,
            at: relm_domain::window::fmt_utc(
                relm_domain::hlc::Hlc::from_packed(row.at_hlc).to_datetime(),
            ),
            by: row.by_key,
            by_name,
        }))
    }

    /// Save the release's notes (Markdown, in `lang`), signed: what is published. Saving the
    /// same text again records nothing.
    pub fn save_notes(&mut self, release: &str, lang: &str, markdown: &str) -> Result<SavedNotes> {
        let id = self.resolve_release(release)?;
        let lang = lang.trim();
        if !matches!(lang, "en" | "fr") {
            return Err(ApiError::invalid(
                "lang",
                format!("language `{lang}` is not en or fr; choose one of them"),
            ));
        }
        // Line ends as the editor and the platforms write them.
        let markdown = markdown.replace("\r\n", "\n");
        let markdown = markdown.trim_end();
        if markdown.trim().is_empty() {
            return Err(ApiError::from(relm_domain::DomainError::problem(
                "markdown",
                relm_domain::ProblemCode::Required,
                "the notes are empty; draft them (`relm notes draft`) and edit the draft",
            )));
        }
        if let Some(now) = self.saved_notes(&id)?
            && now.markdown == markdown
            && now.lang == lang
        {
            return Ok(now);
        }
        let body = relm_domain::payload::EventBody::ReleaseNotesSet {
            release_id: relm_domain::ids::ReleaseId(id.clone()),
            lang: lang.to_string(),
            markdown: markdown.to_string(),
        };
        self.emit(|_| Ok(vec![body]))?;
        tracing::info!(release = %id, lang, bytes = markdown.len(), "release notes saved");
        self.saved_notes(&id)?
            .ok_or_else(|| ApiError::validation("the notes were not kept"))
    }

    /// The saved notes written to `out`: Markdown for `.md`, a PDF (through the report engine,
    /// on `paper`) for `.pdf`.
    pub fn write_saved_notes(
        &self,
        release: &str,
        out: &std::path::Path,
        paper: &str,
    ) -> Result<NotesWritten> {
        let notes = self.saved_notes(release)?.ok_or_else(|| {
            ApiError::validation(
                "this release has no saved notes yet; save them first (`relm notes save`)",
            )
        })?;
        let (paper, opts) = self.report_form(paper, &notes.lang, None)?;
        let (format, bytes) = match notes_format(out)? {
            "pdf" => {
                let row = self.release(&notes.release_id)?;
                let subject = if opts.lang == ReportLang::Fr {
                    "Notes de version"
                } else {
                    "Release notes"
                };
                let doc = Document {
                    title: format!(
                        "{} {} — {}",
                        row.fields.service, row.fields.version, row.fields.title
                    ),
                    subject: subject.into(),
                    author: notes.by_name.clone(),
                    lang: opts.lang,
                    digest: notes.digest.clone(),
                    created: self.report_time()?.timestamp(),
                    sections: markdown_sections(&notes.markdown),
                };
                ("pdf", pdf(&doc, paper)?.0)
            }
            _ => ("markdown", notes.markdown.clone().into_bytes()),
        };
        write_whole(out, &bytes)?;
        Ok(NotesWritten {
            path: out.display().to_string(),
            format: format.into(),
            bytes: bytes.len() as u64,
        })
    }
}

/// The form notes are written in, from the file's extension: `markdown` or `pdf`.
fn notes_format(out: &std::path::Path) -> Result<&'static str> {
    let ext = out
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "md" | "markdown" => Ok("markdown"),
        "pdf" => Ok("pdf"),
        _ => Err(ApiError::invalid(
            "out",
            format!(
                "{}: write release notes to a `.md` file (Markdown) or a `.pdf` file",
                out.display()
            ),
        )),
    }
}

/// Whether a link's target may be followed from rendered notes: the web and mail, nothing
/// that runs (`javascript:`), reads local files or leaves the page by surprise.
fn safe_link(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    u.starts_with("https://") || u.starts_with("http://") || u.starts_with("mailto:")
}

/// Markdown rendered to HTML that is safe to show: raw HTML in it is shown as text, links
/// other than http(s) and mail lose their target, images are replaced by their description
/// (nothing is loaded from outside).
pub fn notes_html(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut links: Vec<bool> = Vec::new();
    let mut events = Vec::new();
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    for ev in Parser::new_ext(markdown, opts) {
        match ev {
            Event::Html(h) | Event::InlineHtml(h) => events.push(Event::Text(h)),
            Event::Start(Tag::Link { dest_url, .. }) if !safe_link(&dest_url) => links.push(false),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                links.push(true);
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Link) => {
                if links.pop().unwrap_or(false) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => {}
            other => events.push(other),
        }
    }
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events.into_iter());
    out
}

/// Markdown laid out as report sections: a heading starts a section, paragraphs and list items
/// are its paragraphs (links keep their target in parentheses), code keeps its text.
fn markdown_sections(markdown: &str) -> Vec<Section> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut sections: Vec<Section> = Vec::new();
    let (mut heading, mut blocks): (String, Vec<Block>) = (String::new(), Vec::new());
    let mut text = String::new();
    let mut in_heading = false;
    let mut link: Option<String> = None;
    let flush = |text: &mut String, blocks: &mut Vec<Block>| {
        let t = text.trim();
        if !t.is_empty() {
            blocks.push(Block::paragraph(t.to_string()));
        }
        text.clear();
    };
    for ev in Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match ev {
            Event::Start(Tag::Heading { .. }) => {
                flush(&mut text, &mut blocks);
                if !heading.is_empty() || !blocks.is_empty() {
                    sections.push(Section::new(
                        std::mem::take(&mut heading),
                        std::mem::take(&mut blocks),
                    ));
                }
                in_heading = true;
            }
            Event::End(TagEnd::Heading(_)) => {
                heading = text.trim().to_string();
                text.clear();
                in_heading = false;
            }
            Event::Start(Tag::Item) => {
                flush(&mut text, &mut blocks);
                text.push_str("• ");
            }
            Event::Start(Tag::Link { dest_url, .. }) => link = Some(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(u) = link.take().filter(|u| safe_link(u)) {
                    text.push_str(&format!(" ({u})"));
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::CodeBlock | TagEnd::TableRow)
                if !in_heading =>
            {
                flush(&mut text, &mut blocks);
            }
            Event::End(TagEnd::TableCell) => text.push_str("  "),
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                text.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    flush(&mut text, &mut blocks);
    if !heading.is_empty() || !blocks.is_empty() {
        sections.push(Section::new(heading, blocks));
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_notes_run_nothing_and_load_nothing() {
        let h = notes_html(
            "# Shop 1.2\n\n<script>alert(1)</script>\n\n[ok](https://example.com) [bad](javascript:alert(1)) ![x](https://tracker.example/p.png) <img src=x onerror=alert(1)>",
        );
        assert!(!h.contains("<script"), "{h}");
        assert!(h.contains("&lt;script&gt;"), "{h}");
        assert!(h.contains(r#"<a href="https://example.com">ok</a>"#), "{h}");
        assert!(!h.contains("javascript:"), "{h}");
        assert!(!h.contains("<img"), "{h}");
        assert!(h.contains("<h1>Shop 1.2</h1>"));
    }

    #[test]
    fn notes_are_laid_out_as_sections() {
        let s = markdown_sections(
            "# Title\n\nIntro [link](https://x.example).\n\n## Changes\n\n- one\n- two\n",
        );
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].title, "Title");
        assert_eq!(s[1].title, "Changes");
        assert_eq!(s[1].blocks.len(), 2);
        assert_eq!(
            format!("{:?}", s[0].blocks[0]),
            format!(
                "{:?}",
                Block::paragraph("Intro link (https://x.example).".to_string())
            )
        );
    }
}
