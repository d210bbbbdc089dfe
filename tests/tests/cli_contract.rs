//! The `relm` CLI contract, driven on the real binary, real SQLite file and real kernel keyring.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_tests::Replica;

#[test]
fn init_prints_workspace_and_fingerprint_and_warns_to_back_up() {
    let r = Replica::new();
    let out = r.ok(&[
        "init",
        "--workspace",
        "Acme",
        "--name",
        "Ada",
        "--email",
        "ada@acme.example",
    ]);
    assert!(out.contains("workspace Acme ("), "{out}");
    assert!(out.contains("fingerprint"), "{out}");
    assert!(
        out.contains("relm identity export"),
        "init must tell the user to export a backup: {out}"
    );
    // A second init in the same data dir is refused and changes nothing.
    let before = r.event_count();
    let err = r.fails(
        &[
            "init",
            "--workspace",
            "Other",
            "--name",
            "Bo",
            "--email",
            "bo@acme.example",
        ],
        2,
    );
    assert!(err.contains("already holds workspace"), "{err}");
    assert_eq!(r.event_count(), before);
}

#[test]
fn global_options_work_before_and_after_the_subcommand() {
    let r = Replica::new();
    let init = r.init();
    assert!(
        init["workspace_id"].is_string() && init["fingerprint"].is_string(),
        "{init}"
    );
    let dir = r.data_dir();
    let dir = dir.to_str().unwrap();
    let after = r
        .cmd(&[])
        .args(["release", "list", "--json", "--data-dir", dir])
        .output()
        .unwrap();
    assert!(
        after.status.success(),
        "{}",
        String::from_utf8_lossy(&after.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&after.stdout).unwrap();
    assert_eq!(v["releases"].as_array().unwrap().len(), 0);
    // RELM_DATA_DIR is honoured when --data-dir is absent.
    let mut c = std::process::Command::new(relm_tests::relm_bin());
    let out = c
        .args(["status", "--json"])
        .env("RELM_DATA_DIR", dir)
        .env("RELM_KEYRING", "kernel")
        .env("RELM_LOG_DIR", r.log_dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn release_lifecycle_through_the_cli() {
    let r = Replica::new();
    r.init();
    let created = r.json(&[
        "release",
        "create",
        "--service",
        "payments-api",
        "--version",
        "1.4.0",
        "--env",
        "staging",
        "--env",
        "prod",
        "--type",
        "normal",
        "--title",
        "Faster refunds",
        "--start",
        "2027-03-19T18:00",
        "--end",
        "2027-03-19T20:00",
        "--tz",
        "Europe/Paris",
        "--rollback-plan",
        "redeploy 1.3.2",
        "--component",
        "api|1.4.0|sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "--change",
        "PAY-12|Refund batching|https://tracker.example/PAY-12",
        "--evidence",
        "tests passed|https://ci.example/1",
    ]);
    let id = created["id"].as_str().unwrap().to_string();
    let rel = &created["release"];
    assert_eq!(rel["status"], "draft");
    assert_eq!(
        rel["window"]["start"], "2027-03-19T17:00:00Z",
        "18:00 Paris in March is 17:00 UTC"
    );
    assert_eq!(rel["window"]["tz"], "Europe/Paris");
    assert_eq!(rel["components"][0]["name"], "api");
    assert_eq!(rel["changes"][0]["link"], "https://tracker.example/PAY-12");

    let updated = r.json(&[
        "release",
        "update",
        &id,
        "--version",
        "1.4.1",
        "--title",
        "Faster refunds, fixed",
    ]);
    assert_eq!(updated["release"]["version"], "1.4.1");
    assert_eq!(updated["release"]["revision"], 2);
    for to in ["planned", "approved", "deploying", "deployed", "reviewed"] {
        let v = r.json(&["release", "status", &id, to, "--note", "as planned"]);
        assert_eq!(v["status"], to);
    }
    let shown = r.json(&["release", "show", &id[..13]]);
    assert_eq!(
        shown["id"],
        id.as_str(),
        "a unique id prefix names the release"
    );
    let history: Vec<_> = shown["status_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        history,
        [
            "draft",
            "planned",
            "approved",
            "deploying",
            "deployed",
            "reviewed"
        ]
    );
    assert_eq!(
        shown["events"].as_array().unwrap().len(),
        7,
        "create + update + 5 status changes"
    );
    let log = r.json(&["audit", "log", "--entity", &id]);
    assert_eq!(log.as_array().unwrap().len(), 7);
    assert_eq!(log[0]["author_name"], "Ada Lovelace");
    // A reviewed release is history: edits are refused.
    let err = r.fails(&["release", "update", &id, "--title", "rewrite history"], 2);
    assert!(err.contains("can no longer be edited"), "{err}");
    let text = r.ok(&["audit", "verify"]);
    assert!(
        text.starts_with("verified 9 events from 1 authors; head "),
        "{text}"
    );
}

#[test]
fn release_list_filters_and_pages() {
    let r = Replica::new();
    r.init();
    for i in 0..5 {
        r.create_release(
            if i % 2 == 0 { "payments-api" } else { "search" },
            &format!("1.{i}.0"),
        );
    }
    let all = r.json(&["release", "list"]);
    assert_eq!(all["releases"].as_array().unwrap().len(), 5);
    let payments = r.json(&["release", "list", "--service", "payments-api"]);
    assert_eq!(payments["releases"].as_array().unwrap().len(), 3);
    let page1 = r.json(&["release", "list", "--limit", "2"]);
    let cursor = page1["next_cursor"].as_str().unwrap().to_string();
    let page2 = r.json(&["release", "list", "--limit", "2", "--cursor", &cursor]);
    let page3 = r.json(&[
        "release",
        "list",
        "--limit",
        "2",
        "--cursor",
        page2["next_cursor"].as_str().unwrap(),
    ]);
    let mut ids: Vec<String> = [&page1, &page2, &page3]
        .iter()
        .flat_map(|p| {
            p["releases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(ids.len(), 5);
    ids.dedup();
    assert_eq!(ids.len(), 5, "pages must not overlap");
    let drafts = r.json(&[
        "release", "list", "--status", "draft", "--env", "prod", "--type", "normal",
    ]);
    assert_eq!(drafts["releases"].as_array().unwrap().len(), 5);
}

#[test]
fn members_are_added_re_roled_and_removed_by_admins() {
    let r = Replica::new();
    r.init();
    let key = relm_tests::public_key_of(9);
    let added = r.json(&[
        "member",
        "add",
        "--key",
        &key,
        "--role",
        "approver",
        "--name",
        "Omar",
        "--email",
        "omar@acme.example",
    ]);
    assert_eq!(added["roles"], serde_json::json!(["approver"]));
    let fp = added["fingerprint"].as_str().unwrap().to_string();
    let again = r.fails(&["member", "add", "--key", &key, "--role", "auditor"], 2);
    assert!(again.contains("already a member"), "{again}");
    let bad_role = r.fails(&["member", "add", "--key", &key, "--role", "overlord"], 2);
    assert!(bad_role.contains("unknown role"), "{bad_role}");
    let bad_key = r.fails(
        &[
            "member",
            "add",
            "--key",
            "ed25519:nope",
            "--role",
            "auditor",
        ],
        2,
    );
    assert!(bad_key.contains("not a Relm public key"), "{bad_key}");
    r.json(&[
        "member",
        "roles",
        &fp,
        "--role",
        "approver",
        "--role",
        "release-manager",
    ]);
    let list = r.json(&["member", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let me = r.json(&["identity", "show"]);
    let last_admin = r.fails(&["member", "remove", me["key_id"].as_str().unwrap()], 2);
    assert!(last_admin.contains("last admin"), "{last_admin}");
    let removed = r.json(&["member", "remove", &fp]);
    assert_eq!(removed["active"], false);
    assert!(r.ok(&["audit", "verify"]).starts_with("verified 5 events"));
}

#[test]
fn demo_seeds_a_realistic_workspace_that_verifies() {
    let r = Replica::new();
    let v = r.json(&["demo"]);
    let summary = &v["summary"];
    assert!(summary["releases"].as_u64().unwrap() >= 40, "{summary}");
    assert!(summary["members"].as_u64().unwrap() >= 4, "{summary}");
    let statuses = summary["releases_by_status"].as_object().unwrap();
    assert!(
        statuses.len() >= 5,
        "demo must show varied statuses: {statuses:?}"
    );
    let services: std::collections::BTreeSet<String> = r
        .json(&["release", "list", "--limit", "100"])["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["service"].as_str().unwrap().to_string())
        .collect();
    assert!(services.len() >= 4, "{services:?}");
    let verify = r.json(&["audit", "verify"]);
    assert_eq!(verify["ok"], true);
    assert!(
        verify["authors"].as_u64().unwrap() >= 3,
        "teammates sign their own events"
    );
    // Running it again does not duplicate the data.
    let err = r.fails(&["demo"], 2);
    assert!(err.contains("already has releases"), "{err}");
}

#[test]
fn rebuild_reproduces_the_projections() {
    let r = Replica::new();
    r.json(&["demo"]);
    let before = r.json(&["release", "list", "--limit", "100"]);
    let rebuilt = r.json(&["rebuild"]);
    assert_eq!(rebuilt["events"], r.event_count());
    assert_eq!(r.json(&["release", "list", "--limit", "100"]), before);
    assert_eq!(r.json(&["audit", "verify"])["ok"], true);
}
