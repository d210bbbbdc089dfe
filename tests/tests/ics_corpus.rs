//! Calendars nobody on this project wrote, imported as a new user would: every file of the
//! corpus goes into a fresh workspace (`relm calendar import`), and every occurrence
//! `relm calendar list` gives over ten years is compared with what an independent reader
//! (Python's `icalendar` + `recurring_ical_events`, `tests/python/ics_reference.py`) computes
//! from the same file.
//!
//! The corpus: the sample calendars shipped in the `icalendar` and `recurring_ical_events`
//! packages (files from calendar clients and from those libraries' bug reports; pinned in
//! `tests/python/requirements.txt`, read from the installed packages, not copied), and
//! `tests/corpus/ics/`: exports in the formats of Outlook, Google, Thunderbird, Nextcloud and
//! khal, and one file for each reading RFC 5545 asks of an importer.
//!
//! A file is *identical* when both list the same occurrences, *refused* when both refuse it,
//! *empty* when it holds no VEVENT (Relm says so; the reader lists nothing). Any other outcome
//! fails the test: Relm listing other occurrences than the reader, or refusing a file the
//! reader expands. The figures go to `target/ics-corpus.txt` and `docs/calendar.md`.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use relm_tests::{Replica, python, workspace_root};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn corpus(py: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let own = workspace_root().join("tests/corpus/ics");
    collect(&own, &mut files);
    let out = Command::new(py)
        .args([
            "-c",
            "import icalendar, recurring_ical_events, os\n\
             for m in (icalendar, recurring_ical_events): print(os.path.dirname(m.__file__))",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for dir in String::from_utf8(out.stdout).unwrap().lines() {
        collect(Path::new(dir), &mut files);
    }
    files.sort();
    files
}

/// The `.ics` files below `dir`.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    out.extend(
        Replica::files_under(dir)
            .into_iter()
            .filter(|f| f.ends_with(".ics"))
            .map(|f| dir.join(f)),
    );
}

/// Files Relm refuses though the reader expands them, each for a reason given here.
const REFUSED_ON_PURPOSE: &[(&str, &str)] = &[
    // A made-up zone (UTC+12 in winter, UTC+10 from May 2024) that no place on Earth has:
    // Relm keeps entries in IANA zones and says which TZID to replace rather than guess.
    (
        "issue_722_timezone_transition_ambiguity.ics",
        "has the offsets of no IANA zone",
    ),
];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Identical,
    RefusedByBoth,
    Empty,
    /// Relm refuses what the reader expands.
    RefusedByRelmOnly(String),
    /// Relm imports what the reader refuses.
    RefusedByReaderOnly(String),
    Differing(String),
}

fn reference(py: &Path, files: &[PathBuf]) -> BTreeMap<String, serde_json::Value> {
    let mut child = Command::new(py)
        .arg(workspace_root().join("tests/python/ics_reference.py"))
        .arg("UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let list: String = files.iter().map(|f| format!("{}\n", f.display())).collect();
    let writer = std::thread::spawn(move || stdin.write_all(list.as_bytes()).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["file"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

/// Relm's occurrences over `[from, to)`, asked year by year when one request would list too
/// many.
fn relm_occurrences(r: &Replica, from: &str, to: &str) -> Result<Vec<(String, String)>, String> {
    let list = |from: &str, to: &str| {
        let out = r.run(&["calendar", "list", "--from", from, "--to", to, "--json"]);
        if out.status.success() {
            Ok(serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    };
    let rows = |v: &serde_json::Value| -> Vec<(String, String, String)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["entry_id"].as_str().unwrap().to_string(),
                    o["start_utc"].as_str().unwrap().to_string(),
                    o["end_utc"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let mut all = match list(from, to) {
        Ok(v) => rows(&v),
        Err(e) if e.contains("ask for a shorter range") => {
            let first: i32 = from[..4].parse().unwrap();
            let mut acc = Vec::new();
            for y in 0..=10 {
                let lo = if y == 0 {
                    from.to_string()
                } else {
                    format!("{}-01-01T00:00:00Z", first + y)
                };
                let hi = format!("{}-01-01T00:00:00Z", first + y + 1);
                let hi = if hi.as_str() > to { to.to_string() } else { hi };
                if lo >= hi {
                    break;
                }
                // What started before this year was listed with the year before.
                acc.extend(
                    rows(&list(&lo, &hi)?)
                        .into_iter()
                        .filter(|(_, s, _)| y == 0 || *s >= lo),
                );
            }
            acc
        }
        Err(e) => return Err(e),
    };
    let mut out: Vec<(String, String)> = all.drain(..).map(|(_, s, e)| (s, e)).collect();
    out.sort();
    Ok(out)
}

fn judge(file: &Path, reference: &serde_json::Value) -> Outcome {
    let r = Replica::new();
    r.init();
    let import = r.run(&[
        "calendar",
        "import",
        file.to_str().unwrap(),
        "--as",
        "freeze",
        "--tz",
        "UTC",
    ]);
    let imported = import.status.success();
    let why = String::from_utf8_lossy(&import.stderr).trim().to_string();
    if reference.get("events").is_some() {
        return if imported {
            Outcome::RefusedByReaderOnly("the file holds no VEVENT, yet Relm imported it".into())
        } else {
            Outcome::Empty
        };
    }
    if let Some(reason) = reference.get("refused") {
        return if imported {
            Outcome::RefusedByReaderOnly(reason.as_str().unwrap().to_string())
        } else {
            Outcome::RefusedByBoth
        };
    }
    if !imported {
        return Outcome::RefusedByRelmOnly(why);
    }
    let (from, to) = (
        reference["from"].as_str().unwrap(),
        reference["to"].as_str().unwrap(),
    );
    let theirs: Vec<(String, String)> = reference["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_string(),
                p[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let ours = match relm_occurrences(&r, from, to) {
        Ok(o) => o,
        Err(e) => return Outcome::Differing(format!("relm calendar list failed: {e}")),
    };
    if ours == theirs {
        // Relm's own export of what it imported reads back the same (changed occurrences,
        // periods, several rules and all), for the files written for this corpus.
        if file.starts_with(workspace_root().join("tests/corpus")) {
            let out = r.root.path().join("export.ics");
            r.ok(&["calendar", "export", "--out", out.to_str().unwrap()]);
            let again = Replica::new();
            again.init();
            again.ok(&[
                "calendar",
                "import",
                out.to_str().unwrap(),
                "--as",
                "freeze",
            ]);
            match relm_occurrences(&again, from, to) {
                Ok(back) if back == theirs => {}
                Ok(back) => {
                    return Outcome::Differing(format!(
                        "exported and imported again: {} occurrences against {}",
                        back.len(),
                        theirs.len()
                    ));
                }
                Err(e) => return Outcome::Differing(format!("after export: {e}")),
            }
        }
        return Outcome::Identical;
    }
    let only = |a: &[(String, String)], b: &[(String, String)]| -> Vec<String> {
        a.iter()
            .filter(|x| !b.contains(x))
            .take(3)
            .map(|(s, e)| format!("{s}..{e}"))
            .collect()
    };
    Outcome::Differing(format!(
        "{} occurrences against {}; only Relm: {:?}; only the reader: {:?}",
        ours.len(),
        theirs.len(),
        only(&ours, &theirs),
        only(&theirs, &ours)
    ))
}

#[test]
fn every_calendar_of_the_corpus_imports_with_the_occurrences_an_independent_reader_lists() {
    let py = python();
    let files = corpus(&py);
    assert!(files.len() > 200, "the corpus has {} files", files.len());
    let refs = reference(&py, &files);
    let outcomes: Vec<(PathBuf, Outcome)> = {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let Some(f) = files.get(i) else { break };
                        let o = judge(f, &refs[&f.display().to_string()]);
                        results.lock().unwrap().push((f.clone(), o));
                    }
                });
            }
        });
        let mut v = results.into_inner().unwrap();
        v.sort();
        v
    };
    let count = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|(_, o)| f(o)).count();
    let summary = format!(
        "{} files: {} identical, {} refused by both, {} without events, {} refused by Relm only, \
         {} refused by the reader only, {} differing",
        outcomes.len(),
        count(|o| *o == Outcome::Identical),
        count(|o| *o == Outcome::RefusedByBoth),
        count(|o| *o == Outcome::Empty),
        count(|o| matches!(o, Outcome::RefusedByRelmOnly(_))),
        count(|o| matches!(o, Outcome::RefusedByReaderOnly(_))),
        count(|o| matches!(o, Outcome::Differing(_))),
    );
    let mut report = format!("{summary}\n\n");
    for (f, o) in &outcomes {
        report.push_str(&format!("{}\t{o:?}\n", f.display()));
    }
    std::fs::write(workspace_root().join("target/ics-corpus.txt"), &report).unwrap();
    println!("{summary}");
    let bad: Vec<String> = outcomes
        .iter()
        .filter(|(f, o)| match o {
            Outcome::Differing(_) => true,
            Outcome::RefusedByRelmOnly(why) => !REFUSED_ON_PURPOSE
                .iter()
                .any(|(name, reason)| f.ends_with(name) && why.contains(reason)),
            _ => false,
        })
        .map(|(f, o)| format!("{}: {o:?}", f.display()))
        .collect();
    assert!(bad.is_empty(), "{summary}\n{}", bad.join("\n"));
}
