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

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use relm_domain::event::{SignedEvent, event_hash};
use relm_domain::hlc::Hlc;
use relm_domain::ids::WorkspaceId;
use relm_domain::keys::{self, KeyId, PublicKey};
use relm_domain::ledger::{AuthorHead, Ledger, Violation};
use relm_domain::ledger::{check_deps, check_incoming};
use relm_domain::payload::EventBody;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};

use crate::error::{Result, StoreError};
use crate::events;
use crate::projection::{self, Effect};

/// The bound on clock offsets of a workspace that never set one (10 minutes).
pub const DEFAULT_MAX_CLOCK_OFFSET_MS: i64 = 600_000;

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
    /// Waiting events not kept because their remote is over the cap (they stay on the remote
    /// and are read again when the workspace's membership changes).
    pub dropped: usize,
    /// Sources (`remote:file`) whose waiting events went over the cap.
    #[serde(skip)]
    pub capped: BTreeSet<String>,
    /// For each offered event, in order: who signed it and whether this exact event is now in
    /// the ledger (`None`: it did not even parse). What a remote file holds is recorded from
    /// this, never from the file's header.
    #[serde(skip)]
    pub seen: Vec<Option<Seen>>,
}

impl IngestReport {
    /// Add another round's or batch's report to this one. `seen` and `capped` belong to the
    /// files of one batch and are not merged.
    pub fn absorb(&mut self, part: IngestReport) {
        self.received += part.received;
        self.added += part.added;
        self.not_applied += part.not_applied;
        self.duplicates += part.duplicates;
        self.pending = self.pending.max(part.pending);
        self.quarantined.extend(part.quarantined);
        self.replayed |= part.replayed;
        self.dropped += part.dropped;
        for (k, n) in part.kinds {
            match self.kinds.iter_mut().find(|(x, _)| *x == k) {
                Some((_, m)) => *m += n,
                None => self.kinds.push((k, n)),
            }
        }
    }
}

/// An offered event's identity after ingest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub author: String,
    pub seq: u64,
    /// This very event (same hash) is in the ledger now.
    pub in_ledger: bool,
}

/// When events are received, and how far ahead of that they may be stamped.
#[derive(Debug, Clone, Copy)]
pub struct Receipt {
    pub now: DateTime<Utc>,
    /// The bound on clock offsets to apply, in milliseconds; `None`: the workspace's. A
    /// newcomer joining has no workspace yet, so no bound of its own: it reads the ledger as it
    /// stands (up to the largest bound a workspace may set), then follows the workspace's.
    pub max_ahead_ms: Option<i64>,
}

impl Receipt {
    fn seen_at(&self) -> String {
        relm_domain::window::fmt_utc(self.now)
    }
}

/// Waiting events kept per remote, at most (count and bytes of their bodies).
pub const MAX_WAITING: usize = 10_000;
pub const MAX_WAITING_BYTES: usize = 64 << 20;
/// How much of a quarantined input is kept (its digest and size are kept whole).
pub const QUARANTINE_PREFIX: usize = 4096;

struct Candidate {
    ev: SignedEvent,
    body: EventBody,
    source: String,
    /// Index among the offered events (for [`IngestReport::seen`]), `None` for retried ones.
    index: Option<usize>,
}

enum Outcome {
    Admit(PublicKey),
    Duplicate,
    Pending(String),
    Quarantine(Violation),
}

/// Verify `incoming` (plus events pending from earlier calls that may now be judged) and add
/// what passes to the ledger.
pub fn ingest(conn: &Connection, incoming: Vec<Incoming>, at: Receipt) -> Result<IngestReport> {
    let keys_before = known_key_count(conn)?;
    let mut report = ingest_once(conn, incoming, at)?;
    // Keys introduced by this batch make waiting events of those keys judgeable: once more,
    // until no new key appears (bounded by the number of members).
    let mut keys = known_key_count(conn)?;
    let mut last = keys_before;
    while keys != last {
        let again = ingest_once(conn, Vec::new(), at)?;
        // What still waits is what the last round left.
        report.pending = 0;
        report.absorb(again);
        last = keys;
        keys = known_key_count(conn)?;
    }
    Ok(report)
}

/// How many keys were ever introduced to the workspace (it changes with the membership).
pub fn known_key_count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM known_keys", [], |r| r.get(0))?)
}

fn ingest_once(conn: &Connection, incoming: Vec<Incoming>, at: Receipt) -> Result<IngestReport> {
    let seen_at = at.seen_at();
    let seen_at = seen_at.as_str();
    let mut report = IngestReport {
        seen: vec![None; incoming.len()],
        ..Default::default()
    };
    let retried = take_pending(conn)?;
    let first_new = retried.len();
    let mut offered = retried;
    offered.extend(incoming);
    report.received = offered.len();

    let mut seen = HashSet::new();
    let mut candidates = Vec::with_capacity(offered.len());
    let mut quarantine: Vec<(Incoming, [u8; 32], Rejected)> = Vec::new();
    let (workspace, max_ahead_ms) = conn
        .query_row("SELECT id, max_clock_offset_ms FROM workspace", [], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })
        .optional()?
        .map_or((None, DEFAULT_MAX_CLOCK_OFFSET_MS), |(w, m)| {
            (Some(WorkspaceId(w)), m)
        });
    let horizon = at
        .now
        .timestamp_millis()
        .saturating_add(at.max_ahead_ms.unwrap_or(max_ahead_ms));
    // Parsing is independent per event: spread it over the cores.
    let parsed: Vec<_> = offered
        .into_par_iter()
        .enumerate()
        .map(|(i, inc)| {
            let parsed = SignedEvent::from_stored(inc.body.as_slice(), &inc.sig)
                .map_err(|e| Violation::new("unreadable", e))
                .and_then(|ev| {
                    let body = ev.body().map_err(|e| Violation::new("bad_payload", e))?;
                    Ok((ev, body))
                });
            (i, raw_hash(&inc), inc, parsed)
        })
        .collect();
    for (i, raw_hash, inc, parsed) in parsed {
        let index = i.checked_sub(first_new);
        if !seen.insert(raw_hash) {
            report.duplicates += 1;
            continue;
        }
        match parsed {
            Ok((ev, body)) => candidates.push(Candidate {
                ev,
                body,
                source: inc.source,
                index,
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
    let mut outcomes = judge(conn, &workspace, &candidates, horizon, false)?;
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
        outcomes = judge(conn, &workspace, &candidates, horizon, true)?;
    }

    let head_before = ledger_head(conn)?;
    let mut replay = false;
    let mut added = Vec::new();
    let mut waiting = waiting_per_remote(conn)?;
    for (c, outcome) in candidates.iter().zip(&outcomes) {
        let env = &c.ev.envelope;
        if let Some(i) = c.index {
            report.seen[i] = Some(Seen {
                author: env.author.0.clone(),
                seq: env.seq,
                in_ledger: matches!(outcome, Outcome::Admit(_) | Outcome::Duplicate),
            });
        }
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
                let remote = c.source.split(':').next().unwrap_or_default();
                let (n, bytes) = waiting.entry(remote.to_string()).or_default();
                if *n >= MAX_WAITING || *bytes + c.ev.body.len() > MAX_WAITING_BYTES {
                    report.dropped += 1;
                    if let Some((file, _)) = c.source.rsplit_once(':') {
                        report.capped.insert(file.to_string());
                    }
                    continue;
                }
                *n += 1;
                *bytes += c.ev.body.len();
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

    // A membership event may change the decision on events already applied (a removal voids
    // what its target did concurrently), and so does a new fork: recompute from the ledger.
    let new_fork = outcomes
        .iter()
        .any(|o| matches!(o, Outcome::Quarantine(v) if v.code == "fork"));
    if new_fork {
        let before = crate::forks::list(conn)?;
        crate::forks::project(conn)?;
        replay |= crate::forks::list(conn)? != before;
    }
    if added.iter().any(|c| crate::causal::is_membership(&c.body)) {
        replay = true;
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
        let judge = crate::causal::Judge::load(conn)?;
        for c in &added {
            if let Effect::NotApplied(_) = projection::apply(conn, &judge, &c.ev, &c.body)? {
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
        if record_quarantine(conn, &inc, &hash, inc.body.len(), &r, seen_at)? {
            report.quarantined.push(r);
        }
    }
    Ok(report)
}

/// Quarantine input that is not even an event (a garbled line of a remote file). `whole`: when
/// `raw` is only the start of a longer line, that line's length and SHA-256.
pub fn quarantine_raw(
    conn: &Connection,
    raw: &[u8],
    whole: Option<(usize, [u8; 32])>,
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
    let (size, hash) = whole.unwrap_or((raw.len(), raw_hash(&inc)));
    Ok(record_quarantine(conn, &inc, &hash, size, &r, seen_at)?.then_some(r))
}

/// Returns whether the event was newly quarantined.
fn record_quarantine(
    conn: &Connection,
    inc: &Incoming,
    hash: &[u8; 32],
    size: usize,
    r: &Rejected,
    seen_at: &str,
) -> Result<bool> {
    {
        let kept = &inc.body[..inc.body.len().min(QUARANTINE_PREFIX)];
        let n = conn
            .prepare_cached(
                "INSERT OR IGNORE INTO quarantine (hash, event_id, author, seq, code, reason, source, seen_at, body, sig, size)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
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
                kept,
                &inc.sig[..inc.sig.len().min(QUARANTINE_PREFIX)],
                size as i64
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
    horizon_ms: i64,
    each: bool,
) -> Result<Vec<Outcome>> {
    let mut ledger = resume(conn, workspace.clone())?;
    let mut out = Vec::with_capacity(candidates.len());
    // Events admitted earlier in this batch: (author, seq) → (hash, timestamp).
    let mut admitted: HashMap<(String, u64), ([u8; 32], Hlc)> = HashMap::new();
    let mut forks = crate::forks::fork_points(conn)?;
    // The event admitted in this batch for each (author, seq), to prove a fork within it.
    let mut taken: HashMap<(String, u64), usize> = HashMap::new();
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
            if signed {
                // The proof: this event and the one already taken for that number.
                let twin = match taken.get(&(env.author.0.clone(), env.seq)) {
                    Some(&i) => Some(candidates[i].ev.clone()),
                    None => stored_signed(conn, &env.author, env.seq)?,
                };
                if let Some(twin) = twin {
                    crate::forks::record(conn, &twin, &c.ev)?;
                    let f = forks.entry(env.author.clone()).or_insert(env.seq);
                    *f = (*f).min(env.seq);
                }
            }
            out.push(Outcome::Quarantine(if signed {
                fork(&env.author, env.seq, &other)
            } else {
                bad_signature()
            }));
            continue;
        }
        if let Err(v) = check_incoming(&c.ev) {
            out.push(Outcome::Quarantine(v));
            continue;
        }
        // Stamped further ahead than this replica's clock allows: held, not applied, until the
        // clock catches up (an honest replica's clock may run fast; a far-future stamp must not
        // drag every replica's clock along).
        let ahead = i64::try_from(env.hlc.ms)
            .unwrap_or(i64::MAX)
            .saturating_sub(horizon_ms);
        if ahead > 0 {
            out.push(Outcome::Pending(format!(
                "held: stamped {} ahead of this replica's clock, beyond the workspace's bound on clock offsets; it is applied once this clock reaches it. Check the clock of author {}",
                human_duration(ahead),
                env.author.fingerprint()
            )));
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
        let mut lookup = |a: &KeyId, q: u64| -> Option<([u8; 32], Hlc)> {
            admitted
                .get(&(a.0.clone(), q))
                .copied()
                .or_else(|| crate::causal::find_dep(conn, &forks, a, q))
        };
        if let Err(v) = check_deps(&c.ev, &mut lookup) {
            out.push(match v.code {
                "missing_dep" => Outcome::Pending(v.message),
                _ => Outcome::Quarantine(v),
            });
            continue;
        }
        let outcome = match ledger.admit(&c.ev, &c.body) {
            Ok(key) => {
                admitted.insert((env.author.0.clone(), env.seq), (c.ev.hash, env.hlc));
                taken.insert((env.author.0.clone(), env.seq), out.len());
                Outcome::Admit(key)
            }
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
    let mut stmt = conn.prepare_cached(
        "SELECT h.author, h.seq, h.hash, h.hlc, coalesce(json_extract(e.body, '$.v'), 1)
         FROM author_heads h JOIN events e ON e.author = h.author AND e.seq = h.seq",
    )?;
    let heads = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?
        .map(|row| {
            let (author, seq, hash, hlc, format) = row?;
            let hash: [u8; 32] = hash
                .try_into()
                .map_err(|_| StoreError::Corrupt("event hash is not 32 bytes".into()))?;
            Ok((
                KeyId(author),
                AuthorHead {
                    seq: seq as u64,
                    hash,
                    hlc: Hlc::from_packed(hlc),
                    format: u32::try_from(format).unwrap_or(0),
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

/// The stored event of `author` with sequence number `seq`: (hash, timestamp).
pub fn stored_hlc(conn: &Connection, author: &KeyId, seq: u64) -> Result<Option<([u8; 32], Hlc)>> {
    let row: Option<(Vec<u8>, i64)> = conn
        .prepare_cached("SELECT hash, hlc FROM events WHERE author = ?1 AND seq = ?2")?
        .query_row(params![author.0, seq as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    Ok(row.map(|(hash, hlc)| (hash.try_into().unwrap_or([0; 32]), Hlc::from_packed(hlc))))
}

/// The stored event of `author` with sequence number `seq`, signed.
fn stored_signed(conn: &Connection, author: &KeyId, seq: u64) -> Result<Option<SignedEvent>> {
    let row: Option<(Vec<u8>, Vec<u8>)> = conn
        .prepare_cached("SELECT body, sig FROM events WHERE author = ?1 AND seq = ?2")?
        .query_row(params![author.0, seq as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    row.map(|(body, sig)| SignedEvent::from_stored(body, &sig).map_err(StoreError::Corrupt))
        .transpose()
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

/// Move back into this ingest the pending events that may be judged now: those of known
/// authors (a gap may have been filled, a held event's time may have come), or all of them
/// before the workspace is known. Events of keys no member ever added stay where they are
/// until the membership changes: they cost nothing on a sync that brings nothing new.
fn take_pending(conn: &Connection) -> Result<Vec<Incoming>> {
    const JUDGEABLE: &str =
        "author IN (SELECT key_id FROM known_keys) OR NOT EXISTS (SELECT 1 FROM workspace)";
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT body, sig, source FROM pending WHERE {JUDGEABLE}"
    ))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Incoming {
                body: r.get(0)?,
                sig: r.get(1)?,
                source: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if !rows.is_empty() {
        conn.execute(&format!("DELETE FROM pending WHERE {JUDGEABLE}"), [])?;
    }
    Ok(rows)
}

/// Waiting events already kept, per remote: (count, bytes).
fn waiting_per_remote(conn: &Connection) -> Result<HashMap<String, (usize, usize)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT substr(source, 1, instr(source, ':') - 1), count(*), coalesce(sum(length(body)), 0)
         FROM pending GROUP BY 1",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            (r.get::<_, i64>(1)? as usize, r.get::<_, i64>(2)? as usize),
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Forget waiting events (all, or one author's): they stay on the remotes and come back if
/// their files are read again. Returns how many were dropped.
pub fn purge_pending(conn: &Connection, author: Option<&str>) -> Result<usize> {
    Ok(conn.execute(
        "DELETE FROM pending WHERE ?1 IS NULL OR author = ?1",
        [author],
    )?)
}

/// `ms` for people: seconds, minutes, hours or days.
pub fn human_duration(ms: i64) -> String {
    let minutes = ms / 60_000;
    match minutes {
        0 => format!("{} s", (ms / 1000).max(1)),
        1..=119 => format!("{minutes} min"),
        120..=2879 => format!("{} h", minutes / 60),
        _ => format!("{} days", minutes / 1440),
    }
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
