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
    pub problem: Option<Problem>,
}

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

/// Index (within the batch) of the first event whose signature fails.
fn first_bad_signature(b: &Pending) -> Option<usize> {
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
    let chunk = chunk_ok.iter().position(|ok| !ok)?;
    (chunk * 256..((chunk + 1) * 256).min(b.bodies.len()))
        .find(|&i| !keys::verify(&keys::PublicKey(b.keys[i]), &b.bodies[i], &b.sigs[i]))
}

pub fn verify(store: &Store) -> Result<Report> {
    let conn = store.conn();
    // The shadow rebuild runs on its own thread, fed in batches.
    let (apply_tx, apply_rx) = mpsc::sync_channel::<Vec<(SignedEvent, EventBody)>>(4);
    let applier = std::thread::spawn(move || -> Result<Vec<(&'static str, [u8; 32])>> {
        let mut shadow = Store::open_in_memory_for_rebuild()?;
        shadow.write(|tx| -> Result<()> {
            for batch in apply_rx {
                for (ev, body) in batch {
                    projection::apply(tx, &ev, &body)?;
                }
            }
            Ok(())
        })?;
        projection::digest(shadow.conn())
    });
    let mut to_apply = Vec::with_capacity(BATCH);
    let (sender, rx) = mpsc::sync_channel::<Pending>(2);
    let checker = std::thread::spawn(move || -> Option<(usize, Problem)> {
        for mut batch in rx {
            if let Some(i) = first_bad_signature(&batch) {
                let (id, author, seq) = batch.ids.swap_remove(i);
                return Some((
                    batch.first + i,
                    Problem { event: id, author: Some(author), seq: Some(seq), code: "bad_signature".into(), message: "the signature does not match the event's content and author key (altered or forged)".into() },
                ));
            }
        }
        None
    });

    let mut ledger = Ledger::default();
    let mut pending = Pending::new(0);
    let mut index = 0usize;
    let mut head = None;
    let mut structural: Option<(usize, Problem)> = None;
    let result = events::for_each_in_ledger_order(conn, |mut stored| {
        if structural.is_some() {
            return Ok(());
        }
        let signed_body = std::mem::take(&mut stored.body);
        let fail = |v: Violation| Problem {
            event: stored.id.clone(),
            author: Some(stored.author.clone()),
            seq: Some(stored.seq),
            code: v.code.into(),
            message: v.message,
        };
        let checked = (|| {
            let ev = SignedEvent::from_stored(signed_body, &stored.sig)
                .map_err(|e| Violation::new("unreadable", e))?;
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
            let key = ledger.admit(&ev, &body)?;
            Ok((ev, body, key))
        })();
        match checked {
            Err(v) => structural = Some((index, fail(v))),
            Ok((mut ev, body, key)) => {
                head = Some(ev.hash);
                pending.keys.push(key.0);
                pending.sigs.push(ev.signature);
                pending.ids.push((stored.id, stored.author, stored.seq));
                pending.bodies.push(std::mem::take(&mut ev.body));
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
    });
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

    let problem = match (bad_sig, structural) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a.1 } else { b.1 }),
        (a, b) => a.or(b).map(|p| p.1),
    };
    let problem = match problem {
        Some(p) => Some(p),
        None => compare_projections(store, &rebuilt?)?,
    };
    let not_applied: i64 = conn.query_row("SELECT count(*) FROM not_applied", [], |r| r.get(0))?;
    Ok(Report {
        not_applied: not_applied as u64,
        ok: problem.is_none(),
        events: if problem.is_none() {
            ledger.event_count()
        } else {
            index as u64
        },
        authors: ledger.author_count(),
        head: head.map(hex::encode),
        problem,
    })
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
        code: "projection_mismatch".into(),
        message: format!("table `{}` differs from a rebuild from the events; run `relm rebuild` after investigating", a.0),
    }))
}
