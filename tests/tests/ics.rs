//! The exported iCalendar file read by an independent implementation: Python's `icalendar`
//! parses it, `dateutil` expands its recurrences and `zoneinfo` places them in time; every
//! occurrence must match Relm's own list. And the file's shape: CRLF, folded lines, a
//! VTIMEZONE per zone, escaped text, stable UIDs.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_tests::Replica;
use std::process::Command;

/// Debian's Python, where `make test` installs python3-icalendar and python3-dateutil.
const PYTHON: &str = "/usr/bin/python3";

fn add(r: &Replica, args: &[&str]) {
    let mut a = vec!["calendar", "add"];
    a.extend(args);
    r.json(&a);
}

#[test]
fn python_reads_the_same_occurrences_from_the_exported_file() {
    let r = Replica::new();
    r.init();
    add(
        &r,
        &[
            "freeze",
            "--name",
            "Weekend, freeze; all",
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
            "nobody on call,\nreally",
        ],
    );
    add(
        &r,
        &[
            "window",
            "--name",
            "NY nightly",
            "--start",
            "2027-03-12T22:00",
            "--end",
            "2027-03-13T02:00",
            "--tz",
            "America/New_York",
            "--rrule",
            "FREQ=DAILY;UNTIL=20271110T000000Z",
        ],
    );
    add(
        &r,
        &[
            "freeze",
            "--soft",
            "--name",
            "Spring gap",
            "--start",
            "2027-03-27T02:30",
            "--end",
            "2027-03-27T03:30",
            "--tz",
            "Europe/Paris",
            "--rrule",
            "FREQ=DAILY;COUNT=4",
            "--exdate",
            "2027-03-29T02:30",
            "--rdate",
            "2027-04-02T02:30",
        ],
    );
    add(
        &r,
        &[
            "freeze",
            "--name",
            "Sydney weekends",
            "--start",
            "2027-03-27T01:00",
            "--end",
            "2027-03-28T05:00",
            "--tz",
            "Australia/Sydney",
            "--rrule",
            "FREQ=WEEKLY",
        ],
    );
    add(
        &r,
        &[
            "freeze",
            "--name",
            "Last Friday",
            "--start",
            "2027-01-29T16:00",
            "--end",
            "2027-01-29T20:00",
            "--tz",
            "Europe/Paris",
            "--rrule",
            "FREQ=MONTHLY;BYDAY=-1FR",
        ],
    );
    add(
        &r,
        &[
            "freeze",
            "--name",
            "Leap day",
            "--start",
            "2028-02-29T00:00",
            "--end",
            "2028-03-01T00:00",
            "--tz",
            "UTC",
            "--rrule",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        ],
    );
    add(
        &r,
        &[
            "freeze",
            "--name",
            "Tokyo night",
            "--start",
            "2027-06-10T22:00",
            "--end",
            "2027-06-11T03:00",
            "--tz",
            "Asia/Tokyo",
        ],
    );
    r.json(&[
        "release",
        "create",
        "--service",
        "api",
        "--version",
        "1.0.0",
        "--env",
        "prod",
        "--title",
        "Ship it",
        "--start",
        "2027-03-23T10:00",
        "--end",
        "2027-03-23T11:00",
        "--tz",
        "Europe/Paris",
    ]);
    let file = r.root.path().join("calendar.ics");
    let out = r.json(&["calendar", "export", "--out", file.to_str().unwrap()]);
    assert_eq!(out["events"], 8, "seven entries and one release");
    let (from, to) = ("2027-01-01T00:00:00Z", "2029-01-01T00:00:00Z");
    let python = Command::new(PYTHON)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/python/ics_occurrences.py"
        ))
        .args([file.to_str().unwrap(), from, to])
        .output()
        .expect("python3 (make test installs python3-icalendar and python3-dateutil)");
    assert!(
        python.status.success(),
        "{}",
        String::from_utf8_lossy(&python.stderr)
    );
    let theirs: Vec<(String, String, String)> =
        serde_json::from_slice::<serde_json::Value>(&python.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["start_utc"].as_str().unwrap().into(),
                    o["uid"].as_str().unwrap().into(),
                    o["end_utc"].as_str().unwrap().into(),
                )
            })
            .collect();
    let mut ours: Vec<(String, String, String)> = r
        .json(&["calendar", "list", "--from", from, "--to", to])
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["start_utc"].as_str().unwrap().into(),
                o["entry_id"].as_str().unwrap().into(),
                o["end_utc"].as_str().unwrap().into(),
            )
        })
        .collect();
    ours.sort();
    assert!(ours.len() > 300, "a real sample: {}", ours.len());
    assert_eq!(ours.len(), theirs.len(), "occurrence counts differ");
    let diff: Vec<_> = ours
        .iter()
        .zip(&theirs)
        .filter(|(a, b)| a != b)
        .take(5)
        .collect();
    assert!(
        diff.is_empty(),
        "first differences (Relm, Python): {diff:?}"
    );
}

#[test]
fn the_file_is_well_formed_and_uids_are_stable() {
    let r = Replica::new();
    r.init();
    add(
        &r,
        &[
            "freeze",
            "--name",
            "Weekend, freeze; all — l’équipe",
            "--start",
            "2027-03-19T18:00",
            "--end",
            "2027-03-22T06:00",
            "--tz",
            "Europe/Paris",
            "--rrule",
            "FREQ=WEEKLY;BYDAY=FR",
        ],
    );
    add(
        &r,
        &[
            "window",
            "--name",
            "NY",
            "--start",
            "2027-03-12T22:00",
            "--end",
            "2027-03-13T02:00",
            "--tz",
            "America/New_York",
        ],
    );
    let file = r.root.path().join("a.ics");
    r.ok(&["calendar", "export", "--out", file.to_str().unwrap()]);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "line over 75 octets: {line}");
        assert!(!line.contains('\n'), "bare LF in {line:?}");
    }
    let unfolded = text.replace("\r\n ", "");
    assert!(
        unfolded.contains("SUMMARY:Weekend\\, freeze\\; all — l’équipe"),
        "{unfolded}"
    );
    assert!(unfolded.contains("TZID:Europe/Paris") && unfolded.contains("TZID:America/New_York"));
    assert!(unfolded.contains("DTSTART;TZID=Europe/Paris:20270319T180000"));
    assert!(unfolded.contains("RRULE:FREQ=WEEKLY;BYDAY=FR"));
    assert!(
        unfolded.contains("TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200"),
        "Paris spring change"
    );
    assert!(
        !unfolded
            .lines()
            .any(|l| l.starts_with("DTSTART:") && !l.ends_with("00")),
        "transitions on whole minutes"
    );
    let uids = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with("UID:"))
            .map(String::from)
            .collect()
    };
    let second = r.root.path().join("b.ics");
    r.ok(&["calendar", "export", "--out", second.to_str().unwrap()]);
    assert_eq!(
        uids(&unfolded),
        uids(
            &std::fs::read_to_string(&second)
                .unwrap()
                .replace("\r\n ", "")
        )
    );
    let bad = r.fails(
        &["calendar", "export", "--out", "/nonexistent/dir/x.ics"],
        2,
    );
    assert!(bad.contains("cannot write"), "{bad}");
}
