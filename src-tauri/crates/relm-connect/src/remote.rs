//! What a platform says happened, in one shape for every platform.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

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

/// An item of a platform's answer that a sync left out, and why: in English for the CLI and
/// the log, and as codes with their values for the app's wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "LeftOut"))]
pub struct Skipped {
    /// What was left out, in English.
    pub item: String,
    /// Why, in English.
    pub reason: String,
    pub what: Item,
    pub why: Why,
    /// The values the wording of `what` and `why` needs, as text.
    pub params: BTreeMap<String, String>,
}

impl Skipped {
    pub fn new(what: Item, item: impl Into<String>, why: Why, reason: impl Into<String>) -> Self {
        Skipped {
            item: item.into(),
            reason: reason.into(),
            what,
            why,
            params: BTreeMap::new(),
        }
    }
    /// A value of the wording (left out when empty: the wording then says it has none).
    pub fn with(mut self, key: &str, value: impl ToString) -> Self {
        let value = value.to_string();
        if !value.is_empty() {
            self.params.insert(key.to_string(), value);
        }
        self
    }
    /// A field `field` that the item must have is missing.
    pub(crate) fn missing(what: Item, item: impl Into<String>, field: &str) -> Self {
        Skipped::new(
            what,
            item,
            Why::MissingField,
            format!("it has no `{field}`"),
        )
        .with("field", field)
    }
}

/// What a sync left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "LeftOutItem"))]
pub enum Item {
    /// A deployment (`id`, none when it has none; `ref` and `environment` once read).
    Deployment,
    /// A sync in an Argo CD application's history (`id`, `app`).
    ArgoSync,
    /// The latest operation of an Argo CD application (`app`).
    ArgoOperation,
    /// A GitLab freeze period (`id`, none when it has none).
    FreezePeriod,
    /// A GitLab project's freeze periods.
    Freezes,
    /// An Argo CD project's sync windows (`project`).
    SyncWindows,
}

/// Why a sync left something out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "LeftOutWhy"))]
pub enum Why {
    /// A field it must have is missing (`field`).
    MissingField,
    /// Its status is not one the platform documents (`status`, `platform`).
    UnknownStatus,
    /// It has no time Relm can read.
    NoTime,
    /// It could not be read (`detail`, in English); nothing is written to it until it can be.
    Unread,
    /// Canceled on the platform: nothing ran to record.
    Canceled,
    /// Its environment is not a Relm environment's name (`environment`).
    NotAnEnvironment,
    /// Several releases match it (`releases`, `service`).
    SeveralReleases,
    /// Its release does not target the Relm environment it maps to (`release`, `service`,
    /// `version`, `relm_environment`).
    NotTargeted,
    /// The platform says it ended later than now (`at`).
    EndsLater,
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

/// Deployment `id` (empty when it has none), as an item left out.
pub(crate) fn deployment_item(id: &str) -> String {
    if id.is_empty() {
        "a deployment without an id".into()
    } else {
        format!("deployment {id}")
    }
}

/// Why deployment `id` (empty when it has none) is left out: field `field` is missing.
pub(crate) fn missing(id: &str, field: &str) -> Skipped {
    Skipped::missing(Item::Deployment, deployment_item(id), field).with("id", id)
}

/// Why deployment `id` is left out: its status is not one `platform` documents.
pub(crate) fn unknown_status(id: &str, status: &str, platform: &str) -> Skipped {
    Skipped::new(
        Item::Deployment,
        deployment_item(id),
        Why::UnknownStatus,
        format!("its status `{status}` is not one {platform} documents"),
    )
    .with("id", id)
    .with("status", status)
    .with("platform", platform)
}

/// Why deployment `id` is left out: it has no time Relm can read (`what`: which it lacks).
pub(crate) fn no_time(id: &str, what: &str) -> Skipped {
    Skipped::new(Item::Deployment, deployment_item(id), Why::NoTime, what).with("id", id)
}
