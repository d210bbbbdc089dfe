//! Replicas through the real `relm` binary and real folder remotes: joining, the offline
//! authorization flow, and every kind of bad remote (missing, read-only, full, garbage,
//! truncated, another workspace, unknown keys, tampered files, forks).

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_domain::event::{Envelope, FORMAT_VERSION, SignedEvent};
use relm_domain::hlc::Hlc;
use relm_domain::ids::{EventId, ReleaseId, WorkspaceId};
use relm_domain::keys::PublicKey;
use relm_tests::Replica;
use relm_tests::forge::plant;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A founder whose workspace is on a new folder remote `usb`.
fn founder_on_remote() -> (Replica, tempfile::TempDir) {
    let a = Replica::new();
    a.init();
    let remote = tempfile::tempdir().unwrap();
    a.ok(&["remote", "add", "usb", p(remote.path())]);
    a.create_release("payments", "1.0.0");
    a.ok(&["sync"]);
    (a, remote)
}

/// A second replica joined from the remote and added by the founder with `roles`.
fn member(a: &Replica, remote: &Path, name: &str, roles: &[&str]) -> Replica {
    a.admit(remote, name, roles)
}

fn sync_json(r: &Replica, expect_exit: i32) -> Value {
    let out = r.run(&["sync", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(expect_exit),
        "stderr: {}\nstdout: {}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Why a sync with the remote `name` failed (exit 2): its error as `--json` gives it.
fn failure(r: &Replica, name: &str) -> Value {
    let out = r.run(&["sync", name, "--json"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["remotes"][0]["error"].clone()
}

fn verified(r: &Replica) {
    let v = r.json(&["audit", "verify"]);
    assert_eq!(v["ok"], true, "{v}");
}

#[test]
fn a_newcomer_joins_reads_is_added_and_authorizes_offline() {
    let (a, remote) = founder_on_remote();
    let b = Replica::new();
    let joined = b.join(remote.path(), "Grace Hopper");
    let key = joined["public_key"].as_str().unwrap().to_string();
    assert!(key.starts_with("ed25519:"));
    assert_eq!(joined["fingerprint"].as_str().unwrap().len(), 19);
    // Human output shows both too.
    let c = Replica::new();
    let text = c.ok(&[
        "join",
        "--remote",
        p(remote.path()),
        "--name",
        "Carl",
        "--email",
        "carl@acme.example",
    ]);
    assert!(
        text.contains("ed25519:") && text.contains("fingerprint"),
        "{text}"
    );

    // The newcomer reads the workspace but cannot record changes yet, and is told why.
    let list = b.json(&["release", "list"]);
    assert_eq!(list["releases"].as_array().unwrap().len(), 1);
    let err = b.fails(relm_tests::MINIMAL_CREATE, 2);
    assert!(
        err.contains("not a member") && err.contains("relm member add --key"),
        "{err}"
    );

    // The admin sees the join request and adds the key: name and e-mail come from it.
    let s = sync_json(&a, 0);
    let requests = s["remotes"][0]["report"]["join_requests"]
        .as_array()
        .unwrap();
    assert!(requests.iter().any(|r| r["name"] == "Grace Hopper"), "{s}");
    let status = a.json(&["sync", "status"]);
    assert_eq!(status["join_requests"].as_array().unwrap().len(), 2);
    a.ok(&["member", "add", "--key", &key, "--role", "approver"]);
    let members = a.json(&["member", "list"]);
    assert!(
        members.to_string().contains("grace.hopper@acme.example"),
        "{members}"
    );
    a.ok(&["sync"]);
    b.ok(&["sync"]);

    // The release manager submits the release; the approver syncs and goes offline (the
    // remote is unreachable), then records the decision.
    let id = list["releases"][0]["id"].as_str().unwrap().to_string();
    a.ok(&["release", "status", &id, "planned"]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    let away = remote.path().with_extension("away");
    std::fs::rename(remote.path(), &away).unwrap();
    b.ok(&[
        "release",
        "status",
        &id,
        "approved",
        "--note",
        "approved on the train",
    ]);
    let out = sync_json(&b, 2);
    assert_eq!(out["remotes"][0]["result"], "offline");
    // Why, with the reason the app words: the folder that cannot be reached.
    let reason = &out["remotes"][0]["error"]["reason"];
    assert_eq!(reason["code"], "remote_offline", "{out}");
    assert_eq!(reason["params"]["path"], p(remote.path()), "{out}");
    let err = b.fails(&["sync"], 2);
    assert!(err.contains("not reachable"), "{err}");
    let status = b.json(&["sync", "status"]);
    assert_eq!(status["remotes"][0]["last_result"], "offline");
    // The remote's last sync keeps the same: its text as before, and the error whole.
    let kept = &status["remotes"][0];
    assert!(
        kept["last_message"]
            .as_str()
            .unwrap()
            .contains("not reachable"),
        "{kept}"
    );
    assert_eq!(kept["last_failure"]["code"], "offline", "{kept}");
    assert_eq!(
        kept["last_failure"]["reason"]["code"], "remote_offline",
        "{kept}"
    );
    assert_eq!(status["remotes"][0]["pending_push"], 1);

    // Later it syncs; the release manager receives the decision, verified.
    std::fs::rename(&away, remote.path()).unwrap();
    let s = sync_json(&b, 0);
    assert_eq!(s["remotes"][0]["report"]["pushed"], 1);
    let s = sync_json(&a, 0);
    assert_eq!(s["remotes"][0]["report"]["pulled"]["added"], 1);
    let r = a.json(&["release", "show", &id]);
    assert_eq!(r["status"], "approved", "{r}");
    verified(&a);
    verified(&b);
    assert_eq!(a.digest(), b.digest());
    let status = a.json(&["sync", "status"]);
    let seen: Vec<u64> = status["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["last_seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seen.len(), 2, "{status}");
}

#[test]
fn a_missing_remote_is_refused_or_means_offline_and_changes_nothing() {
    let (a, remote) = founder_on_remote();
    let err = a.fails(&["remote", "add", "nas", "/nonexistent/relm-share"], 2);
    assert!(err.contains("not reachable"), "{err}");
    let err = a.fails(&["remote", "add", "bad name", p(remote.path())], 2);
    assert!(err.contains("remote name"), "{err}");
    let err = a.fails(&["remote", "add", "usb", p(remote.path())], 2);
    assert!(err.contains("already exists"), "{err}");
    let err = a.fails(&["sync", "nowhere"], 2);
    assert!(err.contains("no remote named"), "{err}");

    let before = (a.event_count(), a.digest());
    let gone = remote.path().with_extension("gone");
    std::fs::rename(remote.path(), &gone).unwrap();
    a.create_release("payments", "1.0.1");
    let before_sync = (a.event_count(), a.digest());
    assert_ne!(before, before_sync);
    let err = a.fails(&["sync"], 2);
    assert!(
        err.contains("not reachable") && err.contains("offline"),
        "{err}"
    );
    assert_eq!((a.event_count(), a.digest()), before_sync);
    std::fs::rename(&gone, remote.path()).unwrap();
    a.ok(&["sync"]);
}

#[test]
fn joining_from_a_folder_without_a_readable_workspace_says_why_and_keeps_nothing() {
    let newcomer = Replica::new();
    let join = |remote: &Path| {
        newcomer.refused(
            &[
                "join",
                "--remote",
                p(remote),
                "--name",
                "Dee",
                "--email",
                "dee@acme.example",
            ],
            2,
        )
    };
    // A folder nobody synced to yet.
    let empty = tempfile::tempdir().unwrap();
    let error = join(empty.path());
    assert_eq!(error["field"], "remote", "{error}");
    assert_eq!(error["reason"]["code"], "no_workspace_there", "{error}");
    assert_eq!(error["reason"]["params"]["location"], p(empty.path()));
    // A folder whose only segment is still being copied (cut short).
    let (_a, remote) = founder_on_remote();
    let copying = tempfile::tempdir().unwrap();
    let files = Replica::files_under(remote.path());
    let segment = files.iter().find(|f| f.ends_with(".relmseg")).unwrap();
    let bytes = std::fs::read(remote.path().join(segment)).unwrap();
    let to = copying.path().join(segment);
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::write(&to, &bytes[..bytes.len() / 2]).unwrap();
    let error = join(copying.path());
    let reason = &error["reason"];
    assert_eq!(reason["code"], "workspace_unreadable", "{error}");
    assert_eq!(
        (
            &reason["params"]["incomplete"],
            &reason["params"]["location"]
        ),
        (&"1".into(), &p(copying.path()).into()),
        "{error}"
    );
    // Nothing was kept: the same folder, once whole, is joined from.
    std::fs::write(&to, &bytes).unwrap();
    let joined = newcomer.join(copying.path(), "Dee");
    assert!(joined["events"].as_u64().unwrap() > 0, "{joined}");
}

#[test]
fn testing_a_remote_finds_what_would_make_its_sync_fail_and_changes_nothing() {
    let (a, remote) = founder_on_remote();
    let files = || Replica::files_under(remote.path());
    let before = files();
    let relm = relm_tests::reader(&a.data_dir());
    assert_eq!(relm.test_remote("usb").unwrap(), before.len());
    // Someone swaps the folder every replica writes in for a link: listing it still works, but
    // every sync would fail, and the test says why as the sync does.
    let root = remote.path();
    std::fs::rename(root.join("replicas"), root.join("was-replicas")).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), root.join("replicas")).unwrap();
    let e = relm.test_remote("usb").unwrap_err();
    let reason = e.reason.expect("a reason");
    assert_eq!(
        reason.code,
        relm_domain::ReasonCode::RemoteLink,
        "{}",
        reason.message
    );
    assert_eq!(reason.params["path"], p(&root.join("replicas")));
    let synced = sync_json(&a, 2);
    assert_eq!(
        synced["remotes"][0]["error"]["reason"]["code"],
        "remote_link"
    );
    // A file there instead: not a folder.
    std::fs::remove_file(root.join("replicas")).unwrap();
    std::fs::write(root.join("replicas"), b"not a folder").unwrap();
    let reason = relm
        .test_remote("usb")
        .unwrap_err()
        .reason
        .expect("a reason");
    assert_eq!(reason.code, relm_domain::ReasonCode::RemoteNotFolder);
    // Unplugged: offline, with the folder named.
    let away = root.with_extension("away");
    std::fs::rename(root, &away).unwrap();
    let e = relm.test_remote("usb").unwrap_err();
    assert_eq!(e.code, relm_api::ErrorCode::Offline);
    assert_eq!(
        e.reason.unwrap().code,
        relm_domain::ReasonCode::RemoteOffline
    );
    std::fs::rename(&away, root).unwrap();
    // Testing wrote nothing to the remote or the link's target.
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    let mut now = files();
    now.retain(|f| f != "replicas");
    let mut was: Vec<String> = before
        .iter()
        .map(|f| f.replacen("replicas/", "was-replicas/", 1))
        .collect();
    was.sort();
    now.sort();
    assert_eq!(now, was);
}

/// A tmpfs mounted at a new folder; unmounted on drop. Needs root, as CI runs.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(options: &str) -> Mount {
        let dir = tempfile::tempdir().unwrap().keep();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs", p(&dir)])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(
            ok,
            "mounting a tmpfs failed: this test needs root (CI runs `make test` as root)"
        );
        Mount(dir)
    }

    fn remount(&self, options: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{options}"), p(&self.0)])
            .status()
            .unwrap()
            .success();
        assert!(ok, "remount {options} failed");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

#[test]
fn a_read_only_or_full_remote_gives_a_clear_error_and_leaves_no_partial_file() {
    let a = Replica::new();
    a.init();
    // Read-only: a drive mounted read-only after the founder first pushed.
    let ro = Mount::tmpfs("size=4m");
    a.ok(&["remote", "add", "ro", p(&ro.0)]);
    a.ok(&["sync"]);
    ro.remount("ro");
    a.create_release("payments", "2.0.0");
    let before = (a.event_count(), a.digest());
    let err = a.fails(&["sync", "ro"], 2);
    assert!(err.contains("read-only"), "{err}");
    let why = failure(&a, "ro")["reason"].clone();
    assert_eq!(why["code"], "remote_refused", "{why}");
    assert_eq!(why["params"]["cause"], "read_only", "{why}");
    assert_eq!((a.event_count(), a.digest()), before);

    // Full: a tiny drive that cannot take the next segment.
    let full = Mount::tmpfs("size=12k");
    a.ok(&["remote", "add", "tiny", p(&full.0)]);
    for i in 0..30 {
        a.create_release("payments", &format!("3.{i}.0"));
    }
    let before = (a.event_count(), a.digest());
    let err = a.fails(&["sync", "tiny"], 2);
    assert!(err.contains("full"), "{err}");
    let why = failure(&a, "tiny")["reason"].clone();
    assert_eq!(
        (
            &why["code"],
            &why["params"]["cause"],
            &why["params"]["doing"]
        ),
        (&"remote_refused".into(), &"full".into(), &"write".into()),
        "{why}"
    );
    assert_eq!((a.event_count(), a.digest()), before);
    let files = Replica::files_under(&full.0);
    assert!(
        files.iter().all(|f| !f.contains(".relm-tmp-")),
        "a failed write leaves no temporary file: {files:?}"
    );
}

fn workspace_of(r: &Replica) -> String {
    r.db()
        .query_row("SELECT id FROM workspace", [], |x| x.get(0))
        .unwrap()
}

/// An event `release.status_changed` signed by `key` as its author's event `seq`.
fn event_by(
    key: &ed25519_dalek::SigningKey,
    workspace: &str,
    seq: u64,
    prev: Option<String>,
    n: u64,
) -> SignedEvent {
    let payload = serde_json::json!({
        "release_id": ReleaseId(format!("01900000-0000-7000-8000-{n:012}")),
        "from": "draft",
        "to": "cancelled"
    });
    SignedEvent::sign(
        Envelope {
            v: FORMAT_VERSION,
            id: EventId(format!("01900000-0000-7000-9000-{n:012}")),
            workspace: WorkspaceId(workspace.into()),
            author: PublicKey(key.verifying_key()).key_id(),
            seq,
            prev,
            hlc: Hlc {
                ms: 1_700_000_000_000 + n,
                c: 0,
            },
            wall: Some(1_700_000_000_000 + n),
            deps: Vec::new(),
            kind: "release.status_changed".into(),
            payload,
        },
        key,
    )
}

#[test]
fn garbage_truncated_and_foreign_files_are_left_alone_with_a_reason() {
    let (a, remote) = founder_on_remote();
    let b = Replica::new();
    b.join(remote.path(), "Reader");
    let before = (b.event_count(), b.digest());

    std::fs::write(remote.path().join("notes.txt"), "meeting at 10").unwrap();
    std::fs::create_dir_all(remote.path().join("replicas/junk")).unwrap();
    std::fs::write(
        remote.path().join("replicas/junk/00000001.relmseg"),
        [0u8, 159, 146, 150, 7, 7],
    )
    .unwrap();
    // Another workspace shares the folder by mistake.
    let other = Replica::new();
    other.init();
    other.ok(&["remote", "add", "usb", p(remote.path())]);
    let o = sync_json(&other, 0);
    let ignored = o["remotes"][0]["report"]["ignored"].to_string();
    assert!(ignored.contains("belongs to workspace"), "{ignored}");

    let s = sync_json(&b, 0);
    let ignored = &s["remotes"][0]["report"]["ignored"];
    let text = ignored.to_string();
    assert!(
        text.contains("notes.txt") && text.contains("not a Relm file"),
        "{text}"
    );
    assert!(
        text.contains("junk") && text.contains("not a Relm segment"),
        "{text}"
    );
    assert!(text.contains("belongs to workspace"), "{text}");
    assert_eq!((b.event_count(), b.digest()), before, "nothing applied");

    // A segment still being copied by a file-sync tool: retried, then taken in once whole.
    let private = tempfile::tempdir().unwrap();
    a.create_release("payments", "1.1.0");
    a.ok(&["remote", "add", "private", p(private.path())]);
    a.ok(&["sync", "private"]);
    let seg = Replica::files_under(private.path())
        .into_iter()
        .max()
        .unwrap();
    let bytes = std::fs::read(private.path().join(&seg)).unwrap();
    let copy = remote.path().join("replicas/copying/00000001.relmseg");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::write(&copy, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let s = sync_json(&b, 0);
    assert_eq!(
        s["remotes"][0]["report"]["incomplete"][0],
        "replicas/copying/00000001.relmseg"
    );
    assert_eq!(s["remotes"][0]["report"]["pulled"]["added"], 0);
    assert_eq!(b.event_count(), before.0);
    std::fs::write(&copy, &bytes).unwrap();
    let s = sync_json(&b, 0);
    assert!(
        s["remotes"][0]["report"]["pulled"]["added"]
            .as_u64()
            .unwrap()
            >= 1,
        "{s}"
    );
    verified(&b);
}

#[test]
fn events_by_unknown_keys_wait_and_are_never_applied() {
    let (a, remote) = founder_on_remote();
    let b = Replica::new();
    b.join(remote.path(), "Reader");
    let before = (b.event_count(), b.digest());
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[66; 32]);
    let ev = event_by(&stranger, &workspace_of(&a), 1, None, 1);
    plant(
        remote.path(),
        "stranger",
        &workspace_of(&a),
        std::slice::from_ref(&ev),
    );
    let s = sync_json(&b, 0);
    assert_eq!(s["remotes"][0]["report"]["pulled"]["pending"], 1);
    assert_eq!((b.event_count(), b.digest()), before);
    let status = b.json(&["sync", "status"]);
    let pending = status["pending"].to_string();
    assert!(
        pending.contains(&ev.envelope.id.0) && pending.contains("no member ever added"),
        "{pending}"
    );
    let text = b.ok(&["sync", "status"]);
    assert!(text.contains("waiting for earlier events"), "{text}");
    // The newcomer's own join request, read back from the remote, is not listed to them.
    assert_eq!(
        status["join_requests"].as_array().unwrap().len(),
        0,
        "{status}"
    );
}

#[test]
fn a_tampered_remote_file_is_caught_on_pull_and_names_the_event() {
    let (a, remote) = founder_on_remote();
    let b = member(&a, remote.path(), "Reader", &["auditor"]);
    let id = a.create_release("ledger", "4.0.0");
    a.ok(&["sync"]);
    let log = a.json(&["audit", "log", "--entity", &id]);
    let event = log[0]["id"].as_str().unwrap().to_string();
    // Change one byte of the release's title inside the newest segment file.
    let seg = Replica::files_under(remote.path())
        .into_iter()
        .filter(|f| f.ends_with(".relmseg"))
        .max_by_key(|f| {
            std::fs::metadata(remote.path().join(f))
                .unwrap()
                .modified()
                .unwrap()
        })
        .unwrap();
    let path = remote.path().join(&seg);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("Faster refunds"));
    std::fs::write(&path, text.replace("Faster refunds", "Faster refundz")).unwrap();

    let s = sync_json(&b, 1);
    let q = &s["remotes"][0]["report"]["pulled"]["quarantined"][0];
    assert_eq!(q["event"], event.as_str(), "{s}");
    assert_eq!(q["code"], "bad_signature");
    assert!(
        s["remotes"][0]["report"]["altered"][0]
            .as_str()
            .unwrap()
            .ends_with(".relmseg")
    );
    let err = b.fails(&["release", "show", &id], 2);
    assert!(err.contains("no release"), "{err}");
    let status = b.json(&["sync", "status"]);
    assert_eq!(status["quarantined"][0]["event"], event.as_str());
    verified(&b);

    // The founder notices its own file was altered (exit 1: it quarantines the forgery too)
    // and pushes the genuine events again.
    let s = sync_json(&a, 1);
    assert!(
        s["remotes"][0]["report"]["pushed"].as_u64().unwrap() >= 1,
        "{s}"
    );
    b.ok(&["sync"]);
    let r = b.json(&["release", "show", &id]);
    assert_eq!(r["title"], "Faster refunds");
    assert_eq!(a.digest(), b.digest());
}

#[test]
fn a_fork_is_reported_as_a_security_finding_naming_the_author() {
    let (a, remote) = founder_on_remote();
    let b = Replica::new();
    b.join(remote.path(), "Reader");
    // The founder's key, as someone holding a copy of it would have it.
    let backup = a.root.path().join("founder.age");
    a.cmd(&["identity", "export", "--out", p(&backup)])
        .env("RELM_PASSPHRASE", "correct horse battery")
        .output()
        .unwrap();
    let (key, _) =
        relm_identity::backup::decrypt(&std::fs::read(&backup).unwrap(), "correct horse battery")
            .unwrap();
    let (seq, prev): (i64, Vec<u8>) = a
        .db()
        .query_row(
            "SELECT seq, (SELECT hash FROM events e2 WHERE e2.author = e.author AND e2.seq = e.seq - 1)
             FROM events e ORDER BY seq DESC LIMIT 1",
            [],
            |x| Ok((x.get(0)?, x.get(1)?)),
        )
        .unwrap();
    let twin = event_by(
        key.signing_key(),
        &workspace_of(&a),
        seq as u64,
        Some(hex::encode(prev)),
        9,
    );
    plant(remote.path(), "twin", &workspace_of(&a), &[twin]);
    let s = sync_json(&b, 1);
    let q = &s["remotes"][0]["report"]["pulled"]["quarantined"][0];
    assert_eq!(q["code"], "fork", "{s}");
    let fp = a.json(&["identity", "show"])["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(q["reason"].as_str().unwrap().contains(&fp), "{q}");
    let status = b.json(&["sync", "status"]);
    assert_eq!(status["forks"].as_array().unwrap().len(), 1);
    let text = b.ok(&["sync", "status"]);
    assert!(
        text.contains("SECURITY FINDINGS") && text.contains(&fp),
        "{text}"
    );
    verified(&b);
}
