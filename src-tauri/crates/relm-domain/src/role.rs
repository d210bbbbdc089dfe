//! Roles and who may emit which kind of event.
//!
//! The rule is checked against the membership *at the event's point in the ledger*, both when
//! an event is written and when `audit verify` replays the ledger, so a member removed yesterday
//! cannot sign an edit today, and an edit signed while they were a member stays valid.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::DomainError;
use crate::payload::EventBody;
use crate::release::ReleaseStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Manages members and roles; may do everything a release manager does.
    Admin,
    /// Creates, edits and moves releases through their lifecycle.
    ReleaseManager,
    /// Authorizes releases: the approvals that policies count, the move to `approved`.
    Approver,
    /// Reads everything; signs nothing but the record of what they exported.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::ReleaseManager,
        Role::Approver,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ReleaseManager => "release-manager",
            Role::Approver => "approver",
            Role::Auditor => "auditor",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                crate::release::unknown_choice("roles", "role", s, &Role::ALL.map(Role::as_str))
            })
    }
}

/// The roles of which the author must hold at least one to emit `body`. `None` for the genesis
/// event, which has its own rule (first event, signed by the founder it names).
pub fn roles_allowed_to_emit(body: &EventBody) -> Option<&'static [Role]> {
    const ADMIN: &[Role] = &[Role::Admin];
    const RELEASE: &[Role] = &[Role::Admin, Role::ReleaseManager];
    const AUTHORIZE: &[Role] = &[Role::Approver];
    const DECIDE: &[Role] = &[Role::Admin, Role::ReleaseManager, Role::Approver];
    const ANYONE: &[Role] = &Role::ALL;
    match body {
        EventBody::WorkspaceCreated { .. } => None,
        EventBody::MemberAdded { .. }
        | EventBody::MemberRolesSet { .. }
        | EventBody::MemberTeamSet { .. }
        | EventBody::MemberRemoved { .. }
        | EventBody::PolicyApplied { .. }
        | EventBody::WorkspaceConfigured { .. } => Some(ADMIN),
        // Anyone but an auditor may sign a decision; the policy says whose decisions count.
        EventBody::ApprovalRecorded { .. } => Some(DECIDE),
        // Anyone but an auditor keeps the register; accepting a risk is an authorization.
        EventBody::RiskAdded { .. }
        | EventBody::RiskUpdated { .. }
        | EventBody::RiskMitigated { .. }
        | EventBody::RiskMitigationDone { .. }
        | EventBody::RiskClosed { .. }
        | EventBody::RiskAnswered { .. } => Some(DECIDE),
        // Anyone but an auditor writes reviews and follows actions up; who signs a review off
        // is the store's to judge (the release's owner, or an approver).
        EventBody::ReviewUpdated { .. }
        | EventBody::ReviewSigned { .. }
        | EventBody::ActionAdded { .. }
        | EventBody::ActionDone { .. } => Some(DECIDE),
        // Accepting a risk and lowering a release's risk level are authorizations.
        EventBody::RiskAccepted { .. } | EventBody::ReleaseRiskLowered { .. } => Some(AUTHORIZE),
        EventBody::ReleaseStatusChanged {
            to: ReleaseStatus::Approved,
            ..
        } => Some(AUTHORIZE),
        EventBody::ReleaseCreated { .. }
        | EventBody::ReleaseUpdated { .. }
        | EventBody::ReleaseStatusChanged { .. }
        | EventBody::DeploymentRecorded { .. }
        | EventBody::DeploymentsImported { .. }
        | EventBody::RollbackRehearsed { .. }
        | EventBody::RollbackPlanned { .. }
        | EventBody::RollbackRecorded { .. }
        | EventBody::SbomAttached { .. }
        | EventBody::ReleaseNotesSet { .. }
        | EventBody::EmergencyDeclared { .. }
        | EventBody::CalendarEntryAdded { .. }
        | EventBody::CalendarEntryUpdated { .. }
        | EventBody::CalendarEntryRemoved { .. }
        | EventBody::FreezeJustified { .. } => Some(RELEASE),
        // Exporting is reading: every member may, an auditor above all; the export is on record.
        EventBody::ReportExported { .. } => Some(ANYONE),
        // A delivery receipt: the decision it carried was judged when it was signed.
        EventBody::PlatformWritten { .. } => Some(ANYONE),
    }
}
