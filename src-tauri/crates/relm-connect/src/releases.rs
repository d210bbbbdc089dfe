//! Release notes published to a platform's releases: GitHub (`/repos/{owner}/{repo}/releases`)
//! and GitLab (`/projects/:id/releases`). A publication is re-checked before it writes: the
//! release of the tag is read first, and left alone when it already says the same, updated when
//! it says something else, created when there is none. A release is only ever created for a tag
//! the repository has: Relm never makes a tag (GitHub would make one at the default branch's
//! head).

use serde_json::{Value, json};

use crate::fetch::{Api, FetchError, Method};
use crate::remote::text;

/// What publishing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    /// The platform's release (its id or tag, and its page when known) already said this.
    Same(String),
    Updated(String),
    Created(String),
    /// None of the tags is in the repository: nothing was written.
    NoTag(Vec<String>),
}

fn not_found(e: &FetchError) -> bool {
    matches!(e, FetchError::Refused { status: 404, .. })
}

fn seg(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn repo_path(repo: &str) -> Result<String, FetchError> {
    let (owner, name) = repo
        .trim()
        .split_once('/')
        .ok_or_else(|| FetchError::Setup(format!("`{repo}` is not OWNER/REPO")))?;
    Ok(format!("/repos/{}/{}", seg(owner), seg(name)))
}

/// `GET url`, `None` on 404.
async fn found(api: &Api, path: &str) -> Result<Option<Value>, FetchError> {
    match api.get(&api.url(path)?, None).await {
        Ok(p) => Ok(Some(p.body.unwrap_or(Value::Null))),
        Err(e) if not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

fn shown(v: &Value, id_field: &str) -> String {
    let id = text(v, id_field).unwrap_or_default();
    match text(v, "/html_url").or_else(|| text(v, "/_links/self")) {
        Some(u) => format!("{id} {u}"),
        None => id,
    }
}

/// Publish `body` as the GitHub release of the first of `tags` that has one, or else of the
/// first tag the repository has.
pub async fn github(
    api: &Api,
    repo: &str,
    tags: &[String],
    (name, body): (&str, &str),
) -> Result<Published, FetchError> {
    let base = repo_path(repo)?;
    for tag in tags {
        if let Some(r) = found(api, &format!("{base}/releases/tags/{}", seg(tag))).await? {
            if text(&r, "/body").as_deref() == Some(body)
                && text(&r, "/name").as_deref() == Some(name)
            {
                return Ok(Published::Same(shown(&r, "/id")));
            }
            let id = text(&r, "/id").ok_or_else(|| FetchError::BadJson {
                url: base.clone(),
                why: "no `id` in the release".into(),
            })?;
            let url = api.url(&format!("{base}/releases/{}", seg(&id)))?;
            let answer = api
                .write_as(
                    Method::PATCH,
                    &url,
                    Some(&json!({"name": name, "body": body})),
                )
                .await?
                .body
                .unwrap_or(Value::Null);
            return Ok(Published::Updated(shown(&answer, "/id")));
        }
    }
    for tag in tags {
        if found(api, &format!("{base}/git/ref/tags/{}", seg(tag)))
            .await?
            .is_some()
        {
            let url = api.url(&format!("{base}/releases"))?;
            let answer = api
                .write(&url, &json!({"tag_name": tag, "name": name, "body": body}))
                .await?
                .body
                .unwrap_or(Value::Null);
            return Ok(Published::Created(shown(&answer, "/id")));
        }
    }
    Ok(Published::NoTag(tags.to_vec()))
}

/// Publish `description` as the GitLab release of the first of `tags` that has one, or else of
/// the first tag the project has.
pub async fn gitlab(
    api: &Api,
    project: &str,
    tags: &[String],
    (name, description): (&str, &str),
) -> Result<Published, FetchError> {
    let base = format!("/projects/{}", crate::gitlab::project_ref(project));
    for tag in tags {
        let path = format!("{base}/releases/{}", seg(tag));
        if let Some(r) = found(api, &path).await? {
            if text(&r, "/description").as_deref() == Some(description)
                && text(&r, "/name").as_deref() == Some(name)
            {
                return Ok(Published::Same(shown(&r, "/tag_name")));
            }
            let answer = api
                .write_as(
                    Method::PUT,
                    &api.url(&path)?,
                    Some(&json!({"name": name, "description": description})),
                )
                .await?
                .body
                .unwrap_or(Value::Null);
            return Ok(Published::Updated(shown(&answer, "/tag_name")));
        }
    }
    for tag in tags {
        if found(api, &format!("{base}/repository/tags/{}", seg(tag)))
            .await?
            .is_some()
        {
            let url = api.url(&format!("{base}/releases"))?;
            let answer = api
                .write(
                    &url,
                    &json!({"tag_name": tag, "name": name, "description": description}),
                )
                .await?
                .body
                .unwrap_or(Value::Null);
            return Ok(Published::Created(shown(&answer, "/tag_name")));
        }
    }
    Ok(Published::NoTag(tags.to_vec()))
}
