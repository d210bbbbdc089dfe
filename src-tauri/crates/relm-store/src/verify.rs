//! `audit verify`: replay the whole ledger and prove the store is what its events say.
//!
//! One pass in ledger order checks, for every event: its body is canonical and matches the
//! indexed columns, the ledger's integrity rules ([`Ledger::admit`]: format, workspace,
//! introduced key, author chain), and its Ed25519 signature. The governance decisions
//! (membership and role at that point, release state) are retaken by the shadow rebuild. Signatures are checked in
//! batches on a second thread while the pass continues. The pass also applies each event to an
//! in-memory shadow store; at the end the shadow's projections must equal the stored ones.

use ed25519_dalek::{Signature, VerifyingKey};
use rayon::prelude::*;
use relm_domain::event::SignedEvent;
use relm_domain::keys;
use relm_domain::ledger::{Ledger, Violation};
use relm_domain::payload::EventBody;
use serde::Serialize;
use std::sync::mpsc;

use crate::error::{Result, StoreError};
use crate::{Store, events, projection};

/// The first problem found, naming the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Problem {
    /// Event id (or the projection table for a projection mismatch).
    pub event: String,
    pub author: Option<String>,
    pub seq: Option<i64>,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Report {
    pub ok: bool,
    pub events: u64,
    pub authors: usize,
    /// Hash of the last event in ledger order.
    pub head: Option<String>,
    /// Authentic events that had no effect at their point in the ledger (see `not_applied`).
    pub not_applied: u64,
    /// The first problem (in ledger order), if any.
    pub problem: Option<Problem>,
    /// Every problem found, in ledger order (at most [`MAX_PROBLEMS`]): a bad event does not
    /// stop the check of the others.
    pub problems: Vec<Problem>,
    /// Members whose key signed two histories (the evidence checked): nothing of theirs from
    /// the fork point counts. A finding, not a failed check: the ledger is sound.
    pub forks: Vec<crate::forks::Fork>,
}

/// The code of a table that differs from a rebuild from the events (its name in `event`).
pub const PROJECTION_MISMATCH: &str = "projection_mismatch";

/// Problems listed at most; the count goes on.
pub const MAX_PROBLEMS: usize = 100;

const BATCH: usize = 4096;

struct Pending {
    /// Ledger index of the first event in the batch.
    first: usize,
    keys: Vec<VerifyingKey>,
    bodies: Vec<Vec<u8>>,
    sigs: Vec<Signature>,
    ids: Vec<(String, String, i64)>,
}

impl Pending {
    fn new(first: usize) -> Self {
        Pending {
            first,
            keys: Vec::new(),
            bodies: Vec::new(),
            sigs: Vec::new(),
            ids: Vec::new(),
        }
    }
}

/// Indexes (within the batch) of the events whose signature fails.
fn bad_signatures(b: &Pending) -> Vec<usize> {
    let chunk_ok: Vec<bool> = b
        .bodies
        .par_chunks(256)
        .zip(b.sigs.par_chunks(256))
        .zip(b.keys.par_chunks(256))
        .map(|((bodies, sigs), keys)| {
            let refs: Vec<&[u8]> = bodies.iter().map(Vec::as_slice).collect();
            keys::verify_batch(keys, &refs, sigs)
        })
        .collect();
    chunk_ok
        .iter()
        .enumerate()
        .filter(|(_, ok)| !**ok)
        .flat_map(|(chunk, _)| chunk * 256..((chunk + 1) * 256).min(b.bodies.len()))
        .filter(|&i| !keys::verify(&keys::PublicKey(b.keys[i]), &b.bodies[i], &b.sigs[i]))
        .collect()
}

/// Indexes that only the release list reads (its sort by update and by status, its
/// case-insensitive filter by service): the shadow rebuild does without them.
const LIST_ONLY_INDEXES: [&str; 3] = [
    "releases_by_service",
    "releases_by_status_id",
    "releases_by_updated",
];

/// The in-memory store the projections are rebuilt in. It keeps every other index: applying an
/// event looks up what its release already holds (approvals, deployments, rehearsals, risks)
/// by them. When the shadow dropped them all, each deployment scanned whole tables, and an
/// organization's ledger of 1,000,000 events did not verify in 15 minutes (now in 2).
fn shadow_store() -> Result<Store> {
    let store = Store::open_in_memory()?;
    for name in LIST_ONLY_INDEXES {
        store.conn().execute(&format!("DROP INDEX {name}"), [])?;
    }
    Ok(store)
}

pub fn verify(store: &Store) -> Result<Report> {
    Ok(run(store, false, true, None)?.0)
}

/// Check the ledger of `store` as [`verify`] does, but keep the projections rebuilt from its
/// events instead of comparing them with the store's: for a store that holds events only (an
/// evidence pack's, inserted as they came), the facts its events establish. With
/// `signatures_checked`, the caller has checked every signature against its author's key
/// already (while the events were inserted) and they are not checked again. `parsed`: the
/// store's events as the caller read them from the bytes it inserted (checked to be in
/// canonical form, in any order), so they are not read back and parsed again.
pub fn verify_rebuilding(
    store: &Store,
    signatures_checked: bool,
    parsed: Option<Vec<(SignedEvent, EventBody)>>,
) -> Result<(Report, Store)> {
    let (report, rebuilt) = run(store, true, !signatures_checked, parsed)?;
    let rebuilt = rebuilt
        .ok_or_else(|| StoreError::Corrupt("the rebuilt projections were not kept".into()))?;
    Ok((report, rebuilt))
}

fn run(
    store: &Store,
    keep: bool,
    check_signatures: bool,
    parsed: Option<Vec<(SignedEvent, EventBody)>>,
) -> Result<(Report, Option<Store>)> {
    let conn = store.conn();
    // The shadow rebuild runs on its own thread, fed in batches.
    let (apply_tx, apply_rx) = mpsc::sync_channel::<Vec<(SignedEvent, EventBody)>>(4);
    // The causal judge is loaded from the stored events: the shadow holds projections only.
    let judge = crate::causal::Judge::load(conn)?;
    let forks = crate::forks::fork_points(conn)?;
    let (evidence, bad_evidence) = fork_evidence(conn)?;
    type Rebuilt = (Vec<(&'static str, [u8; 32])>, Option<Store>);
    let applier = std::thread::spawn(move || -> Result<Rebuilt> {
        let mut shadow = shadow_store()?;
        shadow.write(|tx| -> Result<()> {
            for ev in &evidence {
                crate::forks::record(tx, ev, ev)?;
            }
            crate::forks::project(tx)?;
            for batch in apply_rx {
                for (ev, body) in batch {
                    projection::apply(tx, &judge, &ev, &body)?;
                }
            }
            Ok(())
        })?;
        if keep {
            Ok((Vec::new(), Some(shadow)))
        } else {
            Ok((projection::digest(shadow.conn())?, None))
        }
    });
    let mut to_apply = Vec::with_capacity(BATCH);
    let (sender, rx) = mpsc::sync_channel::<Pending>(2);
    let checker = std::thread::spawn(move || -> Vec<(usize, Problem)> {
        let mut found = Vec::new();
        for batch in rx {
            for i in bad_signatures(&batch) {
                if found.len() == MAX_PROBLEMS {
                    break;
                }
                let (id, author, seq) = batch.ids[i].clone();
                found.push((
                    batch.first + i,
                    Problem { event: id, author: Some(author), seq: Some(seq), code: "bad_signature".into(), message: "the signature does not match the event's content and author key (altered or forged)".into() },
                ));
            }
        }
        found
    });

    let mut ledger = Ledger::default();
    let mut pending = Pending::new(0);
    let mut index = 0usize;
    let mut head = None;
    let mut structural: Vec<(usize, Problem)> = Vec::new();
    let mut seen = 0usize;
    // One event of the ledger, in ledger order: its identity as stored, and the event and
    // payload read from it (or why they could not be).
    let mut step = |id: String,
                    author: String,
                    seq: i64,
                    (hash, hlc): (&[u8], i64),
                    read: std::result::Result<(SignedEvent, EventBody), Violation>|
     -> Result<()> {
        seen += 1;
        let fail = |v: Violation| Problem {
            event: id.clone(),
            author: Some(author.clone()),
            seq: Some(seq),
            code: v.code.into(),
            message: v.message,
        };
        let checked = read.and_then(|(ev, body)| {
            let mut lookup = |a: &keys::KeyId, q: u64| crate::causal::find_dep(conn, &forks, a, q);
            relm_domain::ledger::check_deps(&ev, &mut lookup)?;
            let key = ledger.admit(&ev, &body)?;
            Ok((ev, body, key))
        });
        match checked {
            // The event is named and left out; the others are still checked.
            Err(v) => {
                if let Ok(hash) = <[u8; 32]>::try_from(hash) {
                    ledger.skip(
                        keys::KeyId(author.clone()),
                        seq as u64,
                        hash,
                        relm_domain::hlc::Hlc::from_packed(hlc),
                    );
                }
                if structural.len() < MAX_PROBLEMS {
                    structural.push((index, fail(v)));
                }
            }
            Ok((mut ev, body, key)) => {
                head = Some(ev.hash);
                if check_signatures {
                    pending.keys.push(key.0);
                    pending.sigs.push(ev.signature);
                    pending.ids.push((id, author, seq));
                    pending.bodies.push(std::mem::take(&mut ev.body));
                }
                // The shadow applies the typed payload only. The envelope's JSON tree and the
                // bytes are freed here, by the thread that made them, rather than by the rebuild,
                // the longest of the threads (its frees were a twentieth of its time).
                ev.envelope.payload = serde_json::Value::Null;
                ev.body = Vec::new();
                to_apply.push((ev, body));
                if to_apply.len() == BATCH {
                    let _ =
                        apply_tx.send(std::mem::replace(&mut to_apply, Vec::with_capacity(BATCH)));
                }
                index += 1;
                if pending.bodies.len() == BATCH {
                    let full = std::mem::replace(&mut pending, Pending::new(index));
                    // The checker only stops early after finding a bad signature.
                    let _ = sender.send(full);
                }
            }
        }
        Ok(())
    };
    let result = match parsed {
        // Events read and checked already by the caller, who inserted them as they are.
        Some(mut list) => {
            list.sort_by(|(a, _), (b, _)| {
                let (a, b) = (&a.envelope, &b.envelope);
                (a.hlc, &a.author, a.seq).cmp(&(b.hlc, &b.author, b.seq))
            });
            list.into_iter().try_for_each(|(ev, body)| {
                let env = &ev.envelope;
                let (id, author, seq) = (env.id.0.clone(), env.author.0.clone(), env.seq as i64);
                let hash = ev.hash;
                let hlc = env.hlc.packed();
                step(id, author, seq, (&hash, hlc), Ok((ev, body)))
            })
        }
        None => events::for_each_in_ledger_order(conn, |mut stored| {
            let signed_body = std::mem::take(&mut stored.body);
            let read = SignedEvent::from_stored(signed_body, &stored.sig)
                .map_err(|e| Violation::new("unreadable", e))
                .and_then(|ev| {
                    let body = ev.body().map_err(|e| Violation::new("bad_payload", e))?;
                    stored.columns_match(&ev, body.entity().as_deref()).map_err(|e| match e {
                        events::ColumnMismatch::Altered => Violation::new(
                            "altered",
                            "the event's content was changed after it was recorded (its hash no longer matches)",
                        ),
                        events::ColumnMismatch::Columns(c) => Violation::new(
                            "column_mismatch",
                            format!("stored column(s) {c} disagree with the signed body"),
                        ),
                    })?;
                    Ok((ev, body))
                });
            step(
                stored.id,
                stored.author,
                stored.seq,
                (&stored.hash, stored.hlc),
                read,
            )
        }),
    };
    let _ = sender.send(pending);
    drop(sender);
    let _ = apply_tx.send(to_apply);
    drop(apply_tx);
    let rebuilt = applier
        .join()
        .map_err(|_| StoreError::Corrupt("projection rebuild crashed".into()))?;
    let bad_sig = checker
        .join()
        .map_err(|_| StoreError::Corrupt("signature checker crashed".into()))?;
    result?;

    let mut found = bad_sig;
    found.extend(structural);
    found.extend(bad_evidence.into_iter().map(|p| (usize::MAX, p)));
    found.sort_by_key(|(i, _)| *i);
    let mut problems: Vec<Problem> = found
        .into_iter()
        .map(|(_, p)| p)
        .take(MAX_PROBLEMS)
        .collect();
    // The projections are compared when every event could be replayed; a left-out event makes
    // the rebuild differ by construction.
    let (digests, kept) = rebuilt?;
    if problems.is_empty()
        && !keep
        && let Some(p) = compare_projections(store, &digests)?
    {
        problems.push(p);
    }
    let not_applied: i64 = conn.query_row("SELECT count(*) FROM not_applied", [], |r| r.get(0))?;
    let not_applied = match &kept {
        Some(shadow) => shadow
            .conn()
            .query_row("SELECT count(*) FROM not_applied", [], |r| r.get(0))?,
        None => not_applied,
    };
    let report = Report {
        not_applied: not_applied as u64,
        ok: problems.is_empty(),
        events: seen as u64,
        authors: ledger.author_count(),
        head: head.map(hex::encode),
        problem: problems.first().cloned(),
        problems,
        forks: crate::forks::list(conn)?,
    };
    Ok((report, kept))
}

/// The fork evidence, each event's signature checked against its author's key: the valid
/// events, and a problem for each that is not.
fn fork_evidence(conn: &rusqlite::Connection) -> Result<(Vec<SignedEvent>, Vec<Problem>)> {
    let keys: std::collections::HashMap<_, _> =
        projection::members::known_keys(conn)?.into_iter().collect();
    let mut stmt = conn.prepare("SELECT hash, body, sig FROM fork_evidence ORDER BY hash")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, Vec<u8>>(0)?,
            r.get::<_, Vec<u8>>(1)?,
            r.get::<_, Vec<u8>>(2)?,
        ))
    })?;
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    for row in rows {
        let (hash, body, sig) = row?;
        let checked = SignedEvent::from_stored(body, &sig).ok().filter(|ev| {
            ev.hash.as_slice() == hash.as_slice()
                && keys
                    .get(&ev.envelope.author)
                    .is_some_and(|k| ev.verify_signature(k))
        });
        match checked {
            Some(ev) => good.push(ev),
            None => bad.push(Problem {
                event: hex::encode(&hash),
                author: None,
                seq: None,
                code: "bad_evidence".into(),
                message: "a kept proof of a fork is not a validly signed event of a member".into(),
            }),
        }
    }
    Ok((good, bad))
}

fn compare_projections(
    store: &Store,
    rebuilt: &[(&'static str, [u8; 32])],
) -> Result<Option<Problem>> {
    let stored = projection::digest(store.conn())?;
    Ok(stored.iter().zip(rebuilt.iter()).find(|(a, b)| a.1 != b.1).map(|(a, _)| Problem {
        event: a.0.to_string(),
        author: None,
        seq: None,
        code: PROJECTION_MISMATCH.into(),
        message: format!("table `{}` differs from a rebuild from the events; run `relm rebuild` after investigating", a.0),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indexes(store: &Store) -> Vec<String> {
        let mut stmt = store
            .conn()
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }

    #[test]
    fn the_shadow_keeps_every_index_the_projections_read() {
        let full = indexes(&Store::open_in_memory().unwrap());
        let shadow = indexes(&shadow_store().unwrap());
        let missing: Vec<&String> = full.iter().filter(|n| !shadow.contains(n)).collect();
        assert_eq!(missing, LIST_ONLY_INDEXES.iter().collect::<Vec<_>>());
        assert!(shadow.iter().any(|n| n == "deployments_by_release"));
    }
}
