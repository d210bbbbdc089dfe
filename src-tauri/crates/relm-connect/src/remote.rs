//! What a platform says happened, in one shape for every platform.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How a deployment on a platform stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemoteState {
    Succeeded,
    Failed,
    Running,
    /// Waiting for an approval (GitLab's `blocked`, GitHub's `waiting`).
    Blocked,
    Canceled,
    /// Created, queued, pending, skipped: nothing ran yet.
    Waiting,
}

/// One deployment as a platform reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteDeployment {
    /// `github`, `gitlab` or `argocd` (not read back: the connector that kept it knows).
    #[serde(skip_deserializing)]
    pub platform: &'static str,
    /// The platform's id, unique on that platform and project.
    pub id: String,
    pub environment: String,
    /// The branch or tag deployed.
    pub reference: String,
    /// The commit deployed.
    pub sha: String,
    pub state: RemoteState,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// When the platform last changed it (the cursor of the next incremental read).
    pub updated_at: DateTime<Utc>,
    /// Where to see it on the platform.
    pub url: Option<String>,
}

/// An item of a platform's answer that was left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub item: String,
    pub reason: String,
}

/// A string field of `v` at `path` (`/environment/name`).
pub(crate) fn text(v: &Value, path: &str) -> Option<String> {
    match v.pointer(path)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An RFC 3339 time field of `v` at `path`.
pub(crate) fn time(v: &Value, path: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v.pointer(path)?.as_str()?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Why deployment `id` (empty when it has none) is left out.
pub(crate) fn skipped(id: &str, reason: &str) -> Skipped {
    Skipped {
        item: if id.is_empty() {
            "a deployment without an id".into()
        } else {
            format!("deployment {id}")
        },
        reason: reason.into(),
    }
}
