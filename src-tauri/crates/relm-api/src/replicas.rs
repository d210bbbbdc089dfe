//! Replicas: remotes, sync, joining a workspace, and the sync status.

use relm_domain::keys::KeyId;
use relm_domain::payload::MemberInfo;
use relm_identity::SecretKey;
use relm_store::ingest::{self, Held};
use relm_store::local;
use relm_store::rusqlite::{OptionalExtension, params};
use relm_sync::git::GitRemote;
use relm_sync::sync::{self as replica_sync, JoinRequest, REQUEST_FORMAT};
use relm_sync::{FileNote, Folder, SyncReport, Transport};
use serde::Serialize;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

use crate::connectors::Hold;
use crate::error::{self, ApiError, ErrorCode, Result};
use crate::session::{IDENTITY, Options, Relm};
use crate::undo::{Removal, Removed};
use relm_domain::{Reason, ReasonCode};

/// The remote a joined replica registers for the folder it joined from.
pub const ORIGIN: &str = "origin";
const JOIN_NAME: &str = "join_name";
const JOIN_EMAIL: &str = "join_email";

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RemoteView {
    pub name: String,
    pub kind: String,
    pub location: String,
    pub added_at: String,
    pub last_sync_at: Option<String>,
    /// `ok`, `offline` or `error`.
    pub last_result: Option<String>,
    /// What the last sync did, or why it failed, in English.
    pub last_message: Option<String>,
    /// Why the last sync failed, with its reason for the app's wording (none when it
    /// succeeded, or when an earlier version kept only the text).
    pub last_failure: Option<ApiError>,
    pub last_ok_at: Option<String>,
    /// What the last sync did, when it succeeded: for wording in the reader's language.
    pub last_counts: Option<SyncCounts>,
    /// Events this replica has that the remote lacks, as far as the last sync saw.
    pub pending_push: u64,
}

/// What a sync did with one remote, counted (the figures of [`summary_line`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncCounts {
    /// New events taken in.
    pub pulled: u64,
    /// Events written to the remote.
    pub pushed: u64,
    /// Events taken in that changed nothing (refused by the rules when replayed).
    pub not_applied: u64,
    /// Events waiting for earlier ones.
    pub pending: u64,
    /// Lines and events set aside.
    pub quarantined: u64,
    /// Files still being copied.
    pub incomplete: u64,
    /// Files whose header claims events they do not carry (security findings).
    pub lying: u64,
    /// This replica's small files packed into one.
    pub packed: u64,
}

impl SyncCounts {
    pub fn of(r: &SyncReport) -> SyncCounts {
        SyncCounts {
            pulled: r.pulled.added as u64,
            pushed: r.pushed as u64,
            not_applied: r.pulled.not_applied as u64,
            pending: r.pulled.pending as u64,
            quarantined: (r.pulled.quarantined.len() + r.garbled.len()) as u64,
            incomplete: r.incomplete.len() as u64,
            lying: r.lying.len() as u64,
            packed: r.packed.len() as u64,
        }
    }
}

/// One remote's part of a `sync`: its report, or why it could not sync.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncOutcome {
    pub remote: String,
    pub ok: bool,
    /// `ok`, `offline` or `error`.
    pub result: String,
    pub error: Option<ApiError>,
    pub report: Option<SyncReport>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuthorSeen {
    pub key_id: String,
    pub fingerprint: String,
    pub name: Option<String>,
    pub active: bool,
    pub last_seq: u64,
    pub last_at: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NotApplied {
    pub event: String,
    pub entity: Option<String>,
    pub kind: String,
    pub author: String,
    pub at: String,
    pub code: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct JoinRequestView {
    pub key_id: String,
    pub fingerprint: String,
    pub public_key: String,
    pub name: String,
    pub email: String,
    pub remote: String,
    pub seen_at: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncStatus {
    pub replica_id: String,
    /// Whether this replica's identity is a member able to record changes.
    pub member: bool,
    pub remotes: Vec<RemoteView>,
    pub quarantined: Vec<Held>,
    /// Forks among the quarantined events: security findings, by author.
    pub forks: Vec<Held>,
    pub pending: Vec<Held>,
    pub not_applied: Vec<NotApplied>,
    pub members: Vec<AuthorSeen>,
    pub join_requests: Vec<JoinRequestView>,
    /// Remote files whose header claims events they do not carry (`remote:file`).
    pub lying: Vec<FileNote>,
    /// Members whose key signed two histories: nothing of theirs from the fork point counts
    /// until an admin rotates their key (`relm member rotate`).
    pub forked: Vec<relm_store::forks::Fork>,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct JoinRequestInput {
    pub remote: PathBuf,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct JoinOutcome {
    pub workspace_id: String,
    pub workspace_name: String,
    pub key_id: String,
    pub fingerprint: String,
    pub public_key: String,
    pub events: u64,
    pub keyring: String,
    pub keyring_persistent: bool,
    /// Whether the join request could be left on the remote for the admins to see.
    pub request_written: bool,
}

fn folder(location: &str) -> Folder {
    Folder::new(location)
}

/// Where a replica keeps its copy of git remote `name`.
fn git_copy(data_dir: &Path, name: &str) -> PathBuf {
    data_dir.join("git").join(name)
}

/// A remote's last message as kept: a failure's error (kept as JSON) and its English text, or
/// the text a success (or an earlier version) kept.
fn kept_message(result: Option<&str>, kept: Option<String>) -> (Option<String>, Option<ApiError>) {
    match result {
        Some("offline" | "error") => error::kept(kept),
        _ => (kept, None),
    }
}

/// The transport of a remote as registered: a folder, or a git repository (reached with
/// `token` over HTTPS when one is held).
fn transport(
    data_dir: &Path,
    name: &str,
    kind: &str,
    location: &str,
    token: Option<Zeroizing<String>>,
) -> Box<dyn Transport> {
    match (kind, relm_sync::git::git_url(location)) {
        ("git", Some(url)) => {
            Box::new(GitRemote::new(url, &git_copy(data_dir, name)).with_token(token))
        }
        _ => Box::new(folder(location)),
    }
}

/// The keyring entry of a git remote's access token.
fn secret_name(name: &str) -> String {
    format!("remote:{name}")
}

/// A token is for a git remote over HTTPS only; a URL never carries one (it would be stored
/// in the clear).
fn check_token(location: &str, token: Option<&Zeroizing<String>>, field: &str) -> Result<()> {
    relm_sync::git::check_url(location).map_err(|why| {
        relm_domain::DomainError::problem(field, relm_domain::ProblemCode::SecretInUrl, why)
    })?;
    match token {
        Some(t) if t.trim().is_empty() => Err(relm_domain::DomainError::problem(
            "token",
            relm_domain::ProblemCode::Required,
            "the token is empty; give the access token, or no token at all",
        )
        .into()),
        Some(_) if !relm_sync::git::takes_token(location) => Err(ApiError::invalid(
            "token",
            "a token is only for a git remote over HTTPS (git+https://…); SSH uses your SSH agent, a folder needs none",
        )),
        _ => Ok(()),
    }
}

fn absolute(dir: &Path) -> Result<String> {
    let abs = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| ApiError::new(ErrorCode::Internal, format!("no current directory: {e}")))?
            .join(dir)
    };
    Ok(abs.display().to_string())
}

/// Create a replica of the workspace held by the folder remote `req.remote`, with a new
/// identity that an admin must add before it can record changes.
pub fn join(opts: &Options, req: &JoinRequestInput) -> Result<(Relm, JoinOutcome)> {
    join_with(opts, req, None)
}

/// [`join`], reaching a git remote over HTTPS with `token` (kept in the OS keyring).
pub fn join_with(
    opts: &Options,
    req: &JoinRequestInput,
    token: Option<Zeroizing<String>>,
) -> Result<(Relm, JoinOutcome)> {
    let info = MemberInfo {
        key: SecretKey::generate()?.public(),
        name: req.name.trim().into(),
        email: req.email.trim().into(),
    };
    let mut problems = relm_domain::Problems::default();
    if req.remote.as_os_str().is_empty() {
        problems.add(relm_domain::DomainError::problem(
            "remote",
            relm_domain::ProblemCode::Required,
            "give the shared folder the workspace syncs through",
        ));
    }
    problems.check(relm_domain::membership::check_newcomer(
        &info.name,
        &info.email,
    ));
    problems.done()?;
    let given = req.remote.to_string_lossy().trim().to_string();
    check_token(&given, token.as_ref(), "remote")?;
    let (location, transport) = match relm_sync::git::git_url(&given) {
        Some(_) => {
            let t = transport(&opts.data_dir, ORIGIN, "git", &given, token.clone());
            (given, t)
        }
        None => {
            let location = absolute(&req.remote)?;
            let t: Box<dyn Transport> = Box::new(folder(&location));
            (location, t)
        }
    };
    // Check the remote before creating anything locally.
    let listing = transport
        .prepare()
        .and_then(|()| transport.list())
        .map_err(|e| ApiError::from(relm_sync::SyncError::from(e)).at("remote"))?;
    if !listing.iter().any(|f| f.name.ends_with(".relmseg")) {
        let reason = Reason::new(
            ReasonCode::NoWorkspaceThere,
            format!(
                "{location} holds no Relm workspace yet; a member of the workspace must add it as a remote (`relm remote add NAME {location}`) and run `relm sync` first"
            ),
        )
        .with("location", &location);
        return Err(ApiError::refused(ErrorCode::Remote, reason).at("remote"));
    }
    let mut relm = Relm::open_or_create(opts)?;
    if let Ok(id) = relm.workspace_id() {
        return Err(ApiError::conflict(
            ReasonCode::WorkspaceExists,
            format!(
                "{} already holds workspace {id}; join into another --data-dir",
                opts.data_dir.display()
            ),
        )
        .with("dir", opts.data_dir.display())
        .with("workspace", id));
    }
    let now = relm.now();
    if let Some(t) = &token {
        relm.keys.put_secret(&secret_name(ORIGIN), t)?;
    }
    relm.store.write(|tx| -> Result<()> {
        register(tx, ORIGIN, &location, &now)?;
        Ok(())
    })?;
    let mut report = SyncReport::default();
    let pulled = replica_sync::pull(
        &mut relm.store,
        ORIGIN,
        transport.as_ref(),
        None,
        relm.clock.now(),
        &mut report,
    );
    let joined = pulled
        .map_err(ApiError::from)
        .and_then(|()| relm.workspace());
    let (workspace_id, workspace_name) = match joined {
        Ok(w) => w,
        Err(e) => {
            // Leave nothing behind but an empty store: joining again starts afresh.
            relm.store.write(|tx| -> Result<()> {
                tx.execute("DELETE FROM remotes", [])?;
                tx.execute("DELETE FROM pending", [])?;
                tx.execute("DELETE FROM quarantine", [])?;
                Ok(())
            })?;
            return Err(match e.code {
                ErrorCode::NoWorkspace => {
                    let (incomplete, ignored, quarantined) = (
                        report.incomplete.len(),
                        report.ignored.len(),
                        report.pulled.quarantined.len(),
                    );
                    let reason = Reason::new(
                        ReasonCode::WorkspaceUnreadable,
                        format!(
                            "no verifiable workspace could be read from {location}: {incomplete} file(s) incomplete, {ignored} ignored, {quarantined} event(s) quarantined; sync the folder fully and try again"
                        ),
                    )
                    .with("location", &location)
                    .with("incomplete", incomplete)
                    .with("ignored", ignored)
                    .with("quarantined", quarantined);
                    ApiError::refused(ErrorCode::Remote, reason)
                }
                _ => e,
            });
        }
    };
    let key = SecretKey::generate()?;
    let key_id = key.public().key_id();
    relm.keys.put(&key_id.0, &key)?;
    relm.store.write(|tx| -> Result<()> {
        local::set(tx, IDENTITY, &key_id.0)?;
        local::set(tx, JOIN_NAME, &info.name)?;
        local::set(tx, JOIN_EMAIL, &info.email)?;
        Ok(())
    })?;
    let request = JoinRequest {
        format: REQUEST_FORMAT.into(),
        workspace: workspace_id.0.clone(),
        public_key: key.public().to_string(),
        name: info.name.clone(),
        email: info.email.clone(),
    };
    let bytes = replica_sync::signed_request(&request, key.signing_key());
    let request_written = match transport
        .create(&replica_sync::request_file(&key_id.0), &bytes)
        .and_then(|_| transport.publish())
    {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!("could not leave the join request on the remote: {e}");
            false
        }
    };
    tracing::info!(workspace = %workspace_id, key = %key_id, "joined workspace");
    let outcome = JoinOutcome {
        workspace_id: workspace_id.0,
        workspace_name,
        fingerprint: key_id.fingerprint(),
        key_id: key_id.0,
        public_key: key.public().to_string(),
        events: relm_store::events::count(relm.store.conn())?,
        keyring: relm.keys.backend().into(),
        keyring_persistent: relm.keys.persistent(),
        request_written,
    };
    Ok((relm, outcome))
}

fn register(tx: &relm_store::Connection, name: &str, location: &str, now: &str) -> Result<()> {
    let kind = if relm_sync::git::git_url(location).is_some() {
        "git"
    } else {
        "folder"
    };
    let n = tx.execute(
        "INSERT INTO remotes (name, kind, location, added_at) VALUES (?1, ?4, ?2, ?3)
         ON CONFLICT (name) DO NOTHING",
        params![name, location, now, kind],
    )?;
    if n == 0 {
        return Err(ApiError::conflict(
            ReasonCode::RemoteExists,
            format!("a remote named `{name}` already exists; see `relm sync status`"),
        )
        .with("name", name)
        .at("name"));
    }
    Ok(())
}

impl Relm {
    pub(crate) fn now(&self) -> String {
        relm_domain::window::fmt_utc(self.clock.now())
    }

    /// Register a folder remote. The folder must exist (create it first: an absent folder is
    /// more often a typo or an unmounted drive than a wish).
    pub fn add_remote(&mut self, name: &str, dir: &Path) -> Result<RemoteView> {
        self.add_remote_with(name, dir, None)
    }

    /// [`Relm::add_remote`], reaching a git remote over HTTPS with `token`: checked with it,
    /// then kept in the OS keyring (never the database).
    pub fn add_remote_with(
        &mut self,
        name: &str,
        dir: &Path,
        token: Option<Zeroizing<String>>,
    ) -> Result<RemoteView> {
        let name = name.trim();
        // A name, without `/`: it names a remote in commands and in the store.
        let valid = name.len() <= 64
            && !name.contains('/')
            && relm_domain::text::check_name("remote", name).is_ok();
        let mut problems = relm_domain::Problems::default();
        if !valid {
            let shown = relm_domain::text::truncated(name, 80);
            problems.add(
                relm_domain::DomainError::problem(
                    "name",
                    relm_domain::ProblemCode::BadName,
                    format!(
                        "remote name `{}`: use 1-64 letters, digits, `-`, `_` or `.`, starting with a letter or a digit",
                        relm_domain::text::Shown(&shown)
                    ),
                )
                .with("value", &shown)
                .with("max", 64),
            );
        }
        if dir.as_os_str().is_empty() {
            problems.add(relm_domain::DomainError::problem(
                "folder",
                relm_domain::ProblemCode::Required,
                "give the folder to sync through",
            ));
        }
        problems.done()?;
        self.workspace_id()?;
        let given = dir.to_string_lossy().to_string();
        check_token(&given, token.as_ref(), "folder")?;
        let location = match relm_sync::git::git_url(&given) {
            Some(_) => {
                // A name taken: said before anything of that remote's copy is touched.
                if self.remote(name).is_ok() {
                    return Err(ApiError::conflict(
                        ReasonCode::RemoteExists,
                        format!("a remote named `{name}` already exists; see `relm sync status`"),
                    )
                    .with("name", name)
                    .at("name"));
                }
                self.check_git_remote(name, &given, token.clone())?;
                given.trim().to_string()
            }
            None => {
                let location = absolute(dir)?;
                folder(&location)
                    .list()
                    .map_err(|e| ApiError::from(relm_sync::SyncError::from(e)).at("folder"))?;
                location
            }
        };
        let now = self.now();
        if let Some(t) = &token {
            self.keys.put_secret(&secret_name(name), t)?;
        }
        let registered = self
            .store
            .write(|tx| register(tx, name, &location, &now))
            .map_err(|e| e.at("name"));
        if let Err(e) = registered {
            if token.is_some() {
                let _ = self.keys.delete_secret(&secret_name(name));
            }
            return Err(e);
        }
        self.remote(name)
    }

    /// The transport of a registered remote, with its token from the keyring when it has one.
    fn transport_of(&self, remote: &RemoteView) -> Box<dyn Transport> {
        let token = if remote.kind == "git" && relm_sync::git::takes_token(&remote.location) {
            self.keys
                .get_secret(&secret_name(&remote.name))
                .unwrap_or_else(|e| {
                    tracing::warn!(remote = %remote.name, "cannot read the remote's token from the OS keyring: {e}");
                    None
                })
        } else {
            None
        };
        transport(
            &self.data_dir,
            &remote.name,
            &remote.kind,
            &remote.location,
            token,
        )
    }

    /// Forget a remote, its token and what was read from it (kept in the returned [`Removal`]
    /// for an undo; a git remote's local copy is made again by the next sync).
    pub fn remove_remote(&mut self, name: &str) -> Result<Removal> {
        let removal = self.remove_undoably(
            Removed::Remote,
            name,
            &[
                ("remotes", "name", name),
                ("remote_files", "remote", name),
                ("remote_ranges", "remote", name),
            ],
            Some(secret_name(name)),
            |tx| Ok(tx.execute("DELETE FROM remotes WHERE name = ?1", [name])? == 1),
        )?;
        // A git remote's local copy goes too (a valid name holds no `/` or `..`).
        let copy = git_copy(&self.data_dir, name);
        if !name.contains(['/', '\\']) && name != ".." && copy.is_dir() {
            let _ = std::fs::remove_dir_all(copy);
        }
        Ok(removal)
    }

    /// Reach the git repository at `location` (`git+…`) and check that it can carry this
    /// workspace: empty, or holding Relm's files only. Its copy is kept for the first sync.
    fn check_git_remote(
        &self,
        name: &str,
        location: &str,
        token: Option<Zeroizing<String>>,
    ) -> Result<()> {
        let copy = git_copy(&self.data_dir, name);
        if copy.exists() {
            let _ = std::fs::remove_dir_all(&copy);
        }
        let remote = transport(&self.data_dir, name, "git", location, token);
        let checked = remote.prepare().and_then(|()| remote.list());
        let files = match checked {
            Ok(files) => files,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&copy);
                return Err(ApiError::from(relm_sync::SyncError::from(e)).at("folder"));
            }
        };
        let foreign: Vec<&str> = files
            .iter()
            .map(|f| f.name.as_str())
            .filter(|n| !n.starts_with("replicas/") && !n.starts_with("requests/"))
            .take(3)
            .collect();
        if !foreign.is_empty() {
            let _ = std::fs::remove_dir_all(&copy);
            let files = foreign.join(", ");
            let reason = Reason::new(
                ReasonCode::NotARelmRemote,
                format!(
                    "{location} is not a Relm remote: it holds other files ({files}); give Relm an empty repository of its own"
                ),
            )
            .with("location", location)
            .with("files", files);
            return Err(ApiError::refused(ErrorCode::Remote, reason).at("folder"));
        }
        Ok(())
    }

    /// Reach remote `name` and read its listing, changing nothing in the workspace (a git
    /// remote fetches into its local copy): how many files it holds, or what is wrong.
    pub fn test_remote(&self, name: &str) -> Result<usize> {
        let remote = self.remote(name)?;
        let t = self.transport_of(&remote);
        // The folder every replica writes in must be usable too, or every sync fails.
        t.prepare()
            .and_then(|()| t.list())
            .and_then(|files| t.check_dir(replica_sync::REPLICAS).map(|()| files.len()))
            .map_err(|e| ApiError::from(relm_sync::SyncError::from(e)))
    }

    pub fn remotes(&self) -> Result<Vec<RemoteView>> {
        let conn = self.store.conn();
        let mut stmt = conn.prepare(
            "SELECT name, kind, location, added_at, last_sync_at, last_result, last_message, last_ok_at,
                    last_counts
             FROM remotes ORDER BY name",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let last_result: Option<String> = r.get(5)?;
                let (last_message, last_failure) = kept_message(last_result.as_deref(), r.get(6)?);
                Ok(RemoteView {
                    name: r.get(0)?,
                    kind: r.get(1)?,
                    location: r.get(2)?,
                    added_at: r.get(3)?,
                    last_sync_at: r.get(4)?,
                    last_result,
                    last_message,
                    last_failure,
                    last_ok_at: r.get(7)?,
                    last_counts: r
                        .get::<_, Option<String>>(8)?
                        .and_then(|c| serde_json::from_str(&c).ok()),
                    pending_push: 0,
                })
            })?
            .collect::<relm_store::rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|mut r| {
                r.pending_push = replica_sync::pending_push(conn, &r.name)?;
                Ok(r)
            })
            .collect()
    }

    fn remote(&self, name: &str) -> Result<RemoteView> {
        self.remotes()?
            .into_iter()
            .find(|r| r.name == name)
            .ok_or_else(|| {
                ApiError::missing(
                    ReasonCode::NoRemote,
                    format!("no remote named `{name}`; add one with `relm remote add NAME FOLDER`"),
                )
                .with("name", name)
            })
    }

    /// Sync with one remote, or with every remote when `name` is None. A remote that fails
    /// does not stop the others; each outcome says what happened.
    pub fn sync(&mut self, name: Option<&str>) -> Result<Vec<SyncOutcome>> {
        sync_remotes(&std::cell::RefCell::new(self), name)
    }

    /// Record how a sync with `remote` went, and say it.
    fn record_sync(
        &mut self,
        remote: RemoteView,
        result: Result<SyncReport>,
    ) -> Result<SyncOutcome> {
        if let Ok(r) = &result {
            self.judge_own_clock(&remote, r)?;
        }
        let now = self.now();
        let (label, message, ok_at) = match &result {
            Ok(r) => ("ok", summary_line(r), Some(now.clone())),
            Err(e) if e.code == ErrorCode::Offline => ("offline", e.message.clone(), None),
            Err(e) => ("error", e.message.clone(), None),
        };
        // A failure is kept whole, its reason with it, for the app to word it later.
        let kept = match &result {
            Ok(_) => message.clone(),
            Err(e) => error::keep(e)?,
        };
        let counts = match &result {
            Ok(r) => Some(serde_json::to_string(&SyncCounts::of(r)).map_err(|e| {
                ApiError::new(ErrorCode::Internal, format!("cannot write counts: {e}"))
            })?),
            Err(_) => None,
        };
        self.store.write(|tx| -> Result<usize> {
            Ok(tx.execute(
                "UPDATE remotes SET last_sync_at = ?2, last_result = ?3, last_message = ?4,
                   last_ok_at = coalesce(?5, last_ok_at), last_counts = ?6 WHERE name = ?1",
                params![remote.name, now, label, kept, ok_at, counts],
            )?)
        })?;
        tracing::info!(remote = %remote.name, result = label, "{message}");
        Ok(match result {
            Ok(report) => SyncOutcome {
                remote: remote.name,
                ok: true,
                result: label.into(),
                error: None,
                report: Some(report),
            },
            Err(e) => SyncOutcome {
                remote: remote.name,
                ok: false,
                result: label.into(),
                error: Some(e),
                report: None,
            },
        })
    }

    pub fn sync_status(&mut self) -> Result<SyncStatus> {
        let replica_id = replica_sync::replica_id(&mut self.store)?;
        let conn = self.store.conn();
        let quarantined = ingest::quarantined(conn)?;
        let forks = quarantined
            .iter()
            .filter(|h| h.event.code == "fork")
            .cloned()
            .collect();
        let members = {
            let mut stmt = conn.prepare(
                "SELECT h.author, m.name, coalesce(m.active, 0), h.seq, h.hlc FROM author_heads h
                 LEFT JOIN members m ON m.key_id = h.author ORDER BY m.name, h.author",
            )?;
            stmt.query_map([], |r| {
                let key_id: String = r.get(0)?;
                let hlc = relm_domain::hlc::Hlc::from_packed(r.get(4)?);
                Ok(AuthorSeen {
                    fingerprint: KeyId(key_id.clone()).fingerprint(),
                    key_id,
                    name: r.get(1)?,
                    active: r.get::<_, i64>(2)? != 0,
                    last_seq: r.get::<_, i64>(3)? as u64,
                    last_at: relm_domain::window::fmt_utc(hlc.to_datetime()),
                })
            })?
            .collect::<relm_store::rusqlite::Result<Vec<_>>>()?
        };
        let not_applied = {
            let mut stmt = conn.prepare(
                "SELECT event_id, entity, kind, by_key, at_hlc, code, reason FROM not_applied ORDER BY at_hlc",
            )?;
            stmt.query_map([], |r| {
                let hlc = relm_domain::hlc::Hlc::from_packed(r.get(4)?);
                Ok(NotApplied {
                    event: r.get(0)?,
                    entity: r.get(1)?,
                    kind: r.get(2)?,
                    author: r.get(3)?,
                    at: relm_domain::window::fmt_utc(hlc.to_datetime()),
                    code: r.get(5)?,
                    reason: r.get(6)?,
                })
            })?
            .collect::<relm_store::rusqlite::Result<Vec<_>>>()?
        };
        let lying = {
            let mut stmt = conn.prepare(
                "SELECT remote, file, note FROM remote_files WHERE state = 'lying' ORDER BY remote, file",
            )?;
            stmt.query_map([], |r| {
                Ok(FileNote {
                    file: format!("{}:{}", r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                    reason: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                })
            })?
            .collect::<relm_store::rusqlite::Result<Vec<_>>>()?
        };
        let me = local::get(conn, IDENTITY)?;
        let member = match &me {
            Some(id) => conn
                .query_row("SELECT active FROM members WHERE key_id = ?1", [id], |r| {
                    r.get::<_, i64>(0)
                })
                .optional()?
                .is_some_and(|a| a != 0),
            None => false,
        };
        Ok(SyncStatus {
            replica_id,
            member,
            remotes: self.remotes()?,
            quarantined,
            forks,
            pending: ingest::pending(conn)?,
            not_applied,
            members,
            join_requests: self.join_requests()?,
            lying,
            forked: relm_store::forks::list(conn)?,
        })
    }

    /// Compare this computer's clock with the time the remote stamped on a probe file. Far
    /// apart (beyond the workspace's bound), this replica refuses to sign until a sync finds
    /// them close again: its events would otherwise be held by every other replica, or drag
    /// their clocks along. Only a wall clock can be compared with a file system's.
    fn judge_own_clock(&mut self, remote: &RemoteView, r: &SyncReport) -> Result<()> {
        let Some(theirs) = r.remote_clock_ms.filter(|_| self.clock.is_wall_clock()) else {
            return Ok(());
        };
        let ours = self.clock.now();
        let bound = crate::session::max_clock_offset_ms(self.store.conn())?;
        let skew = ours.timestamp_millis() - theirs;
        let verdict = (skew.abs() > bound).then(|| {
            let at = |ms: i64| {
                chrono::DateTime::from_timestamp_millis(ms)
                    .map(relm_domain::window::fmt_utc)
                    .unwrap_or_default()
            };
            let direction = if skew > 0 { "ahead" } else { "behind" };
            Reason::new(
                ReasonCode::ClockOffRemote,
                format!(
                    "this computer's clock reads {}, but the remote `{}` ({}) stamps files at {}: {} {direction}, more than the workspace allows ({} min). Relm refuses to sign until the clock is right: correct it, then run `relm sync`",
                    relm_domain::window::fmt_utc(ours),
                    remote.name,
                    remote.location,
                    at(theirs),
                    ingest::human_duration(skew.abs()),
                    bound / 60_000
                ),
            )
            .with("clock", relm_domain::window::fmt_utc(ours))
            .with("remote", &remote.name)
            .with("location", &remote.location)
            .with("remote_clock", at(theirs))
            .with("offset_ms", skew.abs())
            .with("direction", direction)
            .with("max", bound / 60_000)
        });
        self.store.write(|tx| -> Result<()> {
            match &verdict {
                Some(why) => {
                    let refusal = ApiError::refused(ErrorCode::Clock, why.clone());
                    local::set(tx, crate::session::CLOCK_SKEW, &error::keep(&refusal)?)?
                }
                None => {
                    tx.execute(
                        "DELETE FROM local_meta WHERE key = ?1",
                        [crate::session::CLOCK_SKEW],
                    )?;
                }
            }
            Ok(())
        })?;
        if let Some(why) = verdict {
            tracing::warn!("{}", why.message);
        }
        Ok(())
    }

    /// Forget waiting events (all, or one author's). Local state only: nothing governed.
    pub fn purge_waiting(&mut self, author: Option<&str>) -> Result<usize> {
        let author = author.map(|a| a.trim().to_lowercase());
        Ok(self
            .store
            .write(|tx| ingest::purge_pending(tx, author.as_deref()))?)
    }

    /// Newcomers who left a join request on a remote and are not members yet.
    pub fn join_requests(&self) -> Result<Vec<JoinRequestView>> {
        let mut stmt = self.store.conn().prepare(
            "SELECT j.key_id, j.public_key, j.name, j.email, j.remote, j.seen_at FROM join_requests j
             WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.key_id = j.key_id) ORDER BY j.seen_at",
        )?;
        let rows = stmt.query_map([], |r| {
            let key_id: String = r.get(0)?;
            Ok(JoinRequestView {
                fingerprint: KeyId(key_id.clone()).fingerprint(),
                key_id,
                public_key: r.get(1)?,
                name: r.get(2)?,
                email: r.get(3)?,
                remote: r.get(4)?,
                seen_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<relm_store::rusqlite::Result<Vec<_>>>()?)
    }

    /// The name and e-mail a newcomer gave for `key_id` (join request), if any.
    pub(crate) fn requested_info(&self, key_id: &KeyId) -> Result<Option<(String, String)>> {
        Ok(self
            .store
            .conn()
            .query_row(
                "SELECT name, email FROM join_requests WHERE key_id = ?1",
                [&key_id.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// The name and e-mail this replica's newcomer gave when joining.
    pub(crate) fn joined_as(&self) -> Result<Option<(String, String)>> {
        let conn = self.store.conn();
        Ok(local::get(conn, JOIN_NAME)?.zip(local::get(conn, JOIN_EMAIL)?))
    }
}

/// One line saying what a sync moved.
/// Sync with one remote, or with every remote when `name` is None, holding the workspace only
/// while its store is read and written: a git remote fetches and pushes without it, so a slow
/// host never stalls the app. A remote that fails does not stop the others.
pub fn sync_remotes(w: &impl Hold, name: Option<&str>) -> Result<Vec<SyncOutcome>> {
    let (workspace, targets) = w.hold(|r| {
        let workspace = r.workspace_id()?;
        let targets = match name {
            Some(n) => vec![r.remote(n)?],
            None => r.remotes()?,
        };
        if targets.is_empty() {
            return Err(ApiError::missing(
                ReasonCode::NoRemote,
                "no remotes yet; add one with `relm remote add NAME FOLDER`",
            ));
        }
        let targets: Vec<_> = targets
            .into_iter()
            .map(|t| {
                let transport = r.transport_of(&t);
                (t, transport)
            })
            .collect();
        Ok((workspace, targets))
    })?;
    let mut out = Vec::new();
    for (remote, transport) in targets {
        let fail = |e: relm_sync::TransportError| ApiError::from(relm_sync::SyncError::from(e));
        let result = transport
            .prepare()
            .map_err(fail)
            .and_then(|()| {
                w.hold(|r| {
                    let now = r.clock.now();
                    replica_sync::exchange(
                        &mut r.store,
                        &remote.name,
                        transport.as_ref(),
                        &workspace,
                        now,
                    )
                    .map_err(ApiError::from)
                })
            })
            .and_then(|report| transport.publish().map(|()| report).map_err(fail));
        out.push(w.hold(|r| r.record_sync(remote, result))?);
    }
    Ok(out)
}

pub fn summary_line(r: &SyncReport) -> String {
    let c = SyncCounts::of(r);
    let mut parts = vec![format!(
        "pulled {} new event(s), pushed {}",
        c.pulled, c.pushed
    )];
    for (n, what) in [
        (c.not_applied, "without effect"),
        (c.pending, "waiting for earlier events"),
        (c.quarantined, "quarantined"),
        (c.incomplete, "file(s) still copying"),
        (c.lying, "file(s) with a lying header (security finding)"),
        (c.packed, "small file(s) packed into one"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_failure_reads_whole_and_text_from_earlier_versions_reads_as_text() {
        let offline = ApiError::refused(
            ErrorCode::Offline,
            Reason::new(
                ReasonCode::RemoteOffline,
                "the remote folder /mnt/usb is not reachable",
            )
            .with("path", "/mnt/usb"),
        );
        let kept = serde_json::to_string(&offline).unwrap();
        let (text, failure) = kept_message(Some("offline"), Some(kept));
        assert_eq!(
            text.as_deref(),
            Some("the remote folder /mnt/usb is not reachable")
        );
        assert_eq!(failure, Some(offline));
        // What an earlier version kept: the English line only.
        let old = "the remote folder /mnt/usb is not reachable (No such file or directory)";
        assert_eq!(
            kept_message(Some("offline"), Some(old.into())),
            (Some(old.into()), None)
        );
        // A success's line is never read as an error, whatever it starts with; nor is JSON
        // that is not an error.
        assert_eq!(
            kept_message(Some("ok"), Some("{1 pulled}".into())),
            (Some("{1 pulled}".into()), None)
        );
        assert_eq!(
            kept_message(Some("error"), Some("{\"not\": \"an error\"}".into())),
            (Some("{\"not\": \"an error\"}".into()), None)
        );
        assert_eq!(kept_message(None, None), (None, None));
    }
}
