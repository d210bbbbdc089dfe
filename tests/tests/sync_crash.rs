//! `kill -9` of `relm sync` at many random points, while pushing and while pulling: the next
//! sync completes, and nothing is lost or applied twice.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use chrono::{TimeZone, Utc};
use rand::RngExt;
use relm_api::releases::ReleaseInput;
use relm_api::workspace::{InitRequest, init};
use relm_api::{KeyringChoice, Options};
use relm_domain::clock::FixedClock;
use relm_identity::keyring::MemoryKeyStore;
use relm_tests::Replica;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

const RELEASES: usize = 6_000;

fn options(r: &Replica, keys: &Arc<MemoryKeyStore>) -> Options {
    Options {
        data_dir: r.data_dir(),
        clock: Arc::new(FixedClock::new(
            // In the past, so that no replica holds these events as stamped ahead of its clock.
            Utc.with_ymd_and_hms(2025, 1, 6, 9, 0, 0).unwrap(),
        )),
        keyring: KeyringChoice::Given(keys.clone()),
    }
}

/// Grow the founder's ledger through the use-cases, enough for a sync to take a while. The
/// founder's key lives in a throw-away key store: syncing signs nothing.
fn grow(r: &Replica, keys: &Arc<MemoryKeyStore>) {
    let mut relm = relm_api::Relm::open(&options(r, keys)).unwrap();
    for b in 0..RELEASES / 1000 {
        let inputs: Vec<_> = (0..1000)
            .map(|i| ReleaseInput {
                service: Some(format!("svc-{}", i % 7)),
                version: Some(format!("1.{b}.{i}")),
                title: Some(format!("release {b}/{i}")),
                environments: Some(vec!["prod".into()]),
                ..Default::default()
            })
            .collect();
        relm.create_releases(&inputs).unwrap();
    }
}

/// Start `relm sync` and kill it after a random delay below `max`, `rounds` times. Returns how
/// many runs finished before the kill.
fn kill_syncs(r: &Replica, rounds: usize, max: Duration) -> usize {
    let mut rng = rand::rng();
    let mut finished = 0;
    for _ in 0..rounds {
        let mut child = r
            .cmd(&["sync"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let delay = rng.random_range(0..max.as_micros() as u64);
        std::thread::sleep(Duration::from_micros(delay));
        let _ = child.kill(); // SIGKILL
        if child.wait().unwrap().success() {
            finished += 1;
        }
        r.assert_integrity();
    }
    finished
}

#[test]
fn killed_syncs_lose_nothing_and_apply_nothing_twice() {
    let a = Replica::new();
    let keys = Arc::new(MemoryKeyStore::default());
    let req = InitRequest {
        workspace: "Crash".into(),
        name: "Founder".into(),
        email: "f@crash.example".into(),
    };
    drop(init(&options(&a, &keys), &req).unwrap());
    let remote = tempfile::tempdir().unwrap();
    a.ok(&["remote", "add", "usb", remote.path().to_str().unwrap()]);
    a.ok(&["sync"]);
    // A newcomer joins while the workspace is small; it will pull the bulk later.
    let late = Replica::new();
    late.join(remote.path(), "Late");
    grow(&a, &keys);
    let total = a.event_count();

    // Pushing. Time one full push to a scratch remote to aim the kills inside a push.
    let scratch = tempfile::tempdir().unwrap();
    a.ok(&["remote", "add", "scratch", scratch.path().to_str().unwrap()]);
    let t = Instant::now();
    a.ok(&["sync", "scratch"]);
    let push_time = t.elapsed();
    a.ok(&["remote", "remove", "scratch"]);
    // Process start-up comes first: aim over three push lengths.
    let finished = kill_syncs(&a, 12, push_time * 3);
    a.ok(&["sync"]);
    // Everything reached the remote: a newcomer gets exactly the founder's ledger.
    let fresh = Replica::new();
    fresh.join(remote.path(), "Fresh");
    assert_eq!(
        fresh.event_count(),
        total,
        "{finished} of the killed runs had finished"
    );
    assert_eq!(fresh.digest(), a.digest());

    // Pulling. Time one full pull to aim the kills inside it.
    let before = late.event_count();
    let t = Instant::now();
    let probe = Replica::new();
    probe.join(remote.path(), "Probe");
    let pull_time = t.elapsed();
    kill_syncs(&late, 12, pull_time * 3 / 2);
    let after_kills = late.event_count();
    assert!(
        after_kills == before || after_kills == total,
        "a pull is all or nothing: {after_kills} events (before {before}, all {total})"
    );
    late.ok(&["sync"]);
    assert_eq!(late.event_count(), total);
    assert_eq!(late.digest(), a.digest());
    let v = late.json(&["audit", "verify"]);
    assert_eq!(v["ok"], true, "{v}");
    // Nothing was pushed twice: every event of the founder is in exactly one of its own
    // segments' ranges... or in a segment a killed run wrote before recording it.
    let s = a.json(&["sync", "status"]);
    assert_eq!(s["remotes"][0]["pending_push"], 0, "{s}");
}
