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

use std::io::Read;
use thiserror::Error;

pub use crate::folder::Folder;

#[derive(Debug, Error)]
pub enum TransportError {
    /// The remote is not there (unmounted drive, missing folder): work offline.
    #[error("{0}")]
    Unreachable(String),
    /// The remote is there but cannot be used as asked (read-only, full, not a folder...).
    #[error("{0}")]
    Refused(String),
    /// `create` found something already at that name (a file, a link, a FIFO...).
    #[error("{0}")]
    Exists(String),
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
            .map_err(|e| TransportError::Refused(format!("cannot read {name}: {e}")))?;
        if out.len() as u64 > limit {
            return Err(too_large(name, limit));
        }
        Ok(out)
    }
    /// Create `name` with `bytes`, atomically; never replaces anything already at that name
    /// ([`TransportError::Exists`]). Returns the file as a listing would show it.
    fn create(&self, name: &str, bytes: &[u8]) -> Result<RemoteFile, TransportError>;
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
        Err(TransportError::Refused(format!(
            "{name}: this remote keeps every file it is given"
        )))
    }
    /// The remote's own clock, in milliseconds since the epoch, read from the time it stamps
    /// on a file written now under `dir` (and removed): `None` when it cannot tell.
    fn clock(&self, _dir: &str) -> Result<Option<i64>, TransportError> {
        Ok(None)
    }
}

/// The error for a file over a size limit.
pub fn too_large(name: &str, limit: u64) -> TransportError {
    TransportError::Refused(format!(
        "{name} is larger than {} MiB, more than any Relm file; not read",
        limit >> 20
    ))
}
