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

use crate::entry::{Entry, EntryError, Local, RuleMistake, RuleReason, bad};

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

/// `rule` refused by the rule reader, with the reader's own words as the detail and, where
/// Relm knows the mistake, its reason.
fn not_a_rule(rule: &str, e: rrule::RRuleError) -> EntryError {
    let detail = match &e {
        rrule::RRuleError::ParserError(p) => p.to_string(),
        rrule::RRuleError::ValidationError(v) => v.to_string(),
        other => other.to_string(),
    };
    EntryError {
        detail: Some(detail),
        reason: rule_reason(&e),
        ..bad("rrule", format!("`{rule}` is not a valid RRULE: {e}"))
    }
}

/// The mistakes a person makes typing a rule, by what the rule reader found. Others (the
/// reader's own limits) have no reason: their detail is the reader's English.
fn rule_reason(e: &rrule::RRuleError) -> Option<RuleReason> {
    use RuleMistake as M;
    use rrule::{ParseError as P, RRuleError as E, ValidationError as V};
    let reason = |code, params: &[(&'static str, &str)]| Some(RuleReason::new(code, params));
    let range = |part, value: &str, min, max| {
        reason(
            M::Range,
            &[("part", part), ("value", value), ("min", min), ("max", max)],
        )
    };
    match e {
        E::ParserError(p) => match p {
            P::InvalidFrequency(v) => reason(M::Frequency, &[("value", v)]),
            P::InvalidWeekday(v) | P::InvalidWeekdayStart(v) => reason(M::Weekday, &[("value", v)]),
            P::InvalidInterval(v) => range("INTERVAL", v, "1", "65535"),
            P::InvalidCount(v) => reason(M::Count, &[("value", v)]),
            P::InvalidByHour(v) => range("BYHOUR", v, "0", "23"),
            P::InvalidByMinute(v) => range("BYMINUTE", v, "0", "59"),
            P::InvalidBySecond(v) => range("BYSECOND", v, "0", "59"),
            P::InvalidByMonth(v) => range("BYMONTH", v, "1", "12"),
            P::InvalidByMonthDay(v) => range("BYMONTHDAY", v, "-31", "31"),
            P::InvalidByYearDay(v) => range("BYYEARDAY", v, "-366", "366"),
            P::InvalidByWeekNo(v) => range("BYWEEKNO", v, "-53", "53"),
            P::InvalidBySetPos(v) => range("BYSETPOS", v, "-366", "366"),
            P::InvalidDateTime { value, property } if property == "UNTIL" => {
                reason(M::Until, &[("value", value)])
            }
            P::MissingProperty(part) if part == "FREQ" => reason(M::NoFrequency, &[]),
            P::DuplicateProperty(part) => reason(M::Repeated, &[("part", part)]),
            P::UnrecognizedParameter(v)
            | P::InvalidParameterFormat(v)
            | P::UnrecognizedPropertyName(v) => reason(M::Part, &[("value", v)]),
            _ => None,
        },
        E::ValidationError(v) => match v {
            V::InvalidFieldValue { field, value } => {
                reason(M::NotAllowed, &[("part", field), ("value", value)])
            }
            V::InvalidFieldValueRange {
                field,
                value,
                start_idx,
                end_idx,
            }
            | V::InvalidFieldValueRangeWithFreq {
                field,
                value,
                start_idx,
                end_idx,
                ..
            } => range(field, value, start_idx, end_idx),
            V::InvalidByRuleAndFrequency { by_rule, freq } => reason(
                M::ByFrequency,
                &[("part", by_rule), ("frequency", &freq.to_string())],
            ),
            _ => None,
        },
        _ => None,
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

/// Check that every rule of `entry` builds and that its first occurrences come out: the same
/// code the listing runs, so that an entry accepted now never fails to expand later. What
/// can fail (parsing and building each rule, placing changed occurrences) does not depend on
/// the span, so a short one is walked: this runs for every calendar event a replica applies.
pub fn check(entry: &Entry) -> Result<(), EntryError> {
    for rule in entry.rules() {
        parse_rule(rule, entry.start)?;
    }
    let from = resolve(entry.zone()?, entry.start).0 - TimeDelta::days(2);
    match expand(entry, from, from + TimeDelta::days(8), usize::MAX, true) {
        Ok(_) => Ok(()),
        Err(ExpandError::Entry(e)) => Err(e),
        Err(ExpandError::TooMany(_)) => Ok(()),
    }
}

/// Whether `entry` has no occurrence at all: every instance excluded, or every rule ending
/// (UNTIL) before the first start. An endless rule always occurs.
pub fn never_occurs(entry: &Entry) -> Result<bool, EntryError> {
    let tz = entry.zone()?;
    let mut horizon = entry.end;
    for rule in entry.rules() {
        let parsed: RRule<Unvalidated> = normal_until(rule)
            .parse()
            .map_err(|e| not_a_rule(rule, e))?;
        match (until_of(rule), parsed.get_count()) {
            (Some(u), _) => horizon = horizon.max(u),
            // Bounded by its count: walked to its end.
            (None, Some(_)) => {
                horizon = chrono::NaiveDate::from_ymd_opt(9999, 1, 1)
                    .map(|d| d.and_time(chrono::NaiveTime::MIN))
                    .unwrap_or(horizon)
            }
            (None, None) => return Ok(false),
        }
    }
    let ends = entry
        .rdates
        .iter()
        .copied()
        .chain(entry.periods.iter().map(|p| p.end))
        .chain(entry.overrides.iter().map(|o| o.end));
    horizon = ends.fold(horizon, Local::max) + entry.duration();
    let earliest = entry
        .overrides
        .iter()
        .map(|o| o.start)
        .chain(entry.periods.iter().map(|p| p.start))
        .chain(entry.rdates.iter().copied())
        .fold(entry.start, Local::min);
    let from = resolve(tz, earliest).0 - TimeDelta::days(2);
    let to = resolve(tz, horizon).0 + TimeDelta::days(2);
    match expand(entry, from, to, 1, false) {
        Ok(list) => Ok(list.is_empty()),
        Err(ExpandError::TooMany(_)) => Ok(false),
        Err(ExpandError::Entry(e)) => Err(e),
    }
}

/// An iCalendar DATE (`20271110`, its midnight) or DATE-TIME (`20271110T090000`, seconds
/// optional, a trailing `Z` ignored), as written.
pub(crate) fn date_or_time(v: &str) -> Option<Local> {
    let v = v.trim().trim_end_matches(['Z', 'z']);
    if v.len() == 8 {
        return chrono::NaiveDate::parse_from_str(v, "%Y%m%d")
            .ok()
            .map(|d| d.and_time(chrono::NaiveTime::MIN));
    }
    NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S")
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M").ok())
}

/// The UNTIL of a rule as written (`UNTIL=20271110T000000Z` is 2027-11-10 00:00; Relm keeps
/// it as the wall-clock time in the entry's zone).
pub(crate) fn until_of(rule: &str) -> Option<Local> {
    rule_parts(rule, "UNTIL").find_map(date_or_time)
}

/// The values of a rule's `key=value` parts named `key` (in any case), as written.
fn rule_parts<'a>(rule: &'a str, key: &'a str) -> impl Iterator<Item = &'a str> {
    rule.split(';')
        .filter_map(|part| part.split_once('='))
        .filter(move |(k, _)| k.trim().eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// The rule with its UNTIL in the one form the expansion reads (`YYYYMMDDTHHMMSSZ`, the
/// wall-clock time), whatever form it was written in (a DATE, a floating time).
pub(crate) fn normal_until(rule: &str) -> String {
    let Some(until) = until_of(rule) else {
        return rule.to_string();
    };
    rule.split(';')
        .map(|part| match part.split_once('=') {
            Some((k, _)) if k.trim().eq_ignore_ascii_case("UNTIL") => {
                format!("UNTIL={}Z", until.format("%Y%m%dT%H%M%S"))
            }
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn parse_rule(rule: &str, start: Local) -> Result<RRuleSet, EntryError> {
    let normal = normal_until(rule);
    let parsed: RRule<Unvalidated> = normal.parse().map_err(|e| not_a_rule(rule, e))?;
    if matches!(parsed.get_freq(), Frequency::Secondly | Frequency::Minutely) {
        return Err(EntryError {
            reason: Some(RuleReason::new(RuleMistake::TooOften, &[])),
            ..bad(
                "rrule",
                format!(
                    "`{rule}` repeats more often than hourly and would expand without bound; use FREQ=HOURLY or longer"
                ),
            )
        });
    }
    // A rule whose UNTIL is before the start has no occurrence (calendars write this when
    // every instance was deleted): build it from its UNTIL so that it still parses.
    let first = match until_of(rule) {
        Some(u) if u < start => u,
        _ => start,
    };
    parsed.build(floating(first)).map_err(|e| EntryError {
        reason: rule_reason(&e),
        ..bad("rrule", format!("`{rule}` does not fit the start: {e}"))
    })
}

/// The last start `rule` gives from `start` when it ends (its UNTIL, or its last occurrence
/// under COUNT), or `None` for a rule without end or one that cannot be read (expanding it says
/// why). Counted rules are walked once per thread and kept.
fn last_start(rule: &str, start: Local) -> Option<Local> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static LAST: RefCell<HashMap<(String, Local), Option<Local>>> = RefCell::new(HashMap::new());
    }
    if let Some(u) = until_of(rule) {
        return Some(u);
    }
    // Without UNTIL or COUNT, a rule does not end.
    rule_parts(rule, "COUNT").next()?;
    let key = (rule.to_string(), start);
    if let Some(hit) = LAST.with_borrow(|m| m.get(&key).copied()) {
        return hit;
    }
    let last = parse_rule(rule, start)
        .ok()
        .and_then(|set| set.into_iter().last())
        .map(|t| t.naive_utc());
    LAST.with_borrow_mut(|m| {
        // Bounded: a long-running process meets new rules only as calendars change.
        if m.len() >= 4096 {
            m.clear();
        }
        m.insert(key, last);
    });
    last
}

/// A later first start for `rule` that gives the same occurrences from `until` on, so that a
/// rule started years ago is not walked through all its history: whole periods of the rule
/// (INTERVAL × FREQ) are skipped, keeping at least one period of margin before `until`, where
/// occurrences are dropped anyway. Rules with COUNT are never moved (their count starts at
/// the first start).
fn fast_forward(rule: &str, start: Local, until: Local) -> Result<Local, EntryError> {
    use chrono::{Datelike, Months};
    let parsed: RRule<Unvalidated> = normal_until(rule)
        .parse()
        .map_err(|e| not_a_rule(rule, e))?;
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
    let duration = entry.duration();
    // How far an occurrence may lie from where the rules put it: its length, and the moves
    // of the changed occurrences that apply to later ones.
    let longest = entry
        .periods
        .iter()
        .map(|p| p.end - p.start)
        .chain(entry.overrides.iter().map(|o| o.end - o.start))
        .fold(duration, TimeDelta::max);
    let moved = entry
        .overrides
        .iter()
        .filter(|o| o.and_future)
        .map(|o| (o.start - o.of).abs())
        .fold(TimeDelta::zero(), TimeDelta::max);
    // Local times are within 26 hours of UTC: a day of slack on either side of the range.
    let from_local = from.naive_utc() - longest - moved - TimeDelta::days(1);
    let to_local = to.naive_utc() + moved + TimeDelta::days(1);
    // An entry occurs only from its first start on, and, when every rule ends (COUNT or UNTIL),
    // up to the last start its rules, RDATEs, periods and changed occurrences give: one whose
    // span is far from the range has nothing in it, and is passed over without expanding it
    // (a calendar of hundreds of entries is judged at every deployment).
    if skip {
        let starts = std::iter::once(entry.start)
            .chain(entry.rdates.iter().copied())
            .chain(entry.periods.iter().map(|p| p.start))
            .chain(entry.overrides.iter().map(|o| o.start));
        let (lo, hi) = starts.fold((entry.start, entry.start), |(lo, hi), t| {
            (lo.min(t), hi.max(t))
        });
        let last = entry
            .rules()
            .map(|r| last_start(r, entry.start))
            .try_fold(hi, |hi, last| last.map(|l| hi.max(l)));
        if lo > to_local || last.is_some_and(|hi| hi < from_local) {
            return Ok(Vec::new());
        }
    }
    let tz = entry.zone()?;
    let occurrence = |start_local: NaiveDateTime, length: TimeDelta| {
        let end_local = start_local + length;
        let (start_utc, s1) = resolve(tz, start_local);
        let (mut end_utc, s2) = resolve(tz, end_local);
        if s1 {
            // A start moved out of the gap keeps at least its planned length.
            end_utc = end_utc.max(start_utc + length);
        }
        Occurrence {
            start_utc,
            end_utc,
            start_local,
            end_local,
            shifted: s1 || s2,
        }
    };
    let mut out = Vec::new();
    let mut push = |o: Occurrence| -> Result<(), ExpandError> {
        // An occurrence of no length is in the range when it starts in it.
        let inside = if o.start_utc == o.end_utc {
            from <= o.start_utc && o.start_utc < to
        } else {
            o.start_utc < to && o.end_utc > from
        };
        if inside {
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
    // Where the rules, RDATEs and periods put occurrences (start → length). The first start
    // is an occurrence (RFC 5545 §3.8.5.3), unless every UNTIL is before it.
    // (A period keeps its own length, even under a change of this and future occurrences.)
    let mut starts: std::collections::BTreeMap<Local, (TimeDelta, bool)> = Default::default();
    let last_until = entry.rules().filter_map(|r| until_of(r)).max();
    if last_until.is_none_or(|u| entry.start <= u) {
        starts.insert(entry.start, (duration, false));
    }
    for rule in entry.rules() {
        let first = if skip {
            fast_forward(rule, entry.start, from_local)?
        } else {
            entry.start
        };
        if until_of(rule).is_some_and(|u| u < first) {
            continue;
        }
        for start in &parse_rule(rule, first)? {
            let start = start.naive_utc();
            if start > to_local {
                break;
            }
            if start >= from_local {
                starts.insert(start, (duration, false));
            }
        }
    }
    for d in &entry.rdates {
        starts.entry(*d).or_insert((duration, false));
    }
    for p in &entry.periods {
        starts.insert(p.start, (p.end - p.start, true));
    }
    let excluded = |t: &Local| entry.exdates.contains(t) || entry.exdays.contains(&t.date());
    let mut futures: Vec<&crate::entry::Override> =
        entry.overrides.iter().filter(|o| o.and_future).collect();
    futures.sort_by_key(|o| o.of);
    for (start, (length, period)) in starts {
        if excluded(&start) || entry.overrides.iter().any(|o| o.of == start) {
            continue;
        }
        // The latest earlier change that applies to this and future occurrences.
        match futures.iter().rev().find(|o| o.of < start) {
            Some(o) => {
                let length = if period { length } else { o.end - o.start };
                push(occurrence(start + (o.start - o.of), length))?
            }
            None => push(occurrence(start, length))?,
        }
    }
    for o in &entry.overrides {
        if !o.cancelled && !excluded(&o.of) {
            push(occurrence(o.start, o.end - o.start))?;
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
