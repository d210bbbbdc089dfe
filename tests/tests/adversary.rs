//! The attacker's suite: a member with a copy of the CLI, their own key and write access to the
//! shared folder, or a careless teammate, tries each attack through real folder remotes and
//! the real `relm` binary. Each test says what the attack was and what must hold.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_sync::segment;
use relm_tests::forge::{Forger, header_for, plant, plant_with};
use relm_tests::{MINIMAL_CREATE, Replica, team};
use serde_json::{Value, json};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Run `cmd`, failing the test if it has not finished within a minute (a hang is the bug).
fn bounded(mut cmd: Command) -> Output {
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut child = child;
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("relm hung for a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn sync_report(out: &Output) -> Value {
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    v["remotes"][0].clone()
}

fn sync(r: &Replica) -> (i32, Value) {
    let out = bounded(r.cmd(&["sync", "--json"]));
    (out.status.code().unwrap(), sync_report(&out))
}

fn verified(r: &Replica) {
    let v = r.json(&["audit", "verify"]);
    assert_eq!(v["ok"], true, "audit verify: {v}");
}

/// The real wall clock, which the `relm` binary under test reads too.
fn now_ms() -> u64 {
    use relm_domain::clock::{Clock, SystemClock};
    SystemClock.now().timestamp_millis() as u64
}

/// A past instant for forged events that must not be held as future-dated (2023-11-14).
const PAST_MS: u64 = 1_700_000_000_000;

/// The JSON payload of `id`'s `release.created`, as the ledger holds it.
fn created_payload(r: &Replica, id: &str) -> Value {
    let log = r.json(&["audit", "log", "--entity", id]);
    log.as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "release.created")
        .unwrap()["payload"]
        .clone()
}

#[test]
fn a_segment_header_that_lies_cannot_stop_an_authors_events_from_replicating() {
    let (a, b, remote) = team();
    // The attacker plants a file whose header claims the founder's events 1 to 100,000, and
    // which carries none: every replica used to believe the remote already held them.
    let forger = Forger::of(&b);
    let mut header = header_for(&forger.workspace, "evil", &[]);
    let founder = a.keyring_entry().1;
    header.ranges = vec![(founder.clone(), 1, 100_000)];
    header.count = 0;
    let lie = plant_with(remote.path(), "evil", 1, &header, &[]);

    let id = a.create_release("payments", "9.9.9");
    let (code, r) = sync(&a);
    assert_eq!(code, 1, "a lying header is a failed check: {r}");
    assert!(
        r["report"]["pushed"].as_u64().unwrap() >= 1,
        "the founder still pushes its new events: {r}"
    );
    assert!(
        r["report"]["lying"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("claims"),
        "{r}"
    );
    let (_, r) = sync(&b);
    assert_eq!(r["report"]["lying"][0]["file"], lie.as_str(), "{r}");
    b.ok(&["release", "show", &id]);
    let status = b.ok(&["sync", "status"]);
    assert!(
        status.contains("SECURITY FINDINGS") && status.contains(&lie),
        "{status}"
    );
    verified(&b);
    assert_eq!(a.digest(), b.digest());
}

#[cfg(unix)]
#[test]
fn a_remote_full_of_links_fifos_and_odd_names_is_read_without_following_or_blocking() {
    use std::os::unix::ffi::OsStrExt;
    let (a, b, remote) = team();
    let root = remote.path();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join(".relm-tmp-theirs"), b"not Relm's").unwrap();
    let replica = |r: &Replica| -> String {
        r.db()
            .query_row(
                "SELECT value FROM local_meta WHERE key = 'replica_id'",
                [],
                |x| x.get(0),
            )
            .unwrap()
    };
    let a_dir = root.join("replicas").join(replica(&a));
    // The founder's own folder is replaced by a link to a folder outside the remote.
    let moved = root.join("replicas/moved-away");
    std::fs::rename(&a_dir, &moved).unwrap();
    std::os::unix::fs::symlink(outside.path(), &a_dir).unwrap();
    // A FIFO sits at the next segment name of Bob's folder, another in a planted folder.
    let b_dir = root.join("replicas").join(replica(&b));
    let next = std::fs::read_dir(&b_dir).unwrap().count() + 1;
    let fifo = b_dir.join(format!("{next:08}.relmseg"));
    let mkfifo = relm_tests::mkfifo;
    mkfifo(&fifo);
    std::fs::create_dir_all(root.join("replicas/pipes")).unwrap();
    mkfifo(&root.join("replicas/pipes/00000001.relmseg"));
    // Odd names anywhere.
    std::fs::write(root.join("back\\slash.relmseg"), b"x").unwrap();
    std::fs::write(
        root.join(std::ffi::OsStr::from_bytes(b"latin1-\xe9t\xe9")),
        b"x",
    )
    .unwrap();
    std::os::unix::fs::symlink("/etc/passwd", root.join("replicas/pipes/00000002.relmseg"))
        .unwrap();

    let id = a.create_release("payments", "2.0.0");
    let (code, r) = sync(&a);
    assert_eq!(code, 0, "odd entries are ignored, never fatal: {r}");
    let moved_to = r["report"]["moved_to"].as_str().unwrap();
    assert!(moved_to.starts_with("replicas/"), "{r}");
    assert!(
        outside.path().join(".relm-tmp-theirs").exists(),
        "nothing deleted through the link"
    );
    assert_eq!(
        std::fs::read_dir(outside.path()).unwrap().count(),
        1,
        "nothing written through the link"
    );
    let ignored = r["report"]["ignored"].to_string();
    for expected in ["symbolic link", "FIFO", "backslash", "UTF-8"] {
        assert!(ignored.contains(expected), "{expected}: {ignored}");
    }
    // Bob writes past the FIFO at his next number, and gets the founder's release.
    b.create_release("ledger", "1.0.0");
    let (code, r) = sync(&b);
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["report"]["pushed_files"][0].as_str().unwrap(), {
        let d = b_dir.strip_prefix(root).unwrap().display().to_string();
        format!("{d}/{:08}.relmseg", next + 1)
    });
    b.ok(&["release", "show", &id]);
    let (code, _) = sync(&a);
    assert_eq!(code, 0);
    assert_eq!(a.digest(), b.digest());
    verified(&a);

    // The whole `replicas` folder replaced by a link: nothing is written outside the remote,
    // and the error says why.
    std::fs::rename(root.join("replicas"), root.join("was-replicas")).unwrap();
    std::os::unix::fs::symlink(outside.path(), root.join("replicas")).unwrap();
    a.create_release("payments", "2.0.1");
    let out = bounded(a.cmd(&["sync"]));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("symbolic link"), "{err}");
    // The app words it from its reason, the link's path with it.
    let out = bounded(a.cmd(&["sync", "--json"]));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reason = &doc["remotes"][0]["error"]["reason"];
    assert_eq!(reason["code"], "remote_link", "{doc}");
    assert_eq!(
        reason["params"]["path"],
        root.join("replicas").display().to_string(),
        "{doc}"
    );
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 1);
}

#[test]
fn huge_files_and_giant_lines_are_refused_within_bounded_memory() {
    let (a, b, remote) = team();
    // An 8 GiB segment (sparse: no disk used) used to be read whole: "out of memory".
    let big = remote.path().join("replicas/big/00000001.relmseg");
    std::fs::create_dir_all(big.parent().unwrap()).unwrap();
    std::fs::File::create(&big)
        .unwrap()
        .set_len(8 << 30)
        .unwrap();
    // A 50 MB line of garbage in an otherwise well-formed segment.
    let forger = Forger::of(&b);
    let header = header_for(&forger.workspace, "garbage", &[]);
    let mut bytes = segment::encode(&header, &[]);
    let end = bytes.len()
        - bytes
            .iter()
            .rev()
            .skip(1)
            .position(|&c| c == b'\n')
            .unwrap()
        - 1;
    let mut garbage = vec![b'x'; 50 << 20];
    garbage.push(b'\n');
    bytes.splice(end..end, garbage);
    let path = remote.path().join("replicas/garbage/00000001.relmseg");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &bytes).unwrap();

    let id = a.create_release("payments", "3.0.0");
    assert_eq!(sync(&a).0, 1, "the founder quarantines the giant line too");
    let (code, r) = sync(&b);
    assert_eq!(code, 1, "the giant line is quarantined: {r}");
    let ignored = r["report"]["ignored"].to_string();
    assert!(
        ignored.contains("replicas/big") && ignored.contains("larger than"),
        "{ignored}"
    );
    assert!(
        r["report"]["garbled"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("longer than"),
        "{r}"
    );
    let (kept, size): (i64, i64) = b
        .db()
        .query_row(
            "SELECT length(body), size FROM quarantine WHERE source LIKE '%garbage%'",
            [],
            |x| Ok((x.get(0)?, x.get(1)?)),
        )
        .unwrap();
    assert!(
        kept <= 4096,
        "quarantine keeps a bounded prefix, not {kept} bytes"
    );
    assert!(size > 2 << 20, "and says how big the line was: {size}");
    b.ok(&["release", "show", &id]);
    verified(&b);
}

#[test]
fn a_flood_of_events_from_unknown_keys_is_capped_and_costs_nothing_when_nothing_changed() {
    let (_a, b, remote) = team();
    let workspace = Forger::of(&b).workspace;
    // Twelve thousand events signed by three keys no member ever added.
    let mut events = Vec::new();
    for seed in 1..=3u8 {
        let mut stranger = Forger::stranger(seed + 100, &workspace);
        for i in 0..4_000 {
            events.push(stranger.next(
                PAST_MS + i,
                "release.status_changed",
                json!({"release_id": "r", "from": "draft", "to": "cancelled"}),
            ));
        }
    }
    plant(remote.path(), "flood", &workspace, &events);
    let (code, r) = sync(&b);
    assert_eq!(code, 0, "{r}");
    let pulled = &r["report"]["pulled"];
    assert_eq!(pulled["pending"], 10_000, "kept up to the cap: {r}");
    assert_eq!(pulled["dropped"], 2_000, "{r}");
    // Nothing changed: the waiting events are not even taken out of their table again.
    let (_, r) = sync(&b);
    assert_eq!(r["report"]["pulled"]["received"], 0, "{r}");
    assert_eq!(r["report"]["files_read"], 0, "{r}");
    let status = b.json(&["sync", "status"]);
    assert_eq!(status["pending"].as_array().unwrap().len(), 10_000);
    let purged = b.json(&["sync", "purge-waiting"]);
    assert_eq!(purged["purged"], 10_000);
    assert_eq!(
        b.json(&["sync", "status"])["pending"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    verified(&b);
}

#[test]
fn free_text_beyond_its_limit_is_refused_at_entry_and_at_ingest() {
    let (a, b, remote) = team();
    let long = "d".repeat(25_000);
    let err = b.fails(&[MINIMAL_CREATE, &["--description", &long]].concat(), 2);
    assert!(
        err.contains("description") && err.contains("20000"),
        "{err}"
    );
    // Signed by hand with Bob's own key, the same description is refused by every receiver.
    let id = b.create_release("payments", "4.0.0");
    let mut payload = created_payload(&b, &id);
    payload["release_id"] = json!("01900000-0000-7000-8000-00000000beef");
    payload["fields"]["description"] = json!(long);
    let mut forger = Forger::of(&b);
    let ev = forger.next(now_ms(), "release.created", payload);
    plant(remote.path(), "bob-forged", &forger.workspace, &[ev]);
    let (code, r) = sync(&a);
    assert_eq!(code, 1, "{r}");
    let q = &r["report"]["pulled"]["quarantined"][0];
    assert_eq!(q["code"], "too_long", "{r}");
    assert!(q["reason"].as_str().unwrap().contains("description"), "{q}");
    verified(&a);
}

#[test]
fn future_dated_events_are_held_and_overflowing_ones_never_reach_the_store() {
    let (a, b, remote) = team();
    let id = b.create_release("payments", "5.0.0");
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    let mut forger = Forger::of(&b);
    // Stamped at 2^47 ms: used to overflow the packed column and break `audit verify` for good.
    let overflow = forger.sign_at(
        forger.seq + 1,
        forger.prev.clone(),
        1 << 47,
        "release.status_changed",
        json!({"release_id": id, "from": "draft", "to": "cancelled"}),
    );
    // Ten years ahead: used to drag every replica's clock along.
    let ten_years = 10 * 365 * 24 * 3_600_000;
    let future = forger.next(
        now_ms() + ten_years,
        "release.status_changed",
        json!({"release_id": id, "from": "draft", "to": "cancelled"}),
    );
    plant(remote.path(), "bob-forged", &forger.workspace, &[overflow]);
    plant_with(
        remote.path(),
        "bob-future",
        1,
        &header_for(
            &forger.workspace,
            "bob-future",
            std::slice::from_ref(&future),
        ),
        std::slice::from_ref(&future),
    );
    let (code, r) = sync(&a);
    assert_eq!(code, 1, "{r}");
    let q = &r["report"]["pulled"]["quarantined"][0];
    assert_eq!(q["code"], "out_of_range", "{r}");
    assert_eq!(r["report"]["pulled"]["pending"], 1, "{r}");
    let status = a.json(&["sync", "status"]);
    let held = &status["pending"][0];
    let fingerprint = b.json(&["identity", "show"])["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let reason = held["reason"].as_str().unwrap();
    assert!(
        reason.contains("held") && reason.contains("days") && reason.contains(&fingerprint),
        "{reason}"
    );
    assert_eq!(
        a.json(&["release", "show", &id])["status"],
        "draft",
        "the held cancellation is not applied"
    );
    // The founder's clock was not dragged ten years ahead: its next event is stamped now.
    a.create_release("ledger", "1.0.0");
    let newest: i64 = a
        .db()
        .query_row("SELECT max(hlc) FROM events", [], |x| x.get(0))
        .unwrap();
    assert!(
        ((newest >> 16) as u64) < now_ms() + 3_600_000,
        "stamped {} ms ahead",
        (newest >> 16) as u64 - now_ms()
    );
    verified(&a);
}

#[test]
fn a_replica_whose_clock_is_years_off_refuses_to_sign_until_it_is_right() {
    let (a, _b, _remote) = team();
    // Two years ahead, as after a dead CMOS battery and a wrong manual fix.
    let out = bounded(a.cmd_with_clock("+730d", &["sync"]));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = bounded(a.cmd_with_clock("+730d", MINIMAL_CREATE));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("clock") && err.contains("ahead") && err.contains("relm sync"),
        "{err}"
    );
    // The app words it from its reason: which remote, how far ahead, the workspace's bound.
    let out = bounded(a.cmd_with_clock("+730d", &[MINIMAL_CREATE, &["--json"]].concat()));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reason = &doc["error"]["reason"];
    assert_eq!(doc["error"]["code"], "clock", "{doc}");
    assert_eq!(reason["code"], "clock_off_remote", "{doc}");
    assert_eq!(
        (&reason["params"]["direction"], &reason["params"]["remote"]),
        (&"ahead".into(), &"origin".into()),
        "{doc}"
    );
    let offset: i64 = reason["params"]["offset_ms"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (729 * 86_400_000..731 * 86_400_000).contains(&offset),
        "{doc}"
    );
    assert_eq!(
        a.db()
            .query_row(
                "SELECT count(*) FROM events WHERE hlc >> 16 > ?1",
                [now_ms() as i64 + 86_400_000],
                |x| x.get::<_, i64>(0)
            )
            .unwrap(),
        0,
        "nothing was signed with the wrong time"
    );
    // With the clock right again, one sync lifts the refusal.
    a.ok(&["sync"]);
    a.create_release("payments", "6.0.0");
    verified(&a);
}

#[test]
fn a_forged_move_to_approved_without_what_blocked_it_does_not_open_the_gate() {
    let (a, b, remote) = team();
    // Cat may approve other people's releases; she owns this one, which the default policy
    // blocks for prod until someone else approves it.
    let cat = a.admit(remote.path(), "Cat", &["release-manager", "approver"]);
    let id = cat.create_release("payments", "6.0.0");
    cat.ok(&["release", "status", &id, "planned"]);
    cat.ok(&["sync"]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    let (code, v) = check(&a, &id);
    assert_eq!((code, v["outcome"].as_str()), (1, Some("blocked")), "{v}");
    // Her own CLI would record the move as an override; signed by hand with her own key, the
    // move says nothing of what blocked it, as if the policy had allowed it. Bob, who is no
    // approver, signs the same.
    let forged = |r: &Replica, name: &str| {
        let mut forger = Forger::of(r);
        let ev = forger.next(
            now_ms(),
            "release.status_changed",
            json!({"release_id": id, "from": "planned", "to": "approved"}),
        );
        plant(remote.path(), name, &forger.workspace, &[ev]);
    };
    forged(&b, "bob-forged");
    let (code, r) = sync(&a);
    assert_eq!(
        (code, r["report"]["pulled"]["not_applied"].as_u64()),
        (0, Some(1)),
        "{r}"
    );
    assert_eq!(
        a.json(&["release", "show", &id])["status"],
        "planned",
        "Bob may not approve"
    );
    forged(&cat, "cat-forged");
    let (code, r) = sync(&a);
    assert_eq!(
        (code, r["report"]["pulled"]["not_applied"].as_u64()),
        (0, Some(0)),
        "{r}"
    );
    assert_eq!(a.json(&["release", "show", &id])["status"], "approved");
    // The gate judges the approvals themselves, never the status a member signed: still
    // blocked, and the pipeline is told why.
    let (code, v) = check(&a, &id);
    assert_eq!((code, v["outcome"].as_str()), (1, Some("blocked")), "{v}");
    assert!(
        v["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["rule"] == "approvals" && l["status"] == "fail"),
        "{v}"
    );
    verified(&a);
}

/// `relm check --json` for `id` on prod: exit code and verdict.
fn check(r: &Replica, id: &str) -> (i32, Value) {
    let out = r.run(&["check", "--release", id, "--env", "prod", "--json"]);
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap(), v)
}
