//! The ledger events a report's facts rest on, as a file an auditor checks without Relm.
//!
//! The events needed are a *causal closure*: every event the report speaks of, every event
//! before it in its author's chain (chains have no gaps), and everything those authors had
//! seen when they signed (their declared `deps`), transitively. A closure is a prefix of each
//! author's chain, so it is kept as one number per author. It holds the membership and policy
//! events that gave each signer their role, since authority is judged by what the signer had
//! seen.

use std::collections::{BTreeMap, VecDeque};

use base64::Engine as _;
use rusqlite::{Connection, params};

pub mod tables;
use sha2::{Digest, Sha256};

use crate::error::Result;

/// The last sequence number needed of each author.
pub type Closure = BTreeMap<String, i64>;

/// The closure of the events `seeds` (author, seq).
pub fn closure(conn: &Connection, seeds: &[(String, i64)]) -> Result<Closure> {
    let mut need: Closure = BTreeMap::new();
    let mut done: BTreeMap<String, i64> = BTreeMap::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    let want = |need: &mut Closure, queue: &mut VecDeque<String>, a: &str, s: i64| {
        let n = need.entry(a.to_string()).or_insert(0);
        if s > *n {
            *n = s;
            queue.push_back(a.to_string());
        }
    };
    for (a, s) in seeds {
        want(&mut need, &mut queue, a, *s);
    }
    let mut deps = conn.prepare_cached(
        "SELECT dep_author, max(dep_seq) FROM event_deps
         WHERE author = ?1 AND seq > ?2 AND seq <= ?3 GROUP BY dep_author",
    )?;
    while let Some(a) = queue.pop_front() {
        let (from, to) = (done.get(&a).copied().unwrap_or(0), need[&a]);
        if to <= from {
            continue;
        }
        done.insert(a.clone(), to);
        let found: Vec<(String, i64)> = deps
            .query_map(params![a, from, to], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (d, s) in found {
            want(&mut need, &mut queue, &d, s);
        }
    }
    Ok(need)
}

/// The closure of every event about `entity` (a release, a risk…) and of the events that
/// made `member` (the one exporting) a member, so the evidence proves who exported it.
pub fn closure_of_entity(conn: &Connection, entity: &str, member: Option<&str>) -> Result<Closure> {
    closure_of_entities(conn, &[entity.to_string()], member)
}

/// The closure of every event about any of `entities`, and of `member`'s introduction.
pub fn closure_of_entities(
    conn: &Connection,
    entities: &[String],
    member: Option<&str>,
) -> Result<Closure> {
    let mut seeds: BTreeMap<String, i64> = BTreeMap::new();
    let mut stmt = conn
        .prepare_cached("SELECT author, max(seq) FROM events WHERE entity = ?1 GROUP BY author")?;
    for entity in entities {
        let rows = stmt.query_map([entity], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        for row in rows {
            let (a, q) = row?;
            let n = seeds.entry(a).or_insert(0);
            *n = (*n).max(q);
        }
    }
    let mut seeds: Vec<(String, i64)> = seeds.into_iter().collect();
    if let Some(m) = member {
        seeds.extend(introduction(conn, m)?);
    }
    closure(conn, &seeds)
}

/// The event that introduced `member`'s key: the workspace's creation for its founder, else
/// the first `member.added` of the key. Not the member's own later events: an export does
/// not change what a later export of the same subject rests on.
pub fn introduction(conn: &Connection, member: &str) -> Result<Option<(String, i64)>> {
    use rusqlite::OptionalExtension as _;
    Ok(conn
        .prepare_cached(
            "SELECT author, seq FROM events
             WHERE (kind = 'workspace.created' AND author = ?1)
                OR (kind = 'member.added' AND entity = ?1)
             ORDER BY hlc, author, seq LIMIT 1",
        )?
        .query_row([member], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The events of `closure` in ledger order as newline-delimited JSON, one event a line:
/// `{"id", "author", "seq", "kind", "body", "sig"}` with the signed body and the signature in
/// base64 (the other fields repeat the body's, for people reading it). The count of events.
pub fn events_file(conn: &Connection, closure: &Closure) -> Result<(Vec<u8>, usize)> {
    let b64 = base64::engine::general_purpose::STANDARD;
    // Each author's prefix from its chain index, then all of them in ledger order: the rest of
    // the ledger is not read.
    struct Line {
        hlc: i64,
        author: String,
        seq: i64,
        id: String,
        kind: String,
        body: Vec<u8>,
        sig: Vec<u8>,
    }
    let mut events: Vec<Line> = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT hlc, id, kind, body, sig, seq FROM events WHERE author = ?1 AND seq <= ?2",
    )?;
    for (author, last) in closure {
        let mut rows = stmt.query(params![author, last])?;
        while let Some(r) = rows.next()? {
            events.push(Line {
                hlc: r.get(0)?,
                author: author.clone(),
                seq: r.get(5)?,
                id: r.get(1)?,
                kind: r.get(2)?,
                body: r.get(3)?,
                sig: r.get(4)?,
            });
        }
    }
    events.sort_by(|a, b| (a.hlc, &a.author, a.seq).cmp(&(b.hlc, &b.author, b.seq)));
    let mut out = Vec::new();
    for e in &events {
        let line = serde_json::json!({
            "id": e.id,
            "author": e.author,
            "seq": e.seq,
            "kind": e.kind,
            "body": b64.encode(&e.body),
            "sig": b64.encode(&e.sig),
        });
        out.extend(line.to_string().as_bytes());
        out.push(b'\n');
    }
    Ok((out, events.len()))
}

/// `sha256:<hex>` of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}
