//! Policy and gates through the real `relm` binary: separation of duties and quorum with real
//! separate replicas and identities synced through a folder remote (one approver deciding
//! offline), `relm check`'s contract, policy versions, bad policies, and the simulator.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_tests::Replica;
use serde_json::Value;
use std::path::Path;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

const TWO_APPROVALS: &str = r#"
[policy]
name = "Two approvals"

[[environments]]
name = "staging"
tier = "staging"

[[environments]]
name = "prod"
tier = "production"

[[rules]]
kind = "approvals"
when = { tiers = ["production"] }
count = 2
max_age_hours = 72

[[rules]]
kind = "rollback"
when = { tiers = ["production"] }
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// `relm check --json` with the exit code.
fn check(r: &Replica, args: &[&str]) -> (i32, Value) {
    let mut a = vec!["check", "--json"];
    a.extend(args);
    let out = r.run(&a);
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap(), v)
}

fn outcome(r: &Replica, id: &str, env: &str) -> String {
    let (_, v) = check(r, &["--release", id, "--env", env]);
    v["outcome"].as_str().unwrap_or_default().to_string()
}

/// An admin on a folder remote with the two-approval policy, a release manager and two
/// approvers on their own replicas.
struct Team {
    admin: Replica,
    manager: Replica,
    omar: Replica,
    pia: Replica,
    remote: tempfile::TempDir,
    files: tempfile::TempDir,
}

fn team() -> Team {
    let admin = Replica::new();
    admin.init();
    let remote = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    admin.ok(&["remote", "add", "share", p(remote.path())]);
    let policy = write(files.path(), "policy.toml", TWO_APPROVALS);
    let applied = admin.json(&[
        "policy",
        "apply",
        &policy,
        "--note",
        "two approvals for prod",
    ]);
    assert_eq!(applied["version"], 2);
    admin.ok(&["sync"]);
    let manager = admin.admit(remote.path(), "Rita Manager", &["release-manager"]);
    let omar = admin.admit(remote.path(), "Omar Approver", &["approver"]);
    let pia = admin.admit(remote.path(), "Pia Approver", &["approver"]);
    for r in [&manager, &omar, &pia] {
        r.ok(&["sync"]);
    }
    Team {
        admin,
        manager,
        omar,
        pia,
        remote,
        files,
    }
}

#[test]
fn separation_of_duties_and_quorum_across_replicas_with_an_offline_approver() {
    let t = team();
    let id = t.manager.json(&[
        "release",
        "create",
        "--service",
        "ledger",
        "--version",
        "2.0.0",
        "--env",
        "staging",
        "--env",
        "prod",
        "--title",
        "Ledger v2",
        "--rollback-plan",
        "redeploy 1.9",
        "--change",
        "LED-1|Compaction||pia.approver@acme.example",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    t.manager.ok(&["release", "status", &id, "planned"]);
    t.manager.ok(&["sync"]);
    for r in [&t.omar, &t.pia, &t.admin] {
        r.ok(&["sync"]);
    }
    assert_eq!(outcome(&t.manager, &id, "prod"), "blocked");

    // The owner, a non-approver, may not approve; neither may the author of a change.
    let own = t.manager.fails(&["approve", &id, "--env", "prod"], 2);
    assert!(own.contains("owner may not approve"), "{own}");
    let author = t.pia.fails(&["approve", &id, "--env", "prod"], 2);
    assert!(author.contains("author of change LED-1"), "{author}");
    // A release manager who is neither owner nor author cannot count under this policy either.
    let other = t.admin.create_release("search", "1.0.0");
    t.admin.ok(&["sync"]);
    t.manager.ok(&["sync"]);
    let role = t.manager.fails(&["approve", &other, "--env", "prod"], 2);
    assert!(role.contains("does not hold the approver role"), "{role}");
    // An approval for staging does not count for prod; an unknown environment is refused.
    t.omar.ok(&["approve", &id, "--env", "staging"]);
    let moon = t.omar.fails(&["approve", &id, "--env", "moon"], 2);
    assert!(moon.contains("not an environment of the policy"), "{moon}");

    // Omar approves online.
    t.omar.ok(&[
        "approve",
        &id,
        "--env",
        "prod",
        "--comment",
        "reviewed the migration",
    ]);
    t.omar.ok(&["sync"]);
    // The change author is replaced, so Pia may decide; she approves while the share is away.
    t.manager.ok(&[
        "release",
        "update",
        &id,
        "--change",
        "LED-1|Compaction||cat@acme.example",
    ]);
    t.manager.ok(&["sync"]);
    t.pia.ok(&["sync"]);
    t.omar.ok(&["sync"]);
    let (_, v) = check(&t.manager, &["--release", &id, "--env", "prod"]);
    assert_eq!(
        v["outcome"], "blocked",
        "the edit made Omar's approval stale: {v}"
    );
    assert_eq!(v["approvals"][0]["fresh"], false);
    t.omar.ok(&["approve", &id, "--env", "prod"]);
    // The same decision again would only duplicate the record: refused, saying when it was
    // made; nothing is recorded.
    let events = t.omar.json(&["audit", "log"]).as_array().unwrap().len();
    let again = t.omar.fails(&["approve", &id, "--env", "prod"], 2);
    assert!(
        again.contains("already made this decision for prod"),
        "{again}"
    );
    assert_eq!(
        t.omar.json(&["audit", "log"]).as_array().unwrap().len(),
        events
    );
    t.omar.ok(&["sync"]);
    let away = t.remote.path().with_extension("away");
    std::fs::rename(t.remote.path(), &away).unwrap();
    t.pia.ok(&[
        "approve",
        &id,
        "--env",
        "prod",
        "--comment",
        "approved on the train",
    ]);
    t.pia.fails(&["sync"], 2);
    std::fs::rename(&away, t.remote.path()).unwrap();
    t.manager.ok(&["sync"]);
    assert_eq!(
        outcome(&t.manager, &id, "prod"),
        "blocked",
        "one of two approvals so far"
    );
    t.pia.ok(&["sync"]);
    t.manager.ok(&["sync"]);
    let (code, v) = check(&t.manager, &["--release", &id, "--env", "prod"]);
    assert_eq!((code, v["outcome"].as_str()), (0, Some("allowed")), "{v}");
    let names: Vec<&str> = v["approvals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["counts"] == true)
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Omar Approver", "Pia Approver"]);
    assert_eq!(v["policy_version"], 2);

    // Every replica reaches the same verdict, and the ledgers verify.
    for r in [&t.admin, &t.omar, &t.pia] {
        r.ok(&["sync"]);
        assert_eq!(outcome(r, &id, "prod"), "allowed");
        assert_eq!(r.json(&["audit", "verify"])["ok"], true);
    }
    // A fresh rejection blocks again, with the comment in the reason.
    let no_comment = t.omar.fails(&["reject", &id, "--env", "prod"], 2);
    assert!(no_comment.contains("--comment"), "{no_comment}");
    t.omar.ok(&[
        "reject",
        &id,
        "--env",
        "prod",
        "--comment",
        "the on-call rota is empty",
    ]);
    let (code, v) = check(&t.omar, &["--release", &id, "--env", "prod"]);
    assert_eq!(code, 1);
    assert!(
        v["rules"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("on-call rota"),
        "{v}"
    );
}

#[test]
fn only_admins_apply_policies_and_a_bad_policy_leaves_the_one_in_force() {
    let t = team();
    let good = write(t.files.path(), "good.toml", relm_policy::DEFAULT_POLICY);
    let denied = t.manager.fails(&["policy", "apply", &good], 2);
    assert!(denied.contains("admin"), "{denied}");
    let cases = [
        (
            "malformed.toml",
            "[[rules]\nkind = \"approvals\"\n",
            "malformed.toml:1",
        ),
        (
            "kind.toml",
            "[[rules]]\nkind = \"vibes\"\n",
            "unknown variant `vibes`",
        ),
        (
            "contradiction.toml",
            "[[environments]]\nname = \"prod\"\ntier = \"production\"\n\n[[rules]]\nkind = \"approvals\"\ncount = 1\nroles = []\n",
            "contradiction.toml:5",
        ),
        (
            "rego.toml",
            "[[rego]]\nname = \"broken\"\nmodule = \"package x\\ndeny contains m if {\"\n",
            "Rego rule `broken`",
        ),
        (
            "loop.toml",
            "[[rego]]\nname = \"spin\"\nmodule = '''\npackage spin\nimport rego.v1\ndeny contains \"x\" if { count([x | some a in numbers.range(1, 4000); some b in numbers.range(1, 4000); x := a * b]) < 0 }\n'''\n",
            "budget",
        ),
    ];
    let before = t.admin.event_count();
    for (name, text, expected) in cases {
        let file = write(t.files.path(), name, text);
        let err = t.admin.fails(&["policy", "apply", &file], 2);
        assert!(
            err.contains(expected),
            "{name}: `{err}` should mention `{expected}`"
        );
    }
    assert_eq!(t.admin.event_count(), before, "nothing recorded");
    assert_eq!(t.admin.json(&["policy", "show"])["version"], 2);
    let missing = t
        .admin
        .fails(&["policy", "apply", "/nonexistent/policy.toml"], 2);
    assert!(missing.contains("cannot read"), "{missing}");
}

/// Moving a release the policy blocks to an authorized status is an override: it needs a
/// reason, and it is signed with what blocked it, so every replica shows it as an override.
#[test]
fn an_override_needs_a_reason_and_stays_marked_as_one() {
    let (a, b, _remote) = relm_tests::team();
    let id = a.create_release("payments", "1.4.0");
    a.ok(&["release", "status", &id, "planned"]);
    let events = a.json(&["audit", "log"]).as_array().unwrap().len();
    // Default policy: prod needs someone else's approval. Without a reason: refused, nothing
    // recorded; the message says it would be an override and how to give the reason.
    let err = a.fails(&["release", "status", &id, "approved"], 2);
    assert!(err.contains("override"), "{err}");
    assert!(err.contains("prod (approvals"), "{err}");
    assert_eq!(a.json(&["audit", "log"]).as_array().unwrap().len(), events);
    a.ok(&[
        "release",
        "status",
        &id,
        "approved",
        "--note",
        "the board signed off on paper",
    ]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    for r in [&a, &b] {
        let shown = r.json(&["release", "show", &id]);
        assert_eq!(shown["overridden"], true, "{shown}");
        let last = shown["status_history"].as_array().unwrap().last().unwrap();
        assert_eq!(last["note"], "the board signed off on paper");
        assert_eq!(last["blocked"][0]["environment"], "prod", "{last}");
        assert!(
            last["blocked"][0]["rules"]
                .as_array()
                .unwrap()
                .contains(&"approvals".into()),
            "{last}"
        );
        let listed = r.json(&["release", "list"]);
        assert_eq!(listed["releases"][0]["overridden"], true, "{listed}");
    }
    // A move the policy allows (staging needs no approval) is not an override.
    let other = a.json(&[
        "release",
        "create",
        "--service",
        "ledger",
        "--version",
        "2.0.0",
        "--env",
        "staging",
        "--title",
        "Compaction",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    a.ok(&["release", "status", &other, "planned"]);
    a.ok(&["release", "status", &other, "approved"]);
    assert_eq!(a.json(&["release", "show", &other])["overridden"], false);
}

#[test]
fn check_contract_for_pipelines() {
    let r = Replica::new();
    r.init();
    let id = r.create_release("payments", "1.4.0");
    // Default policy: prod needs an approval from someone other than the owner.
    let (code, v) = check(&r, &["--release", &id, "--env", "prod"]);
    assert_eq!((code, v["outcome"].as_str()), (1, Some("blocked")));
    for key in [
        "release_id",
        "service",
        "version",
        "environment",
        "tier",
        "at",
        "policy_version",
        "release_digest",
        "outcome",
        "rules",
        "approvals",
        "authorizations",
        "review_required",
    ] {
        assert!(v.get(key).is_some(), "verdict JSON lacks `{key}`: {v}");
    }
    let line = &v["rules"][0];
    for key in ["rule", "kind", "status", "reason", "evidence", "remedy"] {
        assert!(line.get(key).is_some(), "rule line lacks `{key}`: {line}");
    }
    assert_eq!(v["tier"], "production");
    assert_eq!(v["policy_version"], 1);
    // Staging has no rule that blocks: exit 0. By service and version, as a pipeline would.
    let (code, v) = check(
        &r,
        &[
            "--service",
            "payments",
            "--version",
            "1.4.0",
            "--env",
            "staging",
        ],
    );
    assert_eq!((code, v["outcome"].as_str()), (0, Some("allowed")));
    assert_eq!(v["release_id"], id.as_str());
    // Bad input: exit 2 with a reason.
    for (args, fragment) in [
        (
            vec!["--release", &id, "--env", "prod", "--at", "yesterday"],
            "RFC 3339",
        ),
        (vec!["--release", "zzzzzzzz", "--env", "prod"], "no release"),
        (
            vec![
                "--service",
                "payments",
                "--version",
                "9.9.9",
                "--env",
                "prod",
            ],
            "no release of payments 9.9.9",
        ),
        (vec!["--release", &id, "--env", " "], "environment"),
    ] {
        let mut a = vec!["check"];
        a.extend(args.iter().copied());
        let err = r.fails(&a, 2);
        assert!(
            err.contains(fragment),
            "{args:?}: `{err}` should mention `{fragment}`"
        );
    }
    r.fails(&["check", "--env", "prod"], 2);
    // The same question at the same time gets the same verdict.
    let at = "2027-01-04T10:00:00Z";
    let a = check(&r, &["--release", &id, "--env", "prod", "--at", at]).1;
    let b = check(&r, &["--release", &id, "--env", "prod", "--at", at]).1;
    assert_eq!(a, b);
    assert_eq!(a["at"], at);
    // Human output says the outcome first.
    let out = r.run(&["check", "--release", &id, "--env", "prod"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("BLOCKED: payments 1.4.0 to prod"));
}

#[test]
fn policy_versions_show_history_diff_export_and_simulate() {
    let t = team();
    let a = &t.admin;
    let history = a.json(&["policy", "history"]);
    let notes: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["note"].as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        [
            "Default policy of a new workspace",
            "two approvals for prod"
        ]
    );
    assert_eq!(history[1]["applied_by_name"], "Ada Lovelace");
    let diff = a.ok(&["policy", "diff", "1", "2"]);
    assert!(
        diff.contains("+count = 2") && diff.contains("-count = 1"),
        "{diff}"
    );
    let exported = t.files.path().join("exported.toml");
    a.ok(&["policy", "export", "--out", p(&exported)]);
    assert_eq!(std::fs::read_to_string(&exported).unwrap(), TWO_APPROVALS);
    assert_eq!(
        a.ok(&["policy", "export", "--version", "1"]).trim_end(),
        relm_policy::DEFAULT_POLICY.trim_end()
    );
    let again = a.fails(&["policy", "apply", p(&exported)], 2);
    assert!(again.contains("already the policy in force"), "{again}");
    a.fails(&["policy", "show", "--version", "9"], 2);

    // One release approved once: allowed under the default, blocked under two approvals.
    let id = t.manager.create_release("search", "3.1.0");
    t.manager.ok(&["sync"]);
    t.omar.ok(&["sync"]);
    t.omar.ok(&["approve", &id, "--env", "prod"]);
    t.omar.ok(&["sync"]);
    a.ok(&["sync"]);
    assert_eq!(outcome(a, &id, "prod"), "blocked");
    let draft = write(t.files.path(), "draft.toml", relm_policy::DEFAULT_POLICY);
    let before = a.event_count();
    let sim = a.json(&["policy", "simulate", &draft]);
    assert_eq!(a.event_count(), before, "a simulation records nothing");
    assert_eq!(sim["current_version"], 2);
    assert_eq!(sim["checked"], 2, "one release, two environments");
    let changed = sim["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{sim}");
    assert_eq!(changed[0]["environment"], "prod");
    assert_eq!(changed[0]["before"], "blocked");
    assert_eq!(changed[0]["after"], "allowed");
    let bad = write(t.files.path(), "bad.toml", "[[rules]]\nkind = 3\n");
    let err = a.fails(&["policy", "simulate", &bad], 2);
    assert!(err.contains("bad.toml:2"), "{err}");
}

#[test]
fn the_emergency_path_needs_a_declaration_and_a_post_hoc_approval() {
    let t = team();
    let id = t.manager.json(&[
        "release",
        "create",
        "--service",
        "payments",
        "--version",
        "1.0.1",
        "--env",
        "prod",
        "--type",
        "emergency",
        "--title",
        "Hotfix",
        "--rollback-plan",
        "redeploy 1.0.0",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The two-approval policy has no emergency rule: approvals still apply.
    assert_eq!(outcome(&t.manager, &id, "prod"), "blocked");
    let policy = write(
        t.files.path(),
        "emergency.toml",
        &format!("{TWO_APPROVALS}\n[[rules]]\nkind = \"emergency\"\npost_hoc_hours = 24\n"),
    );
    t.admin
        .ok(&["policy", "apply", &policy, "--note", "break-glass"]);
    t.admin.ok(&["sync"]);
    t.manager.ok(&["sync"]);
    let (code, v) = check(&t.manager, &["--release", &id, "--env", "prod"]);
    assert_eq!(code, 1, "no declaration yet: {v}");
    let omar_key = t.omar.json(&["identity", "show"])["key_id"]
        .as_str()
        .unwrap()
        .to_string();
    let self_named = t.manager.json(&["identity", "show"])["key_id"]
        .as_str()
        .unwrap()
        .to_string();
    let err = t.manager.fails(
        &[
            "release",
            "emergency",
            &id,
            "--reason",
            "x",
            "--incident",
            "INC-1",
            "--approver",
            &self_named,
        ],
        2,
    );
    assert!(
        err.contains("approver role") || err.contains("someone other"),
        "{err}"
    );
    // Neither why nor which incident: both said at once, each beside its field.
    let error = t.manager.refused(
        &[
            "release",
            "emergency",
            &id,
            "--reason",
            " ",
            "--incident",
            "",
            "--approver",
            &omar_key,
        ],
        2,
    );
    let said: Vec<(&str, &str)> = error["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["field"].as_str().unwrap(), p["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        said,
        [("reason", "required"), ("incident", "required")],
        "{error}"
    );
    t.manager.ok(&[
        "release",
        "emergency",
        &id,
        "--reason",
        "card payments failing",
        "--incident",
        "INC-4411",
        "--approver",
        &omar_key,
    ]);
    let (code, v) = check(&t.manager, &["--release", &id, "--env", "prod"]);
    assert_eq!(
        (code, v["outcome"].as_str()),
        (0, Some("allowed_with_warnings")),
        "{v}"
    );
    assert_eq!(v["review_required"], true);
    // Its review is mandatory already; renamed before it goes out, the review follows the
    // release to its new service.
    let service_of_review = |r: &Replica| -> String {
        r.db()
            .query_row(
                "SELECT service FROM review_requirements WHERE release_id = ?1",
                [&id],
                |x| x.get(0),
            )
            .unwrap()
    };
    assert_eq!(service_of_review(&t.manager), "payments");
    t.manager
        .ok(&["release", "update", &id, "--service", "card-payments"]);
    assert_eq!(service_of_review(&t.manager), "card-payments");
    // After the deadline without Omar's approval: blocked.
    let late = "2099-01-01T00:00:00Z";
    assert_eq!(
        check(
            &t.manager,
            &["--release", &id, "--env", "prod", "--at", late]
        )
        .0,
        1
    );
    // Out before its approval: Omar's after-the-fact approval is what waits for him, and
    // his list of pending decisions says so once the release is deployed too.
    let pending_for = |r: &Replica| -> Vec<String> {
        r.json(&["pending"])
            .as_array()
            .unwrap()
            .iter()
            .map(|p| format!("{} {}", p["release_id"].as_str().unwrap(), p["environment"]))
            .collect()
    };
    t.manager.ok(&["release", "status", &id, "planned"]);
    // Times from the data: it ran when the release was created.
    let at = t.manager.json(&["release", "show", &id])["created_at"]
        .as_str()
        .unwrap()
        .to_string();
    t.manager.deploy(&id, "prod", "succeeded", &at, &at);
    assert_eq!(
        t.manager.json(&["release", "show", &id])["status"],
        "deployed"
    );
    t.manager.ok(&["sync"]);
    t.omar.ok(&["sync"]);
    assert_eq!(pending_for(&t.omar), vec![format!("{id} \"prod\"")]);
    assert!(pending_for(&t.pia).is_empty(), "the emergency names Omar");
    t.omar.ok(&["approve", &id, "--env", "prod"]);
    let (code, v) = check(&t.omar, &["--release", &id, "--env", "prod"]);
    assert_eq!((code, v["outcome"].as_str()), (0, Some("allowed")), "{v}");
    assert!(pending_for(&t.omar).is_empty());
}

#[test]
fn two_admins_applying_policies_offline_converge_on_one_version() {
    let t = team();
    let second = t.admin.admit(t.remote.path(), "Bea Admin", &["admin"]);
    let strict = write(
        t.files.path(),
        "strict.toml",
        &TWO_APPROVALS.replace("count = 2", "count = 3"),
    );
    let lax = write(t.files.path(), "lax.toml", relm_policy::DEFAULT_POLICY);
    // Both start from version 2 and apply without syncing.
    assert_eq!(t.admin.json(&["policy", "apply", &strict])["version"], 3);
    assert_eq!(second.json(&["policy", "apply", &lax])["version"], 3);
    for _ in 0..2 {
        t.admin.ok(&["sync"]);
        second.ok(&["sync"]);
    }
    let (a, b) = (
        t.admin.json(&["policy", "show"]),
        second.json(&["policy", "show"]),
    );
    assert_eq!(a["version"], 3);
    assert_eq!(
        a["source"], b["source"],
        "both replicas hold the same version 3"
    );
    assert_eq!(
        t.admin
            .json(&["policy", "history"])
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // The other one is kept, without effect, and reported with its reason on both replicas.
    for r in [&t.admin, &second] {
        let status = r.json(&["sync", "status"]);
        let stale: Vec<&Value> = status["not_applied"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["code"] == "stale_policy")
            .collect();
        assert_eq!(stale.len(), 1, "{status}");
        assert!(
            stale[0]["reason"]
                .as_str()
                .unwrap()
                .contains("apply it again")
        );
        assert_eq!(r.json(&["audit", "verify"])["ok"], true);
    }
}

/// An app left open keeps what holds of the releases in flight while its store stays the same
/// (the dashboard asks what waits for a decision at each visit): a release submitted elsewhere
/// and synced in, then a decision given from the command line on the same data dir, each shows
/// in its next answer.
#[test]
fn an_open_app_sees_what_waits_for_its_decision_change_with_the_store() {
    let t = team();
    let app = relm_tests::reader(&t.omar.data_dir());
    let style = relm_api::gates::style(relm_policy::Lang::En, None).unwrap();
    let pending = || -> Vec<String> {
        (app.pending_my_decision(style).unwrap().iter())
            .map(|p| format!("{} {}", p.release_id, p.environment))
            .collect()
    };
    assert!(pending().is_empty());
    let id = t.manager.create_release("ledger", "2.0.0");
    t.manager.ok(&["release", "status", &id, "planned"]);
    t.manager.ok(&["sync"]);
    assert!(pending().is_empty(), "not synced in yet");
    t.omar.ok(&["sync"]);
    let waiting = vec![format!("{id} prod")];
    assert_eq!(pending(), waiting, "synced in by another process");
    assert_eq!(pending(), waiting, "asked again, nothing changed");
    t.omar.ok(&["approve", &id, "--env", "prod"]);
    assert!(
        pending().is_empty(),
        "his approval, given from the command line"
    );
}

/// What waits for a decision is judged at the first ask of each minute and kept for the rest
/// of it while the store stays the same: an approval that lapses shows at the first ask of a
/// later minute, a clock set back is judged anew, and a change of the store within the minute
/// shows at the next ask.
#[test]
fn what_waits_for_a_decision_is_judged_again_each_minute() {
    use chrono::Duration;
    let t = team();
    let id = t.manager.create_release("ledger", "2.0.0");
    t.manager.ok(&["release", "status", &id, "planned"]);
    t.manager.ok(&["sync"]);
    t.omar.ok(&["sync"]);
    t.omar.ok(&["approve", &id, "--env", "prod"]);
    let approved = relm_domain::clock::Clock::now(&relm_domain::clock::SystemClock);
    let clock = std::sync::Arc::new(relm_domain::clock::FixedClock::new(
        approved + Duration::minutes(10),
    ));
    let app = relm_api::Relm::open(&relm_api::Options {
        data_dir: t.omar.data_dir(),
        clock: clock.clone(),
        keyring: relm_api::KeyringChoice::Given(std::sync::Arc::new(
            relm_identity::keyring::MemoryKeyStore::default(),
        )),
    })
    .unwrap();
    let style = relm_api::gates::style(relm_policy::Lang::En, None).unwrap();
    let pending = || -> Vec<String> {
        (app.pending_my_decision(style).unwrap().iter())
            .map(|p| format!("{} {}", p.release_id, p.environment))
            .collect()
    };
    assert!(pending().is_empty(), "his approval counts for 72 hours");
    // 73 hours later (5 s into a minute), his approval has lapsed: the release waits for him.
    let lapsed = approved + Duration::hours(73);
    let minute = chrono::DateTime::from_timestamp(lapsed.timestamp() / 60 * 60 + 5, 0).unwrap();
    clock.set(minute);
    let waiting = vec![format!("{id} prod")];
    assert_eq!(pending(), waiting, "judged again in a later minute");
    // The clock set back: judged anew.
    clock.set(approved + Duration::minutes(10));
    assert!(pending().is_empty());
    clock.set(minute + Duration::seconds(10));
    assert_eq!(pending(), waiting);
    // Within that minute the release is cancelled elsewhere and synced in: seen at once.
    t.manager.ok(&["release", "status", &id, "cancelled"]);
    t.manager.ok(&["sync"]);
    t.omar.ok(&["sync"]);
    clock.set(minute + Duration::seconds(30));
    assert!(
        pending().is_empty(),
        "a change of the store within the minute"
    );
}

/// What the app's OS notification says when decisions begin to wait for a member: one whole
/// (the release's title, its window in its own zone, the rule that waits), several in one
/// notice naming the first three, in English and in French.
#[test]
fn a_decision_that_begins_to_wait_is_said_in_a_notice() {
    use relm_api::gates::{Notice, decisions_notice};
    use relm_policy::Lang;
    let t = team();
    let id = t
        .manager
        .plan_release("ledger", "2.0.0", "2027-03-19T18:00", "2027-03-19T20:00");
    t.manager.ok(&["release", "status", &id, "planned"]);
    t.manager.ok(&["sync"]);
    t.omar.ok(&["sync"]);
    let app = relm_tests::reader(&t.omar.data_dir());
    let en = app.pending_my_decision(Lang::En).unwrap();
    assert_eq!(en.len(), 1, "{en:?}");
    let notice = decisions_notice(&[&en[0]], Lang::En).unwrap();
    assert_eq!(
        notice.title,
        "Your decision is awaited: ledger 2.0.0 → prod"
    );
    assert_eq!(
        notice.body,
        format!(
            "Planned release. Window from 2027-03-19 18:00 CET (Europe/Paris). {}",
            en[0].reason
        )
    );
    assert!(!en[0].reason.is_empty());
    let fr = app.pending_my_decision(Lang::Fr).unwrap();
    let notice = decisions_notice(&[&fr[0]], Lang::Fr).unwrap();
    assert_eq!(
        notice.title,
        "Votre décision est attendue\u{a0}: ledger 2.0.0 → prod"
    );
    assert!(
        notice.body.starts_with(
            "Planned release. Fenêtre à partir du 2027-03-19 18:00 CET (Europe/Paris). "
        ),
        "{}",
        notice.body
    );
    assert_ne!(fr[0].reason, en[0].reason, "the rule's line in French");

    // Several at once (a sync brought them): one notice, the first three named.
    let more: Vec<relm_api::gates::PendingDecision> = ["1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0"]
        .iter()
        .map(|v| relm_api::gates::PendingDecision {
            version: v.to_string(),
            window_start: None,
            window_local: None,
            ..en[0].clone()
        })
        .collect();
    let all: Vec<_> = more.iter().collect();
    assert_eq!(
        decisions_notice(&all, Lang::En),
        Some(Notice {
            title: "5 decisions await you".into(),
            body: "ledger 1.0.0 → prod, ledger 1.1.0 → prod, ledger 1.2.0 → prod and 2 more."
                .into(),
        })
    );
    assert_eq!(
        decisions_notice(&all[..4], Lang::Fr).unwrap().body,
        "ledger 1.0.0 → prod, ledger 1.1.0 → prod, ledger 1.2.0 → prod et 1 autre."
    );
    assert_eq!(
        decisions_notice(&all[..2], Lang::Fr),
        Some(Notice {
            title: "2 décisions vous attendent".into(),
            body: "ledger 1.0.0 → prod et ledger 1.1.0 → prod.".into(),
        })
    );
    assert_eq!(decisions_notice(&[], Lang::En), None);
}
