//! The verdict: the stable, documented answer to "may this release go to this environment at
//! this time?" (`docs/policy.md` describes the JSON form; `relm check --json` prints it).

use serde::{Deserialize, Serialize};

use crate::policy::Tier;

/// What a failing rule does to the verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    #[default]
    Block,
    Warn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Outcome {
    Allowed,
    AllowedWithWarnings,
    Blocked,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::AllowedWithWarnings => "allowed_with_warnings",
            Outcome::Blocked => "blocked",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum LineStatus {
    Pass,
    Fail,
    Warn,
    NotApplicable,
}

impl LineStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LineStatus::Pass => "pass",
            LineStatus::Fail => "fail",
            LineStatus::Warn => "warn",
            LineStatus::NotApplicable => "not_applicable",
        }
    }
}

/// One rule's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Line {
    /// The rule's id in the policy (`rego:NAME` for Rego rules, `policy` for the engine's own).
    pub rule: String,
    pub kind: String,
    pub status: LineStatus,
    pub reason: String,
    /// What the rule looked at.
    pub evidence: Vec<String>,
    /// What would satisfy it; absent when it passes or does not apply.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
    /// The same remedy as an action the app offers (a button or a form), language-neutral.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
}

/// What would satisfy a failing rule, as something to do in the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Action {
    /// Sign an approval for `environment`, by someone the rule counts.
    Approve { environment: String },
    /// Move the release to `planned` (submit it for approval).
    Submit,
    /// Plan or move the window (`earliest`: the first start the rule accepts).
    PlanWindow {
        #[cfg_attr(feature = "ts", ts(optional))]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        earliest: Option<String>,
    },
    /// Edit the release; `field` is the part to change (`evidence`, `rollback_plan`,
    /// `environments`; empty for the release as a whole).
    Edit { field: String },
    /// Record a rehearsal of the rollback plan.
    Rehearse,
    /// Record a deployment to `environment`.
    Deploy { environment: String },
    /// Declare the emergency path.
    DeclareEmergency,
    /// Justify going out inside the soft freeze `entry` (an extra approval for `environment`
    /// is needed too).
    JustifyFreeze { entry: String, environment: String },
    /// See or apply the policy.
    Policy,
    /// See the calendar entry `entry` (unreadable: remove it and add it again).
    Calendar { entry: String },
    /// See the register's risk `risk` (mitigate, accept or close it).
    Risk { risk: String },
    /// Review the release `release` and sign its review off.
    Review { release: String },
    /// Follow the overdue review actions up.
    Actions,
}

/// An approval or rejection as the verdict judged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ApprovalLine {
    pub event_id: String,
    pub by: String,
    pub name: String,
    pub decision: String,
    pub environment: String,
    pub at: String,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    pub policy_version: u32,
    /// Approved exactly the release as it is now.
    pub fresh: bool,
    /// Counts toward the rule (fresh, not expired, not self-approval, role held).
    pub counts: bool,
    /// Why it counts or does not.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Verdict {
    pub release_id: String,
    pub service: String,
    pub version: String,
    pub environment: String,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    /// The time judged, RFC 3339 UTC.
    pub at: String,
    /// The policy version applied (0: none applied yet, the built-in default was used).
    pub policy_version: u32,
    /// The governed digest approvals must carry to count.
    pub release_digest: String,
    pub outcome: Outcome,
    pub rules: Vec<Line>,
    /// Approvals and rejections for this environment, latest per person.
    pub approvals: Vec<ApprovalLine>,
    /// Escalation authorizations (critical releases), judged on their own.
    pub authorizations: Vec<ApprovalLine>,
    /// The release went out on the emergency path and must be reviewed.
    pub review_required: bool,
    /// The release's risk level as every rule saw it, and what decided it.
    pub risk: VerdictRisk,
}

/// The risk part of a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VerdictRisk {
    #[serde(flatten)]
    pub level: crate::assess::Judged,
    pub method: crate::assess::Method,
    /// The deciding method's score.
    pub score: u32,
    /// The level and the deciding method's factors, worded.
    pub decided_by: String,
}

impl Verdict {
    /// `relm check`'s exit code: 0 allowed (warnings included), 1 blocked.
    pub fn exit_code(&self) -> i32 {
        match self.outcome {
            Outcome::Blocked => 1,
            Outcome::Allowed | Outcome::AllowedWithWarnings => 0,
        }
    }
}

/// The outcome that the statuses of a verdict's lines give.
pub fn outcome_of(statuses: impl Iterator<Item = LineStatus> + Clone) -> Outcome {
    if statuses.clone().any(|s| s == LineStatus::Fail) {
        Outcome::Blocked
    } else if statuses.clone().any(|s| s == LineStatus::Warn) {
        Outcome::AllowedWithWarnings
    } else {
        Outcome::Allowed
    }
}
