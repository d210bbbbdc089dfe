//! What a platform shows besides deployments, read at each sync for the people looking at the
//! connection: its environments (and their protection rules), its latest releases, its freeze
//! periods or sync windows, and an Argo CD application's sync and health status. Nothing here
//! becomes a ledger event; it is kept with the connection, replaced at each sync.
//!
//! - GitHub: `GET /repos/{owner}/{repo}/environments` (each with its `protection_rules`:
//!   `required_reviewers`, `wait_timer`, `branch_policy`) and `GET …/releases?per_page=20`,
//!   both conditional (a 304 when unchanged, which GitHub does not count).
//! - GitLab: `GET /projects/:id/environments?per_page=100` (`name`, `state`, `tier`) and
//!   `GET /projects/:id/releases?per_page=20` (`tag_name`, `name`, `released_at`).
//! - Argo CD: the application's `status.sync.status` and `status.health.status`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::remote::text;

/// The most releases kept per connection.
pub const MAX_RELEASES: usize = 20;
/// The most environments kept per connection.
pub const MAX_ENVIRONMENTS: usize = 100;

/// An environment as the platform has it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SeenEnvironment {
    pub name: String,
    /// Its protections, in words (`2 required reviewers`, `wait 30 min`, `protected branches
    /// only`, GitLab's tier).
    #[serde(default)]
    pub rules: Vec<String>,
}

/// A release as the platform has it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SeenRelease {
    pub tag: String,
    pub name: String,
    /// RFC 3339, when published (empty for a draft).
    pub published_at: String,
    pub url: Option<String>,
}

/// What the platform showed at the last sync.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Seen {
    #[serde(default)]
    pub environments: Vec<SeenEnvironment>,
    #[serde(default)]
    pub releases: Vec<SeenRelease>,
    /// GitLab's freeze periods or Argo CD's sync windows, in words.
    #[serde(default)]
    pub freezes: Vec<String>,
    /// Argo CD: `Synced, Healthy`.
    #[serde(default)]
    pub status: Option<String>,
    /// What could not be read, and why, in English.
    #[serde(default)]
    pub unread: Vec<String>,
    /// The same, as which part and why (in English), for the app's wording.
    #[serde(default)]
    pub unread_parts: Vec<Unread>,
}

/// A part of what a platform shows that could not be read at the last sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SeenUnread"))]
pub struct Unread {
    pub what: SeenPart,
    /// Why, in English.
    pub detail: String,
}

/// A part of what a platform shows besides deployments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SeenPart {
    Environments,
    Releases,
}

impl SeenPart {
    pub fn as_str(self) -> &'static str {
        match self {
            SeenPart::Environments => "environments",
            SeenPart::Releases => "releases",
        }
    }
}

fn items(v: &Value, key: Option<&str>) -> Vec<Value> {
    let list = match key {
        Some(k) => v.get(k),
        None => Some(v),
    };
    list.and_then(Value::as_array).cloned().unwrap_or_default()
}

/// GitHub's environments list (`{"total_count", "environments": [...]}`).
pub fn github_environments(body: &Value) -> Vec<SeenEnvironment> {
    items(body, Some("environments"))
        .iter()
        .filter_map(|e| {
            let name = text(e, "/name")?;
            let mut rules = Vec::new();
            for r in items(e, Some("protection_rules")) {
                match text(&r, "/type").as_deref() {
                    Some("required_reviewers") => {
                        let n = items(&r, Some("reviewers")).len();
                        rules.push(if n == 1 {
                            "1 required reviewer".into()
                        } else {
                            format!("{n} required reviewers")
                        });
                    }
                    Some("wait_timer") => {
                        let m = r.get("wait_timer").and_then(Value::as_u64).unwrap_or(0);
                        rules.push(format!("wait {m} min"));
                    }
                    Some("branch_policy") => {}
                    Some(other) => rules.push(other.replace('_', " ")),
                    None => {}
                }
            }
            if e.pointer("/deployment_branch_policy/protected_branches") == Some(&Value::Bool(true))
            {
                rules.push("protected branches only".into());
            } else if e.pointer("/deployment_branch_policy/custom_branch_policies")
                == Some(&Value::Bool(true))
            {
                rules.push("selected branches only".into());
            }
            Some(SeenEnvironment { name, rules })
        })
        .take(MAX_ENVIRONMENTS)
        .collect()
}

/// A releases list whose items have `tag_name` and `name`, with the publication time and the
/// page's address at `published` and `url`.
fn releases(body: &Value, published: &str, url: &str) -> Vec<SeenRelease> {
    items(body, None)
        .iter()
        .filter_map(|r| {
            Some(SeenRelease {
                tag: text(r, "/tag_name")?,
                name: text(r, "/name").unwrap_or_default(),
                published_at: text(r, published).unwrap_or_default(),
                url: text(r, url),
            })
        })
        .take(MAX_RELEASES)
        .collect()
}

/// GitHub's releases list.
pub fn github_releases(body: &Value) -> Vec<SeenRelease> {
    releases(body, "/published_at", "/html_url")
}

/// GitLab's environments list.
pub fn gitlab_environments(body: &Value) -> Vec<SeenEnvironment> {
    items(body, None)
        .iter()
        .filter_map(|e| {
            let name = text(e, "/name")?;
            let mut rules = Vec::new();
            if let Some(tier) = text(e, "/tier") {
                rules.push(format!("tier {tier}"));
            }
            if let Some(state) = text(e, "/state").filter(|s| s != "available") {
                rules.push(state);
            }
            Some(SeenEnvironment { name, rules })
        })
        .take(MAX_ENVIRONMENTS)
        .collect()
}

/// GitLab's releases list.
pub fn gitlab_releases(body: &Value) -> Vec<SeenRelease> {
    releases(body, "/released_at", "/_links/self")
}

/// An Argo CD application's sync and health status (`Synced, Healthy`).
pub fn argo_status(app: &Value) -> Option<String> {
    let sync = text(app, "/status/sync/status");
    let health = text(app, "/status/health/status");
    match (sync, health) {
        (None, None) => None,
        (s, h) => Some([s, h].into_iter().flatten().collect::<Vec<_>>().join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_an_earlier_version_kept_reads_without_its_parts() {
        let old = r#"{"environments": [], "releases": [], "freezes": [], "unread": ["releases: answered 502"]}"#;
        let seen: Seen = serde_json::from_str(old).unwrap();
        assert_eq!(seen.unread, ["releases: answered 502"]);
        assert!(seen.unread_parts.is_empty());
        let now = Seen {
            unread_parts: vec![Unread {
                what: SeenPart::Releases,
                detail: "answered 502".into(),
            }],
            ..seen
        };
        let json = serde_json::to_value(&now).unwrap();
        assert_eq!(json["unread_parts"][0]["what"], "releases");
        assert_eq!(serde_json::from_value::<Seen>(json).unwrap(), now);
    }
}
