//! Freezes written as GitLab freeze periods and Argo CD sync windows, compared over two years of
//! clock changes in three zones (Paris, New York, Sydney: the spring gap in March, March and
//! October) with Relm's own occurrences: the platform's windows, expanded as a cron daemon does
//! in the zone (a time in the spring gap does not fire; a repeated time fires once, the first),
//! always cover the freeze; and where the translation reports nothing wider, they are exactly
//! the freeze.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use chrono::{DateTime, Datelike, LocalResult, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use relm_calendar::{Entry, occurrences, parse_local};
use relm_connect::freeze::{CronWindow, translate};

/// Whether cron field `f` (`*`, `5`, `1,3`, `1-5`, `*/15`) holds `v`.
fn field(f: &str, v: u32) -> bool {
    f.split(',').any(|part| {
        let (range, step) = part
            .split_once('/')
            .map_or((part, 1), |(r, s)| (r, s.parse().unwrap()));
        let (lo, hi) = match range {
            "*" => (0, 99),
            r => match r.split_once('-') {
                Some((a, b)) => (a.parse().unwrap(), b.parse().unwrap()),
                None => {
                    let n: u32 = r.parse().unwrap();
                    (n, n)
                }
            },
        };
        v >= lo && v <= hi && (v - lo).is_multiple_of(step)
    })
}

/// The firings of `cron` in `zone` between `from` and `to`, as a cron daemon reads it.
fn fires(cron: &str, zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let f: Vec<&str> = cron.split_whitespace().collect();
    assert_eq!(f.len(), 5, "{cron}");
    let (dom_any, dow_any) = (f[2] == "*", f[4] == "*");
    let mut out = Vec::new();
    let mut day = from.with_timezone(&zone).date_naive() - TimeDelta::days(1);
    let last = to.with_timezone(&zone).date_naive() + TimeDelta::days(1);
    while day <= last {
        let dom = field(f[2], day.day());
        let dow = field(f[4], day.weekday().num_days_from_sunday());
        // Vixie cron: with both restricted, either matches.
        let date_ok = match (dom_any, dow_any) {
            (false, false) => dom || dow,
            _ => dom && dow,
        } && field(f[3], day.month());
        if date_ok {
            for h in 0..24 {
                for m in 0..60 {
                    if field(f[1], h) && field(f[0], m) {
                        let local = day.and_hms_opt(h, m, 0).unwrap();
                        let t = match zone.from_local_datetime(&local) {
                            LocalResult::Single(t) => t,
                            LocalResult::Ambiguous(first, _) => first,
                            LocalResult::None => continue,
                        };
                        let t = t.with_timezone(&Utc);
                        if t >= from && t < to {
                            out.push(t);
                        }
                    }
                }
            }
        }
        day += TimeDelta::days(1);
    }
    out.sort();
    out
}

type Span = (DateTime<Utc>, DateTime<Utc>);

/// The platform's windows: GitLab from each start to the next end; Argo CD a fixed duration.
fn platform(
    windows: &[CronWindow],
    gitlab: bool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Span> {
    let mut spans = Vec::new();
    for w in windows {
        let zone: Tz = w.zone.parse().unwrap();
        let ends = fires(&w.end, zone, from, to + TimeDelta::days(40));
        for s in fires(&w.start, zone, from, to) {
            let e = if gitlab {
                *ends.iter().find(|e| **e > s).unwrap()
            } else {
                s + TimeDelta::minutes(w.minutes)
            };
            spans.push((s, e));
        }
    }
    merge(spans)
}

fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort();
    let mut out: Vec<Span> = Vec::new();
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

fn entry(
    name: &str,
    tz: &str,
    start: &str,
    end: &str,
    rrule: Option<&str>,
    exdates: &[&str],
) -> Entry {
    serde_json::from_value(serde_json::json!({
        "name": name,
        "kind": "freeze",
        "tz": tz,
        "start": start,
        "end": end,
        "rrule": rrule,
        "exdates": exdates,
    }))
    .unwrap()
}

#[test]
fn platform_windows_cover_every_freeze_over_two_years_of_clock_changes() {
    // From after every recurring entry's first occurrence (a cron has no start date).
    let from = Utc.with_ymd_and_hms(2027, 1, 30, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2029, 1, 30, 0, 0, 0).unwrap();
    let mut checked = 0;
    let mut exact = 0;
    for tz in ["Europe/Paris", "America/New_York", "Australia/Sydney"] {
        let entries = [
            entry(
                "weekend",
                tz,
                "2027-01-01T18:00",
                "2027-01-04T06:00",
                Some("FREQ=WEEKLY;BYDAY=FR"),
                &[],
            ),
            entry(
                "nightly",
                tz,
                "2027-01-01T22:00",
                "2027-01-02T02:00",
                Some("FREQ=DAILY"),
                &[],
            ),
            entry(
                "in the gap",
                tz,
                "2027-01-01T02:30",
                "2027-01-01T03:30",
                Some("FREQ=DAILY"),
                &[],
            ),
            entry(
                "payday",
                tz,
                "2027-01-15T09:00",
                "2027-01-15T17:00",
                Some("FREQ=MONTHLY"),
                &[],
            ),
            entry(
                "year end",
                tz,
                "2026-12-24T00:00",
                "2027-01-02T00:00",
                Some("FREQ=YEARLY"),
                &[],
            ),
            entry(
                "fortnight",
                tz,
                "2027-01-02T00:00",
                "2027-01-02T23:59",
                Some("FREQ=WEEKLY;INTERVAL=2;BYDAY=SA"),
                &[],
            ),
            entry(
                "last friday",
                tz,
                "2027-01-29T12:00",
                "2027-01-29T20:00",
                Some("FREQ=MONTHLY;BYDAY=-1FR"),
                &[],
            ),
            entry(
                "weekly but",
                tz,
                "2027-01-06T08:00",
                "2027-01-06T10:00",
                Some("FREQ=WEEKLY;BYDAY=WE"),
                &["2027-04-07T08:00", "2027-11-03T08:00"],
            ),
            entry(
                "once",
                tz,
                "2027-07-14T08:00",
                "2027-07-14T20:00",
                None,
                &[],
            ),
        ];
        for e in &entries {
            let t = translate(e, from).unwrap();
            let relm: Vec<Span> = merge(
                occurrences(e, from, to, 10_000)
                    .unwrap()
                    .into_iter()
                    .map(|o| (o.start_utc, o.end_utc))
                    .filter(|(s, _)| *s >= from)
                    .collect(),
            );
            assert!(!relm.is_empty(), "{} in {tz}", e.name);
            for gitlab in [true, false] {
                let plat = platform(&t.windows, gitlab, from - TimeDelta::days(10), to);
                let which = if gitlab { "GitLab" } else { "Argo CD" };
                for (s, e2) in &relm {
                    assert!(
                        plat.iter().any(|(ps, pe)| ps <= s && e2 <= pe),
                        "{which}: `{}` in {tz}, occurrence {s} → {e2} not covered by {:?}",
                        e.name,
                        t.windows
                    );
                }
                // Exactly the freeze where nothing wider was reported (Argo CD's one-hour
                // widening is reported for it only).
                let argo_wider = t.wider.iter().any(|w| w.starts_with("Argo CD"));
                let others_wider = t.wider.iter().any(|w| !w.starts_with("Argo CD"));
                if !others_wider && (gitlab || !argo_wider) {
                    let inside: Vec<Span> = plat
                        .iter()
                        .copied()
                        .filter(|(s, _)| *s >= from && *s < to)
                        .collect();
                    let first = inside.iter().zip(&relm).find(|(a, b)| a != b);
                    assert!(
                        inside == relm,
                        "{which}: `{}` in {tz} is not exact ({} spans vs {}; first difference {first:?}): {t:?}",
                        e.name,
                        inside.len(),
                        relm.len()
                    );
                    exact += 1;
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 54);
    assert!(exact >= 20, "only {exact} exact");
}

#[test]
fn what_a_cron_cannot_say_is_reported() {
    let now = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    let weekend = entry(
        "weekend",
        "Europe/Paris",
        "2027-01-01T18:00",
        "2027-01-04T06:00",
        Some("FREQ=WEEKLY;BYDAY=FR"),
        &[],
    );
    let t = translate(&weekend, now).unwrap();
    assert_eq!(t.windows.len(), 1);
    assert_eq!(
        (t.windows[0].start.as_str(), t.windows[0].end.as_str()),
        ("0 18 * * 5", "0 6 * * 1")
    );
    // 60 h, 61 h across the autumn change: Argo CD gets the longest, and it is said.
    assert_eq!(t.windows[0].argo_duration(), "61h");
    assert!(t.wider.iter().any(|w| w.contains("Argo CD")), "{t:?}");

    let gap = entry(
        "gap",
        "Europe/Paris",
        "2027-01-01T02:30",
        "2027-01-01T03:30",
        Some("FREQ=DAILY"),
        &[],
    );
    let t = translate(&gap, now).unwrap();
    assert_eq!(t.windows[0].start, "30 1 * * *");
    assert!(t.wider[0].contains("an hour early"), "{t:?}");

    let fortnight = entry(
        "f",
        "Europe/Paris",
        "2027-01-02T00:00",
        "2027-01-02T23:59",
        Some("FREQ=WEEKLY;INTERVAL=2;BYDAY=SA"),
        &[],
    );
    let t = translate(&fortnight, now).unwrap();
    assert!(t.windows.len() > 50 && t.windows.iter().all(|w| w.start.ends_with(" *")));
    assert!(t.wider.iter().any(|w| w.contains("dated windows")), "{t:?}");

    let but = entry(
        "b",
        "Europe/Paris",
        "2027-01-06T08:00",
        "2027-01-06T10:00",
        Some("FREQ=WEEKLY;BYDAY=WE"),
        &["2027-04-07T08:00"],
    );
    let t = translate(&but, now).unwrap();
    assert_eq!(t.windows.len(), 1);
    assert!(t.wider.iter().any(|w| w.contains("leaves out")), "{t:?}");

    let backwards = Entry {
        end: parse_local("2027-01-01T17:00").unwrap(),
        ..weekend.clone()
    };
    assert!(
        translate(&backwards, now)
            .unwrap_err()
            .contains("ends before it starts")
    );
}
