//! `kill -9` in the middle of writes, at many random points: the store opens afterwards,
//! SQLite's integrity check passes, every write reported done is there, and `audit verify`
//! passes.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use rand::RngExt;
use relm_tests::Replica;
use std::process::Stdio;
use std::time::Duration;

fn check_store(r: &Replica) {
    r.assert_integrity();
    let v = r.json(&["audit", "verify"]);
    assert_eq!(v["ok"], true, "{v}");
}

#[test]
fn killed_release_writes_lose_nothing_that_was_reported() {
    let r = Replica::new();
    r.init();
    let mut rng = rand::rng();
    let mut reported = Vec::new();
    for i in 0..40 {
        let mut child = r
            .cmd(&[
                "release",
                "create",
                "--service",
                "api",
                "--version",
                &format!("1.{i}.0"),
                "--env",
                "prod",
                "--title",
                "crash test",
                "--json",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.random_range(0..60_000)));
        let _ = child.kill(); // SIGKILL
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            reported.push(v["id"].as_str().unwrap().to_string());
        }
    }
    check_store(&r);
    for id in &reported {
        let n: i64 = r
            .db()
            .query_row("SELECT count(*) FROM releases WHERE id = ?1", [id], |x| {
                x.get(0)
            })
            .unwrap();
        assert_eq!(
            n, 1,
            "release {id} was reported created and must be in the store"
        );
    }
    // Writing still works afterwards.
    r.create_release("api", "9.9.9");
    check_store(&r);
}

#[test]
fn killed_demo_seeding_leaves_a_consistent_store() {
    let mut rng = rand::rng();
    for _ in 0..12 {
        let r = Replica::new();
        let mut child = r
            .cmd(&["demo"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.random_range(0..400_000)));
        let _ = child.kill();
        let _ = child.wait();
        if !r.db_path().exists() {
            continue; // killed before the store was created
        }
        let has_workspace: i64 = r
            .db()
            .query_row("SELECT count(*) FROM workspace", [], |x| x.get(0))
            .unwrap_or(0);
        if has_workspace == 0 {
            continue; // killed between creating the file and the genesis commit
        }
        check_store(&r);
    }
}
