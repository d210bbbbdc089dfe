//! Deployment records and rollback readiness through the `relm` binary: deviations computed
//! from the ledger, the release status following its deployments, idempotent references, bad
//! input refused with nothing stored, rollbacks linked to what they undid, and forged records.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_tests::forge::{Forger, plant};
use relm_tests::{Replica, not_applied, now_ms, team};
use serde_json::{Value, json};

fn kinds(recorded: &Value) -> Vec<String> {
    recorded["deviations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap().to_string())
        .collect()
}

fn status(r: &Replica, id: &str) -> String {
    r.json(&["release", "show", id])["status"]
        .as_str()
        .unwrap()
        .to_string()
}

fn list(r: &Replica, args: &[&str]) -> Vec<Value> {
    let mut a = vec!["deploy", "list"];
    a.extend(args);
    r.json(&a)["deployments"].as_array().unwrap().clone()
}

#[test]
fn deployments_are_recorded_with_their_deviations_and_move_the_status() {
    let r = Replica::new();
    r.init();
    let id = r.march_release();
    // Staging first: the promotion path, no deviation, the status stays.
    let staging = r.deploy(
        &id,
        "staging",
        "succeeded",
        "2026-03-09T09:00:00Z",
        "2026-03-09T09:12:00Z",
    );
    assert!(staging["id"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(kinds(&staging), Vec::<String>::new(), "{staging}");
    assert_eq!(status(&r, &id), "draft");
    // Production inside the window, but nobody approved it: the verdict at its start did not
    // allow it.
    let failed = r.deploy(
        &id,
        "prod",
        "failed",
        "2026-03-10T09:30:00Z",
        "2026-03-10T09:45:00Z",
    );
    assert_eq!(kinds(&failed), ["not_allowed"], "{failed}");
    assert!(
        failed["deviations"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("approvals"),
        "{failed}"
    );
    assert_eq!(failed["status"], "failed");
    assert_eq!(status(&r, &id), "failed");
    // A retry after the window: another deviation; the release is deployed.
    let ok = r.deploy(
        &id,
        "prod",
        "succeeded",
        "2026-03-10T10:40:00Z",
        "2026-03-10T11:20:00Z",
    );
    assert_eq!(kinds(&ok), ["outside_window", "not_allowed"], "{ok}");
    assert_eq!(status(&r, &id), "deployed");
    // The history says which event moved the status.
    let history = r.json(&["release", "show", &id])["status_history"].clone();
    assert!(history.to_string().contains("failed"), "{history}");

    // Listing, latest end first, with filters.
    let all = list(&r, &["--release", &id]);
    let ends: Vec<&str> = all
        .iter()
        .map(|d| d["ended_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        ends,
        [
            "2026-03-10T11:20:00Z",
            "2026-03-10T09:45:00Z",
            "2026-03-09T09:12:00Z"
        ]
    );
    assert_eq!(all[0]["deviations"].as_array().unwrap().len(), 2);
    assert_eq!(all[0]["service"], "payments");
    assert_eq!(list(&r, &["--env", "staging"]).len(), 1);
    assert_eq!(
        list(&r, &["--service", "payments", "--env", "prod"]).len(),
        2
    );
    assert_eq!(list(&r, &["--service", "search"]).len(), 0);
    assert_eq!(
        list(&r, &["--from", "2026-03-10", "--to", "2026-03-10"]).len(),
        2
    );
    assert_eq!(list(&r, &["--to", "2026-03-09"]).len(), 1);
    assert_eq!(
        list(
            &r,
            &[
                "--from",
                "2026-03-10T11:00:00Z",
                "--to",
                "2026-03-10T12:00:00Z"
            ]
        )
        .len(),
        1
    );
    // The text form names the deviations.
    let text = r.ok(&["deploy", "list", "--release", &id]);
    assert!(text.contains("outside_window"), "{text}");
    // `release deployed` is the short form: now, as the release is now.
    let out = r.json(&["release", "deployed", &id, "--env", "staging"]);
    assert_eq!(out["outcome"], "succeeded");
    assert_eq!(list(&r, &["--env", "staging"]).len(), 2);
    // The replay from the events gives the same deviations.
    let before = r.digest();
    r.ok(&["rebuild"]);
    assert_eq!(before, r.digest());
    r.ok(&["audit", "verify"]);
}

#[test]
fn a_reference_records_a_deployment_once() {
    let r = Replica::new();
    r.init();
    let id = r.march_release();
    let args = |outcome: &'static str| {
        vec![
            "deploy",
            "record",
            id.as_str(),
            "--env",
            "staging",
            "--outcome",
            outcome,
            "--start",
            "2026-03-09T09:00:00Z",
            "--end",
            "2026-03-09T09:12:00Z",
            "--ref",
            "github:8812345",
            "--tool",
            "GitHub Actions",
            "--link",
            "https://github.example/acme/payments/actions/runs/8812345",
        ]
    };
    let first = r.json(&args("succeeded"));
    assert_eq!(first["existing"], false);
    let events = r.event_count();
    // The connector imports the same history again: nothing new.
    let again = r.json(&args("succeeded"));
    assert_eq!(again["existing"], true);
    assert_eq!(again["id"], first["id"]);
    assert_eq!(r.event_count(), events);
    // The same reference saying something else is refused.
    let err = r.fails(&args("failed"), 2);
    assert!(
        err.contains("github:8812345") && err.contains("already"),
        "{err}"
    );
    assert_eq!(r.event_count(), events);
    let rows = list(&r, &[]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["external_ref"], "github:8812345");
    assert_eq!(rows[0]["tool"], "GitHub Actions");
}

#[test]
fn bad_deployments_are_refused_with_the_reason_and_nothing_is_stored() {
    let r = Replica::new();
    r.init();
    let id = r.march_release();
    let events = r.event_count();
    let base = |env: &str, start: &str, end: &str| -> Vec<String> {
        [
            "deploy",
            "record",
            id.as_str(),
            "--env",
            env,
            "--outcome",
            "succeeded",
            "--start",
            start,
            "--end",
            end,
        ]
        .map(String::from)
        .to_vec()
    };
    let (s, e) = ("2026-03-09T09:00:00Z", "2026-03-09T09:12:00Z");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (base("prod", e, s), "before it starts"),
        (base("prod", "2026-03-09T09:00", e), "not an RFC 3339 time"),
        (base("prod", s, "2999-01-01T00:00:00Z"), "later than now"),
        (base("qa", s, e), "does not target `qa`"),
        (
            {
                let mut a = base("prod", s, e);
                a[2] = "0000dead".into();
                a
            },
            "no release",
        ),
        (
            [base("prod", s, e), vec!["--ref".into(), "8812345".into()]].concat(),
            "not TOOL:ID",
        ),
        (
            [base("prod", s, e), vec!["--link".into(), "ftp://x".into()]].concat(),
            "not a web link",
        ),
        (
            {
                let mut a = base("prod", s, e);
                a[6] = "exploded".into();
                a
            },
            "invalid value 'exploded'",
        ),
    ];
    for (args, why) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = r.fails(&args, 2);
        assert!(err.contains(why), "{args:?}: {err}");
        assert_eq!(r.event_count(), events, "{args:?} stored something");
    }
    assert!(list(&r, &[]).is_empty());
}

#[test]
fn a_deployment_recorded_after_the_fact_may_predate_the_release() {
    let r = Replica::new();
    r.init();
    let id = r.march_release();
    // Imported from a platform's history: a year before the release was entered in Relm.
    let old = r.deploy(
        &id,
        "staging",
        "succeeded",
        "2025-02-01T09:00:00Z",
        "2025-02-01T09:05:00Z",
    );
    assert_eq!(old["existing"], false);
    assert_eq!(list(&r, &[])[0]["started_at"], "2025-02-01T09:00:00Z");
}

fn plan(r: &Replica, id: &str, extra: &[&str]) -> Value {
    let mut a = vec![
        "rollback",
        "plan",
        id,
        "--previous-version",
        "4.1.3",
        "--steps",
        "helm rollback payments 41\nverify the refund queue drains",
    ];
    a.extend(extra);
    r.json(&a)
}

#[test]
fn rollback_readiness_follows_the_plan_and_its_rehearsals() {
    let r = Replica::new();
    r.init();
    let id = r.march_release();
    assert_eq!(r.json(&["rollback", "show", &id])["readiness"], "no_plan");
    let events = r.event_count();
    // Bad plans: every problem at once, nothing stored.
    let err = r.fails(
        &[
            "rollback",
            "plan",
            &id,
            "--previous-version",
            " ",
            "--steps",
            "",
            "--reversible",
            "no",
            "--duration",
            "0",
            "--decider",
            "nobody@acme.example",
        ],
        2,
    );
    for field in [
        "previous_version",
        "steps",
        "forward_fix",
        "duration_minutes",
        "decider",
    ] {
        assert!(err.contains(field), "{field}: {err}");
    }
    assert_eq!(r.event_count(), events);

    let v = plan(
        &r,
        &id,
        &[
            "--reversible",
            "no",
            "--forward-fix",
            "replay the refund journal",
            "--flag",
            "refund-batching",
            "--duration",
            "15",
            "--decider",
            "ada@acme.example",
        ],
    );
    assert_eq!(v["readiness"], "planned");
    assert_eq!(v["plan"]["plan"]["reversible"], false);
    assert_eq!(
        v["plan"]["plan"]["feature_flags"],
        json!(["refund-batching"])
    );
    assert_eq!(v["decider_name"], "Ada Lovelace");

    let v = r.json(&[
        "rollback",
        "rehearse",
        &id,
        "--env",
        "staging",
        "--result",
        "failed",
        "--evidence",
        "https://ci.example/rehearsal/1",
    ]);
    assert_eq!(v["readiness"], "rehearsal_failed");
    // A passing rehearsal with an evidence file: its SHA-256 is kept.
    let evidence = r.root.path().join("rehearsal.log");
    std::fs::write(&evidence, "rolled back to 4.1.3 in 6 minutes\n").unwrap();
    let v = r.json(&[
        "rollback",
        "rehearse",
        &id,
        "--env",
        "staging",
        "--result",
        "passed",
        "--evidence",
        evidence.to_str().unwrap(),
        "--note",
        "6 minutes",
    ]);
    assert_eq!(v["readiness"], "rehearsed");
    use sha2::Digest;
    let digest = format!(
        "sha256:{}",
        hex::encode(sha2::Sha256::digest(std::fs::read(&evidence).unwrap()))
    );
    assert_eq!(v["rehearsals"][1]["evidence_digest"], digest.as_str());
    // Rewriting the plan needs a new rehearsal.
    let v = plan(&r, &id, &[]);
    assert_eq!(v["readiness"], "planned");

    // Evidence that is not a file, a FIFO, a bad digest, an environment nobody knows.
    let events = r.event_count();
    let fifo = r.root.path().join("pipe");
    relm_tests::mkfifo(&fifo);
    // Each with what the CLI says, and the file's problem the app words.
    for (evidence, env, why, file) in [
        (
            fifo.to_str().unwrap(),
            "staging",
            "not a regular file",
            Some("not_regular"),
        ),
        (
            "/nonexistent/evidence.log",
            "staging",
            "cannot read",
            Some("unreadable"),
        ),
        ("sha256:abc", "staging", "64 hex digits", None),
        (
            "https://ci.example/1",
            "moon",
            "neither an environment",
            None,
        ),
    ] {
        let args = [
            "rollback",
            "rehearse",
            &id,
            "--env",
            env,
            "--result",
            "passed",
            "--evidence",
            evidence,
        ];
        let err = r.fails(&args, 2);
        assert!(err.contains(why), "{evidence}: {err}");
        if let Some(file) = file {
            let problem = &r.refused(&args, 2)["problems"][0];
            assert_eq!(
                (
                    &problem["field"],
                    &problem["code"],
                    &problem["params"]["reason"]
                ),
                (&"evidence".into(), &"bad_file".into(), &file.into()),
                "{problem}"
            );
        }
    }
    assert_eq!(r.event_count(), events);
}

#[test]
fn a_rollback_is_linked_to_the_deployment_it_undid_and_the_plan_in_force() {
    let r = Replica::new();
    r.init();
    let id = r.march_release();
    // Nothing to roll back yet.
    let err = r.fails(
        &[
            "rollback",
            "record",
            &id,
            "--env",
            "prod",
            "--to-version",
            "4.1.3",
            "--reason",
            "refunds stuck",
        ],
        2,
    );
    assert!(err.contains("no deployment to prod"), "{err}");
    let planned = plan(&r, &id, &[]);
    r.deploy(
        &id,
        "staging",
        "succeeded",
        "2026-03-09T09:00:00Z",
        "2026-03-09T09:12:00Z",
    );
    let prod = r.deploy(
        &id,
        "prod",
        "succeeded",
        "2026-03-10T09:30:00Z",
        "2026-03-10T09:45:00Z",
    );
    assert_eq!(status(&r, &id), "deployed");
    // A deployment id of another environment is not this rollback's.
    let staging_id = list(&r, &["--env", "staging"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let err = r.fails(
        &[
            "rollback",
            "record",
            &id,
            "--env",
            "prod",
            "--to-version",
            "4.1.3",
            "--reason",
            "refunds stuck",
            "--deployment",
            &staging_id,
        ],
        2,
    );
    assert!(err.contains("has no deployment"), "{err}");
    let v = r.json(&[
        "rollback",
        "record",
        &id,
        "--env",
        "prod",
        "--to-version",
        "4.1.3",
        "--reason",
        "refunds stuck in the queue",
    ]);
    assert_eq!(v["rollbacks"][0]["deployment"], prod["id"]);
    assert_eq!(v["rollbacks"][0]["plan_event"], planned["plan"]["event_id"]);
    assert_eq!(status(&r, &id), "rolled_back");
    let undone = &list(&r, &["--env", "prod"])[0];
    assert_eq!(
        (
            undone["outcome"].as_str(),
            undone["recorded_outcome"].as_str()
        ),
        (Some("rolled_back"), Some("succeeded"))
    );
    assert_eq!(undone["rolled_back_by"], v["rollbacks"][0]["id"]);
    let before = r.digest();
    r.ok(&["rebuild"]);
    assert_eq!(before, r.digest());
}

#[test]
fn forged_deployments_cannot_leave_out_deviations_or_claim_the_future() {
    let (a, b, remote) = team();
    // Bob plans the release (his events show the membership he had seen).
    let id = b.march_release();
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    a.deploy(
        &id,
        "staging",
        "succeeded",
        "2026-03-09T09:00:00Z",
        "2026-03-09T09:12:00Z",
    );
    a.ok(&[
        "deploy",
        "record",
        &id,
        "--env",
        "prod",
        "--outcome",
        "succeeded",
        "--start",
        "2026-03-10T09:30:00Z",
        "--end",
        "2026-03-10T09:40:00Z",
        "--ref",
        "argocd:payments-41",
    ]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    let digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    let payload = |env: &str, start: &str, end: &str, reference: &str| {
        json!({
            "release_id": id, "environment": env, "outcome": "succeeded",
            "release_digest": digest, "started_at": start, "ended_at": end,
            "external_ref": reference,
            // What a forger would like the record to say: every replica computes its own.
            "deviations": [],
        })
    };
    // Bob signs, with his own key: a production deployment at 3 a.m. claiming no deviation;
    // one that says it ended in 2099; one that ends before it starts; one that takes Ada's
    // reference.
    let mut forger = Forger::of(&b);
    let events: Vec<_> = [
        ("2026-03-12T02:00:00Z", "2026-03-12T02:10:00Z", "gh:1"),
        ("2099-01-01T00:00:00Z", "2099-01-01T00:10:00Z", "gh:2"),
        ("2026-03-12T02:00:00Z", "2026-03-12T01:00:00Z", "gh:3"),
        (
            "2026-03-12T02:00:00Z",
            "2026-03-12T02:10:00Z",
            "argocd:payments-41",
        ),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (start, end, reference))| {
        forger.next(
            now_ms() + i as u64,
            "deployment.recorded",
            payload("prod", start, end, reference),
        )
    })
    .collect();
    plant(remote.path(), "bob-forged", &forger.workspace, &events);
    let out = a.run(&["--json", "sync"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["remotes"][0]["report"]["pulled"]["not_applied"],
        3,
        "{report} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let why = not_applied(&a, "deployment.recorded");
    assert_eq!(why.len(), 3, "{why:?}");
    for needle in [
        "after it was recorded",
        "before it starts",
        "already recorded",
    ] {
        assert!(why.iter().any(|w| w.contains(needle)), "{needle}: {why:?}");
    }
    let night: Vec<Value> = list(&a, &["--env", "prod"])
        .into_iter()
        .filter(|d| d["external_ref"] == "gh:1")
        .collect();
    assert_eq!(night.len(), 1);
    let kinds: Vec<&str> = night[0]["deviations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["outside_window", "not_allowed"], "{night:?}");
    a.ok(&["audit", "verify"]);
}
