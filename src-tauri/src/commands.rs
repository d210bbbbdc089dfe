//! The commands the UI calls: each one a few lines over `relm-api`. They run off the main
//! thread (`async`), so a slow operation never freezes the window.

use relm_api::audit::{AuditEntry, AuditQuery};
use relm_api::calendar::Listing;
use relm_api::connectors::{ConnectorInput, ConnectorSync, ConnectorView, OutboxRow, ProbeView};
use relm_api::gates::{CheckRequest, PendingDecision, PolicySummary, Simulation, style};
use relm_api::identity::IdentityView;
use relm_api::members::MemberView;
use relm_api::releases::{ReleaseDetail, ReleaseInput, ReleasePage, ReleaseQuery};
use relm_api::replicas::{JoinRequestInput, RemoteView, SyncOutcome, SyncStatus};
use relm_api::reschedule::{ReschedulePreview, RescheduleRequest};
use relm_api::risks::{MitigationInput, ReleaseRisk, RiskDetail, RiskInput, RiskQuery, RiskView};
use relm_api::workspace::{InitOutcome, InitRequest, Summary, WorkspaceSettings};
use relm_api::{ApiError, LogEntry, ReleaseRow, VerifyReport};
use relm_domain::payload::Decision;
use relm_domain::role::Role;
use relm_policy::{Lang, Verdict};
use relm_store::projection::governance::PolicyVersion;
use serde::Serialize;
use std::path::PathBuf;
use tauri::{AppHandle, State};

use crate::state::{AppState, Undoable};
use crate::sync_worker::SyncWorker;

type Result<T> = std::result::Result<T, ApiError>;

/// Where things are, and whether a workspace exists yet (the welcome screen otherwise).
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub log_dir: Option<String>,
    pub has_workspace: bool,
    pub preferences: crate::state::Preferences,
    /// The page is drawn without a GPU ([`crate::render::drawn_on_cpu`]): it draws what is
    /// costly to rasterize on the CPU (blurred shadows) more simply.
    pub drawn_on_cpu: bool,
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        data_dir: state.data_dir.display().to_string(),
        log_dir: relm_api::logging::log_dir().map(|d| d.display().to_string()),
        has_workspace: state.has_workspace(),
        preferences: state.preferences(),
        drawn_on_cpu: crate::render::drawn_on_cpu(),
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn summary(state: State<'_, AppState>) -> Result<Summary> {
    state.read(|r| r.summary())
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn create_workspace(state: State<'_, AppState>, req: InitRequest) -> Result<InitOutcome> {
    let (relm, out) = relm_api::workspace::init(&state.options(), &req)?;
    state.set(relm);
    Ok(out)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn open_demo(state: State<'_, AppState>) -> Result<Summary> {
    let (relm, _) = relm_api::demo::seed(&state.options())?;
    let summary = relm.summary()?;
    state.set(relm);
    Ok(summary)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, token), err)]
pub fn join_workspace(
    state: State<'_, AppState>,
    req: JoinRequestInput,
    token: Option<String>,
) -> Result<relm_api::replicas::JoinOutcome> {
    let token = token.map(zeroize::Zeroizing::new);
    relm_api::files::typed_in_app("remote", &req.remote)?;
    let (relm, out) = relm_api::replicas::join_with(&state.options(), &req, token)?;
    state.set(relm);
    Ok(out)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn list_releases(state: State<'_, AppState>, query: ReleaseQuery) -> Result<ReleasePage> {
    state.read(|r| r.query_releases(&query))
}

/// The next releases still to go out, soonest first.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn upcoming_releases(state: State<'_, AppState>, limit: u32) -> Result<Vec<ReleaseRow>> {
    state.read(|r| r.upcoming_releases(limit))
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn release_detail(state: State<'_, AppState>, id: String) -> Result<ReleaseDetail> {
    state.read(|r| r.release_detail(&id))
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, input), err)]
pub fn create_release(state: State<'_, AppState>, input: ReleaseInput) -> Result<ReleaseRow> {
    state.with(|r| r.create_release(&input))
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, input), err)]
pub fn update_release(
    state: State<'_, AppState>,
    id: String,
    input: ReleaseInput,
) -> Result<ReleaseRow> {
    state.with(|r| r.update_release(&id, &input))
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn set_release_status(
    state: State<'_, AppState>,
    id: String,
    to: String,
    note: Option<String>,
) -> Result<ReleaseRow> {
    state.with(|r| r.set_release_status(&id, &to, note.as_deref()))
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn audit_log(
    state: State<'_, AppState>,
    entity: Option<String>,
    limit: Option<u32>,
) -> Result<Vec<LogEntry>> {
    state.read(|r| r.audit_log(entity.as_deref(), limit.unwrap_or(200).min(2000)))
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn verify(state: State<'_, AppState>) -> Result<VerifyReport> {
    state.read(|r| r.verify())
}

/// Rebuild this computer's tables from an intact ledger; the verification after it.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn repair_tables(state: State<'_, AppState>) -> Result<VerifyReport> {
    state.with(|r| r.repair_tables())
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn identity(state: State<'_, AppState>) -> Result<IdentityView> {
    state.read(|r| r.identity())
}

/// Write this identity's private key to `path`, encrypted with `passphrase` (age format).
#[tauri::command(async)]
#[tracing::instrument(skip(state, passphrase), err)]
pub fn export_identity(
    state: State<'_, AppState>,
    path: PathBuf,
    passphrase: String,
) -> Result<String> {
    state.read(|r| r.export_identity(&path, &passphrase))?;
    Ok(path.display().to_string())
}

/// Put this identity's private key back in the OS keyring from its backup `path` (a data
/// folder copied to another computer, a keyring reset): the identity as it now stands.
#[tauri::command(async)]
#[tracing::instrument(skip(state, passphrase), err)]
pub fn import_identity(
    state: State<'_, AppState>,
    path: PathBuf,
    passphrase: String,
) -> Result<IdentityView> {
    let passphrase = zeroize::Zeroizing::new(passphrase);
    relm_api::files::typed_in_app("file", &path)?;
    state.with(|r| {
        r.import_identity(&path, &passphrase)?;
        r.identity()
    })
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn members(state: State<'_, AppState>) -> Result<Vec<MemberView>> {
    state.read(|r| r.members())
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn remotes(state: State<'_, AppState>) -> Result<Vec<RemoteView>> {
    state.read(|r| r.remotes())
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, token), err)]
pub fn add_remote(
    state: State<'_, AppState>,
    name: String,
    folder: PathBuf,
    token: Option<String>,
) -> Result<RemoteView> {
    let token = token.map(zeroize::Zeroizing::new);
    relm_api::files::typed_in_app("folder", &folder)?;
    state.with(|r| r.add_remote_with(&name, &folder, token))
}

/// Reach a remote and count its files (nothing recorded).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn test_remote(state: State<'_, AppState>, name: String) -> Result<usize> {
    state.read(|r| r.test_remote(&name))
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn remove_remote(state: State<'_, AppState>, name: String) -> Result<Undoable> {
    state.undoable(|r| r.remove_remote(&name))
}

/// Put back the setting removed as `id` (the last removal only), as it was.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn undo_removal(state: State<'_, AppState>, id: u64) -> Result<()> {
    state.undo(id)
}

/// The removal `id` is no longer offered to undo: let it (and any secret it holds) go.
#[tauri::command(async)]
#[tracing::instrument(skip(state))]
pub fn forget_removal(state: State<'_, AppState>, id: u64) {
    state.forget_undo(id)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn connectors(state: State<'_, AppState>) -> Result<Vec<ConnectorView>> {
    state.read(|r| r.connectors())
}

/// Add a connection; the token goes to the OS keyring (never to a log: it is not traced).
#[tauri::command(async)]
#[tracing::instrument(skip(state, token), err)]
pub fn add_connector(
    state: State<'_, AppState>,
    input: ConnectorInput,
    token: String,
) -> Result<ConnectorView> {
    let token = zeroize::Zeroizing::new(token);
    state.with(|r| r.add_connector(&input, token))
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn remove_connector(state: State<'_, AppState>, name: String) -> Result<Undoable> {
    state.undoable(|r| r.remove_connector(&name))
}

/// Map a connection's platform environments to Relm's anew.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn map_connector(
    state: State<'_, AppState>,
    name: String,
    pairs: Vec<String>,
) -> Result<ConnectorView> {
    state.with(|r| r.set_connector_env_map(&name, &pairs))
}

/// Reach the platform on a blocking thread; the workspace is not held while waiting for it.
#[tauri::command]
#[tracing::instrument(skip(app), err)]
pub async fn test_connector(app: AppHandle, name: String) -> Result<ProbeView> {
    use tauri::Manager;
    tauri::async_runtime::spawn_blocking(move || {
        relm_api::connectors::test(&*app.state::<AppState>(), &name)
    })
    .await
    .map_err(|e| {
        ApiError::new(
            relm_api::ErrorCode::Internal,
            format!("the test stopped: {e}"),
        )
    })?
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn outbox(state: State<'_, AppState>) -> Result<Vec<OutboxRow>> {
    state.read(|r| r.outbox())
}

/// Put a failed entry back in the queue and deliver it now: a platform write through the sync
/// worker (never beside a background sync), a webhook message directly (the workspace held only
/// between attempts).
#[tauri::command]
#[tracing::instrument(skip(app, state, worker), err)]
pub async fn retry_outbox(
    app: AppHandle,
    state: State<'_, AppState>,
    worker: State<'_, SyncWorker>,
    id: String,
) -> Result<Vec<ConnectorSync>> {
    let entry = state.with(|r| r.requeue_outbox(&id))?;
    if entry.connector.starts_with("webhook:") {
        let entry = blocking(move || {
            use tauri::Manager;
            let state = app.state::<AppState>();
            let name = entry.connector.trim_start_matches("webhook:");
            relm_api::webhooks::deliver_webhook(
                &*state,
                name,
                &relm_api::webhooks::Retry::default(),
            )?;
            state.with(|r| r.outbox_entry(&entry.id))
        })
        .await?;
        return Ok(Vec::from([ConnectorSync {
            name: entry.connector.clone(),
            pulled: 0,
            pushed: u32::from(entry.state == "done"),
            errors: entry.last_error.into_iter().collect(),
            failures: entry
                .last_failure
                .into_iter()
                .map(relm_api::connectors::stored_error)
                .collect(),
            left_out: Vec::new(),
            unfinished: 0,
            waiting: 0,
            wider: Vec::new(),
        }]));
    }
    worker.sync_connectors(Some(entry.connector)).await
}

/// Sync one connection or all now, through the sync worker (never beside a background sync).
#[tauri::command]
#[tracing::instrument(skip(worker), err)]
pub async fn sync_connectors(
    worker: State<'_, SyncWorker>,
    name: Option<String>,
) -> Result<Vec<ConnectorSync>> {
    worker.sync_connectors(name).await
}

/// Run `f` on a thread that may block (network), and wait for it.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tauri::async_runtime::spawn_blocking(f).await.map_err(|e| {
        ApiError::new(
            relm_api::ErrorCode::Internal,
            format!("the work stopped: {e}"),
        )
    })?
}

/// The stakeholder digest of a period, with its outline as it will be written or posted.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn digest_preview(
    state: State<'_, AppState>,
    query: relm_api::digest::DigestQuery,
) -> Result<relm_api::digest::DigestPreview> {
    state.read(|r| r.digest_preview(&query))
}

/// Write the digest to a file (`.md`, `.html` or `.eml`).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn write_digest(
    state: State<'_, AppState>,
    query: relm_api::digest::DigestQuery,
    path: PathBuf,
) -> Result<relm_api::digest::DigestWritten> {
    state.export(&path, |r| r.write_digest(&query, &path))
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn webhooks(state: State<'_, AppState>) -> Result<Vec<relm_api::webhooks::WebhookView>> {
    state.read(|r| r.webhooks())
}

/// Add a chat webhook; its URL goes to the OS keyring only (and is not logged).
#[tauri::command(async)]
#[tracing::instrument(skip(state, url), err)]
pub fn add_webhook(
    state: State<'_, AppState>,
    name: String,
    kind: String,
    url: String,
) -> Result<relm_api::webhooks::WebhookView> {
    let url = zeroize::Zeroizing::new(url);
    state.with(|r| r.add_webhook(&name, &kind, &url))
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn remove_webhook(state: State<'_, AppState>, name: String) -> Result<Undoable> {
    state.undoable(|r| r.remove_webhook(&name))
}

/// The calendar subscription files kept current.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn feeds(state: State<'_, AppState>) -> Result<Vec<relm_api::feeds::FeedView>> {
    state.read(|r| r.feeds())
}

/// Keep the calendar of an audience in a file (written now).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn add_feed(
    state: State<'_, AppState>,
    name: String,
    path: String,
    scope: Vec<String>,
) -> Result<relm_api::feeds::FeedRefresh> {
    state.with(|r| r.add_feed(&name, &path, &scope))
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn remove_feed(state: State<'_, AppState>, name: String) -> Result<Undoable> {
    state.undoable(|r| r.remove_feed(&name).map(|(_, removal)| removal))
}

/// Rewrite the subscription files whose content changed (the UI asks after each change).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn refresh_feeds(state: State<'_, AppState>) -> Result<Vec<relm_api::feeds::FeedRefresh>> {
    state.with(|r| r.refresh_feeds())
}

/// A release's notes drafted from what the workspace knows of it, in `lang` (`en` or `fr`).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn draft_notes(
    state: State<'_, AppState>,
    release: String,
    lang: String,
) -> Result<relm_api::notes::NotesDraft> {
    state.read(|r| r.draft_notes_in(&release, &lang))
}

/// The release's notes as last saved, if they were.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn saved_notes(
    state: State<'_, AppState>,
    release: String,
) -> Result<Option<relm_api::notes::SavedNotes>> {
    state.read(|r| r.saved_notes(&release))
}

/// Save the release's notes, signed.
#[tauri::command(async)]
#[tracing::instrument(skip(state, markdown), err)]
pub fn save_notes(
    state: State<'_, AppState>,
    release: String,
    lang: String,
    markdown: String,
) -> Result<relm_api::notes::SavedNotes> {
    state.with(|r| r.save_notes(&release, &lang, &markdown))
}

/// Markdown rendered as HTML that is safe to show (no script, no outside image, no link but
/// the web's and mail's).
#[tauri::command(async)]
pub fn notes_preview(markdown: String) -> String {
    relm_api::notes::notes_html(&markdown)
}

/// Write the release's saved notes (`saved`), or a fresh draft in `lang`, to `.md` or `.pdf`.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn write_notes(
    state: State<'_, AppState>,
    release: String,
    path: PathBuf,
    paper: String,
    lang: String,
    saved: bool,
) -> Result<relm_api::notes::NotesWritten> {
    state.export(&path, |r| {
        if saved {
            r.write_saved_notes(&release, &path, &paper)
        } else {
            r.write_notes_file(&release, &path, &paper, &lang)
        }
    })
}

/// Publish the saved notes to the GitHub and GitLab releases of the release's tag through the
/// connections' outbox; the workspace is not held while the platforms answer.
#[tauri::command]
#[tracing::instrument(skip(app), err)]
pub async fn publish_notes(
    app: AppHandle,
    release: String,
    connector: Option<String>,
) -> Result<relm_api::publish::NotesPublished> {
    blocking(move || {
        use tauri::Manager;
        relm_api::publish::publish_notes(&*app.state::<AppState>(), &release, connector.as_deref())
    })
    .await
}

/// Post the digest to a webhook through the outbox; the workspace is not held while the
/// platform answers.
#[tauri::command]
#[tracing::instrument(skip(app), err)]
pub async fn send_digest(
    app: AppHandle,
    name: String,
    query: relm_api::digest::DigestQuery,
) -> Result<relm_api::webhooks::WebhookSent> {
    blocking(move || {
        use tauri::Manager;
        relm_api::webhooks::send_digest(
            &*app.state::<AppState>(),
            &name,
            &query,
            &relm_api::webhooks::Retry::default(),
        )
    })
    .await
}

/// The live verdict for a release and environment (now, unless `at` is given).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn check(state: State<'_, AppState>, req: CheckRequest) -> Result<Verdict> {
    state.read(|r| r.check(&req))
}

/// Sign an approval or a rejection of the release as it is now; returns the new verdict.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn decide(
    state: State<'_, AppState>,
    release: String,
    environment: String,
    decision: Decision,
    comment: Option<String>,
    lang: Lang,
    zone: Option<String>,
) -> Result<Verdict> {
    let style = style(lang, zone.as_deref())?;
    state.with(|r| r.decide(&release, &environment, decision, comment.as_deref(), style))
}

/// Releases waiting for this member's decision (the dashboard's list).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn pending_decisions(
    state: State<'_, AppState>,
    lang: Lang,
    zone: Option<String>,
) -> Result<Vec<PendingDecision>> {
    let style = style(lang, zone.as_deref())?;
    state.pending_decisions(Some(style)).map(|(_, list)| list)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn policy_history(state: State<'_, AppState>) -> Result<Vec<PolicySummary>> {
    state.read(|r| r.policy_history())
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn policy(state: State<'_, AppState>, version: Option<u32>) -> Result<PolicyVersion> {
    state.read(|r| r.policy(version))
}

/// Which verdicts a draft policy would change; records nothing.
#[tauri::command(async)]
#[tracing::instrument(skip(state, source), err)]
pub fn simulate_policy(
    state: State<'_, AppState>,
    source: String,
    lang: Lang,
    zone: Option<String>,
) -> Result<Simulation> {
    let style = style(lang, zone.as_deref())?;
    state.read(|r| r.simulate_policy(&source, "draft", style))
}

/// Occurrences of the calendar's entries overlapping a range, local times in `tz`, and the
/// entries that cannot be expanded (named, left out).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn calendar_listing(
    state: State<'_, AppState>,
    from: String,
    to: String,
    tz: Option<String>,
) -> Result<Listing> {
    state.read(|r| r.calendar_listing(&from, &to, tz.as_deref()))
}

/// The releases of the days a calendar view shows, counted per day; with `per_day`, only the
/// first that many of each day.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn calendar_releases(
    state: State<'_, AppState>,
    from: String,
    to: String,
    tz: Option<String>,
    per_day: Option<u32>,
) -> Result<relm_api::calendar::CalendarReleases> {
    state.read(|r| r.calendar_releases(&from, &to, tz.as_deref(), per_day))
}

/// One calendar entry whole: its rule, exceptions and where it came from (the form edits it).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn calendar_entry(
    state: State<'_, AppState>,
    id: String,
) -> Result<relm_store::projection::calendar::CalendarRow> {
    state.read(|r| r.calendar_entry(&id))
}

/// Add a freeze or a maintenance window.
#[tauri::command(async)]
#[tracing::instrument(skip(state, input), err)]
pub fn add_calendar_entry(
    state: State<'_, AppState>,
    input: relm_api::calendar::CalendarInput,
) -> Result<relm_store::projection::calendar::CalendarRow> {
    state.with(|r| r.add_calendar_entry(&input))
}

/// Replace a calendar entry's fields.
#[tauri::command(async)]
#[tracing::instrument(skip(state, input), err)]
pub fn update_calendar_entry(
    state: State<'_, AppState>,
    id: String,
    input: relm_api::calendar::CalendarInput,
) -> Result<relm_store::projection::calendar::CalendarRow> {
    state.with(|r| r.update_calendar_entry(&id, &input))
}

/// Remove a calendar entry (its history stays in the ledger).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn remove_calendar_entry(
    state: State<'_, AppState>,
    id: String,
) -> Result<relm_store::projection::calendar::CalendarRow> {
    state.with(|r| r.remove_calendar_entry(&id))
}

/// Import an iCalendar file as freezes, windows or a holiday set: all or nothing.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn import_calendar(
    state: State<'_, AppState>,
    path: PathBuf,
    request: relm_api::calendar::ImportRequest,
) -> Result<relm_api::calendar::ImportOutcome> {
    relm_api::files::typed_in_app("file", &path)?;
    state.with(|r| r.import_calendar_file(&path, &request))
}

/// Write the whole calendar (entries and planned releases) as an iCalendar file; returns how
/// many events it holds.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn export_calendar(state: State<'_, AppState>, path: PathBuf) -> Result<usize> {
    state.read(|r| r.export_calendar_file(&path, None, None, &[]))
}

/// Releases still to go out that clash with the calendar or each other.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn calendar_conflicts(
    state: State<'_, AppState>,
    limit: u32,
    release: Option<String>,
) -> Result<relm_api::calendar::ConflictSummary> {
    state.read(|r| r.calendar_conflict_summary(limit, release.as_deref()))
}

/// What moving a release's window would do (conflicts, verdicts, stale approvals); records
/// nothing.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn preview_reschedule(
    state: State<'_, AppState>,
    request: RescheduleRequest,
) -> Result<ReschedulePreview> {
    state.read(|r| r.preview_reschedule(&request))
}

/// Move a release's window as previewed; refused when the release changed since.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn reschedule_release(
    state: State<'_, AppState>,
    request: RescheduleRequest,
    base_digest: String,
) -> Result<ReleaseRow> {
    state.with(|r| r.reschedule_release(&request, &base_digest))
}

/// Sync now, through the sync worker (after a sync already running, never beside it).
#[tauri::command]
#[tracing::instrument(skip(worker), err)]
pub async fn sync_now(
    worker: State<'_, SyncWorker>,
    name: Option<String>,
) -> Result<Vec<SyncOutcome>> {
    worker.sync_now(name).await
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn sync_status(state: State<'_, AppState>) -> Result<SyncStatus> {
    state.with(|r| r.sync_status())
}

/// Forget the events waiting for a key no member has, or for earlier events (local state:
/// they stay on the remotes and come back if their files are read again); returns how many.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn purge_waiting(state: State<'_, AppState>) -> Result<usize> {
    state.with(|r| r.purge_waiting(None))
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn workspace_settings(state: State<'_, AppState>) -> Result<WorkspaceSettings> {
    state.read(|r| r.workspace_settings())
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn configure_workspace(
    state: State<'_, AppState>,
    max_clock_offset_minutes: u32,
) -> Result<WorkspaceSettings> {
    state.with(|r| r.configure_workspace(max_clock_offset_minutes))
}

/// Give a member a new key (the way out of a fork, or of a lost key).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn rotate_member(
    state: State<'_, AppState>,
    member: String,
    key: String,
) -> Result<MemberView> {
    state.with(|r| r.rotate_member(&member, &key))
}

/// The UI's preferences changed: keep them, and relabel the native menu in the language.
#[tauri::command(async)]
#[tracing::instrument(skip(state, app), err)]
pub fn set_preferences(
    app: AppHandle,
    state: State<'_, AppState>,
    preferences: crate::state::Preferences,
) -> Result<()> {
    let locale = if preferences.locale == "fr" {
        "fr"
    } else {
        "en"
    };
    state.save_preferences(&preferences)?;
    *state.locale.lock().unwrap_or_else(|p| p.into_inner()) = locale.into();
    crate::menu::relabel(&app);
    Ok(())
}

/// Record a deployment of a release to an environment: its deviations and the release's
/// status after it.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn record_deployment(
    state: State<'_, AppState>,
    input: relm_api::deployments::DeploymentInput,
) -> Result<relm_api::deployments::Recorded> {
    state.with(|r| r.record_deployment_full(&input))
}

/// Deployments, latest end first.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn deployments(
    state: State<'_, AppState>,
    query: relm_api::deployments::DeploymentQuery,
) -> Result<Vec<relm_api::deployments::DeploymentView>> {
    state.read(|r| r.deployments(&query))
}

/// Attach the SBOM file at `path` to a component of a release.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn attach_sbom(
    state: State<'_, AppState>,
    release: String,
    component: String,
    path: PathBuf,
) -> Result<relm_api::sbom::SbomAttached> {
    state.with(|r| r.attach_sbom_file(&release, &component, &path))
}

/// A release's contents: each component's SBOM and packages, and licence findings.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn sbom_contents(
    state: State<'_, AppState>,
    release: String,
) -> Result<relm_api::sbom::SbomContents> {
    state.read(|r| r.sbom_contents(&release))
}

/// What changed in a release's packages since the service's previous version with an SBOM.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn sbom_diff(
    state: State<'_, AppState>,
    release: String,
) -> Result<relm_api::sbom::SbomDiffView> {
    state.read(|r| r.sbom_diff(&release, None))
}

/// The releases that ship a package.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn sbom_where(
    state: State<'_, AppState>,
    name: String,
    version: Option<String>,
) -> Result<Vec<relm_api::sbom::Shipping>> {
    state.read(|r| r.sbom_where(&name, version.as_deref().filter(|v| !v.trim().is_empty())))
}

/// A release's rollback plan, rehearsals, rollbacks and readiness.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn rollback(
    state: State<'_, AppState>,
    release: String,
) -> Result<relm_api::deployments::RollbackView> {
    state.read(|r| r.rollback(&release))
}

/// Write (or replace) the release's rollback plan.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn plan_rollback(
    state: State<'_, AppState>,
    release: String,
    input: relm_api::deployments::PlanInput,
) -> Result<relm_api::deployments::RollbackView> {
    state.with(|r| r.plan_rollback(&release, &input))
}

/// Record a rehearsal of the rollback plan (`evidence`: an https:// link or a file path).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn rehearse_rollback(
    state: State<'_, AppState>,
    release: String,
    environment: String,
    result: String,
    evidence: Option<String>,
    note: Option<String>,
) -> Result<relm_api::deployments::RollbackView> {
    state.with(|r| {
        r.rehearse_rollback(
            &release,
            &environment,
            &result,
            evidence.as_deref(),
            note.as_deref(),
        )
    })
}

/// Record a rollback, linked to the deployment it undid (the latest to the environment when
/// none is named) and the plan in force.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn record_rollback(
    state: State<'_, AppState>,
    release: String,
    environment: String,
    to_version: String,
    reason: String,
    deployment: Option<String>,
) -> Result<relm_api::deployments::RollbackView> {
    state.with(|r| {
        r.record_rollback(
            &release,
            &environment,
            &to_version,
            &reason,
            deployment.as_deref(),
        )
    })
}

/// Record that the release's rollback plan was rehearsed.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn record_rehearsal(
    state: State<'_, AppState>,
    release: String,
    note: String,
    link: Option<String>,
) -> Result<()> {
    state.with(|r| r.record_rehearsal(&release, &note, link.as_deref()))
}

/// Say why the release must go out inside a soft freeze.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn justify_freeze(
    state: State<'_, AppState>,
    release: String,
    entry: String,
    reason: String,
) -> Result<()> {
    state.with(|r| r.justify_freeze(&release, &entry, &reason))
}

/// Take the emergency path, naming the approver who confirms it afterwards.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn declare_emergency(
    state: State<'_, AppState>,
    release: String,
    reason: String,
    incident: String,
    approver: String,
) -> Result<()> {
    state.with(|r| r.declare_emergency(&release, &reason, &incident, &approver))
}

/// Add a member by public key, with roles (admins only).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn add_member(
    state: State<'_, AppState>,
    key: String,
    name: Option<String>,
    email: Option<String>,
    roles: Vec<Role>,
) -> Result<MemberView> {
    state.with(|r| r.add_member(&key, name.as_deref(), email.as_deref(), &roles))
}

/// Give a member exactly these roles (admins only).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn set_member_roles(
    state: State<'_, AppState>,
    member: String,
    roles: Vec<Role>,
) -> Result<MemberView> {
    state.with(|r| r.set_member_roles(&member, &roles))
}

/// Put a member in a team (admins only); an empty name takes them out of any.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn set_member_team(
    state: State<'_, AppState>,
    member: String,
    team: String,
) -> Result<MemberView> {
    state.with(|r| r.set_member_team(&member, &team))
}

/// Remove a member (admins only); what they signed stays in the ledger.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn remove_member(state: State<'_, AppState>, member: String) -> Result<MemberView> {
    state.with(|r| r.remove_member(&member))
}

/// The text diff from the policy in force to a draft.
#[tauri::command(async)]
#[tracing::instrument(skip(state, source), err)]
pub fn policy_draft_diff(state: State<'_, AppState>, source: String) -> Result<String> {
    state.read(|r| r.policy_draft_diff(&source))
}

/// Apply a draft as the next policy version (admins only), with its change note.
#[tauri::command(async)]
#[tracing::instrument(skip(state, source), err)]
pub fn apply_policy(
    state: State<'_, AppState>,
    source: String,
    note: String,
) -> Result<PolicySummary> {
    state.with(|r| r.apply_policy(&source, &note, "draft"))
}

/// The history as an auditor narrows it: filtered, edits as before → after, flags.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn audit(state: State<'_, AppState>, query: AuditQuery) -> Result<Vec<AuditEntry>> {
    state.read(|r| r.audit(&query))
}

/// The filtered history written as CSV to `path` (chosen in a save dialog); how many rows.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn export_audit_csv(
    state: State<'_, AppState>,
    query: AuditQuery,
    path: PathBuf,
) -> Result<usize> {
    state.read(|r| r.export_audit_csv(&query, &path))
}

/// The environments of the policy in force, in promotion order.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn policy_environments(state: State<'_, AppState>) -> Result<Vec<String>> {
    state.read(|r| r.policy_environments())
}

/// The register, filtered, highest score first (statuses as of now).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn risks(state: State<'_, AppState>, query: RiskQuery) -> Result<Vec<RiskView>> {
    state.read(|r| r.risks(&query))
}

/// One risk with its history.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn risk_detail(state: State<'_, AppState>, id: String) -> Result<RiskDetail> {
    state.read(|r| r.risk_detail(&id))
}

/// Add a risk to the register.
#[tauri::command(async)]
#[tracing::instrument(skip(state, input), err)]
pub fn add_risk(state: State<'_, AppState>, input: RiskInput) -> Result<RiskView> {
    state.with(|r| r.add_risk(&input))
}

/// Change some of a risk's fields.
#[tauri::command(async)]
#[tracing::instrument(skip(state, input), err)]
pub fn update_risk(state: State<'_, AppState>, id: String, input: RiskInput) -> Result<RiskView> {
    state.with(|r| r.update_risk(&id, &input))
}

/// Plan a mitigation of a risk.
#[tauri::command(async)]
#[tracing::instrument(skip(state, input), err)]
pub fn mitigate_risk(
    state: State<'_, AppState>,
    id: String,
    input: MitigationInput,
) -> Result<RiskView> {
    state.with(|r| r.mitigate_risk(&id, &input))
}

/// Mark a risk's mitigation (numbered from 1) done.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn mitigation_done(state: State<'_, AppState>, id: String, number: u32) -> Result<RiskView> {
    state.with(|r| r.mitigation_done(&id, number))
}

/// Accept a risk until a date (an approver who does not own it).
#[tauri::command(async)]
#[tracing::instrument(skip(state, reason), err)]
pub fn accept_risk(
    state: State<'_, AppState>,
    id: String,
    reason: String,
    until: String,
) -> Result<RiskView> {
    state.with(|r| r.accept_risk(&id, &reason, &until))
}

/// Close a risk, saying why.
#[tauri::command(async)]
#[tracing::instrument(skip(state, reason), err)]
pub fn close_risk(state: State<'_, AppState>, id: String, reason: String) -> Result<RiskView> {
    state.with(|r| r.close_risk(&id, &reason))
}

/// A release's risk: its assessment, the questionnaire and the linked risks.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn release_risk(state: State<'_, AppState>, release: String) -> Result<ReleaseRisk> {
    state.read(|r| r.release_risk(&release))
}

/// Answer questions of the risk questionnaire for a release (question key → value).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn answer_risk(
    state: State<'_, AppState>,
    release: String,
    answers: Vec<(String, String)>,
) -> Result<ReleaseRisk> {
    state.with(|r| {
        let id = r.record_answers(&release, &answers)?;
        r.release_risk(&id)
    })
}

/// Set a release's risk level by hand: a raise at or above the assessed level, a lowering (an
/// approver's override, with a reason) below it. Returns the release's risk as the panel shows it.
#[tauri::command(async)]
#[tracing::instrument(skip(state, reason), err)]
pub fn set_release_risk(
    state: State<'_, AppState>,
    release: String,
    level: String,
    reason: String,
) -> Result<ReleaseRisk> {
    state.with(|r| {
        r.set_release_risk(&release, &level, &reason)?;
        r.release_risk(&release)
    })
}

/// Import risks from a CSV file: all or nothing, unless `skip_invalid`.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn import_risks_csv(
    state: State<'_, AppState>,
    path: PathBuf,
    skip_invalid: bool,
) -> Result<relm_api::risk_csv::CsvImport> {
    state.with(|r| r.import_risks_csv_file(&path, skip_invalid))
}

/// Write the register as CSV (`comma` or `semicolon`); returns how many risks it holds.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn export_risks_csv(
    state: State<'_, AppState>,
    path: PathBuf,
    delimiter: String,
) -> Result<usize> {
    state.read(|r| r.export_risks_csv_file(&path, &delimiter))
}

/// Write a release's dossier as PDF to `path` (`a4` or `letter`, `en` or `fr`, times in
/// `zone`, the window's zone when absent).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn report_release(
    state: State<'_, AppState>,
    release: String,
    path: PathBuf,
    paper: String,
    lang: String,
    zone: Option<String>,
) -> Result<relm_api::reports::Written> {
    state.export(&path, |r| {
        r.report_release_file(&release, &path, &paper, &lang, zone.as_deref())
    })
}

/// Write a release's evidence pack (zip) to `path`; the export is recorded in the ledger.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn pack_release(
    state: State<'_, AppState>,
    release: String,
    path: PathBuf,
    paper: String,
    lang: String,
    zone: Option<String>,
) -> Result<relm_api::pack::PackWritten> {
    state.export(&path, |r| {
        r.pack_release_file(&release, &path, &paper, &lang, zone.as_deref())
    })
}

/// A period's report or pack: the period, the environment (every one when empty), the file,
/// and the paper, language and zone.
#[derive(Debug, serde::Deserialize, ts_rs::TS)]
pub struct PeriodExport {
    pub from: String,
    pub to: String,
    pub environment: Option<String>,
    pub path: PathBuf,
    pub paper: String,
    pub lang: String,
    pub zone: Option<String>,
}

/// Write a period's compliance report as PDF; the export is recorded in the ledger.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn report_period(
    state: State<'_, AppState>,
    export: PeriodExport,
) -> Result<relm_api::reports::Written> {
    let e = &export;
    state.export(&e.path, |r| {
        r.report_period_file(
            (&e.from, &e.to),
            e.environment.as_deref(),
            &e.path,
            (&e.paper, &e.lang, e.zone.as_deref()),
        )
    })
}

/// Write a period's evidence pack (zip); the export is recorded in the ledger.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn pack_period(
    state: State<'_, AppState>,
    export: PeriodExport,
) -> Result<relm_api::pack::PackWritten> {
    let e = &export;
    state.export(&e.path, |r| {
        r.pack_period_file(
            (&e.from, &e.to),
            e.environment.as_deref(),
            &e.path,
            (&e.paper, &e.lang, e.zone.as_deref()),
        )
    })
}

/// Check the evidence pack at `path` with nothing but the pack (no workspace needed).
#[tauri::command(async)]
#[tracing::instrument(err)]
pub fn verify_pack(path: PathBuf) -> Result<relm_api::pack::PackVerdict> {
    relm_api::pack::verify_pack(&path)
}

/// A text file of a pack, to read in the app (at most 2 MiB of it).
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct PackText {
    pub name: String,
    pub text: String,
    /// Only the first 2 MiB are shown.
    pub truncated: bool,
}

/// The text of the file `name` of the pack at `pack`.
#[tauri::command(async)]
#[tracing::instrument(err)]
pub fn pack_file(pack: PathBuf, name: String) -> Result<PackText> {
    let (bytes, truncated) = relm_api::pack::read_pack_file(&pack, &name, 2 << 20)?;
    Ok(PackText {
        // CSV rows end in CRLF (RFC 4180); shown, a line ends in LF.
        text: String::from_utf8_lossy(&bytes).replace("\r\n", "\n"),
        name,
        truncated,
    })
}

/// Take the report out of the pack at `pack` (into a private folder of the user's cache,
/// named by its hash) and open it with the system's PDF viewer. Its path.
#[tauri::command(async)]
#[tracing::instrument(skip(app, state), err)]
pub fn open_pack_report(
    app: AppHandle,
    state: State<'_, AppState>,
    pack: PathBuf,
) -> Result<String> {
    use sha2::{Digest, Sha256};
    let (bytes, more) = relm_api::pack::read_pack_file(
        &pack,
        relm_api::pack::REPORT,
        relm_api::pack::MAX_ENTRY_BYTES,
    )?;
    if more {
        return Err(ApiError::validation(
            "the pack's report is too large to open",
        ));
    }
    // The user's own cache folder, not the shared temporary one another account could have
    // prepared.
    use tauri::Manager;
    let dir = app
        .path()
        .app_cache_dir()
        .map_err(|e| ApiError::validation(format!("no cache folder to open the report from: {e}")))?
        .join("reports");
    std::fs::create_dir_all(dir.parent().unwrap_or(&dir))
        .and_then(|()| relm_api::private::store_dir(&dir))
        .map_err(|e| ApiError::validation(format!("cannot create {}: {e}", dir.display())))?;
    let name = format!("report-{}.pdf", &hex::encode(Sha256::digest(&bytes))[..16]);
    let path = dir.join(name);
    relm_api::reports::write_whole(&path, &bytes)?;
    state.may_open(&path);
    open_with_system(&app, &path)?;
    Ok(path.display().to_string())
}

/// Open a file this run wrote (an exported report or pack) with the system's application.
#[tauri::command(async)]
#[tracing::instrument(skip(app, state), err)]
pub fn open_written(app: AppHandle, state: State<'_, AppState>, path: PathBuf) -> Result<()> {
    let allowed = state
        .openable
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .contains(&path);
    if !allowed {
        return Err(ApiError::validation(format!(
            "{} was not written by Relm in this session; open it from your file manager",
            path.display()
        )));
    }
    open_with_system(&app, &path)
}

fn open_with_system(app: &AppHandle, path: &std::path::Path) -> Result<()> {
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| {
            ApiError::validation(format!(
                "no application opened {}: {e}; open it from your file manager",
                path.display()
            ))
        })
}

/// The register's heat maps for a query, counted in the store.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn risk_heatmap(
    state: State<'_, AppState>,
    query: RiskQuery,
) -> Result<relm_api::risks::RiskHeatmap> {
    state.read(|r| r.risk_heatmap(&query))
}

/// A release's review with its drafted timeline.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn review(
    state: State<'_, AppState>,
    release: String,
) -> Result<relm_api::reviews::ReviewView> {
    state.read(|r| r.review(&release))
}

/// Open the release's review, drafted from what happened.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn draft_review(
    state: State<'_, AppState>,
    release: String,
) -> Result<relm_api::reviews::ReviewView> {
    state.with(|r| r.draft_review(&release))
}

/// Edit the release's review.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn update_review(
    state: State<'_, AppState>,
    release: String,
    input: relm_api::reviews::ReviewInput,
) -> Result<relm_api::reviews::ReviewView> {
    state.with(|r| r.update_review(&release, &input))
}

/// Sign the release's review off.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn sign_review(
    state: State<'_, AppState>,
    release: String,
) -> Result<relm_api::reviews::ReviewView> {
    state.with(|r| r.sign_review(&release))
}

/// A page of the reviews: required ones and every one opened.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn reviews(
    state: State<'_, AppState>,
    query: relm_api::reviews::ReviewQuery,
) -> Result<relm_api::reviews::ReviewPage> {
    state.read(|r| r.review_page(&query))
}

/// How many required reviews wait, and how many of them are overdue (the dashboard's counts).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn review_counts(state: State<'_, AppState>) -> Result<relm_api::reviews::ReviewCounts> {
    state.read(|r| r.review_counts())
}

/// Follow-up actions.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn actions(
    state: State<'_, AppState>,
    query: relm_api::reviews::ActionQuery,
) -> Result<Vec<relm_api::reviews::ActionView>> {
    state.read(|r| r.actions(&query))
}

/// Add a follow-up action to a release's review.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn add_action(
    state: State<'_, AppState>,
    release: String,
    title: String,
    owner: String,
    due: String,
) -> Result<relm_api::reviews::ActionView> {
    state.with(|r| r.add_action(&release, &title, &owner, &due))
}

/// Mark an action done.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn action_done(
    state: State<'_, AppState>,
    id: String,
) -> Result<relm_api::reviews::ActionView> {
    state.with(|r| r.action_done(&id))
}

/// Delivery and governance metrics over a period.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err)]
pub fn metrics(
    state: State<'_, AppState>,
    from: String,
    to: String,
    service: Option<String>,
    environment: Option<String>,
) -> Result<relm_api::metrics::Metrics> {
    state.read(|r| r.metrics(&from, &to, service.as_deref(), environment.as_deref()))
}
