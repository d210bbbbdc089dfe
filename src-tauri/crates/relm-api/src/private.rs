//! Keeping a workspace private on a machine several people use: the data dir is `0700`, and
//! the database (with its WAL and shared-memory files), the logs and every export `0600`.
//!
//! New files get their mode from the process's file-creation mask, which [`restrict_process`]
//! sets once at start (the CLI and the app call it). A data dir made before, or by hand, is
//! tightened when it is opened, and the person told so once ([`take_notices`]).

use std::path::Path;
use std::sync::Mutex;

static NOTICES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Make files and folders this process creates readable by their owner only.
pub fn restrict_process() {
    #[cfg(unix)]
    {
        rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    }
}

/// What was tightened since the last call, one sentence each (for the CLI to print).
pub fn take_notices() -> Vec<String> {
    NOTICES
        .lock()
        .map(|mut n| std::mem::take(&mut *n))
        .unwrap_or_default()
}

/// Create `dir` (owner only) or tighten it, and the workspace files in it that are readable
/// by others.
pub fn data_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        if !dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
        }
        let mut tightened = Vec::new();
        let mut tighten = |path: &Path, mode: u32| -> std::io::Result<()> {
            // Never follow a link planted in place of a workspace file.
            let Ok(meta) = std::fs::symlink_metadata(path) else {
                return Ok(());
            };
            if meta.file_type().is_symlink() {
                return Ok(());
            }
            if meta.permissions().mode() & 0o077 != 0 {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
                tightened.push(path.display().to_string());
            }
            Ok(())
        };
        tighten(dir, 0o700)?;
        tighten(&dir.join("store"), 0o700)?;
        for name in [
            "relm.db",
            "relm.db-wal",
            "relm.db-shm",
            "ui.json",
            "store/relm.db",
            "store/relm.db-wal",
            "store/relm.db-shm",
        ] {
            tighten(&dir.join(name), 0o600)?;
        }
        if !tightened.is_empty() {
            let note = format!(
                "other users of this machine could read the workspace: {} now readable by you only",
                tightened.join(", ")
            );
            tracing::warn!("{note}");
            if let Ok(mut n) = NOTICES.lock() {
                n.push(note);
            }
        }
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)?;
    Ok(())
}

/// Create the store's folder inside the data dir, readable by the user only.
pub fn store_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().mode(0o700).create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir(dir)
    }
}
