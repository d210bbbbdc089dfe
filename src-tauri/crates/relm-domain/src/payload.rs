//! The kinds of governed events and their payloads.
//!
//! An event's `kind` names the change (`release.created`) and its `payload` carries the data.
//! Payloads are plain data: no derived values, no local state. A kind added later is a new
//! variant; old events keep their meaning.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::ReleaseId;
use crate::keys::{KeyId, PublicKey};
use crate::release::{ReleaseFields, ReleasePatch, ReleaseStatus};
use crate::role::Role;

/// A member as introduced to the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberInfo {
    pub key: PublicKey,
    pub name: String,
    pub email: String,
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
    #[serde(rename = "release.status_changed")]
    ReleaseStatusChanged {
        release_id: ReleaseId,
        from: ReleaseStatus,
        to: ReleaseStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
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
            EventBody::ReleaseCreated { .. } => "release.created",
            EventBody::ReleaseUpdated { .. } => "release.updated",
            EventBody::ReleaseStatusChanged { .. } => "release.status_changed",
        }
    }

    /// The entity the event is about, for `audit log --entity`.
    pub fn entity(&self) -> Option<String> {
        match self {
            EventBody::WorkspaceCreated { .. } => None,
            EventBody::MemberAdded { member, .. } => Some(member.key.key_id().0),
            EventBody::MemberRolesSet { key_id, .. } | EventBody::MemberRemoved { key_id } => {
                Some(key_id.0.clone())
            }
            EventBody::ReleaseCreated { release_id, .. }
            | EventBody::ReleaseUpdated { release_id, .. }
            | EventBody::ReleaseStatusChanged { release_id, .. } => Some(release_id.0.clone()),
        }
    }
}
