//! The `events` table: inserting signed events and reading them back in ledger order.

use relm_domain::event::SignedEvent;
use relm_domain::hlc::Hlc;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use crate::error::{Result, StoreError};

/// How a stored row disagrees with its signed body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnMismatch {
    /// The body's hash is not the recorded one: the content changed after it was appended.
    Altered,
    /// Index columns (named) differ from the body.
    Columns(String),
}
use ColumnMismatch::{Altered, Columns};

/// An event row as stored, before its body is trusted.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub pos: i64,
    pub id: String,
    pub hash: Vec<u8>,
    pub workspace: String,
    pub author: String,
    pub seq: i64,
    pub hlc: i64,
    pub kind: String,
    pub entity: Option<String>,
    pub body: Vec<u8>,
    pub sig: Vec<u8>,
}

const COLUMNS: &str = "pos, id, hash, workspace, author, seq, hlc, kind, entity, body, sig";

impl StoredEvent {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<StoredEvent> {
        Ok(StoredEvent {
            pos: r.get(0)?,
            id: r.get(1)?,
            hash: r.get(2)?,
            workspace: r.get(3)?,
            author: r.get(4)?,
            seq: r.get(5)?,
            hlc: r.get(6)?,
            kind: r.get(7)?,
            entity: r.get(8)?,
            body: r.get(9)?,
            sig: r.get(10)?,
        })
    }

    /// Parse the signed body (canonical-form check included).
    pub fn decode(&self) -> Result<SignedEvent> {
        SignedEvent::from_stored(self.body.as_slice(), &self.sig)
            .map_err(|e| StoreError::Corrupt(format!("event {}: {e}", self.id)))
    }

    /// Whether the indexed columns say the same as the signed body. A body whose hash differs
    /// from the one recorded at append time was altered after signing.
    pub fn columns_match(
        &self,
        ev: &SignedEvent,
        entity: Option<&str>,
    ) -> Result<(), ColumnMismatch> {
        let e = &ev.envelope;
        let mut wrong = Vec::new();
        if self.id != e.id.0 {
            wrong.push("id");
        }
        if self.hash != ev.hash {
            return Err(Altered);
        }
        if self.workspace != e.workspace.0 {
            wrong.push("workspace");
        }
        if self.author != e.author.0 {
            wrong.push("author");
        }
        if self.seq != e.seq as i64 {
            wrong.push("seq");
        }
        if self.hlc != e.hlc.packed() {
            wrong.push("hlc");
        }
        if self.kind != e.kind {
            wrong.push("kind");
        }
        if self.entity.as_deref() != entity {
            wrong.push("entity");
        }
        if wrong.is_empty() {
            Ok(())
        } else {
            Err(Columns(wrong.join(", ")))
        }
    }
}

pub fn insert(conn: &Connection, ev: &SignedEvent, entity: Option<&str>) -> Result<()> {
    let e = &ev.envelope;
    conn.prepare_cached(
        "INSERT INTO events (id, hash, workspace, author, seq, hlc, kind, entity, body, sig)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        e.id.0,
        ev.hash.as_slice(),
        e.workspace.0,
        e.author.0,
        e.seq as i64,
        e.hlc.packed(),
        e.kind,
        entity,
        ev.body,
        ev.signature.to_bytes().as_slice(),
    ])
    .map_err(|err| match err {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::Conflict(format!(
                "event {} (author {} seq {}) is already in the ledger",
                e.id, e.author, e.seq
            ))
        }
        other => other.into(),
    })?;
    // The author's head moves with each event further along its chain (a sync may bring an
    // author's events out of order).
    conn.prepare_cached(
        "INSERT INTO author_heads (author, seq, hash, hlc) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (author) DO UPDATE SET seq = excluded.seq, hash = excluded.hash,
             hlc = excluded.hlc
         WHERE excluded.seq > author_heads.seq",
    )?
    .execute(params![
        e.author.0,
        e.seq as i64,
        ev.hash.as_slice(),
        e.hlc.packed()
    ])?;
    crate::causal::record_deps(conn, ev)
}

/// The author's last sequence number and event hash, if they have any events.
pub fn author_head(conn: &Connection, author: &str) -> Result<Option<(u64, [u8; 32])>> {
    let row: Option<(i64, Vec<u8>)> = conn
        .prepare_cached("SELECT seq, hash FROM events WHERE author = ?1 ORDER BY seq DESC LIMIT 1")?
        .query_row([author], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(seq, hash)| {
        let hash: [u8; 32] = hash
            .try_into()
            .map_err(|_| StoreError::Corrupt("event hash is not 32 bytes".into()))?;
        Ok((seq as u64, hash))
    })
    .transpose()
}

/// The highest timestamp in the ledger (the replica's HLC high-water mark).
pub fn max_hlc(conn: &Connection) -> Result<Hlc> {
    max_hlc_until(conn, i64::MAX)
}

/// The highest timestamp in the ledger not beyond `until_ms`: events stamped further ahead
/// (kept by an older version of Relm, which did not hold them) do not drag this replica's
/// clock along.
pub fn max_hlc_until(conn: &Connection, until_ms: i64) -> Result<Hlc> {
    let bound = Hlc::packed_after(until_ms);
    let v: Option<i64> = conn
        .prepare_cached("SELECT max(hlc) FROM events WHERE hlc < ?1")?
        .query_row([bound], |r| r.get(0))?;
    Ok(v.map(Hlc::from_packed).unwrap_or(Hlc::ZERO))
}

pub fn count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
    Ok(n as u64)
}

/// Visit every event in ledger order (hlc, author, seq).
pub fn for_each_in_ledger_order(
    conn: &Connection,
    mut f: impl FnMut(StoredEvent) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM events ORDER BY hlc, author, seq"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        f(StoredEvent::from_row(row)?)?;
    }
    Ok(())
}

/// One line of the audit log.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LogEntry {
    pub id: String,
    pub hash: String,
    pub at: String,
    pub hlc: String,
    /// The author's wall clock when signing (format 2 events), beside the ledger order: it
    /// decides nothing, and may disagree with `at` when the author's clock was off.
    pub signed_at: Option<String>,
    pub author: String,
    pub author_name: Option<String>,
    pub seq: i64,
    pub kind: String,
    pub entity: Option<String>,
    pub payload: serde_json::Value,
}

/// Which events of the ledger to list (all `None`: every event).
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    /// One entity (a release, a calendar entry).
    pub entity: Option<String>,
    /// One author's key id.
    pub author: Option<String>,
    /// A kind (`release.status_changed`) or, ending with `.`, a family (`release.`).
    pub kind: Option<String>,
    /// Ledger times from (inclusive) and to (exclusive), packed HLC.
    pub from_hlc: Option<i64>,
    pub to_hlc: Option<i64>,
    pub limit: u32,
}

/// The ledger's history, newest first, optionally of one entity.
pub fn log(conn: &Connection, entity: Option<&str>, limit: u32) -> Result<Vec<LogEntry>> {
    log_filtered(
        conn,
        &LogFilter {
            entity: entity.map(String::from),
            limit,
            ..LogFilter::default()
        },
    )
}

/// The ledger's history, newest first, as `f` narrows it.
pub fn log_filtered(conn: &Connection, f: &LogFilter) -> Result<Vec<LogEntry>> {
    // A given entity or author is matched plainly, so that SQLite reads its index
    // (`events_by_entity`, the author's sequence) instead of the whole ledger; a filter that may
    // be null would keep it from them.
    let entity = if f.entity.is_some() {
        "entity = ?1"
    } else {
        "?1 IS NULL"
    };
    let author = if f.author.is_some() {
        "author = ?2"
    } else {
        "?2 IS NULL"
    };
    let sql = format!(
        "SELECT {COLUMNS}, (SELECT name FROM members m WHERE m.key_id = e.author) FROM events e
         WHERE {entity} AND {author}
           AND (?3 IS NULL OR kind = ?3 OR (substr(?3, -1) = '.' AND substr(kind, 1, length(?3)) = ?3))
           AND (?4 IS NULL OR hlc >= ?4) AND (?5 IS NULL OR hlc < ?5)
         ORDER BY hlc DESC, author DESC, seq DESC LIMIT ?6"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        params![f.entity, f.author, f.kind, f.from_hlc, f.to_hlc, f.limit],
        |r| Ok((StoredEvent::from_row(r)?, r.get::<_, Option<String>>(11)?)),
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (stored, author_name) = row?;
        let ev = stored.decode()?;
        let hlc = Hlc::from_packed(stored.hlc);
        out.push(LogEntry {
            id: stored.id,
            hash: hex::encode(&stored.hash),
            at: relm_domain::window::fmt_utc(hlc.to_datetime()),
            hlc: hlc.to_string(),
            signed_at: ev
                .envelope
                .wall
                .and_then(|w| chrono::DateTime::from_timestamp_millis(w as i64))
                .map(relm_domain::window::fmt_utc),
            author: stored.author,
            author_name,
            seq: stored.seq,
            kind: stored.kind,
            entity: stored.entity,
            payload: ev.envelope.payload,
        });
    }
    Ok(out)
}
