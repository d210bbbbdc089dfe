//! Argo CD: an application's deployments, from its sync history.
//!
//! `GET /api/v1/applications/{name}` (Argo CD's REST API, `v1alpha1.Application`): each entry of
//! `status.history` is a sync that completed (`id`, `revision`, `deployStartedAt`,
//! `deployedAt`); `status.operationState` is the latest operation, which may still be running or
//! may have failed (`phase`: `Running`, `Succeeded`, `Failed`, `Error`, `Terminating`). One
//! request gives them all (Argo CD keeps the last ten syncs by default).
//!
//! A project's sync windows (`GET /api/v1/projects/{name}`, `spec.syncWindows`) are written by
//! reading the project, changing its windows and writing it back whole
//! (`PUT /api/v1/projects/{name}`), refused by Argo CD if someone changed it in between.

use serde_json::Value;

use crate::fetch::{Api, FetchError};
use crate::remote::{Item, RemoteDeployment, RemoteState, Skipped, Why, text, time};

/// Argo CD's operation phase in Relm's words.
pub fn state(phase: &str) -> Option<RemoteState> {
    Some(match phase {
        "Succeeded" => RemoteState::Succeeded,
        "Failed" | "Error" => RemoteState::Failed,
        "Running" => RemoteState::Running,
        "Terminating" => RemoteState::Canceled,
        _ => return None,
    })
}

/// The application's deployments in `app` (an `Application` object), and what was left out.
pub fn from_application(app: &Value) -> (Vec<RemoteDeployment>, Vec<Skipped>) {
    let name = text(app, "/metadata/name").unwrap_or_default();
    let (mut found, mut skipped) = (Vec::new(), Vec::new());
    let history = app
        .pointer("/status/history")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for h in &history {
        let id = text(h, "/id").unwrap_or_default();
        let (Some(revision), Some(at)) = (text(h, "/revision"), time(h, "/deployedAt")) else {
            let field = if text(h, "/revision").is_none() {
                "revision"
            } else {
                "deployedAt"
            };
            skipped.push(
                Skipped::missing(Item::ArgoSync, format!("sync {id} of {name}"), field)
                    .with("id", &id)
                    .with("app", &name),
            );
            continue;
        };
        found.push(RemoteDeployment {
            platform: "argocd",
            id: format!("{name}/{id}"),
            environment: name.clone(),
            reference: text(h, "/source/targetRevision").unwrap_or_default(),
            sha: revision,
            state: RemoteState::Succeeded,
            started_at: time(h, "/deployStartedAt"),
            finished_at: Some(at),
            updated_at: at,
            url: None,
        });
    }
    // The latest operation, when it did not end in a history entry (running or failed).
    if let Some(op) = app.pointer("/status/operationState") {
        let phase = text(op, "/phase").unwrap_or_default();
        match state(&phase) {
            // A sync that succeeded is in the history already; no operation yet says nothing.
            _ if phase.is_empty() => {}
            Some(RemoteState::Succeeded) => {}
            Some(s) => {
                if let Some(started) = time(op, "/startedAt") {
                    found.push(RemoteDeployment {
                        platform: "argocd",
                        id: format!("{name}/op-{}", started.timestamp()),
                        environment: name.clone(),
                        reference: text(op, "/operation/sync/revision").unwrap_or_default(),
                        sha: text(op, "/syncResult/revision")
                            .or_else(|| text(op, "/operation/sync/revision"))
                            .unwrap_or_default(),
                        state: s,
                        started_at: Some(started),
                        finished_at: time(op, "/finishedAt"),
                        updated_at: time(op, "/finishedAt").unwrap_or(started),
                        url: None,
                    });
                }
            }
            None => skipped.push(
                Skipped::new(
                    Item::ArgoOperation,
                    format!("the latest operation of {name}"),
                    Why::UnknownStatus,
                    format!("its phase `{phase}` is not one Argo CD documents"),
                )
                .with("app", &name)
                .with("status", &phase)
                .with("platform", "Argo CD"),
            ),
        }
    }
    (found, skipped)
}

/// Application `app` as Argo CD describes it (`v1alpha1.Application`).
pub async fn application(api: &Api, app: &str) -> Result<Value, FetchError> {
    let name: String = url::form_urlencoded::byte_serialize(app.trim().as_bytes()).collect();
    let url = api.url(&format!("/api/v1/applications/{name}"))?;
    let page = api.get(&url, None).await?;
    let body = page.body.unwrap_or(Value::Null);
    if body.pointer("/metadata/name").is_none() {
        return Err(FetchError::BadJson {
            url: url.to_string(),
            why: "not an Argo CD application".into(),
        });
    }
    Ok(body)
}

/// The deployments of application `app`.
pub async fn deployments(
    api: &Api,
    app: &str,
) -> Result<(Vec<RemoteDeployment>, Vec<Skipped>), FetchError> {
    Ok(from_application(&application(api, app).await?))
}

/// An Argo CD project sync window (`v1alpha1.SyncWindow`), as Relm writes them: for one
/// application, in a zone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SyncWindow {
    /// `deny` (a freeze) or `allow` (a maintenance window).
    pub kind: String,
    pub schedule: String,
    /// `62h`, `90m`, `1h30m`.
    pub duration: String,
    pub applications: Vec<String>,
    /// Manual syncs allowed during it (a soft freeze).
    #[serde(default)]
    pub manual_sync: bool,
    pub time_zone: String,
    /// What it stands for, in words (ignored when comparing).
    #[serde(default)]
    pub description: String,
}

impl SyncWindow {
    /// The window as Argo CD writes it in a project.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "kind": self.kind,
            "schedule": self.schedule,
            "duration": self.duration,
            "applications": self.applications,
            "manualSync": self.manual_sync,
            "timeZone": self.time_zone,
            "description": self.description,
        })
    }

    /// Whether the project's window `v` is this one: same kind, times, zone, applications and
    /// manual-sync flag, and no namespaces or clusters (descriptions aside: older Argo CD
    /// versions do not keep them).
    pub fn is(&self, v: &Value) -> bool {
        let words = |c: &str| c.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        let list = |k: &str| -> Vec<String> {
            let mut l: Vec<String> = v
                .get(k)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect();
            l.sort();
            l
        };
        let mut mine = self.applications.clone();
        mine.sort();
        text(v, "/kind").as_deref() == Some(self.kind.as_str())
            && words(&text(v, "/schedule").unwrap_or_default()) == words(&self.schedule)
            && text(v, "/duration").as_deref() == Some(self.duration.as_str())
            && text(v, "/timeZone").unwrap_or_else(|| "UTC".into()) == self.time_zone
            && v.get("manualSync")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                == self.manual_sync
            && list("applications") == mine
            && list("namespaces").is_empty()
            && list("clusters").is_empty()
    }
}

fn project_path(project: &str) -> String {
    let name: String = url::form_urlencoded::byte_serialize(project.trim().as_bytes()).collect();
    format!("/api/v1/projects/{name}")
}

/// Project `project` as Argo CD describes it (`v1alpha1.AppProject`).
pub async fn project(api: &Api, project: &str) -> Result<Value, FetchError> {
    let url = api.url(&project_path(project))?;
    let body = api.get(&url, None).await?.body.unwrap_or(Value::Null);
    if body.pointer("/metadata/name").is_none() {
        return Err(FetchError::BadJson {
            url: url.to_string(),
            why: "not an Argo CD project".into(),
        });
    }
    Ok(body)
}

/// A sync window in words: `deny 0 18 * * 5 for 61h (Europe/Paris): payments-prod`.
pub fn window_words(w: &Value) -> String {
    let list = |k: &str| {
        w.get(k)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = format!(
        "{} {} for {} ({})",
        text(w, "/kind").unwrap_or_default(),
        text(w, "/schedule").unwrap_or_default(),
        text(w, "/duration").unwrap_or_default(),
        text(w, "/timeZone").unwrap_or_else(|| "UTC".into())
    );
    for (k, what) in [
        ("applications", ""),
        ("namespaces", "namespaces "),
        ("clusters", "clusters "),
    ] {
        let l = list(k);
        if !l.is_empty() {
            out.push_str(&format!(": {what}{l}"));
        }
    }
    if w.get("manualSync").and_then(Value::as_bool) == Some(true) {
        out.push_str(", manual sync allowed");
    }
    out
}

/// The project's sync windows, as written (`spec.syncWindows`).
pub fn windows(project: &Value) -> Vec<Value> {
    project
        .pointer("/spec/syncWindows")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// `project` with the windows matching one of `remove` taken out and those of `add` not there
/// yet put in, or `None` when it already is so.
pub fn rewritten(project: &Value, add: &[SyncWindow], remove: &[SyncWindow]) -> Option<Value> {
    let before = windows(project);
    let mut after: Vec<Value> = before
        .iter()
        .filter(|w| !remove.iter().any(|r| r.is(w)) || add.iter().any(|a| a.is(w)))
        .cloned()
        .collect();
    for a in add {
        if !after.iter().any(|w| a.is(w)) {
            after.push(a.to_json());
        }
    }
    if after == before {
        return None;
    }
    let mut p = project.clone();
    if p.get("spec").is_none_or(|s| !s.is_object()) {
        p["spec"] = serde_json::json!({});
    }
    p["spec"]["syncWindows"] = Value::Array(after);
    Some(p)
}

/// Write project `name` back (`PUT /api/v1/projects/{project.metadata.name}`, body
/// `{"project": …}`), once; Argo CD refuses it when the project changed since it was read
/// (its `metadata.resourceVersion`). The new resource version.
pub async fn update_project(api: &Api, name: &str, project: &Value) -> Result<String, FetchError> {
    let url = api.url(&project_path(name))?;
    let body = serde_json::json!({ "project": project });
    let answer = api
        .write_as(crate::fetch::Method::PUT, &url, Some(&body))
        .await?
        .body
        .unwrap_or(Value::Null);
    Ok(text(&answer, "/metadata/resourceVersion").unwrap_or_default())
}
