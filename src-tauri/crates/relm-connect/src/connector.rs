//! One trait every platform's connector implements: prove the connection works, and pull the
//! deployments changed since the last pull. Writing back (approvals, freezes) goes through the
//! outbox.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Duration, Utc};

use crate::fetch::{Api, FetchError};
use crate::remote::{Item, RemoteDeployment, Skipped, Why, text};
use crate::seen::{self, Seen, SeenEnvironment, SeenPart, SeenRelease, Unread};

/// A connector's answer, later.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = Result<T, FetchError>> + 'a>>;

/// The platforms Relm connects to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    GitHub,
    GitLab,
    ArgoCd,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::GitHub, Platform::GitLab, Platform::ArgoCd];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::GitHub => "github",
            Platform::GitLab => "gitlab",
            Platform::ArgoCd => "argocd",
        }
    }

    pub fn parse(s: &str) -> Option<Platform> {
        Self::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }

    /// The public service's API URL; Argo CD has none (each team runs its own).
    pub fn default_api_url(self) -> Option<&'static str> {
        match self {
            Platform::GitHub => Some("https://api.github.com"),
            Platform::GitLab => Some("https://gitlab.com/api/v4"),
            Platform::ArgoCd => None,
        }
    }

    /// What the connector reads, as the CLI names it.
    pub fn target_option(self) -> &'static str {
        match self {
            Platform::GitHub => "--repo OWNER/REPO",
            Platform::GitLab => "--project ID_OR_PATH",
            Platform::ArgoCd => "--app APP",
        }
    }
}

/// What a pull brought: the deployments, the items left out, where the next pull resumes.
#[derive(Debug, Clone, Default)]
pub struct Pulled {
    pub deployments: Vec<RemoteDeployment>,
    pub skipped: Vec<Skipped>,
    pub cursor: Option<String>,
    /// GitHub's workflow runs waiting for a review.
    pub waiting_runs: Vec<crate::github::WaitingRun>,
    /// GitLab's deploy freeze periods, when they could be read.
    pub freezes: Option<Vec<crate::gitlab::FreezePeriod>>,
    /// Argo CD: the application's project and its sync windows, when they could be read.
    pub windows: Option<(String, Vec<serde_json::Value>)>,
    /// What the platform shows besides deployments (environments, releases, freezes).
    pub seen: Seen,
}

/// GET `path` with `etag`: the body when it changed (and the new ETag kept), `None` when
/// unchanged (a 304) or unreadable (said in `seen.unread`).
async fn changed(
    api: &Api,
    path: &str,
    etag: &mut Option<String>,
    what: SeenPart,
    seen: &mut Seen,
) -> Option<serde_json::Value> {
    let got = async {
        let url = api.url(path)?;
        api.get(&url, etag.as_deref()).await
    }
    .await;
    match got {
        Ok(page) => {
            let body = page.body?;
            *etag = page.etag;
            Some(body)
        }
        Err(e) => {
            seen.unread.push(format!("{}: {e}", what.as_str()));
            seen.unread_parts.push(Unread {
                what,
                detail: e.to_string(),
            });
            None
        }
    }
}

/// What a part of a pull that is not deployments could not read, as an item left out.
fn unread(what: Item, item: String, e: &FetchError) -> Skipped {
    Skipped::new(
        what,
        item,
        Why::Unread,
        format!("{e}; nothing is written to it until it can be read"),
    )
    .with("detail", e)
}

/// A platform, for one repository, project or application.
pub trait Connector {
    fn platform(&self) -> Platform;
    /// Read the target's own description, proving the URL, the token and its permission: the
    /// target's full name as the platform gives it.
    fn probe<'a>(&'a self, api: &'a Api) -> Pending<'a, String>;
    /// The deployments changed since `cursor` (all of them when `None`).
    fn pull<'a>(
        &'a self,
        api: &'a Api,
        cursor: Option<String>,
        now: DateTime<Utc>,
    ) -> Pending<'a, Pulled>;
}

/// The connector of `platform` for `target` (OWNER/REPO, a GitLab project, an Argo CD
/// application; for Argo CD, `project` names its project when given, else the application's
/// is used).
pub fn connector(platform: Platform, target: &str, project: &str) -> Box<dyn Connector> {
    let target = target.trim().to_string();
    match platform {
        Platform::GitHub => Box::new(GitHub { repo: target }),
        Platform::GitLab => Box::new(GitLab { project: target }),
        Platform::ArgoCd => Box::new(ArgoCd {
            app: target,
            project: project.trim().to_string(),
        }),
    }
}

/// A field of the JSON at `path`, or why the answer is not what the platform documents.
async fn described(api: &Api, path: &str, field: &str) -> Result<String, FetchError> {
    let url = api.url(path)?;
    let page = api.get(&url, None).await?;
    page.body
        .as_ref()
        .and_then(|b| text(b, field))
        .ok_or_else(|| FetchError::BadJson {
            url: url.to_string(),
            why: format!("no `{}` in the answer", field.trim_start_matches('/')),
        })
}

fn escaped(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

struct GitHub {
    repo: String,
}

/// Where a GitHub read resumes: the GraphQL cursor, the ETag of the newest deployment, and
/// whether a deployment was still running.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct GitHubCursor {
    after: Option<String>,
    etag: Option<String>,
    held: bool,
    #[serde(default)]
    runs_etag: Option<String>,
    #[serde(default)]
    runs: Vec<crate::github::WaitingRun>,
    #[serde(default)]
    environments_etag: Option<String>,
    #[serde(default)]
    environments: Vec<SeenEnvironment>,
    #[serde(default)]
    releases_etag: Option<String>,
    #[serde(default)]
    releases: Vec<SeenRelease>,
}

impl Connector for GitHub {
    fn platform(&self) -> Platform {
        Platform::GitHub
    }
    fn probe<'a>(&'a self, api: &'a Api) -> Pending<'a, String> {
        Box::pin(async move {
            let (owner, name) = self
                .repo
                .split_once('/')
                .ok_or_else(|| FetchError::Setup(format!("`{}` is not OWNER/REPO", self.repo)))?;
            described(
                api,
                &format!("/repos/{}/{}", escaped(owner), escaped(name)),
                "/full_name",
            )
            .await
        })
    }
    /// First the REST list's newest deployment, conditionally: GitHub answers 304 when nothing
    /// changed, and a 304 costs no rate limit. Only then the GraphQL read, which is counted.
    /// While a deployment is still running, the read is made anyway (its end may not change
    /// the newest deployment).
    fn pull<'a>(
        &'a self,
        api: &'a Api,
        cursor: Option<String>,
        now: DateTime<Utc>,
    ) -> Pending<'a, Pulled> {
        Box::pin(async move {
            let (owner, name) = self
                .repo
                .split_once('/')
                .ok_or_else(|| FetchError::Setup(format!("`{}` is not OWNER/REPO", self.repo)))?;
            let mut at: GitHubCursor = cursor
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok())
                .unwrap_or_default();
            let newest = api.url(&format!(
                "/repos/{}/{}/deployments?per_page=1",
                escaped(owner),
                escaped(name)
            ))?;
            let etag = if at.held { None } else { at.etag.clone() };
            // The runs waiting for a review, conditionally too (kept from the last answer).
            if let Some((runs, etag)) =
                crate::github::waiting_runs(api, &self.repo, at.runs_etag.as_deref()).await?
            {
                at.runs = runs;
                at.runs_etag = etag;
            }
            let probe = api.get(&newest, etag.as_deref()).await?;
            // Environments and releases, conditionally too (kept from the last answer).
            let repo_path = format!("/repos/{}/{}", escaped(owner), escaped(name));
            let mut seen = Seen::default();
            if let Some(b) = changed(
                api,
                &format!("{repo_path}/environments?per_page=100"),
                &mut at.environments_etag,
                SeenPart::Environments,
                &mut seen,
            )
            .await
            {
                at.environments = seen::github_environments(&b);
            }
            if let Some(b) = changed(
                api,
                &format!("{repo_path}/releases?per_page={}", seen::MAX_RELEASES),
                &mut at.releases_etag,
                SeenPart::Releases,
                &mut seen,
            )
            .await
            {
                at.releases = seen::github_releases(&b);
            }
            seen.environments = at.environments.clone();
            seen.releases = at.releases.clone();
            let mut pulled = Pulled {
                waiting_runs: at.runs.clone(),
                seen,
                ..Pulled::default()
            };
            if probe.body.is_some() {
                let (deployments, skipped, after) =
                    crate::github::deployments(api, &self.repo, at.after.clone(), now).await?;
                at.after = after;
                at.etag = probe.etag.or(at.etag.take());
                at.held = deployments.iter().any(|d| crate::github::holds(d, now));
                pulled.deployments = deployments;
                pulled.skipped = skipped;
            }
            pulled.cursor = serde_json::to_string(&at).ok().or(cursor);
            Ok(pulled)
        })
    }
}

struct GitLab {
    project: String,
}

impl Connector for GitLab {
    fn platform(&self) -> Platform {
        Platform::GitLab
    }
    fn probe<'a>(&'a self, api: &'a Api) -> Pending<'a, String> {
        Box::pin(async move {
            let path = format!("/projects/{}", crate::gitlab::project_ref(&self.project));
            described(api, &path, "/path_with_namespace").await
        })
    }
    /// The cursor is the latest `updated_at` seen; the next pull asks from a second before it
    /// (GitLab's `updated_after` is strict and its times have one-second steps), and what it
    /// sees again is already recorded under its reference.
    fn pull<'a>(
        &'a self,
        api: &'a Api,
        cursor: Option<String>,
        _now: DateTime<Utc>,
    ) -> Pending<'a, Pulled> {
        Box::pin(async move {
            let since = cursor
                .as_deref()
                .and_then(|c| DateTime::parse_from_rfc3339(c).ok())
                .map(|t| t.with_timezone(&Utc) - Duration::seconds(1));
            let (deployments, mut skipped) =
                crate::gitlab::deployments(api, &self.project, since).await?;
            let freezes = match crate::gitlab::freeze_periods(api, &self.project).await {
                Ok((found, bad)) => {
                    skipped.extend(bad);
                    Some(found)
                }
                Err(e) => {
                    skipped.push(unread(
                        Item::Freezes,
                        "the project's freeze periods".into(),
                        &e,
                    ));
                    None
                }
            };
            let mut seen = Seen::default();
            let base = format!("/projects/{}", crate::gitlab::project_ref(&self.project));
            let path = format!("{base}/environments?per_page={}", seen::MAX_ENVIRONMENTS);
            // Read whole at each sync (no ETag kept for these).
            seen.environments = changed(api, &path, &mut None, SeenPart::Environments, &mut seen)
                .await
                .map(|b| seen::gitlab_environments(&b))
                .unwrap_or_default();
            let path = format!("{base}/releases?per_page={}", seen::MAX_RELEASES);
            seen.releases = changed(api, &path, &mut None, SeenPart::Releases, &mut seen)
                .await
                .map(|b| seen::gitlab_releases(&b))
                .unwrap_or_default();
            seen.freezes = freezes
                .iter()
                .flatten()
                .map(|p| format!("{} until {} ({})", p.start, p.end, p.zone))
                .collect();
            let cursor = deployments
                .iter()
                .map(|d| d.updated_at)
                .max()
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .or(cursor);
            Ok(Pulled {
                deployments,
                skipped,
                cursor,
                freezes,
                seen,
                ..Pulled::default()
            })
        })
    }
}

struct ArgoCd {
    app: String,
    project: String,
}

impl Connector for ArgoCd {
    fn platform(&self) -> Platform {
        Platform::ArgoCd
    }
    fn probe<'a>(&'a self, api: &'a Api) -> Pending<'a, String> {
        Box::pin(async move {
            let body = crate::argocd::application(api, &self.app).await?;
            let name = text(&body, "/metadata/name").unwrap_or_default();
            Ok(match text(&body, "/spec/project") {
                Some(p) => format!("{name} (project {p})"),
                None => name,
            })
        })
    }
    /// An application's history is short (Argo CD keeps the last ten syncs by default): read
    /// whole each time; what was seen before is already recorded under its reference.
    fn pull<'a>(
        &'a self,
        api: &'a Api,
        _cursor: Option<String>,
        _now: DateTime<Utc>,
    ) -> Pending<'a, Pulled> {
        Box::pin(async move {
            let app = crate::argocd::application(api, &self.app).await?;
            let (deployments, mut skipped) = crate::argocd::from_application(&app);
            let project = match self.project.as_str() {
                "" => text(&app, "/spec/project").unwrap_or_else(|| "default".into()),
                p => p.to_string(),
            };
            let mut seen = Seen {
                status: seen::argo_status(&app),
                environments: vec![SeenEnvironment {
                    name: self.app.clone(),
                    rules: Vec::new(),
                }],
                ..Seen::default()
            };
            let windows = match crate::argocd::project(api, &project).await {
                Ok(p) => {
                    let list = crate::argocd::windows(&p);
                    seen.freezes = list.iter().map(crate::argocd::window_words).collect();
                    Some((project, list))
                }
                Err(e) => {
                    let item = format!("the sync windows of project {project}");
                    skipped.push(unread(Item::SyncWindows, item, &e).with("project", &project));
                    None
                }
            };
            Ok(Pulled {
                deployments,
                skipped,
                windows,
                seen,
                ..Pulled::default()
            })
        })
    }
}
