//! The built-in rule kinds.
//!
//! Each kind is a struct with its settings and two functions: `check` (are the settings
//! sensible, at policy-apply time) and `evaluate` (one verdict line for one release, target
//! environment and time). A new kind (the calendar's freezes and windows, for one) is a new
//! struct, a variant of [`RuleSpec`] and an arm in its `dispatch!`; nothing else changes.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use relm_domain::payload::{Decision, Outcome};
use relm_domain::release::{ChangeType, RiskLevel};
use relm_domain::role::Role;
use relm_domain::window::fmt_utc;

use crate::engine::{Assessed, Context};
use crate::policy::{Environment, When};
use crate::text::Msg;
use crate::verdict::{LineStatus, Severity};

/// What a rule found: a status, a plain reason, what it looked at, and what would satisfy it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub status: LineStatus,
    pub reason: Msg,
    pub evidence: Vec<Msg>,
    pub remedy: Option<Msg>,
}

impl Finding {
    pub fn pass(reason: Msg, evidence: Vec<Msg>) -> Finding {
        Finding {
            status: LineStatus::Pass,
            reason,
            evidence,
            remedy: None,
        }
    }

    pub fn fail(reason: Msg, evidence: Vec<Msg>, remedy: Msg) -> Finding {
        Finding {
            status: LineStatus::Fail,
            reason,
            evidence,
            remedy: Some(remedy),
        }
    }

    pub fn warn(reason: Msg, evidence: Vec<Msg>, remedy: Msg) -> Finding {
        Finding {
            status: LineStatus::Warn,
            reason,
            evidence,
            remedy: Some(remedy),
        }
    }

    pub fn not_applicable(reason: Msg) -> Finding {
        Finding {
            status: LineStatus::NotApplicable,
            reason,
            evidence: Vec::new(),
            remedy: None,
        }
    }
}

/// One rule's settings, tagged by `kind` in the policy file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleSpec {
    Approvals(Approvals),
    Escalation(Escalation),
    Notice(Notice),
    Evidence(Evidence),
    Rollback(Rollback),
    Promotion(Promotion),
    Emergency(Emergency),
    Freeze(Freeze),
    Window(Window),
    Risk(RiskRule),
    Review(Review),
    Sbom(SbomRule),
}

macro_rules! dispatch {
    ($self:ident, $r:ident => $e:expr) => {
        match $self {
            RuleSpec::Approvals($r) => $e,
            RuleSpec::Escalation($r) => $e,
            RuleSpec::Notice($r) => $e,
            RuleSpec::Evidence($r) => $e,
            RuleSpec::Rollback($r) => $e,
            RuleSpec::Promotion($r) => $e,
            RuleSpec::Emergency($r) => $e,
            RuleSpec::Freeze($r) => $e,
            RuleSpec::Window($r) => $e,
            RuleSpec::Risk($r) => $e,
            RuleSpec::Review($r) => $e,
            RuleSpec::Sbom($r) => $e,
        }
    };
}

impl RuleSpec {
    pub fn kind(&self) -> &'static str {
        match self {
            RuleSpec::Approvals(_) => "approvals",
            RuleSpec::Escalation(_) => "escalation",
            RuleSpec::Notice(_) => "notice",
            RuleSpec::Evidence(_) => "evidence",
            RuleSpec::Rollback(_) => "rollback",
            RuleSpec::Promotion(_) => "promotion",
            RuleSpec::Emergency(_) => "emergency",
            RuleSpec::Freeze(_) => "freeze",
            RuleSpec::Window(_) => "window",
            RuleSpec::Risk(_) => "risk",
            RuleSpec::Review(_) => "review",
            RuleSpec::Sbom(_) => "sbom",
        }
    }

    pub fn id(&self) -> Option<&str> {
        dispatch!(self, r => r.id.as_deref())
    }

    pub fn when(&self) -> &When {
        dispatch!(self, r => &r.when)
    }

    pub fn severity(&self) -> Severity {
        dispatch!(self, r => r.severity)
    }

    /// Settings that cannot work together, said plainly.
    pub fn check(&self, envs: &[Environment]) -> Result<(), String> {
        dispatch!(self, r => r.check(envs))
    }

    /// Whether the emergency path replaces this rule for emergency releases.
    pub fn bypassed_in_emergency(&self) -> bool {
        matches!(
            self,
            RuleSpec::Approvals(_) | RuleSpec::Escalation(_) | RuleSpec::Notice(_)
        )
    }

    pub fn evaluate(&self, cx: &Context<'_>, id: &str) -> Finding {
        dispatch!(self, r => r.evaluate(cx, id))
    }
}

/// A rule kind's settings struct: the settings every rule has (`id`, `when`, `severity`), then
/// its own. Unknown keys are refused.
macro_rules! rule_settings {
    ($(#[$doc:meta])* $name:ident { $($(#[$fattr:meta])* pub $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub id: Option<String>,
            #[serde(default, skip_serializing_if = "When::is_empty")]
            pub when: When,
            #[serde(default = "block")]
            pub severity: Severity,
            $($(#[$fattr])* pub $field: $ty,)*
        }
    };
}

fn block() -> Severity {
    Severity::Block
}

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}

rule_settings! {
    /// Required approvals: `count` distinct people holding one of `roles`, neither the release's
    /// owner nor an author of its changes, each approval bound to the release as it is now and
    /// younger than `max_age_hours`. A fresh rejection blocks.
    Approvals {
        pub count: u32,
        #[serde(default = "approver_roles")]
        pub roles: Vec<Role>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub max_age_hours: Option<u32>,
    }
}

fn approver_roles() -> Vec<Role> {
    vec![Role::Approver]
}

impl Approvals {
    fn check(&self, _: &[Environment]) -> Result<(), String> {
        if self.count == 0 {
            return Err(
                "`count = 0` asks for nothing; remove the rule or ask for 1 or more".into(),
            );
        }
        if self.count > 20 {
            return Err("`count` above 20 cannot be met by any real team".into());
        }
        if self.roles.is_empty() {
            return Err("`roles` is empty, so no approval could ever count".into());
        }
        if self.roles.contains(&Role::Auditor) {
            return Err("auditors cannot sign approvals, so `auditor` can never count".into());
        }
        if self.max_age_hours == Some(0) {
            return Err("`max_age_hours = 0` would expire every approval at once".into());
        }
        Ok(())
    }

    fn evaluate(&self, cx: &Context<'_>, _id: &str) -> Finding {
        let assessed = cx.assess(&self.roles, self.max_age_hours);
        quorum(cx, &assessed, self.count, &self.roles, false)
    }
}

/// Counts approvals and turns them into a finding; shared by approvals and escalation.
fn quorum(
    cx: &Context<'_>,
    assessed: &[Assessed],
    count: u32,
    roles: &[Role],
    authorize: bool,
) -> Finding {
    let evidence: Vec<Msg> = assessed.iter().map(Assessed::describe).collect();
    if let Some(r) = assessed.iter().find(|a| a.rejects) {
        return Finding::fail(
            Msg::Rejected {
                name: r.name.clone(),
                env: cx.env.to_string(),
                comment: r.fact.comment.clone(),
            },
            evidence,
            Msg::RemedyRejection,
        );
    }
    let counted: Vec<&Assessed> = assessed.iter().filter(|a| a.counts).collect();
    let have = counted.len() as u32;
    let names = counted
        .iter()
        .map(|a| a.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    if have >= count {
        Finding::pass(Msg::QuorumMet { have, count, names }, evidence)
    } else {
        Finding::fail(
            Msg::QuorumShort {
                have,
                count,
                roles: roles_text(roles),
                names,
            },
            evidence,
            Msg::RemedyApprove {
                more: count - have,
                roles: roles_text(roles),
                id: cx.facts.release_id.0.clone(),
                env: cx.env.to_string(),
                authorize,
            },
        )
    }
}

rule_settings! {
    /// Critical releases need an authorization by a member with the approver role, listed
    /// separately in the verdict.
    Escalation {
        #[serde(default = "one")]
        pub count: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub max_age_hours: Option<u32>,
    }
}

fn one() -> u32 {
    1
}

impl Escalation {
    fn check(&self, _: &[Environment]) -> Result<(), String> {
        if self.when.risk_at_least.is_none() && self.when.change_types.is_empty() {
            return Err(
                "say which releases are critical: `when.risk_at_least` or `when.change_types`"
                    .into(),
            );
        }
        if self.count == 0 {
            return Err("`count = 0` asks for no authorization; remove the rule instead".into());
        }
        Ok(())
    }

    fn evaluate(&self, cx: &Context<'_>, _id: &str) -> Finding {
        let assessed = cx.assess(&[Role::Approver], self.max_age_hours);
        quorum(cx, &assessed, self.count, &[Role::Approver], true)
    }
}

rule_settings! {
    /// Notice period: the planned start is at least `hours` after the release was submitted.
    Notice {
        pub hours: u32,
    }
}

impl Notice {
    fn check(&self, _: &[Environment]) -> Result<(), String> {
        if self.hours == 0 {
            return Err("`hours = 0` gives no notice; remove the rule instead".into());
        }
        Ok(())
    }

    fn evaluate(&self, cx: &Context<'_>, _id: &str) -> Finding {
        let f = &cx.facts;
        if f.fields.change_type == ChangeType::Emergency {
            return Finding::not_applicable(Msg::NoticeEmergency);
        }
        let Some(window) = &f.fields.window else {
            return Finding::fail(
                Msg::NoticeNoWindow,
                vec![],
                Msg::RemedyPlanWindow { hours: self.hours },
            );
        };
        let Some(submitted) = f.submitted_at.filter(|s| *s <= cx.at) else {
            return Finding::fail(
                Msg::NotSubmitted,
                vec![Msg::Status {
                    status: f.status.to_string(),
                }],
                Msg::RemedySubmit {
                    id: f.release_id.to_string(),
                },
            );
        };
        let notice = window.start - submitted;
        let evidence = vec![
            Msg::Submitted {
                at: fmt_utc(submitted),
            },
            Msg::PlannedStart {
                at: fmt_utc(window.start),
            },
        ];
        if notice >= Duration::hours(i64::from(self.hours)) {
            Finding::pass(
                Msg::NoticeOk {
                    hours: notice.num_hours(),
                    min: self.hours,
                },
                evidence,
            )
        } else {
            Finding::fail(
                Msg::NoticeShort {
                    hours: notice.num_hours().max(0),
                    min: self.hours,
                },
                evidence,
                Msg::RemedyMoveWindow {
                    earliest: fmt_utc(submitted + Duration::hours(i64::from(self.hours))),
                },
            )
        }
    }
}

rule_settings! {
    /// Named evidence items recorded on the release (a link or a file digest each).
    Evidence {
        pub items: Vec<String>,
    }
}

impl Evidence {
    fn check(&self, _: &[Environment]) -> Result<(), String> {
        if self.items.is_empty() || self.items.iter().any(|i| i.trim().is_empty()) {
            return Err("`items` must name at least one evidence item, none empty".into());
        }
        Ok(())
    }

    fn evaluate(&self, cx: &Context<'_>, _id: &str) -> Finding {
        let have = &cx.facts.fields.evidence;
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for item in &self.items {
            match have.iter().find(|e| e.name.eq_ignore_ascii_case(item)) {
                Some(e) => found.push(Msg::raw(format!(
                    "{}: {}",
                    e.name,
                    e.link
                        .as_deref()
                        .or(e.digest.as_deref())
                        .unwrap_or_default()
                ))),
                None => missing.push(item.clone()),
            }
        }
        if missing.is_empty() {
            let what = match self.items.as_slice() {
                [one] => Msg::EvidenceOne { item: one.clone() },
                items => Msg::EvidenceAll { n: items.len() },
            };
            Finding::pass(what, found)
        } else {
            Finding::fail(
                Msg::EvidenceMissing {
                    items: missing.join(", "),
                },
                found,
                Msg::RemedyEvidence {
                    id: cx.facts.release_id.0.clone(),
                },
            )
        }
    }
}

rule_settings! {
    /// Lessons before the next release: no mandatory review of the service's earlier releases
    /// past its due date and not signed off, and (unless `actions = false`) no follow-up
    /// action past its due date and not done.
    Review {
        #[serde(default = "yes")]
        pub actions: bool,
    }
}

fn yes() -> bool {
    true
}

rule_settings! {
    /// What the release contains, from its components' SBOMs: (unless `required = false`) an
    /// SBOM for every component; no package whose licences can only be taken under one of
    /// `deny_licenses` (SPDX ids; an `OR` with an allowed licence is fine); and (unless
    /// `downgrade_note = false`) no package at a lower version than in the service's previous
    /// version without a note naming it in the release's description or changes.
    SbomRule {
        #[serde(default = "yes")]
        pub required: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub deny_licenses: Vec<String>,
        #[serde(default = "yes")]
        pub downgrade_note: bool,
    }
}

/// At most this many packages named in a verdict line; the rest counted.
const NAMED: usize = 8;

fn named_list(items: &[String]) -> String {
    let mut list = items
        .iter()
        .take(NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > NAMED {
        list.push_str(&format!(" (+{})", items.len() - NAMED));
    }
    list
}

impl SbomRule {
    fn check(&self, _: &[Environment]) -> Result<(), String> {
        match self.deny_licenses.iter().find(|l| l.trim().is_empty()) {
            Some(_) => Err("`deny_licenses` holds an empty licence id".into()),
            None => Ok(()),
        }
    }

    fn evaluate(&self, cx: &Context<'_>, id: &str) -> Finding {
        let f = cx.facts;
        let sbom = &f.sbom;
        if self.required {
            if f.fields.components.is_empty() {
                return Finding::fail(
                    Msg::SbomNoComponents,
                    vec![],
                    Msg::RemedyComponents { id: id.to_string() },
                );
            }
            let missing: Vec<String> = f
                .fields
                .components
                .iter()
                .filter(|c| !sbom.components.iter().any(|s| s.component == c.name))
                .map(|c| c.name.clone())
                .collect();
            if let Some(first) = missing.first() {
                return Finding::fail(
                    Msg::SbomMissing {
                        count: missing.len() as u32,
                        list: named_list(&missing),
                    },
                    vec![],
                    Msg::RemedyAttachSbom {
                        id: id.to_string(),
                        component: first.clone(),
                    },
                );
            }
        }
        let denied: Vec<String> = sbom
            .components
            .iter()
            .flat_map(|c| &c.packages)
            .filter_map(|p| {
                p.licenses
                    .iter()
                    .find_map(|l| relm_sbom::licence::denied(l, &self.deny_licenses))
                    .map(|why| {
                        format!("{} {} ({why})", p.name, p.version.as_deref().unwrap_or("?"))
                    })
            })
            .collect();
        if !denied.is_empty() {
            return Finding::fail(
                Msg::SbomDenied {
                    count: denied.len() as u32,
                    list: named_list(&denied),
                },
                vec![],
                Msg::RemedyDenied { id: id.to_string() },
            );
        }
        if self.downgrade_note {
            let said = format!(
                "{} {} {}",
                f.fields.title,
                f.fields.description,
                f.fields
                    .changes
                    .iter()
                    .map(|c| c.title.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            )
            .to_lowercase();
            let unexplained: Vec<String> = sbom
                .downgrades
                .iter()
                .filter(|d| !said.contains(&d.name.to_lowercase()))
                .map(|d| format!("{} {} → {}", d.name, d.from, d.to))
                .collect();
            if !unexplained.is_empty() {
                return Finding::fail(
                    Msg::SbomDowngrade {
                        count: unexplained.len() as u32,
                        list: named_list(&unexplained),
                    },
                    vec![],
                    Msg::RemedyDowngradeNote { id: id.to_string() },
                );
            }
        }
        Finding::pass(
            Msg::SbomClear {
                components: sbom.components.len() as u32,
                packages: sbom
                    .components
                    .iter()
                    .map(|c| c.packages.len() as u32)
                    .sum(),
            },
            vec![],
        )
    }
}

impl Review {
    fn check(&self, _: &[Environment]) -> Result<(), String> {
        Ok(())
    }

    fn evaluate(&self, cx: &Context<'_>, _id: &str) -> Finding {
        let r = &cx.facts.reviews;
        let service = cx.facts.fields.service.clone();
        if let Some(first) = r.overdue_reviews.first() {
            let list = r
                .overdue_reviews
                .iter()
                .map(|o| format!("{} {} ({})", service, o.version, o.due))
                .collect::<Vec<_>>()
                .join(", ");
            return Finding::fail(
                Msg::ReviewsOverdue {
                    count: r.overdue_reviews.len() as u32,
                    list,
                },
                vec![],
                Msg::RemedyReview {
                    id: first.release_id.clone(),
                },
            );
        }
        if self.actions
            && let Some(first) = r.overdue_actions.first()
        {
            let list = r
                .overdue_actions
                .iter()
                .map(|a| format!("{} ({}, {})", a.title, cx.facts.name(&a.owner), a.due))
                .collect::<Vec<_>>()
                .join("; ");
            return Finding::fail(
                Msg::ActionsOverdue {
                    count: r.overdue_actions.len() as u32,
                    list,
                },
                vec![],
                Msg::RemedyActions {
                    id: first.id.clone(),
                },
            );
        }
        Finding::pass(Msg::ReviewsInTime { service }, vec![])
    }
}

/// Whether the plan as last written was rehearsed and the latest rehearsal passed.
fn rehearsal(cx: &Context<'_>, id: String) -> Finding {
    let f = cx.facts;
    let needed = || Msg::RehearsalNeeded {
        risk: cx.level.level.to_string(),
    };
    match f.last_rehearsal(cx.at) {
        Some(r) => {
            let ev = vec![Msg::Rehearsed {
                at: fmt_utc(r.at),
                by: f.name(&r.by),
                note: r.note.clone(),
            }];
            if r.result == relm_domain::payload::RehearsalResult::Passed {
                Finding::pass(Msg::RollbackRehearsed, ev)
            } else {
                Finding::fail(Msg::RehearsalFailed, ev, Msg::RemedyRehearse { id })
            }
        }
        None => Finding::fail(needed(), vec![], Msg::RemedyRehearse { id }),
    }
}

rule_settings! {
    /// A rollback plan is written down; from `rehearsal_from_risk` up, a rehearsal is recorded.
    Rollback {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub rehearsal_from_risk: Option<RiskLevel>,
    }
}

impl Rollback {
    fn check(&self, _: &[Environment]) -> Result<(), String> {
        if let (Some(r), Some(min)) = (self.rehearsal_from_risk, self.when.risk_at_least)
            && r < min
        {
            return Err(format!(
                "`rehearsal_from_risk = \"{r}\"` is below `when.risk_at_least = \"{min}\"`; the rule never sees {r} releases"
            ));
        }
        Ok(())
    }

    fn evaluate(&self, cx: &Context<'_>, _id: &str) -> Finding {
        let f = &cx.facts;
        let id = f.release_id.0.clone();
        let plan = match f.plan_at(cx.at) {
            Some(p) => vec![Msg::RollbackPlan {
                text: format!(
                    "{} → {}",
                    p.plan.previous_version,
                    first_line(&p.plan.steps)
                ),
            }],
            None if f.fields.rollback_plan.trim().is_empty() => {
                return Finding::fail(Msg::NoRollbackPlan, vec![], Msg::RemedyWritePlan { id });
            }
            None => vec![Msg::RollbackPlan {
                text: first_line(&f.fields.rollback_plan),
            }],
        };
        match self.rehearsal_from_risk {
            Some(min) if cx.level.level >= min => {
                let mut found = rehearsal(cx, id);
                let mut ev = plan;
                ev.append(&mut found.evidence);
                found.evidence = ev;
                found
            }
            _ => Finding::pass(Msg::RollbackWritten, plan),
        }
    }
}

rule_settings! {
    /// What a release's risk asks for, usually from a level up (`when.risk_at_least`): at least
    /// `approvers` distinct approvals by members with the approver role (`other_team`: one of
    /// them from another team than the release owner's); a recorded rollback rehearsal
    /// (`rehearsal`); and no open, unaccepted risk scored `block_linked_score` or more linked to
    /// the release or its service. Every line says which factors decided the level.
    RiskRule {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub approvers: Option<u32>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        pub other_team: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        pub rehearsal: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub block_linked_score: Option<u8>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub max_age_hours: Option<u32>,
    }
}

impl RiskRule {
    fn check(&self, _: &[Environment]) -> Result<(), String> {
        if self.approvers.is_none() && !self.rehearsal && self.block_linked_score.is_none() {
            return Err(
                "a risk rule asks for something: `approvers`, `rehearsal = true` or `block_linked_score`"
                    .into(),
            );
        }
        match self.approvers {
            Some(0) => {
                return Err("`approvers = 0` asks for nothing; ask for 1 or more".into());
            }
            Some(n) if n > 20 => {
                return Err("`approvers` above 20 cannot be met by any real team".into());
            }
            None if self.other_team => {
                return Err("`other_team = true` needs `approvers` (1 or more)".into());
            }
            _ => {}
        }
        if let Some(s) = self.block_linked_score
            && !(1..=25).contains(&s)
        {
            return Err(format!(
                "`block_linked_score = {s}`: risk scores go from 1 to 25 (likelihood × impact)"
            ));
        }
        if self.max_age_hours == Some(0) {
            return Err("`max_age_hours = 0` would expire every approval at once".into());
        }
        Ok(())
    }

    fn evaluate(&self, cx: &Context<'_>, _id: &str) -> Finding {
        let f = cx.facts;
        let id = f.release_id.0.clone();
        let mut parts: Vec<Finding> = Vec::new();
        if let Some(min) = self.block_linked_score {
            let n = f.risk.linked_at_least(min);
            let named: Vec<_> = f
                .risk
                .linked_top
                .iter()
                .filter(|r| r.score >= min)
                .collect();
            parts.push(if n == 0 {
                Finding::pass(Msg::NoLinkedRisks { min }, vec![])
            } else {
                let mut list: Vec<String> = named
                    .iter()
                    .map(|r| format!("“{}” ({})", r.title, r.score))
                    .collect();
                if n > named.len() {
                    list.push("…".into());
                }
                Finding::fail(
                    Msg::LinkedRisksBlock {
                        n,
                        min,
                        list: list.join(", "),
                    },
                    named
                        .iter()
                        .map(|r| Msg::raw(format!("{} {} ({})", r.id, r.title, r.score)))
                        .collect(),
                    Msg::RemedyLinkedRisks {
                        id: named.first().map(|r| r.id.clone()).unwrap_or_default(),
                    },
                )
            });
        }
        if self.rehearsal {
            parts.push(rehearsal(cx, id.clone()));
        }
        if let Some(count) = self.approvers {
            let roles = [Role::Approver];
            let assessed = cx.assess(&roles, self.max_age_hours);
            let mut q = quorum(cx, &assessed, count, &roles, false);
            if self.other_team && q.status == LineStatus::Pass {
                let team = f
                    .person(&f.fields.owner)
                    .map(|p| p.team.clone())
                    .unwrap_or_default();
                let other = assessed.iter().filter(|a| a.counts).find_map(|a| {
                    let p = f.person(&a.fact.by)?;
                    (!p.team.is_empty() && p.team != team).then(|| (a.name.clone(), p.team.clone()))
                });
                q = match other {
                    Some((name, t)) => {
                        q.evidence.push(Msg::OtherTeam { name, team: t });
                        q
                    }
                    None => Finding::fail(
                        Msg::OtherTeamMissing { team: team.clone() },
                        q.evidence,
                        Msg::RemedyOtherTeam {
                            id: id.clone(),
                            env: cx.env.to_string(),
                            team,
                        },
                    ),
                };
            }
            parts.push(q);
        }
        combine(parts)
    }
}

/// One finding from several: failing if any fails (its reasons said together, the first
/// remedy offered), else passing with every reason.
fn combine(parts: Vec<Finding>) -> Finding {
    let failing: Vec<&Finding> = parts
        .iter()
        .filter(|p| p.status == LineStatus::Fail)
        .collect();
    let shown: Vec<&Finding> = if failing.is_empty() {
        parts.iter().collect()
    } else {
        failing
    };
    let reason = match shown.as_slice() {
        [one] => one.reason.clone(),
        many => Msg::All(many.iter().map(|p| p.reason.clone()).collect()),
    };
    let remedy = shown.iter().find_map(|p| p.remedy.clone());
    Finding {
        status: if shown.iter().any(|p| p.status == LineStatus::Fail) {
            LineStatus::Fail
        } else {
            LineStatus::Pass
        },
        reason,
        evidence: parts.into_iter().flat_map(|p| p.evidence).collect(),
        remedy,
    }
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or_default().trim();
    if line.chars().count() > 80 {
        format!("{}…", line.chars().take(80).collect::<String>())
    } else {
        line.to_string()
    }
}

rule_settings! {
    /// Promotion order: before an environment, this very release (same governed digest) was
    /// deployed successfully to the one before it in `order` (by default, `[[environments]]`).
    Promotion {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub order: Vec<String>,
    }
}

impl Promotion {
    fn check(&self, envs: &[Environment]) -> Result<(), String> {
        let order: Vec<&str> = if self.order.is_empty() {
            envs.iter().map(|e| e.name.as_str()).collect()
        } else {
            self.order.iter().map(String::as_str).collect()
        };
        if order.len() < 2 {
            return Err("promotion needs at least two environments in order".into());
        }
        for name in &self.order {
            if !envs.iter().any(|e| &e.name == name) {
                return Err(format!(
                    "`order` names `{name}`, which is not in [[environments]]"
                ));
            }
        }
        Ok(())
    }

    fn evaluate(&self, cx: &Context<'_>, _id: &str) -> Finding {
        let order: Vec<&str> = if self.order.is_empty() {
            cx.policy.order().map(|e| e.name.as_str()).collect()
        } else {
            self.order.iter().map(String::as_str).collect()
        };
        let target = cx.environment.map(|e| e.name.as_str()).unwrap_or(cx.env);
        let Some(pos) = order.iter().position(|e| *e == target) else {
            return Finding::not_applicable(Msg::NotInOrder { env: target.into() });
        };
        let Some(before) = pos.checked_sub(1).map(|i| order[i]) else {
            return Finding::not_applicable(Msg::FirstEnvironment { env: target.into() });
        };
        let env = before.to_string();
        let matching = |name: &str| {
            cx.policy
                .environment(name)
                .map(|e| e.name == before)
                .unwrap_or(name == before)
        };
        let deployed: Vec<_> = cx
            .facts
            .deployments
            .iter()
            .filter(|d| d.at <= cx.at && matching(&d.environment))
            .collect();
        let evidence: Vec<Msg> = deployed
            .iter()
            .map(|d| Msg::Deployment {
                succeeded: d.outcome == Outcome::Succeeded,
                env: d.environment.clone(),
                at: fmt_utc(d.at),
            })
            .collect();
        match deployed
            .iter()
            .rev()
            .find(|d| d.outcome == Outcome::Succeeded)
        {
            Some(d) if d.release_digest == cx.digest => {
                Finding::pass(Msg::Promoted { env }, evidence)
            }
            Some(_) => Finding::fail(
                Msg::PromotedOther { env: env.clone() },
                evidence,
                Msg::RemedyRedeploy { env },
            ),
            None => Finding::fail(
                Msg::NotPromoted { env: env.clone() },
                evidence,
                Msg::RemedyDeployFirst {
                    env,
                    id: cx.facts.release_id.0.clone(),
                },
            ),
        }
    }
}

rule_settings! {
    /// Break-glass: an emergency release goes out with a reason, an incident and a named approver
    /// instead of the usual approvals and notice; the approver must confirm within
    /// `post_hoc_hours`, and the release must be reviewed.
    Emergency {
        pub post_hoc_hours: u32,
    }
}

impl Emergency {
    fn check(&self, _: &[Environment]) -> Result<(), String> {
        if self.post_hoc_hours == 0 {
            return Err(
                "`post_hoc_hours = 0` leaves no time for the after-the-fact approval".into(),
            );
        }
        if !self.when.change_types.is_empty()
            && !self.when.change_types.contains(&ChangeType::Emergency)
        {
            return Err("the emergency rule must apply to emergency changes".into());
        }
        Ok(())
    }

    fn evaluate(&self, cx: &Context<'_>, _id: &str) -> Finding {
        let f = &cx.facts;
        if f.fields.change_type != ChangeType::Emergency {
            return Finding::not_applicable(Msg::NotEmergency);
        }
        let id = f.release_id.0.clone();
        let Some(e) = f.emergency.as_ref().filter(|e| e.at <= cx.at) else {
            return Finding::fail(Msg::EmergencyUndeclared, vec![], Msg::RemedyDeclare { id });
        };
        let deadline = fmt_utc(e.at + Duration::hours(i64::from(self.post_hoc_hours)));
        let late = cx.at > e.at + Duration::hours(i64::from(self.post_hoc_hours));
        let approver = cx.facts.name(&e.approver);
        let mut evidence = vec![
            Msg::Declared {
                at: fmt_utc(e.at),
                by: cx.facts.name(&e.by),
                reason: e.reason.clone(),
            },
            Msg::Incident {
                id: e.incident.clone(),
            },
        ];
        let confirmed = cx
            .assess(&[Role::Approver], None)
            .into_iter()
            .find(|a| a.fact.by == e.approver && a.fact.decision == Decision::Approve && a.counts);
        if let Some(a) = confirmed {
            evidence.push(a.describe());
            return Finding::pass(Msg::EmergencyConfirmed { approver }, evidence);
        }
        let remedy = Msg::RemedyPostHoc {
            approver: approver.clone(),
            id,
            env: cx.env.to_string(),
        };
        if late {
            Finding::fail(
                Msg::EmergencyOverdue { approver, deadline },
                evidence,
                remedy,
            )
        } else {
            Finding::warn(
                Msg::EmergencyPending { approver, deadline },
                evidence,
                remedy,
            )
        }
    }
}

/// The release as the calendar sees it: its planned window or, without one, the minute being
/// judged (a pipeline asking `relm check` is about to deploy now).
fn planned(cx: &Context<'_>) -> relm_calendar::Planned {
    let f = cx.facts;
    let (start, end) = match f.fields.window.as_ref() {
        Some(w) => (w.start, w.end),
        None => (cx.at, cx.at + Duration::minutes(1)),
    };
    relm_calendar::Planned {
        id: f.release_id.0.clone(),
        service: f.fields.service.clone(),
        version: f.fields.version.clone(),
        environments: f.fields.environments.clone(),
        start,
        end,
    }
}

/// The calendar over the release's window, or the finding that fails the rule: an entry
/// covering the release that cannot be expanded (a gate must not let a release through a
/// freeze it could not read). Entries that do not concern the release do not block it.
fn calendar_for<'c, 'a>(
    cx: &'c Context<'a>,
    r: &relm_calendar::Planned,
    env: &str,
) -> Result<std::borrow::Cow<'c, relm_calendar::Calendar<'a>>, Box<Finding>> {
    let calendar = cx.calendar_over(r.start, r.end);
    if let Some((id, name, why)) = calendar.unreadable(&r.service, env).first() {
        return Err(Box::new(Finding::fail(
            Msg::CalendarUnreadable {
                error: format!("`{name}` ({id}): {why}"),
            },
            vec![],
            Msg::RemedyRemoveEntry { id: id.to_string() },
        )));
    }
    Ok(calendar)
}

rule_settings! {
    /// Freezes from the calendar: inside a hard freeze is a failure; inside a soft freeze needs
    /// a written justification (`relm release justify`) and one approval more than the
    /// approvals rule asks (`extra_approvals`), and is then a warning.
    Freeze {
        #[serde(default = "one")]
        pub extra_approvals: u32,
    }
}

impl Freeze {
    fn check(&self, _: &[Environment]) -> Result<(), String> {
        if self.extra_approvals > 10 {
            return Err("`extra_approvals` above 10 cannot be met by any real team".into());
        }
        Ok(())
    }

    fn evaluate(&self, cx: &Context<'_>, _id: &str) -> Finding {
        let r = planned(cx);
        let env = cx.environment.map(|e| e.name.as_str()).unwrap_or(cx.env);
        let calendar = match calendar_for(cx, &r, env) {
            Ok(c) => c,
            Err(finding) => return *finding,
        };
        let found = calendar.judge(&r, env, false);
        let when = |c: &relm_calendar::Conflict| c.occurrence.clone().unwrap_or_default();
        let name = |c: &relm_calendar::Conflict| c.entry_name.clone().unwrap_or_default();
        use relm_calendar::conflicts::Code;
        if let Some(c) = found.iter().find(|c| {
            c.severity == relm_calendar::Severity::Error
                && matches!(c.code, Code::InsideHardFreeze | Code::CrossesFreezeStart)
        }) {
            let reason = if c.code == Code::CrossesFreezeStart {
                Msg::CrossesFreeze {
                    name: name(c),
                    at: c.occurrence.clone().map(|o| o.0).unwrap_or_default(),
                }
            } else {
                Msg::InHardFreeze {
                    name: name(c),
                    when: when(c),
                }
            };
            return Finding::fail(reason, vec![], Msg::RemedyHardFreeze);
        }
        let soft: Vec<&relm_calendar::Conflict> = found
            .iter()
            .filter(|c| matches!(c.code, Code::InsideSoftFreeze | Code::CrossesFreezeStart))
            .collect();
        let Some(c) = soft.first() else {
            return Finding::pass(Msg::NoFreeze, vec![]);
        };
        let entry_id = c.entry_id.clone().unwrap_or_default();
        let justified = cx
            .facts
            .justifications
            .iter()
            .rev()
            .find(|j| j.at <= cx.at && j.entry_id == entry_id);
        // The approvals that count, beyond what the approvals rule of this environment asks.
        let (roles, needed) = cx
            .approvals_rule()
            .map(|a| (a.roles.clone(), a.count))
            .unwrap_or_else(|| (vec![Role::Approver], 0));
        let counted: Vec<Assessed> = cx
            .assess(&roles, None)
            .into_iter()
            .filter(|a| a.counts)
            .collect();
        let enough = counted.len() as u32 >= needed + self.extra_approvals;
        let evidence: Vec<Msg> = justified
            .map(|j| Msg::Justified {
                by: cx.facts.name(&j.by),
                at: fmt_utc(j.at),
                text: j.text.clone(),
            })
            .into_iter()
            .chain(counted.iter().map(Assessed::describe))
            .collect();
        match (justified, enough) {
            (Some(j), true) => Finding::warn(
                Msg::SoftFreezeJustified {
                    name: name(c),
                    justification: j.text.clone(),
                    approvers: counted
                        .iter()
                        .map(|a| a.name.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                },
                evidence,
                Msg::RemedyHardFreeze,
            ),
            (Some(_), false) => Finding::fail(
                Msg::InSoftFreeze {
                    name: name(c),
                    when: when(c),
                },
                evidence,
                Msg::RemedyExtraApproval {
                    id: cx.facts.release_id.0.clone(),
                    env: cx.env.to_string(),
                },
            ),
            (None, _) => Finding::fail(
                Msg::InSoftFreeze {
                    name: name(c),
                    when: when(c),
                },
                evidence,
                Msg::RemedySoftFreeze {
                    id: cx.facts.release_id.0.clone(),
                    entry: entry_id,
                    env: cx.env.to_string(),
                },
            ),
        }
    }
}

rule_settings! {
    /// Maintenance windows from the calendar: when windows cover the environment (and the
    /// release's service), the release must lie wholly inside one of them.
    Window {}
}

impl Window {
    fn check(&self, _: &[Environment]) -> Result<(), String> {
        Ok(())
    }

    fn evaluate(&self, cx: &Context<'_>, _id: &str) -> Finding {
        let env = cx
            .environment
            .map(|e| e.name.as_str())
            .unwrap_or(cx.env)
            .to_string();
        let r = planned(cx);
        let calendar = match calendar_for(cx, &r, &env) {
            Ok(c) => c,
            Err(finding) => return *finding,
        };
        if !calendar.has_windows(&r.service, &env) {
            return Finding::pass(
                Msg::NoWindows {
                    service: r.service.clone(),
                    env,
                },
                vec![],
            );
        }
        match calendar.window_holding(&r, &env) {
            Some(name) => Finding::pass(Msg::InsideWindow { name: name.into() }, vec![]),
            None => Finding::fail(Msg::OutsideWindows { env }, vec![], Msg::RemedyIntoWindow),
        }
    }
}
