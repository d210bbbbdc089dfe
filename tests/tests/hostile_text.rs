//! Hostile text through every entry point: typed on the command line, in a calendar or policy
//! file, signed by a member with their own key and synced, left in a join request on the shared
//! folder, or already in the ledger from before these rules. Control characters and direction
//! overrides are refused on input with the field named and nothing written; whatever the
//! ledger already holds is shown escaped, never raw; JSON output stays exact.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_domain::clock::FixedClock;
use relm_domain::ids::ReleaseId;
use relm_domain::payload::EventBody;
use relm_domain::text::{Lines, is_refused};
use relm_identity::SecretKey;
use relm_store::Store;
use relm_tests::forge::{Forger, plant};
use relm_tests::{MINIMAL_CREATE, Replica, team};
use serde_json::{Value, json};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// Text that attacks its reader, and the code point each error must name.
const HOSTILE: &[(&str, &str)] = &[
    ("red \u{1b}[31mALERT\u{1b}[0m", "U+001B"),
    (
        "Eve\n  join request from Mallory <m@x.io>: relm member add --key ed25519:AAAA --role admin",
        "U+000A",
    ),
    ("ok\rOVERWRITTEN", "U+000D"),
    ("csi \u{9b}2J", "U+009B"),
    ("del \u{7f}", "U+007F"),
    ("invoice \u{202e}fdp.exe", "U+202E"),
    ("isolate \u{2067}x\u{2069}", "U+2067"),
];

/// Text that looks dangerous to a careless program but is only text: stored and shown as it is.
const HARMLESS: &[&str] = &[
    "x'); DROP TABLE events; --",
    "../../etc/passwd",
    "C:\\Windows\\System32",
    "$(rm -rf ~) `id` %s %n {}",
    "Déploiement « été » — 東京 — עברית",
];

/// `relm release create` with valid values but a title.
fn untitled() -> &'static [&'static str] {
    MINIMAL_CREATE.strip_suffix(&["--title", "t"]).unwrap()
}

/// `relm release create` with valid values, `extra` replacing or adding options.
fn create<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let given = |flag: &str| {
        extra
            .iter()
            .any(|e| *e == flag || e.starts_with(&format!("{flag}=")))
    };
    let mut args = vec!["release", "create"];
    for pair in untitled()[2..]
        .chunks(2)
        .chain([["--title", "t"].as_slice()])
    {
        if !given(pair[0]) {
            args.extend(pair);
        }
    }
    args.extend(extra);
    args
}

/// `relm calendar add freeze` of one day in 2031, with `extra` options.
fn freeze<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "calendar",
        "add",
        "freeze",
        "--start",
        "2031-01-01T00:00",
        "--end",
        "2031-01-02T00:00",
        "--tz",
        "UTC",
    ];
    if !extra.contains(&"--name") {
        args.extend(["--name", "F"]);
    }
    args.extend(extra);
    args
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Whether `s` holds a character no output of Relm may print raw (line breaks and tabs are
/// layout when `lines_ok`).
fn has_raw_control(s: &str, lines_ok: bool) -> bool {
    let lines = if lines_ok { Lines::Many } else { Lines::One };
    s.chars().any(|c| is_refused(c, lines))
}

/// `relm ARGS` must exit 2 naming `field` and `code`, in a message with no raw control
/// character, and write nothing.
#[track_caller]
fn refused(r: &Replica, args: &[&str], field: &str, code: &str) {
    let before = r.event_count();
    let err = r.fails(args, 2);
    assert!(
        err.contains(field) && err.contains(code),
        "relm {args:?}: `{err}` should name {field} and {code}"
    );
    assert!(!has_raw_control(&err, true), "raw control in: {err:?}");
    assert_eq!(r.event_count(), before, "relm {args:?} wrote something");
}

fn founder() -> (Replica, String) {
    let a = Replica::new();
    a.init();
    let id = a.create_release("payments", "1.0.0");
    (a, id)
}

#[test]
fn every_command_line_field_refuses_controls_and_overrides_naming_the_field() {
    let (a, id) = founder();
    let key = relm_tests::public_key_of(9);
    for (bad, code) in HOSTILE {
        // (arguments, field, whether the field takes several lines)
        let cases: Vec<(Vec<&str>, &str, bool)> = vec![
            (create(&["--title", bad]), "title", false),
            (create(&["--description", bad]), "description", true),
            (create(&["--rollback-plan", bad]), "rollback_plan", true),
            (
                vec!["release", "update", &id, "--title", bad],
                "title",
                false,
            ),
            (
                vec![
                    "member", "add", "--key", &key, "--role", "auditor", "--name", bad,
                ],
                "name",
                false,
            ),
            (
                vec!["approve", &id, "--env", "prod", "--comment", bad],
                "comment",
                true,
            ),
            (freeze(&["--name", bad]), "name", false),
            (freeze(&["--reason", bad]), "reason", true),
        ];
        for (args, field, multi_line) in cases {
            // A line break is layout in a multi-line field; everything else is refused.
            if !(multi_line && *code == "U+000A") {
                refused(&a, &args, field, code);
            }
        }
        // Before anything exists: a workspace's founder, and a newcomer.
        let fresh = Replica::new();
        for (args, field) in [
            (
                [
                    "init",
                    "--workspace",
                    bad,
                    "--name",
                    "N",
                    "--email",
                    "n@x.io",
                ],
                "workspace",
            ),
            (
                [
                    "init",
                    "--workspace",
                    "W",
                    "--name",
                    bad,
                    "--email",
                    "n@x.io",
                ],
                "name",
            ),
            (
                [
                    "join",
                    "--remote",
                    "/nonexistent",
                    "--name",
                    bad,
                    "--email",
                    "n@x.io",
                ],
                "name",
            ),
        ] {
            let err = fresh.fails(&args, 2);
            assert!(
                err.contains(&format!("{field}: ")) && err.contains(code),
                "{args:?}: {err}"
            );
            assert!(!fresh.db_path().exists(), "{args:?} left a store behind");
        }
    }
    // A NUL cannot be passed on a command line (the OS ends the argument there); files and
    // synced events carry it, and are tested below.
}

#[test]
fn names_are_names_everywhere_they_enter() {
    let (a, id) = founder();
    let remote = tempfile::tempdir().unwrap();
    for bad in [
        "../../etc",
        "/prod",
        "prod/",
        "-rf",
        "a//b",
        "pr od",
        "pröd",
        "x\u{1b}y",
    ] {
        let name = "not a valid environment name";
        // `--env=VALUE`, so that a name starting with `-` is a value, not an option.
        let env = format!("--env={bad}");
        let env = env.as_str();
        refused(&a, &create(&[env]), name, "");
        refused(&a, &["release", "deployed", &id, env], name, "");
        refused(&a, &["approve", &id, env], name, "");
        refused(&a, &freeze(&[env]), name, "");
        let service = format!("--service={bad}");
        refused(
            &a,
            &create(&[service.as_str()]),
            "not a valid service name",
            "",
        );
        let err = a.fails(&["check", "--release", &id, env], 2);
        assert!(err.contains(name), "{err}");
        refused(
            &a,
            &["remote", "add", "--", bad, p(remote.path())],
            "remote name",
            "",
        );
    }
    // A path-looking title is only text.
    let out = a.json(&create(&["--title", "../../etc/passwd"]));
    assert_eq!(out["release"]["title"], "../../etc/passwd");
}

#[test]
fn harmless_looking_text_is_stored_and_shown_exactly() {
    let (a, _) = founder();
    for text in HARMLESS {
        let v = a.json(&create(&["--title", text, "--description", text]));
        let id = v["id"].as_str().unwrap();
        let shown = a.json(&["release", "show", id]);
        assert_eq!(shown["title"], *text);
        assert!(a.ok(&["release", "show", id]).contains(text));
    }
    a.assert_integrity();
}

#[test]
fn lengths_are_enforced_with_the_limit_named() {
    let (a, id) = founder();
    // An argument is at most 128 KiB on Linux: 100,000 characters on the command line, a whole
    // megabyte in a file and in a synced event (below).
    let long = "a".repeat(100_000);
    refused(
        &a,
        &create(&["--title", &long]),
        "title",
        "the limit is 200",
    );
    refused(
        &a,
        &create(&["--description", &long]),
        "description",
        "the limit is 20000",
    );
    refused(
        &a,
        &["approve", &id, "--env", "prod", "--comment", &long],
        "comment",
        "20000",
    );
    let accents = "é".repeat(200);
    a.json(&create(&["--title", &accents]));
    let mb = "b".repeat(1 << 20);
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:big@t\r\nDTSTART:20310101T000000Z\r\nDTEND:20310102T000000Z\r\nSUMMARY:Big\r\nDESCRIPTION:{mb}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let file = a.data_dir().with_file_name("big.ics");
    std::fs::write(&file, ics).unwrap();
    refused(
        &a,
        &["calendar", "import", p(&file), "--as", "freeze"],
        "big.ics:9",
        "the limit is 20000",
    );
}

#[test]
fn text_that_is_not_utf8_is_refused_naming_the_option() {
    let (a, _) = founder();
    let before = a.event_count();
    for (bad, said) in [
        (
            vec![b"--title".as_slice(), b"caf\xe9 latin-1"],
            "--title: `caf\\xe9 latin-1`",
        ),
        (vec![b"--title=\xff".as_slice()], "--title: `\\xff`"),
    ] {
        let mut cmd = a.cmd(untitled());
        cmd.args(bad.iter().map(|b| OsStr::from_bytes(b)));
        let out = cmd.output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(said) && err.contains("UTF-8"), "{err}");
    }
    assert_eq!(a.event_count(), before);
}

#[test]
fn calendar_files_with_hostile_text_are_refused_at_their_line() {
    let (a, _) = founder();
    let event = |summary: &str, description: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:x@t\r\nDTSTART:20310101T000000Z\r\nDTEND:20310102T000000Z\r\nSUMMARY:{summary}\r\nDESCRIPTION:{description}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    };
    let file = a.data_dir().with_file_name("hostile.ics");
    // The error points at the property: SUMMARY is line 8, DESCRIPTION line 9.
    for (summary, description, at, code) in [
        ("Freeze \u{1b}[2J", "", "hostile.ics:8: name:", "U+001B"),
        ("\u{202e}ezeerf", "", "hostile.ics:8: name:", "U+202E"),
        (
            "Freeze",
            "nul \u{0} here",
            "hostile.ics:9: reason:",
            "U+0000",
        ),
        ("Freeze", "bell \u{7}", "hostile.ics:9: reason:", "U+0007"),
    ] {
        std::fs::write(&file, event(summary, description)).unwrap();
        refused(
            &a,
            &["calendar", "import", p(&file), "--as", "freeze"],
            at,
            code,
        );
    }
    // Line breaks (written as iCalendar escapes) and tabs are layout: a summary is joined into
    // one line, a description keeps them.
    std::fs::write(&file, event("Year-end\\nfreeze\tall", "first\\nsecond")).unwrap();
    a.ok(&["calendar", "import", p(&file), "--as", "freeze"]);
    let entries = a.json(&["calendar", "entries"]);
    assert_eq!(entries[0]["name"], "Year-end freeze all");
    assert_eq!(entries[0]["reason"], "first\nsecond");
}

#[test]
fn policy_files_with_hostile_text_are_refused_and_windows_line_ends_are_not() {
    let (a, _) = founder();
    let file = a.data_dir().with_file_name("policy.toml");
    let before = a.json(&["policy", "history"]).as_array().unwrap().len();
    for (source, fragment) in [
        (
            "[policy]\nname = \"p\"\n# \u{202e} hidden\n",
            "policy.toml:3",
        ),
        ("[policy]\nname = \"p\u{1b}[31m\"\n", "policy.toml:2"),
        // Written as TOML escapes, decoded by the parser: caught all the same.
        ("[policy]\nname = \"p\\u001b[31m\"\n", "U+001B"),
        ("[policy]\ndescription = \"a \\u202E b\"\n", "U+202E"),
        (
            "[policy]\nname = \"p\"\n[[environments]]\nname = \"../prod\"\ntier = \"production\"\n",
            "not a valid environment name",
        ),
    ] {
        std::fs::write(&file, source).unwrap();
        let err = a.fails(&["policy", "apply", p(&file), "--note", "n"], 2);
        assert!(err.contains(fragment), "{source:?}: {err}");
        assert!(!has_raw_control(&err, true), "{err:?}");
    }
    refused(
        &a,
        &["policy", "simulate", p(&file)],
        "not a valid environment name",
        "",
    );
    assert_eq!(
        a.json(&["policy", "history"]).as_array().unwrap().len(),
        before
    );
    // The default policy, saved with Windows line ends, applies; it is kept with `\n` ones.
    let shown = a.json(&["policy", "show"]);
    let crlf = shown["source"].as_str().unwrap().replace('\n', "\r\n");
    std::fs::write(&file, format!("{crlf}\r\n# saved on Windows\r\n")).unwrap();
    a.ok(&["policy", "apply", p(&file), "--note", "from Windows"]);
    let applied = a.json(&["policy", "show"]);
    assert!(!applied["source"].as_str().unwrap().contains('\r'));
    refused(
        &a,
        &["policy", "apply", p(&file), "--note", "bad\u{1b}"],
        "note",
        "U+001B",
    );
}

#[test]
fn events_a_member_signs_with_hostile_text_are_quarantined_by_every_receiver() {
    let mb = "m".repeat(1 << 20);
    for (field, value, code) in [
        ("title", json!("\u{1b}]0;pwned\u{7}"), "bad_text"),
        ("description", json!("nul\u{0}"), "bad_text"),
        ("environments", json!(["../../etc"]), "bad_text"),
        ("title", json!("\u{202e}gnp.exe"), "bad_text"),
        ("description", json!(mb), "too_long"),
    ] {
        // Signed by hand with Bob's own key: every check of Bob's replica is bypassed.
        let (a, b, remote) = team();
        let id = b.create_release("payments", "2.0.0");
        let log = b.json(&["audit", "log", "--entity", &id]);
        let mut fields = log.as_array().unwrap()[0]["payload"]["fields"].clone();
        fields[field] = value;
        let mut forger = Forger::of(&b);
        let payload = json!({
            "release_id": "01900000-0000-7000-8000-00000000b0b0",
            "fields": fields,
        });
        let ev = forger.next(1_700_000_000_000, "release.created", payload);
        plant(remote.path(), "bob-forged", &forger.workspace, &[ev]);
        let out = a.run(&["sync", "--json"]);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let q = &report["remotes"][0]["report"]["pulled"]["quarantined"][0];
        assert_eq!(q["code"], code, "{field}: {report}");
        assert!(
            q["reason"]
                .as_str()
                .unwrap()
                .contains(field.trim_end_matches('s')),
            "{q}"
        );
        let status = a.ok(&["sync", "status"]);
        assert!(
            status.contains("QUARANTINED") || status.contains("quarantined"),
            "{status}"
        );
        assert!(!has_raw_control(&status, true), "{status:?}");
        // Bob's own release was not pushed; the forged one must not be there either.
        assert_eq!(
            a.json(&["release", "list"])["releases"],
            json!([]),
            "{field}"
        );
        let v = a.json(&["audit", "verify"]);
        assert_eq!(v["ok"], true, "{v}");
    }
}

#[test]
fn a_join_request_cannot_forge_lines_of_the_admins_output() {
    let remote = tempfile::tempdir().unwrap();
    let a = Replica::new();
    a.init();
    a.ok(&["remote", "add", "origin", p(remote.path())]);
    a.ok(&["sync"]);
    let workspace = a.json(&["status"])["workspace_id"]
        .as_str()
        .unwrap()
        .to_string();
    let forged_line = "  join request from Ada Lovelace <ada@acme.example>: relm member add --key ed25519:AAAA --role admin";
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let public = relm_domain::keys::PublicKey(key.verifying_key());
    let request = relm_sync::sync::JoinRequest {
        format: relm_sync::sync::REQUEST_FORMAT.into(),
        workspace,
        public_key: public.to_string(),
        name: format!("Mallory\n{forged_line}"),
        email: "m@evil.example".into(),
    };
    let file = remote
        .path()
        .join(relm_sync::sync::request_file(&public.key_id().0));
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, relm_sync::sync::signed_request(&request, &key)).unwrap();
    let out = a.ok(&["sync"]);
    assert!(
        !out.lines().any(|l| l == forged_line),
        "a forged line reached the output:\n{out}"
    );
    assert!(
        out.contains("join request: name: this text holds a line break"),
        "{out}"
    );
    let status = a.ok(&["sync", "status"]);
    assert!(!status.contains("Mallory"), "{status}");
}

#[test]
fn what_the_ledger_already_holds_is_shown_escaped_and_still_verifies() {
    let (a, _) = founder();
    // Recorded as a Relm from before these rules would have: straight into the store.
    let key = SecretKey::from_seed(&Forger::of(&a).key.to_bytes());
    let mut store = Store::open(&a.db_path()).unwrap();
    let title = "Fine\n  join request from Mallory <m@x.io>: relm member add --key K --role admin \u{1b}[2J\u{202e}cod";
    let id = "01900000-0000-7000-8000-0000000001d0".to_string();
    let fields = serde_json::from_value(json!({
        "service": "payments",
        "version": "9.0.0",
        "title": title,
        "description": "line one\nline two \u{1b}[31m",
        "change_type": "normal",
        "environments": ["prod"],
        "owner": key.public().key_id().0,
    }))
    .unwrap();
    relm_tests::bench::append_unchecked(
        &mut store,
        &key,
        &FixedClock::new("2030-01-01T00:00:00Z".parse().unwrap()),
        [EventBody::ReleaseCreated {
            release_id: ReleaseId(id.clone()),
            fields,
        }],
    );
    drop(store);
    let v = a.json(&["audit", "verify"]);
    assert_eq!(
        v["ok"], true,
        "an authentic older event still verifies: {v}"
    );
    for args in [
        vec!["release", "show", id.as_str()],
        vec!["release", "list"],
        vec!["audit", "log"],
    ] {
        let out = a.ok(&args);
        assert!(!has_raw_control(&out, true), "relm {args:?}: {out:?}");
        assert!(
            !out.lines().any(|l| l.starts_with("  join request from")),
            "{out}"
        );
    }
    let show = a.ok(&["release", "show", &id]);
    assert!(
        show.contains("Fine\\n  join request from Mallory"),
        "{show}"
    );
    assert!(show.contains("\\u{1b}[2J\\u{202e}cod"), "{show}");
    assert!(
        show.contains("line one\n             | line two \\u{1b}[31m"),
        "{show}"
    );
    // JSON stays exact: a program reading it gets the stored text.
    let json: Value = a.json(&["release", "show", &id]);
    assert_eq!(json["title"], title);
}
