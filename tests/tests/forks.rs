//! Forks converge: a member's data dir copied to a second laptop signs two histories. Every
//! replica that learns of it — directly, or through a remote that only carries the proof —
//! treats the member alike (nothing they signed from the fork point counts), shows it, and
//! ends with identical projections; the admin's way out is one command.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_tests::Replica;
use serde_json::Value;
use std::path::Path;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Sync; a sync that finds a fork exits 1 (a failed check), which is expected here.
fn sync(r: &Replica) {
    let out = r.run(&["sync"]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn forked(r: &Replica) -> Vec<Value> {
    r.json(&["sync", "status"])["forked"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_data_dir_copied_to_a_second_laptop_forks_and_every_replica_converges() {
    let (main, side) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Replica::new();
    a.init();
    a.ok(&["remote", "add", "main", p(main.path())]);
    a.ok(&["remote", "add", "side", p(side.path())]);
    a.ok(&["sync"]);
    let bob = a.admit(main.path(), "Bob", &["release-manager"]);
    // Carol reads only the side remote: she learns of the fork from the proof alone.
    let carol = Replica::new();
    carol.join(side.path(), "Carol");
    let before = bob.create_release("ledger", "1.0.0");
    sync(&bob);
    sync(&a);
    sync(&carol);

    // Bob's data dir is copied to a second laptop (same key); each copy records a release.
    let bob2 = Replica::new();
    copy_dir(&bob.data_dir(), &bob2.data_dir());
    let one = bob.create_release("one", "1.0.0");
    let two = bob2.create_release("two", "1.0.0");
    for _ in 0..3 {
        for r in [&bob, &bob2, &a, &carol] {
            sync(r);
        }
    }
    let fp = bob.json(&["identity", "show"])["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    for (name, r) in [
        ("founder", &a),
        ("Bob", &bob),
        ("Bob's copy", &bob2),
        ("Carol", &carol),
    ] {
        let f = forked(r);
        assert_eq!(f.len(), 1, "{name}: {f:?}");
        assert_eq!(f[0]["fingerprint"], fp.as_str(), "{name}");
        for id in [&one, &two] {
            let err = r.fails(&["release", "show", id], 2);
            assert!(
                err.contains("no release"),
                "{name}: neither branch counts: {err}"
            );
        }
        r.ok(&["release", "show", &before]);
        let v = r.json(&["audit", "verify"]);
        assert_eq!(v["ok"], true, "{name}: {v}");
        assert_eq!(v["forks"][0]["fingerprint"], fp.as_str());
        let text = r.ok(&["sync", "status"]);
        assert!(
            text.contains("SECURITY FINDINGS") && text.contains("relm member rotate"),
            "{name}: {text}"
        );
        assert_eq!(r.digest(), a.digest(), "{name} converged with the founder");
    }

    // The way out: Bob joins again with a new key; the founder rotates his membership.
    let bob3 = Replica::new();
    let joined = bob3.join(main.path(), "Bob");
    sync(&a);
    let rotated = a.json(&[
        "member",
        "rotate",
        &fp,
        "--key",
        joined["public_key"].as_str().unwrap(),
    ]);
    assert_eq!(rotated["name"], "Bob");
    assert_eq!(rotated["roles"][0], "release-manager");
    sync(&a);
    sync(&bob3);
    let after = bob3.create_release("three", "1.0.0");
    for r in [&bob3, &a, &carol, &bob, &bob2] {
        sync(r);
    }
    for r in [&bob3, &a, &carol] {
        sync(r);
    }
    a.ok(&["release", "show", &after]);
    carol.ok(&["release", "show", &after]);
    assert_eq!(carol.digest(), a.digest());
    // The old key can no longer record anything.
    let err = bob.fails(relm_tests::MINIMAL_CREATE, 2);
    assert!(err.contains("removed"), "{err}");
}

/// The app keeps the calendar's conflicts between visits. A fork found by a sync voids what
/// the forked member signed from the fork point: the kept conflicts must drop their release at
/// once, though the page's replica did not write anything itself.
#[test]
fn a_fork_found_by_a_sync_drops_its_releases_from_the_kept_conflicts() {
    let main = tempfile::tempdir().unwrap();
    let a = Replica::new();
    a.init();
    a.ok(&["remote", "add", "main", p(main.path())]);
    a.ok(&["sync"]);
    a.json(relm_tests::WEEKEND_FREEZE);
    let bob = a.admit(main.path(), "Bob", &["release-manager"]);
    let bob2 = Replica::new();
    copy_dir(&bob.data_dir(), &bob2.data_dir());
    // In the weekend freeze: an error that blocks the release.
    let frozen = bob.plan_release("ledger", "1.0.0", "2027-03-27T10:00", "2027-03-27T11:00");
    sync(&bob);
    sync(&a);
    let page = relm_tests::reader(&a.data_dir());
    let blocked = || page.calendar_conflict_summary(10, None).unwrap().blocked;
    assert_eq!(blocked(), std::slice::from_ref(&frozen));

    bob2.create_release("two", "1.0.0");
    for _ in 0..2 {
        for r in [&bob2, &bob, &a] {
            sync(r);
        }
    }
    assert_eq!(forked(&a).len(), 1, "the sync found the fork");
    assert!(
        blocked().is_empty(),
        "the forked release no longer counts: {:?}",
        blocked()
    );
}
