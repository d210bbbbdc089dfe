//! Calendar subscription files, one per audience, through the `relm` binary: written when
//! added, rewritten by `relm calendar export` only when their content changed (or the file is
//! gone), read by Python's `icalendar`; bad paths and scopes refused with nothing kept; a link
//! planted where the file goes replaced, never followed; one folder gone does not stop the
//! others.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::path::Path;
use std::process::Command;

use relm_tests::Replica;
use serde_json::Value;

fn release(r: &Replica, service: &str, env: &str, day: &str) {
    r.json(&[
        "release",
        "create",
        "--service",
        service,
        "--version",
        "1.0.0",
        "--env",
        env,
        "--title",
        &format!("{service} goes out"),
        "--start",
        &format!("2027-03-{day}T10:00"),
        "--end",
        &format!("2027-03-{day}T11:00"),
        "--tz",
        "Europe/Paris",
    ]);
}

fn freeze(r: &Replica, name: &str, env: &str, day: &str) {
    r.ok(&[
        "calendar",
        "add",
        "freeze",
        "--name",
        name,
        "--start",
        &format!("2027-03-{day}T18:00"),
        "--end",
        &format!("2027-03-{day}T23:00"),
        "--tz",
        "Europe/Paris",
        "--env",
        env,
    ]);
}

fn feed(r: &Replica, name: &str, file: &Path, scope: &[&str]) -> Value {
    let mut a = vec![
        "calendar",
        "feed",
        "add",
        name,
        "--out",
        file.to_str().unwrap(),
    ];
    for s in scope {
        a.extend(["--scope", s]);
    }
    r.json(&a)
}

/// `relm calendar export` with no file: what it did to each subscription, by name.
fn refresh(r: &Replica) -> Vec<(String, bool)> {
    r.json(&["calendar", "export"])["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_string(),
                f["written"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn events(file: &Path) -> usize {
    std::fs::read_to_string(file)
        .unwrap()
        .matches("BEGIN:VEVENT")
        .count()
}

#[test]
fn each_audience_file_is_kept_current_and_rewritten_only_when_it_changes() {
    let r = Replica::new();
    r.init();
    release(&r, "api", "prod", "23");
    release(&r, "web", "staging", "24");
    freeze(&r, "Quarter close", "prod", "26");
    let dir = tempfile::tempdir().unwrap();
    let (all, prod, api) = (
        dir.path().join("all.ics"),
        dir.path().join("prod.ics"),
        dir.path().join("api.ics"),
    );
    assert_eq!(feed(&r, "everyone", &all, &[])["events"], 3);
    assert_eq!(feed(&r, "production", &prod, &["env:prod"])["events"], 2);
    assert_eq!(feed(&r, "api-team", &api, &["service:api"])["events"], 2);
    let text = std::fs::read_to_string(&prod).unwrap();
    assert!(text.contains("X-WR-CALNAME:Acme release calendar — production"));
    assert!(text.contains("api 1.0.0") && !text.contains("web 1.0.0"));
    assert!(!std::fs::read_to_string(&api).unwrap().contains("web 1.0.0"));

    // Python's icalendar reads the production file's calendar entry: the freeze, once.
    let out = Command::new("/usr/bin/python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/python/ics_occurrences.py"
        ))
        .args([
            prod.to_str().unwrap(),
            "2027-01-01T00:00:00Z",
            "2028-01-01T00:00:00Z",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(read.as_array().unwrap().len(), 1, "{read}");
    assert_eq!(read[0]["start_utc"], "2027-03-26T17:00:00Z");

    // Nothing changed: nothing is written (the files keep their time, and the subscription
    // the time it was last written, set back here so that a new one would show).
    r.db()
        .execute(
            "UPDATE calendar_feeds SET last_written_ms = 1000 WHERE name = 'production'",
            [],
        )
        .unwrap();
    let before = std::fs::metadata(&prod).unwrap().modified().unwrap();
    let bytes = std::fs::read(&all).unwrap();
    assert_eq!(
        refresh(&r),
        [
            ("api-team".to_string(), false),
            ("everyone".to_string(), false),
            ("production".to_string(), false)
        ]
    );
    assert_eq!(
        std::fs::metadata(&prod).unwrap().modified().unwrap(),
        before
    );
    assert_eq!(std::fs::read(&all).unwrap(), bytes);
    let list = r.json(&["calendar", "feed", "list"]);
    assert_eq!(list["feeds"][2]["name"], "production");
    assert_eq!(list["feeds"][2]["last_written_at"], "1970-01-01T00:00:01Z");

    // A staging freeze changes the files of those it concerns, not production's.
    freeze(&r, "Staging rebuild", "staging", "27");
    let done = refresh(&r);
    assert!(done.contains(&("everyone".into(), true)), "{done:?}");
    assert!(done.contains(&("production".into(), false)), "{done:?}");
    assert_eq!(events(&all), 4);
    assert_eq!(
        std::fs::metadata(&prod).unwrap().modified().unwrap(),
        before
    );

    // A file removed is written again.
    std::fs::remove_file(&prod).unwrap();
    assert!(refresh(&r).contains(&("production".into(), true)));
    assert_eq!(events(&prod), 2);
    let list = r.json(&["calendar", "feed", "list"]);
    assert_eq!(list["feeds"].as_array().unwrap().len(), 3);
    assert_eq!(list["feeds"][2]["scope"][0], "env:prod");
    assert!(list["feeds"][2]["last_written_at"].is_string());

    // Removed: no longer kept current, its file stays.
    r.ok(&["calendar", "feed", "remove", "production"]);
    assert_eq!(refresh(&r).len(), 2);
    assert!(prod.exists());
}

fn p_of(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn bad_paths_and_scopes_are_refused_and_a_planted_link_is_replaced_not_followed() {
    let r = Replica::new();
    r.init();
    release(&r, "api", "prod", "23");
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("prod.ics");
    let missing = dir.path().join("nowhere/prod.ics");
    let txt = dir.path().join("prod.txt");
    let a_folder = dir.path().join("folder.ics");
    std::fs::create_dir(&a_folder).unwrap();
    // Each bad path with what the CLI says and the reason the app words.
    let cases: [(Vec<&str>, &str, Option<&str>); 7] = [
        (vec!["--out", "prod.ics"], "full path", Some("relative")),
        (
            vec!["--out", txt.to_str().unwrap()],
            ".ics",
            Some("not_ics"),
        ),
        (
            vec!["--out", missing.to_str().unwrap()],
            "does not exist",
            Some("no_folder"),
        ),
        (
            vec!["--out", dir.path().to_str().unwrap()],
            ".ics",
            Some("not_ics"),
        ),
        (
            vec!["--out", a_folder.to_str().unwrap()],
            "this is a folder",
            Some("is_folder"),
        ),
        (
            vec!["--out", good.to_str().unwrap(), "--scope", "planet:mars"],
            "not a scope",
            None,
        ),
        (
            vec!["--out", good.to_str().unwrap(), "--scope", "nothing-known"],
            "neither an environment",
            None,
        ),
    ];
    for (args, said, reason) in cases {
        let mut a = vec!["calendar", "feed", "add", "prod"];
        a.extend(&args);
        let err = r.fails(&a, 2);
        assert!(err.contains(said), "{args:?}: {err}");
        if let Some(reason) = reason {
            let problem = r.refused(&a, 2)["problems"][0].clone();
            assert_eq!(
                (
                    &problem["field"],
                    &problem["code"],
                    &problem["params"]["reason"]
                ),
                (&"path".into(), &"bad_file".into(), &reason.into()),
                "{args:?}"
            );
        }
    }
    std::fs::remove_dir(&a_folder).unwrap();
    assert_eq!(
        r.json(&["calendar", "feed", "list"])["feeds"],
        serde_json::json!([])
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    // The same name or the same file twice: refused.
    feed(&r, "prod", &good, &["env:prod"]);
    let err = r.fails(
        &[
            "calendar",
            "feed",
            "add",
            "prod",
            "--out",
            dir.path().join("b.ics").to_str().unwrap(),
        ],
        2,
    );
    assert!(err.contains("exists"), "{err}");
    let same_file = [
        "calendar",
        "feed",
        "add",
        "other",
        "--out",
        good.to_str().unwrap(),
    ];
    let err = r.fails(&same_file, 2);
    assert!(err.contains("another subscription"), "{err}");
    let taken = &r.refused(&same_file, 2)["problems"][0];
    assert_eq!(taken["params"]["reason"], "taken", "{taken}");

    // Someone with write access to the shared folder puts a link where the file goes, to make
    // Relm overwrite a file of theirs choosing: the link is replaced, the file untouched.
    let victim = r.root.path().join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    std::fs::remove_file(&good).unwrap();
    std::os::unix::fs::symlink(&victim, &good).unwrap();
    assert!(refresh(&r).contains(&("prod".into(), true)));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    assert!(
        std::fs::symlink_metadata(&good)
            .unwrap()
            .file_type()
            .is_file()
    );

    // One folder gone: its refresh fails with the reason, the others are still written.
    let other_dir = tempfile::tempdir().unwrap();
    let other = other_dir.path().join("all.ics");
    feed(&r, "all", &other, &[]);
    release(&r, "web", "staging", "24");
    drop(dir);
    let out = r.run(&["--json", "calendar", "export"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let feeds = v["feeds"].as_array().unwrap();
    assert_eq!(feeds[0]["name"], "all");
    assert_eq!(feeds[0]["written"], true);
    assert!(
        feeds[1]["error"].as_str().unwrap().contains("cannot write"),
        "{v}"
    );
    // The reason the app words, with the file: kept for the list too.
    assert_eq!(feeds[1]["failure"]["reason"]["code"], "cannot_write", "{v}");
    assert_eq!(
        feeds[1]["failure"]["reason"]["params"]["path"],
        p_of(&good),
        "{v}"
    );
    let list = r.json(&["calendar", "feed", "list"]);
    let kept = &list["feeds"][1];
    assert!(
        kept["last_error"]
            .as_str()
            .unwrap()
            .contains("cannot write"),
        "{kept}"
    );
    assert_eq!(kept["last_failure"], feeds[1]["failure"], "{kept}");
    // Written again once the folder is back: the failure is gone.
    std::fs::create_dir_all(good.parent().unwrap()).unwrap();
    r.ok(&["calendar", "export"]);
    let list = r.json(&["calendar", "feed", "list"]);
    assert!(list["feeds"][1].get("last_failure").is_none(), "{list}");
    std::fs::remove_dir_all(good.parent().unwrap()).unwrap();
}
