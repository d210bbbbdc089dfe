//! Forks: one author, two validly signed events with the same sequence number.
//!
//! That pair proves the author's key is in two places (a data dir copied to a second laptop, a
//! backup restored twice, a stolen key). Both events are kept as evidence (`fork_evidence`,
//! append-only), written to every remote so that every replica learns of the fork, and the
//! `forks` projection names, for each forked author, the first sequence number signed twice.
//! From there on nothing of that author counts, on every replica alike, whichever branch it
//! happens to hold: replicas converge whatever order they learn of the fork in. The way out is
//! the admin's `relm member rotate`: the member goes on with a new key.

use relm_domain::event::SignedEvent;
use relm_domain::keys::KeyId;
use rusqlite::{Connection, params};
use serde::Serialize;
use std::collections::HashMap;

use crate::error::Result;

/// A forked author, as the projection holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Fork {
    pub author: String,
    pub fingerprint: String,
    /// The first sequence number the author signed twice: nothing of theirs from it counts.
    pub seq: i64,
    /// The two events found there (hashes, in order).
    pub hashes: [String; 2],
    /// The key is no longer an active member's (an admin rotated or removed it).
    pub resolved: bool,
}

/// Keep both events as evidence. Returns whether either was new.
pub fn record(conn: &Connection, a: &SignedEvent, b: &SignedEvent) -> Result<bool> {
    let mut new = false;
    for ev in [a, b] {
        new |= conn
            .prepare_cached(
                "INSERT OR IGNORE INTO fork_evidence (hash, author, seq, body, sig) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                ev.hash.as_slice(),
                ev.envelope.author.0,
                ev.envelope.seq as i64,
                ev.body,
                ev.signature.to_bytes().as_slice()
            ])?
            == 1;
    }
    Ok(new)
}

/// Recompute the `forks` projection from the evidence.
pub fn project(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM forks", [])?;
    let rows: Vec<(String, i64, String)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT author, seq, lower(hex(hash)) FROM fork_evidence ORDER BY author, seq, 3",
        )?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut done: Option<&str> = None;
    for w in rows.windows(2) {
        let ((a1, s1, h1), (a2, s2, h2)) = (&w[0], &w[1]);
        if a1 == a2 && s1 == s2 && h1 != h2 && done != Some(a1.as_str()) {
            conn.prepare_cached(
                "INSERT INTO forks (author, seq, hash_a, hash_b) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![a1, s1, h1, h2])?;
            done = Some(a1.as_str());
        }
    }
    Ok(())
}

/// Forked authors and the first sequence number each signed twice.
pub fn fork_points(conn: &Connection) -> Result<HashMap<KeyId, u64>> {
    let mut stmt = conn.prepare_cached("SELECT author, seq FROM forks")?;
    let rows = stmt.query_map([], |r| Ok((KeyId(r.get(0)?), r.get::<_, i64>(1)? as u64)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn list(conn: &Connection) -> Result<Vec<Fork>> {
    let mut stmt = conn.prepare(
        "SELECT f.author, f.seq, f.hash_a, f.hash_b, coalesce(m.active, 0) = 0 FROM forks f
         LEFT JOIN members m ON m.key_id = f.author ORDER BY f.author",
    )?;
    let rows = stmt.query_map([], |r| {
        let author: String = r.get(0)?;
        Ok(Fork {
            fingerprint: KeyId(author.clone()).fingerprint(),
            author,
            seq: r.get(1)?,
            hashes: [r.get(2)?, r.get(3)?],
            resolved: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Evidence not in this replica's ledger and not yet written to `remote`: (hash, author, seq,
/// packed timestamp, body, signature).
pub type Evidence = (Vec<u8>, String, i64, i64, Vec<u8>, Vec<u8>);

pub fn to_push(conn: &Connection, remote: &str) -> Result<Vec<Evidence>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.hash, f.author, f.seq, coalesce(json_extract(CAST(f.body AS TEXT), '$.hlc.ms'), 0) * 65536
                + coalesce(json_extract(CAST(f.body AS TEXT), '$.hlc.c'), 0), f.body, f.sig
         FROM fork_evidence f
         WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.hash = f.hash)
           AND NOT EXISTS (SELECT 1 FROM pushed_evidence p WHERE p.remote = ?1 AND p.hash = f.hash)",
    )?;
    let rows = stmt.query_map([remote], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn mark_pushed(conn: &Connection, remote: &str, hash: &[u8]) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO pushed_evidence (remote, hash) VALUES (?1, ?2)")?
        .execute(params![remote, hash])?;
    Ok(())
}
