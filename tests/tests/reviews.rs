//! Post-release reviews and their actions: a review made mandatory by a failed deployment,
//! drafted from the ledger (the timeline pinned in a snapshot), written, refused sign-offs (no
//! role, twice), signed off by the owner and an approver, actions refused and added, late ones
//! seen later and in the next release's verdict, and forged events that do not count.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use chrono::{Duration, TimeZone, Utc};
use relm_api::deployments::DeploymentInput;
use relm_api::releases::ReleaseInput;
use relm_api::reviews::{ReviewInput, ReviewQuery, ReviewStatus};
use relm_tests::forge::Forger;
use relm_tests::{
    Replica, failed_in_prod, not_applied, now_ms, pinned_workspace as workspace, prod_release, team,
};
use serde_json::{Value, json};

/// A release to staging then prod planned 2026-03-10 10:00–12:00 Paris; its prod deployment
/// failed.
fn failed_release(r: &Replica) -> String {
    let id = r.march_release();
    for (env, outcome, start, end) in [
        (
            "staging",
            "succeeded",
            "2026-03-09T09:00:00Z",
            "2026-03-09T09:10:00Z",
        ),
        (
            "prod",
            "failed",
            "2026-03-10T09:30:00Z",
            "2026-03-10T09:50:00Z",
        ),
    ] {
        r.ok(&[
            "deploy",
            "record",
            &id,
            "--env",
            env,
            "--outcome",
            outcome,
            "--start",
            start,
            "--end",
            end,
        ]);
    }
    id
}

#[test]
fn a_failed_release_is_reviewed_signed_off_and_followed_up() {
    let (a, b, remote) = team();
    let id = failed_release(&a);
    // The failure makes the review mandatory, due five days after it (the default policy).
    let due: Vec<Value> = a.json(&["review", "list", "--due"])["reviews"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0]["release_id"], id.as_str());
    assert_eq!(due[0]["status"], "missing");
    assert_eq!(due[0]["due"], "2026-03-15");
    assert_eq!(due[0]["overdue"], true);
    assert_eq!(
        due[0]["reasons"],
        json!(["deviation", "failed"]),
        "the deployment failed and nobody had approved it"
    );

    // Drafted from what happened: the outcome is the release's, the timeline is its ledger.
    let v = a.json(&["review", "draft", &id]);
    for key in ["timeline", "actions", "signatures", "status"] {
        assert!(v.get(key).is_some(), "{key} in {v}");
    }
    assert_eq!(v["status"], "draft");
    assert_eq!(v["content"]["outcome"], "failed");
    let kinds: Vec<&str> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in [
        "created",
        "deployment",
        "deviation",
        "window_start",
        "window_end",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    let first = &v["timeline"][0];
    for key in ["at", "kind", "text", "event"] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }

    // Marking it reviewed by hand is refused: the sign-offs do it.
    let events = a.event_count();
    let err = a.fails(&["release", "status", &id, "reviewed"], 2);
    assert!(err.contains("mandatory"), "{err}");
    assert_eq!(a.event_count(), events);
    // Signing before it says what went well or badly: refused, nothing stored.
    let err = a.fails(&["review", "sign", &id], 2);
    assert!(err.contains("went well"), "{err}");
    assert_eq!(a.event_count(), events);
    // Bad incidents: every one refused with its reason, nothing stored.
    let err = a.fails(
        &[
            "review",
            "update",
            &id,
            "--incident",
            "INC-1:sev9:2026-03-10T09:50:00Z",
            "--incident",
            "INC-2:sev2:2026-03-10T10:50:00Z:2026-03-10T10:00:00Z",
        ],
        2,
    );
    assert!(
        err.contains("incident severity") && err.contains("ends before"),
        "{err}"
    );
    assert_eq!(a.event_count(), events);
    let v = a.json(&[
        "review",
        "update",
        &id,
        "--went-well",
        "Rolled back in six minutes",
        "--went-badly",
        "Nobody approved it before it went out",
        "--incident",
        "INC-4411:sev2:2026-03-10T09:50:00Z:2026-03-10T10:40:00Z",
    ]);
    assert_eq!(v["content"]["incidents"][0]["reference"], "INC-4411");
    assert!(
        v["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "incident"),
        "the incident in the timeline"
    );

    // Ada owns the release: her sign-off, then not twice.
    let v = a.json(&["review", "sign", &id]);
    assert_eq!(v["awaiting"], json!(["approver"]));
    let events = a.event_count();
    let err = a.fails(&["review", "sign", &id], 2);
    assert!(err.contains("already"), "{err}");
    assert_eq!(a.event_count(), events);
    // Bob is a release manager, not an approver: refused.
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    let err = b.fails(&["review", "sign", &id], 2);
    assert!(err.contains("approver role"), "{err}");
    // Cat is an approver: her sign-off completes the review; the release is reviewed.
    let cat = a.admit(remote.path(), "Cat", &["approver"]);
    cat.ok(&["sync"]);
    let v = cat.json(&["review", "sign", &id]);
    assert_eq!(v["status"], "signed");
    assert_eq!(v["release_status"], "reviewed");
    // Signed off: it is history.
    let err = cat.fails(&["review", "update", &id, "--went-well", "more"], 2);
    assert!(err.contains("signed off"), "{err}");

    // Actions: without an owner, due in the past, for nobody we know: refused, nothing stored.
    cat.ok(&["sync"]);
    a.ok(&["sync"]);
    let events = a.event_count();
    for (owner, due, why) in [
        ("", "2099-01-01", "owner"),
        ("bob@acme.example", "2020-01-01", "has passed"),
        ("nobody@acme.example", "2099-01-01", "no active member"),
        ("bob@acme.example", "next week", "not a date"),
    ] {
        let err = a.fails(
            &[
                "action",
                "add",
                &id,
                "--title",
                "Alert sooner",
                "--owner",
                owner,
                "--due",
                due,
            ],
            2,
        );
        assert!(err.contains(why), "{owner} {due}: {err}");
    }
    assert_eq!(a.event_count(), events);
    let today = {
        use relm_domain::clock::{Clock, SystemClock};
        SystemClock.now().date_naive()
    };
    let due = (today + Duration::days(3)).to_string();
    let act = a.json(&[
        "action",
        "add",
        &id,
        "--title",
        "Alert on the error rate two minutes after a deployment",
        "--owner",
        "bob@acme.example",
        "--due",
        &due,
    ]);
    let action = act["id"].as_str().unwrap().to_string();
    assert_eq!(act["owner_name"], "Bob");
    assert_eq!(
        a.json(&["action", "list", "--overdue"])["actions"],
        json!([])
    );
    // Ten days later it is overdue: in the list, and in the verdict of the service's next
    // production release.
    let later = a
        .cmd_with_clock("+10d", &["--json", "action", "list", "--overdue"])
        .output()
        .unwrap();
    let late: Value = serde_json::from_slice(&later.stdout).unwrap();
    assert_eq!(late["actions"][0]["id"], action.as_str());
    let next = a.create_release("payments", "4.3.0");
    let out = a
        .cmd_with_clock(
            "+10d",
            &["--json", "check", "--release", &next, "--env", "prod"],
        )
        .output()
        .unwrap();
    let verdict: Value = serde_json::from_slice(&out.stdout).unwrap();
    let line = verdict["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rule"] == "review")
        .unwrap()
        .clone();
    assert_eq!(line["status"], "fail", "{line}");
    assert!(
        line["reason"]
            .as_str()
            .unwrap()
            .contains("Alert on the error rate"),
        "{line}"
    );
    // Done: no longer late.
    a.ok(&["action", "done", &action]);
    let out = a
        .cmd_with_clock(
            "+10d",
            &["--json", "check", "--release", &next, "--env", "prod"],
        )
        .output()
        .unwrap();
    let verdict: Value = serde_json::from_slice(&out.stdout).unwrap();
    let line = verdict["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rule"] == "review")
        .unwrap()
        .clone();
    assert_eq!(line["status"], "pass", "{line}");
    let err = a.fails(&["action", "done", &action], 2);
    assert!(err.contains("done already"), "{err}");
    a.ok(&["audit", "verify"]);
    let before = a.digest();
    a.ok(&["rebuild"]);
    assert_eq!(before, a.digest());
}

#[test]
fn an_overdue_review_holds_the_next_release_and_forged_sign_offs_do_not_count() {
    let (a, b, remote) = team();
    // Bob owns this one; its deployment failed.
    let id = failed_release(&b);
    b.ok(&["review", "draft", &id]);
    b.json(&["review", "update", &id, "--went-badly", "no approval"]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    // The review was due in March: the next production release of payments is held.
    let next = a.create_release("payments", "4.3.0");
    let verdict = relm_tests_check(&a, &next);
    let line = verdict["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rule"] == "review")
        .unwrap()
        .clone();
    assert_eq!(line["status"], "fail", "{line}");
    assert!(
        line["reason"]
            .as_str()
            .unwrap()
            .contains("payments 4.2.0 (2026-03-15)"),
        "{line}"
    );
    // Another service's release is not held.
    let other = a.create_release("search", "1.0.0");
    let verdict = relm_tests_check(&a, &other);
    assert_eq!(
        verdict["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rule"] == "review")
            .unwrap()["status"],
        "pass"
    );
    // Bob signs as the owner, then forges an approver's sign-off with his own key, and a
    // second one of his own: neither counts.
    let signed = b.json(&["review", "sign", &id]);
    let digest = signed["digest"].as_str().unwrap().to_string();
    let mut forger = Forger::of(&b);
    let events = vec![
        forger.next(
            now_ms(),
            "review.signed",
            json!({"release_id": id, "digest": digest}),
        ),
        forger.next(
            now_ms() + 1,
            "action.added",
            json!({"action_id": "01900000-0000-7000-8000-00000000a001", "release_id": id,
                   "title": "Backdated", "owner": b.keyring_entry().1, "due": "2020-01-01"}),
        ),
    ];
    relm_tests::forge::plant(remote.path(), "bob-forged", &forger.workspace, &events);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    let why = not_applied(&a, "review.signed");
    assert_eq!(why.len(), 1, "{why:?}");
    assert!(why[0].contains("signed this review already"), "{why:?}");
    assert_eq!(not_applied(&a, "action.added").len(), 1);
    let v = a.json(&["review", "show", &id]);
    assert_eq!(v["status"], "draft");
    assert_eq!(v["awaiting"], json!(["approver"]));
    a.ok(&["audit", "verify"]);
}

#[test]
fn a_rollback_adds_its_reason_keeps_the_first_due_date_and_every_replica_agrees() {
    let (a, b, _remote) = team();
    let id = failed_release(&a);
    // The failed deployment is rolled back a day later: one more reason, the same due date.
    a.ok(&[
        "rollback",
        "record",
        &id,
        "--env",
        "prod",
        "--to-version",
        "4.1.9",
        "--reason",
        "errors",
    ]);
    let mine = a.json(&["review", "list", "--due"])["reviews"].clone();
    assert_eq!(mine[0]["release_id"], id.as_str());
    assert_eq!(
        mine[0]["reasons"],
        json!(["deviation", "failed", "rolled_back"])
    );
    assert_eq!(mine[0]["due"], "2026-03-15");
    // Bob's replica applies the same events in its own order and comes to the same.
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    assert_eq!(b.json(&["review", "list", "--due"])["reviews"], mine);
    // A replay from the ledger alone gives the same table.
    let before = b.digest();
    b.ok(&["rebuild"]);
    assert_eq!(b.digest(), before);
}

fn relm_tests_check(r: &Replica, id: &str) -> Value {
    let out = r
        .cmd(&["--json", "check", "--release", id, "--env", "prod"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn nothing_to_review_before_a_deployment() {
    let r = Replica::new();
    r.init();
    let id = r.create_release("payments", "1.0.0");
    let err = r.fails(&["review", "draft", &id], 2);
    assert!(err.contains("not been deployed"), "{err}");
    assert!(
        r.json(&["review", "list"])["reviews"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

/// The drafted timeline of a release with a window, an override, a deployment with its
/// deviations, a rollback and an incident, at a pinned clock.
#[test]
fn the_drafted_timeline() {
    let (_dir, clock, mut relm) = workspace("Timeline");
    let release = relm
        .create_release(&ReleaseInput {
            service: Some("payments".into()),
            version: Some("4.2.0".into()),
            title: Some("Refund batching".into()),
            environments: Some(vec!["staging".into(), "prod".into()]),
            window: Some((
                "2027-03-10T10:00".into(),
                "2027-03-10T12:00".into(),
                "Europe/Paris".into(),
            )),
            ..Default::default()
        })
        .unwrap();
    let id = release.id.clone();
    clock.advance(Duration::hours(2));
    relm.set_release_status(&id, "planned", None).unwrap();
    // Approved although nobody had approved it: an override, with its reason.
    clock.set(Utc.with_ymd_and_hms(2027, 3, 9, 16, 0, 0).unwrap());
    relm.set_release_status(&id, "approved", Some("regulator deadline on the 10th"))
        .unwrap();
    clock.set(Utc.with_ymd_and_hms(2027, 3, 10, 9, 30, 0).unwrap());
    relm.record_deployment_full(&DeploymentInput {
        release: id.clone(),
        environment: "prod".into(),
        outcome: "succeeded".into(),
        start: Some("2027-03-10T09:05:00Z".into()),
        end: Some("2027-03-10T09:25:00Z".into()),
        tool: Some("Argo CD".into()),
        ..Default::default()
    })
    .unwrap();
    clock.set(Utc.with_ymd_and_hms(2027, 3, 10, 10, 0, 0).unwrap());
    relm.record_rollback(&id, "prod", "4.1.3", "refunds stuck", None)
        .unwrap();
    clock.set(Utc.with_ymd_and_hms(2027, 3, 11, 9, 0, 0).unwrap());
    relm.draft_review(&id).unwrap();
    let v = relm
        .update_review(
            &id,
            &ReviewInput {
                went_well: Some("fast rollback".into()),
                incidents: Some(vec![
                    relm_domain::review::Incident::parse(
                        "INC-77:sev1:2027-03-10T09:30:00Z:2027-03-10T10:05:00Z",
                    )
                    .unwrap(),
                ]),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(v.status, ReviewStatus::Draft);
    let lines: Vec<String> = v
        .timeline
        .iter()
        .map(|e| format!("{}  {:<13} {}", e.at, e.kind, e.text))
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
}

/// The review list a page at a time: required reviews due soonest first, then drafts nobody
/// required, then those signed off; each page's total counts the whole query, the pages put
/// together are the whole list, and the dashboard's counts agree with the overdue filter.
#[test]
fn the_review_list_in_pages() {
    let (_dir, clock, mut relm) = workspace("Pages");
    // Five failed deployments to prod, a day apart from 2027-03-02 (required reviews, due five
    // days later), and one to dev that succeeded, whose review is opened all the same.
    let mut failed = Vec::new();
    let mut fine = String::new();
    for n in 0..6 {
        let id = relm
            .create_release(&ReleaseInput {
                service: Some(format!("svc-{n}")),
                version: Some("1.0.0".into()),
                title: Some("Paged".into()),
                environments: Some(vec![if n == 5 { "dev" } else { "prod" }.into()]),
                window: Some((
                    format!("2027-03-0{}T09:00", 2 + n),
                    format!("2027-03-0{}T12:00", 2 + n),
                    "UTC".into(),
                )),
                ..Default::default()
            })
            .unwrap()
            .id;
        let end = Utc.with_ymd_and_hms(2027, 3, 2 + n, 10, 0, 0).unwrap();
        clock.set(end + Duration::minutes(5));
        relm.record_deployment_full(&DeploymentInput {
            release: id.clone(),
            environment: if n == 5 { "dev" } else { "prod" }.into(),
            outcome: if n == 5 { "succeeded" } else { "failed" }.into(),
            start: Some(relm_domain::window::fmt_utc(end - Duration::minutes(20))),
            end: Some(relm_domain::window::fmt_utc(end)),
            ..Default::default()
        })
        .unwrap();
        if n == 5 {
            fine = id;
        } else {
            failed.push(id);
        }
    }
    // Listed in reverse order of creation of their reviews: the order is the due dates'.
    relm.draft_review(&failed[1]).unwrap();
    relm.draft_review(&fine).unwrap();
    // 2027-03-10: the first three reviews were due before today (03-07 to 03-09); the fourth
    // is due today, not late yet.
    clock.set(Utc.with_ymd_and_hms(2027, 3, 10, 12, 0, 0).unwrap());
    let page = |q: ReviewQuery| relm.review_page(&q).unwrap();
    let ids = |p: &relm_api::reviews::ReviewPage| -> Vec<String> {
        p.reviews.iter().map(|r| r.release_id.clone()).collect()
    };
    let open = |limit, offset| ReviewQuery {
        open: true,
        limit,
        offset,
        ..Default::default()
    };

    let first = page(open(2, 0));
    assert_eq!(first.total, 6, "five required and one draft");
    assert_eq!(ids(&first), failed[..2]);
    assert_eq!(first.reviews[1].status, ReviewStatus::Draft);
    let last = page(open(2, 4));
    assert_eq!(ids(&last), vec![failed[4].clone(), fine.clone()]);
    assert!(
        !last.reviews[1].required && last.reviews[1].due.is_none(),
        "{:?}",
        last.reviews
    );
    assert!(page(open(2, 6)).reviews.is_empty());
    assert_eq!(page(open(2, 6)).total, 6);

    // Every page of one, put together, is the whole list, which is the CLI's.
    let all = relm.reviews(&ReviewQuery::default()).unwrap();
    let mut walked = Vec::new();
    for offset in 0..8 {
        let p = page(ReviewQuery {
            limit: 1,
            offset,
            ..Default::default()
        });
        assert_eq!(p.total, 6);
        walked.extend(p.reviews);
    }
    assert_eq!(walked, all);
    assert_eq!(all.len(), 6);

    let overdue = page(ReviewQuery {
        overdue: true,
        ..Default::default()
    });
    assert_eq!(ids(&overdue), failed[..3]);
    assert_eq!(overdue.total, 3);
    assert!(overdue.reviews.iter().all(|r| r.overdue));
    let counts = relm.review_counts().unwrap();
    assert_eq!((counts.due, counts.overdue), (5, overdue.total));
}

/// A verdict judged at an instant before the one every service's follow-ups were read from at
/// once (the digest and the period report move the instant) must not lose what was done in
/// between: the service's follow-ups are read again, in full.
#[test]
fn follow_ups_read_at_once_from_an_instant_are_read_again_for_an_earlier_one() {
    use relm_store::projection::governance;
    let (_dir, clock, mut relm) = workspace("Earlier");
    let failed = prod_release(&mut relm, "api", "1.0.0");
    let judged = prod_release(&mut relm, "api", "1.1.0");
    // Failed on 2 March; a follow-up action due on the 5th is done late, on the 10th.
    let end = Utc.with_ymd_and_hms(2027, 3, 2, 10, 0, 0).unwrap();
    failed_in_prod(&mut relm, &clock, &failed, end);
    let me = relm.members().unwrap()[0].key_id.clone();
    let action = relm
        .add_action(&failed, "Add an alert", &me, "2027-03-05")
        .unwrap();
    clock.set(Utc.with_ymd_and_hms(2027, 3, 10, 9, 0, 0).unwrap());
    relm.action_done(&action.action.id).unwrap();

    let conn = relm.store().conn();
    let policy = relm_policy::Policy::parse(relm_policy::DEFAULT_POLICY).unwrap();
    let late = |shared: &governance::Shared| {
        governance::facts(conn, &judged, shared)
            .unwrap()
            .unwrap()
            .reviews
            .overdue_actions
            .len()
    };
    let before = Utc.with_ymd_and_hms(2027, 3, 9, 12, 0, 0).unwrap();
    let after = Utc.with_ymd_and_hms(2027, 3, 11, 12, 0, 0).unwrap();
    // Read at once from after the action was done: it is not late then.
    let mut shared = governance::shared(conn, after, &policy).unwrap();
    shared
        .expecting(conn, governance::MANY_RELEASES + 1)
        .unwrap();
    assert_eq!(late(&shared), 0);
    // Judged before it: the action was late, as a fresh read says.
    shared.now = before;
    let fresh = governance::shared(conn, before, &policy).unwrap();
    assert_eq!(late(&fresh), 1, "not vacuous: the action was late then");
    assert_eq!(late(&shared), 1);
    // And after it again.
    shared.now = after;
    assert_eq!(late(&shared), 0);
}

/// Verdicts on many releases read every service's follow-ups at once
/// (`follow_ups_by_service`), leaving out what was signed off or done before the instant they
/// are judged at. From before everything, each service's must be exactly what reading that
/// service alone gives: the same mandatory reviews (signed off or not) and actions (done or
/// not), in the same order, and nothing for a service that has none. From any later instant,
/// they must say what was late at that instant and after it as the full read does, and leave
/// something out (the signed-off review, the done action).
#[test]
fn every_services_follow_ups_read_at_once_are_each_ones_read_alone() {
    use relm_store::projection::reviews::{follow_ups_by_service, follow_ups_of_service};
    let (_dir, clock, mut relm) = workspace("Follow-ups");
    let mut releases = Vec::new();
    // Three services with failed deployments (mandatory reviews), one never deployed.
    for (n, service) in ["api", "web", "api", "jobs", "web", "quiet"]
        .iter()
        .enumerate()
    {
        let id = prod_release(&mut relm, service, &format!("1.{n}.0"));
        releases.push(id.clone());
        if *service == "quiet" {
            continue;
        }
        let end = Utc
            .with_ymd_and_hms(2027, 3, 2 + n as u32, 10, 0, 0)
            .unwrap();
        failed_in_prod(&mut relm, &clock, &id, end);
    }
    // A review with one sign-off of the two it needs (the owner's: the only member is both),
    // actions open and done, on two services.
    relm.draft_review(&releases[1]).unwrap();
    let written = ReviewInput {
        went_well: Some("caught in minutes".into()),
        ..Default::default()
    };
    relm.update_review(&releases[1], &written).unwrap();
    relm.sign_review(&releases[1]).unwrap();
    let me = relm.members().unwrap()[0].key_id.clone();
    for (r, due) in [(0, "2027-03-20"), (2, "2027-03-15"), (4, "2027-03-18")] {
        relm.add_action(&releases[r], "Add an alert", &me, due)
            .unwrap();
    }
    let done = relm
        .add_action(&releases[0], "Fix the retry", &me, "2027-03-12")
        .unwrap();
    relm.action_done(&done.action.id).unwrap();

    let conn = relm.store().conn();
    let at = |y, mo, d, h, mi| Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap();
    let stamp =
        |t: chrono::DateTime<Utc>| relm_domain::hlc::Hlc::packed_after(t.timestamp_millis());
    let all = follow_ups_by_service(conn, 5, stamp(at(2027, 3, 1, 0, 0))).unwrap();
    let mut services: Vec<&String> = all.keys().collect();
    services.sort();
    assert_eq!(
        services,
        ["api", "jobs", "web"],
        "a service with no follow-ups is left out"
    );
    for service in ["api", "web", "jobs", "quiet"] {
        let alone = follow_ups_of_service(conn, service, 5, None).unwrap();
        assert_eq!(
            all.get(service).cloned().unwrap_or_default(),
            alone,
            "{service}"
        );
    }
    // Read from later instants: the sign-off and the action done happened at 10:05 on 6 March.
    let instants = [
        at(2027, 3, 6, 10, 0),
        at(2027, 3, 6, 10, 6),
        at(2027, 3, 12, 0, 0),
        at(2027, 3, 16, 12, 0),
        at(2027, 4, 1, 0, 0),
    ];
    let mut excepts: Vec<&str> = releases.iter().map(String::as_str).collect();
    excepts.push("none");
    for (i, from) in instants.iter().enumerate() {
        let read = follow_ups_by_service(conn, 5, stamp(*from)).unwrap();
        for service in ["api", "web", "jobs", "quiet"] {
            let alone = follow_ups_of_service(conn, service, 5, None).unwrap();
            let bulk = read.get(service).cloned().unwrap_or_default();
            let alone_from = follow_ups_of_service(conn, service, 5, Some(stamp(*from))).unwrap();
            assert_eq!(
                bulk, alone_from,
                "{service} read from {from}, at once and alone"
            );
            for now in &instants[i..] {
                for except in &excepts {
                    assert_eq!(
                        bulk.late(*now, except),
                        alone.late(*now, except),
                        "{service} read from {from}, judged at {now} except {except}"
                    );
                }
            }
        }
    }
    let after = follow_ups_by_service(conn, 5, stamp(at(2027, 3, 6, 10, 6))).unwrap();
    assert_ne!(
        after.get("api").cloned().unwrap_or_default(),
        follow_ups_of_service(conn, "api", 5, None).unwrap(),
        "api: the action done before the instant is left out"
    );
    // Not vacuous: the service read alone has its two reviews and three actions, in order.
    let api = follow_ups_of_service(conn, "api", 5, None).unwrap();
    let late = api.late(Utc.with_ymd_and_hms(2027, 4, 1, 0, 0, 0).unwrap(), "none");
    assert_eq!(late.overdue_reviews.len(), 2);
    let dues: Vec<&str> = late
        .overdue_actions
        .iter()
        .map(|a| a.due.as_str())
        .collect();
    assert_eq!(
        dues,
        ["2027-03-15", "2027-03-20"],
        "the done one is not late"
    );
}
