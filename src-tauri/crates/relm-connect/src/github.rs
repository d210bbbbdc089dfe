//! GitHub: a repository's deployments with their latest status.
//!
//! The REST list (`GET /repos/{owner}/{repo}/deployments`) carries no status: each would cost a
//! request more, and a backfill of 10,000 deployments 10,100 requests. GitHub's GraphQL API
//! gives deployments with their `latestStatus`, 100 a page (`repository.deployments(first: 100,
//! after: $cursor, orderBy: {field: CREATED_AT, direction: ASC})`): 100 requests. The next sync
//! resumes after the last deployment that had finished, so one still running is read again.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::fetch::{Api, FetchError};
use crate::remote::{
    RemoteDeployment, RemoteState, Skipped, missing, no_time, text, time, unknown_status,
};

const QUERY: &str = "query($owner: String!, $name: String!, $after: String) { repository(owner: $owner, name: $name) { deployments(first: 100, after: $after, orderBy: {field: CREATED_AT, direction: ASC}) { pageInfo { hasNextPage endCursor } edges { cursor node { databaseId environment ref { name } commitOid createdAt updatedAt latestStatus { state createdAt logUrl } } } } } }";

/// GitHub's `DeploymentStatusState` in Relm's words.
pub fn state(s: &str) -> Option<RemoteState> {
    Some(match s {
        "SUCCESS" => RemoteState::Succeeded,
        "FAILURE" | "ERROR" => RemoteState::Failed,
        "IN_PROGRESS" => RemoteState::Running,
        "WAITING" => RemoteState::Blocked,
        "INACTIVE" => RemoteState::Canceled,
        "PENDING" | "QUEUED" => RemoteState::Waiting,
        _ => return None,
    })
}

/// One deployment node, or why it is left out. A deployment without a status yet is waiting.
pub fn deployment(v: &Value) -> Result<RemoteDeployment, Skipped> {
    let id = text(v, "/databaseId").unwrap_or_default();
    if id.is_empty() {
        return Err(missing(&id, "databaseId"));
    }
    let state = match text(v, "/latestStatus/state") {
        None => RemoteState::Waiting,
        Some(s) => state(&s).ok_or_else(|| unknown_status(&id, &s, "GitHub"))?,
    };
    let updated_at = time(v, "/latestStatus/createdAt")
        .or_else(|| time(v, "/updatedAt"))
        .or_else(|| time(v, "/createdAt"))
        .ok_or_else(|| no_time(&id, "it has no time"))?;
    Ok(RemoteDeployment {
        platform: "github",
        environment: text(v, "/environment").ok_or_else(|| missing(&id, "environment"))?,
        reference: text(v, "/ref/name").unwrap_or_default(),
        sha: text(v, "/commitOid").ok_or_else(|| missing(&id, "commitOid"))?,
        started_at: time(v, "/createdAt"),
        finished_at: matches!(
            state,
            RemoteState::Succeeded | RemoteState::Failed | RemoteState::Canceled
        )
        .then(|| time(v, "/latestStatus/createdAt"))
        .flatten(),
        updated_at,
        url: text(v, "/latestStatus/logUrl"),
        state,
        id,
    })
}

/// How long an unfinished deployment holds the cursor back: one still running, waiting or
/// queued after a day is taken as abandoned (GitHub keeps such deployments forever).
pub const UNFINISHED_HOLD_HOURS: i64 = 24;

/// Whether `d` holds the cursor back: not finished, and started in the last day.
pub fn holds(d: &RemoteDeployment, now: DateTime<Utc>) -> bool {
    let since = now - chrono::Duration::hours(UNFINISHED_HOLD_HOURS);
    matches!(
        d.state,
        RemoteState::Running | RemoteState::Blocked | RemoteState::Waiting
    ) && d.started_at.is_none_or(|t| t > since)
}

/// The deployments of `owner/repo` created after `cursor` (all when `None`), oldest first,
/// the items left out, and the cursor to resume from: just before the oldest deployment that
/// had not finished (created in the last day), so the next read sees how it ends.
pub async fn deployments(
    api: &Api,
    repo: &str,
    cursor: Option<String>,
    now: DateTime<Utc>,
) -> Result<(Vec<RemoteDeployment>, Vec<Skipped>, Option<String>), FetchError> {
    let (owner, name) = repo
        .trim()
        .split_once('/')
        .ok_or_else(|| FetchError::Setup(format!("`{repo}` is not OWNER/REPO")))?;
    let url = api.url("/graphql")?;
    let (mut found, mut skipped) = (Vec::new(), Vec::new());
    let mut after = cursor.clone();
    let (mut resume, mut held) = (cursor, false);
    for _ in 0..crate::fetch::MAX_PAGES {
        let page = api
            .post(
                &url,
                &json!({"query": QUERY, "variables": {"owner": owner, "name": name, "after": after}}),
            )
            .await?;
        let body = page.body.unwrap_or(Value::Null);
        if let Some(errors) = body.get("errors").and_then(Value::as_array) {
            let said: Vec<String> = errors
                .iter()
                .filter_map(|e| e.get("message").and_then(Value::as_str))
                .map(|m| m.chars().filter(|c| !c.is_control()).take(200).collect())
                .collect();
            return Err(FetchError::Refused {
                url: url.to_string(),
                status: 200,
                message: format!("GitHub answered errors: {}", said.join("; ")),
            });
        }
        let list = body
            .pointer("/data/repository/deployments")
            .ok_or_else(|| FetchError::BadJson {
                url: url.to_string(),
                why: "no `data.repository.deployments` in the answer".into(),
            })?;
        for edge in list
            .get("edges")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let unfinished = match deployment(edge.get("node").unwrap_or(&Value::Null)) {
                Ok(d) => {
                    let open = holds(&d, now);
                    found.push(d);
                    open
                }
                Err(s) => {
                    skipped.push(s);
                    false
                }
            };
            held |= unfinished;
            if !held && let Some(c) = text(edge, "/cursor") {
                resume = Some(c);
            }
        }
        let end = text(list, "/pageInfo/endCursor");
        if end.is_some() {
            after = end;
        }
        if list.pointer("/pageInfo/hasNextPage") != Some(&Value::Bool(true)) {
            return Ok((found, skipped, resume));
        }
    }
    Err(FetchError::TooManyPages {
        url: url.to_string(),
    })
}

/// A workflow run waiting for a review before it deploys to an environment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WaitingRun {
    pub run: String,
    pub sha: String,
    pub branch: String,
    pub environment: String,
    pub environment_id: String,
}

fn runs_path(repo: &str) -> Result<String, FetchError> {
    let (owner, name) = repo
        .trim()
        .split_once('/')
        .ok_or_else(|| FetchError::Setup(format!("`{repo}` is not OWNER/REPO")))?;
    let e = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    Ok(format!("/repos/{}/{}/actions/runs", e(owner), e(name)))
}

/// The runs waiting for a review (`GET …/actions/runs?status=waiting`, then each one's
/// `pending_deployments`), with the list's ETag; `None` when unchanged since `etag` (a 304,
/// which GitHub does not count).
pub async fn waiting_runs(
    api: &Api,
    repo: &str,
    etag: Option<&str>,
) -> Result<Option<(Vec<WaitingRun>, Option<String>)>, FetchError> {
    let base = runs_path(repo)?;
    let url = api.url(&format!("{base}?status=waiting&per_page=100"))?;
    let page = api.get(&url, etag).await?;
    let Some(body) = page.body else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for run in body
        .get("workflow_runs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(id) = text(run, "/id") else { continue };
        let pending = api
            .get(&api.url(&format!("{base}/{id}/pending_deployments"))?, None)
            .await?
            .body
            .unwrap_or(Value::Null);
        for p in pending.as_array().into_iter().flatten() {
            if let (Some(env), Some(env_id)) =
                (text(p, "/environment/name"), text(p, "/environment/id"))
            {
                out.push(WaitingRun {
                    run: id.clone(),
                    sha: text(run, "/head_sha").unwrap_or_default(),
                    branch: text(run, "/head_branch").unwrap_or_default(),
                    environment: env,
                    environment_id: env_id,
                });
            }
        }
    }
    Ok(Some((out, page.etag)))
}

/// Whether run `run` still waits for a review on environment `env_id`, and when a review whose
/// comment carries `marker` was given, if one was (`…/pending_deployments`, `…/approvals`).
pub async fn review_state(
    api: &Api,
    repo: &str,
    (run, env_id): (&str, &str),
    marker: &str,
) -> Result<(bool, Option<String>), FetchError> {
    let base = format!("{}/{run}", runs_path(repo)?);
    let pending = api
        .get(&api.url(&format!("{base}/pending_deployments"))?, None)
        .await?
        .body
        .unwrap_or(Value::Null);
    let waits = pending
        .as_array()
        .into_iter()
        .flatten()
        .any(|p| text(p, "/environment/id").as_deref() == Some(env_id));
    let reviews = api
        .get(&api.url(&format!("{base}/approvals"))?, None)
        .await?
        .body
        .unwrap_or(Value::Null);
    let given = reviews
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| text(r, "/comment").is_some_and(|c| c.contains(marker)))
        .map(|r| text(r, "/state").unwrap_or_default());
    Ok((waits, given))
}

/// Review run `run` for environment `env_id` (`POST …/pending_deployments`, `state`
/// `approved` or `rejected`), once: the ids of the deployments it let go.
pub async fn review(
    api: &Api,
    repo: &str,
    (run, env_id): (&str, &str),
    state: &str,
    comment: &str,
) -> Result<String, FetchError> {
    let url = api.url(&format!("{}/{run}/pending_deployments", runs_path(repo)?))?;
    let id: u64 = env_id
        .parse()
        .map_err(|_| FetchError::Setup(format!("`{env_id}` is not a GitHub environment id")))?;
    let body = json!({"environment_ids": [id], "state": state, "comment": comment});
    let answer = api.write(&url, &body).await?.body.unwrap_or(Value::Null);
    let ids: Vec<String> = answer
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| text(d, "/id"))
        .collect();
    Ok(ids.join(","))
}
