//! Helpers for cross-crate and end-to-end tests: a throw-away replica (data dir, log dir) and a
//! way to run the real `relm` binary against it with the real kernel keyring.

pub mod bench;
pub mod big;
pub mod forge;
pub mod git_http;
pub mod http;
pub mod scenes;

/// `relm calendar add` arguments for a hard weekend freeze on prod, Friday 18:00 to Monday 06:00
/// in Paris, every week from 19 March 2027.
pub const WEEKEND_FREEZE: &[&str] = &[
    "calendar",
    "add",
    "freeze",
    "--name",
    "Weekend freeze",
    "--start",
    "2027-03-19T18:00",
    "--end",
    "2027-03-22T06:00",
    "--tz",
    "Europe/Paris",
    "--rrule",
    "FREQ=WEEKLY;BYDAY=FR",
    "--env",
    "prod",
    "--reason",
    "nobody on call",
];

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `relm` binary built next to the test executable (`target/<profile>/relm`).
pub fn relm_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let bin = dir.join(format!("relm{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: build it with `cargo build -p relm-cli` (make test does)",
        bin.display()
    );
    bin
}

/// The repository's root (where `Cargo.toml`, `target/` and `tests/` are).
/// The reference readers' interpreter: the virtual environment `make test` prepares
/// (`tests/python/requirements.txt`).
pub fn python() -> PathBuf {
    let p = workspace_root().join("target/py/bin/python");
    assert!(
        p.exists(),
        "{} is missing: `make test` (or `make pyref`) installs the reference readers",
        p.display()
    );
    p
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the repository")
        .to_path_buf()
}

/// The smallest valid `release create` (a signed write).
pub const MINIMAL_CREATE: &[&str] = &[
    "release",
    "create",
    "--service",
    "a",
    "--version",
    "1.0.0",
    "--env",
    "p",
    "--title",
    "t",
];

/// `init` arguments for a founder, after `--data-dir`.
pub const INIT_ARGS: &[&str] = &[
    "init",
    "--workspace",
    "A",
    "--name",
    "B",
    "--email",
    "b@c.de",
];

/// The public key (`ed25519:...`) of a deterministic test key.
pub fn public_key_of(seed: u8) -> String {
    let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    relm_domain::keys::PublicKey(key.verifying_key()).to_string()
}

/// One replica in a temporary folder.
#[derive(Debug)]
pub struct Replica {
    pub root: tempfile::TempDir,
}

impl Default for Replica {
    fn default() -> Self {
        Self::new()
    }
}

impl Replica {
    pub fn new() -> Replica {
        Replica {
            root: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.root.path().join("data")
    }

    pub fn log_dir(&self) -> PathBuf {
        self.root.path().join("logs")
    }

    pub fn db_path(&self) -> PathBuf {
        relm_api::db_path(&self.data_dir())
    }

    /// A `relm` command for this replica (kernel keyring, trace logs into the replica folder).
    pub fn cmd(&self, args: &[&str]) -> Command {
        self.setup(Command::new(relm_bin()), args)
    }

    /// A `relm` command for this replica whose wall clock is off by `offset` (faketime's
    /// syntax: `+730d`, `-2h`), as on a laptop whose clock was set wrong.
    pub fn cmd_with_clock(&self, offset: &str, args: &[&str]) -> Command {
        let mut c = Command::new("faketime");
        c.arg("-f").arg(offset).arg(relm_bin());
        self.setup(c, args)
    }

    fn setup(&self, mut c: Command, args: &[&str]) -> Command {
        c.arg("--data-dir")
            .arg(self.data_dir())
            .args(args)
            .env("RELM_KEYRING", "kernel")
            .env("RELM_LOG_DIR", self.log_dir())
            .env("RELM_LOG", "trace")
            .env_remove("RELM_DATA_DIR")
            .env_remove("RELM_PASSPHRASE");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run relm")
    }

    /// Run, require exit 0, return stdout.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "relm {args:?} failed ({:?}):\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// Run with `--json`, require exit 0, parse stdout.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut a = args.to_vec();
        a.push("--json");
        serde_json::from_str(&self.ok(&a)).expect("JSON output")
    }

    /// Run, require the exit code, return stderr.
    #[track_caller]
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(code),
            "relm {args:?} should exit {code}; stderr: {err}; stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        err
    }

    /// Run with `--json`, require the exit code, return the error document's `error`.
    #[track_caller]
    pub fn refused(&self, args: &[&str], code: i32) -> serde_json::Value {
        let mut a = args.to_vec();
        a.push("--json");
        let out = self.run(&a);
        assert_eq!(
            out.status.code(),
            Some(code),
            "relm {a:?} should exit {code}; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
        doc["error"].clone()
    }

    /// `relm init` with a fixed founder.
    pub fn init(&self) -> serde_json::Value {
        self.json(&[
            "init",
            "--workspace",
            "Acme",
            "--name",
            "Ada Lovelace",
            "--email",
            "ada@acme.example",
        ])
    }

    /// How many ledger events of `kind` this replica holds.
    pub fn events_of(&self, kind: &str) -> i64 {
        self.db()
            .query_row("SELECT count(*) FROM events WHERE kind = ?1", [kind], |x| {
                x.get(0)
            })
            .expect("count events")
    }

    /// `relm --json connector add ARGS… --token-stdin` with `token` on standard input.
    pub fn connector_add(&self, args: &[&str], token: &str) -> Output {
        let mut a = vec!["--json", "connector", "add"];
        a.extend(args);
        a.push("--token-stdin");
        self.run_with_token(&a, token)
    }

    /// `relm ARGS…` with `token` and a newline on standard input.
    pub fn run_with_token(&self, args: &[&str], token: &str) -> Output {
        use std::io::Write;
        use std::process::Stdio;
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run relm");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{token}\n").as_bytes())
            .expect("write the token");
        child.wait_with_output().expect("relm ends")
    }

    /// [`Replica::connector_add`], which must succeed: the connection as added.
    #[track_caller]
    pub fn connector_added(&self, args: &[&str], token: &str) -> serde_json::Value {
        let out = self.connector_add(args, token);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON")
    }

    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.db_path()).expect("open db")
    }

    /// Require SQLite's `PRAGMA integrity_check` to pass.
    #[track_caller]
    pub fn assert_integrity(&self) {
        let ok: String = self
            .db()
            .query_row("PRAGMA integrity_check", [], |x| x.get(0))
            .expect("integrity check");
        assert_eq!(ok, "ok");
    }

    pub fn event_count(&self) -> i64 {
        self.db()
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
            .expect("count")
    }

    /// This replica's keyring namespace and identity key id (from its local state).
    pub fn keyring_entry(&self) -> (String, String) {
        self.db()
            .query_row(
                "SELECT (SELECT value FROM local_meta WHERE key = 'keyring_namespace'),
                        (SELECT value FROM local_meta WHERE key = 'identity_key_id')",
                [],
                |x| Ok((x.get(0)?, x.get(1)?)),
            )
            .expect("local state")
    }

    /// Plan a release to prod with a rollback plan, its window wall-clock in Paris; returns its
    /// id.
    pub fn plan_release(&self, service: &str, version: &str, start: &str, end: &str) -> String {
        self.json(&[
            "release",
            "create",
            "--service",
            service,
            "--version",
            version,
            "--env",
            "prod",
            "--title",
            "Planned release",
            "--start",
            start,
            "--end",
            end,
            "--tz",
            "Europe/Paris",
            "--rollback-plan",
            "redeploy the previous image",
        ])["id"]
            .as_str()
            .expect("id")
            .to_string()
    }

    /// Create a release; returns its id.
    pub fn create_release(&self, service: &str, version: &str) -> String {
        let v = self.json(&[
            "release",
            "create",
            "--service",
            service,
            "--version",
            version,
            "--env",
            "staging",
            "--env",
            "prod",
            "--type",
            "normal",
            "--title",
            "Faster refunds",
            "--rollback-plan",
            "redeploy previous image",
        ]);
        v["id"].as_str().expect("id").to_string()
    }

    /// Plan payments 4.2.0 "Refund batching" to staging then prod, its window 2026-03-10
    /// 10:00–12:00 Paris (09:00–11:00 UTC): in the past whatever today is. Returns its id.
    pub fn march_release(&self) -> String {
        self.json(&[
            "release",
            "create",
            "--service",
            "payments",
            "--version",
            "4.2.0",
            "--env",
            "staging",
            "--env",
            "prod",
            "--title",
            "Refund batching",
            "--start",
            "2026-03-10T10:00",
            "--end",
            "2026-03-10T12:00",
            "--tz",
            "Europe/Paris",
        ])["id"]
            .as_str()
            .expect("id")
            .to_string()
    }

    /// `relm deploy record` of a deployment of release `id` that ran from `start` to `end`
    /// (RFC 3339); returns the JSON outcome.
    #[track_caller]
    pub fn deploy(
        &self,
        id: &str,
        env: &str,
        outcome: &str,
        start: &str,
        end: &str,
    ) -> serde_json::Value {
        self.json(&[
            "deploy",
            "record",
            id,
            "--env",
            env,
            "--outcome",
            outcome,
            "--start",
            start,
            "--end",
            end,
        ])
    }

    /// `relm join` from a folder remote as a newcomer; returns the JSON outcome.
    pub fn join(&self, remote: &Path, name: &str) -> serde_json::Value {
        let email = format!("{}@acme.example", name.to_lowercase().replace(' ', "."));
        self.json(&[
            "join",
            "--remote",
            remote.to_str().expect("utf-8 path"),
            "--name",
            name,
            "--email",
            &email,
        ])
    }

    /// A new replica joined from the folder `remote` and added by this (admin) replica with
    /// `roles`; both synced afterwards.
    pub fn admit(&self, remote: &Path, name: &str, roles: &[&str]) -> Replica {
        let b = Replica::new();
        let joined = b.join(remote, name);
        let key = joined["public_key"]
            .as_str()
            .expect("public key")
            .to_string();
        self.ok(&["sync"]);
        let mut args = vec!["member", "add", "--key", key.as_str()];
        for r in roles {
            args.extend(["--role", r]);
        }
        self.ok(&args);
        self.ok(&["sync"]);
        b.ok(&["sync"]);
        b
    }

    /// Fingerprints of every projection table (equal on replicas holding the same events).
    pub fn digest(&self) -> Vec<(&'static str, [u8; 32])> {
        let store = relm_store::Store::open(&self.db_path()).expect("open store");
        relm_store::projection::digest(store.conn()).expect("digest")
    }

    /// Every file under `dir`, relative, sorted.
    pub fn files_under(dir: &Path) -> Vec<String> {
        fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(base, &p, out);
                } else if let Ok(rel) = p.strip_prefix(base) {
                    out.push(rel.display().to_string());
                }
            }
        }
        let mut out = Vec::new();
        walk(dir, dir, &mut out);
        out.sort();
        out
    }
}

/// A founder on a fresh folder remote, and a release manager (Bob) who joined and was added;
/// both synced.
pub fn team() -> (Replica, Replica, tempfile::TempDir) {
    let remote = tempfile::tempdir().expect("temp dir");
    let a = Replica::new();
    a.init();
    a.ok(&[
        "remote",
        "add",
        "origin",
        remote.path().to_str().expect("utf-8 path"),
    ]);
    a.ok(&["sync"]);
    let b = a.admit(remote.path(), "Bob", &["release-manager"]);
    (a, b, remote)
}

/// Why `r` did not apply the events of `kind` it received.
pub fn not_applied(r: &Replica, kind: &str) -> Vec<String> {
    r.db()
        .prepare("SELECT reason FROM not_applied WHERE kind = ?1")
        .expect("query")
        .query_map([kind], |x| x.get(0))
        .expect("rows")
        .map(|x| x.expect("row"))
        .collect()
}

/// A FIFO at `path`, as someone planting one in place of a file would make it.
#[track_caller]
pub fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(made, "mkfifo {}", path.display());
}

/// The wall clock now, in Unix milliseconds (for forged events' stamps).
pub fn now_ms() -> u64 {
    use relm_domain::clock::{Clock, SystemClock};
    SystemClock.now().timestamp_millis() as u64
}

/// An event of `kind` signed by hand with `r`'s own key, left on the remote as `replica`.
pub fn forge(r: &Replica, remote: &Path, replica: &str, kind: &str, payload: serde_json::Value) {
    let mut forger = forge::Forger::of(r);
    let ev = forger.next(now_ms(), kind, payload);
    forge::plant(remote, replica, &forger.workspace, &[ev]);
}

/// `npm sbom` of the fixture project `tests/corpus/sbom/<project>`, in `format`
/// (`cyclonedx` or `spdx`), written under `dir`.
pub fn npm_sbom(project: &str, format: &str, dir: &Path) -> PathBuf {
    let out = Command::new("npm")
        .args(["sbom", "--package-lock-only", "--sbom-format", format])
        .current_dir(workspace_root().join("tests/corpus/sbom").join(project))
        .env("npm_config_update_notifier", "false")
        .output()
        .expect("npm runs (make deps installs node)");
    assert!(
        out.status.success(),
        "npm sbom: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = dir.join(format!("{project}.{format}.json"));
    std::fs::write(&file, out.stdout).expect("write the SBOM");
    file
}

/// A replica opened on the data dir `dir` to read, as the app's pages do (on a connection of
/// its own; no key is needed to read, so none is held).
pub fn reader(dir: &Path) -> relm_api::Relm {
    relm_api::Relm::open(&relm_api::Options {
        data_dir: dir.to_path_buf(),
        clock: std::sync::Arc::new(relm_domain::clock::SystemClock),
        keyring: relm_api::KeyringChoice::Given(std::sync::Arc::new(
            relm_identity::keyring::MemoryKeyStore::default(),
        )),
    })
    .expect("open the data dir")
}

/// A new workspace of one member (Ada), in the use-cases directly, its clock pinned at
/// 2027-03-01 09:00 UTC.
pub fn pinned_workspace(
    name: &str,
) -> (
    tempfile::TempDir,
    std::sync::Arc<relm_domain::clock::FixedClock>,
    relm_api::Relm,
) {
    use chrono::TimeZone;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = std::sync::Arc::new(relm_domain::clock::FixedClock::new(
        chrono::Utc
            .with_ymd_and_hms(2027, 3, 1, 9, 0, 0)
            .single()
            .expect("a valid instant"),
    ));
    let options = relm_api::Options {
        data_dir: dir.path().to_path_buf(),
        clock: clock.clone(),
        keyring: relm_api::KeyringChoice::Given(std::sync::Arc::new(
            relm_identity::keyring::MemoryKeyStore::default(),
        )),
    };
    let (relm, _) = relm_api::workspace::init(
        &options,
        &relm_api::workspace::InitRequest {
            workspace: name.into(),
            name: "Ada Lovelace".into(),
            email: "ada@acme.example".into(),
        },
    )
    .expect("init");
    (dir, clock, relm)
}

/// A release of `service` to prod, through the use-cases; its id.
pub fn prod_release(relm: &mut relm_api::Relm, service: &str, version: &str) -> String {
    relm.create_release(&relm_api::releases::ReleaseInput {
        service: Some(service.into()),
        version: Some(version.into()),
        title: Some("Judged".into()),
        environments: Some(vec!["prod".into()]),
        ..Default::default()
    })
    .expect("a release")
    .id
}

/// "Ledger drift", a risk of the ledger scored 25 and owned by another member (Olga, added),
/// accepted by the workspace's member until `until` (a date): from then on it is active.
pub fn ledger_drift_accepted_until(relm: &mut relm_api::Relm, until: &str) {
    let owner = relm
        .add_member(
            &public_key_of(7),
            Some("Olga Owner"),
            None,
            &[relm_domain::role::Role::ReleaseManager],
        )
        .expect("Olga added");
    let risk = relm
        .add_risk(&relm_api::risks::RiskInput {
            owner: Some(owner.key_id),
            title: Some("Ledger drift".into()),
            category: Some("technical".into()),
            likelihood: Some(5),
            impact: Some(5),
            services: Some(vec!["ledger".into()]),
            ..Default::default()
        })
        .expect("a risk");
    relm.accept_risk(&risk.id, "until the migration", until)
        .expect("accepted");
}

/// `release`'s prod deployment failed, from twenty minutes before `end` to `end`, recorded
/// through the use-cases five minutes after it (the clock is moved there).
pub fn failed_in_prod(
    relm: &mut relm_api::Relm,
    clock: &relm_domain::clock::FixedClock,
    release: &str,
    end: chrono::DateTime<chrono::Utc>,
) {
    clock.set(end + chrono::Duration::minutes(5));
    relm.record_deployment_full(&relm_api::deployments::DeploymentInput {
        release: release.into(),
        environment: "prod".into(),
        outcome: "failed".into(),
        start: Some(relm_domain::window::fmt_utc(
            end - chrono::Duration::minutes(20),
        )),
        end: Some(relm_domain::window::fmt_utc(end)),
        ..Default::default()
    })
    .expect("a failed deployment");
}
