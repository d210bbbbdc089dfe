//! The risk register through the real CLI on real SQLite files: its lifecycle, bad input,
//! acceptance as an authorization that lapses by the clock, two replicas editing and accepting
//! the same risk offline, acceptances signed by hand by people who may not give them, and the
//! risks linked to a release and its service as its assessment reads them.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_tests::{Replica, forge, not_applied, team};
use serde_json::{Value, json};

/// Add a risk as `r`; returns its id.
fn add(r: &Replica, extra: &[&str]) -> String {
    add_titled(r, "Card processor outage", ("3", "5"), extra)
}

/// Add a risk titled `title` of that likelihood and impact as `r`; returns its id.
fn add_titled(
    r: &Replica,
    title: &str,
    (likelihood, impact): (&str, &str),
    extra: &[&str],
) -> String {
    let mut args = vec![
        "risk",
        "add",
        "--title",
        title,
        "--category",
        "operational",
        "--likelihood",
        likelihood,
        "--impact",
        impact,
    ];
    args.extend(extra);
    r.json(&args)["id"].as_str().unwrap().to_string()
}

fn show(r: &Replica, id: &str) -> Value {
    r.json(&["risk", "show", id])
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_risk_is_added_mitigated_accepted_and_closed_with_its_history() {
    let (a, b, remote) = team();
    let cat = a.admit(remote.path(), "Cat", &["approver"]);
    let id = add(
        &b,
        &[
            "--service",
            "payments-api",
            "--description",
            "The only card processor goes down on a release day.",
            "--review-by",
            "2099-01-31",
        ],
    );
    let low = b.json(&[
        "risk",
        "add",
        "--title",
        "Docs typo",
        "--category",
        "business",
        "--likelihood",
        "1",
        "--impact",
        "1",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = show(&b, &id);
    assert_eq!(
        (
            r["score"].as_u64(),
            r["status"].as_str(),
            r["owner_name"].as_str()
        ),
        (Some(15), Some("open"), Some("Bob"))
    );
    // Filters: by service (any case), score and status.
    assert_eq!(
        ids(&b.json(&["risk", "list", "--service", "PAYMENTS-API"])),
        vec![id.clone()]
    );
    assert_eq!(
        ids(&b.json(&["risk", "list", "--min-score", "10"])),
        vec![id.clone()]
    );
    assert_eq!(
        ids(&b.json(&["risk", "list"])),
        vec![id.clone(), low.clone()],
        "highest first"
    );
    // A mitigation with the residual position it should leave.
    let r = b.json(&[
        "risk",
        "mitigate",
        &id[..23],
        "--action",
        "Contract a second processor",
        "--due",
        "2099-01-15",
        "--residual-likelihood",
        "2",
        "--residual-impact",
        "4",
    ])["risk"]
        .clone();
    assert_eq!(
        (r["status"].as_str(), r["residual_score"].as_u64()),
        (Some("mitigating"), Some(8))
    );
    let r = b.json(&["risk", "mitigate", &id, "--done", "1"])["risk"].clone();
    assert_eq!(r["mitigations"][0]["done"], true);
    // Cat, an approver who does not own it, accepts it.
    b.ok(&["sync"]);
    cat.ok(&["sync"]);
    let r = cat.json(&[
        "risk",
        "accept",
        &id,
        "--reason",
        "Residual risk within appetite until the second processor is live",
        "--until",
        "2099-02-28",
    ])["risk"]
        .clone();
    assert_eq!(r["status"], "accepted");
    assert_eq!(
        r["acceptance"]["expires_at"], "2099-03-01T00:00:00Z",
        "through the end of the day"
    );
    assert_eq!(r["acceptance"]["by_name"], "Cat");
    let r = cat.json(&["risk", "close", &id, "--reason", "Second processor live"])["risk"].clone();
    assert_eq!(r["status"], "closed");
    // Closed is history: no more edits.
    let err = cat.fails(&["risk", "update", &id, "--likelihood", "1"], 2);
    assert!(err.contains("closed"), "{err}");
    let d = show(&cat, &id);
    let kinds: Vec<&str> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().rev().copied().collect::<Vec<_>>(),
        vec![
            "risk.added",
            "risk.mitigated",
            "risk.mitigation_done",
            "risk.accepted",
            "risk.closed"
        ]
    );
    cat.assert_integrity();
}

#[test]
fn bad_input_is_refused_with_every_reason_and_nothing_is_stored() {
    let (a, b, _remote) = team();
    let before = b.event_count();
    let err = b.fails(
        &[
            "risk",
            "add",
            "--title",
            " ",
            "--category",
            "finance",
            "--likelihood",
            "6",
            "--impact",
            "0",
            "--owner",
            "nobody@example.com",
            "--review-by",
            "31/12/2027",
        ],
        2,
    );
    for needle in [
        "title:",
        "category: unknown risk category `finance`",
        "likelihood: 6 is outside the 1–5 scale",
        "impact: 0 is outside",
        "owner:",
        "review_by:",
    ] {
        assert!(err.contains(needle), "{needle} in {err}");
    }
    let out = b.run(&[
        "--json",
        "risk",
        "add",
        "--title",
        "x",
        "--likelihood",
        "2",
        "--impact",
        "2",
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["problems"][0]["field"], "category", "{v}");
    assert_eq!(b.event_count(), before, "nothing stored");

    // Acceptance: by its owner, by someone who is no approver, or already expired.
    let id = add(&a, &[]);
    let err = a.fails(
        &[
            "risk",
            "accept",
            &id,
            "--reason",
            "fine",
            "--until",
            "2099-01-01",
        ],
        2,
    );
    assert!(err.contains("owner cannot accept"), "{err}");
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    let err = b.fails(
        &[
            "risk",
            "accept",
            &id,
            "--reason",
            "fine",
            "--until",
            "2099-01-01",
        ],
        2,
    );
    assert!(err.contains("needs the approver role"), "{err}");
    let before = a.event_count();
    let out = a.run(&[
        "--json",
        "risk",
        "accept",
        &id,
        "--reason",
        " ",
        "--until",
        "2020-01-01",
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fields: Vec<&str> = v["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["required", "past"], "{v}");
    assert_eq!(a.event_count(), before, "nothing stored");
}

#[test]
fn an_acceptance_lapses_at_its_expiry_with_no_event() {
    let (a, b, _remote) = team();
    let id = add(&b, &[]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    a.ok(&[
        "risk",
        "accept",
        &id,
        "--reason",
        "known and borne",
        "--until",
        "2099-01-01",
    ]);
    let at = |offset: &str| -> Value {
        let out = a
            .cmd_with_clock(offset, &["--json", "risk", "show", &id])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    assert_eq!(show(&a, &id)["status"], "accepted");
    // Past 2099-01-02 00:00 UTC the risk is open again, on every page and in every filter.
    let later = at("@2099-01-02 00:00:01");
    assert_eq!(later["status"], "open", "{later}");
    assert_eq!(later["acceptance"]["expired"], true);
    let open = a
        .cmd_with_clock(
            "@2099-01-02 00:00:01",
            &["--json", "risk", "list", "--status", "open"],
        )
        .output()
        .unwrap();
    let open: Value = serde_json::from_slice(&open.stdout).unwrap();
    assert_eq!(ids(&open), vec![id.clone()]);
    assert_eq!(
        ids(&a.json(&["risk", "list", "--status", "accepted"])),
        vec![id]
    );
}

#[test]
fn two_replicas_edit_and_accept_the_same_risk_offline_and_agree() {
    let (a, b, _remote) = team();
    let id = add(&b, &[]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    // Offline: Bob raises the likelihood and lowers it again; Ann lowers the impact and accepts.
    b.ok(&["risk", "update", &id, "--likelihood", "5"]);
    b.ok(&["risk", "update", &id, "--likelihood", "4"]);
    a.ok(&["risk", "update", &id, "--impact", "2"]);
    a.ok(&[
        "risk",
        "accept",
        &id,
        "--reason",
        "borne",
        "--until",
        "2099-01-01",
    ]);
    for _ in 0..2 {
        a.ok(&["sync"]);
        b.ok(&["sync"]);
    }
    let (ra, rb) = (show(&a, &id), show(&b, &id));
    assert_eq!(ra["likelihood"], rb["likelihood"]);
    assert_eq!(ra["impact"], 2);
    assert_eq!(ra["likelihood"], 4);
    assert_eq!(
        (ra["status"].as_str(), rb["status"].as_str()),
        (Some("accepted"), Some("accepted"))
    );
    assert_eq!(
        a.digest(),
        b.digest(),
        "the same projections on both replicas"
    );
    // The losing value stays in history.
    let patches: Vec<Value> = ra["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "risk.updated")
        .map(|e| e["payload"]["patch"].clone())
        .collect();
    assert!(patches.contains(&json!({"likelihood": 5})), "{patches:?}");
}

#[test]
fn acceptances_signed_by_hand_by_the_owner_or_a_non_approver_do_not_count() {
    let (a, b, remote) = team();
    // Bob owns the risk and is no approver; he forges two acceptances with his own key.
    let id = add(&b, &[]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    forge_acceptance(&b, remote.path(), "bob-forged", &id);
    let out = a.run(&["--json", "sync"]);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["remotes"][0]["report"]["pulled"]["not_applied"], 1, "{r}");
    assert_eq!(show(&a, &id)["status"], "open");
    // An approver who owns the risk: refused at ingest too.
    let cat = a.admit(remote.path(), "Cat", &["approver", "release-manager"]);
    let mine = add(&cat, &[]);
    cat.ok(&["sync"]);
    forge_acceptance(&cat, remote.path(), "cat-forged", &mine);
    a.ok(&["sync"]);
    assert_eq!(show(&a, &mine)["status"], "open");
    let why = not_applied(&a, "risk.accepted");
    assert_eq!(why.len(), 2, "{why:?}");
    assert!(
        why.iter().any(|w| w.contains("owner cannot accept")),
        "{why:?}"
    );
    a.assert_integrity();
}

/// An acceptance of `risk` signed by hand with `r`'s own key, left on the remote as `replica`.
fn forge_acceptance(r: &Replica, remote: &std::path::Path, replica: &str, risk: &str) {
    forge(
        r,
        remote,
        replica,
        "risk.accepted",
        json!({"risk_id": risk, "reason": "mine to accept", "expires_at": "2099-01-01T00:00:00Z"}),
    );
}

/// Answers that make a release critical by the default questionnaire (an irreversible data
/// migration, untested in staging: 45 points); returns the assessment.
fn critical_answers(r: &Replica, id: &str) -> Value {
    r.json(&[
        "risk",
        "answer",
        id,
        "--question",
        "data_migration",
        "--answer",
        "irreversible",
        "--question",
        "tested_in_staging",
        "--answer",
        "no",
    ])
}

#[test]
fn a_release_is_assessed_two_ways_and_every_factor_says_where_it_came_from() {
    let (a, b, _remote) = team();
    let id = b.create_release("payments", "7.0.0");
    let v = b.json(&["risk", "assess", &id]);
    for key in ["level", "score", "method", "factors", "answers"] {
        assert!(v.get(key).is_some(), "{key} in {v}");
    }
    let names = |v: &Value| -> Vec<String> {
        v["factors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(names(&v).contains(&"production".to_string()), "{v}");
    assert!(v["factors"][0]["points"].as_u64().unwrap() > 0);
    assert_eq!(v["factors"][0]["source"], "signals");
    let before = v["level"].clone();
    // Answers raise the questionnaire's level, and are kept with the release.
    let v = critical_answers(&b, &id);
    assert_eq!(v["answers"]["data_migration"], "irreversible");
    assert_eq!(
        (v["level"].as_str(), v["method"].as_str()),
        (Some("critical"), Some("questionnaire")),
        "{v} (was {before})"
    );
    assert!(names(&v).contains(&"question:data_migration".to_string()));
    // A high risk linked to the release's service adds to the signals until someone accepts it.
    let risk = add(&b, &["--service", "payments"]);
    let v = b.json(&["risk", "assess", &id]);
    assert!(names(&v).contains(&"linked_high_risks".to_string()), "{v}");
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    a.ok(&[
        "risk",
        "accept",
        &risk,
        "--reason",
        "borne",
        "--until",
        "2099-01-01",
    ]);
    assert!(!names(&a.json(&["risk", "assess", &id])).contains(&"linked_high_risks".to_string()));

    // Answers outside the questionnaire: every one refused, nothing stored.
    let before = b.event_count();
    let err = b.fails(
        &[
            "risk",
            "answer",
            &id,
            "--question",
            "vibes",
            "--answer",
            "good",
            "--question",
            "tested_in_staging",
            "--answer",
            "maybe",
        ],
        2,
    );
    assert!(err.contains("unknown question `vibes`"), "{err}");
    assert!(
        err.contains("unknown answer `maybe`; use one of yes, partly, no"),
        "{err}"
    );
    let err = b.fails(
        &[
            "risk",
            "answer",
            &id,
            "--question",
            "peak_period",
            "--question",
            "x",
            "--answer",
            "no",
        ],
        2,
    );
    assert!(err.contains("in pairs"), "{err}");
    assert_eq!(b.event_count(), before);
}

/// The risks linked to a release and those linked to its service count together, once each,
/// and are named highest first; a risk linked to a release counts for that release alone, not
/// for its service's others.
#[test]
fn risks_linked_to_a_release_and_to_its_service_count_once_each() {
    let r = Replica::new();
    r.init();
    let id = r.create_release("ledger", "1.0.0");
    let other = r.create_release("ledger", "1.1.0");
    let risk = |title: &str, scale: (&str, &str), links: &[&str]| {
        add_titled(&r, title, scale, links);
    };
    risk("Ledger drift", ("3", "5"), &["--release", &id]);
    risk("Vendor lock-in", ("4", "4"), &["--service", "ledger"]);
    risk(
        "Both ways",
        ("5", "5"),
        &["--service", "ledger", "--release", &id],
    );
    risk(
        "Too low to count",
        ("2", "2"),
        &["--service", "ledger", "--release", &id],
    );
    let linked = |release: &str| {
        let v = r.json(&["risk", "assess", release]);
        let f = v["factors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "linked_high_risks")
            .cloned()
            .unwrap_or_else(|| panic!("no linked risks for {release}: {v}"));
        (
            f["params"]["count"]
                .as_str()
                .unwrap()
                .parse::<u64>()
                .unwrap(),
            f["detail"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(
        linked(&id),
        (
            3,
            "open high risks linked: “Both ways” (25), “Vendor lock-in” (16), “Ledger drift” (15)"
                .to_string()
        )
    );
    assert_eq!(
        linked(&other),
        (
            2,
            "open high risks linked: “Both ways” (25), “Vendor lock-in” (16)".to_string()
        )
    );
    // Beyond three, the highest are named, in order, the lowest left out.
    for title in ["Alpha", "Beta", "Gamma"] {
        risk(title, ("4", "5"), &["--service", "ledger"]);
    }
    assert_eq!(
        linked(&id),
        (
            6,
            "6 open high risks linked, among them “Both ways” (25), “Alpha” (20), “Beta” (20)"
                .to_string()
        )
    );
}

/// `relm check --json` for prod: the exit code and the verdict.
fn check_prod(r: &Replica, id: &str) -> (i32, Value) {
    let out = r.run(&["check", "--release", id, "--env", "prod", "--json"]);
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

fn rule<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rule"] == id)
        .unwrap_or_else(|| panic!("no rule {id} in {v}"))
}

#[test]
fn the_computed_level_drives_the_policy_and_only_an_approver_may_lower_it() {
    let (a, b, remote) = team();
    let id = b.create_release("payments", "7.1.0");
    critical_answers(&b, &id);
    // Critical by the questionnaire: the default policy's critical rule applies and says why.
    let (code, v) = check_prod(&b, &id);
    assert_eq!(code, 1);
    assert_eq!(v["risk"]["level"], "critical", "{v}");
    let critical = rule(&v, "risk-critical");
    assert_eq!(critical["status"], "fail");
    assert!(
        critical["evidence"][0]
            .as_str()
            .unwrap()
            .starts_with("critical risk: questionnaire score 45 (Does it change stored data or its schema? → Yes, irreversibly +25"),
        "{critical}"
    );
    assert_eq!(rule(&v, "risk-rehearsal")["status"], "fail");
    b.ok(&["sync"]);
    a.ok(&["sync"]);

    // Bob owns the release and is no approver: he cannot lower it; nothing is stored.
    let before = b.event_count();
    let err = b.fails(
        &[
            "risk", "level", &id, "--level", "medium", "--reason", "fine",
        ],
        2,
    );
    assert!(err.contains("cannot lower"), "{err}");
    assert_eq!(b.event_count(), before);
    // Ann (an approver) must say why.
    let err = a.fails(&["risk", "level", &id, "--level", "medium"], 2);
    assert!(err.contains("say why: --reason TEXT"), "{err}");
    let bad = a.fails(&["risk", "level", &id, "--level", "extreme"], 2);
    assert!(bad.contains("use low, medium, high or critical"), "{bad}");
    let v = a.json(&[
        "risk",
        "level",
        &id,
        "--level",
        "medium",
        "--reason",
        "the migration was rehearsed on a copy of production",
    ]);
    assert_eq!(
        (
            v["level"].as_str(),
            v["assessed"].as_str(),
            v["lowered"]["from"].as_str()
        ),
        (Some("medium"), Some("critical"), Some("critical")),
        "{v}"
    );
    // The verdict says so, and the critical rules no longer apply.
    let (_, v) = check_prod(&a, &id);
    let shown = rule(&v, "risk-level");
    assert!(
        shown["reason"]
            .as_str()
            .unwrap()
            .starts_with("risk level lowered from critical to medium by Ada"),
        "{shown}"
    );
    assert_eq!(rule(&v, "risk-critical")["status"], "not_applicable");
    // ... and the audit trail keeps it.
    let log = a.json(&["audit", "log", "--entity", &id]);
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "release.risk_lowered"),
        "{log}"
    );

    // Raising by hand is an edit of the release, by its editors; it makes approvals stale.
    let other = b.create_release("ledger", "1.0.0");
    let v = b.json(&["risk", "level", &other, "--level", "critical"]);
    assert_eq!(
        (v["level"].as_str(), v["raised"].as_str()),
        (Some("critical"), Some("critical")),
        "{v}"
    );
    let assessed = v["assessed"].as_str().unwrap().to_string();
    let v = b.json(&["risk", "level", &other, "--level", &assessed]);
    assert!(v.get("raised").is_none(), "{v}");

    // The release list shows each row's level, read from the facts the level is judged from
    // only: the same as the full assessment, lowered, raised or neither.
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    let v = b.json(&["risk", "level", &other, "--level", "high"]);
    assert_eq!(v["raised"], "high", "{v}");
    let third = b.create_release("billing", "2.0.0");
    critical_answers(&b, &third);
    let page = b.json(&["release", "list"]);
    let listed = page["releases"].as_array().unwrap();
    assert_eq!(listed.len(), 3, "{page}");
    for row in listed {
        let id = row["id"].as_str().unwrap();
        let full = b.json(&["risk", "assess", id]);
        assert_eq!(page["levels"][id], full["level"], "{id}: {full}");
    }
    assert_eq!(page["levels"][&id], "medium", "{page}");
    assert_eq!(page["levels"][&other], "high", "{page}");
    assert_eq!(page["levels"][&third], "critical", "{page}");
    drop(remote);
}

#[test]
fn critical_releases_need_an_approver_from_another_team() {
    let (a, b, remote) = team();
    let cat = a.admit(remote.path(), "Cat", &["approver"]);
    let dan = a.admit(remote.path(), "Dan", &["approver"]);
    let id = b.create_release("payments", "7.2.0");
    b.ok(&["risk", "level", &id, "--level", "critical"]);
    b.ok(&[
        "release",
        "rehearsed",
        &id,
        "--note",
        "restored 7.1.0 in staging",
    ]);
    b.ok(&["release", "status", &id, "planned"]);
    b.ok(&["sync"]);
    for (who, team) in [
        ("bob@acme.example", "payments"),
        ("cat@acme.example", "payments"),
        ("dan@acme.example", "platform"),
    ] {
        let m = a.json(&["member", "team", who, team]);
        assert_eq!(m["team"], team);
    }
    a.ok(&["sync"]);
    for r in [&cat, &dan] {
        r.ok(&["sync"]);
    }
    cat.ok(&["approve", &id, "--env", "prod"]);
    cat.ok(&["sync"]);
    a.ok(&["sync"]);
    a.ok(&["approve", &id, "--env", "prod"]);
    let (_, v) = check_prod(&a, &id);
    let critical = rule(&v, "risk-critical");
    assert_eq!(critical["status"], "fail", "{critical}");
    assert!(
        critical["reason"]
            .as_str()
            .unwrap()
            .contains("another team than the owner's (payments)"),
        "{critical}"
    );
    assert_eq!(critical["action"]["kind"], "approve");
    // Dan, of the platform team, approves: the rule is met.
    dan.ok(&["sync"]);
    dan.ok(&["approve", &id, "--env", "prod"]);
    dan.ok(&["sync"]);
    a.ok(&["sync"]);
    let (_, v) = check_prod(&a, &id);
    let critical = rule(&v, "risk-critical");
    assert_eq!(critical["status"], "pass", "{critical}");
    assert!(
        critical["evidence"].as_array().unwrap().iter().any(|e| e
            .as_str()
            .unwrap()
            .contains("Dan approved from another team (platform)")),
        "{critical}"
    );
    // Only admins put people in teams.
    let err = b.fails(&["member", "team", "cat@acme.example", "platform"], 2);
    assert!(err.contains("admin"), "{err}");
}

#[test]
fn lowerings_signed_by_hand_by_the_owner_or_a_non_approver_do_not_count() {
    let (a, b, remote) = team();
    let id = b.create_release("payments", "7.3.0");
    b.ok(&["risk", "level", &id, "--level", "critical"]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    // Bob (release manager, no approver) signs a lowering of his own release by hand.
    forge(
        &b,
        remote.path(),
        "bob-forged",
        "release.risk_lowered",
        json!({"release_id": id, "level": "low", "from": "critical", "reason": "trust me"}),
    );
    a.ok(&["sync"]);
    assert_eq!(a.json(&["risk", "assess", &id])["level"], "critical");
    // An approver who owns the release: refused at ingest too.
    let cat = a.admit(remote.path(), "Cat", &["approver", "release-manager"]);
    let mine = cat.create_release("ledger", "2.0.0");
    cat.ok(&["risk", "level", &mine, "--level", "critical"]);
    cat.ok(&["sync"]);
    forge(
        &cat,
        remote.path(),
        "cat-forged",
        "release.risk_lowered",
        json!({"release_id": mine, "level": "low", "from": "critical", "reason": "mine"}),
    );
    a.ok(&["sync"]);
    assert_eq!(a.json(&["risk", "assess", &mine])["level"], "critical");
    let why = not_applied(&a, "release.risk_lowered");
    assert_eq!(why.len(), 2, "{why:?}");
    assert!(
        why.iter()
            .any(|w| w.contains("cannot lower its risk level")),
        "{why:?}"
    );
    a.assert_integrity();
}

#[test]
fn the_register_is_ordered_by_any_of_its_columns() {
    let r = Replica::new();
    r.init();
    for (title, l, i, review) in [
        ("beta", "2", "2", Some("2099-03-01")),
        ("Alpha", "5", "5", None),
        ("gamma", "1", "3", Some("2099-01-01")),
    ] {
        let mut args = vec![
            "risk",
            "add",
            "--title",
            title,
            "--category",
            "technical",
            "--likelihood",
            l,
            "--impact",
            i,
        ];
        if let Some(d) = review {
            args.extend(["--review-by", d]);
        }
        r.ok(&args);
    }
    let titles = |sort: &str| -> Vec<String> {
        r.json(&["risk", "list", "--sort", sort])
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["title"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(titles("-score"), ["Alpha", "beta", "gamma"]);
    assert_eq!(titles("score"), ["gamma", "beta", "Alpha"]);
    assert_eq!(titles("title"), ["Alpha", "beta", "gamma"], "any case");
    assert_eq!(titles("-title"), ["gamma", "beta", "Alpha"]);
    // Review dates soonest first; a risk without one last, either way.
    assert_eq!(titles("review"), ["gamma", "beta", "Alpha"]);
    assert_eq!(titles("-review"), ["beta", "gamma", "Alpha"]);
    let err = r.fails(&["risk", "list", "--sort", "colour"], 2);
    assert!(
        err.contains("`colour` is not a sort key; use score, residual"),
        "{err}"
    );
}

/// What a release's risk facts take from its service is read once for the releases of the
/// service, and worked out at each instant they are judged at: the digest judges each release at
/// its window, the period report each deployment at its start. A failure leaves the last 90
/// days, an acceptance lapses; an instant before the first one read is read again.
#[test]
fn a_services_risk_facts_are_worked_out_at_each_instant() {
    use chrono::{TimeZone, Utc};
    use relm_store::projection::governance;
    use relm_tests::{failed_in_prod, prod_release};
    let (_dir, clock, mut relm) = relm_tests::pinned_workspace("Instants");
    let failed = prod_release(&mut relm, "ledger", "1.0.0");
    let judged = prod_release(&mut relm, "ledger", "1.1.0");
    let end = Utc.with_ymd_and_hms(2027, 3, 2, 10, 0, 0).unwrap();
    failed_in_prod(&mut relm, &clock, &failed, end);
    // Then moved to rolled back by hand the next day: counted too.
    clock.set(Utc.with_ymd_and_hms(2027, 3, 3, 9, 0, 0).unwrap());
    relm.set_release_status(&failed, "rolled_back", Some("undone by hand"))
        .unwrap();
    // Owned by another member: Ada, an approver, accepts it.
    relm_tests::ledger_drift_accepted_until(&mut relm, "2027-04-01");
    let conn = relm.store().conn();
    let policy = relm_policy::Policy::parse(relm_policy::DEFAULT_POLICY).unwrap();
    // (recent failures, linked active risks named)
    let seen = |shared: &governance::Shared| {
        let risk = governance::facts(conn, &judged, shared)
            .unwrap()
            .unwrap()
            .risk;
        let named: Vec<String> = risk.linked_top.iter().map(|l| l.title.clone()).collect();
        (risk.recent_failures, named)
    };
    let soon = Utc.with_ymd_and_hms(2027, 3, 10, 0, 0, 0).unwrap();
    let later = Utc.with_ymd_and_hms(2027, 7, 1, 0, 0, 0).unwrap();
    let lapsed = (0, vec!["Ledger drift".to_string()]);
    let mut shared = governance::shared(conn, later, &policy).unwrap();
    assert_eq!(
        seen(&shared),
        lapsed,
        "on 1 July the failure and the move are four months old, and the acceptance has lapsed"
    );
    shared.now = soon;
    assert_eq!(
        seen(&shared),
        (2, vec![]),
        "on 10 March (before the first instant read) the failure and the move are recent, the risk accepted"
    );
    shared.now = later;
    assert_eq!(
        seen(&shared),
        lapsed,
        "1 July again, from what was read for 10 March"
    );
    shared.now = soon;
    assert_eq!(seen(&shared), (2, vec![]));
}

/// The members every judgement reads (a critical release's approver must be of another team)
/// are kept while they do not change: a change is seen by the next read in the same process,
/// and another workspace's members are its own.
#[test]
fn the_members_kept_for_judging_follow_every_change() {
    use relm_store::projection::governance::people_kept;
    let (_dir, _clock, mut relm) = relm_tests::pinned_workspace("Kept");
    let me = relm.members().unwrap()[0].key_id.clone();
    let team = |relm: &relm_api::Relm| {
        let people = people_kept(relm.store().conn()).unwrap();
        people.values().map(|p| p.team.clone()).collect::<Vec<_>>()
    };
    assert_eq!(team(&relm), [""]);
    relm.set_member_team(&me, "payments").unwrap();
    assert_eq!(team(&relm), ["payments"]);
    let (_other_dir, _, other) = relm_tests::pinned_workspace("Other");
    assert_eq!(team(&other), [""]);
    assert_eq!(team(&relm), ["payments"]);
}
