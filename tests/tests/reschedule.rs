//! Moving a release's window: the preview names the conflicts and each environment's verdict at
//! the new time and counts the approvals the move makes stale; `--dry-run` saves nothing; a move
//! is refused when the release changed since it was checked, and for releases already out.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use chrono::{TimeZone, Utc};
use relm_api::releases::ReleaseInput;
use relm_api::reschedule::RescheduleRequest;
use relm_api::workspace::{InitRequest, init};
use relm_api::{ErrorCode, KeyringChoice, Options};
use relm_domain::clock::FixedClock;
use relm_identity::keyring::MemoryKeyStore;
use relm_tests::{Replica, WEEKEND_FREEZE as WEEKEND};
use serde_json::Value;
use std::sync::Arc;

fn create(r: &Replica, version: &str, start: &str, end: &str) -> String {
    r.plan_release("api", version, start, end)
}

fn reschedule(r: &Replica, id: &str, start: &str, end: &str, dry_run: bool) -> Value {
    let mut a = vec!["release", "reschedule", id, "--start", start, "--end", end];
    if dry_run {
        a.push("--dry-run");
    }
    r.json(&a)
}

fn window_start(r: &Replica, id: &str) -> String {
    r.json(&["release", "show", id])["window"]["start"]
        .as_str()
        .unwrap()
        .to_string()
}

fn rule<'a>(verdict: &'a Value, rule: &str) -> &'a Value {
    verdict["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rule"] == rule)
        .unwrap()
}

#[test]
fn a_move_shows_conflicts_verdicts_and_stale_approvals_before_it_is_saved() {
    let admin = Replica::new();
    admin.init();
    let remote = tempfile::tempdir().unwrap();
    admin.ok(&["remote", "add", "share", remote.path().to_str().unwrap()]);
    admin.ok(&["sync"]);
    let omar = admin.admit(remote.path(), "Omar Approver", &["approver"]);
    admin.json(WEEKEND);
    let id = create(&admin, "1.0.0", "2027-03-23T10:00", "2027-03-23T11:00");
    admin.ok(&["sync"]);
    omar.ok(&["sync"]);
    omar.ok(&["approve", &id, "--env", "prod"]);
    omar.ok(&["sync"]);
    admin.ok(&["sync"]);

    // Onto Saturday, looked at only: the hard freeze, a blocked verdict, one approval to lose.
    let before = window_start(&admin, &id);
    let out = reschedule(&admin, &id, "2027-03-27T10:00", "2027-03-27T11:00", true);
    assert_eq!(out["saved"], false);
    let p = &out["preview"];
    assert_eq!(
        p["start"], "2027-03-27T09:00:00Z",
        "Paris in winter is UTC+1"
    );
    assert_eq!(p["tz"], "Europe/Paris", "the release's zone is kept");
    let conflicts = p["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0]["code"], "inside_hard_freeze");
    assert_eq!(conflicts[0]["entry_name"], "Weekend freeze");
    assert_eq!(p["conflicts_before"].as_array().unwrap().len(), 0);
    let verdicts = p["verdicts"].as_array().unwrap();
    assert_eq!(verdicts.len(), 1);
    assert_eq!(verdicts[0]["environment"], "prod");
    assert_eq!(verdicts[0]["outcome"], "blocked");
    assert_eq!(rule(&verdicts[0], "freeze")["status"], "fail");
    assert_eq!(
        rule(&verdicts[0], "approvals")["status"],
        "fail",
        "the approval was signed for the current window"
    );
    assert_eq!(p["stale_approvals"], 1);
    assert_eq!(window_start(&admin, &id), before, "a dry run saves nothing");

    // Onto Wednesday, saved: no conflict, and the approval is stale once moved.
    let out = reschedule(&admin, &id, "2027-03-24T10:00", "2027-03-24T11:00", false);
    assert_eq!(out["saved"], true);
    assert_eq!(out["preview"]["conflicts"].as_array().unwrap().len(), 0);
    assert_eq!(window_start(&admin, &id), "2027-03-24T09:00:00Z");
    let out = admin.run(&["check", "--release", &id, "--env", "prod", "--json"]);
    assert_eq!(out.status.code(), Some(1), "blocked: the approval is stale");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["approvals"][0]["fresh"], false);
    assert_eq!(rule(&v, "freeze")["status"], "pass");
    // The move is an ordinary governed edit in the audit trail.
    let shown = admin.json(&["release", "show", &id]);
    assert!(
        shown["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "release.updated"),
        "{shown}"
    );

    // Next to another release of the same service: the overlap is named whichever of the two
    // the conflict is attached to.
    let other = create(&admin, "1.1.0", "2027-03-25T10:00", "2027-03-25T11:00");
    let p = &reschedule(&admin, &other, "2027-03-24T10:30", "2027-03-24T11:30", true)["preview"];
    let overlap = p["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "same_service_overlap")
        .unwrap_or_else(|| panic!("{p}"));
    assert_eq!(
        overlap["release_id"],
        other.as_str(),
        "seen from the release moved"
    );
    assert_eq!(overlap["other_release"], id.as_str());
    assert_eq!(overlap["other_name"], "api 1.0.0");
    // Moved before it, the overlap is still named from the moved release's side.
    let p = &reschedule(&admin, &other, "2027-03-24T09:30", "2027-03-24T10:30", true)["preview"];
    let env = p["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "same_environment_overlap")
        .unwrap_or_else(|| panic!("{p}"));
    assert_eq!(env["release_id"], other.as_str());
    assert_eq!(env["other_name"], "api 1.0.0");
    assert!(
        env["reason"]
            .as_str()
            .unwrap()
            .starts_with("overlaps api 1.0.0 in prod"),
        "{env}"
    );

    // Bad input and releases already out are refused, nothing moved.
    let bad = admin.fails(
        &[
            "release",
            "reschedule",
            &id,
            "--start",
            "2027-03-24T10:00",
            "--end",
            "2027-03-24T09:00",
        ],
        2,
    );
    assert!(bad.contains("ends") && bad.contains("before"), "{bad}");
    let bad = admin.fails(
        &[
            "release",
            "reschedule",
            &id,
            "--start",
            "2027-03-24T10:00",
            "--end",
            "2027-03-24T11:00",
            "--tz",
            "Mars/Olympus",
        ],
        2,
    );
    assert!(bad.contains("unknown time zone"), "{bad}");
    admin.ok(&["release", "status", &other, "cancelled"]);
    let out = admin.run(&[
        "release",
        "reschedule",
        &other,
        "--start",
        "2027-03-29T10:00",
        "--end",
        "2027-03-29T11:00",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("can no longer be moved"), "{err}");
    assert_eq!(window_start(&admin, &other), "2027-03-25T09:00:00Z");
}

#[test]
fn a_move_checked_before_another_edit_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let opts = Options {
        data_dir: root.path().join("a"),
        clock: Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap(),
        )),
        keyring: KeyringChoice::Given(Arc::new(MemoryKeyStore::default())),
    };
    let req = InitRequest {
        workspace: "W".into(),
        name: "Ann".into(),
        email: "ann@example.com".into(),
    };
    let (mut relm, _) = init(&opts, &req).unwrap();
    let input = ReleaseInput {
        service: Some("api".into()),
        version: Some("1.0.0".into()),
        title: Some("t".into()),
        environments: Some(vec!["prod".into()]),
        window: Some((
            "2027-03-23T10:00".into(),
            "2027-03-23T11:00".into(),
            "Europe/Paris".into(),
        )),
        ..ReleaseInput::default()
    };
    let id = relm.create_release(&input).unwrap().id;
    let mv = RescheduleRequest {
        release: id.clone(),
        start: "2027-03-24T10:00".into(),
        end: "2027-03-24T11:00".into(),
        ..RescheduleRequest::default()
    };
    let preview = relm.preview_reschedule(&mv).unwrap();
    // Someone edits governed content (here, the rollback plan) before the move is confirmed.
    relm.update_release(
        &id,
        &ReleaseInput {
            rollback_plan: Some("roll back with the previous image".into()),
            ..ReleaseInput::default()
        },
    )
    .unwrap();
    let err = relm
        .reschedule_release(&mv, &preview.base_digest)
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(err.message.contains("check the new time again"), "{err:?}");
    let row = relm.release(&id).unwrap();
    assert_eq!(
        row.fields.window.unwrap().start,
        Utc.with_ymd_and_hms(2027, 3, 23, 9, 0, 0).unwrap(),
        "nothing moved"
    );
    // Checked again, the move goes through.
    let preview = relm.preview_reschedule(&mv).unwrap();
    let row = relm.reschedule_release(&mv, &preview.base_digest).unwrap();
    assert_eq!(
        row.fields.window.unwrap().start,
        Utc.with_ymd_and_hms(2027, 3, 24, 9, 0, 0).unwrap()
    );
}
