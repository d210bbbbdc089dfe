//! The `calendar_entries` projection: the freezes and windows in force.

use relm_calendar::Entry;
use relm_domain::ledger::Violation;
use relm_domain::payload::EventBody;
use relm_domain::release::ReleaseStatus;
use relm_domain::window::PlannedWindow;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::sync::Arc;

use crate::error::{Result, StoreError};

/// A calendar entry as the projection holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CalendarRow {
    pub id: String,
    #[serde(flatten)]
    pub entry: Entry,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

fn exists(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM calendar_entries WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Apply a calendar event; `Some` when it has no effect at this point of the ledger.
pub(crate) fn apply(
    conn: &Connection,
    body: &EventBody,
    at: i64,
    by: &str,
) -> Result<Option<Violation>> {
    let invalid = |e: relm_calendar::EntryError| {
        Violation::new(
            "invalid_change",
            format!("the calendar entry is invalid: {e}"),
        )
    };
    match body {
        EventBody::CalendarEntryAdded { entry_id, entry } => {
            if exists(conn, &entry_id.0)? {
                return Ok(Some(Violation::new(
                    "duplicate_entry",
                    format!("a calendar entry with id {entry_id} already exists"),
                )));
            }
            let mut e = entry.clone();
            if let Err(err) = e.validate() {
                return Ok(Some(invalid(err)));
            }
            conn.prepare_cached(
                "INSERT INTO calendar_entries (id, name, kind, entry, created_hlc, created_by, updated_hlc, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?6)",
            )?
            .execute(params![entry_id.0, e.name, e.kind.as_str(), json(&e), at, by])?;
        }
        EventBody::CalendarEntryUpdated { entry_id, entry } => {
            if !exists(conn, &entry_id.0)? {
                return Ok(Some(unknown(&entry_id.0)));
            }
            let mut e = entry.clone();
            if let Err(err) = e.validate() {
                return Ok(Some(invalid(err)));
            }
            conn.prepare_cached(
                "UPDATE calendar_entries SET name = ?2, kind = ?3, entry = ?4, updated_hlc = ?5, updated_by = ?6 WHERE id = ?1",
            )?
            .execute(params![entry_id.0, e.name, e.kind.as_str(), json(&e), at, by])?;
        }
        EventBody::CalendarEntryRemoved { entry_id } => {
            if !exists(conn, &entry_id.0)? {
                return Ok(Some(unknown(&entry_id.0)));
            }
            conn.prepare_cached("DELETE FROM calendar_entries WHERE id = ?1")?
                .execute([&entry_id.0])?;
        }
        _ => {}
    }
    Ok(None)
}

fn unknown(id: &str) -> Violation {
    Violation::new(
        "unknown_entry",
        format!("no calendar entry {id} exists at this point of the ledger"),
    )
}

fn json(e: &Entry) -> String {
    serde_json::to_string(e).unwrap_or_default()
}

fn at_text(hlc: i64) -> String {
    relm_domain::window::fmt_utc(relm_domain::hlc::Hlc::from_packed(hlc).to_datetime())
}

const ROW: &str =
    "SELECT id, entry, created_hlc, created_by, updated_hlc, updated_by FROM calendar_entries";

/// A row of [`ROW`].
fn row(r: &rusqlite::Row<'_>) -> Result<CalendarRow> {
    Ok(CalendarRow {
        id: r.get(0)?,
        entry: parse(&r.get::<_, String>(1)?)?,
        created_at: at_text(r.get(2)?),
        created_by: r.get(3)?,
        updated_at: at_text(r.get(4)?),
        updated_by: r.get(5)?,
    })
}

/// Every entry, by name then id.
pub fn list(conn: &Connection) -> Result<Vec<CalendarRow>> {
    let mut stmt = conn.prepare_cached(&format!("{ROW} ORDER BY name, id"))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(row(r)?);
    }
    Ok(out)
}

/// One entry by its id.
pub fn get(conn: &Connection, id: &str) -> Result<Option<CalendarRow>> {
    let mut stmt = conn.prepare_cached(&format!("{ROW} WHERE id = ?1"))?;
    let mut rows = stmt.query([id])?;
    rows.next()?.map(row).transpose()
}

/// Ids starting with `prefix` (at most `limit`), for abbreviated ids.
pub fn ids_with_prefix(conn: &Connection, prefix: &str, limit: u32) -> Result<Vec<String>> {
    super::ids_with_prefix(conn, "calendar_entries", prefix, limit)
}

/// Releases still to go out (draft, planned, approved) that have a planned window, as the
/// calendar sees them.
pub fn planned_releases(conn: &Connection) -> Result<Vec<relm_calendar::Planned>> {
    // Read through `releases_by_status`: those still to go out are few beside those gone out.
    planned(
        conn,
        "WHERE window_start IS NOT NULL AND status IN ('draft', 'planned', 'approved')",
        [],
    )
}

/// Releases still to go out whose planned window overlaps `[from, to)` (Unix seconds).
pub fn planned_releases_between(
    conn: &Connection,
    from: i64,
    to: i64,
) -> Result<Vec<relm_calendar::Planned>> {
    // Read through `releases_by_window` (whose form is `(window_start IS NULL) = 0`), from the
    // earliest start that can reach into the period.
    planned(
        conn,
        "WHERE (window_start IS NULL) = 0 AND window_start >= ?3 AND window_start < ?2
           AND window_end > ?1 AND status IN ('draft', 'planned', 'approved')",
        [from, to, earliest_start(conn, from)?],
    )
}

fn planned(
    conn: &Connection,
    filter: &str,
    values: impl rusqlite::Params,
) -> Result<Vec<relm_calendar::Planned>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, service, version, environments, window_start, window_end FROM releases
         {filter} ORDER BY window_start, id"
    ))?;
    let mut rows = stmt.query(values)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(relm_calendar::Planned {
            id: r.get(0)?,
            service: r.get(1)?,
            version: r.get(2)?,
            environments: environments(&r.get::<_, String>(3)?)?,
            start: instant(r.get(4)?)?,
            end: instant(r.get(5)?)?,
        });
    }
    Ok(out)
}

/// The earliest start of a window that reaches past `from`: `from` less the longest planned
/// window (read from `releases_by_window_length`, not from every release).
fn earliest_start(conn: &Connection, from: i64) -> Result<i64> {
    let longest: Option<i64> = conn
        .prepare_cached(
            "SELECT max(window_end - window_start) FROM releases WHERE window_start IS NOT NULL",
        )?
        .query_row([], |r| r.get(0))?;
    Ok(from.saturating_sub(longest.unwrap_or(0)))
}

fn instant(secs: i64) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| StoreError::Corrupt(format!("release window {secs}")))
}

fn environments(json: &str) -> Result<Vec<String>> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("release environments: {e}")))
}

/// A release as the calendar draws it: what its views and its details show, nothing more.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CalendarRelease {
    pub id: String,
    pub service: String,
    pub version: String,
    pub title: String,
    pub status: ReleaseStatus,
    /// Some status change of this release was an override.
    pub overridden: bool,
    pub environments: Vec<String>,
    pub window: PlannedWindow,
}

/// Every release whose planned window overlaps `[from, to)` (Unix seconds), in window order
/// (start, then id). `keep` is given each one's start and end and says whether to read the rest
/// of it: a month counts every release of each day and shows only a few.
pub fn releases_in_period(
    conn: &Connection,
    from: i64,
    to: i64,
    mut keep: impl FnMut(i64, i64) -> bool,
) -> Result<Vec<CalendarRelease>> {
    let mut stmt = conn.prepare_cached(
        "SELECT window_start, window_end, window_tz, id, service, version, title, status,
                overridden, environments
         FROM releases
         WHERE (window_start IS NULL) = 0 AND window_start >= ?3 AND window_start < ?2
           AND window_end > ?1
         ORDER BY window_start, id",
    )?;
    let mut rows = stmt.query([from, to, earliest_start(conn, from)?])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let (start, end): (i64, i64) = (r.get(0)?, r.get(1)?);
        if !keep(start, end) {
            continue;
        }
        let status: String = r.get(7)?;
        out.push(CalendarRelease {
            window: PlannedWindow {
                start: instant(start)?,
                end: instant(end)?,
                tz: r.get(2)?,
            },
            id: r.get(3)?,
            service: r.get(4)?,
            version: r.get(5)?,
            title: r.get(6)?,
            status: status
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("release status: {e}")))?,
            overridden: r.get(8)?,
            environments: environments(&r.get::<_, String>(9)?)?,
        });
    }
    Ok(out)
}

/// The services that have releases, sorted.
pub fn services(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT DISTINCT service FROM releases ORDER BY service")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Every entry with its id, by name then id, shared.
pub type Entries = Arc<relm_calendar::Entries>;

/// Every entry as (id, entry), for the calendar's computations: parsed once for each state of
/// the calendar (see `PARSED`).
pub fn entries(conn: &Connection) -> Result<Entries> {
    PARSED.get(conn, "calendar_version", || {
        let mut stmt =
            conn.prepare_cached("SELECT id, entry FROM calendar_entries ORDER BY name, id")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push((r.get(0)?, parse(&r.get::<_, String>(1)?)?));
        }
        Ok(Arc::new(relm_calendar::Entries::from(out)))
    })
}

/// The entries last parsed, by the calendar's version token (migration 0025): applying many
/// deployments, or judging many releases, parses the calendar once, and the occurrences expanded
/// for one call serve the next, on any thread.
static PARSED: super::Kept<Entries> = super::Kept::new();

fn parse(text: &str) -> Result<Entry> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("calendar entry: {e}")))
}
