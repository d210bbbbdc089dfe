//! Bad input gets a clear message and exit 2, and nothing is written.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_tests::Replica;

#[track_caller]
fn refused(r: &Replica, args: &[&str], fragment: &str) {
    let before = r.event_count();
    let err = r.fails(args, 2);
    assert!(
        err.contains(fragment),
        "relm {args:?}: `{err}` should mention `{fragment}`"
    );
    assert_eq!(
        r.event_count(),
        before,
        "relm {args:?} must not write anything"
    );
}

const CREATE: &[&str] = &["release", "create", "--env", "prod", "--title", "T"];

fn create<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    [CREATE, extra].concat()
}

/// A release create with a planned window.
fn window<'a>(start: &'a str, end: &'a str, tz: &'a str) -> Vec<&'a str> {
    create(&[
        "--service",
        "api",
        "--version",
        "1.0.0",
        "--start",
        start,
        "--end",
        end,
        "--tz",
        tz,
    ])
}

#[test]
fn release_fields_are_validated_before_anything_is_written() {
    let r = Replica::new();
    r.init();
    refused(
        &r,
        &create(&["--service", "api", "--version", "1.4"]),
        "not a semantic version",
    );
    refused(
        &r,
        &create(&["--service", "", "--version", "1.4.0"]),
        "service name is empty",
    );
    refused(
        &r,
        &window("2027-03-19T18:00", "2027-03-19T17:00", "UTC"),
        "before or when it starts",
    );
    refused(
        &r,
        &window("2027-03-19T18:00", "2027-03-19T19:00", "Europe/Atlantis"),
        "unknown time zone",
    );
    refused(
        &r,
        &create(&["--service", "api", "--version", "1.0.0", "--type", "yolo"]),
        "unknown change type",
    );
    refused(
        &r,
        &create(&[
            "--service",
            "api",
            "--version",
            "1.0.0",
            "--component",
            "only-a-name",
        ]),
        "NAME|VERSION",
    );
    refused(
        &r,
        &[
            "release",
            "create",
            "--service",
            "api",
            "--version",
            "1.0.0",
            "--type",
            "normal",
            "--title",
            "T",
        ],
        "at least one target environment",
    );
    refused(
        &r,
        &[
            "release",
            "create",
            "--service",
            "api",
            "--version",
            "1.0.0",
            "--env",
            "prod",
            "--start",
            "2027-03-19T18:00",
        ],
        "required",
    );
}

#[test]
fn unknown_ids_and_illegal_transitions_are_refused() {
    let r = Replica::new();
    r.init();
    let id = r.create_release("api", "1.0.0");
    refused(
        &r,
        &["release", "show", "0000000000000000"],
        "no release with id",
    );
    refused(
        &r,
        &["release", "status", "ffffffff-0000", "planned"],
        "no release with id",
    );
    refused(
        &r,
        &["release", "status", &id, "deployed"],
        "allowed next: planned, cancelled",
    );
    refused(&r, &["release", "status", &id, "shipped"], "unknown status");
    refused(&r, &["release", "update", &id], "nothing to change");
}

#[test]
fn commands_without_a_workspace_say_how_to_create_one() {
    let r = Replica::new();
    let err = r.fails(&["release", "list"], 2);
    assert!(err.contains("relm init"), "{err}");
    assert!(
        !r.data_dir().exists(),
        "a read command must not create the data dir"
    );
}

fn bare(r: &Replica) -> std::process::Command {
    let mut c = std::process::Command::new(relm_tests::relm_bin());
    c.env("RELM_KEYRING", "kernel")
        .env("RELM_LOG_DIR", r.log_dir());
    c
}

#[test]
fn a_data_dir_that_is_not_writable_is_refused() {
    let r = Replica::new();
    // A regular file where a folder should be, and a folder inside /proc: neither can become
    // a data dir, whatever the user's privileges.
    let file = r.root.path().join("not-a-folder");
    std::fs::write(&file, b"x").unwrap();
    for dir in [
        file.join("sub"),
        std::path::PathBuf::from("/proc/relm-cannot-be-here"),
    ] {
        let out = bare(&r)
            .arg("--data-dir")
            .arg(&dir)
            .args(relm_tests::INIT_ARGS)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", dir.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("writable --data-dir"), "{err}");
    }
}

#[test]
fn a_store_from_a_newer_relm_is_refused_untouched() {
    let r = Replica::new();
    r.init();
    r.db().execute_batch("PRAGMA user_version = 42").unwrap();
    let before = std::fs::read(r.db_path()).unwrap();
    let err = r.fails(&["release", "list"], 2);
    assert!(
        err.contains("newer Relm") && err.contains("upgrade"),
        "{err}"
    );
    let err = r.fails(relm_tests::MINIMAL_CREATE, 2);
    assert!(err.contains("newer Relm"), "{err}");
    assert_eq!(
        std::fs::read(r.db_path()).unwrap(),
        before,
        "the newer store must not be modified"
    );
}

#[test]
fn a_file_that_is_not_a_store_is_refused() {
    // Where the store is, and where the first layout kept it (it would be moved from there).
    for first_layout in [false, true] {
        let r = Replica::new();
        let path = if first_layout {
            r.data_dir().join("relm.db")
        } else {
            r.db_path()
        };
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = b"this is not sqlite at all, just some text that is long enough";
        std::fs::write(&path, text).unwrap();
        let err = r.fails(&["release", "list"], 2);
        assert!(
            err.contains("not a Relm store") || err.contains("not a database"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), text, "left as it was");
    }
}

#[test]
fn init_refuses_missing_or_bad_founder_details() {
    let r = Replica::new();
    let err = r.fails(
        &[
            "init",
            "--workspace",
            "Acme",
            "--name",
            "Ada",
            "--email",
            "not-an-email",
        ],
        2,
    );
    assert!(err.contains("not an e-mail address"), "{err}");
    let err = r.fails(
        &[
            "init",
            "--workspace",
            " ",
            "--name",
            "Ada",
            "--email",
            "a@b.io",
        ],
        2,
    );
    assert!(err.contains("workspace"), "{err}");
    // Without a terminal, missing options are errors rather than prompts.
    let err = r.fails(&["init", "--name", "Ada", "--email", "a@b.io"], 2);
    assert!(err.contains("Workspace name is required"), "{err}");
}

/// One submit, every problem: each on its own line for a person, each with its field and code
/// in the JSON, and nothing written.
#[test]
fn every_problem_of_a_submit_is_reported_at_once() {
    let r = Replica::new();
    r.init();
    let before = r.json(&["status"])["events"].clone();
    let args = [
        "release",
        "create",
        "--service",
        "",
        "--version",
        "1.x",
        "--env",
        "prod",
        "--title",
        "",
        "--start",
        "2027-03-19T18:00",
        "--end",
        "2027-03-19T17:00",
        "--tz",
        "Mars/Olympus",
    ];
    let err = r.fails(&args, 2);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 4, "{err}");
    assert!(lines.iter().all(|l| l.starts_with("error: ")), "{err}");
    let out = r.run(&[&["--json"][..], &args[..]].concat());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(String, String)> = v["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["field"].as_str().unwrap().to_string(),
                p["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("tz", "unknown_zone"),
        ("service", "required"),
        ("version", "bad_version"),
        ("title", "required"),
    ]
    .map(|(f, c)| (f.to_string(), c.to_string()));
    assert_eq!(got, want);
    assert_eq!(v["error"]["problems"][0]["params"]["value"], "Mars/Olympus");
    assert_eq!(r.json(&["status"])["events"], before, "nothing written");
}
