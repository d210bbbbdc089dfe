//! The folder remote: a directory on a local, network or removable drive, read and written as
//! hostile ground.
//!
//! Anyone who can write to the folder may have planted links, FIFOs, devices, huge files or
//! odd names. Below its root the folder never follows a symbolic link (every directory on a
//! path is checked to be a real directory, and the file itself is opened with `O_NOFOLLOW`),
//! never opens anything but a regular file and never blocks opening one (`O_NONBLOCK`, then
//! `fstat`), creates files through a no-replace hard link so that nothing already at a name is
//! replaced, and lists odd entries as unusable instead of failing. The root itself is the user's
//! choice and may be a link.
//!
//! What remains: a directory swapped for a link between the check and the open of the file
//! below it. The window is a few system calls; what can be read through it is still bounded,
//! checked as a regular file and verified event by event, and nothing is ever deleted through a
//! path that was not checked.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use relm_domain::{Reason, ReasonCode};

use crate::transport::{RemoteFile, Transport, TransportError, refused_file, too_large};

const TEMP_PREFIX: &str = ".relm-tmp-";
/// Directory levels below the root that Relm reads (`replicas/<id>/<file>`).
const DEPTH: usize = 2;

/// A folder on a local, network or removable drive.
#[derive(Debug, Clone)]
pub struct Folder {
    root: PathBuf,
}

impl Folder {
    pub fn new(root: impl Into<PathBuf>) -> Folder {
        Folder { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn check_root(&self) -> Result<(), TransportError> {
        match std::fs::metadata(&self.root) {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => Err(TransportError::refused(
                ReasonCode::RemoteNotFolder,
                format!("the remote {} is a file, not a folder", self.root.display()),
            )
            .with("path", self.root.display())),
            Err(e) => Err(TransportError::Unreachable(
                Reason::new(
                    ReasonCode::RemoteOffline,
                    format!(
                        "the remote folder {} is not reachable ({e}); is the drive mounted? Working offline",
                        self.root.display()
                    ),
                )
                .with("path", self.root.display())
                .with("detail", e),
            )),
        }
    }

    /// The directory `parts` below the root, each level checked to be a real directory and not
    /// a link. With `create`, missing levels are made.
    fn dir(&self, parts: &[&str], create: bool) -> Result<PathBuf, TransportError> {
        let mut path = self.root.clone();
        for part in parts {
            path.push(part);
            let meta = match std::fs::symlink_metadata(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                    match std::fs::create_dir(&path) {
                        Ok(()) => continue,
                        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                            std::fs::symlink_metadata(&path)
                        }
                        Err(e) => return Err(refused_file("create_folder", path.display(), &e)),
                    }
                }
                other => other,
            };
            match meta {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(TransportError::refused(
                        ReasonCode::RemoteLink,
                        format!(
                            "{} is a symbolic link; Relm never follows links inside a remote: remove it",
                            path.display()
                        ),
                    )
                    .with("path", path.display()));
                }
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    return Err(TransportError::refused(
                        ReasonCode::RemoteNotFolder,
                        format!(
                            "{} is not a folder; remove it or choose another remote",
                            path.display()
                        ),
                    )
                    .with("path", path.display()));
                }
                Err(e) => return Err(refused_file("open", path.display(), &e)),
            }
        }
        Ok(path)
    }

    /// The checked directory `dir`, or `None` when it cannot be opened (not there yet).
    fn existing_dir(&self, dir: &str) -> Result<Option<PathBuf>, TransportError> {
        match self.dir(&split(dir)?, false) {
            Ok(p) => Ok(Some(p)),
            Err(TransportError::Refused(r))
                if r.params.get("doing").is_some_and(|d| d == "open") =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// The checked directory holding `name`, and the file's path in it.
    fn locate(&self, name: &str, create: bool) -> Result<PathBuf, TransportError> {
        let parts = split(name)?;
        let (file, dirs) = parts.split_last().ok_or_else(|| bad_name(name))?;
        Ok(self.dir(dirs, create)?.join(file))
    }

    fn walk(
        &self,
        dir: &Path,
        prefix: &str,
        depth: usize,
        out: &mut Vec<RemoteFile>,
    ) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let raw = entry.file_name();
            let join = |name: &str| {
                if prefix.is_empty() {
                    name.to_string()
                } else {
                    format!("{prefix}/{name}")
                }
            };
            let Some(name) = raw.to_str() else {
                out.push(unusable(
                    join(&raw.to_string_lossy()),
                    "its name is not valid UTF-8",
                ));
                continue;
            };
            if name.starts_with(TEMP_PREFIX) {
                continue;
            }
            let rel = join(name);
            if let Err(why) = check_part(name) {
                out.push(unusable(rel, why));
                continue;
            }
            // The entry's own type: links are not followed.
            let kind = entry.file_type()?;
            if kind.is_symlink() {
                out.push(unusable(
                    rel,
                    "a symbolic link (Relm never follows links inside a remote)",
                ));
            } else if kind.is_dir() {
                if depth < DEPTH
                    && let Err(e) = self.walk(&entry.path(), &rel, depth + 1, out)
                {
                    out.push(unusable(rel, &format!("cannot be listed: {e}")));
                }
            } else if kind.is_file() {
                out.push(remote_file(rel, &entry.metadata()?));
            } else {
                out.push(unusable(
                    rel,
                    "not a regular file (a FIFO, socket or device)",
                ));
            }
        }
        Ok(())
    }
}

fn bad_name(name: &str) -> TransportError {
    TransportError::refused(
        ReasonCode::RemoteBadName,
        format!("`{name}` is not a valid remote file name"),
    )
    .with("name", name)
}

fn check_part(part: &str) -> Result<(), &'static str> {
    if part.is_empty() || part == "." || part == ".." {
        return Err("not a usable name");
    }
    if part.contains('\\') {
        return Err("its name holds a backslash, which Relm does not use in remote names");
    }
    if part.chars().any(char::is_control) {
        return Err("its name holds control characters");
    }
    Ok(())
}

fn split(name: &str) -> Result<Vec<&str>, TransportError> {
    let parts: Vec<&str> = name.split('/').collect();
    if parts.iter().all(|p| check_part(p).is_ok()) {
        Ok(parts)
    } else {
        Err(bad_name(name))
    }
}

fn unusable(name: String, why: &str) -> RemoteFile {
    RemoteFile {
        name,
        size: 0,
        modified: 0,
        unusable: Some(why.to_string()),
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
        unusable: None,
    }
}

/// Writing under `dir` needs a random name, and the system gave none.
fn no_randomness(dir: &Path, e: getrandom::Error) -> TransportError {
    refused_file(
        "write",
        dir.display(),
        &std::io::Error::other(format!("no randomness: {e}")),
    )
}

/// Options that neither follow a final link nor block on a FIFO.
fn no_follow(mut opts: OpenOptions) -> OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    opts
}

/// Open `path` for reading only if it is a regular file (not a link, FIFO, device or socket).
fn open_regular(path: &Path) -> std::io::Result<File> {
    #[cfg(not(unix))]
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(std::io::Error::other("a symbolic link"));
    }
    let mut opts = OpenOptions::new();
    opts.read(true);
    let file = no_follow(opts).open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            // O_NOFOLLOW met a link as the final component.
            return std::io::Error::other(
                "a symbolic link; Relm never follows links inside a remote",
            );
        }
        e
    })?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other(
            "not a regular file (a FIFO, socket or device)",
        ));
    }
    Ok(file)
}

/// Give `tmp` the name `path` unless something is already there.
fn place(tmp: &Path, path: &Path) -> std::io::Result<()> {
    match std::fs::hard_link(tmp, path) {
        Ok(()) => std::fs::remove_file(tmp),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            // File systems without hard links (FAT sticks, some shares): check, then rename.
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(std::io::ErrorKind::AlreadyExists.into());
            }
            std::fs::rename(tmp, path)
        }
    }
}

impl Transport for Folder {
    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    fn list(&self) -> Result<Vec<RemoteFile>, TransportError> {
        self.check_root()?;
        let mut out = Vec::new();
        self.walk(&self.root, "", 0, &mut out)
            .map_err(|e| refused_file("list", self.root.display(), &e))?;
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn open(&self, name: &str, limit: u64) -> Result<Box<dyn Read + Send>, TransportError> {
        let path = self.locate(name, false)?;
        let file = open_regular(&path).map_err(|e| refused_file("read", path.display(), &e))?;
        let size = file
            .metadata()
            .map_err(|e| refused_file("read", path.display(), &e))?
            .len();
        if size > limit {
            return Err(too_large(name, limit));
        }
        // A file that grows while it is read is cut at the limit (and then looks incomplete).
        Ok(Box::new(file.take(limit)))
    }

    fn create(&self, name: &str, bytes: &[u8]) -> Result<RemoteFile, TransportError> {
        self.check_root()?;
        let path = self.locate(name, true)?;
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        let exists = || {
            TransportError::Exists(format!(
                "{} already exists; remote files are never replaced",
                path.display()
            ))
        };
        if std::fs::symlink_metadata(&path).is_ok() {
            return Err(exists());
        }
        let mut rnd = [0u8; 6];
        getrandom::fill(&mut rnd).map_err(|e| no_randomness(&path, e))?;
        let tmp = dir.join(format!("{TEMP_PREFIX}{}", hex::encode(rnd)));
        let write = || -> std::io::Result<RemoteFile> {
            let mut opts = OpenOptions::new();
            opts.write(true).create_new(true);
            let mut f = no_follow(opts).open(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            drop(f);
            place(&tmp, &path)?;
            // Make the new name durable; not every file system lets a directory be synced.
            if let Ok(d) = File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(remote_file(
                name.to_string(),
                &std::fs::symlink_metadata(&path)?,
            ))
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                exists()
            } else {
                refused_file("write", path.display(), &e)
            }
        })
    }

    fn clock(&self, dir: &str) -> Result<Option<i64>, TransportError> {
        self.probe_time(dir)
    }

    fn check_dir(&self, dir: &str) -> Result<(), TransportError> {
        self.check_root()?;
        self.existing_dir(dir).map(|_| ())
    }

    fn clean_temporaries(&self, dir: &str) -> Result<(), TransportError> {
        let Some(path) = self.existing_dir(dir)? else {
            // Nothing of ours there yet.
            return Ok(());
        };
        let Ok(entries) = std::fs::read_dir(&path) else {
            return Ok(());
        };
        for entry in entries.flatten() {
            let ours = entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX);
            if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(())
    }
}

impl Folder {
    /// Remove the regular file `name` (a relative path whose every folder is a real one, not a
    /// link); anything else at that name is left alone and said.
    pub fn remove(&self, name: &str) -> Result<(), TransportError> {
        let parts = split(name)?;
        let Some((file, dirs)) = parts.split_last() else {
            return Err(bad_name(name));
        };
        let path = self.dir(dirs, false)?.join(file);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_file() => {
                std::fs::remove_file(&path).map_err(|e| refused_file("remove", name, &e))
            }
            Ok(_) => Err(refused_file(
                "remove",
                name,
                &std::io::Error::other("not a regular file; left alone"),
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(refused_file("remove", name, &e)),
        }
    }

    /// Write a probe file under `dir`, read the time the file system stamped on it, remove it.
    fn probe_time(&self, dir: &str) -> Result<Option<i64>, TransportError> {
        let parts = split(dir)?;
        let dir = self.dir(&parts, true)?;
        let mut rnd = [0u8; 6];
        getrandom::fill(&mut rnd).map_err(|e| no_randomness(&dir, e))?;
        let probe = dir.join(format!("{TEMP_PREFIX}clock-{}", hex::encode(rnd)));
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        let stamped = no_follow(opts).open(&probe).and_then(|mut f| {
            f.write_all(b"t")?;
            f.metadata()?.modified()
        });
        let _ = std::fs::remove_file(&probe);
        Ok(stamped
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_millis() as i64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(f: &Folder) -> Vec<(String, Option<String>)> {
        f.list()
            .unwrap()
            .into_iter()
            .map(|x| (x.name, x.unusable))
            .collect()
    }

    #[test]
    fn files_appear_whole_are_never_replaced_and_temporaries_are_hidden() {
        let dir = tempfile::tempdir().unwrap();
        let f = Folder::new(dir.path());
        f.create("replicas/r1/00000001.relmseg", b"one").unwrap();
        assert!(matches!(
            f.create("replicas/r1/00000001.relmseg", b"two"),
            Err(TransportError::Exists(_))
        ));
        std::fs::write(dir.path().join("replicas/r1/.relm-tmp-abc"), b"half").unwrap();
        assert_eq!(
            names(&f),
            vec![("replicas/r1/00000001.relmseg".to_string(), None)]
        );
        assert_eq!(f.read("replicas/r1/00000001.relmseg", 10).unwrap(), b"one");
        f.clean_temporaries("replicas/r1").unwrap();
        assert!(!dir.path().join("replicas/r1/.relm-tmp-abc").exists());
        assert!(f.read("../etc/passwd", 10).is_err());
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

    /// The reason's code and its values, of an error that has one.
    fn reason(e: TransportError) -> (ReasonCode, Vec<(String, String)>) {
        let r = e.reason().expect("a reason").clone();
        (r.code, r.params.into_iter().collect())
    }

    fn values(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn each_refusal_has_the_reason_the_app_words_with_its_values() {
        let (code, params) = reason(Folder::new("/nonexistent/relm-remote").list().unwrap_err());
        assert_eq!(code, ReasonCode::RemoteOffline);
        assert_eq!(params[1].0, "path");
        assert_eq!(params[1].1, "/nonexistent/relm-remote");

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, b"x").unwrap();
        let at = |p: &Path| p.display().to_string();
        assert_eq!(
            reason(Folder::new(&file).list().unwrap_err()),
            (ReasonCode::RemoteNotFolder, values(&[("path", &at(&file))]))
        );
        // A link where a folder is needed, and a file where a folder is needed.
        let root = dir.path().join("remote");
        std::fs::create_dir(&root).unwrap();
        std::os::unix::fs::symlink(dir.path(), root.join("replicas")).unwrap();
        let f = Folder::new(&root);
        assert_eq!(
            reason(f.create("replicas/r1/00000001.relmseg", b"x").unwrap_err()),
            (
                ReasonCode::RemoteLink,
                values(&[("path", &at(&root.join("replicas")))])
            )
        );
        std::fs::write(root.join("requests"), b"x").unwrap();
        assert_eq!(
            reason(f.create("requests/k.json", b"x").unwrap_err()),
            (
                ReasonCode::RemoteNotFolder,
                values(&[("path", &at(&root.join("requests")))])
            )
        );
        assert_eq!(
            reason(f.read("../etc/passwd", 10).unwrap_err()),
            (
                ReasonCode::RemoteBadName,
                values(&[("name", "../etc/passwd")])
            )
        );
        // What the system said is kept as a detail, with what Relm was doing.
        let (code, params) = reason(f.read("replicas2/none", 10).unwrap_err());
        assert_eq!(code, ReasonCode::RemoteRefused);
        let keys: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["detail", "doing", "path"]);
        assert_eq!(params[1].1, "open");
    }

    #[test]
    fn files_over_the_limit_are_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let f = Folder::new(dir.path());
        f.create("replicas/r1/00000001.relmseg", &[b'x'; 100])
            .unwrap();
        let err = f
            .read("replicas/r1/00000001.relmseg", 99)
            .unwrap_err()
            .to_string();
        assert!(err.contains("larger than"), "{err}");
        // The limit in MiB, as the app says it (under one MiB here).
        let over = f.read("replicas/r1/00000001.relmseg", 99).unwrap_err();
        assert_eq!(
            reason(over),
            (
                ReasonCode::RemoteFileTooLarge,
                values(&[("max", "0"), ("name", "replicas/r1/00000001.relmseg")])
            )
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_fifos_and_odd_names_are_listed_as_unusable_and_never_followed() {
        use std::os::unix::ffi::OsStrExt;
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), b"private").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let f = Folder::new(root);
        f.create("replicas/r1/00000001.relmseg", b"ok").unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret"),
            root.join("replicas/r1/00000002.relmseg"),
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("replicas/r2")).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(root.join("replicas/r1/00000003.relmseg"))
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::write(root.join("replicas/r1/a\\b.relmseg"), b"x").unwrap();
        std::fs::write(
            root.join(std::ffi::OsStr::from_bytes(b"bad-\xff-name")),
            b"x",
        )
        .unwrap();
        let listed = names(&f);
        let why = |n: &str| {
            listed
                .iter()
                .find(|(name, _)| name == n)
                .and_then(|(_, w)| w.clone())
                .unwrap_or_else(|| panic!("{n} not listed: {listed:?}"))
        };
        assert!(why("replicas/r1/00000002.relmseg").contains("symbolic link"));
        assert!(why("replicas/r2").contains("symbolic link"));
        assert!(why("replicas/r1/00000003.relmseg").contains("FIFO"));
        assert!(why("replicas/r1/a\\b.relmseg").contains("backslash"));
        assert!(why("bad-\u{fffd}-name").contains("UTF-8"));
        // Nothing is read through a link or from a FIFO (and nothing blocks).
        let err = f.read("replicas/r1/00000002.relmseg", 100).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        let err = f.read("replicas/r1/00000003.relmseg", 100).unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");
        // Nothing is written or deleted through a linked folder.
        std::fs::write(outside.path().join(".relm-tmp-keep"), b"theirs").unwrap();
        assert!(f.create("replicas/r2/00000001.relmseg", b"x").is_err());
        assert!(f.clean_temporaries("replicas/r2").is_err());
        assert!(outside.path().join(".relm-tmp-keep").exists());
        assert_eq!(
            std::fs::read_dir(outside.path()).unwrap().count(),
            2,
            "nothing written outside the remote"
        );
        // A name taken by a FIFO is not replaced.
        assert!(matches!(
            f.create("replicas/r1/00000003.relmseg", b"x"),
            Err(TransportError::Exists(_))
        ));
    }
}
