//! Conflicts: freezes (hard, soft, crossing a start), required windows, the hard freeze that
//! beats a window, overlapping releases; and order independence.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use relm_calendar::conflicts::Code;
use relm_calendar::{
    Entry, Kind, Level, Planned, Scope, Severity, conflicts, conflicts_counted, parse_local,
};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn entry(
    name: &str,
    kind: Kind,
    level: Option<Level>,
    start: &str,
    end: &str,
    rrule: Option<&str>,
    envs: &[&str],
) -> (String, Entry) {
    let mut e = Entry {
        name: name.into(),
        kind,
        level,
        scope: Scope {
            environments: envs.iter().map(|s| s.to_string()).collect(),
            services: vec![],
        },
        reason: String::new(),
        tz: "Europe/Paris".into(),
        start: parse_local(start).unwrap(),
        end: parse_local(end).unwrap(),
        rrule: rrule.map(String::from),
        exdates: vec![],
        rdates: vec![],
        source: None,
        owner: None,
        ..Entry::blank()
    };
    e.validate().unwrap();
    (format!("id-{name}"), e)
}

fn release(id: &str, service: &str, envs: &[&str], start: &str, end: &str) -> Planned {
    Planned {
        id: id.into(),
        service: service.into(),
        version: "1.0.0".into(),
        environments: envs.iter().map(|s| s.to_string()).collect(),
        start: utc(start),
        end: utc(end),
    }
}

fn calendar() -> Vec<(String, Entry)> {
    vec![
        // Every weekend, prod only.
        entry(
            "weekend",
            Kind::Freeze,
            Some(Level::Hard),
            "2027-03-05T18:00",
            "2027-03-08T06:00",
            Some("FREQ=WEEKLY;BYDAY=FR"),
            &["prod"],
        ),
        // Quarter close, everywhere, soft.
        entry(
            "quarter-close",
            Kind::Freeze,
            Some(Level::Soft),
            "2027-03-30T00:00",
            "2027-04-01T00:00",
            None,
            &[],
        ),
        // Tuesday and Thursday 09:00-12:00 windows for prod.
        entry(
            "maintenance",
            Kind::Window,
            None,
            "2027-03-02T09:00",
            "2027-03-02T12:00",
            Some("FREQ=WEEKLY;BYDAY=TU,TH"),
            &["prod"],
        ),
    ]
}

fn prod(env: &str) -> bool {
    env == "prod"
}

fn codes(list: &[relm_calendar::Conflict]) -> Vec<(String, Code, Severity, Option<String>)> {
    list.iter()
        .map(|c| {
            (
                c.release_id.clone(),
                c.code,
                c.severity,
                c.entry_name.clone(),
            )
        })
        .collect()
}

#[test]
fn a_release_in_a_window_outside_freezes_is_clean() {
    // Tuesday 2027-03-09 09:30-10:30 Paris = 08:30-09:30Z.
    let r = release(
        "ok",
        "api",
        &["staging", "prod"],
        "2027-03-09T08:30:00Z",
        "2027-03-09T09:30:00Z",
    );
    assert_eq!(conflicts(&[r], &calendar(), prod).unwrap(), vec![]);
}

#[test]
fn freezes_windows_and_who_decides() {
    let releases = [
        // Saturday in prod: inside the hard weekend freeze, and outside the windows.
        release(
            "sat",
            "api",
            &["prod"],
            "2027-03-13T10:00:00Z",
            "2027-03-13T11:00:00Z",
        ),
        // Saturday in staging: the weekend freeze is prod only, staging has no windows.
        release(
            "sat-staging",
            "worker",
            &["staging"],
            "2027-03-13T10:00:00Z",
            "2027-03-13T11:00:00Z",
        ),
        // Friday 17:30-18:30 Paris runs into the weekend freeze.
        release(
            "fri",
            "web",
            &["prod"],
            "2027-03-12T16:30:00Z",
            "2027-03-12T17:30:00Z",
        ),
        // Quarter close (soft) on a Tuesday inside a window: a warning only.
        release(
            "q",
            "db",
            &["prod"],
            "2027-03-30T08:00:00Z",
            "2027-03-30T09:00:00Z",
        ),
        // Wednesday in prod: no window that day.
        release(
            "wed",
            "jobs",
            &["prod"],
            "2027-03-10T08:00:00Z",
            "2027-03-10T09:00:00Z",
        ),
    ];
    let got = codes(&conflicts(&releases, &calendar(), prod).unwrap());
    let e = |id: &str, code, sev, entry: Option<&str>| {
        (id.to_string(), code, sev, entry.map(String::from))
    };
    assert_eq!(
        got,
        vec![
            e("wed", Code::OutsideWindows, Severity::Error, None),
            e(
                "fri",
                Code::CrossesFreezeStart,
                Severity::Error,
                Some("weekend")
            ),
            e("fri", Code::OutsideWindows, Severity::Error, None),
            e(
                "sat",
                Code::InsideHardFreeze,
                Severity::Error,
                Some("weekend")
            ),
            e("sat", Code::OutsideWindows, Severity::Error, None),
            e(
                "q",
                Code::InsideSoftFreeze,
                Severity::Warning,
                Some("quarter-close")
            ),
        ]
    );
}

#[test]
fn a_hard_freeze_beats_a_window_and_says_so() {
    let mut cal = calendar();
    // A one-off hard freeze over a Tuesday window.
    cal.push(entry(
        "incident",
        Kind::Freeze,
        Some(Level::Hard),
        "2027-03-16T00:00",
        "2027-03-17T00:00",
        None,
        &["prod"],
    ));
    let r = release(
        "tue",
        "api",
        &["prod"],
        "2027-03-16T08:30:00Z",
        "2027-03-16T09:30:00Z",
    );
    let list = conflicts(&[r], &cal, prod).unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].code, Code::InsideHardFreeze);
    assert!(
        list[0]
            .reason
            .contains("decides over the window `maintenance`"),
        "{}",
        list[0].reason
    );
    assert_eq!(list[0].over_window.as_deref(), Some("maintenance"));
}

#[test]
fn overlapping_releases_of_a_service_or_an_environment_warn() {
    let releases = [
        release(
            "a",
            "api",
            &["prod"],
            "2027-03-09T08:00:00Z",
            "2027-03-09T09:00:00Z",
        ),
        release(
            "b",
            "api",
            &["staging"],
            "2027-03-09T08:30:00Z",
            "2027-03-09T09:30:00Z",
        ),
        release(
            "c",
            "web",
            &["prod"],
            "2027-03-09T08:45:00Z",
            "2027-03-09T08:50:00Z",
        ),
        release(
            "d",
            "web",
            &["prod"],
            "2027-03-09T09:00:00Z",
            "2027-03-09T10:00:00Z",
        ),
    ];
    let list = conflicts(&releases, &[], prod).unwrap();
    let got: Vec<(String, String, Code)> = list
        .iter()
        .map(|c| {
            (
                c.release_id.clone(),
                c.other_release.clone().unwrap(),
                c.code,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("b".into(), "a".into(), Code::SameServiceOverlap),
            ("c".into(), "a".into(), Code::SameEnvironmentOverlap),
        ],
        "a release ending when another starts does not overlap it"
    );
    assert!(
        list.iter()
            .all(|c| c.other_name.as_deref() == Some("api 1.0.0")),
        "the other release is named: {list:?}"
    );
}

/// An evening of many releases: each gets one warning per kind of overlap, naming the first
/// to start before it and counting the rest, instead of one per pair.
#[test]
fn overlaps_are_counted_not_listed_pair_by_pair() {
    let evening: Vec<Planned> = (0..70)
        .map(|i| {
            let start = utc("2027-03-09T17:00:00Z") + chrono::TimeDelta::minutes(i);
            Planned {
                id: format!("r{i:02}"),
                service: format!("svc{}", i % 7),
                version: format!("1.0.{i}"),
                environments: vec!["staging".into(), "prod".into()],
                start,
                end: start + chrono::TimeDelta::hours(2),
            }
        })
        .collect();
    let list = conflicts(&evening, &[], prod).unwrap();
    // The first has nothing before it; each other one two environment warnings, and a
    // service warning from the eighth on.
    assert_eq!(list.len(), 69 * 2 + 63, "{}", list.len());
    let last: Vec<_> = list.iter().filter(|c| c.release_id == "r69").collect();
    let by = |code, env: Option<&str>| {
        last.iter()
            .find(|c| c.code == code && c.environment.as_deref() == env)
            .unwrap()
    };
    let prod_overlap = by(Code::SameEnvironmentOverlap, Some("prod"));
    assert_eq!(prod_overlap.other_release.as_deref(), Some("r00"));
    assert_eq!(prod_overlap.others, 68);
    assert!(
        prod_overlap
            .reason
            .starts_with("overlaps svc0 1.0.0 and 68 other releases in prod"),
        "{}",
        prod_overlap.reason
    );
    let service = by(Code::SameServiceOverlap, None);
    assert_eq!(service.other_release.as_deref(), Some("r06"));
    assert_eq!(service.others, 8, "r06, r13, …, r62: nine of svc6");
    // A single overlap says nothing of others, in the JSON either.
    let r01 = list
        .iter()
        .find(|c| c.release_id == "r01" && c.environment.as_deref() == Some("prod"))
        .unwrap();
    assert_eq!(r01.others, 0);
    assert!(!serde_json::to_string(r01).unwrap().contains("others"));
}

proptest! {
    /// Each overlap warning counts exactly the releases that overlap its release the same way
    /// and start before it, and names the first of them to start (a brute force over every pair
    /// says which and how many); windows of no length included.
    #[test]
    fn each_overlap_counts_every_earlier_release_it_meets(
        specs in prop::collection::vec((0u8..3, 0i64..48, 0i64..12, any::<bool>()), 1..25),
    ) {
        let base = utc("2027-03-01T00:00:00Z");
        let releases: Vec<Planned> = specs.iter().enumerate().map(|(i, (svc, h, len, p))| Planned {
            id: format!("r{i:02}"),
            service: format!("svc{svc}"),
            version: "1.0.0".into(),
            environments: if *p { vec!["prod".into()] } else { vec!["prod".into(), "staging".into()] },
            start: base + chrono::TimeDelta::hours(*h),
            end: base + chrono::TimeDelta::hours(h + len),
        }).collect();
        let list = conflicts(&releases, &[], prod).unwrap();
        for b in &releases {
            let before = |a: &&Planned| {
                a.id != b.id && a.start < b.end && b.start < a.end
                    && (a.start, &a.id) < (b.start, &b.id)
            };
            let expect = |env: Option<&str>| -> Vec<&Planned> {
                let mut met: Vec<&Planned> = releases.iter().filter(before).filter(|a| match env {
                    None => a.service == b.service,
                    Some(e) => a.environments.iter().any(|x| x == e),
                }).collect();
                met.sort_by(|x, y| (x.start, &x.id).cmp(&(y.start, &y.id)));
                met
            };
            let mut kinds = vec![(Code::SameServiceOverlap, None)];
            kinds.extend(b.environments.iter().map(|e| (Code::SameEnvironmentOverlap, Some(e.as_str()))));
            for (code, env) in kinds {
                let found: Vec<_> = list.iter().filter(|c| {
                    c.release_id == b.id && c.code == code && c.environment.as_deref() == env
                }).collect();
                let met = expect(env);
                prop_assert_eq!(found.len(), usize::from(!met.is_empty()));
                if let Some(c) = found.first() {
                    prop_assert_eq!(c.others as usize + 1, met.len());
                    prop_assert_eq!(c.other_release.as_deref(), Some(met[0].id.as_str()));
                }
            }
        }
    }

    /// Counting, and wording only the first conflicts (of one release, when asked), agrees
    /// with the whole list: the same first conflicts word for word, the same totals, and the
    /// releases an error blocks.
    #[test]
    fn counted_conflicts_agree_with_the_whole_list(
        specs in prop::collection::vec((0u8..4, 0i64..(24 * 28), 1i64..72, 0u8..3), 1..30),
        limit in 0usize..12,
        pick in any::<prop::sample::Index>(),
    ) {
        let base = utc("2027-03-01T00:00:00Z");
        let releases: Vec<Planned> = specs.iter().enumerate().map(|(i, (svc, h, len, e))| Planned {
            id: format!("r{i:02}"),
            service: format!("svc{svc}"),
            version: "1.0.0".into(),
            environments: match e {
                0 => vec!["prod".into()],
                1 => vec!["staging".into()],
                _ => vec!["staging".into(), "prod".into()],
            },
            start: base + chrono::TimeDelta::hours(*h),
            end: base + chrono::TimeDelta::hours(h + len),
        }).collect();
        let all = conflicts(&releases, &calendar(), prod).unwrap();
        let one = releases[pick.index(releases.len())].id.clone();
        for only in [None, Some(one.as_str())] {
            let mine: Vec<_> = all.iter().filter(|c| only.is_none_or(|id| c.release_id == id)).collect();
            let counted = conflicts_counted(&releases, &calendar(), prod, only, limit).unwrap();
            prop_assert_eq!(counted.total, mine.len());
            let errors: Vec<_> = mine.iter().filter(|c| c.severity == Severity::Error).collect();
            prop_assert_eq!(counted.errors, errors.len());
            let mut blocked: Vec<String> = errors.iter().map(|c| c.release_id.clone()).collect();
            blocked.sort();
            blocked.dedup();
            prop_assert_eq!(&counted.blocked, &blocked);
            let first: Vec<_> = mine.into_iter().take(limit).cloned().collect();
            prop_assert_eq!(&counted.conflicts, &first);
        }
    }

    /// The same releases in any order give the same conflicts.
    #[test]
    fn conflicts_do_not_depend_on_the_order_of_releases(
        specs in prop::collection::vec((0u8..4, 0i64..(24 * 28), 1i64..72, any::<bool>()), 1..30),
        seed in any::<u64>(),
    ) {
        let base = utc("2027-03-01T00:00:00Z");
        let releases: Vec<Planned> = specs.iter().enumerate().map(|(i, (svc, h, len, p))| Planned {
            id: format!("r{i:02}"),
            service: format!("svc{svc}"),
            version: "1.0.0".into(),
            environments: if *p { vec!["prod".into()] } else { vec!["staging".into()] },
            start: base + chrono::TimeDelta::hours(*h),
            end: base + chrono::TimeDelta::hours(h + len),
        }).collect();
        let reference = conflicts(&releases, &calendar(), prod).unwrap();
        let mut shuffled = releases.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let mut other = conflicts(&shuffled, &calendar(), prod).unwrap();
        let mut reference = reference;
        reference.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        other.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        prop_assert_eq!(reference, other);
    }
}

#[test]
fn a_hard_freeze_overrides_the_windows_it_meets() {
    use relm_calendar::conflicts::{Span, overriding_freezes};
    let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
    let prod = Scope {
        environments: vec!["prod".into()],
        services: vec![],
    };
    let staging = Scope {
        environments: vec!["staging".into()],
        services: vec![],
    };
    let all = Scope::default();
    let span = |kind, level, scope, start: &str, end: &str| Span {
        kind,
        level,
        scope,
        start: at(start),
        end: at(end),
    };
    let spans = [
        // 0: a prod window, 09:00-12:00
        span(
            Kind::Window,
            None,
            &prod,
            "2027-03-09T09:00:00Z",
            "2027-03-09T12:00:00Z",
        ),
        // 1: a hard freeze on staging only, inside it: other scope
        span(
            Kind::Freeze,
            Some(Level::Hard),
            &staging,
            "2027-03-09T10:00:00Z",
            "2027-03-09T11:00:00Z",
        ),
        // 2: a soft freeze everywhere: soft freezes do not override
        span(
            Kind::Freeze,
            Some(Level::Soft),
            &all,
            "2027-03-09T09:30:00Z",
            "2027-03-09T10:00:00Z",
        ),
        // 3: a long hard freeze everywhere, started the day before: it overrides the window
        span(
            Kind::Freeze,
            Some(Level::Hard),
            &all,
            "2027-03-08T00:00:00Z",
            "2027-03-09T09:30:00Z",
        ),
        // 4: a prod window that starts when the freeze ended hours before: untouched
        span(
            Kind::Window,
            None,
            &prod,
            "2027-03-10T09:00:00Z",
            "2027-03-10T12:00:00Z",
        ),
        // 5: a staging window meeting the staging freeze
        span(
            Kind::Window,
            None,
            &staging,
            "2027-03-09T10:30:00Z",
            "2027-03-09T10:45:00Z",
        ),
    ];
    assert_eq!(
        overriding_freezes(&spans),
        vec![Some(3), None, None, None, None, Some(1)]
    );
}
