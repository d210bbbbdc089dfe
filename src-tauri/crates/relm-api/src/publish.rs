//! Release notes published to GitHub and GitLab releases through the connections' outbox: a
//! release's saved notes are queued for each GitHub or GitLab connection of its service (or the
//! one named), and delivered now and at every sync until the platform has them. A delivery
//! reads the platform's release of the tag first (left alone when it says the same, updated
//! when not, created for a tag the repository has), and is recorded as a signed
//! `platform.written` event, as the connections' other writes are.

use serde::Serialize;
use serde_json::{Value, json};

use crate::connectors::{ConnectorSync, Delivered, Hold, OutboxRow, deliver};
use crate::error::{ApiError, ErrorCode, Result};
use crate::session::Relm;
use relm_connect::fetch::Api;
use relm_connect::releases::{self, Published};
use relm_domain::{Reason, ReasonCode};
use relm_store::connectors as store;

pub const GITHUB_RELEASE: &str = "github.release";
pub const GITLAB_RELEASE: &str = "gitlab.release";

/// What publishing a release's notes did, per connection.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NotesPublished {
    pub release_id: String,
    /// Each connection's entry, as it is after the delivery.
    pub entries: Vec<OutboxRow>,
    /// What failed, per connection (the entry stays in the outbox and is tried again), in
    /// English.
    pub errors: Vec<String>,
    /// The same failures, with their reasons for the app's wording.
    pub failures: Vec<ApiError>,
}

/// The tags a release's version may have: as written, and with or without a leading `v`.
fn tags(version: &str) -> Vec<String> {
    let v = version.trim();
    match v.strip_prefix('v') {
        Some(bare) if bare.starts_with(|c: char| c.is_ascii_digit()) => {
            vec![v.to_string(), bare.to_string()]
        }
        _ => vec![v.to_string(), format!("v{v}")],
    }
}

impl Relm {
    /// Queue the release's saved notes for each GitHub or GitLab connection of its service (or
    /// for `connector`): the entries, new or queued before (the same notes are queued once per
    /// connection).
    pub fn queue_notes(
        &mut self,
        release: &str,
        connector: Option<&str>,
    ) -> Result<Vec<OutboxRow>> {
        let notes = self.saved_notes(release)?.ok_or_else(|| {
            ApiError::validation(
                "this release has no saved notes yet; save them first (`relm notes save`), then publish",
            )
        })?;
        let row = self.release(&notes.release_id)?;
        let f = &row.fields;
        let all = store::list(self.store.conn())?;
        let chosen: Vec<_> = match connector.map(str::trim).filter(|c| !c.is_empty()) {
            Some(name) => {
                let c = all.into_iter().find(|c| c.name == name).ok_or_else(|| {
                    ApiError::not_found(format!(
                        "no connection named `{name}`; `relm connector list` shows them"
                    ))
                })?;
                if !matches!(c.platform.as_str(), "github" | "gitlab") {
                    return Err(ApiError::invalid(
                        "connector",
                        format!(
                            "`{name}` is an {} connection; release notes go to GitHub or GitLab releases",
                            c.platform
                        ),
                    ));
                }
                vec![c]
            }
            None => all
                .into_iter()
                .filter(|c| matches!(c.platform.as_str(), "github" | "gitlab"))
                .filter(|c| c.service == f.service)
                .collect(),
        };
        if chosen.is_empty() {
            return Err(ApiError::validation(format!(
                "no GitHub or GitLab connection is for the service `{}`; add one (`relm connector add github … --service {}`) or name one with --connector",
                f.service, f.service
            )));
        }
        let name = format!("{} — {}", f.version, f.title);
        let mut out = Vec::new();
        for c in chosen {
            let (kind, place) = if c.platform == "github" {
                (GITHUB_RELEASE, "repo")
            } else {
                (GITLAB_RELEASE, "project")
            };
            let key = format!("{kind}:{}:{}:{}", c.target, notes.release_id, notes.digest);
            let payload = json!({
                "release": notes.release_id,
                place: c.target,
                "tags": tags(&f.version),
                "name": name,
                "body": notes.markdown,
                "notes": notes.event_id,
            })
            .to_string();
            out.push(self.queue_outbox((&c.name, kind, &key), &payload)?.0);
        }
        tracing::info!(release = %notes.release_id, connections = out.len(), "release notes queued");
        Ok(out)
    }
}

/// Queue the release's notes and deliver them now, connection by connection (the workspace is
/// held only between requests).
pub fn publish_notes(
    w: &impl Hold,
    release: &str,
    connector: Option<&str>,
) -> Result<NotesPublished> {
    let queued = w.hold(|r| r.queue_notes(release, connector))?;
    let release_id = w.hold(|r| r.resolve_release(release))?;
    let mut failures = Vec::new();
    let mut entries = Vec::new();
    for entry in queued {
        if entry.state != "done" {
            let plan = w
                .hold(|r| r.plan_syncs(Some(&entry.connector)))?
                .into_iter()
                .next()
                .ok_or_else(|| ApiError::validation("the connection is gone"))?;
            let mut report = ConnectorSync::of(&entry.connector);
            deliver(w, &plan, true, &mut report)?;
            failures.extend(report.failures);
        }
        entries.push(w.hold(|r| r.outbox_entry(&entry.id))?);
    }
    Ok(NotesPublished {
        release_id,
        entries,
        errors: crate::error::texts(&failures),
        failures,
    })
}

/// Deliver a release-notes entry (network only); `None` for another kind of entry.
pub(crate) fn deliver_notes(api: &Api, entry: &OutboxRow, p: &Value) -> Option<Result<Delivered>> {
    let field = |k: &str| p[k].as_str().unwrap_or_default().to_string();
    let tags: Vec<String> = p["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(String::from))
        .collect();
    let (name, body) = (field("name"), field("body"));
    let runtime = match Relm::runtime() {
        Ok(r) => r,
        Err(e) => return Some(Err(e)),
    };
    let published = match entry.kind.as_str() {
        GITHUB_RELEASE => {
            runtime.block_on(releases::github(api, &field("repo"), &tags, (&name, &body)))
        }
        GITLAB_RELEASE => runtime.block_on(releases::gitlab(
            api,
            &field("project"),
            &tags,
            (&name, &body),
        )),
        _ => return None,
    };
    Some(
        match published.map_err(ApiError::from) {
            Err(e) => Err(e),
            Ok(Published::Same(id)) => Ok(Delivered::Done(format!("release {id}, unchanged"))),
            Ok(Published::Updated(id)) => Ok(Delivered::Done(format!("release {id}, updated"))),
            Ok(Published::Created(id)) => Ok(Delivered::Done(format!("release {id}, created"))),
            Ok(Published::NoTag(t)) => Err(ApiError::refused(
                ErrorCode::Remote,
                Reason::new(
                    ReasonCode::NoTag,
                    format!(
                        "the repository has no tag {}: push the release's tag, then sync again (Relm does not make tags)",
                        t.join(" or ")
                    ),
                )
                .with("tags", t.join(" / ")),
            )),
        },
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_version_is_looked_for_as_a_tag_with_and_without_its_v() {
        assert_eq!(super::tags("1.2.0"), ["1.2.0", "v1.2.0"]);
        assert_eq!(super::tags("v1.2.0"), ["v1.2.0", "1.2.0"]);
        assert_eq!(super::tags("vnext"), ["vnext", "vvnext"]);
    }
}
