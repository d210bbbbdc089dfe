//! What a verdict looks at: the release, its approvals, deployments, rehearsals and emergency
//! declaration, and the members, as of one point of the ledger. Plain data, filled by the
//! store; the engine never reads anything else, which is what makes verdicts deterministic.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

use relm_domain::ids::ReleaseId;
use relm_domain::keys::KeyId;
use relm_domain::payload::{Decision, Outcome, RehearsalResult, RollbackPlan};
use relm_domain::release::{ReleaseFields, ReleaseStatus, RiskLevel};
use relm_domain::role::Role;

#[derive(Debug, Clone, Serialize)]
pub struct Facts {
    pub release_id: ReleaseId,
    pub fields: ReleaseFields,
    pub status: ReleaseStatus,
    pub created_at: DateTime<Utc>,
    /// When the release first moved to `planned` (submitted for approval).
    pub submitted_at: Option<DateTime<Utc>>,
    /// In ledger order.
    pub approvals: Vec<ApprovalFact>,
    pub deployments: Vec<DeploymentFact>,
    pub rehearsals: Vec<RehearsalFact>,
    /// The structured rollback plan (the release's free-text `rollback_plan` also counts as
    /// written).
    pub rollback_plan: Option<RollbackPlanFact>,
    pub emergency: Option<EmergencyFact>,
    /// Justifications recorded for releasing inside a soft freeze.
    pub justifications: Vec<JustificationFact>,
    /// The members, shared by every release judged together.
    pub members: Arc<BTreeMap<KeyId, Person>>,
    /// What the release's risk assessment looks at beyond the release itself.
    pub risk: RiskFacts,
    /// The reviews and actions of the service's other releases that are late, as of the
    /// facts' instant.
    pub reviews: ReviewFacts,
    /// What the release's components contain, when the policy has an `sbom` rule.
    #[serde(default)]
    pub sbom: SbomFacts,
    /// The calendar's entries (id, entry), shared by every release judged together.
    #[serde(skip)]
    pub calendar: Arc<relm_calendar::Entries>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JustificationFact {
    pub entry_id: String,
    pub text: String,
    pub by: KeyId,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApprovalFact {
    pub event_id: String,
    pub by: KeyId,
    pub environment: String,
    pub decision: Decision,
    pub release_digest: String,
    pub policy_version: u32,
    pub at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub comment: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeploymentFact {
    pub environment: String,
    /// As it ended, or `rolled_back` once a rollback undid it.
    pub outcome: Outcome,
    pub release_digest: String,
    pub started_at: DateTime<Utc>,
    /// When it ended: a verdict at a time sees the deployments that had ended by then.
    pub at: DateTime<Utc>,
    pub by: KeyId,
}

#[derive(Debug, Clone, Serialize)]
pub struct RehearsalFact {
    pub at: DateTime<Utc>,
    pub by: KeyId,
    pub note: String,
    pub link: Option<String>,
    pub environment: Option<String>,
    pub result: RehearsalResult,
}

/// The release's rollback plan as last written.
#[derive(Debug, Clone, Serialize)]
pub struct RollbackPlanFact {
    pub plan: RollbackPlan,
    pub at: DateTime<Utc>,
    pub by: KeyId,
}

/// How ready a release is to be rolled back, at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Readiness {
    /// No plan written.
    NoPlan,
    /// The latest rehearsal of the plan failed.
    RehearsalFailed,
    /// A plan, never rehearsed since it was last written.
    Planned,
    /// A plan, and a rehearsal that passed after it was last written.
    Rehearsed,
}

impl Readiness {
    pub fn as_str(self) -> &'static str {
        match self {
            Readiness::NoPlan => "no_plan",
            Readiness::RehearsalFailed => "rehearsal_failed",
            Readiness::Planned => "planned",
            Readiness::Rehearsed => "rehearsed",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EmergencyFact {
    pub at: DateTime<Utc>,
    pub by: KeyId,
    pub reason: String,
    pub incident: String,
    pub approver: KeyId,
}

/// What a release's components contain (their SBOMs), and what went down since the service's
/// previous version with an SBOM.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SbomFacts {
    /// The release's components that have an SBOM, with its packages.
    pub components: Vec<SbomComponent>,
    /// Packages at a lower version than in the service's previous version with an SBOM.
    pub downgrades: Vec<Downgrade>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SbomComponent {
    pub component: String,
    pub packages: Vec<relm_domain::sbom::Package>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Downgrade {
    pub name: String,
    pub from: String,
    pub to: String,
}

/// Late follow-ups of the service's other releases: mandatory reviews past their due date
/// and not signed off, and actions past their due date and not done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReviewFacts {
    pub overdue_reviews: Vec<OverdueReview>,
    pub overdue_actions: Vec<OverdueAction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueReview {
    pub release_id: String,
    pub version: String,
    /// YYYY-MM-DD.
    pub due: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueAction {
    pub id: String,
    pub title: String,
    pub owner: KeyId,
    /// YYYY-MM-DD.
    pub due: String,
}

/// What a release's risk assessment reads from the store, as of the facts' instant.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RiskFacts {
    /// The release's answers to the questionnaire, by question key.
    pub answers: BTreeMap<String, String>,
    /// Failed or rolled-back deployments of the release's service in the last 90 days (other
    /// releases included).
    pub recent_failures: usize,
    /// Risks open or mitigating now (a lapsed acceptance included) linked to the release or its
    /// service: how many at each inherent score.
    pub linked_scores: BTreeMap<u8, u32>,
    /// The highest of them, highest first (a few, for naming).
    pub linked_top: Vec<LinkedRisk>,
    /// The latest lowering of the release's level by an approver, in ledger order.
    pub lowered: Option<LoweredFact>,
}

impl RiskFacts {
    /// How many linked active risks score at least `min`.
    pub fn linked_at_least(&self, min: u8) -> usize {
        self.linked_scores
            .range(min..)
            .map(|(_, n)| *n as usize)
            .sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkedRisk {
    pub id: String,
    pub title: String,
    pub score: u8,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoweredFact {
    pub event_id: String,
    pub level: RiskLevel,
    /// The level the approver saw and lowered from.
    pub from: RiskLevel,
    pub reason: String,
    pub by: KeyId,
    pub at: DateTime<Utc>,
}

/// A member as the ledger knows them now; `active` is false once removed.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub roles: Vec<Role>,
    /// Empty when in no team.
    pub team: String,
    pub active: bool,
}

impl Facts {
    /// The structured plan as written by `at`.
    pub fn plan_at(&self, at: DateTime<Utc>) -> Option<&RollbackPlanFact> {
        self.rollback_plan.as_ref().filter(|p| p.at <= at)
    }

    /// The latest rehearsal recorded by `at` of the plan as then written (a rehearsal before
    /// the plan was rewritten rehearsed another plan).
    pub fn last_rehearsal(&self, at: DateTime<Utc>) -> Option<&RehearsalFact> {
        let since = self.plan_at(at).map(|p| p.at);
        self.rehearsals
            .iter()
            .rfind(|r| r.at <= at && since.is_none_or(|p| r.at >= p))
    }

    /// How ready the release is to be rolled back at `at`.
    pub fn readiness(&self, at: DateTime<Utc>) -> Readiness {
        if self.plan_at(at).is_none() && self.fields.rollback_plan.trim().is_empty() {
            return Readiness::NoPlan;
        }
        match self.last_rehearsal(at).map(|r| r.result) {
            Some(RehearsalResult::Passed) => Readiness::Rehearsed,
            Some(RehearsalResult::Failed) => Readiness::RehearsalFailed,
            None => Readiness::Planned,
        }
    }

    pub fn person(&self, key: &KeyId) -> Option<&Person> {
        self.members.get(key)
    }

    /// A member's name, or their key id when unknown.
    pub fn name(&self, key: &KeyId) -> String {
        self.person(key)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| key.0.clone())
    }
}
