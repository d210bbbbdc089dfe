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
    // A holiday set: one entry whose dates are RDATEs.
    let holidays = r.root.path().join("holidays.ics");
    std::fs::write(&holidays, HOLIDAYS).unwrap();
    r.json(&[
        "calendar",
        "import",
        holidays.to_str().unwrap(),
        "--as",
        "holidays",
        "--name",
        "Holidays",
        "--day-before",
        "--tz",
        "Europe/Paris",
    ]);
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
    assert_eq!(out["events"], 9, "eight entries and one release");
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

const GOOGLE: &str = "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nDTSTART;TZID=Europe/Paris:20270305T180000\r\nDTEND;TZID=Europe/Paris:20270308T060000\r\nRRULE:FREQ=WEEKLY;UNTIL=20270402T160000Z;BYDAY=FR\r\nEXDATE;TZID=Europe/Paris:20270312T180000\r\nUID:abc123@google.com\r\nSUMMARY:Weekend freeze\\, Paris\r\nDESCRIPTION:No deploys over the\r\n  weekend\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;TZID=Romance Standard Time:20270310T090000\r\nDTEND;TZID=Romance Standard Time:20270310T120000\r\nUID:outlook-1\r\nSUMMARY:From Outlook\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

const HOLIDAYS: &str = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//holidays//FR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20270101\nDTEND;VALUE=DATE:20270102\nRRULE:FREQ=YEARLY\nSUMMARY:Jour de l'an\nUID:fr-1\nEND:VEVENT\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20270714\nSUMMARY:Fête nationale\nUID:fr-2\nEND:VEVENT\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20271225\nDTEND;VALUE=DATE:20271226\nSUMMARY:Noël\nUID:fr-3\nEND:VEVENT\nEND:VCALENDAR\n";

fn write(r: &Replica, name: &str, text: &str) -> String {
    let path = r.root.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn files_from_google_and_outlook_import_and_a_second_import_updates() {
    let r = Replica::new();
    r.init();
    let file = write(&r, "google.ics", GOOGLE);
    let first = r.json(&[
        "calendar", "import", &file, "--as", "freeze", "--env", "prod",
    ]);
    assert_eq!(
        (first["added"].as_u64(), first["updated"].as_u64()),
        (Some(2), Some(0))
    );
    let list = r.json(&[
        "calendar",
        "list",
        "--from",
        "2027-03-01",
        "--to",
        "2027-04-30",
    ]);
    let weekend: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["name"] == "Weekend freeze, Paris")
        .map(|o| o["start_local"].as_str().unwrap())
        .collect();
    // Weekly from March 5th, March 12th left out, until April 2nd 18:00 Paris (16:00Z).
    assert_eq!(
        weekend,
        [
            "2027-03-05T18:00",
            "2027-03-19T18:00",
            "2027-03-26T18:00",
            "2027-04-02T18:00"
        ]
    );
    let outlook = list
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "From Outlook")
        .unwrap();
    assert_eq!(outlook["tz"], "Europe/Paris");
    assert_eq!(outlook["start_utc"], "2027-03-10T08:00:00Z");
    let entries = r.json(&["calendar", "entries"]);
    assert!(
        entries
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["reason"] == "No deploys over the weekend")
    );
    let again = r.json(&[
        "calendar", "import", &file, "--as", "freeze", "--env", "prod",
    ]);
    assert_eq!(
        (again["added"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(
        r.json(&["calendar", "entries"]).as_array().unwrap().len(),
        2
    );
    // Relm's own export imports back onto the same entries; its releases are not entries.
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
        "t",
        "--start",
        "2027-03-23T10:00",
        "--end",
        "2027-03-23T11:00",
        "--tz",
        "Europe/Paris",
    ]);
    let out = r.root.path().join("relm.ics");
    r.ok(&["calendar", "export", "--out", out.to_str().unwrap()]);
    let back = r.json(&[
        "calendar",
        "import",
        out.to_str().unwrap(),
        "--as",
        "freeze",
    ]);
    assert_eq!(
        (back["added"].as_u64(), back["updated"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(r.json(&["audit", "verify"])["ok"], true);
}

#[test]
fn a_holiday_set_freezes_every_holiday_and_the_day_before() {
    let r = Replica::new();
    r.init();
    let file = write(&r, "fr.ics", HOLIDAYS);
    r.fails(&["calendar", "import", &file, "--as", "holidays"], 2);
    let out = r.json(&[
        "calendar",
        "import",
        &file,
        "--as",
        "holidays",
        "--name",
        "French public holidays",
        "--day-before",
        "--tz",
        "Europe/Paris",
        "--env",
        "prod",
    ]);
    // New Year yearly over the years covered, plus two one-offs in 2027.
    assert!(out["dates"].as_u64().unwrap() >= 10, "{out}");
    let list = r.json(&[
        "calendar",
        "list",
        "--from",
        "2027-07-01",
        "--to",
        "2027-08-01",
        "--tz",
        "Europe/Paris",
    ]);
    let july: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["start_local"].as_str().unwrap(),
                o["end_local"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        july,
        [("2027-07-13T00:00", "2027-07-15T00:00")],
        "July 14th and the day before"
    );
    let again = r.json(&[
        "calendar",
        "import",
        &file,
        "--as",
        "holidays",
        "--name",
        "French public holidays",
        "--day-before",
        "--tz",
        "Europe/Paris",
    ]);
    assert_eq!(again["updated"], 1, "the set is updated, not duplicated");
    assert_eq!(
        r.json(&["calendar", "entries"]).as_array().unwrap().len(),
        1
    );
}

#[test]
fn bad_ics_files_import_nothing_and_say_where() {
    let r = Replica::new();
    r.init();
    let keep = write(&r, "keep.ics", GOOGLE);
    r.json(&["calendar", "import", &keep, "--as", "freeze"]);
    let before = r.event_count();
    let huge = format!(
        "BEGIN:VCALENDAR\r\nX-FILL:{}\r\nEND:VCALENDAR\r\n",
        "x".repeat(11 << 20)
    );
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "notcal.ics",
            "hello world\n".into(),
            "not an iCalendar file",
        ),
        (
            "nostart.ics",
            "BEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\n".into(),
            "an event without DTSTART",
        ),
        (
            "truncated.ics",
            GOOGLE[..GOOGLE.len() - 40].into(),
            "truncated",
        ),
        (
            "madeupzone.ics",
            GOOGLE
                .replace(
                    "TZID:Europe/Paris\r\nEND:VTIMEZONE",
                    "TZID:Mars Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n\
                 TZOFFSETFROM:+0017\r\nTZOFFSETTO:+0017\r\nEND:STANDARD\r\nEND:VTIMEZONE",
                )
                .replace("TZID=Europe/Paris", "TZID=Mars Standard Time"),
            "has the offsets of no IANA zone",
        ),
        (
            "baddate.ics",
            GOOGLE.replace("20270310T090000", "2027-03-10 09:00"),
            "not a date-time",
        ),
        (
            "badrule.ics",
            GOOGLE.replace("FREQ=WEEKLY;", "FREQ=SOMETIMES;"),
            "not a valid RRULE",
        ),
        (
            "badduration.ics",
            GOOGLE.replace(
                "DTEND;TZID=Romance Standard Time:20270310T120000",
                "DURATION:PT2X",
            ),
            "not a duration",
        ),
        (
            "empty.ics",
            "BEGIN:VCALENDAR\nEND:VCALENDAR\n".into(),
            "no events",
        ),
        ("huge.ics", huge, "larger than 10 MiB"),
    ];
    for (name, text, fragment) in cases {
        let file = write(&r, name, &text);
        let err = r.fails(&["calendar", "import", &file, "--as", "window"], 2);
        assert!(
            err.contains(fragment),
            "{name}: `{err}` should mention `{fragment}`"
        );
        if fragment != "larger than 10 MiB" && fragment != "no events" {
            assert!(
                err.contains(&format!("{name}:")),
                "{name}: the error names the file and line: {err}"
            );
        }
    }
    assert_eq!(r.event_count(), before, "nothing imported, nothing changed");
    assert_eq!(
        r.json(&["calendar", "entries"]).as_array().unwrap().len(),
        2
    );
}

/// What other readers read leniently is read, and said: the import summary names each
/// choice with `file:line`.
#[test]
fn lenient_readings_import_and_are_said_with_the_line() {
    let r = Replica::new();
    r.init();
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "unknownzone.ics",
            GOOGLE.replace("Romance Standard Time", "Mars Standard Time"),
            "the zone `Mars Standard Time` is neither an IANA zone nor defined in the file",
            "unknown_zone",
        ),
        (
            "backwards.ics",
            GOOGLE.replace(
                "DTEND;TZID=Romance Standard Time:20270310T120000",
                "DTEND;TZID=Romance Standard Time:20270310T080000",
            ),
            "ending before they start: start and end swapped",
            "swapped",
        ),
        (
            "mismatch.ics",
            GOOGLE.replace("END:VEVENT\r\nEND:VCALENDAR", "END:VTODO\r\nEND:VCALENDAR"),
            "END:VTODO read as END:VEVENT",
            "end_read_as",
        ),
        (
            "noend.ics",
            GOOGLE.replace("DTEND;TZID=Romance Standard Time:20270310T120000\r\n", ""),
            "1 event(s) without DTEND or DURATION",
            "no_end",
        ),
        (
            "junkline.ics",
            GOOGLE.replace(
                "UID:outlook-1\r\n",
                "UID:outlook-1\r\nthis is not a property\r\n",
            ),
            "not iCalendar content lines (NAME:value) were left out",
            "not_content_lines",
        ),
    ];
    for (name, text, fragment, code) in cases {
        let file = write(&r, name, &text);
        let out = r.json(&["calendar", "import", &file, "--as", "freeze"]);
        let notes: Vec<&str> = out["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert!(
            notes
                .iter()
                .any(|n| n.contains(fragment) && n.contains(&format!("{name}:"))),
            "{name}: {notes:?} should say `{fragment}` with the file and line"
        );
        // The same reading with its code, line and values, for the app to word.
        let read = out["read"].as_array().unwrap();
        let coded = read
            .iter()
            .find(|n| n["code"] == code)
            .unwrap_or_else(|| panic!("{name}: {read:?} should hold a `{code}` note"));
        let line = coded["line"].as_u64().expect("a line");
        assert!(
            notes
                .iter()
                .any(|n| n.contains(&format!("{name}:{line}: "))),
            "{name}: the coded note's line {line} is the English one's: {notes:?}"
        );
        let text_out = r.ok(&["calendar", "import", &file, "--as", "freeze"]);
        assert!(text_out.contains("note: "), "{text_out}");
    }
    // The listing works over every entry imported, whatever was read leniently.
    r.json(&[
        "calendar",
        "list",
        "--from",
        "2027-01-01",
        "--to",
        "2028-01-01",
    ]);
}

#[test]
fn export_scope_narrows_to_environments_and_services() {
    let r = Replica::new();
    r.init();
    let entry = |name: &str, scope: &[&str]| {
        let mut a = vec![
            "freeze",
            "--name",
            name,
            "--start",
            "2027-03-19T18:00",
            "--end",
            "2027-03-22T06:00",
            "--tz",
            "Europe/Paris",
        ];
        a.extend(scope);
        add(&r, &a);
    };
    entry("Everywhere", &[]);
    entry("Prod only", &["--env", "prod"]);
    entry("Staging only", &["--env", "staging"]);
    entry("Api in prod", &["--env", "prod", "--service", "api"]);
    entry("Web anywhere", &["--service", "web"]);
    let release = |service: &str, env: &str| {
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
            "Ship it",
            "--start",
            "2027-03-23T10:00",
            "--end",
            "2027-03-23T11:00",
            "--tz",
            "Europe/Paris",
        ]);
    };
    release("api", "prod");
    release("web", "staging");
    let summaries = |scope: &[&str]| -> Vec<String> {
        let file = r.root.path().join("scoped.ics");
        let mut a = vec!["calendar", "export", "--out", file.to_str().unwrap()];
        for s in scope {
            a.extend(["--scope", s]);
        }
        r.ok(&a);
        let mut out: Vec<String> = std::fs::read_to_string(&file)
            .unwrap()
            .replace("\r\n ", "")
            .lines()
            .filter_map(|l| l.strip_prefix("SUMMARY:"))
            .map(|s| s.split(" — ").next().unwrap().to_string())
            .collect();
        out.sort();
        out
    };
    assert_eq!(summaries(&[]).len(), 7, "five entries and two releases");
    assert_eq!(
        summaries(&["prod"]),
        [
            "Api in prod",
            "Everywhere",
            "Prod only",
            "Web anywhere",
            "api 1.0.0"
        ],
        "a bare environment name; entries for all environments stay"
    );
    assert_eq!(
        summaries(&["env:prod", "service:api"]),
        ["Api in prod", "Everywhere", "Prod only", "api 1.0.0"],
        "environments and services narrow together"
    );
    assert_eq!(
        summaries(&["web"]),
        [
            "Everywhere",
            "Prod only",
            "Staging only",
            "Web anywhere",
            "web 1.0.0"
        ],
        "a bare service name"
    );
    assert_eq!(
        summaries(&["staging,web"]),
        ["Everywhere", "Staging only", "Web anywhere", "web 1.0.0"],
        "comma-separated"
    );
    let file = r.root.path().join("x.ics");
    let bad = r.fails(
        &[
            "calendar",
            "export",
            "--out",
            file.to_str().unwrap(),
            "--scope",
            "moon",
        ],
        2,
    );
    assert!(
        bad.contains("--scope `moon` is neither an environment") && bad.contains("env:moon"),
        "{bad}"
    );
    let bad = r.fails(
        &[
            "calendar",
            "export",
            "--out",
            file.to_str().unwrap(),
            "--scope",
            "team:x",
        ],
        2,
    );
    assert!(bad.contains("`team:` is not a scope"), "{bad}");
    assert!(!file.exists(), "nothing written on bad input");
}

/// The app words why a file was not imported: each refusal carries its reason and values, and
/// a file named by the user is read as outside input (a FIFO is never opened, bytes that are not
/// UTF-8 are said as such).
#[test]
fn a_refused_calendar_file_says_why_with_its_reason() {
    let r = Replica::new();
    r.init();
    let before = r.event_count();
    let problem = |file: &str, extra: &[&str]| {
        let mut args = vec!["calendar", "import", file, "--as", "freeze"];
        args.extend(extra);
        let err = r.refused(&args, 2);
        err["problems"][0].clone()
    };
    let bad = write(
        &r,
        "bad.ics",
        &GOOGLE.replace("FREQ=WEEKLY;", "FREQ=SOMETIMES;"),
    );
    let p = problem(&bad, &[]);
    assert_eq!(p["field"], "file");
    assert_eq!(p["code"], "bad_file");
    assert_eq!(p["params"]["reason"], "not_calendar");
    assert!(
        p["params"]["line"]
            .as_str()
            .unwrap()
            .parse::<u32>()
            .unwrap()
            > 1,
        "{p}"
    );
    assert!(
        p["params"]["detail"]
            .as_str()
            .unwrap()
            .contains("not a valid RRULE"),
        "{p}"
    );
    let empty = write(&r, "empty.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
    assert_eq!(problem(&empty, &[])["params"]["reason"], "no_events");
    let latin1 = r.root.path().join("latin1.ics");
    // A Latin-1 "é" (0xE9) as an older client might have saved it.
    let mut bytes = GOOGLE.replace("END:VCALENDAR", "X-NOTE:caf").into_bytes();
    bytes.extend(b"\xe9\r\nEND:VCALENDAR\r\n");
    std::fs::write(&latin1, bytes).unwrap();
    assert_eq!(
        problem(latin1.to_str().unwrap(), &[])["params"]["reason"],
        "not_utf8"
    );
    let fifo = r.root.path().join("calendar.ics");
    relm_tests::mkfifo(&fifo);
    // Nothing writes into the FIFO: opening it for reading would wait forever.
    assert_eq!(
        problem(fifo.to_str().unwrap(), &[])["params"]["reason"],
        "not_regular"
    );
    let good = write(&r, "good.ics", GOOGLE);
    let zone = problem(&good, &["--tz", "Europe/Atlantis"]);
    assert_eq!(
        (zone["field"].as_str(), zone["code"].as_str()),
        (Some("tz"), Some("unknown_zone"))
    );
    let scope = problem(&good, &["--env", "prod env"]);
    assert_eq!(
        (scope["field"].as_str(), scope["code"].as_str()),
        (Some("environment"), Some("bad_name")),
        "the request's scope is the request's fault, not the file's"
    );
    let holidays = r.refused(&["calendar", "import", &good, "--as", "holidays"], 2);
    assert_eq!(holidays["problems"][0]["field"], "name");
    assert_eq!(holidays["problems"][0]["code"], "required");
    assert_eq!(r.event_count(), before, "nothing imported");
}
