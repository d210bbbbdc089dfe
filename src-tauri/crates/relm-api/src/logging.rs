//! Logs go to a daily-rolling file in the OS log folder (or `RELM_LOG_DIR`), filtered by
//! `RELM_LOG` (e.g. `debug`, `relm_store=trace`). Never to stdout: for the CLI that is the
//! command's output. Shared by the CLI (`relm-cli-*.log`) and the desktop app (`relm-app-*.log`).

use std::path::PathBuf;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// The folder logs are written to.
pub fn log_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("RELM_LOG_DIR") {
        return Some(PathBuf::from(dir));
    }
    let dirs = directories::ProjectDirs::from("", "", "relm")?;
    if cfg!(target_os = "macos") {
        return directories::BaseDirs::new().map(|b| b.home_dir().join("Library/Logs/Relm"));
    }
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .join("logs"),
    )
}

/// The data dir used when none is given: the OS data folder.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "relm").map(|d| d.data_dir().to_path_buf())
}

/// Lines the log queue holds for the writing thread at most.
const LOG_QUEUE_LINES: usize = 1024;

/// Start logging to `<log dir>/<prefix>.<date>.log`; keep the guard alive while logging.
pub fn init(prefix: &str) -> Option<WorkerGuard> {
    let dir = log_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(prefix)
        .filename_suffix("log")
        .max_log_files(14)
        .build(&dir)
        .ok()?;
    // Lines wait for the writing thread in a queue made in full at the start: the default
    // (128,000 lines) is 4 MiB that every run of the app and the CLI holds from its first
    // line. A thousand is more than a burst of debug lines needs (the writing thread empties
    // the queue as fast as the file takes it). Past that, a line is dropped rather than a
    // command held up: a log folder on a disk that stopped answering must not stop the app.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .lossy(true)
        .finish(appender);
    let filter = EnvFilter::try_from_env("RELM_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}
