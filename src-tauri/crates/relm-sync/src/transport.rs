//! Where replicas meet: the transport trait and the folder remote.
//!
//! A remote is a set of immutable files addressed by relative paths. Each replica writes only
//! under its own folder (`replicas/<replica id>/`) and only new files, and every file appears
//! whole (written under a temporary name, flushed, then renamed), so that a plain shared folder,
//! a USB stick or a file-sync tool (Syncthing, OneDrive, Dropbox) can carry the remote without
//! conflicts. A git remote or an HTTP relay can implement the same trait later.

use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TransportError {
    /// The remote is not there (unmounted drive, missing folder): work offline.
    #[error("{0}")]
    Unreachable(String),
    /// The remote is there but cannot be used as asked (read-only, full, not a folder...).
    #[error("{0}")]
    Refused(String),
}

/// A file of a remote, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFile {
    /// Relative path with `/` separators.
    pub name: String,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch (0 when unknown).
    pub modified: i64,
}

pub trait Transport: std::fmt::Debug {
    /// A human description, e.g. the folder path.
    fn describe(&self) -> String;
    /// Every file of the remote (temporary files excluded).
    fn list(&self) -> Result<Vec<RemoteFile>, TransportError>;
    fn read(&self, name: &str) -> Result<Vec<u8>, TransportError>;
    /// Create `name` with `bytes`, atomically; never replaces an existing file. Returns the
    /// file as a listing would show it.
    fn create(&self, name: &str, bytes: &[u8]) -> Result<RemoteFile, TransportError>;
    /// Remove this replica's leftover temporary files under `dir` (after a crash).
    fn clean_temporaries(&self, dir: &str) -> Result<(), TransportError>;
}

/// A folder on a local, network or removable drive.
#[derive(Debug, Clone)]
pub struct Folder {
    root: PathBuf,
}

const TEMP_PREFIX: &str = ".relm-tmp-";

impl Folder {
    pub fn new(root: impl Into<PathBuf>) -> Folder {
        Folder { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, name: &str) -> Result<PathBuf, TransportError> {
        let ok = !name.is_empty()
            && name
                .split('/')
                .all(|p| !p.is_empty() && p != "." && p != ".." && !p.contains('\\'));
        if !ok {
            return Err(TransportError::Refused(format!(
                "`{name}` is not a valid remote file name"
            )));
        }
        Ok(name
            .split('/')
            .fold(self.root.clone(), |p, part| p.join(part)))
    }

    fn check_root(&self) -> Result<(), TransportError> {
        match std::fs::metadata(&self.root) {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => Err(TransportError::Refused(format!(
                "the remote {} is a file, not a folder",
                self.root.display()
            ))),
            Err(e) => Err(TransportError::Unreachable(format!(
                "the remote folder {} is not reachable ({e}); is the drive mounted? Working offline",
                self.root.display()
            ))),
        }
    }

    fn walk(&self, dir: &Path, prefix: &str, out: &mut Vec<RemoteFile>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(TEMP_PREFIX) {
                continue;
            }
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let meta = entry.metadata()?;
            if meta.is_dir() {
                // Remotes are two levels deep; deeper trees are not Relm's.
                if rel.matches('/').count() < 2 {
                    self.walk(&entry.path(), &rel, out)?;
                }
            } else if meta.is_file() {
                out.push(remote_file(rel, &meta));
            }
        }
        Ok(())
    }
}

fn remote_file(name: String, meta: &std::fs::Metadata) -> RemoteFile {
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64);
    RemoteFile {
        name,
        size: meta.len(),
        modified,
    }
}

fn refused(what: &str, path: &Path, e: &std::io::Error) -> TransportError {
    let hint = match e.kind() {
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            "; the folder is read-only for this user: check its permissions or mount"
        }
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
            "; the drive is full: free some space and sync again"
        }
        _ => "",
    };
    TransportError::Refused(format!("cannot {what} {}: {e}{hint}", path.display()))
}

impl Transport for Folder {
    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    fn list(&self) -> Result<Vec<RemoteFile>, TransportError> {
        self.check_root()?;
        let mut out = Vec::new();
        self.walk(&self.root, "", &mut out)
            .map_err(|e| refused("list", &self.root, &e))?;
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn read(&self, name: &str) -> Result<Vec<u8>, TransportError> {
        let path = self.path(name)?;
        std::fs::read(&path).map_err(|e| refused("read", &path, &e))
    }

    fn create(&self, name: &str, bytes: &[u8]) -> Result<RemoteFile, TransportError> {
        self.check_root()?;
        let path = self.path(name)?;
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|e| refused("create the folder", &dir, &e))?;
        if path.exists() {
            return Err(TransportError::Refused(format!(
                "{} already exists; remote files are never replaced",
                path.display()
            )));
        }
        let mut rnd = [0u8; 6];
        getrandom::fill(&mut rnd)
            .map_err(|e| TransportError::Refused(format!("no randomness: {e}")))?;
        let tmp = dir.join(format!("{TEMP_PREFIX}{}", hex::encode(rnd)));
        let write = || -> std::io::Result<RemoteFile> {
            let mut f = std::fs::File::create_new(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            // Make the rename durable; not every file system lets a directory be synced.
            if let Ok(d) = std::fs::File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(remote_file(name.to_string(), &std::fs::metadata(&path)?))
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            refused("write", &path, &e)
        })
    }

    fn clean_temporaries(&self, dir: &str) -> Result<(), TransportError> {
        let Ok(path) = self.path(dir) else {
            return Ok(());
        };
        let Ok(entries) = std::fs::read_dir(&path) else {
            return Ok(());
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_appear_whole_are_never_replaced_and_temporaries_are_hidden() {
        let dir = tempfile::tempdir().unwrap();
        let f = Folder::new(dir.path());
        f.create("replicas/r1/00000001.relmseg", b"one").unwrap();
        assert!(f.create("replicas/r1/00000001.relmseg", b"two").is_err());
        std::fs::write(dir.path().join("replicas/r1/.relm-tmp-abc"), b"half").unwrap();
        let names: Vec<_> = f.list().unwrap().into_iter().map(|x| x.name).collect();
        assert_eq!(names, vec!["replicas/r1/00000001.relmseg"]);
        assert_eq!(f.read("replicas/r1/00000001.relmseg").unwrap(), b"one");
        f.clean_temporaries("replicas/r1").unwrap();
        assert!(!dir.path().join("replicas/r1/.relm-tmp-abc").exists());
        assert!(f.read("../etc/passwd").is_err());
    }

    #[test]
    fn a_missing_folder_is_unreachable() {
        let f = Folder::new("/nonexistent/relm-remote");
        assert!(matches!(f.list(), Err(TransportError::Unreachable(_))));
        assert!(matches!(
            f.create("a/b", b"x"),
            Err(TransportError::Unreachable(_))
        ));
    }
}
