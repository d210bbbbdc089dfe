//! Occurrences that pin time right: the DST changes of Europe/Paris, America/New_York and
//! Australia/Sydney (the spring gap and the autumn repeat), "last Friday of the month", leap
//! days, one-offs crossing midnight in another zone; bad entries; and properties.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use relm_calendar::{Entry, Kind, Scope, fmt_local, fmt_utc, occurrences, parse_local};

fn entry(tz: &str, start: &str, end: &str, rrule: Option<&str>) -> Entry {
    Entry {
        name: "test".into(),
        kind: Kind::Freeze,
        level: None,
        scope: Scope::default(),
        reason: String::new(),
        tz: tz.into(),
        start: parse_local(start).unwrap(),
        end: parse_local(end).unwrap(),
        rrule: rrule.map(String::from),
        exdates: vec![],
        rdates: vec![],
        source: None,
        owner: None,
        ..Entry::blank()
    }
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// (start UTC, end UTC, start local, end local) of each occurrence in the range.
fn expand(e: &Entry, from: &str, to: &str) -> Vec<(String, String, String, String)> {
    let mut e = e.clone();
    e.validate().unwrap();
    occurrences(&e, utc(from), utc(to), 10_000)
        .unwrap()
        .into_iter()
        .map(|o| {
            (
                fmt_utc(o.start_utc),
                fmt_utc(o.end_utc),
                fmt_local(o.start_local),
                fmt_local(o.end_local),
            )
        })
        .collect()
}

struct Case {
    name: &'static str,
    tz: &'static str,
    start: &'static str,
    end: &'static str,
    rrule: Option<&'static str>,
    from: &'static str,
    to: &'static str,
    /// (start UTC, end UTC) of every occurrence.
    expect: &'static [(&'static str, &'static str)],
}

const CASES: &[Case] = &[
    Case {
        // Paris goes from +01:00 to +02:00 on Sunday 2027-03-28: the weekend freeze keeps
        // 18:00 → 06:00 local and lasts an hour less.
        name: "paris weekend freeze across the spring change",
        tz: "Europe/Paris",
        start: "2027-03-19T18:00",
        end: "2027-03-22T06:00",
        rrule: Some("FREQ=WEEKLY;BYDAY=FR"),
        from: "2027-03-19T00:00:00Z",
        to: "2027-04-03T00:00:00Z",
        expect: &[
            ("2027-03-19T17:00:00Z", "2027-03-22T05:00:00Z"),
            ("2027-03-26T17:00:00Z", "2027-03-29T04:00:00Z"),
            ("2027-04-02T16:00:00Z", "2027-04-05T04:00:00Z"),
        ],
    },
    Case {
        // Back to +01:00 on Sunday 2027-10-31: the weekend lasts an hour more.
        name: "paris weekend freeze across the autumn change",
        tz: "Europe/Paris",
        start: "2027-10-22T18:00",
        end: "2027-10-25T06:00",
        rrule: Some("FREQ=WEEKLY;BYDAY=FR"),
        from: "2027-10-22T00:00:00Z",
        to: "2027-11-06T00:00:00Z",
        expect: &[
            ("2027-10-22T16:00:00Z", "2027-10-25T04:00:00Z"),
            ("2027-10-29T16:00:00Z", "2027-11-01T05:00:00Z"),
            ("2027-11-05T17:00:00Z", "2027-11-08T05:00:00Z"),
        ],
    },
    Case {
        // 02:30 does not exist on 2027-03-28 in Paris: read with the offset before the gap
        // (+01:00), i.e. 01:30 UTC = 03:30 local; the window keeps its hour.
        name: "paris daily window in the spring gap",
        tz: "Europe/Paris",
        start: "2027-03-27T02:30",
        end: "2027-03-27T03:30",
        rrule: Some("FREQ=DAILY;COUNT=3"),
        from: "2027-03-27T00:00:00Z",
        to: "2027-03-30T00:00:00Z",
        expect: &[
            ("2027-03-27T01:30:00Z", "2027-03-27T02:30:00Z"),
            ("2027-03-28T01:30:00Z", "2027-03-28T02:30:00Z"),
            ("2027-03-29T00:30:00Z", "2027-03-29T01:30:00Z"),
        ],
    },
    Case {
        // 02:30 happens twice on 2027-10-31 in Paris: the first (+02:00).
        name: "paris daily window in the autumn repeat",
        tz: "Europe/Paris",
        start: "2027-10-30T02:30",
        end: "2027-10-30T02:45",
        rrule: Some("FREQ=DAILY;COUNT=3"),
        from: "2027-10-30T00:00:00Z",
        to: "2027-11-02T00:00:00Z",
        expect: &[
            ("2027-10-30T00:30:00Z", "2027-10-30T00:45:00Z"),
            ("2027-10-31T00:30:00Z", "2027-10-31T00:45:00Z"),
            ("2027-11-01T01:30:00Z", "2027-11-01T01:45:00Z"),
        ],
    },
    Case {
        // New York: -05:00 → -04:00 on 2027-03-14 at 02:00.
        name: "new york nightly window across the spring change",
        tz: "America/New_York",
        start: "2027-03-12T22:00",
        end: "2027-03-13T02:00",
        rrule: Some("FREQ=DAILY"),
        from: "2027-03-13T00:00:00Z",
        to: "2027-03-16T00:00:00Z",
        expect: &[
            ("2027-03-13T03:00:00Z", "2027-03-13T07:00:00Z"),
            ("2027-03-14T03:00:00Z", "2027-03-14T07:00:00Z"),
            ("2027-03-15T02:00:00Z", "2027-03-15T06:00:00Z"),
        ],
    },
    Case {
        // New York: -04:00 → -05:00 on 2027-11-07; 01:30 happens twice, the first is -04:00.
        name: "new york window at the autumn repeat",
        tz: "America/New_York",
        start: "2027-11-07T01:30",
        end: "2027-11-07T03:00",
        rrule: None,
        from: "2027-11-01T00:00:00Z",
        to: "2027-11-10T00:00:00Z",
        expect: &[("2027-11-07T05:30:00Z", "2027-11-07T08:00:00Z")],
    },
    Case {
        // Sydney's spring is in October: +10:00 → +11:00 on 2027-10-03 at 02:00.
        name: "sydney weekly freeze across its spring change",
        tz: "Australia/Sydney",
        start: "2027-09-26T01:00",
        end: "2027-09-26T04:00",
        rrule: Some("FREQ=WEEKLY;COUNT=2"),
        from: "2027-09-01T00:00:00Z",
        to: "2027-10-31T00:00:00Z",
        expect: &[
            ("2027-09-25T15:00:00Z", "2027-09-25T18:00:00Z"),
            ("2027-10-02T15:00:00Z", "2027-10-02T17:00:00Z"),
        ],
    },
    Case {
        // Sydney's autumn is in April: +11:00 → +10:00 on 2027-04-04 at 03:00.
        name: "sydney weekly freeze across its autumn change",
        tz: "Australia/Sydney",
        start: "2027-03-28T01:00",
        end: "2027-03-28T05:00",
        rrule: Some("FREQ=WEEKLY;COUNT=2"),
        from: "2027-03-01T00:00:00Z",
        to: "2027-04-30T00:00:00Z",
        expect: &[
            ("2027-03-27T14:00:00Z", "2027-03-27T18:00:00Z"),
            ("2027-04-03T14:00:00Z", "2027-04-03T19:00:00Z"),
        ],
    },
    Case {
        // UNTIL is read as a wall-clock time in the entry's zone, like the start.
        name: "weekly until a date",
        tz: "Europe/Paris",
        start: "2027-12-03T18:00",
        end: "2027-12-03T22:00",
        rrule: Some("FREQ=WEEKLY;UNTIL=20271217T180000Z"),
        from: "2027-11-01T00:00:00Z",
        to: "2028-02-01T00:00:00Z",
        expect: &[
            ("2027-12-03T17:00:00Z", "2027-12-03T21:00:00Z"),
            ("2027-12-10T17:00:00Z", "2027-12-10T21:00:00Z"),
            ("2027-12-17T17:00:00Z", "2027-12-17T21:00:00Z"),
        ],
    },
    Case {
        name: "last friday of the month",
        tz: "Europe/Paris",
        start: "2027-01-29T16:00",
        end: "2027-01-29T20:00",
        rrule: Some("FREQ=MONTHLY;BYDAY=-1FR"),
        from: "2027-01-01T00:00:00Z",
        to: "2027-05-01T00:00:00Z",
        expect: &[
            ("2027-01-29T15:00:00Z", "2027-01-29T19:00:00Z"),
            ("2027-02-26T15:00:00Z", "2027-02-26T19:00:00Z"),
            ("2027-03-26T15:00:00Z", "2027-03-26T19:00:00Z"),
            ("2027-04-30T14:00:00Z", "2027-04-30T18:00:00Z"),
        ],
    },
    Case {
        // February 29th exists only in leap years: a yearly rule on it skips the others.
        name: "leap day yearly",
        tz: "UTC",
        start: "2028-02-29T00:00",
        end: "2028-03-01T00:00",
        rrule: Some("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),
        from: "2028-01-01T00:00:00Z",
        to: "2036-12-31T00:00:00Z",
        expect: &[
            ("2028-02-29T00:00:00Z", "2028-03-01T00:00:00Z"),
            ("2032-02-29T00:00:00Z", "2032-03-01T00:00:00Z"),
            ("2036-02-29T00:00:00Z", "2036-03-01T00:00:00Z"),
        ],
    },
    Case {
        // A one-off in Tokyo crossing midnight there: seen from UTC, it is one afternoon.
        name: "one-off crossing midnight in another zone",
        tz: "Asia/Tokyo",
        start: "2027-06-10T22:00",
        end: "2027-06-11T03:00",
        rrule: None,
        from: "2027-06-10T00:00:00Z",
        to: "2027-06-11T00:00:00Z",
        expect: &[("2027-06-10T13:00:00Z", "2027-06-10T18:00:00Z")],
    },
    Case {
        // An occurrence that began before the range but ends inside it is listed.
        name: "an occurrence overlapping the start of the range",
        tz: "Europe/Paris",
        start: "2027-12-20T00:00",
        end: "2028-01-03T00:00",
        rrule: Some("FREQ=YEARLY"),
        from: "2028-01-01T00:00:00Z",
        to: "2028-01-02T00:00:00Z",
        expect: &[("2027-12-19T23:00:00Z", "2028-01-02T23:00:00Z")],
    },
];

#[test]
fn occurrence_table() {
    let mut failures = Vec::new();
    for c in CASES {
        let e = entry(c.tz, c.start, c.end, c.rrule);
        let got: Vec<(String, String)> = expand(&e, c.from, c.to)
            .into_iter()
            .map(|(s, e, _, _)| (s, e))
            .collect();
        let want: Vec<(String, String)> = c
            .expect
            .iter()
            .map(|(s, e)| (s.to_string(), e.to_string()))
            .collect();
        if got != want {
            failures.push(format!("{}:\n  got  {got:?}\n  want {want:?}", c.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn wall_clock_times_stay_put_across_changes() {
    let e = entry(
        "Europe/Paris",
        "2027-03-19T18:00",
        "2027-03-22T06:00",
        Some("FREQ=WEEKLY;BYDAY=FR"),
    );
    for (_, _, start, end) in expand(&e, "2027-01-01T00:00:00Z", "2027-12-31T00:00:00Z") {
        assert!(start.ends_with("T18:00"), "{start}");
        assert!(end.ends_with("T06:00"), "{end}");
    }
}

#[test]
fn exdate_and_rdate() {
    let mut e = entry(
        "Europe/Paris",
        "2027-12-03T18:00",
        "2027-12-06T06:00",
        Some("FREQ=WEEKLY;BYDAY=FR;COUNT=4"),
    );
    e.exdates = vec![parse_local("2027-12-10T18:00").unwrap()];
    e.rdates = vec![parse_local("2027-12-29T18:00").unwrap()];
    let starts: Vec<String> = expand(&e, "2027-12-01T00:00:00Z", "2028-01-31T00:00:00Z")
        .into_iter()
        .map(|o| o.2)
        .collect();
    assert_eq!(
        starts,
        [
            "2027-12-03T18:00",
            "2027-12-17T18:00",
            "2027-12-24T18:00",
            "2027-12-29T18:00"
        ]
    );
}

#[track_caller]
fn refused(e: Entry, field: &str, fragment: &str) {
    let mut e = e;
    let err = e.validate().unwrap_err();
    assert_eq!(err.field, field, "{err}");
    assert!(
        err.message.contains(fragment),
        "`{err}` should mention `{fragment}`"
    );
}

#[test]
fn bad_entries_are_refused_with_the_field() {
    let ok = || entry("Europe/Paris", "2027-03-19T18:00", "2027-03-22T06:00", None);
    refused(
        Entry {
            tz: "Mars/Olympus".into(),
            ..ok()
        },
        "tz",
        "unknown time zone `Mars/Olympus`",
    );
    refused(
        Entry {
            end: parse_local("2027-03-19T17:00").unwrap(),
            ..ok()
        },
        "end",
        "must not be before the start",
    );
    // An event of no length (RFC 5545 §3.6.1: a date-time start without DTEND) is kept: it
    // occurs at an instant. People typing an entry are held to a length by the API.
    let mut instant = Entry {
        end: parse_local("2027-03-19T18:00").unwrap(),
        ..ok()
    };
    instant.validate().unwrap();
    refused(
        Entry {
            end: parse_local("2037-03-19T18:00").unwrap(),
            ..ok()
        },
        "end",
        "at most 366 days",
    );
    refused(
        Entry {
            rrule: Some("FREQ=FORTNIGHTLY".into()),
            ..ok()
        },
        "rrule",
        "not a valid RRULE",
    );
    refused(
        Entry {
            rrule: Some("BYDAY=FR".into()),
            ..ok()
        },
        "rrule",
        "not a valid RRULE",
    );
    refused(
        Entry {
            rrule: Some("FREQ=MINUTELY".into()),
            ..ok()
        },
        "rrule",
        "expand without bound",
    );
    refused(
        Entry {
            rrule: Some("FREQ=SECONDLY;COUNT=5".into()),
            ..ok()
        },
        "rrule",
        "expand without bound",
    );
    refused(
        Entry {
            more_rrules: vec!["FREQ=DAILY;BYHOUR=99".into()],
            ..ok()
        },
        "rrule",
        "FREQ=DAILY;BYHOUR=99",
    );
    refused(
        Entry {
            name: "  ".into(),
            ..ok()
        },
        "name",
        "name",
    );
}

#[test]
fn too_many_occurrences_is_an_error_not_a_cut_list() {
    let mut e = entry(
        "UTC",
        "2027-01-01T00:00",
        "2027-01-01T00:30",
        Some("FREQ=HOURLY"),
    );
    e.validate().unwrap();
    let err = occurrences(
        &e,
        utc("2027-01-01T00:00:00Z"),
        utc("2028-01-01T00:00:00Z"),
        1000,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("more than 1000 occurrences"),
        "{err}"
    );
}

#[test]
fn entries_round_trip_through_json() {
    let mut e = entry(
        "Europe/Paris",
        "2027-03-19T18:00",
        "2027-03-22T06:00",
        Some("RRULE:FREQ=WEEKLY"),
    );
    e.validate().unwrap();
    assert_eq!(e.rrule.as_deref(), Some("FREQ=WEEKLY"));
    assert_eq!(
        e.level,
        Some(relm_calendar::Level::Hard),
        "freezes are hard by default"
    );
    let json = serde_json::to_string(&e).unwrap();
    assert!(json.contains("\"start\":\"2027-03-19T18:00\""), "{json}");
    let back: Entry = serde_json::from_str(&json).unwrap();
    assert_eq!(back, e);
}

proptest! {
    /// Skipping a rule's history gives exactly the occurrences of walking through it.
    #[test]
    fn skipping_history_changes_nothing(
        year in 2000i32..2027,
        month in 1u32..13,
        day in 1u32..32,
        hour in 0u32..24,
        hours in 1i64..100,
        freq in prop::sample::select(vec![
            "FREQ=DAILY", "FREQ=DAILY;INTERVAL=3", "FREQ=WEEKLY;BYDAY=FR", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
            "FREQ=MONTHLY", "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;INTERVAL=5", "FREQ=YEARLY",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=HOURLY;INTERVAL=7", "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR",
        ]),
        zone in prop::sample::select(vec!["Europe/Paris", "America/New_York", "Australia/Sydney", "UTC"]),
        range_day in 0i64..400,
    ) {
        let Some(date) = chrono::NaiveDate::from_ymd_opt(year, month, day) else { return Ok(()) };
        let start = date.and_hms_opt(hour, 0, 0).unwrap();
        let mut e = Entry {
            name: "p".into(), kind: Kind::Freeze, level: None, scope: Scope::default(), reason: String::new(),
            tz: zone.into(), start, end: start + chrono::TimeDelta::hours(hours), rrule: Some(freq.into()),
            exdates: vec![], rdates: vec![], source: None,
            owner: None,
            ..Entry::blank()
        };
        if e.validate().is_err() { return Ok(()) }
        let from = utc("2029-01-01T00:00:00Z") + chrono::TimeDelta::days(range_day);
        let to = from + chrono::TimeDelta::days(45);
        let fast = occurrences(&e, from, to, 100_000).unwrap();
        let slow = relm_calendar::expand::occurrences_walking_history(&e, from, to, 100_000).unwrap();
        prop_assert_eq!(fast, slow);
    }

    /// An entry whose span is far from the range is passed over without expanding it: the
    /// occurrences are exactly those of walking through it, near the span's edges too, in the
    /// zones furthest from UTC, with RDATEs, a moved occurrence and rules that end.
    #[test]
    fn passing_over_entries_far_from_the_range_changes_nothing(
        rule in prop::sample::select(vec![
            "", "FREQ=DAILY;COUNT=3", "FREQ=WEEKLY;COUNT=2", "FREQ=DAILY;UNTIL=20280330T090000",
            "FREQ=HOURLY;INTERVAL=5;COUNT=4", "FREQ=DAILY",
        ]),
        hour in 0u32..24,
        hours in 0i64..60,
        rdate_days in prop::collection::vec(-20i64..20, 0..3),
        moved_hours in prop::option::of(-48i64..48),
        zone in prop::sample::select(vec!["Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Paris", "UTC"]),
        offset_hours in -120i64..120,
        length_hours in 0i64..72,
    ) {
        let start = chrono::NaiveDate::from_ymd_opt(2028, 3, 26).unwrap().and_hms_opt(hour, 0, 0).unwrap();
        let mut e = Entry {
            name: "p".into(), kind: Kind::Freeze, level: None, scope: Scope::default(), reason: String::new(),
            tz: zone.into(), start, end: start + chrono::TimeDelta::hours(hours),
            rrule: (!rule.is_empty()).then(|| rule.to_string()),
            exdates: vec![],
            rdates: rdate_days.iter().map(|d| start + chrono::TimeDelta::days(*d)).collect(),
            source: None,
            owner: None,
            ..Entry::blank()
        };
        if let Some(m) = moved_hours {
            let to = start + chrono::TimeDelta::hours(m);
            e.overrides.push(relm_calendar::entry::Override {
                of: start, start: to, end: to + chrono::TimeDelta::hours(hours), cancelled: false, and_future: false,
            });
        }
        if e.validate().is_err() { return Ok(()) }
        let from = utc("2028-03-26T00:00:00Z") + chrono::TimeDelta::hours(offset_hours);
        let to = from + chrono::TimeDelta::hours(length_hours);
        let fast = occurrences(&e, from, to, 100_000).unwrap();
        let slow = relm_calendar::expand::occurrences_walking_history(&e, from, to, 100_000).unwrap();
        prop_assert_eq!(fast, slow);
    }

    /// Every occurrence listed overlaps the range, in start order, and none is missing when
    /// the range is split in two.
    #[test]
    fn occurrences_lie_in_the_range_and_ranges_compose(
        day in 0i64..365,
        hour in 0u32..24,
        hours in 1i64..200,
        freq in prop::sample::select(vec!["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=FR", "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=WEEKLY;BYDAY=SA,SU"]),
        zone in prop::sample::select(vec!["Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]),
        split in 1i64..60,
    ) {
        let start = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap().and_hms_opt(hour, 0, 0).unwrap()
            + chrono::TimeDelta::days(day);
        let mut e = Entry {
            name: "p".into(),
            kind: Kind::Window,
            level: None,
            scope: Scope::default(),
            reason: String::new(),
            tz: zone.into(),
            start,
            end: start + chrono::TimeDelta::hours(hours),
            rrule: Some(freq.into()),
            exdates: vec![],
            rdates: vec![],
            source: None,
            owner: None,
            ..Entry::blank()
        };
        e.validate().unwrap();
        let from = utc("2027-06-01T00:00:00Z");
        let mid = from + chrono::TimeDelta::days(split);
        let to = from + chrono::TimeDelta::days(60);
        let all = occurrences(&e, from, to, 100_000).unwrap();
        for o in &all {
            prop_assert!(o.start_utc < to && o.end_utc > from);
            prop_assert!(o.end_utc >= o.start_utc);
        }
        prop_assert!(all.windows(2).all(|w| w[0].start_utc <= w[1].start_utc));
        let mut halves = occurrences(&e, from, mid, 100_000).unwrap();
        for o in occurrences(&e, mid, to, 100_000).unwrap() {
            if !halves.contains(&o) { halves.push(o); }
        }
        halves.sort_by_key(|o| o.start_utc);
        prop_assert_eq!(halves, all);
    }
}

proptest! {
    /// Occurrences answered from remembered spans are exactly those expanded for the range, in
    /// the same order: ranges inside one span, across span edges, of no length, asked again,
    /// for entries with moved occurrences (some moving the later ones), added dates and
    /// excluded ones, occurrences of no length, in zones far from UTC and across clock changes.
    #[test]
    fn remembered_spans_answer_as_the_range_would(
        rule in prop::sample::select(vec![
            "", "FREQ=DAILY", "FREQ=HOURLY;INTERVAL=5", "FREQ=WEEKLY;BYDAY=FR,SA", "FREQ=MONTHLY;BYDAY=-1SU",
            "FREQ=DAILY;COUNT=20", "FREQ=WEEKLY;UNTIL=20280501T000000",
        ]),
        day in 0i64..120,
        hour in 0u32..24,
        minutes in prop::sample::select(vec![0i64, 30, 240, 2 * 24 * 60, 40 * 24 * 60]),
        zone in prop::sample::select(vec!["Pacific/Kiritimati", "America/New_York", "Europe/Paris", "UTC"]),
        moved in prop::option::of((0i64..60, -72i64..72, any::<bool>())),
        rdate_days in prop::collection::vec(0i64..90, 0..3),
        exdate_day in prop::option::of(0i64..30),
        ranges in prop::collection::vec((0i64..200 * 24, 0i64..70 * 24), 1..6),
        limit in prop::sample::select(vec![3usize, 100_000]),
    ) {
        let start = chrono::NaiveDate::from_ymd_opt(2028, 1, 1).unwrap().and_hms_opt(hour, 0, 0).unwrap()
            + chrono::TimeDelta::days(day);
        let every = |d: i64| start + chrono::TimeDelta::days(d);
        let mut e = Entry {
            name: "p".into(), kind: Kind::Freeze, level: None, scope: Scope::default(), reason: String::new(),
            tz: zone.into(), start, end: start + chrono::TimeDelta::minutes(minutes),
            rrule: (!rule.is_empty()).then(|| rule.to_string()),
            exdates: exdate_day.map(every).into_iter().collect(),
            rdates: rdate_days.iter().map(|d| every(*d)).collect(),
            source: None,
            owner: None,
            ..Entry::blank()
        };
        if let Some((nth, hours, and_future)) = moved {
            let of = every(nth);
            let to = of + chrono::TimeDelta::hours(hours);
            e.overrides.push(relm_calendar::entry::Override {
                of, start: to, end: to + chrono::TimeDelta::minutes(minutes), cancelled: false, and_future,
            });
        }
        if e.validate().is_err() { return Ok(()) }
        let entries = relm_calendar::Entries::from(vec![("e".to_string(), e.clone())]);
        let origin = utc("2027-12-20T00:00:00Z");
        for (offset, length) in ranges {
            let from = origin + chrono::TimeDelta::hours(offset);
            let to = from + chrono::TimeDelta::hours(length);
            let direct = occurrences(&e, from, to, limit);
            let remembered = entries.occurrences(0, from, to, limit);
            prop_assert_eq!(&remembered, &direct, "{} to {}", fmt_utc(from), fmt_utc(to));
            prop_assert_eq!(&entries.all(from, to, limit), &vec![direct]);
        }
    }
}

/// A range longer than the spans remembered is expanded directly, and a range holding more than
/// the limit gets the error of the range, not of a span.
#[test]
fn remembered_spans_step_aside_for_long_ranges_and_limits() {
    let mut daily = entry(
        "Europe/Paris",
        "2027-01-01T09:00",
        "2027-01-01T10:00",
        Some("FREQ=DAILY"),
    );
    daily.validate().unwrap();
    let mut hourly = entry(
        "UTC",
        "2027-01-01T00:00",
        "2027-01-01T00:10",
        Some("FREQ=HOURLY"),
    );
    hourly.validate().unwrap();
    let entries = relm_calendar::Entries::from(vec![
        ("a".to_string(), daily.clone()),
        ("b".to_string(), hourly.clone()),
    ]);
    let (from, to) = (utc("2027-01-01T00:00:00Z"), utc("2029-01-01T00:00:00Z"));
    assert_eq!(
        entries.occurrences(0, from, to, 100_000).unwrap(),
        occurrences(&daily, from, to, 100_000).unwrap()
    );
    assert_eq!(
        entries.occurrences(0, from, to, 100_000).unwrap().len(),
        731
    );
    let day = (utc("2027-02-03T10:00:00Z"), utc("2027-02-04T10:00:00Z"));
    assert_eq!(
        entries.occurrences(1, day.0, day.1, 100_000).unwrap().len(),
        24
    );
    let err = entries.occurrences(1, day.0, day.1, 10).unwrap_err();
    assert_eq!(err, occurrences(&hourly, day.0, day.1, 10).unwrap_err());
    assert!(
        err.to_string()
            .contains("more than 10 occurrences between 2027-02-03T10:00:00Z"),
        "{err}"
    );
}

proptest! {
    /// A calendar over a release's window built from the remembered spans, where one span holds
    /// the window and every entry's occurrences there are merged into one list, is the calendar
    /// expanded for the window: the same occurrences in the same order (equal starts in entry
    /// order), the same longest one, for windows of no length, of hours, of days, across span
    /// edges, with freezes and windows, moved occurrences and zones far from UTC.
    #[test]
    fn a_calendar_from_merged_spans_is_the_one_expanded_for_the_window(
        shapes in prop::collection::vec((
            prop::sample::select(vec![
                "", "FREQ=DAILY", "FREQ=HOURLY;INTERVAL=5", "FREQ=WEEKLY;BYDAY=FR,SA",
                "FREQ=MONTHLY;BYDAY=-1SU", "FREQ=DAILY;COUNT=20",
            ]),
            0i64..60,
            0u32..24,
            prop::sample::select(vec![0i64, 30, 240, 2 * 24 * 60, 9 * 24 * 60]),
            prop::sample::select(vec!["Pacific/Kiritimati", "America/New_York", "Europe/Paris", "UTC"]),
            any::<bool>(),
            prop::option::of((0i64..20, -30i64..30)),
        ), 1..5),
        windows in prop::collection::vec((0i64..90 * 24, prop::sample::select(vec![0i64, 1, 3, 30, 24 * 9])), 1..8),
    ) {
        let mut list = Vec::new();
        for (n, (rule, day, hour, minutes, zone, freeze, moved)) in shapes.into_iter().enumerate() {
            let start = chrono::NaiveDate::from_ymd_opt(2028, 1, 1).unwrap().and_hms_opt(hour, 0, 0).unwrap()
                + chrono::TimeDelta::days(day);
            let mut e = Entry {
                name: format!("e{n}"), kind: if freeze { Kind::Freeze } else { Kind::Window },
                level: None, scope: Scope::default(), reason: String::new(),
                tz: zone.into(), start, end: start + chrono::TimeDelta::minutes(minutes),
                rrule: (!rule.is_empty()).then(|| rule.to_string()),
                source: None, owner: None,
                ..Entry::blank()
            };
            if let Some((nth, hours)) = moved {
                let of = start + chrono::TimeDelta::days(nth);
                let to = of + chrono::TimeDelta::hours(hours);
                e.overrides.push(relm_calendar::entry::Override {
                    of, start: to, end: to + chrono::TimeDelta::minutes(minutes), cancelled: false, and_future: false,
                });
            }
            if e.validate().is_ok() {
                list.push((format!("id{n}"), e));
            }
        }
        let entries = relm_calendar::Entries::from(list);
        let origin = utc("2027-12-28T00:00:00Z");
        for (offset, hours) in windows {
            let from = origin + chrono::TimeDelta::hours(offset);
            let to = from + chrono::TimeDelta::hours(hours);
            let expanded = relm_calendar::Calendar::new(&entries, from, to);
            let remembered = relm_calendar::Calendar::remembered(&entries, from, to);
            prop_assert_eq!(format!("{remembered:?}"), format!("{expanded:?}"), "{} to {}", fmt_utc(from), fmt_utc(to));
        }
    }
}
