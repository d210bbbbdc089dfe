//! Argo CD: an application's deployments, from its sync history.
//!
//! `GET /api/v1/applications/{name}` (Argo CD's REST API, `v1alpha1.Application`): each entry of
//! `status.history` is a sync that completed (`id`, `revision`, `deployStartedAt`,
//! `deployedAt`); `status.operationState` is the latest operation, which may still be running or
//! may have failed (`phase`: `Running`, `Succeeded`, `Failed`, `Error`, `Terminating`). One
//! request gives them all (Argo CD keeps the last ten syncs by default).

use serde_json::Value;

use crate::fetch::{Api, FetchError};
use crate::remote::{RemoteDeployment, RemoteState, Skipped, text, time};

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
            skipped.push(Skipped {
                item: format!("sync {id} of {name}"),
                reason: "it has no `revision` or no `deployedAt`".into(),
            });
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
            None => skipped.push(Skipped {
                item: format!("the latest operation of {name}"),
                reason: format!("its phase `{phase}` is not one Argo CD documents"),
            }),
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
