//! The attacker's tools: sign any event with a member's real key (backdated, future-dated,
//! overflowing, duplicate sequence numbers, oversized payloads) and plant segment files with
//! any header in a remote, as a member holding a copy of the CLI and write access to a shared
//! folder could.

use ed25519_dalek::SigningKey;
use relm_domain::event::{Dep, Envelope, FORMAT_VERSION, SignedEvent};
use relm_domain::hlc::Hlc;
use relm_domain::ids::{EventId, WorkspaceId};
use relm_domain::keys::PublicKey;
use relm_sync::segment::{self, Header};
use serde_json::Value;
use std::path::Path;

use crate::Replica;

/// A member's key, taken from their replica, and their chain so far.
#[derive(Debug)]
pub struct Forger {
    pub key: SigningKey,
    pub workspace: String,
    pub seq: u64,
    pub prev: Option<String>,
}

/// Forged event ids, unique within a test process.
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Forger {
    /// The identity of `replica`, exported with a passphrase and decrypted as anyone holding
    /// the backup could, continuing from its last event.
    pub fn of(replica: &Replica) -> Forger {
        let backup = replica.root.path().join("forged-key.age");
        let out = replica
            .cmd(&[
                "identity",
                "export",
                "--out",
                backup.to_str().expect("utf-8 path"),
            ])
            .env("RELM_PASSPHRASE", "correct horse battery")
            .output()
            .expect("export the key");
        assert!(out.status.success(), "identity export failed");
        let (key, _) = relm_identity::backup::decrypt(
            &std::fs::read(&backup).expect("backup"),
            "correct horse battery",
        )
        .expect("decrypt the backup");
        let key = SigningKey::from_bytes(&key.signing_key().to_bytes());
        let author = PublicKey(key.verifying_key()).key_id();
        let db = replica.db();
        let workspace: String = db
            .query_row("SELECT id FROM workspace", [], |r| r.get(0))
            .expect("workspace");
        let head: Option<(i64, Vec<u8>)> = db
            .query_row(
                "SELECT seq, hash FROM events WHERE author = ?1 ORDER BY seq DESC LIMIT 1",
                [&author.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok();
        Forger {
            key,
            workspace,
            seq: head.as_ref().map_or(0, |h| h.0 as u64),
            prev: head.map(|h| hex::encode(h.1)),
        }
    }

    /// A key no member ever added, signing for `workspace` from its first event.
    pub fn stranger(seed: u8, workspace: &str) -> Forger {
        Forger {
            key: SigningKey::from_bytes(&[seed; 32]),
            workspace: workspace.into(),
            seq: 0,
            prev: None,
        }
    }

    /// Sign `kind`/`payload` as event `seq` after `prev`, stamped `ms`; does not move the chain.
    pub fn sign_at(
        &mut self,
        seq: u64,
        prev: Option<String>,
        ms: u64,
        kind: &str,
        payload: Value,
    ) -> SignedEvent {
        let envelope = Envelope {
            v: FORMAT_VERSION,
            id: EventId(format!(
                "01900000-0000-7000-a000-{:012x}",
                NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            )),
            workspace: WorkspaceId(self.workspace.clone()),
            author: PublicKey(self.key.verifying_key()).key_id(),
            seq,
            prev,
            hlc: Hlc { ms, c: 0 },
            wall: Some(ms.min(relm_domain::limits::MAX_TIMESTAMP_MS)),
            deps: Vec::new(),
            kind: kind.into(),
            payload,
        };
        SignedEvent::sign(envelope, &self.key)
    }

    /// Sign the member's next event, stamped `ms`, and move the chain on.
    pub fn next(&mut self, ms: u64, kind: &str, payload: Value) -> SignedEvent {
        self.next_after(ms, kind, payload, Vec::new())
    }

    /// The member's next event, claiming to have seen `deps`.
    pub fn next_after(
        &mut self,
        ms: u64,
        kind: &str,
        payload: Value,
        deps: Vec<Dep>,
    ) -> SignedEvent {
        let mut ev = self.sign_at(self.seq + 1, self.prev.clone(), ms, kind, payload);
        if !deps.is_empty() {
            let mut env = ev.envelope.clone();
            env.deps = deps;
            ev = SignedEvent::sign(env, &self.key);
        }
        self.seq += 1;
        self.prev = Some(ev.hash_hex());
        ev
    }
}

/// The `Dep` naming `replica`'s event by `author` (key id) with sequence number `seq`.
pub fn dep_on(replica: &Replica, author: &str, seq: u64) -> Dep {
    let hash: Vec<u8> = replica
        .db()
        .query_row(
            "SELECT hash FROM events WHERE author = ?1 AND seq = ?2",
            rusqlite::params![author, seq as i64],
            |r| r.get(0),
        )
        .expect("the event");
    Dep {
        author: relm_domain::keys::KeyId(author.into()),
        seq,
        hash: hex::encode(hash),
    }
}

/// The honest header for `events`: per author, the first and last sequence number.
pub fn header_for(workspace: &str, replica: &str, events: &[SignedEvent]) -> Header {
    let mut ranges: Vec<(String, u64, u64)> = Vec::new();
    for e in events {
        let env = &e.envelope;
        match ranges.iter_mut().find(|r| r.0 == env.author.0) {
            Some(r) => {
                r.1 = r.1.min(env.seq);
                r.2 = r.2.max(env.seq);
            }
            None => ranges.push((env.author.0.clone(), env.seq, env.seq)),
        }
    }
    Header {
        count: events.len(),
        ranges,
        replica: replica.into(),
        workspace: workspace.into(),
    }
}

/// Write `events` under `header` as `replicas/<replica>/<number>.relmseg` in `remote` (digest
/// and count right, whatever the header says). Returns the file's name.
pub fn plant_with(
    remote: &Path,
    replica: &str,
    number: u32,
    header: &Header,
    events: &[SignedEvent],
) -> String {
    let sigs: Vec<[u8; 64]> = events.iter().map(|e| e.signature.to_bytes()).collect();
    let lines: Vec<(&[u8], &[u8])> = events
        .iter()
        .zip(&sigs)
        .map(|(e, s)| (e.body.as_slice(), s.as_slice()))
        .collect();
    let name = format!("replicas/{replica}/{number:08}.relmseg");
    let path = remote.join(&name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("replica folder");
    std::fs::write(&path, segment::encode(header, &lines)).expect("write segment");
    name
}

/// Write `events` as a segment with an honest header, as another replica would.
pub fn plant(remote: &Path, replica: &str, workspace: &str, events: &[SignedEvent]) -> String {
    plant_with(
        remote,
        replica,
        1,
        &header_for(workspace, replica, events),
        events,
    )
}
