//! Connections to deployment platforms (GitHub, GitLab, Argo CD): add one with its token (which
//! goes to the OS keyring and nowhere else), test it, and sync: the deployments a platform ran
//! become deployment records, signed by this member in one event per release and sync, linked
//! to releases by service, environment and version, recorded once per platform id, with their
//! deviations computed as for one recorded by hand.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration};
use relm_connect::connector::{self, Platform, Pulled};
use relm_connect::fetch::Api;
use relm_connect::remote::{Item, RemoteDeployment, RemoteState, Why};
pub use relm_connect::seen::{Seen, SeenEnvironment, SeenPart, SeenRelease, Unread as SeenUnread};
use relm_domain::ids::ReleaseId;
use relm_domain::limits::{DEPLOYMENT_SKEW_MINUTES, MAX_SHORT};
use relm_domain::payload::{Decision, EventBody, ImportedDeployment, Outcome};
use relm_domain::text::{self, Lines};
use relm_domain::window::fmt_utc;
use relm_domain::{DomainError, ProblemCode, Problems, Reason, ReasonCode};
use relm_store::connectors::{self as store, Candidate, ConnectorRow};
use relm_store::outbox;
pub use relm_store::outbox::OutboxRow;
use relm_store::projection::deployments::{MAX_IMPORTED, by_ref};
use serde::Serialize;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::error::{ApiError, ErrorCode, Result};
use crate::gates::{facts, in_force};
use crate::session::Relm;
use crate::undo::{Removal, Removed};

/// How long one request may take.
const TIMEOUT: StdDuration = StdDuration::from_secs(30);
/// The most deployments kept for matching again per connection.
const MAX_KEPT: usize = 5_000;

/// A connection as a person adds it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ConnectorInput {
    /// `github`, `gitlab` or `argocd`.
    pub platform: String,
    pub name: String,
    /// The platform's API URL (GitHub's and GitLab.com's by default; Argo CD's is required).
    pub api_url: Option<String>,
    /// OWNER/REPO (GitHub), a project id or path (GitLab), an application (Argo CD).
    pub target: String,
    /// Argo CD's project.
    pub project: Option<String>,
    /// The Relm service its deployments belong to (the repository's, project's or
    /// application's last name by default).
    pub service: Option<String>,
    /// `PLATFORM_ENV=RELM_ENV` pairs.
    pub env_map: Vec<String>,
}

/// A connection as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConnectorView {
    pub name: String,
    pub platform: String,
    pub api_url: String,
    pub target: String,
    pub project: String,
    pub service: String,
    pub env_map: BTreeMap<String, String>,
    pub added_at: String,
    pub last_sync_at: Option<String>,
    pub last_ok_at: Option<String>,
    pub last_pulled: i64,
    pub last_pushed: i64,
    /// What the last sync's failures said, in English.
    pub last_errors: Vec<String>,
    /// The same, with their reasons for the app's wording.
    pub last_failures: Vec<ApiError>,
    /// Whether the OS keyring holds its token.
    pub has_token: bool,
    /// Deployments the platform reported that no release matched yet.
    pub waiting: u32,
    /// What the platform showed at the last sync besides deployments.
    pub seen: Seen,
}

/// What testing a connection found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProbeView {
    pub name: String,
    pub ok: bool,
    /// The target's full name on the platform, when reached.
    pub found: Option<String>,
    /// Why it was not reached, in English.
    pub error: Option<String>,
    /// The same, with its reason for the app's wording.
    pub failure: Option<ApiError>,
}

/// An error as an outbox entry keeps it (JSON).
pub(crate) fn stored(e: &ApiError) -> String {
    serde_json::to_string(e).unwrap_or_else(|_| e.message.clone())
}

/// An error a sync stored: as the API wrote it, or (from an earlier version) its English text.
pub fn stored_error(v: Value) -> ApiError {
    match v {
        Value::String(message) => ApiError::new(ErrorCode::Remote, message),
        v => serde_json::from_value(v.clone())
            .unwrap_or_else(|_| ApiError::new(ErrorCode::Remote, v.to_string())),
    }
}

/// What a sync left out, and why (a deployment the platform reported and Relm did not record,
/// or a part of the platform's answer it could not read).
pub use relm_connect::remote::{Item as LeftOutItem, Skipped as LeftOut, Why as LeftOutWhy};

/// What syncing one connection did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConnectorSync {
    pub name: String,
    /// Deployments recorded by this sync.
    pub pulled: u32,
    /// Writes delivered to the platform.
    pub pushed: u32,
    /// What failed (the sync of this connection stopped, or a write was not delivered), in
    /// English; empty when it synced.
    pub errors: Vec<String>,
    /// The same failures, with their reasons for the app's wording.
    pub failures: Vec<ApiError>,
    /// Deployments left out, with the reason.
    pub left_out: Vec<LeftOut>,
    /// Deployments still running or waiting on the platform: recorded once they end.
    pub unfinished: u32,
    /// Deployments no release matches yet, kept to match again at the next sync.
    pub waiting: u32,
    /// Where the freeze periods or sync windows written to the platform cover more than the
    /// calendar's freezes and windows (a platform's form cannot say exactly what they mean).
    pub wider: Vec<String>,
}

impl ConnectorSync {
    /// Count a failure: its English text, and the error with its reason.
    pub fn failed(&mut self, e: ApiError) {
        self.errors.push(e.message.clone());
        self.failures.push(e);
    }
    /// A connection's sync that did nothing yet.
    pub(crate) fn of(name: &str) -> ConnectorSync {
        ConnectorSync {
            name: name.to_string(),
            pulled: 0,
            pushed: 0,
            errors: Vec::new(),
            failures: Vec::new(),
            left_out: Vec::new(),
            unfinished: 0,
            waiting: 0,
            wider: Vec::new(),
        }
    }
}

/// The keyring entry of a connection's token.
fn secret_name(name: &str) -> String {
    format!("connector:{name}")
}

fn view_time(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(fmt_utc)
        .unwrap_or_default()
}

/// The last name of a target: `acme/payments` → `payments`.
fn last_name(target: &str) -> String {
    target
        .trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// A version as written in tags: `refs/tags/v1.4.2` and `v1.4.2` are `1.4.2`.
fn plain_version(s: &str) -> &str {
    let s = s.trim();
    let s = s.strip_prefix("refs/tags/").unwrap_or(s);
    match s.strip_prefix(['v', 'V']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => s,
    }
}

/// Whether `version` names the commit `sha` (at least 7 hex digits of it).
fn names_commit(version: &str, sha: &str) -> bool {
    let v = version.trim();
    v.len() >= 7
        && v.len() <= sha.len()
        && v.chars().all(|c| c.is_ascii_hexdigit())
        && sha[..v.len()].eq_ignore_ascii_case(v)
}

/// The releases a deployment of `reference` at commit `sha` is of: by version (a tag), else by
/// commit (the release's version or a component's naming it).
pub fn matching<'a>(candidates: &'a [Candidate], reference: &str, sha: &str) -> Vec<&'a Candidate> {
    let tag = plain_version(reference);
    let by_tag: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| !tag.is_empty() && plain_version(&c.version) == tag)
        .collect();
    if !by_tag.is_empty() {
        return by_tag;
    }
    candidates
        .iter()
        .filter(|c| {
            !sha.is_empty()
                && (names_commit(&c.version, sha)
                    || c.components.iter().any(|v| names_commit(v, sha)))
        })
        .collect()
}

impl Relm {
    fn connector_view(&self, row: ConnectorRow) -> Result<ConnectorView> {
        let has_token = self.keys.get_secret(&secret_name(&row.name))?.is_some();
        let failures: Vec<ApiError> = row.last_errors.into_iter().map(stored_error).collect();
        let waiting = store::unmatched_count(self.store.conn(), &row.name)?;
        Ok(ConnectorView {
            has_token,
            waiting,
            added_at: view_time(row.added_ms),
            last_sync_at: row.last_sync_ms.map(view_time),
            last_ok_at: row.last_ok_ms.map(view_time),
            name: row.name,
            platform: row.platform,
            api_url: row.api_url,
            target: row.target,
            project: row.project,
            service: row.service,
            env_map: row.env_map,
            last_pulled: row.last_pulled,
            last_pushed: row.last_pushed,
            last_errors: crate::error::texts(&failures),
            last_failures: failures,
            seen: serde_json::from_str(&row.seen).unwrap_or_default(),
        })
    }

    fn connector_row(&self, name: &str) -> Result<ConnectorRow> {
        store::get(self.store.conn(), name.trim())?.ok_or_else(|| {
            ApiError::missing(
                ReasonCode::NoConnector,
                format!(
                    "no connection named `{}`; `relm connector list` shows them",
                    name.trim()
                ),
            )
            .with("name", name.trim())
        })
    }

    /// Add a connection; its token goes to the OS keyring (never the database).
    pub fn add_connector(
        &mut self,
        input: &ConnectorInput,
        token: Zeroizing<String>,
    ) -> Result<ConnectorView> {
        let mut problems = Problems::default();
        let name = input.name.trim().to_string();
        if name.is_empty() {
            problems.add(DomainError::problem(
                "name",
                ProblemCode::Required,
                "name the connection, e.g. payments-gitlab",
            ));
        } else if name.len() > 64 || name.contains('/') || text::check_name("name", &name).is_err()
        {
            problems.add(
                DomainError::problem(
                    "name",
                    ProblemCode::BadName,
                    format!(
                        "connection name `{}`: use 1-64 letters, digits, `-`, `_` or `.`, starting with a letter or a digit",
                        text::Shown(&text::truncated(&name, 80))
                    ),
                )
                .with("value", text::truncated(&name, 80))
                .with("max", 64),
            );
        }
        let platform = Platform::parse(&input.platform);
        if platform.is_none() {
            let shown = text::truncated(input.platform.trim(), 40);
            problems.add(
                DomainError::problem(
                    "platform",
                    ProblemCode::UnknownChoice,
                    format!(
                        "`{shown}` is not a platform Relm connects to; use github, gitlab or argocd"
                    ),
                )
                .with("value", &shown)
                .with("allowed", "github, gitlab, argocd"),
            );
        }
        let target = input.target.trim().to_string();
        if let Some(p) = platform {
            let ok = match p {
                Platform::GitHub => target
                    .split_once('/')
                    .is_some_and(|(o, r)| !o.is_empty() && !r.is_empty() && !r.contains('/')),
                _ => !target.is_empty(),
            };
            if !ok {
                problems.add(DomainError::problem(
                    "target",
                    ProblemCode::Required,
                    format!("say what to read: {}", p.target_option()),
                ));
            }
        }
        problems.check(text::check_text("target", &target, Lines::One, MAX_SHORT));
        let api_url = input
            .api_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(String::from)
            .or_else(|| platform.and_then(|p| p.default_api_url().map(String::from)));
        match (&api_url, platform) {
            (None, Some(_)) => problems.add(DomainError::problem(
                "api_url",
                ProblemCode::Required,
                "Argo CD has no public API URL: give yours with --api-url https://argocd.example.com",
            )),
            (Some(u), _) => {
                if let Err(e) = Api::new(u, None, TIMEOUT) {
                    problems.add(
                        DomainError::problem("api_url", ProblemCode::BadUrl, e.to_string())
                            .with("value", text::truncated(u, 120)),
                    );
                }
            }
            _ => {}
        }
        let service = input
            .service
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .unwrap_or_else(|| last_name(&target));
        // Without a target, the service it would default to is not worth a second error.
        if !target.is_empty()
            || input
                .service
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty())
        {
            problems.check(text::check_name("service", &service));
        }
        let env_map = env_map_of(&input.env_map, &mut problems);
        let token = Zeroizing::new(token.trim().to_string());
        if token.is_empty() {
            problems.add(DomainError::problem(
                "token",
                ProblemCode::Required,
                "give the platform's access token on standard input (--token-stdin) or in RELM_CONNECTOR_TOKEN",
            ));
        } else if token.chars().any(char::is_control) || token.len() > 4_096 {
            problems.add(DomainError::problem(
                "token",
                ProblemCode::Other,
                "the token has control characters or is longer than 4,096 bytes: give one token on one line",
            ));
        }
        problems.done()?;
        let (Some(platform), Some(api_url)) = (platform, api_url) else {
            return Err(ApiError::validation("the connection is incomplete"));
        };
        self.workspace_id()?;
        if store::get(self.store.conn(), &name)?.is_some() {
            return Err(ApiError::conflict(
                ReasonCode::ConnectorExists,
                format!(
                    "a connection named `{name}` exists; choose another name, or remove it first"
                ),
            )
            .with("name", &name)
            .at("name"));
        }
        let row = ConnectorRow {
            name: name.clone(),
            platform: platform.as_str().into(),
            api_url,
            target,
            project: input
                .project
                .as_deref()
                .map(str::trim)
                .unwrap_or_default()
                .to_string(),
            service,
            env_map,
            added_ms: self.clock.now().timestamp_millis(),
            cursor: None,
            last_sync_ms: None,
            last_ok_ms: None,
            last_pulled: 0,
            last_pushed: 0,
            last_errors: Vec::new(),
            seen: "{}".into(),
        };
        if !self.keep_with_secret(&secret_name(&name), &token, |tx| {
            Ok(store::insert(tx, &row)?)
        })? {
            return Err(ApiError::conflict(
                ReasonCode::ConnectorExists,
                format!("a connection named `{name}` exists"),
            )
            .with("name", &name));
        }
        tracing::info!(connector = %name, platform = platform.as_str(), "connection added");
        self.connector(&name)
    }

    /// Keep `secret` in the OS keyring under `entry`, then the row `insert` writes; when the
    /// row is not kept (an error, or `false`: one of that name exists), the secret is taken
    /// out again, so that neither is left without the other.
    pub(crate) fn keep_with_secret(
        &mut self,
        entry: &str,
        secret: &str,
        insert: impl FnOnce(&relm_store::Transaction<'_>) -> Result<bool>,
    ) -> Result<bool> {
        self.keys.put_secret(entry, secret)?;
        let kept = self.store.write(insert);
        if !matches!(kept, Ok(true)) {
            let _ = self.keys.delete_secret(entry);
        }
        kept
    }

    /// Map the connection's platform environments to Relm's anew (`PLATFORM_ENV=RELM_ENV`
    /// pairs; an environment not named keeps its name). Deployments kept for matching are
    /// matched with the new map at the next sync.
    pub fn set_connector_env_map(&mut self, name: &str, pairs: &[String]) -> Result<ConnectorView> {
        let row = self.connector_row(name)?;
        let mut problems = Problems::default();
        let map = env_map_of(pairs, &mut problems);
        problems.done()?;
        self.store
            .write(|tx| -> Result<bool> { Ok(store::set_env_map(tx, &row.name, &map)?) })?;
        tracing::info!(connector = %row.name, pairs = map.len(), "environments mapped");
        self.connector(&row.name)
    }

    pub fn connector(&self, name: &str) -> Result<ConnectorView> {
        let row = self.connector_row(name)?;
        self.connector_view(row)
    }

    pub fn connectors(&self) -> Result<Vec<ConnectorView>> {
        store::list(self.store.conn())?
            .into_iter()
            .map(|r| self.connector_view(r))
            .collect()
    }

    /// Forget a connection, its token, its cursor and its outbox entries (kept in the returned
    /// [`Removal`] for an undo). What it imported stays in the ledger.
    pub fn remove_connector(&mut self, name: &str) -> Result<Removal> {
        let n = self.connector_row(name)?.name;
        let removal = self.remove_undoably(
            Removed::Connector,
            &n,
            &[
                ("connectors", "name", &n),
                ("connector_unmatched", "connector", &n),
                ("connector_windows", "connector", &n),
                ("outbox", "connector", &n),
            ],
            Some(secret_name(&n)),
            |tx| {
                outbox::remove_connector(tx, &n)?;
                Ok(store::remove(tx, &n)?)
            },
        )?;
        tracing::info!(connector = %n, "connection removed");
        Ok(removal)
    }

    /// The connection's client, with its token from the keyring.
    fn connector_api(&self, row: &ConnectorRow) -> Result<Api> {
        let token = self.keys.get_secret(&secret_name(&row.name))?.ok_or_else(|| {
            let reason = Reason::new(
                ReasonCode::NoToken,
                format!(
                    "the OS keyring holds no token for `{}`; remove the connection and add it again with its token",
                    row.name
                ),
            )
            .with("name", &row.name);
            ApiError::refused(ErrorCode::Keyring, reason)
        })?;
        Api::new(&row.api_url, Some(token.to_string()), TIMEOUT)
            .map(|a| a.with_clock(self.clock.clone()))
            .map_err(ApiError::from)
    }

    pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ApiError::new(ErrorCode::Internal, format!("cannot start I/O: {e}")))
    }

    /// Reach the platform with the connection's token: the target's name, or what is wrong.
    pub fn test_connector(&mut self, name: &str) -> Result<ProbeView> {
        test(&std::cell::RefCell::new(self), name)
    }

    /// Sync one connection, or all of them: [`sync`] on this session.
    pub fn sync_connectors(&mut self, name: Option<&str>) -> Result<Vec<ConnectorSync>> {
        sync(&std::cell::RefCell::new(self), name)
    }

    /// What a connection's sync delivered, and the errors of what it could not.
    pub fn record_delivery(&mut self, report: &ConnectorSync) -> Result<()> {
        if report.pushed == 0 && report.failures.is_empty() {
            return Ok(());
        }
        let at = self.clock.now().timestamp_millis();
        let pushed = i64::from(report.pushed);
        self.store.write(|tx| -> Result<()> {
            Ok(store::delivered(
                tx,
                &report.name,
                pushed,
                &report.failures,
                at,
            )?)
        })
    }

    /// A connection's entries to deliver now.
    pub fn outbox_due(&self, connector: &str, failed: bool) -> Result<Vec<OutboxRow>> {
        Ok(outbox::due(self.store.conn(), connector, failed)?)
    }

    /// Mark an entry as leaving (committed before the request is made).
    pub fn outbox_sending(&mut self, id: &str) -> Result<()> {
        let at = self.clock.now().timestamp_millis();
        self.store
            .write(|tx| -> Result<()> { Ok(outbox::sending(tx, id, at)?) })
    }

    /// Record how an entry's delivery ended; `true` when it was delivered. A delivered
    /// decision is recorded as a signed `platform.written` event with the platform's id, in
    /// the same transaction that marks the entry done.
    pub fn outbox_finish(
        &mut self,
        plan: &SyncPlan,
        entry: &OutboxRow,
        delivered: Result<Delivered>,
        report: &mut ConnectorSync,
    ) -> Result<bool> {
        let at = self.clock.now().timestamp_millis();
        match delivered {
            Ok(Delivered::Done(remote_id)) => {
                let payload: Value = serde_json::from_str(&entry.payload).unwrap_or(Value::Null);
                let field = |k: &str| payload[k].as_str().unwrap_or_default().to_string();
                self.emit(|tx| {
                    let entries = Relm::mirror_written(tx, entry, &payload, &remote_id, at)?;
                    outbox::finish(tx, &entry.id, "done", (Some(&remote_id), None), at)?;
                    Ok(vec![EventBody::PlatformWritten {
                        release_id: ReleaseId(field("release")),
                        platform: plan.row.platform.clone(),
                        connector: entry.connector.clone(),
                        what: entry.kind.clone(),
                        key: entry.key.clone(),
                        remote_id: remote_id.clone(),
                        decision: field("decision"),
                        entries,
                    }])
                })?;
                tracing::info!(entry = %entry.id, kind = %entry.kind, "outbox entry delivered");
                Ok(true)
            }
            Ok(Delivered::Dropped(why)) => {
                let why = stored(&ApiError::refused(ErrorCode::Remote, why));
                self.store.write(|tx| -> Result<()> {
                    Ok(outbox::finish(
                        tx,
                        &entry.id,
                        "dropped",
                        (None, Some(&why)),
                        at,
                    )?)
                })?;
                Ok(false)
            }
            Err(e) => {
                let why = stored(&e);
                self.store.write(|tx| -> Result<()> {
                    Ok(outbox::finish(
                        tx,
                        &entry.id,
                        "failed",
                        (None, Some(&why)),
                        at,
                    )?)
                })?;
                report.failed(ApiError {
                    message: format!("outbox entry {}: {}", entry.id, e.message),
                    ..e
                });
                Ok(false)
            }
        }
    }

    /// Queue one write in the outbox (its id derived from `key`): the entry as it is now, and
    /// whether one with this key was queued before (then nothing new is queued).
    pub(crate) fn queue_outbox(
        &mut self,
        (connector, kind, key): (&str, &str, &str),
        payload: &str,
    ) -> Result<(OutboxRow, bool)> {
        let id = outbox_id(key);
        let at = self.clock.now().timestamp_millis();
        let new = self.store.write(|tx| -> Result<bool> {
            Ok(outbox::enqueue(
                tx,
                &id,
                (connector, kind, key),
                payload,
                at,
            )?)
        })?;
        let entry = outbox::get(self.store.conn(), &id)?
            .ok_or_else(|| ApiError::new(ErrorCode::Internal, "the queued entry vanished"))?;
        Ok((entry, !new))
    }

    /// Every outbox entry, newest first.
    pub fn outbox(&self) -> Result<Vec<OutboxRow>> {
        Ok(outbox::list(self.store.conn())?)
    }

    /// One outbox entry as it is now.
    pub fn outbox_entry(&self, id: &str) -> Result<OutboxRow> {
        outbox::get(self.store.conn(), id.trim())?.ok_or_else(|| {
            ApiError::not_found(format!(
                "no outbox entry `{}`; `relm outbox list` shows them",
                id.trim()
            ))
        })
    }

    /// Deliver a failed or dropped entry again now (re-checked against the platform first).
    pub fn retry_outbox(&mut self, id: &str) -> Result<OutboxRow> {
        let entry = self.requeue_outbox(id)?;
        if let Some(webhook) = entry.connector.strip_prefix("webhook:") {
            crate::webhooks::deliver_webhook(
                &std::cell::RefCell::new(&mut *self),
                webhook,
                &crate::webhooks::Retry::default(),
            )?;
            return outbox::get(self.store.conn(), &entry.id)?
                .ok_or_else(|| ApiError::validation("the entry vanished"));
        }
        let plan = self
            .plan_syncs(Some(&entry.connector))?
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::validation("the entry's connection is gone"))?;
        let mut report = ConnectorSync::of(&entry.connector);
        deliver(
            &std::cell::RefCell::new(&mut *self),
            &plan,
            false,
            &mut report,
        )?;
        outbox::get(self.store.conn(), &entry.id)?
            .ok_or_else(|| ApiError::validation("the entry vanished"))
    }

    /// Put a failed or dropped entry back in the queue: the connection's next sync delivers it.
    pub fn requeue_outbox(&mut self, id: &str) -> Result<OutboxRow> {
        let entry = outbox::get(self.store.conn(), id.trim())?.ok_or_else(|| {
            ApiError::not_found(format!(
                "no outbox entry `{}`; `relm outbox list` shows them",
                id.trim()
            ))
        })?;
        if entry.state == "done" {
            return Err(ApiError::validation(format!(
                "outbox entry {} was delivered already ({})",
                entry.id,
                entry.remote_id.as_deref().unwrap_or_default()
            )));
        }
        let at = self.clock.now().timestamp_millis();
        self.store.write(|tx| -> Result<()> {
            Ok(outbox::finish(tx, &entry.id, "pending", (None, None), at)?)
        })?;
        Ok(entry)
    }

    /// This member's decisions on releases whose GitLab deployments or GitHub runs wait for
    /// one, as outbox entries (kind, key, payload): the latest decision of this member for the
    /// release and environment, when it is about the release as it is now and has not expired.
    fn decisions_to_deliver(
        &self,
        row: &ConnectorRow,
        platform: Platform,
        waiting: &[Wait],
        candidates: &[Candidate],
        now: DateTime<chrono::Utc>,
    ) -> Result<Vec<(String, String, String)>> {
        if waiting.is_empty() {
            return Ok(Vec::new());
        }
        let conn = self.store.conn();
        let me = self.me()?;
        let member = self.member(&me.0)?;
        let (policy, _) = in_force(conn)?;
        let mut out = Vec::new();
        for d in waiting {
            let [release] = matching(candidates, &d.reference, &d.sha)[..] else {
                continue;
            };
            let environment = relm_env(row, &d.environment);
            // This member's latest decision there, from the facts a verdict reads.
            let f = facts(conn, &release.id, now, &policy)?;
            let Some(a) = f
                .approvals
                .iter()
                .rfind(|a| a.by == me && a.environment == environment)
            else {
                continue;
            };
            let expired = a.expires_at.is_some_and(|e| e <= now);
            if a.release_digest != f.fields.governed_digest(&f.release_id) || expired {
                continue;
            }
            let (event, comment) = (&a.event_id, &a.comment);
            let marker = format!("Relm decision {event}");
            let said = if comment.is_empty() {
                String::new()
            } else {
                format!(": {comment}")
            };
            let mut payload = serde_json::json!({
                "status": match a.decision {
                    Decision::Approve => "approved",
                    Decision::Reject => "rejected",
                },
                "marker": marker,
                "comment": format!(
                    "{marker}, signed by {} (key {}){said}",
                    member.name, member.fingerprint
                ),
                "release": release.id,
                "decision": event,
            });
            let (kind, key) = if platform == Platform::GitHub {
                payload["repo"] = row.target.clone().into();
                payload["run"] = d.id.clone().into();
                payload["environment_id"] = d.environment_id.clone().into();
                let key = format!(
                    "github.review:{}#{}:{}:{event}",
                    row.target, d.id, d.environment_id
                );
                ("github.review", key)
            } else {
                payload["project"] = row.target.clone().into();
                payload["deployment"] = d.id.clone().into();
                let key = format!("gitlab.approval:{}#{}:{event}", row.target, d.id);
                ("gitlab.approval", key)
            };
            out.push((kind.into(), key, payload.to_string()));
        }
        Ok(out)
    }

    /// What to pull: each connection (or NAME) with its client and where it resumes.
    pub fn plan_syncs(&self, name: Option<&str>) -> Result<Vec<SyncPlan>> {
        let rows = match name {
            Some(n) => vec![self.connector_row(n)?],
            None => store::list(self.store.conn())?,
        };
        let now = self.clock.now();
        Ok(rows
            .into_iter()
            .map(|row| {
                let api = Platform::parse(&row.platform)
                    .ok_or_else(|| {
                        ApiError::validation(format!("unknown platform {}", row.platform))
                    })
                    .and_then(|p| Ok((p, self.connector_api(&row)?)));
                SyncPlan { row, api, now }
            })
            .collect())
    }

    /// Record what a pull brought (or its failure) for `plan`'s connection.
    pub fn apply_sync(&mut self, plan: &SyncPlan, pulled: Result<Pulled>) -> Result<ConnectorSync> {
        let row = &plan.row;
        let result = pulled.and_then(|p| {
            let platform = plan.api.as_ref().map_err(Clone::clone)?.0;
            self.record_pull(row, platform, p, plan.now)
        });
        match result {
            Ok(r) => Ok(r),
            Err(e) => {
                let at = self.clock.now().timestamp_millis();
                self.store.write(|tx| -> Result<()> {
                    Ok(store::finish_sync(tx, &row.name, at, (0, 0), &[&e])?)
                })?;
                tracing::warn!(connector = %row.name, error = %e, "sync failed");
                let mut report = ConnectorSync {
                    waiting: store::unmatched_count(self.store.conn(), &row.name)?,
                    ..ConnectorSync::of(&row.name)
                };
                report.failed(e);
                Ok(report)
            }
        }
    }

    fn record_pull(
        &mut self,
        row: &ConnectorRow,
        platform: Platform,
        pulled: Pulled,
        now: DateTime<chrono::Utc>,
    ) -> Result<ConnectorSync> {
        let mut left_out: Vec<LeftOut> = pulled.skipped.clone();
        let mirror = self.plan_mirror(row, platform, &pulled, now)?;
        // What the platform said now, then what earlier syncs kept for matching again.
        let conn = self.store.conn();
        let seen: HashSet<String> = pulled.deployments.iter().map(|d| d.id.clone()).collect();
        let mut all = pulled.deployments.clone();
        for (id, json) in store::unmatched(conn, &row.name)? {
            if !seen.contains(&id)
                && let Ok(mut d) = serde_json::from_str::<RemoteDeployment>(&json)
            {
                d.platform = platform.as_str();
                all.push(d);
            }
        }
        let candidates = store::candidates(conn, &row.service)?;
        let (policy, _) = in_force(conn)?;
        let mut kept = BTreeMap::new();
        let mut unfinished = 0u32;
        let mut by_release: BTreeMap<String, Vec<ImportedDeployment>> = BTreeMap::new();
        let mut refs = HashSet::new();
        let mut waiting_approval: Vec<&RemoteDeployment> = Vec::new();
        let mut fields_of: std::collections::HashMap<String, relm_domain::release::ReleaseFields> =
            std::collections::HashMap::new();
        for d in &all {
            let external_ref = format!("{}:{}#{}", platform.as_str(), row.target, d.id);
            let item = format!(
                "deployment {} ({} to {})",
                d.id,
                shown_ref(d),
                d.environment
            );
            let leave = |why: Why, reason: String| {
                LeftOut::new(Item::Deployment, item.clone(), why, reason)
                    .with("id", &d.id)
                    .with("ref", shown_ref(d))
                    .with("environment", &d.environment)
            };
            let outcome = match d.state {
                RemoteState::Succeeded => Outcome::Succeeded,
                RemoteState::Failed => Outcome::Failed,
                RemoteState::Canceled => {
                    left_out.push(leave(
                        Why::Canceled,
                        "canceled on the platform: nothing ran to record".into(),
                    ));
                    continue;
                }
                RemoteState::Blocked if platform == Platform::GitLab => {
                    unfinished += 1;
                    waiting_approval.push(d);
                    continue;
                }
                RemoteState::Running | RemoteState::Blocked | RemoteState::Waiting => {
                    unfinished += 1;
                    continue;
                }
            };
            if !refs.insert(external_ref.clone()) || by_ref(conn, &external_ref)?.is_some() {
                continue;
            }
            let environment = relm_env(row, &d.environment);
            if text::check_name("environment", &environment).is_err() {
                left_out.push(leave(
                    Why::NotAnEnvironment,
                    format!(
                        "`{}` is not a Relm environment name; map it with --env-map {}=ENV",
                        text::truncated(&d.environment, 60),
                        text::truncated(&d.environment, 60)
                    ),
                ));
                continue;
            }
            let matched = matching(&candidates, &d.reference, &d.sha);
            let keep = |kept: &mut BTreeMap<String, String>| {
                if kept.len() < MAX_KEPT
                    && let Ok(json) = serde_json::to_string(d)
                {
                    kept.insert(d.id.clone(), json);
                }
            };
            let release = match matched.as_slice() {
                [one] => (*one).clone(),
                [] => {
                    keep(&mut kept);
                    continue;
                }
                several => {
                    let ids: Vec<&str> = several.iter().map(|c| c.id.as_str()).collect();
                    left_out.push(
                        leave(
                            Why::SeveralReleases,
                            format!(
                                "releases {} of {} all match it; give them distinct versions",
                                ids.join(", "),
                                row.service
                            ),
                        )
                        .with("releases", ids.join(", "))
                        .with("service", &row.service),
                    );
                    keep(&mut kept);
                    continue;
                }
            };
            // Read once per release, however many of its deployments come.
            let fields = match fields_of.get(&release.id) {
                Some(f) => f,
                None => {
                    let f = relm_store::projection::releases::get(conn, &release.id)?
                        .map(|r| r.fields)
                        .ok_or_else(|| ApiError::validation("a release vanished"))?;
                    fields_of.entry(release.id.clone()).or_insert(f)
                }
            };
            if !policy.targets(&fields.environments, &environment) {
                left_out.push(
                    leave(
                        Why::NotTargeted,
                        format!(
                            "release {} ({} {}) does not target `{environment}`; add the environment to the release, or map the platform's with --env-map {}=ENV",
                            release.id, fields.service, fields.version, d.environment
                        ),
                    )
                    .with("release", &release.id)
                    .with("service", &fields.service)
                    .with("version", &fields.version)
                    .with("relm_environment", &environment),
                );
                keep(&mut kept);
                continue;
            }
            let end = d.finished_at.unwrap_or(d.updated_at);
            let start = d.started_at.unwrap_or(end).min(end);
            if end > now + Duration::minutes(DEPLOYMENT_SKEW_MINUTES) {
                left_out.push(
                    leave(
                        Why::EndsLater,
                        format!(
                            "the platform says it ended at {}, later than now; check the platform's clock",
                            fmt_utc(end)
                        ),
                    )
                    .with("at", fmt_utc(end)),
                );
                continue;
            }
            let link = d
                .url
                .clone()
                .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                .filter(|u| text::check_text("link", u, Lines::One, 2_000).is_ok());
            let reference = if d.reference.is_empty() {
                d.sha.clone()
            } else {
                d.reference.clone()
            };
            by_release
                .entry(release.id.clone())
                .or_default()
                .push(ImportedDeployment {
                    platform_environment: if environment == d.environment {
                        String::new()
                    } else {
                        d.environment.clone()
                    },
                    environment,
                    outcome,
                    release_digest: String::new(),
                    started_at: fmt_utc(start),
                    ended_at: fmt_utc(end),
                    external_ref,
                    reference: text::truncated(&reference, MAX_SHORT).to_string(),
                    link,
                });
        }
        let mut waits: Vec<Wait> = waiting_approval
            .iter()
            .map(|d| Wait {
                id: d.id.clone(),
                environment_id: String::new(),
                reference: d.reference.clone(),
                sha: d.sha.clone(),
                environment: d.environment.clone(),
            })
            .collect();
        waits.extend(pulled.waiting_runs.iter().map(|r| Wait {
            id: r.run.clone(),
            environment_id: r.environment_id.clone(),
            reference: r.branch.clone(),
            sha: r.sha.clone(),
            environment: r.environment.clone(),
        }));
        let queued = self.decisions_to_deliver(row, platform, &waits, &candidates, now)?;
        let pulled_count: u32 = by_release.values().map(|v| v.len() as u32).sum();
        let waiting = kept.len() as u32;
        let at = now.timestamp_millis();
        let name = row.name.clone();
        let cursor = pulled.cursor.clone();
        let seen = serde_json::to_string(&pulled.seen).unwrap_or_else(|_| "{}".into());
        let finish = |tx: &relm_store::Transaction<'_>| -> Result<()> {
            store::set_cursor(tx, &name, cursor.as_deref())?;
            store::set_seen(tx, &name, &seen)?;
            store::keep_unmatched(tx, &name, &kept, at)?;
            for (kind, key, payload) in queued.iter().chain(&mirror.queued) {
                outbox::enqueue(tx, &outbox_id(key), (&name, kind, key), payload, at)?;
            }
            for id in &mirror.gone {
                store::window_gone(tx, &name, id)?;
            }
            store::finish_sync(
                tx,
                &name,
                at,
                (i64::from(pulled_count), 0),
                &[] as &[ApiError],
            )?;
            Ok(())
        };
        if by_release.is_empty() {
            self.store.write(|tx| finish(tx))?;
        } else {
            let connector = row.name.clone();
            self.emit(|tx| {
                let (policy, _) = in_force(tx)?;
                let mut bodies = Vec::new();
                for (id, mut list) in by_release {
                    let f = facts(tx, &id, now, &policy)?;
                    let digest = f.fields.governed_digest(&f.release_id);
                    for d in &mut list {
                        d.release_digest = digest.clone();
                    }
                    for chunk in list.chunks(MAX_IMPORTED) {
                        bodies.push(EventBody::DeploymentsImported {
                            release_id: ReleaseId(id.clone()),
                            platform: platform.as_str().into(),
                            connector: connector.clone(),
                            deployments: chunk.to_vec(),
                        });
                    }
                }
                finish(tx)?;
                Ok(bodies)
            })?;
        }
        tracing::info!(
            connector = %row.name,
            pulled = pulled_count,
            unfinished,
            waiting,
            left_out = left_out.len(),
            "connection synced"
        );
        Ok(ConnectorSync {
            name: row.name.clone(),
            pulled: pulled_count,
            pushed: 0,
            errors: Vec::new(),
            failures: Vec::new(),
            left_out,
            unfinished,
            waiting,
            wider: mirror.wider,
        })
    }
}

/// The workspace, held for one step at a time: the CLI's own session, or the app's shared one
/// (held under its lock, and let go while a platform is waited for).
pub trait Hold {
    fn hold<T>(&self, f: impl FnOnce(&mut Relm) -> Result<T>) -> Result<T>;
}

impl Hold for std::cell::RefCell<&mut Relm> {
    fn hold<T>(&self, f: impl FnOnce(&mut Relm) -> Result<T>) -> Result<T> {
        f(&mut self.borrow_mut())
    }
}

/// Reach the platform with the connection's token: the target's name, or what is wrong. The
/// workspace is not held while the platform answers.
pub fn test(w: &impl Hold, name: &str) -> Result<ProbeView> {
    let plans = w.hold(|r| r.plan_syncs(Some(name)))?;
    plans
        .first()
        .map(SyncPlan::probe)
        .ok_or_else(|| ApiError::validation("no connection to test"))?
}

/// Sync one connection, or all of them; each one's failure is in its report, and the others
/// still sync. Each sync is planned and applied holding the workspace, and pulled and
/// delivered without it.
pub fn sync(w: &impl Hold, name: Option<&str>) -> Result<Vec<ConnectorSync>> {
    sync_each(w, name, |_| {})
}

/// How far a sync of several connections is: `done` of `total`, and the report of the one
/// that just finished.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncProgress {
    pub done: u32,
    pub total: u32,
    pub report: ConnectorSync,
}

/// [`sync`], telling `each` as each connection finishes (for a progress display).
pub fn sync_each(
    w: &impl Hold,
    name: Option<&str>,
    mut each: impl FnMut(SyncProgress),
) -> Result<Vec<ConnectorSync>> {
    let plans = w.hold(|r| r.plan_syncs(name))?;
    let total = plans.len() as u32;
    let mut out = Vec::with_capacity(plans.len());
    for plan in plans {
        let pulled = plan.pull();
        let mut report = w.hold(|r| r.apply_sync(&plan, pulled))?;
        if report.failures.is_empty() {
            deliver(w, &plan, true, &mut report)?;
        }
        out.push(report);
        if let Some(report) = out.last() {
            each(SyncProgress {
                done: out.len() as u32,
                total,
                report: report.clone(),
            });
        }
    }
    Ok(out)
}

/// Deliver the connection's due outbox entries (and its failed ones when `failed`), each
/// marked `sending` before it leaves and re-checked against the platform first; counted in
/// `report` (pushed, or an error).
pub fn deliver(
    w: &impl Hold,
    plan: &SyncPlan,
    failed: bool,
    report: &mut ConnectorSync,
) -> Result<()> {
    for entry in w.hold(|r| r.outbox_due(plan.name(), failed))? {
        w.hold(|r| r.outbox_sending(&entry.id))?;
        let delivered = plan.deliver_one(&entry);
        if w.hold(|r| r.outbox_finish(plan, &entry, delivered, &mut *report))? {
            report.pushed += 1;
        }
    }
    w.hold(|r| r.record_delivery(report))
}

/// Something waiting on the platform for a decision: a GitLab deployment (its id), or a
/// GitHub workflow run (its id) for an environment (its id).
struct Wait {
    id: String,
    environment_id: String,
    reference: String,
    sha: String,
    environment: String,
}

/// How delivering an outbox entry ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    /// Written (or found written already): the platform's id of it.
    Done(String),
    /// Not written: the platform no longer waits for it.
    Dropped(Reason),
}

/// An outbox entry's id: the first 12 hex digits of its key's SHA-256 (the same write has the
/// same id on every run).
fn outbox_id(key: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(key.as_bytes()))[..12].to_string()
}

/// One connection's sync, planned under the workspace and pulled without it.
#[derive(Debug)]
pub struct SyncPlan {
    pub row: ConnectorRow,
    api: Result<(Platform, Api)>,
    now: DateTime<chrono::Utc>,
}

impl SyncPlan {
    pub fn name(&self) -> &str {
        &self.row.name
    }

    /// Reach the platform (network only): the target's name, or what is wrong.
    pub fn probe(&self) -> Result<ProbeView> {
        let (platform, api) = self.api.as_ref().map_err(Clone::clone)?;
        let c = connector::connector(*platform, &self.row.target, &self.row.project);
        let (found, failure) = match Relm::runtime()?.block_on(c.probe(api)) {
            Ok(found) => (Some(found), None),
            Err(e) => (None, Some(ApiError::from(e))),
        };
        Ok(ProbeView {
            name: self.row.name.clone(),
            ok: failure.is_none(),
            found,
            error: failure.as_ref().map(|e| e.message.clone()),
            failure,
        })
    }

    /// Deliver one outbox entry (network only): re-check the platform's state, then write.
    pub fn deliver_one(&self, entry: &OutboxRow) -> Result<Delivered> {
        let (_, api) = self.api.as_ref().map_err(Clone::clone)?;
        let p: Value = serde_json::from_str(&entry.payload)
            .map_err(|e| ApiError::validation(format!("outbox entry {}: {e}", entry.id)))?;
        if let Some(done) = crate::mirror::deliver(api, entry, &p) {
            return done;
        }
        if let Some(done) = crate::publish::deliver_notes(api, entry, &p) {
            return done;
        }
        let field = |k: &str| p[k].as_str().unwrap_or_default().to_string();
        let remote = ApiError::from;
        match entry.kind.as_str() {
            "gitlab.approval" => {
                let (project, id) = (field("project"), field("deployment"));
                Relm::runtime()?.block_on(async {
                    let now = relm_connect::gitlab::approval(api, &project, &id, &field("marker"))
                        .await
                        .map_err(remote)?;
                    if let Some(at) = now.given {
                        // Sent before (a delivery cut short after the platform took it).
                        return Ok(Delivered::Done(format!(
                            "deployment {id}, approval of {at}"
                        )));
                    }
                    if !now.blocked {
                        return Ok(Delivered::Dropped(
                            Reason::new(
                                ReasonCode::NoLongerAwaited,
                                "the deployment no longer waits for an approval on GitLab",
                            )
                            .with("platform", "gitlab"),
                        ));
                    }
                    let at = relm_connect::gitlab::approve(
                        api,
                        &project,
                        &id,
                        &field("status"),
                        &field("comment"),
                    )
                    .await
                    .map_err(remote)?;
                    Ok(Delivered::Done(format!(
                        "deployment {id}, approval of {at}"
                    )))
                })
            }
            "github.review" => {
                let (repo, run, env) = (field("repo"), field("run"), field("environment_id"));
                Relm::runtime()?.block_on(async {
                    let (waits, given) = relm_connect::github::review_state(
                        api,
                        &repo,
                        (&run, &env),
                        &field("marker"),
                    )
                    .await
                    .map_err(remote)?;
                    if let Some(state) = given {
                        return Ok(Delivered::Done(format!("run {run}, review {state}")));
                    }
                    if !waits {
                        return Ok(Delivered::Dropped(
                            Reason::new(
                                ReasonCode::NoLongerAwaited,
                                "the run no longer waits for a review on GitHub",
                            )
                            .with("platform", "github"),
                        ));
                    }
                    let ids = relm_connect::github::review(
                        api,
                        &repo,
                        (&run, &env),
                        &field("status"),
                        &field("comment"),
                    )
                    .await
                    .map_err(remote)?;
                    Ok(Delivered::Done(format!("run {run}, deployments {ids}")))
                })
            }
            other => Ok(Delivered::Dropped(
                Reason::new(
                    ReasonCode::UnknownWrite,
                    format!("`{other}` is not a write this version of Relm knows"),
                )
                .with("kind", other),
            )),
        }
    }

    /// Read the platform (network only: no workspace needed).
    pub fn pull(&self) -> Result<Pulled> {
        let (platform, api) = self.api.as_ref().map_err(Clone::clone)?;
        let c = connector::connector(*platform, &self.row.target, &self.row.project);
        Relm::runtime()?
            .block_on(c.pull(api, self.row.cursor.clone(), self.now))
            .map_err(ApiError::from)
    }
}

/// `PLATFORM_ENV=RELM_ENV` pairs as a map; each bad pair a problem of field `env_map`.
fn env_map_of(pairs: &[String], problems: &mut Problems) -> BTreeMap<String, String> {
    let mut env_map = BTreeMap::new();
    for pair in pairs {
        match pair.split_once('=') {
            Some((from, to)) if !from.trim().is_empty() => {
                if problems
                    .check(text::check_text("env_map", from, Lines::One, MAX_SHORT))
                    .is_some()
                    && problems
                        .check(text::check_name("env_map", to.trim()))
                        .is_some()
                {
                    env_map.insert(from.trim().to_string(), to.trim().to_string());
                }
            }
            _ => problems.add(
                DomainError::problem(
                    "env_map",
                    ProblemCode::BadMapping,
                    format!(
                        "`{}` is not PLATFORM_ENV=RELM_ENV (e.g. production=prod)",
                        text::truncated(pair, 80)
                    ),
                )
                .with("value", text::truncated(pair, 80)),
            ),
        }
    }
    env_map
}

/// Relm's name of a platform's environment: as the connection maps it, else the same.
pub(crate) fn relm_env(row: &ConnectorRow, platform_env: &str) -> String {
    row.env_map
        .get(platform_env)
        .cloned()
        .unwrap_or_else(|| platform_env.to_string())
}

/// A deployment's tag or branch, or its commit.
fn shown_ref(d: &RemoteDeployment) -> String {
    if d.reference.is_empty() {
        d.sha.chars().take(12).collect()
    } else {
        text::truncated(&d.reference, 60).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, version: &str, components: &[&str]) -> Candidate {
        Candidate {
            id: id.into(),
            version: version.into(),
            components: components.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn errors_kept_by_an_earlier_version_read_as_their_text() {
        // Before errors carried their reason, a sync kept their English text.
        let old = stored_error(Value::String("gitlab.example.com: answered 502".into()));
        assert_eq!(old.code, ErrorCode::Remote);
        assert_eq!(old.message, "gitlab.example.com: answered 502");
        assert_eq!(old.reason, None);
        // Now the error as the API wrote it, reason and all.
        let now = ApiError::conflict(ReasonCode::NoTag, "no tag v1").with("tags", "v1");
        let back = stored_error(serde_json::to_value(&now).unwrap());
        assert_eq!(back, now);
        // Something else (a hand-edited store): kept as text, not lost, not a crash.
        let odd = stored_error(serde_json::json!({"code": 7}));
        assert_eq!(
            (odd.code, odd.message.as_str()),
            (ErrorCode::Remote, r#"{"code":7}"#)
        );
    }

    #[test]
    fn a_deployment_matches_a_release_by_tag_then_by_commit() {
        let sha = "4f2a9c1e0b7d3a5c6e8f9a0b1c2d3e4f5a6b7c8d";
        let all = [
            c("r1", "1.4.2", &[]),
            c("r2", "4f2a9c1", &[]),
            c("r3", "2.0.0", &["4f2a9c1e0b7d"]),
            c("r4", "v3.1.0", &[]),
        ];
        let ids = |v: Vec<&Candidate>| v.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(matching(&all, "v1.4.2", "ffff")), ["r1"]);
        assert_eq!(ids(matching(&all, "refs/tags/1.4.2", "")), ["r1"]);
        assert_eq!(ids(matching(&all, "3.1.0", "")), ["r4"]);
        // A branch names no version: the commit decides (the release's or a component's).
        assert_eq!(ids(matching(&all, "main", sha)), ["r2", "r3"]);
        assert!(matching(&all, "main", "0000000000").is_empty());
        // Fewer than seven digits name no commit; a version is not read as hex by accident.
        assert!(!names_commit("4f2a9c", sha));
        assert!(!names_commit("1.4.2", sha));
        assert!(names_commit("4F2A9C1E", sha));
    }

    #[test]
    fn a_target_last_name_is_the_default_service() {
        assert_eq!(last_name("acme/payments"), "payments");
        assert_eq!(last_name("group/sub/api/"), "api");
        assert_eq!(last_name("checkout"), "checkout");
    }
}
