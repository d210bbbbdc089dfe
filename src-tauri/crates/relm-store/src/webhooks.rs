//! Chat webhooks this replica posts to (local, never synced). The URL is in the OS keyring;
//! what is posted waits in the outbox under the connector `webhook:NAME`.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;

/// A webhook as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRow {
    pub name: String,
    /// `slack` or `teams`.
    pub kind: String,
    /// The URL's host, to show (the URL is a secret).
    pub host: String,
    pub added_ms: i64,
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WebhookRow> {
    Ok(WebhookRow {
        name: r.get(0)?,
        kind: r.get(1)?,
        host: r.get(2)?,
        added_ms: r.get(3)?,
    })
}

/// The outbox's connector name for a webhook's messages.
pub fn outbox_name(name: &str) -> String {
    format!("webhook:{name}")
}

/// Keep a webhook; `false` when one of this name exists (nothing changes).
pub fn insert(conn: &Connection, row: &WebhookRow) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO webhooks (name, kind, host, added_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (name) DO NOTHING",
        params![row.name, row.kind, row.host, row.added_ms],
    )?;
    Ok(n == 1)
}

pub fn get(conn: &Connection, name: &str) -> Result<Option<WebhookRow>> {
    Ok(conn
        .prepare_cached("SELECT name, kind, host, added_ms FROM webhooks WHERE name = ?1")?
        .query_row([name], from_row)
        .optional()?)
}

pub fn list(conn: &Connection) -> Result<Vec<WebhookRow>> {
    let mut stmt =
        conn.prepare_cached("SELECT name, kind, host, added_ms FROM webhooks ORDER BY name")?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Forget a webhook and its messages in the outbox.
pub fn remove(conn: &Connection, name: &str) -> Result<bool> {
    crate::outbox::remove_connector(conn, &outbox_name(name))?;
    Ok(conn.execute("DELETE FROM webhooks WHERE name = ?1", [name])? == 1)
}
