//! The kinds of governed events and their payloads.
//!
//! An event's `kind` names the change (`release.created`) and its `payload` carries the data.
//! Payloads are plain data: no derived values, no local state. A kind added later is a new
//! variant; old events keep their meaning.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::{ActionId, CalendarEntryId, ReleaseId, RiskId};
use crate::keys::{KeyId, PublicKey};
use crate::release::{ReleaseFields, ReleasePatch, ReleaseStatus, RiskLevel};
use crate::review::ReviewPatch;
use crate::risk::{Mitigation, RiskFields, RiskPatch};
use crate::role::Role;

/// A member as introduced to the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberInfo {
    pub key: PublicKey,
    pub name: String,
    pub email: String,
}

/// An approver's decision on a release for one environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Decision {
    Approve,
    Reject,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
        }
    }
}

/// How a deployment to an environment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "DeployOutcome"))]
pub enum Outcome {
    Succeeded,
    Failed,
    /// It went out and was rolled back.
    RolledBack,
    /// Only part of it went out (some hosts, regions or components).
    Partial,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Succeeded,
        Outcome::Failed,
        Outcome::RolledBack,
        Outcome::Partial,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::RolledBack => "rolled_back",
            Outcome::Partial => "partial",
        }
    }

    /// A change failure: the deployment failed or was rolled back.
    pub fn is_failure(self) -> bool {
        matches!(self, Outcome::Failed | Outcome::RolledBack)
    }
}

impl std::str::FromStr for Outcome {
    type Err = crate::error::DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s.trim())
            .ok_or_else(|| {
                crate::release::unknown_choice(
                    "outcome",
                    "outcome",
                    s,
                    &Outcome::ALL.map(Outcome::as_str),
                )
            })
    }
}

/// How a rehearsal of the rollback plan went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RehearsalResult {
    Passed,
    Failed,
}

impl RehearsalResult {
    pub fn as_str(self) -> &'static str {
        match self {
            RehearsalResult::Passed => "passed",
            RehearsalResult::Failed => "failed",
        }
    }
}

impl std::str::FromStr for RehearsalResult {
    type Err = crate::error::DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [RehearsalResult::Passed, RehearsalResult::Failed]
            .into_iter()
            .find(|o| o.as_str() == s.trim())
            .ok_or_else(|| {
                crate::release::unknown_choice("result", "result", s, &["passed", "failed"])
            })
    }
}

/// How a release is taken back if it goes wrong.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RollbackPlan {
    /// The version to go back to.
    pub previous_version: String,
    /// What to do, in order.
    pub steps: String,
    /// Whether the release's data changes can be undone; when not, `forward_fix` says how the
    /// data is repaired going forward instead.
    pub reversible: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub forward_fix: String,
    /// Feature flags that turn the change off without a rollback.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feature_flags: Vec<String>,
    /// How long a rollback takes, in minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub duration_minutes: Option<u32>,
    /// The member who decides to roll back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string"))]
    pub decider: Option<KeyId>,
}

/// A gate that blocked a status change when it was made: the environment and the rules that
/// failed there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BlockedGate {
    pub environment: String,
    pub rules: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum EventBody {
    /// Genesis: names the workspace and its founder. Always the founder's first event.
    #[serde(rename = "workspace.created")]
    WorkspaceCreated { name: String, founder: MemberInfo },
    #[serde(rename = "member.added")]
    MemberAdded {
        member: MemberInfo,
        roles: Vec<Role>,
    },
    #[serde(rename = "member.roles_set")]
    MemberRolesSet { key_id: KeyId, roles: Vec<Role> },
    #[serde(rename = "member.removed")]
    MemberRemoved { key_id: KeyId },
    /// The team a member belongs to (empty: none). Policies may ask for an approver from
    /// another team than the release owner's.
    #[serde(rename = "member.team_set")]
    MemberTeamSet { key_id: KeyId, team: String },
    #[serde(rename = "release.created")]
    ReleaseCreated {
        release_id: ReleaseId,
        fields: ReleaseFields,
    },
    #[serde(rename = "release.updated")]
    ReleaseUpdated {
        release_id: ReleaseId,
        patch: ReleasePatch,
    },
    /// A move through the lifecycle. A move the policy blocked when its author made it is an
    /// **override**: `blocked` names what blocked it, and `note` is its reason.
    #[serde(rename = "release.status_changed")]
    ReleaseStatusChanged {
        release_id: ReleaseId,
        from: ReleaseStatus,
        to: ReleaseStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        blocked: Vec<BlockedGate>,
    },
    /// A new version of the release policy: the TOML bundle as written, with a change note.
    /// `version` is the one after the version its author had: of two policies applied
    /// concurrently from the same version, the first in ledger order wins.
    #[serde(rename = "policy.applied")]
    PolicyApplied {
        version: u32,
        note: String,
        source: String,
    },
    /// An approver's signed decision on exactly one state of a release (its governed digest)
    /// for one environment, under the policy version in force when it was made.
    #[serde(rename = "approval.recorded")]
    ApprovalRecorded {
        release_id: ReleaseId,
        environment: String,
        decision: Decision,
        release_digest: String,
        policy_version: u32,
        /// RFC 3339 UTC; absent when the policy set no expiry.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_at: Option<String>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        comment: String,
    },
    /// A deployment of the release to one environment, and how it ended. Its deviations
    /// (outside the window, without an allowing verdict, inside a freeze, skipping an
    /// environment) are not written here: every replica computes them from the ledger, so no
    /// author can leave one out.
    #[serde(rename = "deployment.recorded")]
    DeploymentRecorded {
        release_id: ReleaseId,
        environment: String,
        outcome: Outcome,
        /// The governed digest of what was deployed (promotion checks the same build moves on).
        release_digest: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
        /// When it started and ended (RFC 3339 UTC); absent in records made before they were
        /// kept, which started and ended when they were signed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        started_at: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ended_at: Option<String>,
        /// The tool that ran it (a pipeline, Argo CD, by hand).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        tool: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        link: Option<String>,
        /// `TOOL:ID` in the tool that ran it: a deployment is recorded once per reference.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        external_ref: Option<String>,
    },
    /// The rollback plan was rehearsed. Records made before environment and result were kept
    /// read as passed.
    #[serde(rename = "rollback.rehearsed")]
    RollbackRehearsed {
        release_id: ReleaseId,
        note: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        link: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        environment: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        result: Option<RehearsalResult>,
        /// The SHA-256 of an evidence file (`sha256:` and 64 hex digits).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        evidence_digest: Option<String>,
    },
    /// The release's rollback plan, written or replaced as a whole.
    #[serde(rename = "rollback.planned")]
    RollbackPlanned {
        release_id: ReleaseId,
        plan: RollbackPlan,
    },
    /// The release was rolled back in an environment, to a version, after a deployment (the
    /// one it undoes; absent: the latest to that environment). The plan it followed is the one
    /// in force at this point of the ledger, linked by every replica.
    #[serde(rename = "rollback.recorded")]
    RollbackRecorded {
        release_id: ReleaseId,
        environment: String,
        to_version: String,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deployment: Option<String>,
    },
    /// A software bill of materials attached to one of the release's components: the
    /// document's digest as evidence, its packages as the component's contents. Attaching
    /// again replaces what the component held.
    #[serde(rename = "sbom.attached")]
    SbomAttached {
        release_id: ReleaseId,
        component: String,
        document: crate::sbom::SbomDocument,
        packages: Vec<crate::sbom::Package>,
    },
    /// The release's notes as its release manager wrote them (Markdown, in `lang`: `en` or
    /// `fr`), what is published to the platforms' releases. Setting them again replaces them.
    #[serde(rename = "release.notes_set")]
    ReleaseNotesSet {
        release_id: ReleaseId,
        lang: String,
        markdown: String,
    },
    /// A freeze or maintenance window enters the calendar.
    #[serde(rename = "calendar.entry_added")]
    CalendarEntryAdded {
        entry_id: CalendarEntryId,
        entry: relm_calendar::Entry,
    },
    /// A calendar entry is replaced as a whole.
    #[serde(rename = "calendar.entry_updated")]
    CalendarEntryUpdated {
        entry_id: CalendarEntryId,
        entry: relm_calendar::Entry,
    },
    #[serde(rename = "calendar.entry_removed")]
    CalendarEntryRemoved { entry_id: CalendarEntryId },
    /// Why a release must go out inside a soft freeze: the written justification the freeze
    /// rule asks for.
    #[serde(rename = "freeze.justified")]
    FreezeJustified {
        release_id: ReleaseId,
        entry_id: CalendarEntryId,
        justification: String,
    },
    /// Workspace settings. `max_clock_offset_minutes`: how far ahead of a receiving replica's
    /// clock an event may be stamped before it is held (see docs/sync.md).
    #[serde(rename = "workspace.configured")]
    WorkspaceConfigured { max_clock_offset_minutes: u32 },
    /// Break-glass: the release goes out on the emergency path, with a reason, an incident
    /// and the approver who must confirm it afterwards.
    #[serde(rename = "emergency.declared")]
    EmergencyDeclared {
        release_id: ReleaseId,
        reason: String,
        incident: String,
        approver: KeyId,
    },
    /// A risk enters the register.
    #[serde(rename = "risk.added")]
    RiskAdded { risk_id: RiskId, fields: RiskFields },
    /// Some of a risk's fields change.
    #[serde(rename = "risk.updated")]
    RiskUpdated { risk_id: RiskId, patch: RiskPatch },
    /// A mitigation is planned (or recorded as done), with the residual likelihood and impact
    /// it is expected to leave.
    #[serde(rename = "risk.mitigated")]
    RiskMitigated {
        risk_id: RiskId,
        mitigation: Mitigation,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        residual_likelihood: Option<u8>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        residual_impact: Option<u8>,
    },
    /// Mitigation number `number` (from 1, in the order they were planned) is done.
    #[serde(rename = "risk.mitigation_done")]
    RiskMitigationDone { risk_id: RiskId, number: u32 },
    /// An approver who does not own the risk accepts it as it is, for a reason, until
    /// `expires_at` (RFC 3339 UTC). An authorization, like an approval.
    #[serde(rename = "risk.accepted")]
    RiskAccepted {
        risk_id: RiskId,
        reason: String,
        expires_at: String,
    },
    /// The risk is no longer a risk (it happened and was handled, or cannot happen any more).
    #[serde(rename = "risk.closed")]
    RiskClosed { risk_id: RiskId, reason: String },
    /// Answers to the policy's risk questionnaire for a release, by question key. A later
    /// answer to the same question replaces the earlier one.
    #[serde(rename = "risk.answered")]
    RiskAnswered {
        release_id: ReleaseId,
        answers: std::collections::BTreeMap<String, String>,
    },
    /// An edit to the release's post-release review; the first opens it. A review signed off
    /// is history: an edit after it has no effect.
    #[serde(rename = "review.updated")]
    ReviewUpdated {
        release_id: ReleaseId,
        patch: ReviewPatch,
    },
    /// A sign-off of the review as it stands (`digest`: its content's), by the release's owner
    /// or a member with the approver role. The owner's and an approver's on the same digest
    /// complete it.
    #[serde(rename = "review.signed")]
    ReviewSigned {
        release_id: ReleaseId,
        digest: String,
    },
    /// A follow-up action of a release's review: what, who, by when (YYYY-MM-DD).
    #[serde(rename = "action.added")]
    ActionAdded {
        action_id: ActionId,
        release_id: ReleaseId,
        title: String,
        owner: KeyId,
        due: String,
    },
    #[serde(rename = "action.done")]
    ActionDone {
        action_id: ActionId,
        release_id: ReleaseId,
    },
    /// An approver sets a release's risk level below what the assessment gives (`from`: the
    /// level the approver saw, assessed or raised by hand), for a reason. The override holds
    /// while the release's level stays at or below `from`; a higher level later is something
    /// the approver never saw, and the override no longer applies.
    #[serde(rename = "release.risk_lowered")]
    ReleaseRiskLowered {
        release_id: ReleaseId,
        level: RiskLevel,
        from: RiskLevel,
        reason: String,
    },
    /// A report or an evidence pack left the workspace: who (the author) exported what and
    /// when (the envelope). `what`: `release-report`, `period-report`, `release-pack` or
    /// `period-pack`; `subject`: the release id, or the period and environment; `digest`: the
    /// written file's (`sha256:…`; a pack's is its signed manifest's); `evidence`: the digest
    /// of the events it rests on, printed on every page. About no entity: an export is not
    /// part of what it reports, so a later report of the same subject is unchanged by it.
    #[serde(rename = "report.exported")]
    ReportExported {
        what: String,
        subject: String,
        digest: String,
        evidence: String,
        events: u32,
    },
    /// Deployments of one release that a deployment platform reported, pulled by a connector
    /// in one sync (one event per release and sync). Each is recorded as a deployment, with
    /// deviations computed as for one recorded by hand; one whose reference was recorded
    /// before (another replica pulled it too) is left as it was.
    #[serde(rename = "deployments.imported")]
    DeploymentsImported {
        release_id: ReleaseId,
        /// `github`, `gitlab` or `argocd`.
        platform: String,
        /// The connector's name on the replica that pulled them.
        connector: String,
        deployments: Vec<ImportedDeployment>,
    },
    /// A write a connector delivered to a deployment platform from the outbox (a decision
    /// given as the platform's approval or rejection, or freezes and windows mirrored as the
    /// platform's freeze periods or sync windows): what it was, its once-only key, the
    /// platform's id of what was written, and the decision or calendar entries it carried. On
    /// record only.
    #[serde(rename = "platform.written")]
    PlatformWritten {
        /// The release decided on; none for freezes and windows.
        #[serde(default, skip_serializing_if = "ReleaseId::is_empty")]
        release_id: ReleaseId,
        platform: String,
        connector: String,
        /// `gitlab.approval`, …
        what: String,
        key: String,
        remote_id: String,
        /// The decision's event id.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        decision: String,
        /// The calendar entries a freeze period or sync window stands for.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        entries: Vec<CalendarEntryId>,
    },
}

/// One deployment a platform reported, as imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportedDeployment {
    /// Relm's environment (the platform's, mapped by the connector).
    pub environment: String,
    /// The platform's name for it, when it differs.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub platform_environment: String,
    pub outcome: Outcome,
    /// The release's governed digest when it was imported.
    pub release_digest: String,
    /// RFC 3339 UTC.
    pub started_at: String,
    pub ended_at: String,
    /// `PLATFORM:TARGET#ID`: a deployment is recorded once per reference.
    pub external_ref: String,
    /// The tag, branch or commit the platform deployed, which linked it to the release.
    pub reference: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

impl EventBody {
    /// Split into the envelope's `kind` and `payload`.
    pub fn to_parts(&self) -> (String, Value) {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        let kind = v
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let payload = v.get_mut("payload").map(Value::take).unwrap_or(Value::Null);
        (kind, payload)
    }

    /// Rebuild from an envelope's `kind` and `payload`; an error names what did not fit.
    pub fn from_parts(kind: &str, payload: &Value) -> Result<EventBody, String> {
        let v = serde_json::json!({ "kind": kind, "payload": payload });
        serde_json::from_value(v)
            .map_err(|e| format!("payload of kind `{kind}` does not parse: {e}"))
    }

    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::WorkspaceCreated { .. } => "workspace.created",
            EventBody::MemberAdded { .. } => "member.added",
            EventBody::MemberRolesSet { .. } => "member.roles_set",
            EventBody::MemberRemoved { .. } => "member.removed",
            EventBody::MemberTeamSet { .. } => "member.team_set",
            EventBody::ReleaseCreated { .. } => "release.created",
            EventBody::ReleaseUpdated { .. } => "release.updated",
            EventBody::ReleaseStatusChanged { .. } => "release.status_changed",
            EventBody::PolicyApplied { .. } => "policy.applied",
            EventBody::ApprovalRecorded { .. } => "approval.recorded",
            EventBody::DeploymentRecorded { .. } => "deployment.recorded",
            EventBody::RollbackRehearsed { .. } => "rollback.rehearsed",
            EventBody::RollbackPlanned { .. } => "rollback.planned",
            EventBody::SbomAttached { .. } => "sbom.attached",
            EventBody::ReleaseNotesSet { .. } => "release.notes_set",
            EventBody::RollbackRecorded { .. } => "rollback.recorded",
            EventBody::EmergencyDeclared { .. } => "emergency.declared",
            EventBody::CalendarEntryAdded { .. } => "calendar.entry_added",
            EventBody::CalendarEntryUpdated { .. } => "calendar.entry_updated",
            EventBody::CalendarEntryRemoved { .. } => "calendar.entry_removed",
            EventBody::FreezeJustified { .. } => "freeze.justified",
            EventBody::WorkspaceConfigured { .. } => "workspace.configured",
            EventBody::RiskAdded { .. } => "risk.added",
            EventBody::RiskUpdated { .. } => "risk.updated",
            EventBody::RiskMitigated { .. } => "risk.mitigated",
            EventBody::RiskMitigationDone { .. } => "risk.mitigation_done",
            EventBody::RiskAccepted { .. } => "risk.accepted",
            EventBody::RiskClosed { .. } => "risk.closed",
            EventBody::RiskAnswered { .. } => "risk.answered",
            EventBody::ReleaseRiskLowered { .. } => "release.risk_lowered",
            EventBody::ReviewUpdated { .. } => "review.updated",
            EventBody::ReviewSigned { .. } => "review.signed",
            EventBody::ActionAdded { .. } => "action.added",
            EventBody::ActionDone { .. } => "action.done",
            EventBody::ReportExported { .. } => "report.exported",
            EventBody::DeploymentsImported { .. } => "deployments.imported",
            EventBody::PlatformWritten { .. } => "platform.written",
        }
    }

    /// The entity the event is about, for `audit log --entity`.
    pub fn entity(&self) -> Option<String> {
        match self {
            EventBody::WorkspaceCreated { .. }
            | EventBody::WorkspaceConfigured { .. }
            | EventBody::ReportExported { .. } => None,
            EventBody::MemberAdded { member, .. } => Some(member.key.key_id().0),
            EventBody::MemberRolesSet { key_id, .. }
            | EventBody::MemberTeamSet { key_id, .. }
            | EventBody::MemberRemoved { key_id } => Some(key_id.0.clone()),
            EventBody::PolicyApplied { version, .. } => Some(format!("policy/{version}")),
            EventBody::CalendarEntryAdded { entry_id, .. }
            | EventBody::CalendarEntryUpdated { entry_id, .. }
            | EventBody::CalendarEntryRemoved { entry_id } => Some(entry_id.0.clone()),
            EventBody::ReleaseCreated { release_id, .. }
            | EventBody::ReleaseUpdated { release_id, .. }
            | EventBody::ReleaseStatusChanged { release_id, .. }
            | EventBody::ApprovalRecorded { release_id, .. }
            | EventBody::DeploymentRecorded { release_id, .. }
            | EventBody::DeploymentsImported { release_id, .. }
            | EventBody::RollbackRehearsed { release_id, .. }
            | EventBody::RollbackPlanned { release_id, .. }
            | EventBody::RollbackRecorded { release_id, .. }
            | EventBody::SbomAttached { release_id, .. }
            | EventBody::ReleaseNotesSet { release_id, .. }
            | EventBody::EmergencyDeclared { release_id, .. }
            | EventBody::FreezeJustified { release_id, .. }
            | EventBody::RiskAnswered { release_id, .. }
            | EventBody::ReleaseRiskLowered { release_id, .. }
            | EventBody::ReviewUpdated { release_id, .. }
            | EventBody::ReviewSigned { release_id, .. }
            | EventBody::ActionAdded { release_id, .. }
            | EventBody::ActionDone { release_id, .. } => Some(release_id.0.clone()),
            EventBody::PlatformWritten { release_id, .. } => {
                (!release_id.is_empty()).then(|| release_id.0.clone())
            }
            EventBody::RiskAdded { risk_id, .. }
            | EventBody::RiskUpdated { risk_id, .. }
            | EventBody::RiskMitigated { risk_id, .. }
            | EventBody::RiskMitigationDone { risk_id, .. }
            | EventBody::RiskAccepted { risk_id, .. }
            | EventBody::RiskClosed { risk_id, .. } => Some(risk_id.0.clone()),
        }
    }
}
