//! A release's notes as written (`release.notes_set`; the latest in ledger order stands).

use rusqlite::{Connection, OptionalExtension, params};

use relm_domain::ids::ReleaseId;
use relm_domain::ledger::Violation;

use crate::error::Result;

/// Project notes, or say why they have no effect (no such release at this point of the
/// ledger, or a language Relm does not write).
pub fn set(
    conn: &Connection,
    event_id: &str,
    release_id: &ReleaseId,
    (lang, markdown): (&str, &str),
    (at, by): (i64, &str),
) -> Result<Option<Violation>> {
    if super::releases::get(conn, &release_id.0)?.is_none() {
        return Ok(Some(super::unknown_release(release_id)));
    }
    if !matches!(lang, "en" | "fr") {
        return Ok(Some(Violation::new(
            "invalid_change",
            format!("release notes in `{lang}`: the languages are en and fr"),
        )));
    }
    conn.prepare_cached(
        "INSERT OR REPLACE INTO release_notes (release_id, lang, markdown, event_id, at_hlc, by_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![release_id.0, lang, markdown, event_id, at, by])?;
    Ok(None)
}

/// A release's notes as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotesRow {
    pub release_id: String,
    pub lang: String,
    pub markdown: String,
    pub event_id: String,
    pub at_hlc: i64,
    pub by_key: String,
}

pub fn get(conn: &Connection, release_id: &str) -> Result<Option<NotesRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT release_id, lang, markdown, event_id, at_hlc, by_key FROM release_notes
             WHERE release_id = ?1",
        )?
        .query_row([release_id], |r| {
            Ok(NotesRow {
                release_id: r.get(0)?,
                lang: r.get(1)?,
                markdown: r.get(2)?,
                event_id: r.get(3)?,
                at_hlc: r.get(4)?,
                by_key: r.get(5)?,
            })
        })
        .optional()?)
}
