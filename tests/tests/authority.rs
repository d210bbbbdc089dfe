//! Authority that cannot be forged: a removed member's events count only if the remover had
//! seen them, whatever time they carry. Played through the real `relm` binary and real folder
//! remotes, as a removed admin working offline (and one with a clock set back) would.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_tests::Replica;
use relm_tests::forge::{Forger, dep_on, plant};
use serde_json::{Value, json};
use std::path::Path;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn key_id(r: &Replica) -> String {
    r.keyring_entry().1
}

fn public_key(r: &Replica) -> String {
    r.json(&["identity", "show"])["public_key"]
        .as_str()
        .unwrap()
        .to_string()
}

fn not_applied(r: &Replica) -> Vec<Value> {
    r.json(&["sync", "status"])["not_applied"]
        .as_array()
        .unwrap()
        .clone()
}

fn member(r: &Replica, key: &str) -> Value {
    r.json(&["member", "list"])
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["key_id"] == key)
        .cloned()
        .unwrap_or(Value::Null)
}

fn verified(r: &Replica) {
    let v = r.json(&["audit", "verify"]);
    assert_eq!(v["ok"], true, "audit verify: {v}");
}

/// The founder X and an admin Y share `main`; Y also keeps a side remote, from which Z joined.
struct Coup {
    x: Replica,
    y: Replica,
    z: Replica,
    _main: tempfile::TempDir,
    side: tempfile::TempDir,
}

fn setup() -> Coup {
    let main = tempfile::tempdir().unwrap();
    let side = tempfile::tempdir().unwrap();
    let x = Replica::new();
    x.init();
    x.ok(&["remote", "add", "main", p(main.path())]);
    x.ok(&["sync"]);
    let y = x.admit(main.path(), "Yves", &["admin"]);
    y.ok(&["remote", "add", "side", p(side.path())]);
    y.ok(&["sync", "side"]);
    let z = Replica::new();
    z.join(side.path(), "Zoe");
    Coup {
        x,
        y,
        z,
        _main: main,
        side,
    }
}

/// `relm member add` arguments making `key` an admin.
fn add_admin(key: &str) -> [&str; 6] {
    ["member", "add", "--key", key, "--role", "admin"]
}

/// Y, who has not synced with `main` since, makes Z an admin; Z removes the founder. Then
/// everyone syncs everything.
fn play(c: &Coup, y_clock: Option<&str>) {
    c.y.ok(&["sync", "side"]);
    let key = public_key(&c.z);
    let add = add_admin(&key);
    match y_clock {
        None => {
            c.y.ok(&add);
        }
        Some(offset) => {
            let out = c.y.cmd_with_clock(offset, &add).output().unwrap();
            assert!(out.status.success(), "{out:?}");
        }
    }
    c.y.ok(&["sync", "side"]);
    c.z.ok(&["sync"]);
    c.z.ok(&["member", "remove", &key_id(&c.x)]);
    c.z.ok(&["sync"]);
    // Y finally meets the founder's remote: it brings its and Z's events there.
    for _ in 0..2 {
        c.y.ok(&["sync"]);
        c.x.ok(&["sync"]);
        c.z.ok(&["sync"]);
    }
}

fn assert_the_founder_keeps_the_workspace(c: &Coup) {
    for (name, r) in [("X", &c.x), ("Y", &c.y), ("Z", &c.z)] {
        assert_eq!(
            member(r, &key_id(&c.x))["active"],
            true,
            "on {name}: the founder is still a member"
        );
        assert_eq!(
            member(r, &key_id(&c.y))["active"],
            false,
            "on {name}: Y's removal stands"
        );
        assert!(
            member(r, &key_id(&c.z)).is_null() || member(r, &key_id(&c.z))["active"] == false,
            "on {name}: Z never became a member"
        );
        verified(r);
    }
    assert_eq!(c.x.digest(), c.y.digest());
    assert_eq!(c.x.digest(), c.z.digest());
    let held = not_applied(&c.x);
    let why = |kind: &str| -> String {
        held.iter()
            .find(|n| n["kind"] == kind)
            .map(|n| n["reason"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no {kind} without effect: {held:?}"))
    };
    assert!(
        why("member.added").contains("never saw"),
        "Y's addition of Z is concurrent with Y's removal: {held:?}"
    );
    why("member.removed");
    // The founder goes on working; Z cannot record anything.
    c.x.create_release("payments", "7.0.0");
    let err = c.z.fails(relm_tests::MINIMAL_CREATE, 2);
    assert!(err.contains("not a member"), "{err}");
}

#[test]
fn a_removed_admin_working_offline_cannot_make_an_admin_who_removes_the_founder() {
    let c = setup();
    c.x.ok(&["member", "remove", &key_id(&c.y)]);
    c.x.ok(&["sync"]);
    play(&c, None);
    assert_the_founder_keeps_the_workspace(&c);
}

#[test]
fn a_removed_admin_with_a_clock_set_back_gains_nothing_from_the_earlier_stamp() {
    let c = setup();
    let (x_id, y_id, z_id) = (key_id(&c.x), key_id(&c.y), key_id(&c.z));
    let hlc_ms = |sql: &str| -> i64 {
        c.x.db()
            .query_row(sql, [&x_id, &y_id], |r| r.get(0))
            .unwrap()
    };
    let add_y_ms = hlc_ms(
        "SELECT hlc >> 16 FROM events WHERE author = ?1 AND kind = 'member.added' AND entity = ?2",
    );
    let add_y_seq = hlc_ms(
        "SELECT seq FROM events WHERE author = ?1 AND kind = 'member.added' AND entity = ?2",
    );
    c.x.ok(&["member", "remove", &y_id]);
    c.x.ok(&["sync"]);
    // With its clock an hour back, Y's replica refuses to sign: it holds events stamped later.
    c.y.ok(&["sync", "side"]);
    let key = public_key(&c.z);
    let out =
        c.y.cmd_with_clock("-1h", &add_admin(&key))
            .output()
            .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("clock") && err.contains("behind"), "{err}");
    let out =
        c.y.cmd_with_clock("-1h", &[add_admin(&key).as_slice(), &["--json"]].concat())
            .output()
            .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reason = &doc["error"]["reason"];
    assert_eq!(reason["code"], "clock_behind", "{doc}");
    let offset: i64 = reason["params"]["offset_ms"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3_600_000).contains(&offset), "{doc}");
    // So Y signs by hand: Z made admin, stamped before the founder's removal of Y (first in
    // ledger order, which used to be enough), having seen its own addition.
    let mut forger = Forger::of(&c.y);
    let payload = json!({
        "member": { "key": public_key(&c.z), "name": "Zoe", "email": "zoe@acme.example" },
        "roles": ["admin"]
    });
    let forged = forger.next_after(
        add_y_ms as u64 + 1,
        "member.added",
        payload,
        vec![dep_on(&c.x, &x_id, add_y_seq as u64)],
    );
    plant(c.side.path(), "yves-by-hand", &forger.workspace, &[forged]);
    // Z reads only the side remote: to Z it is an admin now, and it removes the founder.
    c.z.ok(&["sync"]);
    assert_eq!(member(&c.z, &z_id)["active"], true);
    c.z.ok(&["member", "remove", &x_id]);
    c.z.ok(&["sync"]);
    for _ in 0..2 {
        c.y.ok(&["sync"]);
        c.x.ok(&["sync"]);
        c.z.ok(&["sync"]);
    }
    let removed_ms = hlc_ms(
        "SELECT hlc >> 16 FROM events WHERE author = ?1 AND kind = 'member.removed' AND entity = ?2",
    );
    assert!(
        add_y_ms < removed_ms && (add_y_ms as u64 + 1) < removed_ms as u64,
        "the forged addition is first in ledger order"
    );
    assert_the_founder_keeps_the_workspace(&c);
}

/// The founder X and a release manager Y whose release X has seen; then X removes Y. Returns
/// (X, Y, the release, the remote).
fn a_release_manager_removed() -> (Replica, Replica, String, tempfile::TempDir) {
    let remote = tempfile::tempdir().unwrap();
    let x = Replica::new();
    x.init();
    x.ok(&["remote", "add", "main", p(remote.path())]);
    x.ok(&["sync"]);
    let y = x.admit(remote.path(), "Yves", &["release-manager"]);
    let id = y.create_release("ledger", "1.0.0");
    y.ok(&["sync"]);
    x.ok(&["sync"]);
    x.ok(&["member", "remove", &key_id(&y)]);
    (x, y, id, remote)
}

#[test]
fn what_a_removed_member_did_before_the_remover_saw_it_keeps_counting() {
    let (x, y, seen, _remote) = a_release_manager_removed();
    // Y cancels its release without having seen the removal.
    y.json(&["release", "status", &seen, "cancelled"]);
    x.ok(&["sync"]);
    y.ok(&["sync"]);
    x.ok(&["sync"]);
    assert_eq!(
        x.json(&["release", "show", &seen])["status"],
        "draft",
        "the cancellation the remover never saw does not count"
    );
    let held = not_applied(&x);
    assert!(
        held.iter().any(|n| n["kind"] == "release.status_changed"
            && n["reason"].as_str().unwrap().contains("never saw")),
        "{held:?}"
    );
    // The release Y created before the removal was seen by the remover: it stays.
    assert_eq!(x.json(&["release", "show", &seen])["service"], "ledger");
    assert_eq!(x.digest(), y.digest());
    verified(&x);
}

#[test]
fn a_removed_release_managers_backdated_status_change_does_not_count() {
    let (x, y, id, remote) = a_release_manager_removed();
    let created_ms: i64 = x
        .db()
        .query_row(
            "SELECT hlc >> 16 FROM events WHERE kind = 'release.created' AND entity = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    x.ok(&["sync"]);
    // Removed, Y signs by hand a cancellation stamped a millisecond after its release: long
    // before its removal in ledger order, claiming to have seen nothing newer.
    let mut forger = Forger::of(&y);
    let cancel = forger.next(
        created_ms as u64 + 1,
        "release.status_changed",
        json!({"release_id": id, "from": "draft", "to": "cancelled"}),
    );
    plant(
        remote.path(),
        "yves-backdated",
        &forger.workspace,
        &[cancel],
    );
    x.ok(&["sync"]);
    assert_eq!(
        x.json(&["release", "show", &id])["status"],
        "draft",
        "the backdated cancellation does not count"
    );
    let held = not_applied(&x);
    assert!(
        held.iter().any(|n| n["kind"] == "release.status_changed"
            && n["reason"].as_str().unwrap().contains("never saw")),
        "{held:?}"
    );
    verified(&x);
}
