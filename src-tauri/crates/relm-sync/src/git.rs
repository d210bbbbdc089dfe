//! The git remote: the same files as a folder remote (`replicas/<id>/NNNNNNNN.relmseg`, only
//! new files, each replica writing only its own directory), carried by a git repository the
//! team already runs (GitHub, GitLab, Gitea, a bare repository on a server or a disk).
//!
//! The system `git` does all the work, so the user's own setup applies: SSH agent, credential
//! helpers, proxies, `insteadOf` rewrites. Relm keeps a local copy of the repository under the
//! replica's data folder (its git directory and, apart, a work tree with no `.git` in it), and
//! reads and writes the work tree as a [`Folder`] — as hostile ground, with the same checks.
//!
//! - Before a sync ([`Transport::prepare`]): fetch the branch, check that what was seen before
//!   is still in its history (a force-push that drops or changes a file already pulled is
//!   refused as tampering, and nothing is merged), then merge. Disjoint directories and new
//!   files only: a merge never conflicts. An unreachable host makes the sync offline.
//! - After it ([`Transport::publish`]): commit the new files and push. A push refused because
//!   someone pushed first fetches, merges and tries again, a few times. A host that cannot be
//!   reached leaves the commits in the local copy, pushed at the next sync.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use zeroize::Zeroizing;

use crate::folder::Folder;
use relm_domain::{Reason, ReasonCode};

use crate::transport::{RemoteFile, Transport, TransportError, refused_file};

/// The branch Relm reads and writes.
pub const BRANCH: &str = "main";
/// How many times a refused push is merged and tried again.
pub const PUSH_TRIES: usize = 5;
/// The ref that remembers the last remote commit merged.
const SEEN: &str = "refs/relm/seen";
const REMOTE_REF: &str = "refs/remotes/origin/main";

/// The user name sent with a token when the URL names none (GitHub's documented one; GitLab,
/// Gitea and Bitbucket take any user name with an access token, or the one in the URL).
pub const TOKEN_USER: &str = "x-access-token";

/// A git repository as a remote.
#[derive(Clone)]
pub struct GitRemote {
    url: String,
    git_dir: PathBuf,
    work: Folder,
    /// An access token for an HTTPS host, from the OS keyring: handed to git through a
    /// credential helper of this run only, in its environment (never its arguments), and only
    /// for this URL's host.
    token: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for GitRemote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitRemote")
            .field("url", &self.url)
            .field("git_dir", &self.git_dir)
            .field("token", &self.token.as_ref().map(|_| "(held)"))
            .finish()
    }
}

/// A git URL as Relm takes it (`git+file://…`, `git+ssh://…`, `git+https://…`, and
/// `git+git://…` for a `git daemon`): the URL git takes, or `None` when `location` is not one.
pub fn git_url(location: &str) -> Option<&str> {
    let url = location.trim().strip_prefix("git+")?;
    ["file://", "ssh://", "https://", "http://", "git://"]
        .iter()
        .any(|s| url.starts_with(s))
        .then_some(url)
}

/// Whether git reaches `url` over HTTP(S), where a token can stand for a password.
pub fn takes_token(url: &str) -> bool {
    let url = url.trim();
    let url = url.strip_prefix("git+").unwrap_or(url);
    url.starts_with("https://") || url.starts_with("http://")
}

/// The `user:password@` of a URL, if any: (user, whether a password is written in it).
fn userinfo(url: &str) -> Option<(&str, bool)> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let (info, _) = authority.rsplit_once('@')?;
    Some(match info.split_once(':') {
        Some((user, _)) => (user, true),
        None => (info, false),
    })
}

/// Host and port of a URL, as git names them to a credential helper (`host=…`).
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, h)| h)
        .to_string()
}

/// Why `location` cannot be stored as given: a password written in the URL would be kept in
/// the clear in the workspace (and shown in lists).
pub fn check_url(location: &str) -> Result<(), String> {
    match git_url(location).and_then(userinfo) {
        Some((_, true)) => Err(
            "this URL holds a password or token, which would be stored in the clear; give the URL without it and the token separately (`--token-stdin`, or the Token field), which goes to the OS keyring"
                .into(),
        ),
        _ => Ok(()),
    }
}

/// The credential helper of a run with a token: it answers `get` for the URL's host only
/// (a redirect to another host gets nothing), from the environment git inherits.
const HELPER: &str = "!f() { test \"$1\" = get || exit 0; h=; u=; while IFS= read -r l; do case \"$l\" in host=*) h=${l#host=};; username=*) u=1;; esac; done; test \"$h\" = \"$RELM_GIT_HOST\" || exit 0; test -n \"$u\" || echo \"username=$RELM_GIT_USER\"; echo \"password=$RELM_GIT_TOKEN\"; }; f";

impl GitRemote {
    /// The repository at `url` (as git takes it), copied under `local` (a folder of the
    /// replica's data folder, made when missing).
    pub fn new(url: &str, local: &Path) -> GitRemote {
        GitRemote {
            url: url.to_string(),
            git_dir: local.join("repo.git"),
            work: Folder::new(local.join("tree")),
            token: None,
        }
    }

    /// The same remote, reached with `token` (an HTTPS access token) when one is given.
    pub fn with_token(mut self, token: Option<Zeroizing<String>>) -> GitRemote {
        self.token = token.filter(|_| takes_token(&self.url));
        self
    }

    fn git(&self, args: &[&str]) -> Result<Output, TransportError> {
        let mut cmd = Command::new("git");
        if let Some(token) = &self.token {
            // The user's helpers are set aside for this run: the token given is the answer.
            cmd.args(["-c", "credential.helper=", "-c"])
                .arg(format!("credential.helper={HELPER}"))
                .env("RELM_GIT_TOKEN", token.as_str())
                .env("RELM_GIT_HOST", host_of(&self.url))
                .env("RELM_GIT_USER", TOKEN_USER);
        }
        let out = cmd
            .arg("--git-dir")
            .arg(&self.git_dir)
            .arg("--work-tree")
            .arg(self.work.root())
            .args([
                "-c",
                "user.name=Relm",
                "-c",
                "user.email=relm@localhost",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "core.autocrlf=false",
            ])
            .args(args)
            // Never ask on a terminal: a sync runs in the background too.
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_SSH_COMMAND", ssh_command())
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                TransportError::refused(
                    ReasonCode::GitMissing,
                    format!("cannot run git ({e}); install git to sync through a git remote"),
                )
                .with("detail", e)
            })?;
        Ok(out)
    }

    /// Run git; its failure as the error of `doing` (see [`doing`]).
    fn ok(&self, args: &[&str], doing: &str) -> Result<String, TransportError> {
        let out = self.git(args)?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(self.failure(doing, &out))
        }
    }

    /// What git said when `doing` failed, as the error it means: the host asks who is calling,
    /// refused the credentials, cannot be reached (offline), or refused otherwise.
    fn failure(&self, doing: &str, out: &Output) -> TransportError {
        let what = self::doing(doing);
        let said = String::from_utf8_lossy(&out.stderr);
        let said: String = said
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(4)
            .collect::<Vec<_>>()
            .join(" / ");
        let text = format!("{what} {}: {said}", self.url);
        let lower = said.to_ascii_lowercase();
        let error = if lower.contains("terminal prompts disabled")
            || lower.contains("could not read username")
        {
            TransportError::refused(
                ReasonCode::GitWho,
                format!(
                    "{what} {}: the host asks who you are; give Relm an access token for it (`relm remote add NAME URL --token-stdin`, or the Token field in Settings), or set up a git credential helper or an SSH key",
                    self.url
                ),
            )
        } else if lower.contains("authentication failed") || lower.contains("invalid credentials") {
            TransportError::refused(
                ReasonCode::GitCredentialsRefused,
                format!(
                    "{what} {}: the host refused the credentials ({said}); check the token or your credential helper, and that it may read and write this repository",
                    self.url
                ),
            )
        } else if unreachable(&said) {
            TransportError::Unreachable(Reason::new(
                ReasonCode::GitUnreachable,
                format!("{text}; working offline"),
            ))
        } else {
            TransportError::refused(ReasonCode::GitFailed, text)
        };
        error
            .with("doing", doing)
            .with("url", &self.url)
            .with("said", said)
    }

    /// The local copy, made (empty) when missing.
    fn ensure(&self) -> Result<(), TransportError> {
        if !self.git_dir.join("HEAD").exists() {
            std::fs::create_dir_all(&self.git_dir)
                .map_err(|e| refused_file("create_folder", self.git_dir.display(), &e))?;
            self.ok(&["init", "-q", "-b", BRANCH], "set_up")?;
            self.ok(&["config", "core.bare", "false"], "set_up")?;
            self.ok(&["remote", "add", "origin", &self.url], "set_up")?;
        }
        std::fs::create_dir_all(self.work.root())
            .map_err(|e| refused_file("create_folder", self.work.root().display(), &e))
    }

    fn rev(&self, name: &str) -> Result<Option<String>, TransportError> {
        let out = self.git(&["rev-parse", "--verify", "-q", &format!("{name}^{{commit}}")])?;
        Ok(out
            .status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()))
    }

    /// Fetch the branch (an empty repository has none yet).
    fn fetch(&self) -> Result<(), TransportError> {
        let spec = format!("+refs/heads/{BRANCH}:{REMOTE_REF}");
        match self.ok(&["fetch", "-q", "--no-tags", "origin", &spec], "fetch") {
            Err(TransportError::Refused(why))
                if why.message.contains("couldn't find remote ref") =>
            {
                Ok(())
            }
            other => other.map(|_| ()),
        }
    }

    /// Merge what was fetched, after checking that it still holds everything seen before.
    fn merge(&self) -> Result<(), TransportError> {
        let Some(theirs) = self.rev(REMOTE_REF)? else {
            return Ok(());
        };
        if let Some(seen) = self.rev(SEEN)? {
            let kept = self.git(&["merge-base", "--is-ancestor", &seen, &theirs])?;
            if !kept.status.success() {
                let commit = &seen[..seen.len().min(12)];
                return Err(TransportError::refused(
                    ReasonCode::HistoryRewritten,
                    format!(
                        "the history of {} was rewritten: commit {commit} that this replica pulled is no longer in branch {BRANCH} (a force-push). This is tampering or a mistake: nothing was merged and nothing already applied is lost; ask who rewrote it, and restore the branch",
                        self.url,
                    ),
                )
                .with("url", &self.url)
                .with("commit", commit)
                .with("branch", BRANCH));
            }
        }
        let out = self.git(&[
            "merge",
            "-q",
            "--no-edit",
            "--allow-unrelated-histories",
            REMOTE_REF,
        ])?;
        if !out.status.success() {
            let _ = self.git(&["merge", "--abort"]);
            return Err(self.failure("merge", &out));
        }
        self.ok(&["update-ref", SEEN, &theirs], "record_read")?;
        Ok(())
    }

    /// Commit the new files of the work tree, if any.
    fn commit(&self) -> Result<(), TransportError> {
        self.ok(&["add", "-A", "."], "stage")?;
        let staged = self.git(&["diff", "--cached", "--quiet"])?;
        if staged.status.success() {
            return Ok(());
        }
        self.ok(
            &["commit", "-q", "-m", "Relm: new ledger segments"],
            "commit",
        )?;
        Ok(())
    }

    /// Whether local commits are not on the remote branch yet.
    fn ahead(&self) -> Result<bool, TransportError> {
        let Some(head) = self.rev("HEAD")? else {
            return Ok(false);
        };
        match self.rev(REMOTE_REF)? {
            None => Ok(true),
            Some(theirs) => Ok(head != theirs
                && !self
                    .git(&["merge-base", "--is-ancestor", &head, &theirs])?
                    .status
                    .success()),
        }
    }
}

/// Whether git's words say the host could not be reached (as opposed to refused).
fn unreachable(said: &str) -> bool {
    let s = said.to_ascii_lowercase();
    [
        "could not resolve host",
        "connection refused",
        "connection timed out",
        "network is unreachable",
        "could not read from remote repository",
        "unable to access",
        "failed to connect",
        "no route to host",
        "does not appear to be a git repository",
    ]
    .iter()
    .any(|w| s.contains(w))
        && !s.contains("permission denied")
        && !s.contains("authentication failed")
}

/// The English words of what git was doing (`doing`, a code the app words in its language).
fn doing(doing: &str) -> &'static str {
    match doing {
        "set_up" => "cannot set up a copy of",
        "fetch" => "cannot fetch",
        "merge" => "cannot merge the files of",
        "record_read" => "cannot record what was read of",
        "stage" => "cannot stage the new files for",
        "commit" => "cannot commit the new files for",
        "record_push" => "cannot record the push to",
        "push" => "cannot push to",
        _ => "cannot read",
    }
}

/// SSH never asks a question a background sync cannot answer.
fn ssh_command() -> String {
    std::env::var("GIT_SSH_COMMAND").unwrap_or_else(|_| "ssh -o BatchMode=yes".into())
}

impl Transport for GitRemote {
    fn describe(&self) -> String {
        format!("git+{}", self.url)
    }
    /// An unreachable host stops the sync here (offline): what this replica writes waits in
    /// its ledger, and commits not pushed yet wait in the local copy, for the next sync.
    fn prepare(&self) -> Result<(), TransportError> {
        self.ensure()?;
        self.fetch()?;
        self.merge()
    }
    fn publish(&self) -> Result<(), TransportError> {
        self.ensure()?;
        self.commit()?;
        for _ in 0..PUSH_TRIES {
            if !self.ahead()? {
                return Ok(());
            }
            let out = self.git(&["push", "-q", "origin", &format!("HEAD:refs/heads/{BRANCH}")])?;
            if out.status.success() {
                self.ok(&["update-ref", REMOTE_REF, "HEAD"], "record_push")?;
                let head = self.ok(&["rev-parse", "HEAD"], "read")?;
                self.ok(&["update-ref", SEEN, &head], "record_push")?;
                return Ok(());
            }
            let said = String::from_utf8_lossy(&out.stderr).to_ascii_lowercase();
            let raced = said.contains("non-fast-forward")
                || said.contains("fetch first")
                || said.contains("rejected");
            if !raced || said.contains("permission") || said.contains("read-only") {
                return Err(self.failure("push", &out));
            }
            // Someone pushed first: take theirs (disjoint files) and try again.
            self.fetch()?;
            self.merge()?;
        }
        Err(TransportError::refused(
            ReasonCode::PushRaced,
            format!(
                "{} kept moving while pushing ({PUSH_TRIES} tries); the next sync pushes again",
                self.url
            ),
        )
        .with("url", &self.url)
        .with("tries", PUSH_TRIES))
    }
    fn list(&self) -> Result<Vec<RemoteFile>, TransportError> {
        self.ensure()?;
        self.work.list()
    }
    fn open(
        &self,
        name: &str,
        limit: u64,
    ) -> Result<Box<dyn std::io::Read + Send>, TransportError> {
        self.work.open(name, limit)
    }
    fn create(&self, name: &str, bytes: &[u8]) -> Result<RemoteFile, TransportError> {
        self.ensure()?;
        self.work.create(name, bytes)
    }
    fn check_dir(&self, dir: &str) -> Result<(), TransportError> {
        self.work.check_dir(dir)
    }
    fn clean_temporaries(&self, dir: &str) -> Result<(), TransportError> {
        self.work.clean_temporaries(dir)
    }
    /// The files packed and the new one go in one commit.
    fn replaces_whole(&self) -> bool {
        true
    }
    fn remove(&self, name: &str) -> Result<(), TransportError> {
        self.work.remove(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_a_password_are_refused_and_hosts_read_as_git_names_them() {
        assert!(check_url("git+https://u:secret@host.example/r.git").is_err());
        assert!(check_url("git+https://oauth2@host.example/r.git").is_ok());
        assert!(check_url("git+https://host.example/r.git").is_ok());
        // An `@` or `:` in the path is not user information.
        assert!(check_url("git+https://host.example/a:b@c/r.git").is_ok());
        assert!(check_url("/a:b@c/folder").is_ok());
        assert_eq!(
            host_of("https://u@host.example:8443/r.git"),
            "host.example:8443"
        );
        assert_eq!(host_of("http://127.0.0.1:9/x"), "127.0.0.1:9");
        assert!(takes_token("git+https://h/r.git") && takes_token("http://h/r"));
        assert!(!takes_token("git+ssh://h/r.git") && !takes_token("git+file:///r.git"));
    }

    #[test]
    fn a_token_is_held_for_https_only_and_never_printed() {
        let dir = Path::new("/nonexistent");
        let t = || Some(Zeroizing::new("s3cret".to_string()));
        let https = GitRemote::new("https://h/r.git", dir).with_token(t());
        assert!(https.token.is_some());
        assert!(!format!("{https:?}").contains("s3cret"));
        let ssh = GitRemote::new("ssh://h/r.git", dir).with_token(t());
        assert!(ssh.token.is_none());
    }
}
