//! Appending a batch: events are signed on one thread while another records them (from 32
//! events). The batch is one chain, and a refusal anywhere in it leaves nothing behind.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use chrono::{TimeZone, Utc};
use relm_api::releases::ReleaseInput;
use relm_api::workspace::{InitRequest, init};
use relm_api::{KeyringChoice, Options, Relm};
use relm_domain::clock::FixedClock;
use relm_identity::keyring::MemoryKeyStore;
use std::sync::Arc;

fn workspace(dir: &std::path::Path) -> Relm {
    let opts = Options {
        data_dir: dir.to_path_buf(),
        clock: Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap(),
        )),
        keyring: KeyringChoice::Given(Arc::new(MemoryKeyStore::default())),
    };
    let req = InitRequest {
        workspace: "Batches".into(),
        name: "Ada".into(),
        email: "ada@x.example".into(),
    };
    init(&opts, &req).unwrap().0
}

fn input(i: usize) -> ReleaseInput {
    ReleaseInput {
        service: Some("api".into()),
        version: Some(format!("2.{i}.0")),
        title: Some(format!("release {i}")),
        environments: Some(vec!["prod".into()]),
        ..Default::default()
    }
}

/// (seq, hash, prev) of every event, in the author's order.
fn chain(relm: &Relm) -> Vec<(i64, String, Option<String>)> {
    let conn = relm.store().conn();
    let mut stmt = conn
        .prepare("SELECT seq, hex(hash), json_extract(body, '$.prev') FROM events ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_large_batch_is_one_unbroken_chain() {
    let dir = tempfile::tempdir().unwrap();
    let mut relm = workspace(dir.path());
    let before = chain(&relm).len();
    let ids = relm
        .create_releases(&(0..150).map(input).collect::<Vec<_>>())
        .unwrap();
    assert_eq!(ids.len(), 150);
    let events = chain(&relm);
    assert_eq!(events.len(), before + 150);
    for pair in events.windows(2) {
        assert_eq!(
            pair[1].0,
            pair[0].0 + 1,
            "sequence numbers follow each other"
        );
        assert_eq!(
            pair[1].2.as_deref().map(str::to_uppercase),
            Some(pair[0].1.clone()),
            "each event names the one before"
        );
    }
    let report = relm.verify().unwrap();
    assert!(report.ok, "{:?}", report.problem);
    // The author's head is the batch's last event: the sync offers from there.
    let head: (i64, String) = relm
        .store()
        .conn()
        .query_row("SELECT seq, hex(hash) FROM author_heads", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let last = events.last().unwrap();
    assert_eq!(head, (last.0, last.1.clone()));
    // Every release is there, in the order given.
    let n: i64 = relm
        .store()
        .conn()
        .query_row("SELECT count(*) FROM releases", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 150);
}

#[test]
fn a_refusal_late_in_a_large_batch_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut relm = workspace(dir.path());
    let before = chain(&relm);
    let mut inputs: Vec<ReleaseInput> = (0..60).map(input).collect();
    // The 50th carries a right-to-left override, which would disguise the text it is in.
    inputs[49].title = Some("release \u{202e}fdp.exe".into());
    let err = relm.create_releases(&inputs).unwrap_err();
    assert!(err.message.contains("#50"), "{}", err.message);
    assert_eq!(chain(&relm), before, "no event of the batch was kept");
    let n: i64 = relm
        .store()
        .conn()
        .query_row("SELECT count(*) FROM releases", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
    // The batch without it goes in whole.
    inputs.remove(49);
    assert_eq!(relm.create_releases(&inputs).unwrap().len(), 59);
    assert!(relm.verify().unwrap().ok);
}

#[test]
fn an_authors_head_moves_only_further_along_its_chain() {
    use relm_domain::event::{Envelope, FORMAT_VERSION, SignedEvent};
    use relm_domain::hlc::Hlc;
    use relm_domain::ids::{EventId, WorkspaceId};
    use relm_domain::keys::PublicKey;
    // A sync may bring an author's events out of order: the head is the furthest one.
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let author = PublicKey(key.verifying_key()).key_id();
    let event = |seq: u64| {
        SignedEvent::sign(
            Envelope {
                v: FORMAT_VERSION,
                id: EventId(format!("01900000-0000-7000-8000-00000000000{seq}")),
                workspace: WorkspaceId("w".into()),
                author: author.clone(),
                seq,
                prev: None,
                hlc: Hlc { ms: seq, c: 0 },
                wall: Some(seq),
                deps: Vec::new(),
                kind: "release.status_changed".into(),
                payload: serde_json::json!({}),
            },
            &key,
        )
    };
    let store = relm_store::Store::open_in_memory().unwrap();
    let head = || -> (i64, Vec<u8>) {
        store
            .conn()
            .query_row("SELECT seq, hash FROM author_heads", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap()
    };
    let (one, three, two) = (event(1), event(3), event(2));
    relm_store::events::insert(store.conn(), &one, None).unwrap();
    assert_eq!(head(), (1, one.hash.to_vec()));
    relm_store::events::insert(store.conn(), &three, None).unwrap();
    relm_store::events::insert(store.conn(), &two, None).unwrap();
    assert_eq!(
        head(),
        (3, three.hash.to_vec()),
        "the older event left it where it was"
    );
}
