//! Where replicas meet: the transport trait and the folder remote.
//!
//! A remote is a set of immutable files addressed by relative paths. Each replica writes only
//! under its own folder (`replicas/<replica id>/`) and only new files, and every file appears
//! whole (written under a temporary name, flushed, then renamed), so that a plain shared folder,
//! a USB stick or a file-sync tool (Syncthing, OneDrive, Dropbox) can carry the remote without
//! conflicts. A git repository carries the same files ([`crate::git`]); an HTTP relay could
//! implement the same trait later.
//!
//! A remote is also hostile ground: anyone with write access to it may plant links, FIFOs,
//! devices, huge files or odd names. Implementations never follow links, never block on
//! anything that is not a regular file, bound what they read, and report odd entries as
//! [`RemoteFile::unusable`] instead of failing the whole listing.

use relm_domain::{Reason, ReasonCode};
use std::io::Read;
use thiserror::Error;

pub use crate::folder::Folder;

/// Why a remote cannot be used, with its reason: a code and values the app words in its own
/// language, and the English message the CLI and the log show.
#[derive(Debug, Error)]
pub enum TransportError {
    /// The remote is not there (unmounted drive, missing folder, host unreachable): work
    /// offline.
    #[error("{0}")]
    Unreachable(Reason),
    /// The remote is there but cannot be used as asked (read-only, full, not a folder...).
    #[error("{0}")]
    Refused(Reason),
    /// `create` found something already at that name (a file, a link, a FIFO...); the caller
    /// picks another name.
    #[error("{0}")]
    Exists(String),
}

impl TransportError {
    /// A refusal: `code` with its English `message` (add values with [`TransportError::with`]).
    pub fn refused(code: ReasonCode, message: impl Into<String>) -> TransportError {
        TransportError::Refused(Reason::new(code, message))
    }
    /// The same error with the value `key` of its wording.
    pub fn with(self, key: &str, value: impl ToString) -> TransportError {
        match self {
            TransportError::Unreachable(r) => TransportError::Unreachable(r.with(key, value)),
            TransportError::Refused(r) => TransportError::Refused(r.with(key, value)),
            e @ TransportError::Exists(_) => e,
        }
    }
    /// The reason of an unreachable or refused remote.
    pub fn reason(&self) -> Option<&Reason> {
        match self {
            TransportError::Unreachable(r) | TransportError::Refused(r) => Some(r),
            TransportError::Exists(_) => None,
        }
    }
}

/// A file of a remote, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFile {
    /// Relative path with `/` separators.
    pub name: String,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch (0 when unknown).
    pub modified: i64,
    /// Why the entry cannot be read (a link, a FIFO, a device, a name Relm cannot use), or
    /// `None` for a regular file. Unusable entries are listed so that they are reported once
    /// and still count when a replica numbers its next file.
    pub unusable: Option<String>,
}

pub trait Transport: std::fmt::Debug {
    /// A human description, e.g. the folder path.
    fn describe(&self) -> String;
    /// Every file of the remote (temporary files excluded).
    fn list(&self) -> Result<Vec<RemoteFile>, TransportError>;
    /// Open a regular file for reading, without following links or blocking; at most `limit`
    /// bytes can be read from it (a larger file is refused before reading).
    fn open(&self, name: &str, limit: u64) -> Result<Box<dyn Read + Send>, TransportError>;
    /// Read a whole (small) file, refusing one larger than `limit` bytes.
    fn read(&self, name: &str, limit: u64) -> Result<Vec<u8>, TransportError> {
        let mut out = Vec::new();
        self.open(name, limit)?
            .take(limit.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| refused_file("read", name, &e))?;
        if out.len() as u64 > limit {
            return Err(too_large(name, limit));
        }
        Ok(out)
    }
    /// Create `name` with `bytes`, atomically; never replaces anything already at that name
    /// ([`TransportError::Exists`]). Returns the file as a listing would show it.
    fn create(&self, name: &str, bytes: &[u8]) -> Result<RemoteFile, TransportError>;
    /// Check that `dir`, when it is there, is a folder Relm can use (not a link, not a file),
    /// changing nothing.
    fn check_dir(&self, _dir: &str) -> Result<(), TransportError> {
        Ok(())
    }
    /// Remove this replica's leftover temporary files under `dir` (after a crash).
    fn clean_temporaries(&self, dir: &str) -> Result<(), TransportError>;
    /// Bring the remote's files up to date before a sync reads them (a git remote fetches and
    /// merges); nothing for a folder.
    fn prepare(&self) -> Result<(), TransportError> {
        Ok(())
    }
    /// Send what this sync created (a git remote commits and pushes); nothing for a folder,
    /// where a created file is already there. An unreachable host keeps it for the next sync.
    fn publish(&self) -> Result<(), TransportError> {
        Ok(())
    }
    /// Whether one new file and the removal of others reach readers as one change (a git
    /// commit); only then does a replica pack its small segments ([`crate::sync::pack`]).
    fn replaces_whole(&self) -> bool {
        false
    }
    /// Remove one of this replica's own files (after packing it into a new one).
    fn remove(&self, name: &str) -> Result<(), TransportError> {
        Err(TransportError::refused(
            ReasonCode::RemoteRefused,
            format!("{name}: this remote keeps every file it is given"),
        )
        .with("doing", "remove")
        .with("path", name))
    }
    /// The remote's own clock, in milliseconds since the epoch, read from the time it stamps
    /// on a file written now under `dir` (and removed): `None` when it cannot tell.
    fn clock(&self, _dir: &str) -> Result<Option<i64>, TransportError> {
        Ok(None)
    }
}

/// The error for a file over a size limit.
pub fn too_large(name: &str, limit: u64) -> TransportError {
    TransportError::refused(
        ReasonCode::RemoteFileTooLarge,
        format!(
            "{name} is larger than {} MiB, more than any Relm file; not read",
            limit >> 20
        ),
    )
    .with("name", name)
    .with("max", limit >> 20)
}

/// Relm could not `doing` (`read`, `write`, `list`, `open`, `create_folder`, `remove`) the
/// remote's `path`: the error, with what to do when the system's error says it (a read-only
/// folder, a full drive).
pub fn refused_file(
    doing: &str,
    path: impl std::fmt::Display,
    e: &std::io::Error,
) -> TransportError {
    let hint = match relm_domain::error::io_cause(e) {
        Some("read_only") => {
            "; the folder is read-only for this user: check its permissions or mount"
        }
        Some("full") => "; the drive is full: free some space and sync again",
        _ => "",
    };
    let verb = match doing {
        "create_folder" => "create the folder",
        other => other,
    };
    let reason = Reason::new(
        ReasonCode::RemoteRefused,
        format!("cannot {verb} {path}: {e}{hint}"),
    )
    .with("doing", doing)
    .with("path", &path)
    .with_io_error(e);
    TransportError::Refused(reason)
}
