//! Release risk, assessed two ways and explained.
//!
//! A **questionnaire** (questions, allowed answers, points, thresholds) comes with the policy
//! bundle and is versioned with it; a release's answers are signed events. **Signals** are
//! computed from Relm's own data: what the release changes and where, its change type, the
//! service's recent failed deployments, a freeze starting soon after the window, a window outside
//! business hours in its zone, an unrehearsed rollback, open high risks linked to it. Each method
//! scores its factors and maps the score to a level by its thresholds; the release's level is the
//! higher of the two, and the assessment lists every factor with its points and where it came
//! from.
//!
//! Both scores only ever add points, so adding a factor never lowers a score and the level is
//! monotone in every signal (property-tested).

use std::collections::BTreeMap;

use relm_domain::release::RiskLevel;
use serde::{Deserialize, Serialize};

/// Scores from which each level starts (low below `medium`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub medium: u32,
    pub high: u32,
    pub critical: u32,
}

impl Thresholds {
    pub fn level(&self, score: u32) -> RiskLevel {
        if score >= self.critical {
            RiskLevel::Critical
        } else if score >= self.high {
            RiskLevel::High
        } else if score >= self.medium {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }

    /// Thresholds that rise strictly, or why not.
    pub fn check(&self) -> Result<(), String> {
        if 0 < self.medium && self.medium < self.high && self.high < self.critical {
            Ok(())
        } else {
            Err(format!(
                "thresholds must rise strictly from above 0: medium {} < high {} < critical {}",
                self.medium, self.high, self.critical
            ))
        }
    }
}

/// One allowed answer to a question and the points it adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "RiskAnswerChoice"))]
pub struct Choice {
    pub value: String,
    pub points: u32,
    /// What the app shows (the value when empty); `label_fr` in French.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label_fr: String,
}

/// A question of the questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "RiskQuestion"))]
pub struct Question {
    /// Stable name, used by answers (`relm risk answer --question KEY`).
    pub key: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text_fr: String,
    pub answers: Vec<Choice>,
}

/// The points each signal adds (defaults documented in docs/risk.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Weights {
    pub emergency_change: u32,
    pub normal_change: u32,
    pub production: u32,
    /// More than five components.
    pub many_components: u32,
    /// More than ten changes.
    pub many_changes: u32,
    /// Each failed or rolled-back deployment of the service in the last 90 days (at most three
    /// count).
    pub recent_failure: u32,
    /// A freeze starts within 48 hours after the window ends.
    pub freeze_soon_after: u32,
    /// The window starts outside 08:00–18:00 on a weekday, in its own zone.
    pub off_hours: u32,
    /// The release targets production and its rollback was never rehearsed.
    pub rollback_not_rehearsed: u32,
    /// Each open, unaccepted risk of score 15 or more linked to the release or its services
    /// (at most two count).
    pub linked_high_risk: u32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            emergency_change: 15,
            normal_change: 5,
            production: 10,
            many_components: 5,
            many_changes: 5,
            recent_failure: 5,
            freeze_soon_after: 5,
            off_hours: 5,
            rollback_not_rehearsed: 10,
            linked_high_risk: 10,
        }
    }
}

/// The policy's `[risk]` section: the questionnaire, the signals' weights, both thresholds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    #[serde(default)]
    pub questions: Vec<Question>,
    #[serde(default = "questionnaire_thresholds")]
    pub questionnaire: Thresholds,
    #[serde(default = "signal_thresholds")]
    pub signals: Thresholds,
    #[serde(default)]
    pub weights: Weights,
}

fn questionnaire_thresholds() -> Thresholds {
    Thresholds {
        medium: 10,
        high: 25,
        critical: 40,
    }
}

fn signal_thresholds() -> Thresholds {
    Thresholds {
        medium: 15,
        high: 30,
        critical: 45,
    }
}

impl Default for Model {
    fn default() -> Self {
        Model {
            questions: Vec::new(),
            questionnaire: questionnaire_thresholds(),
            signals: signal_thresholds(),
            weights: Weights::default(),
        }
    }
}

impl Model {
    /// A model whose parts make sense together, or why not.
    pub fn check(&self) -> Result<(), String> {
        self.questionnaire
            .check()
            .map_err(|e| format!("[risk.questionnaire]: {e}"))?;
        self.signals
            .check()
            .map_err(|e| format!("[risk.signals]: {e}"))?;
        let mut keys = std::collections::BTreeSet::new();
        for q in &self.questions {
            if q.key.trim().is_empty() || !keys.insert(q.key.as_str()) {
                return Err(format!(
                    "every [[risk.questions]] needs its own `key` (`{}` is empty or taken)",
                    q.key
                ));
            }
            if q.answers.len() < 2 {
                return Err(format!("question `{}` needs at least two answers", q.key));
            }
            let mut values = std::collections::BTreeSet::new();
            for a in &q.answers {
                if a.value.trim().is_empty() || !values.insert(a.value.as_str()) {
                    return Err(format!(
                        "question `{}`: every answer needs its own `value` (`{}` is empty or taken)",
                        q.key, a.value
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.key == key)
    }
}

/// What the signals look at, gathered from the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signals {
    pub change_type: relm_domain::release::ChangeType,
    pub targets_production: bool,
    pub components: usize,
    pub changes: usize,
    /// Failed or rolled-back deployments of the service in the last 90 days (other releases
    /// included).
    pub recent_failures: usize,
    /// The freeze starting within 48 hours after the window, with its name.
    pub freeze_soon_after: Option<String>,
    /// The window's start in its zone, when outside business hours (`Sat 07:00`).
    pub off_hours: Option<String>,
    /// The window's start (RFC 3339 UTC) and zone, for the app to word the time itself.
    pub window: Option<(String, String)>,
    pub rollback_rehearsed: bool,
    /// Open, unaccepted risks of score 15 or more linked to the release or its services: the
    /// highest few (title, score), and how many there are in all.
    pub linked_high_risks: Vec<(String, u8)>,
    pub linked_high_count: usize,
}

impl Default for Signals {
    /// A standard change with nothing else to say about it.
    fn default() -> Self {
        Signals {
            change_type: relm_domain::release::ChangeType::Standard,
            targets_production: false,
            components: 0,
            changes: 0,
            recent_failures: 0,
            freeze_soon_after: None,
            off_hours: None,
            window: None,
            rollback_rehearsed: false,
            linked_high_risks: Vec::new(),
            linked_high_count: 0,
        }
    }
}

/// Where a factor came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "FactorSource"))]
pub enum Source {
    Questionnaire,
    Signals,
}

/// One contribution to a score: its stable name, its points, where it came from, and what it
/// looked at (`detail`, in English; the app words `name` with `params`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "RiskFactor"))]
pub struct Factor {
    pub name: String,
    pub points: u32,
    pub source: Source,
    pub detail: String,
    pub params: BTreeMap<String, String>,
}

/// Which method decided the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "RiskMethod"))]
pub enum Method {
    Questionnaire,
    Signals,
}

/// A release's risk, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "RiskAssessment"))]
pub struct Assessment {
    /// The higher of the two methods' levels.
    pub level: RiskLevel,
    /// The deciding method's score.
    pub score: u32,
    pub method: Method,
    pub questionnaire_score: u32,
    pub questionnaire_level: RiskLevel,
    pub signals_score: u32,
    pub signals_level: RiskLevel,
    /// Every factor that added points, highest first.
    pub factors: Vec<Factor>,
    /// The release's answers, by question key.
    pub answers: BTreeMap<String, String>,
    /// Questions not answered yet.
    pub unanswered: Vec<String>,
}

fn factor(name: &str, points: u32, source: Source, detail: String) -> Factor {
    Factor {
        name: name.into(),
        points,
        source,
        detail,
        params: BTreeMap::new(),
    }
}

impl Factor {
    fn with(mut self, k: &str, v: impl ToString) -> Self {
        self.params.insert(k.into(), v.to_string());
        self
    }
}

/// Assess a release from its answers and signals under `model`. Answers to questions the model
/// no longer has, or values it no longer allows, count nothing (they are kept, and listed).
pub fn assess(model: &Model, answers: &BTreeMap<String, String>, s: &Signals) -> Assessment {
    use relm_domain::release::ChangeType;
    let w = &model.weights;
    let mut factors = Vec::new();
    let mut unanswered = Vec::new();
    for q in &model.questions {
        match answers.get(&q.key) {
            None => unanswered.push(q.key.clone()),
            Some(v) => {
                if let Some(c) = q.answers.iter().find(|c| &c.value == v)
                    && c.points > 0
                {
                    factors.push(
                        factor(
                            &format!("question:{}", q.key),
                            c.points,
                            Source::Questionnaire,
                            format!("{}: {}", q.text, v),
                        )
                        .with("question", &q.key)
                        .with("answer", v),
                    );
                }
            }
        }
    }
    let sig =
        |name: &str, points: u32, detail: String| factor(name, points, Source::Signals, detail);
    let mut add = |on: bool, f: Factor| {
        if on && f.points > 0 {
            factors.push(f);
        }
    };
    match s.change_type {
        ChangeType::Emergency => add(
            true,
            sig(
                "emergency_change",
                w.emergency_change,
                "an emergency change".into(),
            ),
        ),
        ChangeType::Normal => add(
            true,
            sig("normal_change", w.normal_change, "a normal change".into()),
        ),
        ChangeType::Standard => {}
    }
    add(
        s.targets_production,
        sig("production", w.production, "targets production".into()),
    );
    add(
        s.components > 5,
        sig(
            "many_components",
            w.many_components,
            format!("{} components", s.components),
        )
        .with("count", s.components),
    );
    add(
        s.changes > 10,
        sig(
            "many_changes",
            w.many_changes,
            format!("{} changes", s.changes),
        )
        .with("count", s.changes),
    );
    let failures = s.recent_failures.min(3) as u32;
    add(
        failures > 0,
        sig(
            "recent_failures",
            w.recent_failure * failures,
            format!(
                "{} failed or rolled-back deployments of the service in the last 90 days",
                s.recent_failures
            ),
        )
        .with("count", s.recent_failures),
    );
    if let Some(name) = &s.freeze_soon_after {
        add(
            true,
            sig(
                "freeze_soon_after",
                w.freeze_soon_after,
                format!("the freeze “{name}” starts within 48 hours after the window"),
            )
            .with("freeze", name),
        );
    }
    if let Some(when) = &s.off_hours {
        add(
            true,
            sig(
                "off_hours",
                w.off_hours,
                format!("the window starts outside business hours ({when})"),
            )
            .with("when", when)
            .with("start", s.window.as_ref().map_or("", |w| w.0.as_str()))
            .with("tz", s.window.as_ref().map_or("", |w| w.1.as_str())),
        );
    }
    add(
        s.targets_production && !s.rollback_rehearsed,
        sig(
            "rollback_not_rehearsed",
            w.rollback_not_rehearsed,
            "the rollback was never rehearsed".into(),
        ),
    );
    // The count said, or the names given when no count was.
    let count = s.linked_high_count.max(s.linked_high_risks.len());
    let linked = count.min(2) as u32;
    let named: Vec<String> = s
        .linked_high_risks
        .iter()
        .map(|(t, score)| format!("“{t}” ({score})"))
        .collect();
    add(
        linked > 0,
        sig(
            "linked_high_risks",
            w.linked_high_risk * linked,
            if count > named.len() {
                format!(
                    "{count} open high risks linked, among them {}",
                    named.join(", ")
                )
            } else {
                format!("open high risks linked: {}", named.join(", "))
            },
        )
        .with("count", count),
    );
    let sum = |src: Source| {
        factors
            .iter()
            .filter(|f| f.source == src)
            .map(|f| f.points)
            .sum::<u32>()
    };
    let (q_score, s_score) = (sum(Source::Questionnaire), sum(Source::Signals));
    let (q_level, s_level) = (
        model.questionnaire.level(q_score),
        model.signals.level(s_score),
    );
    let (level, score, method) = if q_level > s_level {
        (q_level, q_score, Method::Questionnaire)
    } else {
        (s_level, s_score, Method::Signals)
    };
    factors.sort_by(|a, b| b.points.cmp(&a.points).then_with(|| a.name.cmp(&b.name)));
    Assessment {
        level,
        score,
        method,
        questionnaire_score: q_score,
        questionnaire_level: q_level,
        signals_score: s_score,
        signals_level: s_level,
        factors,
        answers: answers.clone(),
        unanswered,
    }
}

/// A freeze starting this soon after the window's end adds to the risk.
const FREEZE_AFTER_HOURS: i64 = 48;
/// Occurrences of one freeze in those hours beyond which it is not looked at.
const FREEZE_AFTER_LIMIT: usize = 16;

/// What the signals look at for the release `f` describes, under `policy`: the release itself,
/// the store's figures in `f.risk`, and the calendar.
pub fn signals(policy: &crate::Policy, f: &crate::Facts) -> Signals {
    use chrono::{Datelike, Duration, Timelike, Weekday};
    let fields = &f.fields;
    let targets_production = fields.environments.iter().any(|e| {
        policy
            .environment(e)
            .is_some_and(|env| env.tier == crate::Tier::Production)
    });
    let mut freeze_soon_after = None;
    let mut off_hours = None;
    if let Some(w) = &fields.window {
        let horizon = w.end + Duration::hours(FREEZE_AFTER_HOURS);
        let covering = |e: &relm_calendar::Entry| {
            e.kind == relm_calendar::Kind::Freeze
                && (fields.environments.iter()).any(|env| e.scope.covers(&fields.service, env))
        };
        // The first covering freeze in the calendar's order with an occurrence starting in the
        // hours after the window; one that cannot be expanded over them (more than
        // FREEZE_AFTER_LIMIT occurrences) is passed over.
        let found = match f.calendar.merged_in(w.end, horizon) {
            // Found in the occurrences of every entry there, remembered in start order: a
            // search, not a look at each of the calendar's entries.
            Some(slots) => {
                let mut seen = BTreeMap::<usize, (usize, bool)>::new();
                for (start, _, i) in slots {
                    if covering(&f.calendar[i].1) {
                        let (count, starts) = seen.entry(i).or_default();
                        *count += 1;
                        *starts |= start >= w.end;
                    }
                }
                (seen.into_iter())
                    .find(|(_, (count, starts))| *starts && *count <= FREEZE_AFTER_LIMIT)
                    .map(|(i, _)| i)
            }
            None => {
                let freezes = (f.calendar.iter().enumerate())
                    .filter(|(_, (_, e))| covering(e))
                    .map(|(i, _)| i);
                (f.calendar
                    .occurrences_of(freezes, w.end, horizon, FREEZE_AFTER_LIMIT))
                .find(|(_, found)| (found.iter().flatten()).any(|o| o.start_utc >= w.end))
                .map(|(i, _)| i)
            }
        };
        freeze_soon_after = found.map(|i| f.calendar[i].1.name.clone());
        if let Ok(tz) = w.tz.parse::<chrono_tz::Tz>() {
            let local = w.start.with_timezone(&tz);
            let weekend = matches!(local.weekday(), Weekday::Sat | Weekday::Sun);
            if weekend || local.hour() < 8 || local.hour() >= 18 {
                off_hours = Some(format!("{} {}", local.format("%a %H:%M"), w.tz));
            }
        }
    }
    let r = &f.risk;
    Signals {
        change_type: fields.change_type,
        targets_production,
        components: fields.components.len(),
        changes: fields.changes.len(),
        recent_failures: r.recent_failures,
        freeze_soon_after,
        off_hours,
        window: fields
            .window
            .as_ref()
            .map(|w| (relm_domain::window::fmt_utc(w.start), w.tz.clone())),
        rollback_rehearsed: !f.rehearsals.is_empty(),
        linked_high_risks: r
            .linked_top
            .iter()
            .filter(|l| l.score >= HIGH_RISK_SCORE)
            .take(3)
            .map(|l| (l.title.clone(), l.score))
            .collect(),
        linked_high_count: r.linked_at_least(HIGH_RISK_SCORE),
    }
}

/// The inherent score from which a linked risk counts as high for the signals.
pub const HIGH_RISK_SCORE: u8 = 15;

/// A release's risk assessed under `policy` from its facts.
pub fn assess_release(policy: &crate::Policy, f: &crate::Facts) -> Assessment {
    assess(&policy.risk, &f.risk.answers, &signals(policy, f))
}

/// An approver's lowering of a release's level, as the level judgement shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "RiskLowering"))]
pub struct Lowering {
    pub level: RiskLevel,
    /// The level the approver saw.
    pub from: RiskLevel,
    pub reason: String,
    /// Key id and name of the approver.
    pub by: String,
    pub name: String,
    /// RFC 3339 UTC.
    pub at: String,
    pub event_id: String,
}

/// A release's level and how it came about: the assessment, a raise by hand, an approver's
/// lowering. The level every rule sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "RiskLevelJudged"))]
pub struct Judged {
    /// The level that counts.
    pub level: RiskLevel,
    /// What the assessment gives.
    pub assessed: RiskLevel,
    /// Raised by hand above the assessment (a release's `risk` field).
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised: Option<RiskLevel>,
    /// The lowering in force.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lowered: Option<Lowering>,
    /// The latest lowering, no longer in force: the level rose above what its approver saw.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lapsed: Option<Lowering>,
}

/// Judge the level of the release `f` describes, given its assessment: the higher of the
/// assessment and the level raised by hand, unless an approver lowered it from at least that
/// level. A lowering is bound to what its approver saw: once the level rises above it, the
/// lowering lapses.
pub fn judge(assessment: &Assessment, f: &crate::Facts) -> Judged {
    let hand = f.fields.risk;
    let base = assessment.level.max(hand);
    let lowering = f.risk.lowered.as_ref().map(|l| Lowering {
        level: l.level,
        from: l.from,
        reason: l.reason.clone(),
        by: l.by.0.clone(),
        name: f.name(&l.by),
        at: relm_domain::window::fmt_utc(l.at),
        event_id: l.event_id.clone(),
    });
    let (lowered, lapsed) = match lowering {
        Some(l) if l.level < base && l.from >= base => (Some(l), None),
        Some(l) if l.level < base => (None, Some(l)),
        // Lowered to a level the release is at or above anyway: nothing to say.
        _ => (None, None),
    };
    Judged {
        level: lowered.as_ref().map_or(base, |l| l.level),
        assessed: assessment.level,
        raised: (hand > assessment.level).then_some(hand),
        lowered,
        lapsed,
    }
}

/// A release's risk as `relm risk assess` and the app show it: the level that counts and how it
/// came about, then the assessment behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReleaseAssessment {
    #[serde(flatten)]
    pub judged: Judged,
    /// The deciding method's score.
    pub score: u32,
    pub method: Method,
    pub questionnaire_score: u32,
    pub questionnaire_level: RiskLevel,
    pub signals_score: u32,
    pub signals_level: RiskLevel,
    /// Every factor that added points, highest first.
    pub factors: Vec<Factor>,
    /// The release's answers, by question key.
    pub answers: BTreeMap<String, String>,
    /// Questions not answered yet.
    pub unanswered: Vec<String>,
}

impl ReleaseAssessment {
    /// The release `f` describes, assessed and judged under `policy`.
    pub fn of(policy: &crate::Policy, f: &crate::Facts) -> ReleaseAssessment {
        let a = assess_release(policy, f);
        ReleaseAssessment {
            judged: judge(&a, f),
            score: a.score,
            method: a.method,
            questionnaire_score: a.questionnaire_score,
            questionnaire_level: a.questionnaire_level,
            signals_score: a.signals_score,
            signals_level: a.signals_level,
            factors: a.factors,
            answers: a.answers,
            unanswered: a.unanswered,
        }
    }
}
