//! A release's planned window: two instants plus the IANA zone the person entered them in.
//!
//! Instants are kept in UTC; the zone is kept so the window is shown the way it was planned
//! ("Friday 18:00 Paris") and so later calendar rules can reason in wall-clock time.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::{DomainError, ProblemCode, Problems};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlannedWindow {
    #[serde(with = "utc_seconds")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub start: DateTime<Utc>,
    #[serde(with = "utc_seconds")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub end: DateTime<Utc>,
    /// IANA zone name, e.g. `Europe/Paris`.
    pub tz: String,
}

impl PlannedWindow {
    /// Parse a window given as RFC 3339 instants (`2027-03-19T18:00:00+01:00`) or as local
    /// wall-clock times in `tz` (`2027-03-19T18:00`).
    /// Every problem is reported at once: a missing or malformed start or end, an unknown
    /// zone (the times are then still read, as UTC, for their own problems), an end not after
    /// the start.
    pub fn parse(start: &str, end: &str, tz: &str) -> Result<Self, DomainError> {
        let mut problems = Problems::default();
        let zone = problems.check(parse_zone(tz));
        let read = zone.unwrap_or(Tz::UTC);
        let start_at = problems.check(parse_instant("start", start, read));
        let end_at = problems.check(parse_instant("end", end, read));
        let (Some(zone), Some(start), Some(end)) = (zone, start_at, end_at) else {
            return Err(problems.done().expect_err("a part failed"));
        };
        let window = PlannedWindow {
            start,
            end,
            tz: zone.name().to_string(),
        };
        window.validate()?;
        Ok(window)
    }

    pub fn validate(&self) -> Result<(), DomainError> {
        parse_zone(&self.tz)?;
        if self.end <= self.start {
            return Err(DomainError::problem(
                "end",
                ProblemCode::EndNotAfterStart,
                format!(
                    "the window ends ({}) before or when it starts ({}); give an end after the start",
                    fmt_utc(self.end),
                    fmt_utc(self.start)
                ),
            ));
        }
        Ok(())
    }

    /// The window's start as wall-clock time in its own zone.
    pub fn local_start(&self) -> String {
        self.in_zone(self.start)
    }

    pub fn local_end(&self) -> String {
        self.in_zone(self.end)
    }

    fn in_zone(&self, at: DateTime<Utc>) -> String {
        match self.tz.parse::<Tz>() {
            Ok(z) => at.with_timezone(&z).format("%Y-%m-%d %H:%M %Z").to_string(),
            Err(_) => fmt_utc(at),
        }
    }
}

pub fn parse_zone(tz: &str) -> Result<Tz, DomainError> {
    let name = tz.trim();
    if name.is_empty() {
        return Err(DomainError::problem(
            "tz",
            ProblemCode::Required,
            "no time zone; use an IANA name such as Europe/Paris, America/New_York or UTC",
        ));
    }
    name.parse::<Tz>().map_err(|_| {
        DomainError::problem(
            "tz",
            ProblemCode::UnknownZone,
            format!("unknown time zone `{tz}`; use an IANA name such as Europe/Paris, America/New_York or UTC"),
        )
        .with("value", name)
    })
}

/// An instant given as RFC 3339, or as a wall-clock time in `zone` (refused when it happens
/// twice or never there). Truncated to the second.
pub fn parse_instant(
    field: &'static str,
    text: &str,
    zone: Tz,
) -> Result<DateTime<Utc>, DomainError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DomainError::problem(
            field,
            ProblemCode::Required,
            format!("no {field} time; give both the start and the end of the window"),
        ));
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(truncate(at.with_timezone(&Utc)));
    }
    let naive = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .ok_or_else(|| {
            DomainError::problem(
                field,
                ProblemCode::BadTime,
                format!("`{text}` is not a date-time; use RFC 3339 (2027-03-19T18:00:00+01:00) or a local time like 2027-03-19T18:00"),
            )
            .with("value", text)
        })?;
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(at) => Ok(truncate(at.with_timezone(&Utc))),
        LocalResult::Ambiguous(a, b) => Err(DomainError::problem(
            field,
            ProblemCode::AmbiguousTime,
            format!(
                "{text} happens twice in {} (clocks go back); give the offset, e.g. {} or {}",
                zone.name(),
                a.to_rfc3339(),
                b.to_rfc3339()
            ),
        )
        .with("value", text)
        .with("zone", zone.name())),
        LocalResult::None => Err(DomainError::problem(
            field,
            ProblemCode::NonexistentTime,
            format!(
                "{text} does not exist in {} (clocks go forward); choose another time",
                zone.name()
            ),
        )
        .with("value", text)
        .with("zone", zone.name())),
    }
}

fn truncate(at: DateTime<Utc>) -> DateTime<Utc> {
    Utc.timestamp_opt(at.timestamp(), 0).single().unwrap_or(at)
}

/// `2027-03-19T17:00:00Z`: one text form for instants (the calendar's, shared).
pub use relm_calendar::fmt_utc;

/// Serialise instants as `2027-03-19T17:00:00Z`: one text form, whatever produced them.
mod utc_seconds {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::fmt_utc(*at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_of_a_window_is_checked_at_once() {
        let codes = |s: &str, e: &str, tz: &str| match PlannedWindow::parse(s, e, tz) {
            Err(DomainError::Invalid(ps)) => ps
                .into_iter()
                .map(|p| (p.field, p.code, p.params.get("value").cloned()))
                .collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        use ProblemCode::*;
        assert_eq!(
            codes("2027-03-19T18:00", "", "Mars/Olympus"),
            vec![
                ("tz".into(), UnknownZone, Some("Mars/Olympus".into())),
                ("end".into(), Required, None),
            ]
        );
        assert_eq!(
            codes("soon", "2027-03-19T18:00", " "),
            vec![
                ("tz".into(), Required, None),
                ("start".into(), BadTime, Some("soon".into())),
            ]
        );
        assert_eq!(
            codes("2027-03-19T18:00", "2027-03-19T17:00", "Europe/Paris"),
            vec![("end".into(), EndNotAfterStart, None)]
        );
        assert_eq!(
            codes("2027-03-28T02:30", "2027-03-28T04:00", "Europe/Paris"),
            vec![(
                "start".into(),
                NonexistentTime,
                Some("2027-03-28T02:30".into())
            )]
        );
    }

    #[track_caller]
    fn check(start: &str, end: &str, tz: &str, expected: Result<(&str, &str), &str>) {
        match (PlannedWindow::parse(start, end, tz), expected) {
            (Ok(w), Ok((s, e))) => {
                assert_eq!((fmt_utc(w.start).as_str(), fmt_utc(w.end).as_str()), (s, e))
            }
            (Err(err), Err(fragment)) => {
                assert!(
                    err.to_string().contains(fragment),
                    "`{err}` should mention `{fragment}`"
                )
            }
            (got, want) => panic!("got {got:?}, wanted {want:?}"),
        }
    }

    #[test]
    fn windows_parse_local_and_offset_times_and_refuse_nonsense() {
        // Local wall-clock time in Paris (UTC+1 in March before DST).
        check(
            "2027-03-19T18:00",
            "2027-03-19T20:00",
            "Europe/Paris",
            Ok(("2027-03-19T17:00:00Z", "2027-03-19T19:00:00Z")),
        );
        // Summer time: UTC+2.
        check(
            "2027-07-02T18:00",
            "2027-07-02T19:00",
            "Europe/Paris",
            Ok(("2027-07-02T16:00:00Z", "2027-07-02T17:00:00Z")),
        );
        // Explicit offsets win over the zone.
        check(
            "2027-03-19T18:00:00+00:00",
            "2027-03-19T19:00:00Z",
            "Asia/Tokyo",
            Ok(("2027-03-19T18:00:00Z", "2027-03-19T19:00:00Z")),
        );
        check(
            "2027-03-19T18:00",
            "2027-03-19T17:00",
            "UTC",
            Err("before or when it starts"),
        );
        check(
            "2027-03-19T18:00",
            "2027-03-19T19:00",
            "Mars/Olympus",
            Err("unknown time zone"),
        );
        check(
            "next friday",
            "2027-03-19T19:00",
            "UTC",
            Err("not a date-time"),
        );
        // 2027-03-28 02:30 does not exist in Paris; 2027-10-31 02:30 happens twice.
        check(
            "2027-03-28T02:30",
            "2027-03-28T05:00",
            "Europe/Paris",
            Err("does not exist"),
        );
        check(
            "2027-10-31T02:30",
            "2027-10-31T05:00",
            "Europe/Paris",
            Err("happens twice"),
        );
    }
}
