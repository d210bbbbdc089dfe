//! The ledger replicated through git (real `git` only): bare repositories on disk and served by
//! `git daemon` on 127.0.0.1; three replicas pushing at once; a force-push that rewrites what
//! was pulled (tampering, refused, nothing lost); a host that cannot be reached (offline, then
//! delivered); a repository that is not a Relm remote; a read-only one; HTTP through
//! `git http-backend` with an access token kept in the OS keyring.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use relm_tests::Replica;
use serde_json::Value;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=Tester", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A new bare repository `name.git` under `dir`, and its `git+file` URL.
fn bare(dir: &Path, name: &str) -> (PathBuf, String) {
    let path = dir.join(format!("{name}.git"));
    git(
        dir,
        &["init", "-q", "--bare", "-b", "main", path.to_str().unwrap()],
    );
    let url = format!("git+file://{}", path.display());
    (path, url)
}

/// A working clone of `repo` in `dir/work`, as someone with push access has.
fn clone(dir: &Path, repo: &Path) -> PathBuf {
    let work = dir.join("work");
    git(
        dir,
        &[
            "clone",
            "-q",
            repo.to_str().unwrap(),
            work.to_str().unwrap(),
        ],
    );
    work
}

fn events(r: &Replica) -> i64 {
    r.db()
        .query_row("SELECT count(*) FROM events", [], |x| x.get(0))
        .unwrap()
}

/// `relm --json sync` whatever its exit code: each remote's outcome.
fn sync(r: &Replica) -> Vec<Value> {
    let out = r.run(&["--json", "sync"]);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    v["remotes"].as_array().unwrap().clone()
}

/// A founder on a git remote, and Bob and Cy who joined through it and were admitted.
fn team(url: &str) -> (Replica, Replica, Replica) {
    let a = Replica::new();
    a.init();
    a.ok(&["remote", "add", "origin", url]);
    a.ok(&["sync"]);
    let b = a.admit(Path::new(url), "Bob", &["release-manager"]);
    let c = a.admit(Path::new(url), "Cy", &["release-manager"]);
    b.ok(&["sync"]);
    (a, b, c)
}

#[test]
fn three_replicas_pushing_at_once_through_one_repository_converge() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, url) = bare(dir.path(), "shared");
    let (a, b, c) = team(&url);
    assert_eq!(a.json(&["remote", "list"])[0]["kind"], "git");
    // Each records something, then all three push at the same moment, several times.
    for round in 0..3 {
        for (r, who) in [(&a, "a"), (&b, "b"), (&c, "c")] {
            r.json(&[
                "release",
                "create",
                "--service",
                &format!("svc-{who}"),
                "--version",
                &format!("1.0.{round}"),
                "--env",
                "prod",
                "--title",
                "Concurrent",
            ]);
        }
        let children: Vec<Child> = [&a, &b, &c]
            .iter()
            .map(|r| {
                r.cmd(&["sync"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut ch in children {
            let status = ch.wait().unwrap();
            assert!(status.success(), "a concurrent sync failed");
        }
    }
    // Two more rounds one after the other: everyone has everything.
    for _ in 0..2 {
        for r in [&a, &b, &c] {
            r.ok(&["sync"]);
        }
    }
    assert_eq!(events(&a), events(&b));
    assert_eq!(events(&b), events(&c));
    assert_eq!(a.digest(), c.digest());
    assert_eq!(a.json(&["release", "list"])["total"], 9);
    for r in [&a, &b, &c] {
        r.ok(&["audit", "verify"]);
    }
    // The repository holds each replica's own directory, and only Relm's files.
    let files = git(&repo, &["ls-tree", "-r", "--name-only", "main"]);
    assert!(
        files
            .lines()
            .all(|f| f.starts_with("replicas/") || f.starts_with("requests/")),
        "{files}"
    );
}

#[test]
fn a_rewritten_history_is_refused_as_tampering_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, url) = bare(dir.path(), "shared");
    let (a, b, _c) = team(&url);
    b.json(&[
        "release",
        "create",
        "--service",
        "payments",
        "--version",
        "2.0.0",
        "--env",
        "prod",
        "--title",
        "Rewritten away",
    ]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    let before = events(&a);
    // Someone drops Bob's last commit and force-pushes.
    let work = clone(dir.path(), &repo);
    git(&work, &["reset", "-q", "--hard", "HEAD~1"]);
    git(&work, &["push", "-q", "--force", "origin", "HEAD:main"]);
    let out = sync(&a);
    assert_eq!(out[0]["result"], "error", "{out:?}");
    let said = out[0]["error"]["message"].as_str().unwrap();
    assert!(
        said.contains("rewritten") && said.contains("tampering"),
        "{said}"
    );
    // The app words it from its reason: the repository, the commit and the branch.
    let reason = &out[0]["error"]["reason"];
    assert_eq!(reason["code"], "history_rewritten", "{reason}");
    assert_eq!(reason["params"]["branch"], "main", "{reason}");
    assert_eq!(
        reason["params"]["commit"].as_str().unwrap().len(),
        12,
        "{reason}"
    );
    assert_eq!(events(&a), before, "nothing already applied is lost");
    a.ok(&["audit", "verify"]);
    assert_eq!(
        a.json(&["release", "list"])["releases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["version"] == "2.0.0")
            .count(),
        1
    );
}

#[test]
fn offline_the_push_waits_and_goes_at_the_next_sync() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, url) = bare(dir.path(), "shared");
    let (a, b, _c) = team(&url);
    let moved = dir.path().join("away.git");
    std::fs::rename(&repo, &moved).unwrap();
    a.json(&[
        "release",
        "create",
        "--service",
        "payments",
        "--version",
        "3.0.0",
        "--env",
        "prod",
        "--title",
        "Written offline",
    ]);
    let out = sync(&a);
    assert_eq!(out[0]["result"], "offline", "{out:?}");
    let reason = &out[0]["error"]["reason"];
    assert_eq!(
        (&reason["code"], &reason["params"]["doing"]),
        (&"git_unreachable".into(), &"fetch".into()),
        "{reason}"
    );
    assert!(
        a.json(&["remote", "list"])[0]["pending_push"]
            .as_u64()
            .unwrap()
            > 0
    );
    std::fs::rename(&moved, &repo).unwrap();
    a.ok(&["sync"]);
    assert_eq!(a.json(&["remote", "list"])[0]["pending_push"], 0);
    b.ok(&["sync"]);
    assert!(
        b.json(&["release", "list"])["releases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["version"] == "3.0.0")
    );
}

#[test]
fn a_repository_that_is_not_a_relm_remote_is_refused_and_an_unreachable_one_said() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, url) = bare(dir.path(), "code");
    let work = clone(dir.path(), &repo);
    std::fs::write(work.join("README.md"), "# our service\n").unwrap();
    git(&work, &["add", "README.md"]);
    git(&work, &["commit", "-q", "-m", "code"]);
    git(&work, &["push", "-q", "origin", "HEAD:main"]);
    let a = Replica::new();
    a.init();
    let out = a.run(&["remote", "add", "origin", &url]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("not a Relm remote") && said.contains("README.md"),
        "{said}"
    );
    let error = a.refused(&["remote", "add", "origin", &url], 2);
    assert_eq!(error["field"], "folder", "{error}");
    assert_eq!(error["reason"]["code"], "not_a_relm_remote", "{error}");
    assert_eq!(error["reason"]["params"]["files"], "README.md", "{error}");
    let missing = format!("git+file://{}/nowhere.git", dir.path().display());
    let out = a.run(&["remote", "add", "origin", &missing]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nowhere.git"),
        "{out:?}"
    );
    // Nothing kept of either.
    assert_eq!(a.json(&["remote", "list"]), serde_json::json!([]));
    assert!(!a.data_dir().join("git").join("origin").exists());
}

/// `git daemon` serving `base` read-only on 127.0.0.1 (no push): the process and its port.
fn daemon(base: &Path) -> (Child, u16) {
    for _ in 0..20 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new("git")
            .args([
                "daemon",
                "--reuseaddr",
                "--export-all",
                "--listen=127.0.0.1",
                &format!("--port={port}"),
                &format!("--base-path={}", base.display()),
                base.to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        for _ in 0..100 {
            if let Ok(Some(_)) = child.try_wait() {
                break; // the port was taken meanwhile: another one
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return (child, port);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("git daemon did not start");
}

#[test]
fn a_read_only_repository_served_by_git_daemon_is_read_and_the_push_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_repo, url) = bare(dir.path(), "shared");
    let (a, _b, _c) = team(&url);
    let (mut server, port) = daemon(dir.path());
    // Dee joins through the read-only daemon: the workspace is read.
    let d = Replica::new();
    let joined = d.join(
        Path::new(&format!("git+git://127.0.0.1:{port}/shared.git")),
        "Dee",
    );
    assert_eq!(
        joined["events"].as_u64().unwrap() as i64,
        events(&a),
        "{joined}"
    );
    // Her request could not be pushed: the daemon takes no push, and every sync says so
    // (what it read is applied all the same).
    assert_eq!(joined["request_written"], false, "{joined}");
    let out = sync(&d);
    assert_eq!(out[0]["result"], "error", "{out:?}");
    let said = out[0]["error"]["message"].as_str().unwrap();
    assert!(
        said.contains("cannot push") && said.contains("access denied"),
        "{said}"
    );
    let reason = &out[0]["error"]["reason"];
    assert_eq!(
        (&reason["code"], &reason["params"]["doing"]),
        (&"git_failed".into(), &"push".into()),
        "{reason}"
    );
    assert!(
        reason["params"]["said"]
            .as_str()
            .unwrap()
            .contains("access denied"),
        "{reason}"
    );
    assert_eq!(events(&d), events(&a));
    let _ = server.kill();
    let _ = server.wait();
}

#[test]
fn links_planted_in_the_repository_are_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, url) = bare(dir.path(), "shared");
    let (a, _b, _c) = team(&url);
    let before = events(&a);
    // Someone commits a segment that is a link to a file of the replica's machine.
    let work = clone(dir.path(), &repo);
    std::fs::create_dir_all(work.join("replicas/evil")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", work.join("replicas/evil/00000001.relmseg")).unwrap();
    git(&work, &["add", "replicas"]);
    git(&work, &["commit", "-q", "-m", "a link"]);
    git(&work, &["push", "-q", "origin", "HEAD:main"]);
    let out = sync(&a);
    assert_eq!(out[0]["result"], "ok", "{out:?}");
    let ignored = out[0]["report"]["ignored"].to_string();
    assert!(
        ignored.contains("replicas/evil/00000001.relmseg"),
        "{out:?}"
    );
    assert!(ignored.contains("link"), "{ignored}");
    assert_eq!(events(&a), before);
    a.ok(&["audit", "verify"]);
}

#[test]
fn over_https_a_token_from_the_os_keyring_reaches_git_http_backend() {
    use relm_tests::git_http::GitHttp;
    let dir = tempfile::tempdir().unwrap();
    bare(dir.path(), "shared");
    let token = format!("relm-test-token-{}", relm_tests::now_ms());
    let server = GitHttp::start(dir.path(), relm_sync::git::TOKEN_USER, &token);
    let url = format!("git+http://127.0.0.1:{}/shared.git", server.port);
    let a = Replica::new();
    a.init();
    // Enough events that the push's pack is sent in chunks once git's post buffer is set to its
    // least (64 KiB, below).
    let mut csv = String::from("title,category,likelihood,impact\n");
    for i in 0..600 {
        csv.push_str(&format!("Risk {i} {:x},technical,2,3\n", sha(i)));
    }
    let file = a.data_dir().join("risks.csv");
    std::fs::write(&file, csv).unwrap();
    a.ok(&["risk", "import", file.to_str().unwrap()]);

    // No token, and no credential helper: the host asks who we are; nothing is kept.
    let out = a.run(&["remote", "add", "origin", &url]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && said.contains("asks who you are"),
        "{said}"
    );
    let reason = a.refused(&["remote", "add", "origin", &url], 2)["reason"].clone();
    assert_eq!(
        (&reason["code"], &reason["params"]["doing"]),
        (&"git_who".into(), &"fetch".into()),
        "{reason}"
    );
    // A wrong token: refused by the host, said so, nothing kept.
    let out = a.run_with_token(&["remote", "add", "origin", &url, "--token-stdin"], "wrong");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && said.contains("refused the credentials"),
        "{said}"
    );
    let out = a.run_with_token(
        &["remote", "add", "origin", &url, "--token-stdin", "--json"],
        "wrong",
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["error"]["reason"]["code"], "git_credentials_refused",
        "{doc}"
    );
    // A token written in the URL would be stored in the clear: refused before any request.
    let before = server.requests().len();
    let inline = url.replace("http://", &format!("http://u:{token}@"));
    let out = a.run(&["remote", "add", "origin", &inline]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && said.contains("in the clear"),
        "{said}"
    );
    let error = a.refused(&["remote", "add", "origin", &inline], 2);
    assert_eq!(error["problems"][0]["code"], "secret_in_url", "{error}");
    assert_eq!(server.requests().len(), before);
    // A token for a folder remote makes no sense: said beside the field.
    let out = a.run_with_token(
        &[
            "remote",
            "add",
            "disk",
            dir.path().to_str().unwrap(),
            "--token-stdin",
        ],
        &token,
    );
    assert!(!out.status.success());
    assert_eq!(a.json(&["remote", "list"]), serde_json::json!([]));

    // The right token: kept in the keyring, read again by every later run.
    let out = a.run_with_token(&["remote", "add", "origin", &url, "--token-stdin"], &token);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let copy = a.data_dir().join("git/origin/repo.git/config");
    git(
        dir.path(),
        &[
            "config",
            "--file",
            copy.to_str().unwrap(),
            "http.postBuffer",
            "66000",
        ],
    );
    let out = sync(&a);
    assert_eq!(out[0]["result"], "ok", "{out:?}");
    let log = server.requests();
    assert!(
        log.iter()
            .any(|l| l.starts_with("POST /shared.git/git-receive-pack 200")
                && l.ends_with("chunked")),
        "{log:?}"
    );
    // Bob joins over the same URL with the token; his join request is pushed with it.
    let b = Replica::new();
    let out = b.run_with_token(
        &[
            "--json",
            "join",
            "--remote",
            &url,
            "--name",
            "Bob",
            "--email",
            "bob@acme.example",
            "--token-stdin",
        ],
        &token,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let joined: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(joined["events"].as_i64().unwrap(), events(&a), "{joined}");
    assert_eq!(joined["request_written"], true, "{joined}");
    assert_eq!(sync(&b)[0]["result"], "ok");
    assert_eq!(sync(&a)[0]["result"], "ok");
    let status = a.json(&["sync", "status"]);
    assert_eq!(
        status["join_requests"].as_array().unwrap().len(),
        1,
        "{status}"
    );

    // The token is nowhere on disk: not in the store, the logs, git's copy or its config.
    for r in [&a, &b] {
        for f in Replica::files_under(&r.data_dir()) {
            let bytes = std::fs::read(r.data_dir().join(&f)).unwrap();
            assert!(
                !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
                "the token is in {f}"
            );
        }
    }
    // Removed, the remote's token goes too: added again without one, the host asks.
    a.ok(&["remote", "remove", "origin"]);
    let out = a.run(&["remote", "add", "origin", &url]);
    assert!(!out.status.success());
}

fn sha(i: u32) -> u64 {
    use sha2::Digest;
    let d = sha2::Sha256::digest(i.to_le_bytes());
    u64::from_le_bytes(d[..8].try_into().unwrap())
}

/// The files of the repository's branch under `dir`.
fn tree_of(repo: &Path, dir: &str) -> Vec<String> {
    let out = git(repo, &["ls-tree", "-r", "--name-only", "main", dir]);
    out.lines().map(str::to_string).collect()
}

#[test]
fn small_segments_are_packed_in_one_commit_and_replicas_that_pulled_them_lose_nothing() {
    use chrono::TimeZone;
    use relm_api::releases::ReleaseInput;
    use relm_api::replicas::{JoinRequestInput, join};
    use relm_api::workspace::{InitRequest, init};
    use relm_api::{KeyringChoice, Options};
    use relm_domain::clock::FixedClock;
    use relm_identity::keyring::MemoryKeyStore;
    use relm_sync::sync::PACK_AT;
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let (repo, url) = bare(dir.path(), "shared");
    let clock = Arc::new(FixedClock::new(
        chrono::Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap(),
    ));
    let options = |name: &str| Options {
        data_dir: dir.path().join(name),
        clock: clock.clone(),
        keyring: KeyringChoice::Given(Arc::new(MemoryKeyStore::default())),
    };
    let (mut a, _) = init(
        &options("a"),
        &InitRequest {
            workspace: "Packed".into(),
            name: "Ada".into(),
            email: "ada@x.example".into(),
        },
    )
    .unwrap();
    a.add_remote("origin", Path::new(&url)).unwrap();
    a.sync(None).unwrap();
    let joiner = |name: &str| JoinRequestInput {
        remote: PathBuf::from(&url),
        name: name.into(),
        email: format!("{}@x.example", name.to_lowercase()),
    };
    // Bob pulls along the way: he holds most of the small files before they are packed.
    let (mut b, _) = join(&options("b"), &joiner("Bob")).unwrap();
    let mut packed = Vec::new();
    for i in 0..PACK_AT + 8 {
        clock.advance(chrono::Duration::seconds(30));
        a.create_release(&ReleaseInput {
            service: Some("svc".into()),
            version: Some(format!("1.{i}.0")),
            title: Some(format!("release {i}")),
            environments: Some(vec!["prod".into()]),
            ..Default::default()
        })
        .unwrap();
        let out = a.sync(None).unwrap();
        let report = out[0].report.as_ref().unwrap();
        assert_eq!(report.pushed, 1, "{out:?}");
        if !report.packed.is_empty() {
            packed = report.packed.clone();
            break;
        }
        if i % 10 == 9 {
            b.sync(None).unwrap();
        }
    }
    assert!(packed.len() >= PACK_AT, "packed {packed:?}");
    // In one commit: the small files gone from the branch, one segment in their place.
    let replica_dir = packed[0].rsplit_once('/').unwrap().0.to_string();
    let files = tree_of(&repo, &replica_dir);
    assert!(files.len() <= 2, "{files:?}");
    assert!(packed.iter().all(|f| !files.contains(f)));
    let head = git(&repo, &["show", "--name-status", "--format=", "main"]);
    let (added, removed): (Vec<&str>, Vec<&str>) = head
        .lines()
        .filter(|l| !l.is_empty())
        .partition(|l| l.starts_with('A'));
    // The segment written by this sync was packed in the same commit: never seen alone.
    assert_eq!(added.len(), 1, "{head}");
    assert_eq!(removed.len(), packed.len() - 1, "{head}");
    assert!(
        removed
            .iter()
            .all(|l| l.starts_with("D\t") && packed.contains(&l[2..].to_string())),
        "{head}"
    );
    // Ada still sees the remote holding all her events: nothing to push again.
    let again = a.sync(None).unwrap();
    assert_eq!(again[0].report.as_ref().unwrap().pushed, 0, "{again:?}");
    // Bob, who pulled most of the small files, reads the new one: nothing new taken twice,
    // nothing pushed back, nothing set aside; he holds every event.
    let out = b.sync(None).unwrap();
    let report = out[0].report.as_ref().unwrap();
    assert_eq!(report.pushed, 0, "{out:?}");
    assert!(
        report.pulled.quarantined.is_empty() && report.lying.is_empty(),
        "{out:?}"
    );
    let events = |r: &relm_api::Relm| relm_store::events::count(r.store().conn()).unwrap();
    assert_eq!(events(&b), events(&a));
    assert_eq!(
        relm_store::projection::digest(b.store().conn()).unwrap(),
        relm_store::projection::digest(a.store().conn()).unwrap()
    );
    // Cy joins after the packing: everything reaches him from the new file.
    let (c, _) = join(&options("c"), &joiner("Cy")).unwrap();
    assert_eq!(events(&c), events(&a));
    assert_eq!(
        relm_store::projection::digest(c.store().conn()).unwrap(),
        relm_store::projection::digest(a.store().conn()).unwrap()
    );
}
