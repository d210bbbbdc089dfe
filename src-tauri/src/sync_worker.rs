//! The sync worker: the one place where the app syncs with its remotes.
//!
//! One task waits on two things at once: its timer and a command channel. The timer follows
//! [`relm_sync::Schedule`]: every 5 minutes while remotes answer, a capped exponential backoff
//! with jitter while one is offline or failing. "Sync now" from the UI is a command on the
//! channel, so a manual and a background sync never overlap, and a manual sync that works
//! resets the backoff. The sync itself runs on a blocking thread, never on the UI's.
//!
//! At exit the worker is told to stop and given a bounded time to finish a sync in flight
//! (each pushed segment is written atomically, so a sync cut short loses nothing); dropping the
//! worker aborts the task.

use std::sync::Mutex;
use std::time::Duration;
use tauri::async_runtime::{self, JoinHandle};
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::{mpsc, oneshot};

use relm_api::connectors::ConnectorSync;
use relm_api::replicas::SyncOutcome;
use relm_api::{ApiError, ErrorCode};
use relm_sync::{Schedule, schedule::jitter};

use crate::state::AppState;

/// How long the app waits at exit for a sync in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

type Reply = oneshot::Sender<Result<Vec<SyncOutcome>, ApiError>>;

type ConnectorsReply = oneshot::Sender<Result<Vec<ConnectorSync>, ApiError>>;

enum Command {
    /// Sync now with one remote, or all; reply with the outcomes.
    SyncNow(Option<String>, Reply),
    /// Sync one connection to a deployment platform now, or all; reply with the reports.
    SyncConnectors(Option<String>, ConnectorsReply),
    Stop,
}

pub struct SyncWorker {
    commands: mpsc::Sender<Command>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl SyncWorker {
    pub fn start(app: AppHandle, schedule: Schedule) -> Self {
        let (commands, rx) = mpsc::channel(8);
        let task = async_runtime::spawn(run(app, schedule, rx));
        SyncWorker {
            commands,
            task: Mutex::new(Some(task)),
        }
    }

    /// Sync now, after any sync already running.
    pub async fn sync_now(&self, remote: Option<String>) -> Result<Vec<SyncOutcome>, ApiError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || ApiError::new(ErrorCode::Internal, "the sync worker has stopped");
        self.commands
            .send(Command::SyncNow(remote, reply))
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Sync connections now, after any sync already running.
    pub async fn sync_connectors(
        &self,
        name: Option<String>,
    ) -> Result<Vec<ConnectorSync>, ApiError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || ApiError::new(ErrorCode::Internal, "the sync worker has stopped");
        self.commands
            .send(Command::SyncConnectors(name, reply))
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Stop the worker, waiting at most [`SHUTDOWN_GRACE`] for a sync in flight.
    pub fn shutdown(&self) {
        let Some(task) = self.task.lock().unwrap_or_else(|p| p.into_inner()).take() else {
            return;
        };
        let _ = self.commands.try_send(Command::Stop);
        let finished = async_runtime::block_on(tokio::time::timeout(SHUTDOWN_GRACE, task));
        if finished.is_err() {
            tracing::warn!("a sync was still running at exit; it was cut short");
        }
    }
}

impl Drop for SyncWorker {
    fn drop(&mut self) {
        if let Some(task) = self.task.lock().unwrap_or_else(|p| p.into_inner()).take() {
            task.abort();
        }
    }
}

async fn run(app: AppHandle, schedule: Schedule, mut rx: mpsc::Receiver<Command>) {
    let mut failures: u32 = 0;
    loop {
        let wait = schedule.next(failures, jitter());
        let (remote, reply) = tokio::select! {
            () = tokio::time::sleep(wait) => (None, None),
            command = rx.recv() => match command {
                Some(Command::SyncNow(remote, reply)) => (remote, Some(reply)),
                Some(Command::SyncConnectors(name, reply)) => {
                    let _ = reply.send(connectors(&app, name, false).await);
                    continue;
                }
                Some(Command::Stop) | None => break,
            },
        };
        let background = reply.is_none();
        if background {
            // The platforms too, on the same schedule; their failures are in their reports.
            match connectors(&app, None, true).await {
                Ok(reports) if !reports.is_empty() => {
                    let _ = app.emit("relm://connectors-synced", reports);
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("background sync of connections: {e}"),
            }
        }
        let result = sync(&app, remote, background).await;
        match &result {
            Ok(outcomes) if outcomes.iter().all(|o| o.ok) => failures = 0,
            Ok(_) | Err(_) => failures = failures.saturating_add(1),
        }
        match reply {
            Some(reply) => {
                let _ = reply.send(result);
            }
            None => match result {
                Ok(outcomes) if !outcomes.is_empty() => {
                    let _ = app.emit("relm://synced", outcomes);
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("background sync: {e}"),
            },
        }
    }
    tracing::debug!("sync worker stopped");
}

/// One sync on a blocking thread, the workspace held only between a git remote's fetch and
/// push. A background sync of a replica with no workspace or no
/// remotes yet does nothing and is not a failure.
async fn sync(
    app: &AppHandle,
    remote: Option<String>,
    background: bool,
) -> Result<Vec<SyncOutcome>, ApiError> {
    let app = app.clone();
    let job = async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        if background && !state.has_workspace() {
            return Ok(Vec::new());
        }
        if background && state.with(|r| r.remotes())?.is_empty() {
            return Ok(Vec::new());
        }
        // The workspace is held only while the store is read and written: a git remote's
        // fetch and push run without it.
        relm_api::replicas::sync_remotes(&*state, remote.as_deref())
    });
    job.await
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("the sync stopped: {e}")))?
}

/// Sync connections on a blocking thread: each one planned and applied under the workspace,
/// pulled and delivered without holding it (a slow platform never stalls the app).
async fn connectors(
    app: &AppHandle,
    name: Option<String>,
    background: bool,
) -> Result<Vec<ConnectorSync>, ApiError> {
    let app = app.clone();
    let job = async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        if background && !state.has_workspace() {
            return Ok(Vec::new());
        }
        relm_api::connectors::sync_each(&*state, name.as_deref(), |p| {
            let _ = app.emit("relm://connector-progress", p);
        })
    });
    job.await
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("the sync stopped: {e}")))?
}
