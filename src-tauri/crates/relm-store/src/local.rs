//! Local-only state of one replica (its keyring namespace, later sync cursors and UI
//! preferences). Never part of the ledger, never synced, never consulted by a rule.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;

/// The key id of this replica's identity.
pub const IDENTITY_KEY_ID: &str = "identity_key_id";

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM local_meta WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

pub fn set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO local_meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}
