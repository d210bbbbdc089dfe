//! Writes to deployment platforms waiting to be delivered (local to this replica, never synced).
//!
//! An entry goes `pending` → `sending` (committed before anything leaves) → `done` with the
//! platform's id, or `failed` with the reason (retried at the next sync, or by hand), or
//! `dropped` when the platform no longer waits for it. Its key is unique: the same write is
//! never queued twice.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;

/// An entry as kept.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OutboxRow {
    pub id: String,
    pub connector: String,
    /// What it writes, e.g. `gitlab.approval`.
    pub kind: String,
    /// What makes it once-only.
    pub key: String,
    /// What is sent, as JSON.
    pub payload: String,
    /// `pending`, `sending`, `done`, `failed` or `dropped`.
    pub state: String,
    pub attempts: i64,
    /// Why its last delivery failed or why it was dropped, in English.
    pub last_error: Option<String>,
    /// The same as the API wrote it, with its reason for the app's wording (none when an
    /// earlier version kept only the text).
    #[cfg_attr(feature = "ts", ts(type = "ApiError | null"))]
    pub last_failure: Option<serde_json::Value>,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// The platform's id of what was written, once done.
    pub remote_id: Option<String>,
}

/// The column `last_error`: the API's error as JSON (its message is the text), or the text an
/// earlier version kept.
fn last_error(text: Option<String>) -> (Option<String>, Option<serde_json::Value>) {
    let Some(text) = text else {
        return (None, None);
    };
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(v) if v["message"].is_string() => (v["message"].as_str().map(str::to_string), Some(v)),
        _ => (Some(text), None),
    }
}

const SELECT: &str = "SELECT id, connector, kind, key, payload, state, attempts, last_error,
    created_ms, updated_ms, remote_id FROM outbox";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    let (last_error, last_failure) = last_error(r.get(7)?);
    Ok(OutboxRow {
        id: r.get(0)?,
        connector: r.get(1)?,
        kind: r.get(2)?,
        key: r.get(3)?,
        payload: r.get(4)?,
        state: r.get(5)?,
        attempts: r.get(6)?,
        last_error,
        last_failure,
        created_ms: r.get(8)?,
        updated_ms: r.get(9)?,
        remote_id: r.get(10)?,
    })
}

/// Queue a write; `false` when one with this key was queued before (nothing changes).
pub fn enqueue(
    conn: &Connection,
    id: &str,
    (connector, kind, key): (&str, &str, &str),
    payload: &str,
    at_ms: i64,
) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO outbox (id, connector, kind, key, payload, state, created_ms, updated_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6) ON CONFLICT (key) DO NOTHING",
        params![id, connector, kind, key, payload, at_ms],
    )?;
    Ok(n == 1)
}

/// Every entry, newest first.
pub fn list(conn: &Connection) -> Result<Vec<OutboxRow>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY created_ms DESC, id"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<OutboxRow>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

/// A connection's entries to deliver now: pending, and sending (a delivery cut short, to be
/// re-checked), oldest first; failed ones only when `failed` is set.
pub fn due(conn: &Connection, connector: &str, failed: bool) -> Result<Vec<OutboxRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE connector = ?1
           AND (state IN ('pending', 'sending') OR (?2 AND state = 'failed'))
         ORDER BY created_ms, id"
    ))?;
    let rows = stmt.query_map(params![connector, failed], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Mark an entry as being sent: committed before the request leaves, one attempt more.
pub fn sending(conn: &Connection, id: &str, at_ms: i64) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_ms = ?2
         WHERE id = ?1",
        params![id, at_ms],
    )?;
    Ok(())
}

/// How an entry ended: `done` (with the platform's id), `failed` or `dropped` (with why).
pub fn finish(
    conn: &Connection,
    id: &str,
    state: &str,
    (remote_id, error): (Option<&str>, Option<&str>),
    at_ms: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET state = ?2, remote_id = coalesce(?3, remote_id), last_error = ?4,
           updated_ms = ?5
         WHERE id = ?1",
        params![id, state, remote_id, error, at_ms],
    )?;
    Ok(())
}

/// Forget a connection's entries.
pub fn remove_connector(conn: &Connection, connector: &str) -> Result<()> {
    conn.execute("DELETE FROM outbox WHERE connector = ?1", [connector])?;
    Ok(())
}

/// Whether the connection has an entry of a kind starting with `prefix` not finished yet
/// (pending, sending or failed).
pub fn unfinished(conn: &Connection, connector: &str, prefix: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE connector = ?1 AND substr(kind, 1, length(?2)) = ?2
           AND state IN ('pending', 'sending', 'failed'))",
        params![connector, prefix],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_last_error_reads_as_the_apis_error_or_as_the_text_an_earlier_version_kept() {
        let store = crate::Store::open_in_memory().unwrap();
        let conn = store.conn();
        let error = r#"{"code":"remote","message":"answered 500","problems":[]}"#;
        for (id, kept) in [("a", "answered 502"), ("b", error), ("c", "[1, 2]")] {
            enqueue(conn, id, ("gl", "gitlab.approval", id), "{}", 1).unwrap();
            finish(conn, id, "failed", (None, Some(kept)), 2).unwrap();
        }
        let row = |id| get(conn, id).unwrap().unwrap();
        assert_eq!(row("a").last_error.as_deref(), Some("answered 502"));
        assert_eq!(row("a").last_failure, None);
        assert_eq!(row("b").last_error.as_deref(), Some("answered 500"));
        assert_eq!(row("b").last_failure.unwrap()["code"], "remote");
        // JSON that is no error is shown as the text it is.
        assert_eq!(row("c").last_error.as_deref(), Some("[1, 2]"));
        assert_eq!(row("c").last_failure, None);
    }
}
