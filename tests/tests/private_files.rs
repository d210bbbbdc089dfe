//! A workspace is private on a shared machine: the data dir `0700`, the database, its WAL and
//! shared-memory files, the logs and the exports `0600`; a data dir left open by an older
//! version (or by hand) is tightened when opened, and the person told once.

#![cfg(unix)]
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_tests::Replica;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_data_dir_the_database_the_logs_and_exports_are_the_owners_only() {
    let r = Replica::new();
    r.init();
    r.json(&[
        "calendar",
        "add",
        "freeze",
        "--name",
        "F",
        "--start",
        "2027-03-19T18:00",
        "--end",
        "2027-03-22T06:00",
        "--tz",
        "UTC",
    ]);
    let out = r.root.path().join("team.ics");
    r.ok(&["calendar", "export", "--out", out.to_str().unwrap()]);
    assert_eq!(mode(&r.data_dir()), 0o700);
    let mut checked = 0;
    assert_eq!(mode(&r.data_dir().join("store")), 0o700);
    for f in std::fs::read_dir(r.data_dir().join("store"))
        .unwrap()
        .flatten()
    {
        if f.file_name().to_string_lossy().starts_with("relm.db") {
            assert_eq!(mode(&f.path()), 0o600, "{}", f.path().display());
            checked += 1;
        }
    }
    assert!(checked >= 1);
    let logs: Vec<_> = std::fs::read_dir(r.log_dir()).unwrap().flatten().collect();
    assert!(!logs.is_empty());
    for f in logs {
        assert_eq!(mode(&f.path()), 0o600, "{}", f.path().display());
    }
    assert_eq!(mode(&out), 0o600);
}

#[test]
fn a_data_dir_readable_by_others_is_tightened_once_and_said() {
    let r = Replica::new();
    r.init();
    let set =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    set(&r.data_dir(), 0o755);
    set(&r.db_path(), 0o644);
    let first = r.run(&["status"]);
    assert!(first.status.success());
    let said = String::from_utf8_lossy(&first.stderr);
    assert!(
        said.contains("now readable by you only") && said.contains("relm.db"),
        "{said}"
    );
    assert_eq!(mode(&r.data_dir()), 0o700);
    assert_eq!(mode(&r.db_path()), 0o600);
    let second = r.run(&["status"]);
    assert!(
        String::from_utf8_lossy(&second.stderr).is_empty(),
        "said once"
    );
}

#[test]
fn every_line_of_a_command_reaches_its_log_file() {
    // Traced, `demo` writes more lines than the queue to the writing thread holds (1,024):
    // every one reaches the file, the last before the command ends.
    let r = Replica::new();
    r.ok(&["demo"]);
    let log: String = std::fs::read_dir(r.log_dir())
        .unwrap()
        .flatten()
        .map(|f| std::fs::read_to_string(f.path()).unwrap())
        .collect();
    let lines: Vec<&str> = log.lines().filter(|l| l.starts_with("20")).collect();
    assert!(
        lines.len() > 1024,
        "only {} lines: the test no longer fills the queue",
        lines.len()
    );
    assert!(lines[0].contains("relm starting"), "first: {}", lines[0]);
    assert!(
        lines.last().unwrap().contains("demo seeded"),
        "the last line"
    );
    // Each append says how many events it added: together, every event in the store.
    let appended: u64 = lines
        .iter()
        .filter_map(|l| l.split("appended events count=").nth(1))
        .map(|rest| rest.split(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    let status = r.json(&["status"]);
    assert_eq!(appended, status["events"].as_u64().unwrap());
}
