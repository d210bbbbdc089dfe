//! Calendar benchmarks (`make bench`). Prints a Markdown table for docs/BENCHMARKS.md.
//!
//! 1. A month view: the occurrences in one month of 200 recurring entries (weekly, monthly and
//!    daily rules in several zones) whose rules started 10 years earlier.
//! 2. Conflict detection: 10,000 planned releases against 500 entries (windows and freezes of
//!    40 services, and company-wide holidays).

#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark reports on stdout

use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
use relm_calendar::{Entry, Kind, Level, Planned, Scope, conflicts, occurrences};

const ZONES: &[&str] = &[
    "Europe/Paris",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "UTC",
];
const RULES: &[&str] = &[
    "FREQ=WEEKLY;BYDAY=FR",
    "FREQ=MONTHLY;BYDAY=-1FR",
    "FREQ=DAILY",
    "FREQ=WEEKLY;BYDAY=TU,TH",
    "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=20",
];

fn entries(n: usize, first_year: i32) -> Vec<(String, Entry)> {
    (0..n)
        .map(|i| {
            let start = NaiveDate::from_ymd_opt(first_year, 1, 1 + (i % 28) as u32)
                .unwrap()
                .and_hms_opt(18, 0, 0)
                .unwrap();
            let kind = if i % 3 == 0 {
                Kind::Window
            } else {
                Kind::Freeze
            };
            let mut e = Entry {
                name: format!("entry {i}"),
                kind,
                level: (kind == Kind::Freeze).then_some(if i % 2 == 0 {
                    Level::Hard
                } else {
                    Level::Soft
                }),
                scope: Scope {
                    environments: if i % 4 == 0 {
                        vec!["staging".into()]
                    } else {
                        vec!["prod".into()]
                    },
                    services: if i % 5 == 0 {
                        vec![format!("svc-{}", i % 40)]
                    } else {
                        vec![]
                    },
                },
                reason: String::new(),
                tz: ZONES[i % ZONES.len()].into(),
                start,
                end: start + TimeDelta::hours(if i % 3 == 0 { 3 } else { 12 + (i % 48) as i64 }),
                rrule: Some(RULES[i % RULES.len()].into()),
                exdates: vec![],
                rdates: vec![],
                source: None,
                owner: None,
                ..Entry::blank()
            };
            e.validate().unwrap();
            (format!("e{i}"), e)
        })
        .collect()
}

/// A realistic calendar: most entries belong to one service (its windows, its freezes), a few
/// are company-wide holidays.
fn team_calendar(n: usize) -> Vec<(String, Entry)> {
    (0..n)
        .map(|i| {
            let (kind, level, rule, hours, services): (
                Kind,
                Option<Level>,
                &str,
                i64,
                Vec<String>,
            ) = match i % 10 {
                0..=3 => (
                    Kind::Window,
                    None,
                    "FREQ=WEEKLY;BYDAY=TU,TH",
                    3,
                    vec![format!("svc-{}", i % 40)],
                ),
                4..=5 => (
                    Kind::Freeze,
                    Some(Level::Hard),
                    "FREQ=WEEKLY;BYDAY=FR",
                    60,
                    vec![format!("svc-{}", i % 40)],
                ),
                6..=7 => (
                    Kind::Freeze,
                    Some(Level::Hard),
                    "FREQ=MONTHLY;BYDAY=-1FR",
                    12,
                    vec![format!("svc-{}", i % 40)],
                ),
                8 => (
                    Kind::Freeze,
                    Some(Level::Soft),
                    "FREQ=MONTHLY;BYMONTHDAY=1",
                    24,
                    vec![format!("svc-{}", i % 40)],
                ),
                _ => (Kind::Freeze, Some(Level::Hard), "FREQ=YEARLY", 24, vec![]),
            };
            let start = NaiveDate::from_ymd_opt(2026, 1 + (i % 12) as u32, 1 + (i % 28) as u32)
                .unwrap()
                .and_hms_opt(if kind == Kind::Window { 9 } else { 18 }, 0, 0)
                .unwrap();
            let mut e = Entry {
                name: format!("entry {i}"),
                kind,
                level,
                scope: Scope {
                    environments: vec!["prod".into()],
                    services,
                },
                reason: String::new(),
                tz: ZONES[i % ZONES.len()].into(),
                start,
                end: start + TimeDelta::hours(hours),
                rrule: Some(rule.into()),
                exdates: vec![],
                rdates: vec![],
                source: None,
                owner: None,
                ..Entry::blank()
            };
            e.validate().unwrap();
            (format!("e{i}"), e)
        })
        .collect()
}

fn median_ms(f: impl FnMut(), runs: usize) -> f64 {
    relm_tests::bench::timed(runs, f).0
}

fn main() {
    let releases_n = relm_tests::bench::env_usize("RELM_BENCH_CAL_RELEASES", 10_000);
    // 1. Month view, 200 entries started 10 years before.
    let month = entries(200, 2017);
    let from = Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2027, 4, 1, 0, 0, 0).unwrap();
    let mut count = 0;
    let view = median_ms(
        || {
            count = month
                .iter()
                .map(|(_, e)| occurrences(e, from, to, 100_000).unwrap().len())
                .sum();
        },
        50,
    );
    // 2. Conflicts: 10k releases over a year, 500 entries.
    let cal = team_calendar(500);
    let base = Utc.with_ymd_and_hms(2027, 1, 4, 8, 0, 0).unwrap();
    let releases: Vec<Planned> = (0..releases_n)
        .map(|i| {
            let start = base + TimeDelta::minutes((i as i64 * 53) % (365 * 24 * 60));
            Planned {
                id: format!("r{i:05}"),
                service: format!("svc-{}", i % 40),
                version: "1.0.0".into(),
                environments: if i % 3 == 0 {
                    vec!["staging".into(), "prod".into()]
                } else {
                    vec!["prod".into()]
                },
                start,
                end: start + TimeDelta::minutes(30 + (i as i64 % 90)),
            }
        })
        .collect();
    let mut found = 0;
    let detect = median_ms(
        || found = conflicts(&releases, &cal, |e| e == "prod").unwrap().len(),
        10,
    );
    println!("| measure | result | goal |");
    println!("|---|---|---|");
    println!(
        "| month view: occurrences in one month of 200 recurring entries started 10 years earlier | median **{view:.2} ms** ({count} occurrences) | < 10 ms |"
    );
    println!(
        "| conflict detection: {releases_n} releases × 500 entries over a year | median **{detect:.1} ms** ({found} conflicts) | < 100 ms |"
    );
}
