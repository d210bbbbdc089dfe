//! Taking in events that another replica made: verify before apply.
//!
//! Every incoming event is checked before it touches anything: canonical form and payload,
//! workspace, the author's key (introduced earlier in the ledger), the author's chain, and its
//! Ed25519 signature. Then, inside the caller's transaction:
//!
//! - events that pass are appended to the ledger and applied to the projections, where the
//!   governance decision (role at that point, release state) is taken like for local events;
//! - events that cannot be judged yet — a gap in the author's chain, a key not introduced yet,
//!   no workspace yet — are held in `pending` and retried on the next ingest;
//! - events that can never be valid are put in `quarantine` with the reason, never applied; a
//!   second, different event for an author's sequence number is a *fork*, a security finding.
//!
//! Projections must be the same on every replica holding the same events, whatever order they
//! arrived in. When every new event sorts after the current ledger head they are applied
//! incrementally; when one sorts earlier (work done concurrently on another replica), the
//! projections are replayed from the events.

use rayon::prelude::*;
use relm_domain::event::{SignedEvent, event_hash};
use relm_domain::hlc::Hlc;
use relm_domain::ids::WorkspaceId;
use relm_domain::keys::{self, KeyId, PublicKey};
use relm_domain::ledger::{AuthorHead, Ledger, Violation};
use relm_domain::payload::EventBody;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashSet;

use crate::error::{Result, StoreError};
use crate::events;
use crate::projection::{self, Effect};

/// One event as read from a remote: raw bytes, and where it came from (for messages).
#[derive(Debug, Clone)]
pub struct Incoming {
    pub body: Vec<u8>,
    pub sig: Vec<u8>,
    pub source: String,
}

/// An event set aside, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rejected {
    pub event: Option<String>,
    pub author: Option<String>,
    pub seq: Option<i64>,
    pub code: String,
    pub reason: String,
    pub source: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IngestReport {
    /// Events offered (including retried pending ones).
    pub received: usize,
    /// Events added to the ledger.
    pub added: usize,
    /// Of those, events that had no effect at their point in the ledger.
    pub not_applied: usize,
    /// Events already in the ledger.
    pub duplicates: usize,
    /// Events waiting for earlier ones.
    pub pending: usize,
    /// Events newly quarantined (forks included).
    pub quarantined: Vec<Rejected>,
    /// Whether the projections were replayed because an event sorted before the head.
    pub replayed: bool,
    /// Added events by kind.
    pub kinds: Vec<(String, usize)>,
}

struct Candidate {
    ev: SignedEvent,
    body: EventBody,
    source: String,
}

enum Outcome {
    Admit(PublicKey),
    Duplicate,
    Pending(String),
    Quarantine(Violation),
}

/// Verify `incoming` (plus events pending from earlier calls) and add what passes to the ledger.
pub fn ingest(conn: &Connection, incoming: Vec<Incoming>, seen_at: &str) -> Result<IngestReport> {
    let mut report = IngestReport::default();
    let mut offered = take_pending(conn)?;
    offered.extend(incoming);
    report.received = offered.len();

    let mut seen = HashSet::new();
    let mut candidates = Vec::with_capacity(offered.len());
    let mut quarantine: Vec<(Incoming, [u8; 32], Rejected)> = Vec::new();
    let workspace = conn
        .query_row("SELECT id FROM workspace", [], |r| r.get::<_, String>(0))
        .optional()?
        .map(WorkspaceId);
    // Parsing is independent per event: spread it over the cores.
    let parsed: Vec<_> = offered
        .into_par_iter()
        .map(|inc| {
            let parsed = SignedEvent::from_stored(inc.body.as_slice(), &inc.sig)
                .map_err(|e| Violation::new("unreadable", e))
                .and_then(|ev| {
                    let body = ev.body().map_err(|e| Violation::new("bad_payload", e))?;
                    Ok((ev, body))
                });
            (raw_hash(&inc), inc, parsed)
        })
        .collect();
    for (raw_hash, inc, parsed) in parsed {
        if !seen.insert(raw_hash) {
            report.duplicates += 1;
            continue;
        }
        match parsed {
            Ok((ev, body)) => candidates.push(Candidate {
                ev,
                body,
                source: inc.source,
            }),
            Err(v) => {
                let r = rejected(None, &inc.source, &v);
                quarantine.push((inc, raw_hash, r));
            }
        }
    }
    candidates.sort_by(|a, b| {
        let (a, b) = (&a.ev.envelope, &b.ev.envelope);
        (a.hlc, &a.author, a.seq).cmp(&(b.hlc, &b.author, b.seq))
    });

    // Optimistic pass with batched signatures; if a signature fails, judge one by one.
    let mut outcomes = judge(conn, &workspace, &candidates, false)?;
    let admitted: Vec<usize> = outcomes
        .iter()
        .enumerate()
        .filter_map(|(i, o)| matches!(o, Outcome::Admit(_)).then_some(i))
        .collect();
    let keys_of: Vec<_> = admitted
        .iter()
        .map(|&i| match outcomes[i] {
            Outcome::Admit(k) => k.0,
            _ => unreachable!("filtered above"),
        })
        .collect();
    let bodies: Vec<&[u8]> = admitted
        .iter()
        .map(|&i| candidates[i].ev.body.as_slice())
        .collect();
    let sigs: Vec<_> = admitted
        .iter()
        .map(|&i| candidates[i].ev.signature)
        .collect();
    let all_good = keys_of
        .par_chunks(256)
        .zip(bodies.par_chunks(256))
        .zip(sigs.par_chunks(256))
        .all(|((k, b), s)| keys::verify_batch(k, b, s));
    if !all_good {
        outcomes = judge(conn, &workspace, &candidates, true)?;
    }

    let head_before = ledger_head(conn)?;
    let mut replay = false;
    let mut added = Vec::new();
    for (c, outcome) in candidates.iter().zip(&outcomes) {
        let env = &c.ev.envelope;
        match outcome {
            Outcome::Admit(_) => {
                events::insert(conn, &c.ev, c.body.entity().as_deref())?;
                if head_before.as_ref().is_some_and(|h| {
                    (env.hlc.packed(), env.author.as_str(), env.seq as i64)
                        < (h.0, h.1.as_str(), h.2)
                }) {
                    replay = true;
                }
                added.push(c);
            }
            Outcome::Duplicate => report.duplicates += 1,
            Outcome::Pending(reason) => {
                conn.prepare_cached(
                    "INSERT OR IGNORE INTO pending (hash, event_id, author, seq, reason, source, seen_at, body, sig)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![
                    c.ev.hash.as_slice(),
                    env.id.0,
                    env.author.0,
                    env.seq as i64,
                    reason,
                    c.source,
                    seen_at,
                    c.ev.body,
                    c.ev.signature.to_bytes().as_slice()
                ])?;
                report.pending += 1;
            }
            Outcome::Quarantine(v) => {
                let r = rejected(Some(&c.ev), &c.source, v);
                let inc = Incoming {
                    body: c.ev.body.clone(),
                    sig: c.ev.signature.to_bytes().to_vec(),
                    source: c.source.clone(),
                };
                quarantine.push((inc, c.ev.hash, r));
            }
        }
    }

    if replay {
        projection::replay(conn)?;
        report.replayed = true;
        report.not_applied = added
            .iter()
            .map(|c| is_not_applied(conn, &c.ev.envelope.id.0))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter(|&b| b)
            .count();
    } else {
        for c in &added {
            if let Effect::NotApplied(_) = projection::apply(conn, &c.ev, &c.body)? {
                report.not_applied += 1;
            }
        }
    }
    report.added = added.len();
    let mut kinds: Vec<(String, usize)> = Vec::new();
    for c in &added {
        match kinds.iter_mut().find(|(k, _)| *k == c.ev.envelope.kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((c.ev.envelope.kind.clone(), 1)),
        }
    }
    report.kinds = kinds;

    for (inc, hash, r) in quarantine {
        if record_quarantine(conn, &inc, &hash, &r, seen_at)? {
            report.quarantined.push(r);
        }
    }
    Ok(report)
}

/// Quarantine input that is not even an event (a garbled line of a remote file).
pub fn quarantine_raw(
    conn: &Connection,
    raw: &[u8],
    reason: &str,
    source: &str,
    seen_at: &str,
) -> Result<Option<Rejected>> {
    let inc = Incoming {
        body: raw.to_vec(),
        sig: Vec::new(),
        source: source.to_string(),
    };
    let r = Rejected {
        event: None,
        author: None,
        seq: None,
        code: "unreadable".into(),
        reason: reason.to_string(),
        source: source.to_string(),
    };
    Ok(record_quarantine(conn, &inc, &raw_hash(&inc), &r, seen_at)?.then_some(r))
}

/// Returns whether the event was newly quarantined.
fn record_quarantine(
    conn: &Connection,
    inc: &Incoming,
    hash: &[u8; 32],
    r: &Rejected,
    seen_at: &str,
) -> Result<bool> {
    {
        let n = conn
            .prepare_cached(
                "INSERT OR IGNORE INTO quarantine (hash, event_id, author, seq, code, reason, source, seen_at, body, sig)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                hash.as_slice(),
                r.event,
                r.author,
                r.seq,
                r.code,
                r.reason,
                r.source,
                seen_at,
                inc.body,
                inc.sig
            ])?;
        if n == 1 {
            tracing::warn!(code = %r.code, event = ?r.event, source = %r.source, "quarantined an event: {}", r.reason);
        }
        Ok(n == 1)
    }
}

/// Decide each candidate's fate in ledger order. With `each`, signatures are checked one by
/// one so that a forged event never vouches for the events after it.
fn judge(
    conn: &Connection,
    workspace: &Option<WorkspaceId>,
    candidates: &[Candidate],
    each: bool,
) -> Result<Vec<Outcome>> {
    let mut ledger = resume(conn, workspace.clone())?;
    let mut out = Vec::with_capacity(candidates.len());
    for c in candidates {
        let env = &c.ev.envelope;
        // The author's sequence number is taken already: the same event again, or a second
        // event for that number. A second one signed by the author means the author's key
        // signed two histories (a fork); unsigned, it is a forgery.
        if ledger
            .head(&env.author)
            .is_some_and(|(seq, _)| env.seq <= seq)
        {
            let stored = stored_event(conn, &env.author, env.seq)?;
            if stored.as_ref().is_some_and(|(_, hash)| *hash == c.ev.hash) {
                out.push(Outcome::Duplicate);
                continue;
            }
            let other = stored.map_or_else(
                || "another event in this sync".to_string(),
                |(id, _)| format!("event {id}"),
            );
            let key = ledger.key(&env.author);
            let signed = key.is_some_and(|k| keys::verify(&k, &c.ev.body, &c.ev.signature));
            out.push(Outcome::Quarantine(if signed {
                fork(&env.author, env.seq, &other)
            } else {
                bad_signature()
            }));
            continue;
        }
        if each {
            let key = match &c.body {
                EventBody::WorkspaceCreated { founder, .. } => Some(founder.key),
                _ => ledger.key(&env.author),
            };
            if key.is_some_and(|k| !keys::verify(&k, &c.ev.body, &c.ev.signature)) {
                out.push(Outcome::Quarantine(bad_signature()));
                continue;
            }
        }
        let outcome = match ledger.admit(&c.ev, &c.body) {
            Ok(key) => Outcome::Admit(key),
            Err(v) => match v.code {
                "gap" | "unknown_author" | "missing_genesis" => Outcome::Pending(v.message),
                "fork" => {
                    Outcome::Quarantine(fork(&env.author, env.seq, "another event in this sync"))
                }
                _ => Outcome::Quarantine(v),
            },
        };
        out.push(outcome);
    }
    Ok(out)
}

fn resume(conn: &Connection, workspace: Option<WorkspaceId>) -> Result<Ledger> {
    let keys = projection::members::known_keys(conn)?;
    let mut stmt = conn.prepare_cached("SELECT author, seq, hash, hlc FROM author_heads")?;
    let heads = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
        .map(|row| {
            let (author, seq, hash, hlc) = row?;
            let hash: [u8; 32] = hash
                .try_into()
                .map_err(|_| StoreError::Corrupt("event hash is not 32 bytes".into()))?;
            Ok((
                KeyId(author),
                AuthorHead {
                    seq: seq as u64,
                    hash,
                    hlc: Hlc::from_packed(hlc),
                },
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Ledger::resume(workspace, keys, heads, events::count(conn)?))
}

fn fork(author: &KeyId, seq: u64, other: &str) -> Violation {
    Violation::new(
        "fork",
        format!(
            "security finding: author {} signed two different events with sequence number {seq} (the other: {other}); their key may be in use on two replicas or stolen",
            author.fingerprint()
        ),
    )
}

fn bad_signature() -> Violation {
    Violation::new(
        "bad_signature",
        "the signature does not match the event's content and author key (altered or forged)",
    )
}

fn rejected(ev: Option<&SignedEvent>, source: &str, v: &Violation) -> Rejected {
    Rejected {
        event: ev.map(|e| e.envelope.id.0.clone()),
        author: ev.map(|e| e.envelope.author.0.clone()),
        seq: ev.map(|e| e.envelope.seq as i64),
        code: v.code.to_string(),
        reason: v.message.clone(),
        source: source.to_string(),
    }
}

/// Hash of the raw bytes, the identity of an event even when it does not parse.
fn raw_hash(inc: &Incoming) -> [u8; 32] {
    match <[u8; 64]>::try_from(inc.sig.as_slice()) {
        Ok(sig) => event_hash(&inc.body, &ed25519_dalek::Signature::from_bytes(&sig)),
        Err(_) => {
            let mut h = Sha256::new();
            h.update(&inc.body);
            h.update(&inc.sig);
            h.finalize().into()
        }
    }
}

/// The stored event (id, hash) of `author` with sequence number `seq`.
fn stored_event(conn: &Connection, author: &KeyId, seq: u64) -> Result<Option<(String, [u8; 32])>> {
    let row: Option<(String, Vec<u8>)> = conn
        .prepare_cached("SELECT id, hash FROM events WHERE author = ?1 AND seq = ?2")?
        .query_row(params![author.0, seq as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    Ok(row.map(|(id, hash)| (id, hash.try_into().unwrap_or([0; 32]))))
}

fn is_not_applied(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM not_applied WHERE event_id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The last event in ledger order: (hlc, author, seq).
fn ledger_head(conn: &Connection) -> Result<Option<(i64, String, i64)>> {
    Ok(conn
        .query_row(
            "SELECT hlc, author, seq FROM events ORDER BY hlc DESC, author DESC, seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

/// Move pending events back into the next ingest.
fn take_pending(conn: &Connection) -> Result<Vec<Incoming>> {
    let mut stmt = conn.prepare_cached("SELECT body, sig, source FROM pending")?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Incoming {
                body: r.get(0)?,
                sig: r.get(1)?,
                source: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    conn.execute("DELETE FROM pending", [])?;
    Ok(rows)
}

/// Events waiting for earlier ones, and quarantined events, for status displays.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Held {
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub event: Rejected,
    pub seen_at: String,
}

pub fn quarantined(conn: &Connection) -> Result<Vec<Held>> {
    held(
        conn,
        "SELECT event_id, author, seq, code, reason, source, seen_at FROM quarantine ORDER BY seen_at, source",
    )
}

pub fn pending(conn: &Connection) -> Result<Vec<Held>> {
    held(
        conn,
        "SELECT event_id, author, seq, 'pending', reason, source, seen_at FROM pending ORDER BY author, seq",
    )
}

fn held(conn: &Connection, sql: &str) -> Result<Vec<Held>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| {
        Ok(Held {
            event: Rejected {
                event: r.get(0)?,
                author: r.get(1)?,
                seq: r.get(2)?,
                code: r.get(3)?,
                reason: r.get(4)?,
                source: r.get(5)?,
            },
            seen_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
