//! Zones a calendar file defines itself (a VTIMEZONE whose TZID is not an IANA name:
//! `Western/Central Europe`, `UTC+11`, `(UTC-03:00) Brasília`, `custom_America/New_York`).
//!
//! Relm keeps every entry in an IANA zone, so such a zone is read from its definition (its
//! STANDARD and DAYLIGHT observances, with their RRULEs and RDATEs) and replaced by the IANA
//! zone that has the same UTC offset at every instant the definition changes (and between),
//! over the years the file's events need. Nothing is guessed: when no IANA zone agrees, the
//! zone is not matched and the importer says so.

use chrono::{DateTime, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// One STANDARD or DAYLIGHT part of a VTIMEZONE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observance {
    /// When it first takes effect, wall-clock in `offset_from`.
    pub start: NaiveDateTime,
    /// Seconds east of UTC before and after.
    pub offset_from: i32,
    pub offset_to: i32,
    pub rrule: Option<String>,
    pub rdates: Vec<NaiveDateTime>,
}

/// `+0100`, `-0530`, `+013000` as seconds east of UTC.
pub fn parse_offset(text: &str) -> Option<i32> {
    let t = text.trim();
    let (sign, digits) = match t.as_bytes().first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| digits.get(r).and_then(|x| x.parse::<i32>().ok());
    let secs = n(0..2)? * 3600 + n(2..4)? * 60 + if digits.len() == 6 { n(4..6)? } else { 0 };
    Some(sign * secs)
}

/// The instants the zone changes offset up to `until`, with the offset after each.
fn transitions(parts: &[Observance], until: NaiveDateTime) -> Vec<(DateTime<Utc>, i32)> {
    let mut out = Vec::new();
    for p in parts {
        let mut onsets = vec![p.start];
        onsets.extend(p.rdates.iter().copied());
        if let Some(rule) = &p.rrule {
            let normal = crate::expand::normal_until(rule);
            if let Ok(parsed) = normal.parse::<rrule::RRule<rrule::Unvalidated>>()
                && let Ok(set) = parsed.build(rrule::Tz::UTC.from_utc_datetime(&p.start))
            {
                // Yearly rules over a few centuries at most: bounded by `until`.
                for t in set.into_iter().take(2000) {
                    let t = t.naive_utc();
                    if t > until {
                        break;
                    }
                    onsets.push(t);
                }
            }
        }
        for local in onsets {
            let utc = local - TimeDelta::seconds(i64::from(p.offset_from));
            out.push((Utc.from_utc_datetime(&utc), p.offset_to));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The offset the definition gives at `t`.
fn offset_at(parts: &[Observance], changes: &[(DateTime<Utc>, i32)], t: DateTime<Utc>) -> i32 {
    match changes.iter().rev().find(|(at, _)| *at <= t) {
        Some((_, off)) => *off,
        // Before any change: where the earliest observance came from.
        None => parts
            .iter()
            .min_by_key(|p| p.start)
            .map(|p| p.offset_from)
            .unwrap_or(0),
    }
}

/// Zones tried first, in this order, so that a definition shared by many IANA zones is read
/// as the one people know (`Europe/Berlin` rather than `Africa/Ceuta`).
const PREFERRED: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
];

/// The IANA zone with the same offsets as `parts` over `[from, to)`, preferring one whose
/// name appears in `hint` (the TZID or an X-LIC-LOCATION).
pub fn match_iana(
    parts: &[Observance],
    hint: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Option<Tz> {
    if parts.is_empty() || to <= from {
        return None;
    }
    let changes = transitions(parts, to.naive_utc() + TimeDelta::days(1));
    // Every change in the span, an hour either side, and the span's ends and middle of
    // each month: a zone that agrees on all of them agrees everywhere in between.
    let mut probes: Vec<DateTime<Utc>> = vec![from, to];
    for (at, _) in changes.iter().filter(|(at, _)| *at >= from && *at < to) {
        probes.extend([*at - TimeDelta::hours(1), *at, *at + TimeDelta::hours(1)]);
    }
    let mut t = from;
    while t < to {
        probes.push(t);
        t += TimeDelta::days(15);
    }
    let agrees = |tz: &Tz| {
        probes.iter().all(|p| {
            tz.offset_from_utc_datetime(&p.naive_utc())
                .fix()
                .local_minus_utc()
                == offset_at(parts, &changes, *p)
        })
    };
    let hinted = chrono_tz::TZ_VARIANTS
        .iter()
        .filter(|z| hint.contains(z.name()))
        .max_by_key(|z| z.name().len());
    hinted
        .into_iter()
        .chain(
            PREFERRED
                .iter()
                .filter_map(|n| n.parse::<Tz>().ok())
                .collect::<Vec<_>>()
                .iter(),
        )
        .chain(chrono_tz::TZ_VARIANTS.iter())
        .find(|z| agrees(z))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        Utc.from_utc_datetime(&at(s))
    }

    fn central_europe() -> Vec<Observance> {
        vec![
            Observance {
                start: at("19810329T020000"),
                offset_from: 3600,
                offset_to: 7200,
                rrule: Some("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU".into()),
                rdates: vec![],
            },
            Observance {
                start: at("19961027T030000"),
                offset_from: 7200,
                offset_to: 3600,
                rrule: Some("FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU".into()),
                rdates: vec![],
            },
        ]
    }

    #[test]
    fn a_custom_definition_of_central_european_time_is_read_as_an_iana_zone() {
        let tz = match_iana(
            &central_europe(),
            "Western/Central Europe",
            utc("20170101T000000"),
            utc("20280101T000000"),
        )
        .unwrap();
        assert_eq!(tz.name(), "Europe/Paris");
    }

    #[test]
    fn the_name_in_the_tzid_wins_among_zones_that_agree() {
        let tz = match_iana(
            &central_europe(),
            "custom_Europe/Berlin",
            utc("20170101T000000"),
            utc("20280101T000000"),
        )
        .unwrap();
        assert_eq!(tz.name(), "Europe/Berlin");
    }

    #[test]
    fn a_fixed_offset_is_an_etc_zone_and_a_definition_no_zone_has_is_not_matched() {
        let fixed = |secs| {
            vec![Observance {
                start: at("19700101T000000"),
                offset_from: secs,
                offset_to: secs,
                rrule: None,
                rdates: vec![],
            }]
        };
        let (from, to) = (utc("20170101T000000"), utc("20280101T000000"));
        let z = match_iana(&fixed(11 * 3600), "UTC+11", from, to).unwrap();
        assert_eq!(
            z.offset_from_utc_datetime(&from.naive_utc())
                .fix()
                .local_minus_utc(),
            11 * 3600
        );
        // Central European offsets with the change in the wrong month: nobody's zone.
        let mut odd = central_europe();
        odd[0].rrule = Some("FREQ=YEARLY;BYMONTH=2;BYDAY=-1SU".into());
        assert_eq!(match_iana(&odd, "Odd", from, to), None);
        assert_eq!(match_iana(&fixed(11 * 3600 + 7), "Odd", from, to), None);
    }

    #[test]
    fn offsets_are_read_with_and_without_seconds_and_nonsense_is_refused() {
        assert_eq!(parse_offset("+0100"), Some(3600));
        assert_eq!(parse_offset("-0530"), Some(-19800));
        assert_eq!(parse_offset("+013015"), Some(5415));
        for bad in ["0100", "+1", "+01:00", "", "-abcd"] {
            assert_eq!(parse_offset(bad), None, "{bad}");
        }
    }
}
