//! Properties of verdicts: any change to a governed field makes existing approvals stale, and a
//! verdict does not depend on how different people's events interleave in the ledger.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use std::collections::BTreeMap;

use relm_domain::ids::ReleaseId;
use relm_domain::keys::KeyId;
use relm_domain::payload::{Decision, Outcome as Deployed, RehearsalResult};
use relm_domain::release::{
    ChangeRef, ChangeType, Component, EvidenceLink, ReleaseFields, ReleaseStatus, RiskLevel,
};
use relm_domain::role::Role;
use relm_domain::window::PlannedWindow;
use relm_policy::facts::{ApprovalFact, DeploymentFact, Person, RehearsalFact};
use relm_policy::{Facts, Policy, evaluate};

const POLICY: &str = r#"
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
kind = "rollback"
rehearsal_from_risk = "high"

[[rules]]
kind = "promotion"
"#;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap()
}

fn base() -> ReleaseFields {
    ReleaseFields {
        service: "payments-api".into(),
        version: "1.0.0".into(),
        title: "T".into(),
        description: String::new(),
        change_type: ChangeType::Normal,
        risk: RiskLevel::Medium,
        environments: vec!["staging".into(), "prod".into()],
        window: Some(PlannedWindow {
            start: t0() + Duration::days(5),
            end: t0() + Duration::days(5) + Duration::hours(1),
            tz: "UTC".into(),
        }),
        owner: KeyId("00000000000000aa".into()),
        components: vec![Component {
            name: "api".into(),
            version: "1.0.0".into(),
            digest: None,
        }],
        changes: vec![ChangeRef {
            id: "C-1".into(),
            title: "x".into(),
            link: None,
            author: None,
        }],
        rollback_plan: "redeploy".into(),
        evidence: vec![],
    }
}

/// One edit of one governed field (index `field`, variant `n`).
fn edit_governed(f: &mut ReleaseFields, field: usize, n: u8) {
    let s = format!("{n}");
    match field {
        0 => f.service = format!("{}-{s}", f.service),
        1 => f.version = format!("1.0.{}", u16::from(n) + 1),
        2 => {
            f.change_type = match f.change_type {
                ChangeType::Normal => ChangeType::Standard,
                _ => ChangeType::Normal,
            }
        }
        3 => {
            f.risk = match f.risk {
                RiskLevel::Medium => RiskLevel::Low,
                _ => RiskLevel::Medium,
            }
        }
        4 => f.environments.push(format!("extra{s}")),
        5 => {
            if let Some(w) = f.window.as_mut() {
                w.start += Duration::minutes(i64::from(n) + 1);
            }
        }
        6 => f.components[0].digest = Some(format!("sha256:{}", format!("{n:02x}").repeat(32))),
        7 => f.components[0].version = format!("1.0.{}", u16::from(n) + 1),
        8 => f.changes.push(ChangeRef {
            id: format!("C-{}", u16::from(n) + 2),
            title: "y".into(),
            link: None,
            author: None,
        }),
        9 => f.changes[0].author = Some(format!("dev{s}@example.com")),
        _ => f.rollback_plan = format!("{} {s}", f.rollback_plan),
    }
}

const GOVERNED_FIELDS: usize = 11;

fn people() -> BTreeMap<KeyId, Person> {
    (0..4u8)
        .map(|i| {
            (
                KeyId(format!("00000000000000b{i}")),
                Person {
                    name: format!("Approver {i}"),
                    email: format!("a{i}@example.com"),
                    roles: vec![Role::Approver],
                    team: String::new(),
                    active: true,
                },
            )
        })
        .collect()
}

fn facts(fields: ReleaseFields) -> Facts {
    let id = ReleaseId("01JPROP0000000000000000000".into());
    let digest = fields.governed_digest(&id);
    Facts {
        release_id: id,
        fields,
        status: ReleaseStatus::Planned,
        created_at: t0(),
        submitted_at: Some(t0()),
        approvals: vec![],
        deployments: vec![DeploymentFact {
            environment: "staging".into(),
            outcome: Deployed::Succeeded,
            release_digest: digest,
            started_at: t0() + Duration::hours(1),
            at: t0() + Duration::hours(1),
            by: KeyId("00000000000000aa".into()),
        }],
        rehearsals: vec![],
        rollback_plan: None,
        emergency: None,
        justifications: vec![],
        members: people().into(),
        risk: Default::default(),
        reviews: Default::default(),
        sbom: Default::default(),
        calendar: Default::default(),
    }
}

fn approval(f: &Facts, who: u8, minutes: i64, decision: Decision) -> ApprovalFact {
    ApprovalFact {
        event_id: format!("e-{who}-{minutes}"),
        by: KeyId(format!("00000000000000b{who}")),
        environment: "prod".into(),
        decision,
        release_digest: f.fields.governed_digest(&f.release_id),
        policy_version: 1,
        at: t0() + Duration::minutes(minutes),
        expires_at: None,
        comment: String::new(),
    }
}

/// Approvals (`true`) and rejections by person number, one a minute from ten minutes in.
fn decided(f: &Facts, decisions: &[(u8, bool)]) -> Vec<ApprovalFact> {
    decisions
        .iter()
        .enumerate()
        .map(|(i, (who, ok))| {
            let d = if *ok {
                Decision::Approve
            } else {
                Decision::Reject
            };
            approval(f, *who, 10 + i as i64, d)
        })
        .collect()
}

proptest! {
    #[test]
    fn any_governed_edit_makes_approvals_stale(field in 0..GOVERNED_FIELDS, n in any::<u8>()) {
        let policy = Policy::parse(POLICY).unwrap();
        let mut f = facts(base());
        f.approvals = vec![approval(&f, 0, 10, Decision::Approve), approval(&f, 1, 20, Decision::Approve)];
        let at = t0() + Duration::days(1);
        let before = evaluate(&policy, 1, &f, "prod", at);
        prop_assert!(before.approvals.iter().all(|a| a.fresh && a.counts));
        let digest = before.release_digest.clone();
        edit_governed(&mut f.fields, field, n);
        let after = evaluate(&policy, 1, &f, "prod", at);
        prop_assert_ne!(&after.release_digest, &digest);
        prop_assert!(after.approvals.iter().all(|a| !a.fresh && !a.counts), "{:?}", after.approvals);
        prop_assert_eq!(after.outcome, relm_policy::Outcome::Blocked);
    }

    #[test]
    fn title_description_and_evidence_do_not_stale_approvals(title in "[a-z ]{1,20}", ev in "[a-z]{1,8}") {
        let mut f = base();
        let id = ReleaseId("01JPROP0000000000000000000".into());
        let digest = f.governed_digest(&id);
        f.title = title;
        f.description = "more words".into();
        f.evidence.push(EvidenceLink { name: ev, link: Some("https://ci".into()), digest: None });
        prop_assert_eq!(f.governed_digest(&id), digest);
    }

    /// Events by different people interleave differently on different replicas; each person's
    /// own events keep their order (their chain). The verdict must not depend on the
    /// interleaving.
    #[test]
    fn verdicts_do_not_depend_on_how_peoples_events_interleave(
        decisions in prop::collection::vec((0u8..4, any::<bool>()), 1..12),
        seed in any::<u64>(),
        rehearsed in any::<bool>(),
        high in any::<bool>(),
    ) {
        let policy = Policy::parse(POLICY).unwrap();
        let mut fields = base();
        if high { fields.risk = RiskLevel::High; }
        let mut f = facts(fields);
        // Each decision at its own minute; a person's later decision replaces their earlier one.
        let events = decided(&f, &decisions);
        if rehearsed {
            f.rehearsals.push(RehearsalFact { at: t0(), by: KeyId("00000000000000aa".into()), note: "ok".into(), link: None, environment: None, result: RehearsalResult::Passed });
        }
        let at = t0() + Duration::days(1);
        f.approvals = events.clone();
        let reference = evaluate(&policy, 1, &f, "prod", at);
        // Another interleaving: a stable merge of the per-person sequences in a seeded order.
        let mut per_person: BTreeMap<String, Vec<ApprovalFact>> = BTreeMap::new();
        for e in events { per_person.entry(e.by.0.clone()).or_default().push(e); }
        let mut queues: Vec<Vec<ApprovalFact>> = per_person.into_values().map(|mut v| { v.reverse(); v }).collect();
        let mut merged = Vec::new();
        let mut state = seed | 1;
        while queues.iter().any(|q| !q.is_empty()) {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            let open: Vec<usize> = (0..queues.len()).filter(|i| !queues[*i].is_empty()).collect();
            let pick = open[(state % open.len() as u64) as usize];
            merged.extend(queues[pick].pop());
        }
        f.approvals = merged;
        let other = evaluate(&policy, 1, &f, "prod", at);
        prop_assert_eq!(reference.outcome, other.outcome);
        prop_assert_eq!(&reference.rules, &other.rules);
        let key = |v: &relm_policy::Verdict| {
            let mut a: Vec<(String, bool, String)> = v.approvals.iter().map(|a| (a.by.clone(), a.counts, a.reason.clone())).collect();
            a.sort();
            a
        };
        prop_assert_eq!(key(&reference), key(&other));
    }

    /// Callers that read a verdict's outcome or a few of its lines take it unworded (pending
    /// decisions, the digest, the gates that block, a policy simulation): what they read is
    /// what the worded verdict says, in either language.
    #[test]
    fn an_unworded_verdict_says_what_the_worded_one_does(
        decisions in prop::collection::vec((0u8..4, any::<bool>()), 0..6),
        high in any::<bool>(),
        env in prop::sample::select(vec!["staging", "prod", "nowhere"]),
        french in any::<bool>(),
    ) {
        let policy = Policy::parse(POLICY).unwrap();
        let mut fields = base();
        if high { fields.risk = RiskLevel::High; }
        let mut f = facts(fields);
        f.approvals = decided(&f, &decisions);
        let lang = if french { relm_policy::Lang::Fr } else { relm_policy::Lang::En };
        let at = t0() + Duration::days(1);
        let worded = relm_policy::evaluate_in(&policy, 1, &f, env, at, lang);
        let judged = relm_policy::judge(&policy, 1, &f, env, at);
        prop_assert_eq!(judged.outcome(), worded.outcome);
        prop_assert_eq!(judged.release_digest(), worded.release_digest.as_str());
        let lines: Vec<(String, String, relm_policy::LineStatus, String)> = judged
            .findings()
            .map(|l| (l.rule.to_string(), l.kind.to_string(), l.status, l.reason(lang)))
            .collect();
        let expected: Vec<_> = worded
            .rules
            .iter()
            .map(|l| (l.rule.clone(), l.kind.clone(), l.status, l.reason.clone()))
            .collect();
        prop_assert_eq!(lines, expected);
        let approvals: Vec<(String, bool)> =
            judged.approvals().iter().map(|a| (a.fact.by.0.clone(), a.counts)).collect();
        let expected: Vec<_> = worded.approvals.iter().map(|a| (a.by.clone(), a.counts)).collect();
        prop_assert_eq!(approvals, expected);
        prop_assert_eq!(&judged.clone().word(lang), &worded);
    }
}
