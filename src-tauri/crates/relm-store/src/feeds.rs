//! Calendar subscription files this replica keeps current (local, never synced).

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;

/// A subscription file as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRow {
    pub name: String,
    pub path: String,
    /// `env:NAME` / `service:NAME` values.
    pub scope: Vec<String>,
    pub added_ms: i64,
    pub last_written_ms: Option<i64>,
    pub last_events: i64,
    pub last_error: Option<String>,
}

const SELECT: &str = "SELECT name, path, scope, added_ms, last_written_ms, last_events, last_error
    FROM calendar_feeds";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FeedRow> {
    let scope: String = r.get(2)?;
    Ok(FeedRow {
        name: r.get(0)?,
        path: r.get(1)?,
        scope: serde_json::from_str(&scope).unwrap_or_default(),
        added_ms: r.get(3)?,
        last_written_ms: r.get(4)?,
        last_events: r.get(5)?,
        last_error: r.get(6)?,
    })
}

/// Keep a feed; `false` when one of this name exists (nothing changes).
pub fn insert(conn: &Connection, row: &FeedRow) -> Result<bool> {
    let scope = serde_json::to_string(&row.scope).unwrap_or_else(|_| "[]".into());
    let n = conn.execute(
        "INSERT INTO calendar_feeds (name, path, scope, added_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (name) DO NOTHING",
        params![row.name, row.path, scope, row.added_ms],
    )?;
    Ok(n == 1)
}

pub fn get(conn: &Connection, name: &str) -> Result<Option<FeedRow>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE name = ?1"))?
        .query_row([name], from_row)
        .optional()?)
}

pub fn list(conn: &Connection) -> Result<Vec<FeedRow>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY name"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What the last refresh did: the file is current (with its events, and whether it was
/// written now or already held them), or it failed.
pub fn refreshed(
    conn: &Connection,
    name: &str,
    current: Option<(i64, bool)>,
    error: Option<&str>,
    at_ms: i64,
) -> Result<()> {
    match current {
        Some((events, written)) => conn.execute(
            "UPDATE calendar_feeds SET last_events = ?3, last_error = NULL,
               last_written_ms = CASE WHEN ?4 THEN ?2 ELSE last_written_ms END
             WHERE name = ?1",
            params![name, at_ms, events, written],
        )?,
        None => conn.execute(
            "UPDATE calendar_feeds SET last_error = ?2 WHERE name = ?1",
            params![name, error],
        )?,
    };
    Ok(())
}

pub fn remove(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn.execute("DELETE FROM calendar_feeds WHERE name = ?1", [name])? == 1)
}
