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

/// A later first start for `rule` that gives the same occurrences from `until` on, so that a
/// rule started years ago is not walked through all its history: whole periods of the rule
/// (INTERVAL × FREQ) are skipped, keeping at least one period of margin before `until`, where
/// occurrences are dropped anyway. Rules with COUNT are never moved (their count starts at
/// the first start).
fn fast_forward(rule: &str, start: Local, until: Local) -> Result<Local, EntryError> {
    use chrono::{Datelike, Months};
    let parsed: RRule<Unvalidated> = rule
        .parse()
        .map_err(|e| bad("rrule", format!("`{rule}` is not a valid RRULE: {e}")))?;
    if parsed.get_count().is_some() || start >= until {
        return Ok(start);
    }
    let n = i64::from(parsed.get_interval().max(1));
    let gap = until - start;
    let by_delta = |period: TimeDelta| -> Local {
        let periods = gap.num_seconds() / period.num_seconds().max(1) - 1;
        if periods <= 0 {
            start
        } else {
            start + period * (periods as i32)
        }
    };
    let by_months = |months_per_period: i64| -> Local {
        let months = (i64::from(until.year() - start.year()) * 12 + i64::from(until.month())
            - i64::from(start.month()))
            / months_per_period
            - 1;
        // The day of month must exist in the month reached (the 31st, February 29th).
        (0..4)
            .filter_map(|back| {
                let k = months - back;
                (k > 0)
                    .then(|| u32::try_from(k * months_per_period).ok())
                    .flatten()
                    .and_then(|m| start.checked_add_months(Months::new(m)))
                    .filter(|d| d.day() == start.day())
            })
            .next()
            .unwrap_or(start)
    };
    Ok(match parsed.get_freq() {
        Frequency::Hourly => by_delta(TimeDelta::hours(n)),
        Frequency::Daily => by_delta(TimeDelta::days(n)),
        Frequency::Weekly => by_delta(TimeDelta::weeks(n)),
        Frequency::Monthly => by_months(n),
        Frequency::Yearly => by_months(12 * n),
        Frequency::Minutely | Frequency::Secondly => start,
    })
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
    expand(entry, from, to, limit, true)
}

/// [`occurrences`] walking the rule from its first start: the reference the skipping is
/// tested against.
#[doc(hidden)]
pub fn occurrences_walking_history(
    entry: &Entry,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Occurrence>, ExpandError> {
    expand(entry, from, to, limit, false)
}

fn expand(
    entry: &Entry,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: usize,
    skip: bool,
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
        None => {
            // A one-off, and its extra dates (a holiday set is one entry with many RDATEs).
            for start in std::iter::once(entry.start).chain(entry.rdates.iter().copied()) {
                push(occurrence(start))?;
            }
        }
        Some(rule) => {
            let first = if skip {
                fast_forward(rule, entry.start, from_local)?
            } else {
                entry.start
            };
            let mut set = parse_rule(rule, first)?;
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
