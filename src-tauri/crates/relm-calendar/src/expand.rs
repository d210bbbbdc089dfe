//! Occurrences of an entry in a range.
//!
//! Recurrence is computed on wall-clock times: the `rrule` crate expands the rule with the
//! entry's local times read as floating (zone-less) times, and each occurrence's start and end
//! are then placed in the entry's zone separately. So "every Friday 18:00 to Monday 06:00,
//! Paris" stays 18:00 to 06:00 local on the weekend the clocks change, and lasts an hour more
//! or less in UTC. Local times that do not exist (the spring gap) are read with the offset in
//! force before the gap, as RFC 5545 says (02:30 becomes 03:30); local times that happen twice
//! (the autumn repeat) are the first of the two.

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use rrule::{Frequency, RRule, RRuleSet, Unvalidated};

use crate::entry::{Entry, EntryError, Local};

/// One occurrence of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub start_utc: DateTime<Utc>,
    pub end_utc: DateTime<Utc>,
    /// Wall-clock in the entry's zone.
    pub start_local: Local,
    pub end_local: Local,
    /// The start or end fell in a daylight-saving gap and was moved forward by it.
    pub shifted: bool,
}

/// Expanding stopped: too many occurrences in the range asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{name}` has more than {limit} occurrences between {from} and {to}; ask for a shorter range"
)]
pub struct TooMany {
    pub name: String,
    pub limit: usize,
    pub from: String,
    pub to: String,
}

fn bad(field: &'static str, message: impl Into<String>) -> EntryError {
    EntryError {
        field,
        message: message.into(),
    }
}

fn floating(t: Local) -> DateTime<rrule::Tz> {
    rrule::Tz::UTC.from_utc_datetime(&t)
}

/// Parse an RRULE value and check it against the first start. Rules that repeat more often
/// than hourly are refused: a calendar of freezes and windows never needs them, and they would
/// expand to millions of occurrences.
pub fn check_rrule(rule: &str, start: Local) -> Result<(), EntryError> {
    parse_rule(rule, start).map(|_| ())
}

fn parse_rule(rule: &str, start: Local) -> Result<RRuleSet, EntryError> {
    let parsed: RRule<Unvalidated> = rule
        .parse()
        .map_err(|e| bad("rrule", format!("`{rule}` is not a valid RRULE: {e}")))?;
    if matches!(parsed.get_freq(), Frequency::Secondly | Frequency::Minutely) {
        return Err(bad(
            "rrule",
            format!(
                "`{rule}` repeats more often than hourly and would expand without bound; use FREQ=HOURLY or longer"
            ),
        ));
    }
    parsed
        .build(floating(start))
        .map_err(|e| bad("rrule", format!("`{rule}` does not fit the start: {e}")))
}

/// Where a wall-clock time in `tz` falls in UTC; `true` when it was in a gap and moved.
pub fn resolve(tz: Tz, local: Local) -> (DateTime<Utc>, bool) {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => (t.with_timezone(&Utc), false),
        LocalResult::Ambiguous(first, _) => (first.with_timezone(&Utc), false),
        LocalResult::None => {
            // In the gap: read it with the offset in force just before.
            let before = tz
                .from_local_datetime(&(local - TimeDelta::hours(3)))
                .earliest()
                .map(|t| t.offset().fix())
                .unwrap_or_else(|| Utc.fix());
            let utc = local - TimeDelta::seconds(i64::from(before.local_minus_utc()));
            (Utc.from_utc_datetime(&utc), true)
        }
    }
}

/// Every occurrence of `entry` that overlaps `[from, to)`, in start order. At most `limit`;
/// more is an error rather than a silently cut list.
pub fn occurrences(
    entry: &Entry,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Occurrence>, ExpandError> {
    let tz = entry.zone()?;
    let duration = entry.duration();
    let occurrence = |start_local: NaiveDateTime| {
        let end_local = start_local + duration;
        let (start_utc, s1) = resolve(tz, start_local);
        let (mut end_utc, s2) = resolve(tz, end_local);
        if s1 {
            // A start moved out of the gap keeps at least its planned length.
            end_utc = end_utc.max(start_utc + duration);
        }
        Occurrence {
            start_utc,
            end_utc,
            start_local,
            end_local,
            shifted: s1 || s2,
        }
    };
    // Local times are within 26 hours of UTC: a day of slack on either side of the range.
    let from_local = from.naive_utc() - duration - TimeDelta::days(1);
    let to_local = to.naive_utc() + TimeDelta::days(1);
    let mut out = Vec::new();
    let mut push = |o: Occurrence| -> Result<(), ExpandError> {
        if o.start_utc < to && o.end_utc > from {
            if out.len() == limit {
                return Err(ExpandError::TooMany(TooMany {
                    name: entry.name.clone(),
                    limit,
                    from: crate::fmt_utc(from),
                    to: crate::fmt_utc(to),
                }));
            }
            out.push(o);
        }
        Ok(())
    };
    match &entry.rrule {
        None => push(occurrence(entry.start))?,
        Some(rule) => {
            let mut set = parse_rule(rule, entry.start)?;
            for d in &entry.exdates {
                set = set.exdate(floating(*d));
            }
            for d in &entry.rdates {
                set = set.rdate(floating(*d));
            }
            for start in &set {
                let start = start.naive_utc();
                if start > to_local {
                    break;
                }
                if start < from_local {
                    continue;
                }
                push(occurrence(start))?;
            }
        }
    }
    out.sort_by_key(|o| o.start_utc);
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpandError {
    #[error(transparent)]
    Entry(#[from] EntryError),
    #[error(transparent)]
    TooMany(#[from] TooMany),
}
