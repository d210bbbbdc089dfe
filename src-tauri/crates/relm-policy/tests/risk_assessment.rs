//! Release risk assessment: table-driven cases (inputs → level and factor list, snapshotted)
//! and properties (adding a factor never lowers a score; the level is monotone in every signal).

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::collections::BTreeMap;

use proptest::prelude::*;
use relm_domain::release::{ChangeType, RiskLevel};
use relm_policy::assess::{Assessment, Choice, Model, Question, Signals, assess};

fn model() -> Model {
    let q = |key: &str, answers: &[(&str, u32)]| Question {
        key: key.into(),
        text: format!("{key}?"),
        text_fr: String::new(),
        answers: answers
            .iter()
            .map(|(v, p)| Choice {
                value: (*v).into(),
                points: *p,
                label: String::new(),
                label_fr: String::new(),
            })
            .collect(),
    };
    Model {
        questions: vec![
            q("customer_facing", &[("no", 0), ("yes", 10)]),
            q(
                "data_migration",
                &[("none", 0), ("reversible", 10), ("irreversible", 25)],
            ),
            q(
                "tested_in_staging",
                &[("yes", 0), ("partly", 10), ("no", 20)],
            ),
        ],
        ..Model::default()
    }
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

/// What a snapshot shows: the level, the method, both scores and every factor.
fn summary(a: &Assessment) -> String {
    let mut s = format!(
        "level {} by {:?} (questionnaire {} → {}, signals {} → {})\n",
        a.level,
        a.method,
        a.questionnaire_score,
        a.questionnaire_level,
        a.signals_score,
        a.signals_level
    );
    for f in &a.factors {
        s.push_str(&format!(
            "  +{:<3} {:<24} {:?}: {}\n",
            f.points, f.name, f.source, f.detail
        ));
    }
    if !a.unanswered.is_empty() {
        s.push_str(&format!("  unanswered: {}\n", a.unanswered.join(", ")));
    }
    s
}

#[test]
fn table_of_releases_and_their_levels() {
    let m = model();
    let quiet = Signals {
        change_type: ChangeType::Standard,
        rollback_rehearsed: true,
        ..Signals::default()
    };
    let cases: Vec<(&str, BTreeMap<String, String>, Signals)> = vec![
        (
            "a standard change to staging, nothing answered",
            answers(&[]),
            quiet.clone(),
        ),
        (
            "a normal change to production, rehearsed, all answered low",
            answers(&[
                ("customer_facing", "no"),
                ("data_migration", "none"),
                ("tested_in_staging", "yes"),
            ]),
            Signals {
                change_type: ChangeType::Normal,
                targets_production: true,
                ..quiet.clone()
            },
        ),
        (
            "the questionnaire decides: an irreversible migration, untested",
            answers(&[
                ("customer_facing", "yes"),
                ("data_migration", "irreversible"),
                ("tested_in_staging", "no"),
            ]),
            Signals {
                change_type: ChangeType::Normal,
                ..quiet.clone()
            },
        ),
        (
            "the signals decide: an emergency to production on a Saturday night after failures",
            answers(&[("customer_facing", "no")]),
            Signals {
                change_type: ChangeType::Emergency,
                targets_production: true,
                recent_failures: 5,
                off_hours: Some("Sat 23:00".into()),
                window: Some(("2027-03-13T22:00:00Z".into(), "Europe/Paris".into())),
                freeze_soon_after: Some("Year-end freeze".into()),
                rollback_rehearsed: false,
                linked_high_risks: vec![("Card processor outage".into(), 15)],
                linked_high_count: 1,
                components: 8,
                changes: 14,
            },
        ),
        (
            "an answer the questionnaire no longer allows counts nothing",
            answers(&[("customer_facing", "maybe"), ("retired_question", "yes")]),
            quiet.clone(),
        ),
    ];
    let mut out = String::new();
    for (name, a, s) in &cases {
        out.push_str(&format!("## {name}\n{}\n", summary(&assess(&m, a, s))));
    }
    insta::assert_snapshot!(out);
}

#[test]
fn the_default_policy_thresholds_make_sense() {
    Model::default().check().unwrap();
    let mut bad = Model::default();
    bad.signals.high = bad.signals.medium;
    assert!(bad.check().is_err());
    let mut dup = model();
    dup.questions.push(dup.questions[0].clone());
    assert!(dup.check().unwrap_err().contains("customer_facing"));
}

fn signals() -> impl Strategy<Value = Signals> {
    (
        prop_oneof![
            Just(ChangeType::Standard),
            Just(ChangeType::Normal),
            Just(ChangeType::Emergency)
        ],
        any::<bool>(),
        0usize..20,
        0usize..30,
        0usize..6,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0usize..4,
    )
        .prop_map(
            |(ct, prod, comps, changes, fails, freeze, off, rehearsed, risks)| Signals {
                change_type: ct,
                targets_production: prod,
                components: comps,
                changes,
                recent_failures: fails,
                freeze_soon_after: freeze.then(|| "freeze".into()),
                off_hours: off.then(|| "Sun 03:00".into()),
                window: None,
                rollback_rehearsed: rehearsed,
                linked_high_risks: (0..risks).map(|i| (format!("r{i}"), 16)).collect(),
                linked_high_count: risks,
            },
        )
}

fn answer_sets() -> impl Strategy<Value = BTreeMap<String, String>> {
    (0usize..3, 0usize..4, 0usize..4).prop_map(|(a, b, c)| {
        let mut m = BTreeMap::new();
        if a > 0 {
            m.insert("customer_facing".into(), ["no", "yes"][a - 1].into());
        }
        if b > 0 {
            m.insert(
                "data_migration".into(),
                ["none", "reversible", "irreversible"][b - 1].into(),
            );
        }
        if c > 0 {
            m.insert(
                "tested_in_staging".into(),
                ["yes", "partly", "no"][c - 1].into(),
            );
        }
        m
    })
}

/// Every way to make one signal riskier, one at a time.
fn riskier(s: &Signals) -> Vec<Signals> {
    let mut out = Vec::new();
    let mut push = |f: &dyn Fn(&mut Signals)| {
        let mut t = s.clone();
        f(&mut t);
        out.push(t);
    };
    push(&|t| {
        t.change_type = match t.change_type {
            ChangeType::Standard => ChangeType::Normal,
            _ => ChangeType::Emergency,
        }
    });
    push(&|t| t.targets_production = true);
    push(&|t| t.components += 1);
    push(&|t| t.changes += 1);
    push(&|t| t.recent_failures += 1);
    push(&|t| t.freeze_soon_after = Some("freeze".into()));
    push(&|t| t.off_hours = Some("Sun 03:00".into()));
    push(&|t| t.rollback_rehearsed = false);
    push(&|t| {
        t.linked_high_risks.push(("more".into(), 20));
        t.linked_high_count += 1;
    });
    out
}

proptest! {
    #[test]
    fn a_riskier_signal_never_lowers_the_score_or_the_level(s in signals(), a in answer_sets()) {
        let m = model();
        let base = assess(&m, &a, &s);
        for t in riskier(&s) {
            let more = assess(&m, &a, &t);
            prop_assert!(more.signals_score >= base.signals_score, "{t:?}");
            prop_assert!(more.level >= base.level, "{t:?}");
        }
    }

    #[test]
    fn a_riskier_answer_never_lowers_the_score_or_the_level(s in signals(), a in answer_sets()) {
        let m = model();
        let base = assess(&m, &a, &s);
        for q in &m.questions {
            let now = a.get(&q.key).and_then(|v| q.answers.iter().find(|c| &c.value == v)).map_or(0, |c| c.points);
            for c in q.answers.iter().filter(|c| c.points >= now) {
                let mut more = a.clone();
                more.insert(q.key.clone(), c.value.clone());
                let r = assess(&m, &more, &s);
                prop_assert!(r.questionnaire_score >= base.questionnaire_score);
                prop_assert!(r.level >= base.level);
            }
        }
    }

    #[test]
    fn the_level_is_the_higher_of_the_two_and_the_factors_add_up(s in signals(), a in answer_sets()) {
        let r = assess(&model(), &a, &s);
        prop_assert_eq!(r.level, r.questionnaire_level.max(r.signals_level));
        let total: u32 = r.factors.iter().map(|f| f.points).sum();
        prop_assert_eq!(total, r.questionnaire_score + r.signals_score);
        prop_assert!(r.factors.iter().all(|f| f.points > 0));
        prop_assert!(r.level >= RiskLevel::Low);
    }
}
