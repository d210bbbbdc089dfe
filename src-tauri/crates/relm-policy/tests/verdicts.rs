//! Data-driven verdicts: one table of release + policy + approvals + time → expected outcome,
//! with every verdict's lines pinned in a snapshot.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use relm_calendar::{Entry, Kind, Level};
use relm_domain::ids::ReleaseId;
use relm_domain::keys::KeyId;
use relm_domain::payload::{Decision, Outcome as Deployed, RehearsalResult};
use relm_domain::release::{
    ChangeRef, ChangeType, EvidenceLink, ReleaseFields, ReleaseStatus, RiskLevel,
};
use relm_domain::role::Role;
use relm_domain::window::PlannedWindow;
use relm_policy::facts::{
    ApprovalFact, DeploymentFact, EmergencyFact, JustificationFact, Person, RehearsalFact,
};
use relm_policy::{DEFAULT_POLICY, Facts, LineStatus, Outcome, Policy, evaluate};

const STRICT: &str = r#"
[policy]
name = "Strict"

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
kind = "escalation"
when = { tiers = ["production"], risk_at_least = "critical" }

[[rules]]
kind = "notice"
when = { tiers = ["production"] }
hours = 48

[[rules]]
kind = "evidence"
when = { tiers = ["production"] }
items = ["tests-passed", "sbom"]

[[rules]]
kind = "rollback"
rehearsal_from_risk = "high"

[[rules]]
kind = "promotion"

[[rules]]
kind = "emergency"
post_hoc_hours = 24

# Signal thresholds high enough that the fixture's levels come from its hand-set level: these
# cases are about the other rules (the `risk` rule kind has its own tests below).
[risk]
signals = { medium = 15, high = 40, critical = 60 }

[[rego]]
name = "no-weekend"
module = '''
package relm.weekend
import rego.v1
warn contains "the planned start is on a weekend" if {
    day := time.weekday(time.parse_rfc3339_ns(input.release.window.start))
    day in {"Saturday", "Sunday"}
}
'''
"#;

/// Freezes and windows from the calendar.
const CALENDAR: &str = r#"
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

[[rules]]
kind = "freeze"

[[rules]]
kind = "window"
when = { tiers = ["production"] }
"#;

/// A calendar entry in Paris time (the release fixture is Wednesday 2027-03-10 10:00-11:00
/// Paris, 09:00-10:00 UTC).
fn cal_entry(
    name: &str,
    kind: Kind,
    level: Option<Level>,
    start: &str,
    end: &str,
    rrule: Option<&str>,
) -> (String, Entry) {
    let mut e = Entry {
        name: name.into(),
        kind,
        level,
        scope: relm_calendar::Scope {
            environments: vec!["prod".into()],
            services: vec![],
        },
        reason: String::new(),
        tz: "Europe/Paris".into(),
        start: relm_calendar::parse_local(start).unwrap(),
        end: relm_calendar::parse_local(end).unwrap(),
        rrule: rrule.map(String::from),
        exdates: vec![],
        rdates: vec![],
        source: None,
        owner: None,
        ..Entry::blank()
    };
    e.validate().unwrap();
    (format!("cal-{name}"), e)
}

fn calendar(f: &mut Facts, entries: Vec<(String, Entry)>) {
    f.calendar = std::sync::Arc::new(entries.into());
}

fn soft_freeze(f: &mut Facts) {
    calendar(
        f,
        vec![cal_entry(
            "month-end",
            Kind::Freeze,
            Some(Level::Soft),
            "2027-03-10T00:00",
            "2027-03-11T00:00",
            None,
        )],
    );
}

fn justify(f: &mut Facts) {
    f.justifications.push(JustificationFact {
        entry_id: "cal-month-end".into(),
        text: "regulator deadline on the 11th".into(),
        by: key(OWNER),
        at: at("2027-03-08T09:00:00Z"),
    });
}

/// A policy without an emergency rule: emergency changes still skip the notice period.
const NOTICE_ONLY: &str = r#"
[[environments]]
name = "prod"
tier = "production"

[[rules]]
kind = "notice"
hours = 48
"#;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

const OWNER: &str = "0000000000000001";
const ANN: &str = "00000000000000a1";
const BOB: &str = "00000000000000b2";
const CAT: &str = "00000000000000c3";

fn key(k: &str) -> KeyId {
    KeyId(k.into())
}

fn members() -> BTreeMap<KeyId, Person> {
    let p = |name: &str, email: &str, roles: &[Role]| Person {
        name: name.into(),
        email: email.into(),
        roles: roles.to_vec(),
        team: String::new(),
        active: true,
    };
    BTreeMap::from([
        (
            key(OWNER),
            p(
                "Olive Owner",
                "olive@example.com",
                &[Role::ReleaseManager, Role::Approver],
            ),
        ),
        (
            key(ANN),
            p("Ann Approver", "ann@example.com", &[Role::Approver]),
        ),
        (
            key(BOB),
            p("Bob Approver", "bob@example.com", &[Role::Approver]),
        ),
        (
            key(CAT),
            p("Cat Manager", "cat@example.com", &[Role::ReleaseManager]),
        ),
    ])
}

/// A release that passes the strict policy for prod once two approvals are added.
fn release() -> Facts {
    let fields = ReleaseFields {
        service: "payments-api".into(),
        version: "2.4.0".into(),
        title: "Faster refunds".into(),
        description: String::new(),
        change_type: ChangeType::Normal,
        risk: RiskLevel::Medium,
        environments: vec!["staging".into(), "prod".into()],
        window: Some(PlannedWindow {
            start: at("2027-03-10T09:00:00Z"),
            end: at("2027-03-10T10:00:00Z"),
            tz: "Europe/Paris".into(),
        }),
        owner: key(OWNER),
        components: vec![],
        changes: vec![ChangeRef {
            id: "MR-12".into(),
            title: "Refund batching".into(),
            link: None,
            author: Some("cat@example.com".into()),
        }],
        rollback_plan: "Redeploy 2.3.1".into(),
        evidence: vec![
            EvidenceLink {
                name: "tests-passed".into(),
                link: Some("https://ci/1".into()),
                digest: None,
            },
            EvidenceLink {
                name: "sbom".into(),
                link: Some("https://ci/1/sbom".into()),
                digest: None,
            },
        ],
    };
    let id = ReleaseId("01JREL0000000000000000000A".into());
    let digest = fields.governed_digest(&id);
    Facts {
        release_id: id,
        fields,
        status: ReleaseStatus::Planned,
        created_at: at("2027-03-01T09:00:00Z"),
        submitted_at: Some(at("2027-03-02T09:00:00Z")),
        approvals: vec![],
        deployments: vec![DeploymentFact {
            environment: "staging".into(),
            outcome: Deployed::Succeeded,
            release_digest: digest,
            started_at: at("2027-03-05T08:50:00Z"),
            at: at("2027-03-05T09:00:00Z"),
            by: key(CAT),
        }],
        rehearsals: vec![],
        rollback_plan: None,
        emergency: None,
        justifications: vec![],
        members: members().into(),
        risk: Default::default(),
        reviews: Default::default(),
        sbom: Default::default(),
        calendar: Default::default(),
    }
}

fn approve(f: &mut Facts, by: &str, when: &str) {
    let digest = f.fields.governed_digest(&f.release_id);
    decide(f, by, when, Decision::Approve, &digest, "prod");
}

fn decide(f: &mut Facts, by: &str, when: &str, decision: Decision, digest: &str, env: &str) {
    f.approvals.push(ApprovalFact {
        event_id: format!("ev-{by}-{when}"),
        by: key(by),
        environment: env.into(),
        decision,
        release_digest: digest.into(),
        policy_version: 1,
        at: at(when),
        expires_at: None,
        comment: String::new(),
    });
}

const CHECK_AT: &str = "2027-03-09T12:00:00Z";

struct Case {
    name: &'static str,
    policy: &'static str,
    env: &'static str,
    at: &'static str,
    setup: fn(&mut Facts),
    expect: Outcome,
}

fn two_approvals(f: &mut Facts) {
    approve(f, ANN, "2027-03-08T10:00:00Z");
    approve(f, BOB, "2027-03-08T11:00:00Z");
}

const CASES: &[Case] = &[
    Case {
        name: "no_approvals",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: |_| {},
        expect: Outcome::Blocked,
    },
    Case {
        name: "two_fresh_approvals",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: two_approvals,
        expect: Outcome::Allowed,
    },
    Case {
        name: "staging_needs_no_approval",
        policy: STRICT,
        env: "staging",
        at: CHECK_AT,
        setup: |_| {},
        expect: Outcome::Allowed,
    },
    Case {
        name: "owner_self_approval_does_not_count",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            approve(f, ANN, "2027-03-08T10:00:00Z");
            approve(f, OWNER, "2027-03-08T11:00:00Z");
        },
        expect: Outcome::Blocked,
    },
    Case {
        name: "change_author_does_not_count",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            std::sync::Arc::make_mut(&mut f.members)
                .get_mut(&key(CAT))
                .unwrap()
                .roles
                .push(Role::Approver);
            approve(f, ANN, "2027-03-08T10:00:00Z");
            approve(f, CAT, "2027-03-08T11:00:00Z");
        },
        expect: Outcome::Blocked,
    },
    Case {
        name: "edit_after_approval_makes_it_stale",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            two_approvals(f);
            f.fields.version = "2.4.1".into();
        },
        expect: Outcome::Blocked,
    },
    Case {
        name: "approval_expires_after_max_age",
        policy: STRICT,
        env: "prod",
        at: "2027-03-12T12:00:00Z",
        setup: two_approvals,
        expect: Outcome::Blocked,
    },
    Case {
        name: "approval_for_staging_does_not_count_for_prod",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            approve(f, ANN, "2027-03-08T10:00:00Z");
            let d = f.fields.governed_digest(&f.release_id);
            decide(
                f,
                BOB,
                "2027-03-08T11:00:00Z",
                Decision::Approve,
                &d,
                "staging",
            );
        },
        expect: Outcome::Blocked,
    },
    Case {
        name: "approval_of_another_release_does_not_count",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            approve(f, ANN, "2027-03-08T10:00:00Z");
            let other = f
                .fields
                .governed_digest(&ReleaseId("01JOTHER000000000000000000".into()));
            decide(
                f,
                BOB,
                "2027-03-08T11:00:00Z",
                Decision::Approve,
                &other,
                "prod",
            );
        },
        expect: Outcome::Blocked,
    },
    Case {
        name: "fresh_rejection_blocks",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            two_approvals(f);
            let d = f.fields.governed_digest(&f.release_id);
            decide(f, BOB, "2027-03-08T12:00:00Z", Decision::Reject, &d, "prod");
        },
        expect: Outcome::Blocked,
    },
    Case {
        name: "approvals_made_after_the_time_checked_are_ignored",
        policy: STRICT,
        env: "prod",
        at: "2027-03-08T10:30:00Z",
        setup: two_approvals,
        expect: Outcome::Blocked,
    },
    Case {
        name: "short_notice_blocks",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            two_approvals(f);
            f.submitted_at = Some(at("2027-03-09T09:00:00Z"));
        },
        expect: Outcome::Blocked,
    },
    Case {
        name: "missing_evidence_blocks",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            two_approvals(f);
            f.fields.evidence.pop();
        },
        expect: Outcome::Blocked,
    },
    Case {
        name: "high_risk_needs_a_rehearsal",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            f.fields.risk = RiskLevel::High;
            redeploy_staging(f);
            two_approvals(f);
        },
        expect: Outcome::Blocked,
    },
    Case {
        name: "high_risk_with_rehearsal",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            f.fields.risk = RiskLevel::High;
            redeploy_staging(f);
            two_approvals(f);
            f.rehearsals.push(RehearsalFact {
                at: at("2027-03-07T09:00:00Z"),
                by: key(CAT),
                note: "rolled back in staging".into(),
                link: None,
                environment: None,
                result: RehearsalResult::Passed,
            });
        },
        expect: Outcome::Allowed,
    },
    Case {
        name: "critical_needs_an_authorization",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            f.fields.risk = RiskLevel::Critical;
            redeploy_staging(f);
            f.rehearsals.push(RehearsalFact {
                at: at("2027-03-07T09:00:00Z"),
                by: key(CAT),
                note: "done".into(),
                link: None,
                environment: None,
                result: RehearsalResult::Passed,
            });
            two_approvals(f);
        },
        expect: Outcome::Allowed,
    },
    Case {
        name: "not_deployed_to_staging_first",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            f.deployments.clear();
            two_approvals(f);
        },
        expect: Outcome::Blocked,
    },
    Case {
        name: "staging_had_an_older_build",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            f.fields.version = "2.4.1".into();
            two_approvals(f);
        },
        expect: Outcome::Blocked,
    },
    Case {
        name: "weekend_window_warns",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            let w = f.fields.window.as_mut().unwrap();
            w.start = at("2027-03-13T09:00:00Z");
            w.end = at("2027-03-13T10:00:00Z");
            redeploy_staging(f);
            two_approvals(f);
        },
        expect: Outcome::AllowedWithWarnings,
    },
    Case {
        name: "emergency_without_declaration",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            f.fields.change_type = ChangeType::Emergency;
            redeploy_staging(f);
        },
        expect: Outcome::Blocked,
    },
    Case {
        name: "emergency_declared_awaits_post_hoc_approval",
        policy: STRICT,
        env: "prod",
        at: CHECK_AT,
        setup: emergency,
        expect: Outcome::AllowedWithWarnings,
    },
    Case {
        name: "emergency_post_hoc_approval_overdue",
        policy: STRICT,
        env: "prod",
        at: "2027-03-11T12:00:00Z",
        setup: emergency,
        expect: Outcome::Blocked,
    },
    Case {
        name: "emergency_confirmed",
        policy: STRICT,
        env: "prod",
        at: "2027-03-11T12:00:00Z",
        setup: |f| {
            emergency(f);
            approve(f, ANN, "2027-03-09T15:00:00Z");
        },
        expect: Outcome::Allowed,
    },
    Case {
        name: "unknown_environment",
        policy: STRICT,
        env: "moon",
        at: CHECK_AT,
        setup: two_approvals,
        expect: Outcome::Blocked,
    },
    Case {
        name: "default_policy_no_approval",
        policy: DEFAULT_POLICY,
        env: "production",
        at: CHECK_AT,
        setup: |_| {},
        expect: Outcome::Blocked,
    },
    Case {
        name: "default_policy_one_approval",
        policy: DEFAULT_POLICY,
        env: "prod",
        at: CHECK_AT,
        setup: |f| approve(f, ANN, "2027-03-08T10:00:00Z"),
        expect: Outcome::Allowed,
    },
    Case {
        name: "default_policy_no_rollback_plan",
        policy: DEFAULT_POLICY,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            f.fields.rollback_plan.clear();
            approve(f, ANN, "2027-03-08T10:00:00Z");
        },
        expect: Outcome::Blocked,
    },
    Case {
        name: "calendar_clear",
        policy: CALENDAR,
        env: "prod",
        at: CHECK_AT,
        setup: two_approvals,
        expect: Outcome::Allowed,
    },
    Case {
        name: "calendar_hard_freeze_blocks",
        policy: CALENDAR,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            two_approvals(f);
            calendar(
                f,
                vec![cal_entry(
                    "midweek",
                    Kind::Freeze,
                    Some(Level::Hard),
                    "2027-03-03T08:00",
                    "2027-03-03T20:00",
                    Some("FREQ=WEEKLY;BYDAY=WE"),
                )],
            );
        },
        expect: Outcome::Blocked,
    },
    Case {
        name: "calendar_soft_freeze_needs_a_justification",
        policy: CALENDAR,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            two_approvals(f);
            soft_freeze(f);
        },
        expect: Outcome::Blocked,
    },
    Case {
        name: "calendar_soft_freeze_justified_needs_an_extra_approval",
        policy: CALENDAR,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            two_approvals(f);
            soft_freeze(f);
            justify(f);
        },
        expect: Outcome::Blocked,
    },
    Case {
        name: "calendar_soft_freeze_justified_and_approved_warns",
        policy: CALENDAR,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            // Cat wrote no change here, so her approval counts: three in all.
            f.fields.changes.clear();
            std::sync::Arc::make_mut(&mut f.members)
                .get_mut(&key(CAT))
                .unwrap()
                .roles
                .push(Role::Approver);
            two_approvals(f);
            approve(f, CAT, "2027-03-08T12:00:00Z");
            soft_freeze(f);
            justify(f);
        },
        expect: Outcome::AllowedWithWarnings,
    },
    Case {
        name: "calendar_outside_required_windows",
        policy: CALENDAR,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            two_approvals(f);
            calendar(
                f,
                vec![cal_entry(
                    "tuesday",
                    Kind::Window,
                    None,
                    "2027-03-02T09:00",
                    "2027-03-02T12:00",
                    Some("FREQ=WEEKLY;BYDAY=TU"),
                )],
            );
        },
        expect: Outcome::Blocked,
    },
    Case {
        name: "calendar_inside_a_window",
        policy: CALENDAR,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            two_approvals(f);
            calendar(
                f,
                vec![cal_entry(
                    "wednesday",
                    Kind::Window,
                    None,
                    "2027-03-03T09:00",
                    "2027-03-03T12:00",
                    Some("FREQ=WEEKLY;BYDAY=WE"),
                )],
            );
        },
        expect: Outcome::Allowed,
    },
    Case {
        name: "calendar_staging_needs_no_window",
        policy: CALENDAR,
        env: "staging",
        at: CHECK_AT,
        setup: |f| {
            calendar(
                f,
                vec![cal_entry(
                    "tuesday",
                    Kind::Window,
                    None,
                    "2027-03-02T09:00",
                    "2027-03-02T12:00",
                    Some("FREQ=WEEKLY;BYDAY=TU"),
                )],
            );
        },
        expect: Outcome::Allowed,
    },
    Case {
        name: "notice_never_applies_to_emergency_changes",
        policy: NOTICE_ONLY,
        env: "prod",
        at: CHECK_AT,
        setup: |f| {
            f.fields.change_type = ChangeType::Emergency;
            f.submitted_at = Some(at("2027-03-10T08:00:00Z"));
        },
        expect: Outcome::Allowed,
    },
];

/// After a governed edit, staging gets the new build too.
fn redeploy_staging(f: &mut Facts) {
    let d = f.fields.governed_digest(&f.release_id);
    f.deployments[0].release_digest = d;
}

fn emergency(f: &mut Facts) {
    f.fields.change_type = ChangeType::Emergency;
    redeploy_staging(f);
    f.emergency = Some(EmergencyFact {
        at: at("2027-03-09T10:00:00Z"),
        by: key(CAT),
        reason: "card payments failing".into(),
        incident: "INC-4411".into(),
        approver: key(ANN),
    });
}

#[test]
fn verdict_table() {
    let mut failures = Vec::new();
    for case in CASES {
        let policy = Policy::parse(case.policy).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let mut facts = release();
        (case.setup)(&mut facts);
        let verdict = evaluate(&policy, 1, &facts, case.env, at(case.at));
        if verdict.outcome != case.expect {
            failures.push(format!(
                "{}: expected {:?}, got {:?}\n{:#?}",
                case.name, case.expect, verdict.outcome, verdict.rules
            ));
        }
        let lines: Vec<String> = verdict
            .rules
            .iter()
            .map(|l| format!("{:<15} {:<14} {}", l.rule, l.status.as_str(), l.reason))
            .chain(
                verdict
                    .approvals
                    .iter()
                    .map(|a| format!("approval {} by {}: {}", a.decision, a.name, a.reason)),
            )
            .chain(
                verdict
                    .authorizations
                    .iter()
                    .map(|a| format!("authorization by {}: {}", a.name, a.reason)),
            )
            .collect();
        insta::assert_snapshot!(
            case.name,
            format!("{}\n{}", verdict.outcome.as_str(), lines.join("\n"))
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn verdicts_are_deterministic_and_serialise_stably() {
    let policy = Policy::parse(STRICT).unwrap();
    let mut facts = release();
    two_approvals(&mut facts);
    let a = evaluate(&policy, 3, &facts, "prod", at(CHECK_AT));
    let b = evaluate(&policy, 3, &facts, "prod", at(CHECK_AT));
    assert_eq!(a, b);
    let json = serde_json::to_value(&a).unwrap();
    for key in [
        "release_id",
        "environment",
        "at",
        "policy_version",
        "release_digest",
        "outcome",
        "rules",
        "approvals",
        "authorizations",
        "review_required",
    ] {
        assert!(json.get(key).is_some(), "verdict JSON lacks `{key}`");
    }
    assert_eq!(json["policy_version"], 3);
    assert_eq!(json["outcome"], "allowed");
    assert_eq!(a.exit_code(), 0);
}

#[test]
fn no_policy_yet_warns_and_uses_the_default() {
    let policy = Policy::parse(DEFAULT_POLICY).unwrap();
    let mut facts = release();
    approve(&mut facts, ANN, "2027-03-08T10:00:00Z");
    let v = evaluate(&policy, 0, &facts, "prod", at(CHECK_AT));
    assert_eq!(v.outcome, Outcome::AllowedWithWarnings);
    assert_eq!(v.rules[0].rule, "policy");
}

#[test]
fn a_calendar_that_cannot_be_read_fails_the_calendar_rules() {
    let policy = Policy::parse(CALENDAR).unwrap();
    let mut facts = release();
    // An entry that does not expand (it could only come from a damaged store): the gate must
    // not conclude that no freeze covers the release.
    let (id, mut broken) = cal_entry(
        "broken",
        Kind::Freeze,
        Some(Level::Hard),
        "2027-03-01T00:00",
        "2027-03-01T01:00",
        None,
    );
    broken.rrule = Some("FREQ=SOMETIMES".into());
    calendar(&mut facts, vec![(id, broken)]);
    let v = evaluate(&policy, 1, &facts, "prod", at(CHECK_AT));
    assert_eq!(v.outcome, Outcome::Blocked);
    for rule in ["freeze", "window"] {
        let line = v.rules.iter().find(|l| l.rule == rule).unwrap();
        assert_eq!(line.status, LineStatus::Fail, "{line:?}");
        assert!(
            line.reason.starts_with("the calendar cannot be read"),
            "{line:?}"
        );
    }
}

#[test]
fn approval_by_a_removed_member_does_not_count() {
    let policy = Policy::parse(DEFAULT_POLICY).unwrap();
    let mut facts = release();
    approve(&mut facts, ANN, "2027-03-08T10:00:00Z");
    std::sync::Arc::make_mut(&mut facts.members)
        .get_mut(&key(ANN))
        .unwrap()
        .active = false;
    let v = evaluate(&policy, 1, &facts, "prod", at(CHECK_AT));
    assert_eq!(v.outcome, Outcome::Blocked);
    assert_eq!(v.approvals[0].reason, "no longer a member");
}

#[test]
fn the_latest_decision_of_each_person_counts() {
    let policy = Policy::parse(DEFAULT_POLICY).unwrap();
    let mut facts = release();
    let d = facts.fields.governed_digest(&facts.release_id);
    decide(
        &mut facts,
        ANN,
        "2027-03-08T09:00:00Z",
        Decision::Reject,
        &d,
        "prod",
    );
    approve(&mut facts, ANN, "2027-03-08T10:00:00Z");
    let v = evaluate(&policy, 1, &facts, "prod", at(CHECK_AT));
    assert_eq!(v.outcome, Outcome::Allowed);
    assert_eq!(v.approvals.len(), 1);
    let earlier = evaluate(&policy, 1, &facts, "prod", at("2027-03-08T09:30:00Z"));
    assert_eq!(
        earlier.outcome,
        Outcome::Blocked,
        "at 09:30 only the rejection existed"
    );
}

#[test]
fn verdicts_are_worded_in_french_with_the_same_judgement() {
    let policy = Policy::parse(STRICT).unwrap();
    let mut facts = release();
    approve(&mut facts, ANN, "2027-03-08T10:00:00Z");
    approve(&mut facts, OWNER, "2027-03-08T11:00:00Z");
    facts.fields.evidence.pop();
    let en = evaluate(&policy, 1, &facts, "prod", at(CHECK_AT));
    let fr = relm_policy::evaluate_in(
        &policy,
        1,
        &facts,
        "prod",
        at(CHECK_AT),
        relm_policy::Lang::Fr,
    );
    assert_eq!(en.outcome, fr.outcome);
    let statuses = |v: &relm_policy::Verdict| {
        v.rules
            .iter()
            .map(|l| (l.rule.clone(), l.status))
            .collect::<Vec<_>>()
    };
    assert_eq!(statuses(&en), statuses(&fr));
    let lines: Vec<String> = fr
        .rules
        .iter()
        .map(|l| {
            format!(
                "{:<15} {}{}",
                l.rule,
                l.reason,
                l.remedy
                    .as_ref()
                    .map(|r| format!(" → {r}"))
                    .unwrap_or_default()
            )
        })
        .chain(
            fr.approvals
                .iter()
                .map(|a| format!("{}: {}", a.name, a.reason)),
        )
        .collect();
    insta::assert_snapshot!("french", lines.join("\n"));
}

/// For a person (the app), a verdict's times are dates in a zone that is named, and long
/// durations are days; for the CLI and CI logs they stay RFC 3339 UTC and hours.
#[test]
fn a_verdict_for_a_person_says_times_in_a_named_zone_and_no_raw_instant() {
    let policy = Policy::parse(STRICT).unwrap();
    let mut facts = release();
    approve(&mut facts, ANN, "2027-03-08T10:00:00Z");
    let words = |lang, zone: Option<&str>| {
        let v = relm_policy::evaluate_in(
            &policy,
            1,
            &facts,
            "prod",
            at(CHECK_AT),
            relm_policy::Style {
                lang,
                zone: zone.map(|z| z.parse().unwrap()),
            },
        );
        let mut all: Vec<String> = Vec::new();
        for l in &v.rules {
            all.push(l.reason.clone());
            all.extend(l.evidence.iter().cloned());
            all.extend(l.remedy.iter().cloned());
        }
        all.extend(v.approvals.iter().map(|a| a.reason.clone()));
        all.join("\n")
    };
    // An RFC 3339 instant: `2027-03-08T10:00`.
    let is_instant = |w: &[u8]| {
        w.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 => *c == b':',
            _ => c.is_ascii_digit(),
        })
    };
    struct Raw<F>(F);
    impl<F: Fn(&[u8]) -> bool> Raw<F> {
        fn is_match(&self, text: &str) -> bool {
            text.as_bytes().windows(16).any(|w| (self.0)(w))
        }
    }
    let raw = Raw(is_instant);
    let cli = words(relm_policy::Lang::En, None);
    assert!(raw.is_match(&cli), "the CLI keeps RFC 3339: {cli}");
    for (lang, zone, label) in [
        (relm_policy::Lang::En, "Europe/Paris", "CET"),
        (relm_policy::Lang::Fr, "Europe/Paris", "CET"),
        (relm_policy::Lang::En, "America/New_York", "EST"),
    ] {
        let text = words(lang, Some(zone));
        assert!(!raw.is_match(&text), "no raw instant for a person: {text}");
        assert!(
            text.contains(label),
            "times name their zone ({label}): {text}"
        );
    }
    let fr = words(relm_policy::Lang::Fr, Some("Europe/Paris"));
    assert!(fr.contains(" mars 2027 à "), "French dates: {fr}");
}

/// The `risk` rule kind, with a questionnaire that can reach every level.
const RISKY: &str = r#"
[[environments]]
name = "staging"
tier = "staging"

[[environments]]
name = "prod"
tier = "production"

[[rules]]
id = "risk-rehearsal"
kind = "risk"
when = { tiers = ["production"], risk_at_least = "high" }
rehearsal = true

[[rules]]
id = "risk-critical"
kind = "risk"
when = { tiers = ["production"], risk_at_least = "critical" }
approvers = 2
other_team = true

[[rules]]
id = "risk-register"
kind = "risk"
when = { tiers = ["production"] }
block_linked_score = 20

[risk]
questionnaire = { medium = 10, high = 25, critical = 40 }

[[risk.questions]]
key = "data_migration"
text = "Does it change stored data?"
text_fr = "Modifie-t-il des données stockées\u202F?"
answers = [
  { value = "none", points = 0 },
  { value = "irreversible", points = 45, label = "Yes, irreversibly", label_fr = "Oui, de façon irréversible" },
]
"#;

fn line<'a>(v: &'a relm_policy::Verdict, rule: &str) -> &'a relm_policy::Line {
    v.rules
        .iter()
        .find(|l| l.rule == rule)
        .unwrap_or_else(|| panic!("no line {rule} in {:#?}", v.rules))
}

fn risky(f: &mut Facts) {
    f.fields.risk = RiskLevel::Low;
    f.risk
        .answers
        .insert("data_migration".into(), "irreversible".into());
}

fn team(f: &mut Facts, who: &str, name: &str) {
    std::sync::Arc::make_mut(&mut f.members)
        .get_mut(&key(who))
        .unwrap()
        .team = name.into();
}

#[test]
fn a_critical_release_needs_two_approvers_one_from_another_team() {
    let policy = Policy::parse(RISKY).unwrap();
    let mut f = release();
    risky(&mut f);
    f.rehearsals.push(RehearsalFact {
        at: at("2027-03-08T09:00:00Z"),
        by: key(CAT),
        note: "restored 2.3.1 in staging".into(),
        link: None,
        environment: None,
        result: RehearsalResult::Passed,
    });
    let v = evaluate(&policy, 1, &f, "prod", at(CHECK_AT));
    assert_eq!(v.risk.level.level, RiskLevel::Critical);
    let critical = line(&v, "risk-critical");
    assert_eq!(critical.status, LineStatus::Fail);
    assert!(critical.reason.contains("0 of 2"), "{}", critical.reason);
    // The line says which factors decided the level.
    assert!(
        critical.evidence[0].contains("critical risk: questionnaire score 45")
            && critical.evidence[0].contains("Does it change stored data? → Yes, irreversibly +45"),
        "{:?}",
        critical.evidence
    );
    // Two approvers of the owner's team: the quorum is met, the other team is not.
    for who in [OWNER, ANN, BOB] {
        team(&mut f, who, "payments");
    }
    approve(&mut f, ANN, "2027-03-08T10:00:00Z");
    approve(&mut f, BOB, "2027-03-08T11:00:00Z");
    let v = evaluate(&policy, 1, &f, "prod", at(CHECK_AT));
    let critical = line(&v, "risk-critical");
    assert_eq!(critical.status, LineStatus::Fail);
    assert!(
        critical
            .reason
            .contains("another team than the owner's (payments)"),
        "{}",
        critical.reason
    );
    assert!(
        critical
            .remedy
            .as_deref()
            .unwrap()
            .contains("outside payments")
    );
    // Bob moves to the platform team: allowed.
    team(&mut f, BOB, "platform");
    let v = evaluate(&policy, 1, &f, "prod", at(CHECK_AT));
    let critical = line(&v, "risk-critical");
    assert_eq!(critical.status, LineStatus::Pass, "{critical:#?}");
    assert!(
        critical
            .evidence
            .iter()
            .any(|e| e == "Bob Approver approved from another team (platform)"),
        "{:?}",
        critical.evidence
    );
    assert_eq!(v.outcome, Outcome::Allowed, "{:#?}", v.rules);
}

#[test]
fn answering_the_questionnaire_changes_which_rules_apply() {
    let policy = Policy::parse(RISKY).unwrap();
    let mut f = release();
    f.fields.risk = RiskLevel::Low;
    let before = evaluate(&policy, 1, &f, "prod", at(CHECK_AT));
    assert!(before.risk.level.level < RiskLevel::High);
    assert_eq!(
        line(&before, "risk-rehearsal").status,
        LineStatus::NotApplicable
    );
    risky(&mut f);
    let after = evaluate(&policy, 1, &f, "prod", at(CHECK_AT));
    assert_eq!(line(&after, "risk-rehearsal").status, LineStatus::Fail);
    assert_eq!(after.outcome, Outcome::Blocked);
}

#[test]
fn a_hand_raise_keeps_the_higher_level() {
    let policy = Policy::parse(RISKY).unwrap();
    let mut f = release();
    f.fields.risk = RiskLevel::High;
    let v = evaluate(&policy, 1, &f, "prod", at(CHECK_AT));
    assert_eq!(v.risk.level.level, RiskLevel::High);
    assert_eq!(v.risk.level.raised, Some(RiskLevel::High));
    assert_eq!(line(&v, "risk-rehearsal").status, LineStatus::Fail);
}

#[test]
fn an_approvers_lowering_holds_until_the_level_rises_above_what_they_saw() {
    use relm_policy::facts::LoweredFact;
    let policy = Policy::parse(RISKY).unwrap();
    let mut f = release();
    f.fields.risk = RiskLevel::High;
    f.risk.lowered = Some(LoweredFact {
        event_id: "ev-lower".into(),
        level: RiskLevel::Medium,
        from: RiskLevel::High,
        reason: "the migration was rehearsed twice".into(),
        by: key(ANN),
        at: at("2027-03-08T08:00:00Z"),
    });
    let v = evaluate(&policy, 1, &f, "prod", at(CHECK_AT));
    assert_eq!(v.risk.level.level, RiskLevel::Medium);
    assert_eq!(line(&v, "risk-rehearsal").status, LineStatus::NotApplicable);
    let shown = line(&v, "risk-level");
    assert_eq!(
        shown.reason,
        "risk level lowered from high to medium by Ann Approver: “the migration was rehearsed twice”"
    );
    // The answers now make it critical: more than the approver saw, so the lowering lapses.
    risky(&mut f);
    let v = evaluate(&policy, 1, &f, "prod", at(CHECK_AT));
    assert_eq!(v.risk.level.level, RiskLevel::Critical);
    assert!(v.risk.level.lowered.is_none());
    assert!(
        line(&v, "risk-level").reason.contains("no longer applies"),
        "{}",
        line(&v, "risk-level").reason
    );
}

#[test]
fn an_open_unaccepted_linked_risk_of_20_or_more_blocks_production() {
    use relm_policy::facts::LinkedRisk;
    let policy = Policy::parse(RISKY).unwrap();
    let mut f = release();
    f.fields.risk = RiskLevel::Low;
    f.risk.linked_scores.insert(16, 3);
    f.risk.linked_scores.insert(20, 1);
    f.risk.linked_top = vec![LinkedRisk {
        id: "01JRISK".into(),
        title: "Card processor outage".into(),
        score: 20,
    }];
    let v = evaluate(&policy, 1, &f, "prod", at(CHECK_AT));
    let reg = line(&v, "risk-register");
    assert_eq!(reg.status, LineStatus::Fail);
    assert_eq!(
        reg.reason,
        "1 open, unaccepted risk scored 20 or more linked to the release or its service: “Card processor outage” (20)"
    );
    assert_eq!(
        reg.action,
        Some(relm_policy::verdict::Action::Risk {
            risk: "01JRISK".into()
        })
    );
    // Staging is not production: the rule does not apply there.
    let staging = evaluate(&policy, 1, &f, "staging", at(CHECK_AT));
    assert_eq!(
        line(&staging, "risk-register").status,
        LineStatus::NotApplicable
    );
    // Mitigated below 20 (or accepted, or closed: the store leaves it out): it passes.
    f.risk.linked_scores.remove(&20);
    f.risk.linked_top.clear();
    let v = evaluate(&policy, 1, &f, "prod", at(CHECK_AT));
    assert_eq!(line(&v, "risk-register").status, LineStatus::Pass);
}

#[test]
fn risk_lines_are_worded_in_french() {
    let policy = Policy::parse(RISKY).unwrap();
    let mut f = release();
    risky(&mut f);
    let v = relm_policy::evaluate_in(&policy, 1, &f, "prod", at(CHECK_AT), relm_policy::Lang::Fr);
    let critical = line(&v, "risk-critical");
    assert!(
        critical.evidence[0].starts_with(
            "risque critique\u{a0}: score du questionnaire 45 (Modifie-t-il des données stockées\u{202f}? → Oui, de façon irréversible +45)"
        ),
        "{:?}",
        critical.evidence
    );
    assert!(v.risk.decided_by.starts_with("risque critique"));
}

/// Approvals, freezes and promotion: what the deviation table's verdicts look at.
const DEPLOYING: &str = r#"
[[environments]]
name = "staging"
tier = "staging"

[[environments]]
name = "prod"
tier = "production"
aliases = ["production"]

[[rules]]
kind = "approvals"
when = { tiers = ["production"] }
count = 2

# A justified soft freeze needs no approval beyond the two (the fixture has two who count).
[[rules]]
kind = "freeze"
extra_approvals = 0

[[rules]]
kind = "promotion"
"#;

struct DeviationCase {
    name: &'static str,
    env: &'static str,
    start: &'static str,
    end: &'static str,
    setup: fn(&mut Facts),
    expect: &'static [&'static str],
}

fn hard_freeze(f: &mut Facts) {
    calendar(
        f,
        vec![cal_entry(
            "audit",
            Kind::Freeze,
            Some(Level::Hard),
            "2027-03-10T00:00",
            "2027-03-11T00:00",
            None,
        )],
    );
}

/// The window is 2027-03-10 09:00–10:00 UTC; staging had the release on 03-05; approvals on
/// 03-08.
const DEVIATIONS: &[DeviationCase] = &[
    DeviationCase {
        name: "inside the window, approved, promoted",
        env: "prod",
        start: "2027-03-10T09:05:00Z",
        end: "2027-03-10T09:40:00Z",
        setup: two_approvals,
        expect: &[],
    },
    DeviationCase {
        name: "an alias of the environment is the environment",
        env: "production",
        start: "2027-03-10T09:05:00Z",
        end: "2027-03-10T09:40:00Z",
        setup: two_approvals,
        expect: &[],
    },
    DeviationCase {
        name: "started before the window",
        env: "prod",
        start: "2027-03-10T08:30:00Z",
        end: "2027-03-10T09:20:00Z",
        setup: two_approvals,
        expect: &["outside_window"],
    },
    DeviationCase {
        name: "ended after the window",
        env: "prod",
        start: "2027-03-10T09:30:00Z",
        end: "2027-03-10T10:01:00Z",
        setup: two_approvals,
        expect: &["outside_window"],
    },
    DeviationCase {
        name: "no window planned",
        env: "prod",
        start: "2027-03-10T09:05:00Z",
        end: "2027-03-10T09:40:00Z",
        setup: |f| {
            f.fields.window = None;
            redeploy_staging(f);
            two_approvals(f);
        },
        expect: &["outside_window"],
    },
    DeviationCase {
        name: "staging is not held to the production window",
        env: "staging",
        start: "2027-03-04T09:05:00Z",
        end: "2027-03-04T09:40:00Z",
        setup: |f| f.deployments.clear(),
        expect: &[],
    },
    DeviationCase {
        name: "no approvals",
        env: "prod",
        start: "2027-03-10T09:05:00Z",
        end: "2027-03-10T09:40:00Z",
        setup: |_| {},
        expect: &["not_allowed"],
    },
    DeviationCase {
        name: "approvals signed after the start did not allow it",
        env: "prod",
        start: "2027-03-10T09:05:00Z",
        end: "2027-03-10T09:40:00Z",
        setup: |f| {
            approve(f, ANN, "2027-03-10T09:30:00Z");
            approve(f, BOB, "2027-03-10T09:31:00Z");
        },
        expect: &["not_allowed"],
    },
    DeviationCase {
        name: "inside a hard freeze",
        env: "prod",
        start: "2027-03-10T09:05:00Z",
        end: "2027-03-10T09:40:00Z",
        setup: |f| {
            two_approvals(f);
            hard_freeze(f);
        },
        expect: &["not_allowed", "in_freeze"],
    },
    DeviationCase {
        name: "inside a soft freeze without a justification",
        env: "prod",
        start: "2027-03-10T09:05:00Z",
        end: "2027-03-10T09:40:00Z",
        setup: |f| {
            two_approvals(f);
            soft_freeze(f);
        },
        expect: &["not_allowed", "in_freeze"],
    },
    DeviationCase {
        name: "inside a soft freeze, justified and approved once more",
        env: "prod",
        start: "2027-03-10T09:05:00Z",
        end: "2027-03-10T09:40:00Z",
        setup: |f| {
            two_approvals(f);
            soft_freeze(f);
            justify(f);
        },
        expect: &[],
    },
    DeviationCase {
        name: "a justification written after the start does not count",
        env: "prod",
        start: "2027-03-08T08:05:00Z",
        end: "2027-03-08T08:40:00Z",
        setup: |f| {
            soft_freeze(f);
            calendar(
                f,
                vec![cal_entry(
                    "month-end",
                    Kind::Freeze,
                    Some(Level::Soft),
                    "2027-03-08T00:00",
                    "2027-03-09T00:00",
                    None,
                )],
            );
            justify(f);
        },
        expect: &["outside_window", "not_allowed", "in_freeze"],
    },
    DeviationCase {
        name: "staging skipped",
        env: "prod",
        start: "2027-03-10T09:05:00Z",
        end: "2027-03-10T09:40:00Z",
        setup: |f| {
            two_approvals(f);
            f.deployments.clear();
        },
        expect: &["not_allowed", "skipped_environment"],
    },
    DeviationCase {
        name: "staging failed: skipped",
        env: "prod",
        start: "2027-03-10T09:05:00Z",
        end: "2027-03-10T09:40:00Z",
        setup: |f| {
            two_approvals(f);
            f.deployments[0].outcome = Deployed::Failed;
        },
        expect: &["not_allowed", "skipped_environment"],
    },
    DeviationCase {
        name: "staging finished after production started: skipped",
        env: "prod",
        start: "2027-03-10T09:05:00Z",
        end: "2027-03-10T09:40:00Z",
        setup: |f| {
            two_approvals(f);
            f.deployments[0].started_at = at("2027-03-10T09:00:00Z");
            f.deployments[0].at = at("2027-03-10T09:10:00Z");
        },
        expect: &["not_allowed", "skipped_environment"],
    },
];

#[test]
fn deviation_table() {
    let policy = Policy::parse(DEPLOYING).unwrap();
    let mut failures = Vec::new();
    for case in DEVIATIONS {
        let mut facts = release();
        (case.setup)(&mut facts);
        let found = relm_policy::deviation::deviations(
            &policy,
            1,
            &facts,
            case.env,
            at(case.start),
            at(case.end),
        );
        let kinds: Vec<&str> = found.iter().map(|d| d.kind()).collect();
        if kinds != case.expect {
            failures.push(format!(
                "{}: expected {:?}, got {:#?}",
                case.name, case.expect, found
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn deviations_name_what_they_departed_from() {
    use relm_policy::deviation::Deviation;
    let policy = Policy::parse(DEPLOYING).unwrap();
    let mut f = release();
    hard_freeze(&mut f);
    f.deployments.clear();
    let found = relm_policy::deviation::deviations(
        &policy,
        1,
        &f,
        "prod",
        at("2027-03-10T09:30:00Z"),
        at("2027-03-10T10:30:00Z"),
    );
    assert_eq!(
        found,
        vec![
            Deviation::OutsideWindow {
                window: Some(("2027-03-10T09:00:00Z".into(), "2027-03-10T10:00:00Z".into()))
            },
            Deviation::NotAllowed {
                rules: vec!["approvals".into(), "freeze".into(), "promotion".into()]
            },
            Deviation::InFreeze {
                entry_id: "cal-audit".into(),
                name: "audit".into(),
                hard: true
            },
            Deviation::SkippedEnvironment {
                skipped: "staging".into()
            },
        ]
    );
    let reasons: Vec<String> = found.iter().map(Deviation::reason).collect();
    insta::assert_snapshot!(reasons.join("\n"), @r"
    deployed outside the planned window 2027-03-10T09:00:00Z → 2027-03-10T10:00:00Z
    the verdict at its start did not allow it (failing: approvals, freeze, promotion)
    deployed inside the hard freeze `audit`
    staging comes first in the promotion order and had no successful deployment of this release before it
    ");
}

#[test]
fn only_a_passing_rehearsal_of_the_plan_as_last_written_counts() {
    use relm_domain::payload::RollbackPlan;
    use relm_policy::facts::{Readiness, RollbackPlanFact};
    let policy = Policy::parse(STRICT).unwrap();
    let mut f = release();
    f.fields.risk = RiskLevel::High;
    redeploy_staging(&mut f);
    two_approvals(&mut f);
    let check = at(CHECK_AT);
    let rollback = |f: &Facts| {
        let v = evaluate(&policy, 1, f, "prod", check);
        let l = line(&v, "rollback");
        (l.status, l.reason.clone())
    };
    assert_eq!(f.readiness(check), Readiness::Planned);
    assert_eq!(rollback(&f).0, LineStatus::Fail);
    let rehearse = |f: &mut Facts, when: &str, result: RehearsalResult| {
        f.rehearsals.push(RehearsalFact {
            at: at(when),
            by: key(CAT),
            note: "staging".into(),
            link: None,
            environment: Some("staging".into()),
            result,
        });
    };
    rehearse(&mut f, "2027-03-06T09:00:00Z", RehearsalResult::Failed);
    assert_eq!(f.readiness(check), Readiness::RehearsalFailed);
    let (status, reason) = rollback(&f);
    assert_eq!(status, LineStatus::Fail);
    assert!(reason.contains("failed"), "{reason}");
    rehearse(&mut f, "2027-03-07T09:00:00Z", RehearsalResult::Passed);
    assert_eq!(f.readiness(check), Readiness::Rehearsed);
    assert_eq!(rollback(&f).0, LineStatus::Pass);
    // The plan is rewritten after the rehearsal: the rehearsal was of another plan.
    f.rollback_plan = Some(RollbackPlanFact {
        plan: RollbackPlan {
            previous_version: "2.3.1".into(),
            steps: "helm rollback refunds".into(),
            reversible: true,
            ..Default::default()
        },
        at: at("2027-03-08T09:00:00Z"),
        by: key(CAT),
    });
    assert_eq!(f.readiness(check), Readiness::Planned);
    assert_eq!(rollback(&f).0, LineStatus::Fail);
    // Judged as of before the rewrite, the rehearsal still counted.
    assert_eq!(
        f.readiness(at("2027-03-07T12:00:00Z")),
        Readiness::Rehearsed
    );
    // A release without any plan.
    f.rollback_plan = None;
    f.fields.rollback_plan.clear();
    assert_eq!(f.readiness(check), Readiness::NoPlan);
}

#[test]
fn a_late_review_or_action_of_the_service_holds_its_next_production_release() {
    use relm_policy::facts::{OverdueAction, OverdueReview};
    let with = |actions: &str| {
        Policy::parse(&format!(
            "{DEPLOYING}\n[[rules]]\nkind = \"review\"\nwhen = {{ tiers = [\"production\"] }}\nactions = {actions}\n"
        ))
        .unwrap()
    };
    let mut f = release();
    two_approvals(&mut f);
    let review_line = |p: &Policy, f: &Facts| {
        let v = evaluate(p, 1, f, "prod", at(CHECK_AT));
        let l = line(&v, "review");
        (l.status, l.reason.clone())
    };
    assert_eq!(review_line(&with("true"), &f).0, LineStatus::Pass);
    f.reviews.overdue_actions.push(OverdueAction {
        id: "act-1".into(),
        title: "Alert on the error rate".into(),
        owner: key(CAT),
        due: "2027-03-01".into(),
    });
    let (status, reason) = review_line(&with("true"), &f);
    assert_eq!(status, LineStatus::Fail);
    assert!(
        reason.contains("Alert on the error rate (Cat Manager, 2027-03-01)"),
        "{reason}"
    );
    // A policy that follows reviews up but not their actions.
    assert_eq!(review_line(&with("false"), &f).0, LineStatus::Pass);
    f.reviews.overdue_reviews.push(OverdueReview {
        release_id: "rel-2".into(),
        version: "2.3.0".into(),
        due: "2027-03-04".into(),
    });
    let (status, reason) = review_line(&with("false"), &f);
    assert_eq!(status, LineStatus::Fail);
    assert_eq!(
        reason,
        "a mandatory review is overdue: payments-api 2.3.0 (2027-03-04)"
    );
    let v = relm_policy::evaluate_in(
        &with("false"),
        1,
        &f,
        "prod",
        at(CHECK_AT),
        relm_policy::Lang::Fr,
    );
    assert!(
        line(&v, "review")
            .reason
            .starts_with("une revue obligatoire est en retard"),
        "{}",
        line(&v, "review").reason
    );
}

/// Verdicts in several environments with the risk assessed once are the verdicts asked one
/// environment at a time, in order, whatever the risk (by hand, by signals, lowered or not).
#[test]
fn verdicts_for_each_environment_are_those_asked_one_at_a_time() {
    let policy = Policy::parse(STRICT).unwrap();
    let mut facts = release();
    approve(&mut facts, ANN, "2027-03-08T10:00:00Z");
    let envs = ["staging", "prod", "nowhere", "prod"];
    for risk in [RiskLevel::Low, RiskLevel::High, RiskLevel::Critical] {
        facts.fields.risk = risk;
        for lang in [relm_policy::Lang::En, relm_policy::Lang::Fr] {
            let each = relm_policy::evaluate_each(&policy, 1, &facts, envs, at(CHECK_AT), lang);
            let one: Vec<_> = (envs.iter())
                .map(|e| relm_policy::evaluate_in(&policy, 1, &facts, e, at(CHECK_AT), lang))
                .collect();
            assert_eq!(each, one, "{risk:?} {lang:?}");
            assert_eq!(each.len(), envs.len());
            assert_ne!(each[0].rules, each[1].rules, "staging and prod differ");
            // A decision judged with the risk assessed once, likewise.
            let assessed = relm_policy::AssessedRisk::of(&policy, &facts);
            for env in envs {
                let by = key(ANN);
                let at = at(CHECK_AT);
                let plain = |j: Option<relm_policy::engine::Judged>| j.map(|j| (j.valid, j.reason));
                assert_eq!(
                    plain(relm_policy::engine::judge_decision_assessed(
                        &policy, &facts, &assessed, env, at, &by, lang
                    )),
                    plain(relm_policy::engine::judge_decision(
                        &policy, &facts, env, at, &by, lang
                    )),
                    "{env} {risk:?}"
                );
            }
        }
    }
}

/// The "freeze right after" signal names the first freeze in the calendar's order covering the
/// release with an occurrence starting in the 48 hours after its window, whether the search
/// goes through the occurrences remembered for a span or (near a span's edge) asks each entry.
/// Checked against each entry expanded directly, for windows every five hours over two months
/// (so that some of the 48 hours cross from one remembered span to the next).
#[test]
fn freeze_right_after_is_the_first_covering_freeze_whichever_way_it_is_found() {
    let policy = Policy::parse(CALENDAR).unwrap();
    let mut other = cal_entry(
        "another-service",
        Kind::Freeze,
        Some(Level::Hard),
        "2027-03-01T06:00",
        "2027-03-01T07:00",
        Some("FREQ=DAILY"),
    );
    other.1.scope.services = vec!["search".into()];
    let entries = vec![
        // Listed first, but hourly: too many occurrences in 48 hours to look at.
        cal_entry(
            "a-hourly",
            Kind::Freeze,
            Some(Level::Soft),
            "2027-03-01T00:00",
            "2027-03-01T00:05",
            Some("FREQ=HOURLY"),
        ),
        other,
        cal_entry(
            "b-window",
            Kind::Window,
            None,
            "2027-03-01T12:00",
            "2027-03-01T13:00",
            Some("FREQ=DAILY"),
        ),
        cal_entry(
            "c-tuesdays",
            Kind::Freeze,
            Some(Level::Hard),
            "2027-03-02T18:00",
            "2027-03-02T20:00",
            Some("FREQ=WEEKLY"),
        ),
        cal_entry(
            "d-once",
            Kind::Freeze,
            Some(Level::Soft),
            "2027-04-10T00:00",
            "2027-04-12T00:00",
            None,
        ),
        cal_entry(
            "e-fridays",
            Kind::Freeze,
            Some(Level::Soft),
            "2027-03-05T16:00",
            "2027-03-05T23:00",
            Some("FREQ=WEEKLY"),
        ),
    ];
    let mut f = release();
    calendar(&mut f, entries.clone());
    let mut named = BTreeMap::<Option<String>, u32>::new();
    for step in 0..300 {
        let start = at("2027-03-01T00:00:00Z") + chrono::Duration::hours(5 * step);
        let window = f.fields.window.as_mut().unwrap();
        (window.start, window.end) = (start, start + chrono::Duration::hours(1));
        let (from, to) = (window.end, window.end + chrono::Duration::hours(48));
        let expected = entries
            .iter()
            .filter(|(_, e)| e.kind == Kind::Freeze && e.scope.covers("payments-api", "prod"))
            .find(|(_, e)| {
                relm_calendar::occurrences(e, from, to, 16)
                    .is_ok_and(|found| found.iter().any(|o| o.start_utc >= from))
            })
            .map(|(_, e)| e.name.clone());
        let found = relm_policy::assess::signals(&policy, &f).freeze_soon_after;
        assert_eq!(found, expected, "window starting {start}");
        *named.entry(found).or_default() += 1;
    }
    // Every case met: nothing, each covering freeze, and never the passed-over ones.
    let names: Vec<_> = named.keys().cloned().collect();
    assert_eq!(
        names,
        [
            None,
            Some("c-tuesdays".into()),
            Some("d-once".into()),
            Some("e-fridays".into())
        ]
    );
}
