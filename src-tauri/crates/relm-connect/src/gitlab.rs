//! GitLab REST v4: a project's deployments, read incrementally.
//!
//! `GET /projects/:id/deployments?updated_after=…&order_by=updated_at&sort=asc&per_page=100`
//! (GitLab's "Deployments API"; `updated_after` needs `order_by=updated_at`). 100 a page, so
//! 10,000 deployments take 100 requests. Each item's fields as documented: `id`, `ref`, `sha`,
//! `status` (`created`, `running`, `success`, `failed`, `canceled`, `skipped`, `blocked`),
//! `created_at`, `updated_at`, `environment.name`, `deployable.started_at`/`finished_at`/
//! `web_url`. An item without what Relm needs is left out with the reason.
//!
//! Deploy freeze periods (GitLab's "Freeze Periods API"): listed, created, changed and deleted,
//! each `freeze_start` and `freeze_end` a cron read in `cron_timezone`.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::fetch::{Api, FetchError};
use crate::remote::{
    Item, RemoteDeployment, RemoteState, Skipped, missing, no_time, text, time, unknown_status,
};

/// The project's path or id as GitLab wants it in a URL (`group/app` → `group%2Fapp`).
pub fn project_ref(project: &str) -> String {
    url::form_urlencoded::byte_serialize(project.trim().as_bytes()).collect()
}

/// GitLab's deployment status in Relm's words; `None` for a status GitLab does not document.
pub fn state(status: &str) -> Option<RemoteState> {
    Some(match status {
        "success" => RemoteState::Succeeded,
        "failed" => RemoteState::Failed,
        "running" => RemoteState::Running,
        "blocked" => RemoteState::Blocked,
        "canceled" => RemoteState::Canceled,
        "created" | "skipped" => RemoteState::Waiting,
        _ => return None,
    })
}

/// One item of the list, or why it is left out.
pub fn deployment(v: &Value) -> Result<RemoteDeployment, Skipped> {
    let id = text(v, "/id").unwrap_or_default();
    if id.is_empty() {
        return Err(missing(&id, "id"));
    }
    let status = text(v, "/status").ok_or_else(|| missing(&id, "status"))?;
    let state = state(&status).ok_or_else(|| unknown_status(&id, &status, "GitLab"))?;
    Ok(RemoteDeployment {
        platform: "gitlab",
        environment: text(v, "/environment/name")
            .ok_or_else(|| missing(&id, "environment.name"))?,
        reference: text(v, "/ref").unwrap_or_default(),
        sha: text(v, "/sha").ok_or_else(|| missing(&id, "sha"))?,
        state,
        started_at: time(v, "/deployable/started_at"),
        finished_at: time(v, "/deployable/finished_at"),
        updated_at: time(v, "/updated_at")
            .or_else(|| time(v, "/created_at"))
            .ok_or_else(|| {
                no_time(
                    &id,
                    "it has neither `updated_at` nor `created_at` as RFC 3339 times",
                )
            })?,
        url: text(v, "/deployable/web_url"),
        id,
    })
}

/// The deployments of `project` changed after `since` (all of them when `None`), oldest
/// change first, with the items left out.
pub async fn deployments(
    api: &Api,
    project: &str,
    since: Option<DateTime<Utc>>,
) -> Result<(Vec<RemoteDeployment>, Vec<Skipped>), FetchError> {
    let mut path = format!(
        "/projects/{}/deployments?order_by=updated_at&sort=asc&per_page=100",
        project_ref(project)
    );
    if let Some(t) = since {
        path.push_str(&format!(
            "&updated_after={}",
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ));
    }
    let items = api.get_all(&api.url(&path)?, None).await?;
    let (mut ok, mut skipped) = (Vec::new(), Vec::new());
    for v in &items {
        match deployment(v) {
            Ok(d) => ok.push(d),
            Err(s) => skipped.push(s),
        }
    }
    Ok((ok, skipped))
}

/// Where a deployment waiting for approval stands on GitLab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// Still `blocked`: waiting for approvals.
    pub blocked: bool,
    /// When an approval whose comment carries the marker was given, if one was.
    pub given: Option<String>,
}

fn deployment_path(project: &str, id: &str) -> String {
    format!(
        "/projects/{}/deployments/{}",
        project_ref(project),
        url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
    )
}

/// Read deployment `id` afresh (`GET /projects/:id/deployments/:deployment_id`): whether it
/// still waits, and whether an approval carrying `marker` is among its `approvals`.
pub async fn approval(
    api: &Api,
    project: &str,
    id: &str,
    marker: &str,
) -> Result<Approval, FetchError> {
    let url = api.url(&deployment_path(project, id))?;
    let body = api.get(&url, None).await?.body.unwrap_or(Value::Null);
    let status = text(&body, "/status").ok_or_else(|| FetchError::BadJson {
        url: url.to_string(),
        why: "no `status` in the deployment".into(),
    })?;
    let given = body
        .get("approvals")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|a| text(a, "/comment").is_some_and(|c| c.contains(marker)))
        .map(|a| text(a, "/created_at").unwrap_or_default());
    Ok(Approval {
        blocked: status == "blocked",
        given,
    })
}

/// Approve or reject deployment `id` (`POST /projects/:id/deployments/:deployment_id/approval`,
/// `status` `approved` or `rejected`), once: when the approval was given.
pub async fn approve(
    api: &Api,
    project: &str,
    id: &str,
    status: &str,
    comment: &str,
) -> Result<String, FetchError> {
    let url = api.url(&format!("{}/approval", deployment_path(project, id)))?;
    let body = serde_json::json!({"status": status, "comment": comment});
    let answer = api.write(&url, &body).await?.body.unwrap_or(Value::Null);
    Ok(text(&answer, "/created_at").unwrap_or_default())
}

/// A GitLab deploy freeze period (`freeze_start` and `freeze_end` crons in `cron_timezone`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FreezePeriod {
    /// GitLab's id; empty for one not written yet.
    #[serde(default)]
    pub id: String,
    pub start: String,
    pub end: String,
    pub zone: String,
}

impl FreezePeriod {
    /// Whether `other` freezes the same times (ids aside; crons compared field by field).
    pub fn same(&self, other: &FreezePeriod) -> bool {
        let words = |c: &str| c.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        words(&self.start) == words(&other.start)
            && words(&self.end) == words(&other.end)
            && self.zone.trim() == other.zone.trim()
    }
}

fn freezes_path(project: &str) -> String {
    format!("/projects/{}/freeze_periods", project_ref(project))
}

/// One item of `GET /projects/:id/freeze_periods`, or why it is not one.
pub fn freeze_period(v: &Value) -> Result<FreezePeriod, Skipped> {
    let id = text(v, "/id").unwrap_or_default();
    let field = |k: &str| {
        text(v, k).ok_or_else(|| {
            Skipped::missing(
                Item::FreezePeriod,
                format!("freeze period {id}"),
                k.trim_start_matches('/'),
            )
            .with("id", &id)
        })
    };
    if id.is_empty() {
        return Err(Skipped::missing(
            Item::FreezePeriod,
            "a freeze period without an id",
            "id",
        ));
    }
    Ok(FreezePeriod {
        start: field("/freeze_start")?,
        end: field("/freeze_end")?,
        zone: field("/cron_timezone")?,
        id,
    })
}

/// The project's deploy freeze periods, across their pages, and those left out.
pub async fn freeze_periods(
    api: &Api,
    project: &str,
) -> Result<(Vec<FreezePeriod>, Vec<Skipped>), FetchError> {
    let url = api.url(&format!("{}?per_page=100", freezes_path(project)))?;
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    for v in api.get_all(&url, None).await? {
        match freeze_period(&v) {
            Ok(f) => ok.push(f),
            Err(s) => bad.push(s),
        }
    }
    Ok((ok, bad))
}

fn period_body(p: &FreezePeriod) -> Value {
    serde_json::json!({"freeze_start": p.start, "freeze_end": p.end, "cron_timezone": p.zone})
}

fn written_id(url: &url::Url, answer: Option<Value>) -> Result<String, FetchError> {
    answer
        .as_ref()
        .and_then(|a| text(a, "/id"))
        .ok_or_else(|| FetchError::BadJson {
            url: url.to_string(),
            why: "no `id` in the freeze period written".into(),
        })
}

/// Create freeze period `p` (`POST /projects/:id/freeze_periods`), once: its id.
pub async fn create_freeze(
    api: &Api,
    project: &str,
    p: &FreezePeriod,
) -> Result<String, FetchError> {
    let url = api.url(&freezes_path(project))?;
    written_id(&url, api.write(&url, &period_body(p)).await?.body)
}

fn freeze_path(project: &str, id: &str) -> String {
    format!(
        "{}/{}",
        freezes_path(project),
        url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
    )
}

/// Change freeze period `id` to `p`'s times (`PUT /projects/:id/freeze_periods/:freeze_period_id`).
pub async fn update_freeze(
    api: &Api,
    project: &str,
    id: &str,
    p: &FreezePeriod,
) -> Result<String, FetchError> {
    let url = api.url(&freeze_path(project, id))?;
    let page = api
        .write_as(crate::fetch::Method::PUT, &url, Some(&period_body(p)))
        .await?;
    written_id(&url, page.body)
}

/// Delete freeze period `id` (`DELETE /projects/:id/freeze_periods/:freeze_period_id`).
pub async fn delete_freeze(api: &Api, project: &str, id: &str) -> Result<(), FetchError> {
    let url = api.url(&freeze_path(project, id))?;
    api.write_as(crate::fetch::Method::DELETE, &url, None)
        .await?;
    Ok(())
}
