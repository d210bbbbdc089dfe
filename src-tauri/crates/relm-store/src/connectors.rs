//! Connections to deployment platforms, local to this replica: what to read, where the next
//! read resumes, how the last sync went, and the deployments no release matched yet. Never part
//! of the ledger, never synced; the token is in the OS keyring, never here.

use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;

use crate::error::{Result, StoreError};

/// A connection as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorRow {
    pub name: String,
    /// `github`, `gitlab` or `argocd`.
    pub platform: String,
    pub api_url: String,
    /// OWNER/REPO, a GitLab project, an Argo CD application.
    pub target: String,
    /// Argo CD's project; empty elsewhere.
    pub project: String,
    pub service: String,
    /// Platform environment → Relm environment.
    pub env_map: BTreeMap<String, String>,
    pub added_ms: i64,
    pub cursor: Option<String>,
    pub last_sync_ms: Option<i64>,
    pub last_ok_ms: Option<i64>,
    pub last_pulled: i64,
    pub last_pushed: i64,
    /// What the last sync's failures said, as the API wrote them (JSON values: its errors;
    /// plain strings from earlier versions).
    pub last_errors: Vec<serde_json::Value>,
    /// What the platform showed at the last sync (JSON).
    pub seen: String,
}

const SELECT: &str = "SELECT name, platform, api_url, target, project, service, env_map, added_ms,
    cursor, last_sync_ms, last_ok_ms, last_pulled, last_pushed, last_errors, seen FROM connectors";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ConnectorRow> {
    let json = |i: usize, r: &rusqlite::Row<'_>| -> rusqlite::Result<String> { r.get(i) };
    Ok(ConnectorRow {
        name: r.get(0)?,
        platform: r.get(1)?,
        api_url: r.get(2)?,
        target: r.get(3)?,
        project: r.get(4)?,
        service: r.get(5)?,
        env_map: serde_json::from_str(&json(6, r)?).unwrap_or_default(),
        added_ms: r.get(7)?,
        cursor: r.get(8)?,
        last_sync_ms: r.get(9)?,
        last_ok_ms: r.get(10)?,
        last_pulled: r.get(11)?,
        last_pushed: r.get(12)?,
        last_errors: serde_json::from_str(&json(13, r)?).unwrap_or_default(),
        seen: r.get(14)?,
    })
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Keep a new connection; `false` when one of that name exists (nothing changed).
pub fn insert(conn: &Connection, c: &ConnectorRow) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO connectors (name, platform, api_url, target, project, service, env_map,
           added_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (name) DO NOTHING",
        params![
            c.name,
            c.platform,
            c.api_url,
            c.target,
            c.project,
            c.service,
            to_json(&c.env_map)?,
            c.added_ms
        ],
    )?;
    Ok(n == 1)
}

pub fn list(conn: &Connection) -> Result<Vec<ConnectorRow>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY name"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, name: &str) -> Result<Option<ConnectorRow>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE name = ?1"))?
        .query_row([name], from_row)
        .optional()?)
}

/// Forget a connection and what it kept; `false` when there was none.
pub fn remove(conn: &Connection, name: &str) -> Result<bool> {
    conn.execute(
        "DELETE FROM connector_unmatched WHERE connector = ?1",
        [name],
    )?;
    Ok(conn.execute("DELETE FROM connectors WHERE name = ?1", [name])? == 1)
}

/// Where the next read resumes.
pub fn set_cursor(conn: &Connection, name: &str, cursor: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE connectors SET cursor = ?2 WHERE name = ?1",
        params![name, cursor],
    )?;
    Ok(())
}

/// What the platform showed at this sync (JSON).
pub fn set_seen(conn: &Connection, name: &str, seen: &str) -> Result<()> {
    conn.execute(
        "UPDATE connectors SET seen = ?2 WHERE name = ?1",
        params![name, seen],
    )?;
    Ok(())
}

/// Map the platform's environments to Relm's anew.
pub fn set_env_map(conn: &Connection, name: &str, map: &BTreeMap<String, String>) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE connectors SET env_map = ?2 WHERE name = ?1",
        params![name, to_json(map)?],
    )? == 1)
}

/// How a sync ended: when, what it pulled and pushed, its errors (none: a success).
pub fn finish_sync(
    conn: &Connection,
    name: &str,
    at_ms: i64,
    (pulled, pushed): (i64, i64),
    errors: &[impl serde::Serialize],
) -> Result<()> {
    conn.execute(
        "UPDATE connectors SET last_sync_ms = ?2,
           last_ok_ms = CASE WHEN ?5 = '[]' THEN ?2 ELSE last_ok_ms END,
           last_pulled = ?3, last_pushed = ?4, last_errors = ?5
         WHERE name = ?1",
        params![name, at_ms, pulled, pushed, to_json(&errors)?],
    )?;
    Ok(())
}

/// What the last sync's deliveries did: how many writes went, and the errors of those that
/// failed.
pub fn delivered(
    conn: &Connection,
    name: &str,
    pushed: i64,
    errors: &[impl serde::Serialize],
    at_ms: i64,
) -> Result<()> {
    if errors.is_empty() {
        conn.execute(
            "UPDATE connectors SET last_pushed = ?2, last_sync_ms = ?3 WHERE name = ?1",
            params![name, pushed, at_ms],
        )?;
    } else {
        conn.execute(
            "UPDATE connectors SET last_pushed = ?2, last_sync_ms = ?3, last_errors = ?4
             WHERE name = ?1",
            params![name, pushed, at_ms, to_json(&errors)?],
        )?;
    }
    Ok(())
}

/// The deployments kept for matching again (platform id → the deployment as JSON).
pub fn unmatched(conn: &Connection, name: &str) -> Result<BTreeMap<String, String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT remote_id, deployment FROM connector_unmatched WHERE connector = ?1",
    )?;
    let rows = stmt.query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many deployments are kept for matching again.
pub fn unmatched_count(conn: &Connection, name: &str) -> Result<u32> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM connector_unmatched WHERE connector = ?1")?
        .query_row([name], |r| r.get(0))?)
}

/// Replace the deployments kept for matching again.
pub fn keep_unmatched(
    conn: &Connection,
    name: &str,
    kept: &BTreeMap<String, String>,
    at_ms: i64,
) -> Result<()> {
    conn.execute(
        "DELETE FROM connector_unmatched WHERE connector = ?1",
        [name],
    )?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO connector_unmatched (connector, remote_id, deployment, seen_ms)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (id, json) in kept {
        stmt.execute(params![name, id, json, at_ms])?;
    }
    Ok(())
}

/// A release a platform's deployment may be of: its id, version and components' versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: String,
    pub version: String,
    pub components: Vec<String>,
}

/// The releases of `service`, oldest first.
pub fn candidates(conn: &Connection, service: &str) -> Result<Vec<Candidate>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, version, components FROM releases WHERE service = ?1
         ORDER BY created_hlc, id",
    )?;
    let rows = stmt.query_map([service], |r| {
        let components: String = r.get(2)?;
        let list: Vec<relm_domain::release::Component> =
            serde_json::from_str(&components).unwrap_or_default();
        Ok(Candidate {
            id: r.get(0)?,
            version: r.get(1)?,
            components: list.into_iter().map(|c| c.version).collect(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What Relm wrote to the connection's platform to mirror the calendar: (remote id, content).
pub fn windows(conn: &Connection, name: &str) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT remote_id, content FROM connector_windows WHERE connector = ?1 ORDER BY remote_id",
    )?;
    let rows = stmt.query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Record that Relm wrote `content` to the platform as `remote_id`.
pub fn window_written(
    conn: &Connection,
    name: &str,
    remote_id: &str,
    content: &str,
    at_ms: i64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO connector_windows (connector, remote_id, content, written_ms)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (connector, remote_id) DO UPDATE SET content = ?3, written_ms = ?4",
        params![name, remote_id, content, at_ms],
    )?;
    Ok(())
}

/// Forget a window Relm wrote (deleted, or gone from the platform).
pub fn window_gone(conn: &Connection, name: &str, remote_id: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM connector_windows WHERE connector = ?1 AND remote_id = ?2",
        params![name, remote_id],
    )?;
    Ok(())
}
