//! Reading iCalendar files as the world writes them: Outlook, Google Calendar, Thunderbird,
//! Nextcloud, khal, Relm, and the odd files found in other libraries' bug reports.
//!
//! What a calendar entry needs is read from each VEVENT: UID, SUMMARY, DESCRIPTION, STATUS,
//! SEQUENCE, DTSTART, DTEND or DURATION, every RRULE, EXDATE and RDATE (dates, date-times and
//! periods), and RECURRENCE-ID (with RANGE=THISANDFUTURE). Events sharing a UID form one
//! series: the changed occurrences (RECURRENCE-ID) go into their series' entry wherever they
//! are in the file, and stand alone when the series is missing.
//!
//! Times with a TZID are read in that zone: IANA names, Thunderbird's `/mozilla.org/…/Europe/
//! Paris` form, the Windows names Outlook writes, and zones the file defines itself (read as
//! the IANA zone with the same offsets, [`crate::vtimezone`]). UTC times are kept in UTC, or
//! read in the calendar's X-WR-TIMEZONE (Google) when it has one; floating times and all-day
//! dates are read in X-WR-TIMEZONE or else in the zone the importer names.
//!
//! Lenient where RFC 5545 or common practice says what is meant (no DTEND, an UNTIL of
//! another value type, an END naming the wrong component, a line that is not a content line):
//! each such reading is said in [`Reading::notes`], as a [`Note`] with a code, its line and its
//! values (said in English by its `Display`, in the reader's language by the app). Strict where
//! nothing can be read (a truncated file, a bad date, a bad RRULE): the error names the line,
//! and the file imports nothing.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::entry::{Local, Override, Period, zone};
use crate::vtimezone::{self, Observance};

/// What a lenient reading was (see [`Note`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "IcsNoteCode"))]
pub enum NoteCode {
    /// Lines that are not content lines were left out (`count`).
    NotContentLines,
    /// An END also closed components opened inside (`what`, `name`, `begin`: its line).
    EndClosesAlso,
    /// An END naming no open component closed the last one (`what`, `name`, `begin`).
    EndReadAs,
    /// An END without a BEGIN was left out (`what`).
    EndWithoutBegin,
    /// The calendar's X-WR-TIMEZONE is no known zone (`value`).
    UnknownWrTimezone,
    /// A TZID neither IANA nor defined in the file: its times read in `zone` (`tzid`).
    UnknownZone,
    /// A zone the file defines read as the IANA `zone` with its offsets over `years` (`tzid`).
    ZoneByOffsets,
    /// Changed occurrences of an earlier version of their series were left out (`count`).
    StaleOverrides,
    /// Older versions of events were left out (`count`).
    OlderVersions,
    /// Cancelled events were left out (`count`).
    Cancelled,
    /// Changed occurrences without their series were imported on their own (`count`).
    Orphans,
    /// Events without an end or a duration (`count`).
    NoEnd,
    /// Events ending before they start: start and end swapped (`count`).
    Swapped,
    /// All-day events ending when they start: read as lasting their day (`count`).
    SameDay,
    /// A negative COUNT left out of a rule (`count`).
    NegativeCount,
    /// Events with no occurrence at all were left out (`count`, `events`: where and which).
    NeverOccurs,
}

/// How a file was read where it needed a choice: what (`code`), the line it applies to, and
/// the values its wording needs. `Display` says it in English, after its line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "IcsNote"))]
pub struct Note {
    pub code: NoteCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub line: Option<usize>,
    pub params: BTreeMap<String, String>,
}

impl Note {
    pub fn new(code: NoteCode, line: Option<usize>, params: &[(&str, String)]) -> Note {
        Note {
            code,
            line,
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    fn param(&self, key: &str) -> &str {
        self.params.get(key).map_or("", String::as_str)
    }

    /// The note in English, without its line.
    pub fn text(&self) -> String {
        let p = |k: &str| self.param(k);
        match self.code {
            NoteCode::NotContentLines => format!(
                "{} line(s) that are not iCalendar content lines (NAME:value) were left out",
                p("count")
            ),
            NoteCode::EndClosesAlso => format!(
                "END:{} also closes BEGIN:{} of line {}",
                p("what"),
                p("name"),
                p("begin")
            ),
            NoteCode::EndReadAs => format!(
                "END:{} read as END:{} (BEGIN of line {})",
                p("what"),
                p("name"),
                p("begin")
            ),
            NoteCode::EndWithoutBegin => format!("END:{} without a BEGIN was left out", p("what")),
            NoteCode::UnknownWrTimezone => format!(
                "X-WR-TIMEZONE `{}` is not a known zone and was left out",
                p("value")
            ),
            NoteCode::UnknownZone => format!(
                "the zone `{}` is neither an IANA zone nor defined in the file: its times were read in {} (--tz); check them",
                p("tzid"),
                p("zone")
            ),
            NoteCode::ZoneByOffsets => format!(
                "the zone `{}` is not an IANA name; the file defines it with the offsets of {} over {}, when its events are: read as {}",
                p("tzid"),
                p("zone"),
                p("years"),
                p("zone")
            ),
            NoteCode::StaleOverrides => format!(
                "{} changed occurrence(s) from an earlier version of their series (lower SEQUENCE, for an occurrence the series no longer has) were left out",
                p("count")
            ),
            NoteCode::OlderVersions => format!(
                "{} older version(s) of events (same UID, lower or equal SEQUENCE) were left out",
                p("count")
            ),
            NoteCode::Cancelled => format!(
                "{} cancelled event(s) (STATUS:CANCELLED) were left out",
                p("count")
            ),
            NoteCode::Orphans => format!(
                "{} changed occurrence(s) whose series is not in the file were imported on their own",
                p("count")
            ),
            NoteCode::NoEnd => format!(
                "{} event(s) without DTEND or DURATION: an all-day one lasts its day, one at a time of day has no length (RFC 5545 §3.6.1)",
                p("count")
            ),
            NoteCode::Swapped => format!(
                "{} event(s) ending before they start: start and end swapped",
                p("count")
            ),
            NoteCode::SameDay => format!(
                "{} event(s) all-day with DTEND equal to DTSTART: read as lasting their day",
                p("count")
            ),
            NoteCode::NegativeCount => format!(
                "{} event(s) with a negative COUNT in their RRULE: the COUNT was left out",
                p("count")
            ),
            NoteCode::NeverOccurs => format!(
                "{} event(s) with no occurrence at all (every instance deleted, or an UNTIL before the start) were left out: {}",
                p("count"),
                p("events")
            ),
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.text()),
            None => f.write_str(&self.text()),
        }
    }
}

/// Files above this size are refused (a year of holidays is a few kilobytes).
pub const MAX_BYTES: usize = 10 << 20;
/// Events above this count are refused.
pub const MAX_EVENTS: usize = 10_000;

/// An error with the line it is on (1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct IcsError {
    pub line: usize,
    pub message: String,
}

fn err(line: usize, message: impl Into<String>) -> IcsError {
    IcsError {
        line,
        message: message.into(),
    }
}

/// One series (a VEVENT and the changes to its occurrences), times as wall-clock in `tz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsEvent {
    pub line: usize,
    pub uid: Option<String>,
    pub summary: String,
    pub description: String,
    /// Where SUMMARY and DESCRIPTION are (the event's line when absent), to point at them.
    pub summary_line: usize,
    pub description_line: usize,
    pub tz: String,
    pub start: Local,
    pub end: Local,
    pub all_day: bool,
    /// The event had neither DTEND nor DURATION (RFC 5545 §3.6.1: a date lasts a day, a
    /// date-time has no length).
    pub no_end: bool,
    pub rrules: Vec<String>,
    pub exdates: Vec<Local>,
    pub exdays: Vec<NaiveDate>,
    pub rdates: Vec<Local>,
    pub periods: Vec<Period>,
    pub overrides: Vec<Override>,
    /// A release exported by Relm (not a calendar entry).
    pub is_release: bool,
}

impl IcsEvent {
    /// The series as a calendar entry (a hard freeze, named by its SUMMARY, its UID as the
    /// source): the importer sets what the file does not say (kind, scope).
    pub fn entry(&self) -> crate::Entry {
        let mut rules = self.rrules.iter().cloned();
        crate::Entry {
            name: if self.summary.trim().is_empty() {
                "(untitled)".into()
            } else {
                self.summary.clone()
            },
            reason: self.description.clone(),
            tz: self.tz.clone(),
            start: self.start,
            end: self.end,
            rrule: rules.next(),
            more_rrules: rules.collect(),
            exdates: self.exdates.clone(),
            exdays: self.exdays.clone(),
            rdates: self.rdates.clone(),
            periods: self.periods.clone(),
            overrides: self.overrides.clone(),
            source: self.uid.clone(),
            ..crate::Entry::blank()
        }
    }
}

/// What a file holds, and how it was read where the reading needed a choice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reading {
    pub events: Vec<IcsEvent>,
    /// Each lenient reading, with the line where it applies.
    pub notes: Vec<Note>,
}

/// A content line: name, parameters, value, and the line it started on.
#[derive(Debug)]
struct Prop {
    line: usize,
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

impl Prop {
    fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// Unfold (RFC 5545 §3.1) and split into properties; lines that are not content lines are
/// left out and counted.
fn props(text: &str, notes: &mut Vec<Note>) -> Vec<Prop> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix(' ').or_else(|| raw.strip_prefix('\t'))
            && let Some((_, l)) = lines.last_mut()
        {
            l.push_str(rest);
            continue;
        }
        if !raw.trim().is_empty() {
            lines.push((i + 1, raw.to_string()));
        }
    }
    let mut skipped: Vec<usize> = Vec::new();
    let out = lines
        .into_iter()
        .filter_map(|(line, l)| {
            let parsed = content_line(line, &l);
            if parsed.is_none() {
                skipped.push(line);
            }
            parsed
        })
        .collect();
    if let Some(first) = skipped.first() {
        notes.push(Note::new(
            NoteCode::NotContentLines,
            Some(*first),
            &[("count", skipped.len().to_string())],
        ));
    }
    out
}

fn content_line(line: usize, l: &str) -> Option<Prop> {
    // The value starts at the first ':' outside a quoted parameter value.
    let mut quoted = false;
    let colon = l
        .char_indices()
        .find(|(_, c)| {
            if *c == '"' {
                quoted = !quoted;
            }
            *c == ':' && !quoted
        })
        .map(|(i, _)| i)?;
    let (head, value) = (&l[..colon], &l[colon + 1..]);
    let mut parts = head.split(';');
    let name = parts.next().unwrap_or_default().trim().to_ascii_uppercase();
    let valid = |c: char| c.is_ascii_alphanumeric() || c == '-';
    if name.is_empty() || !name.chars().all(valid) {
        return None;
    }
    let params = parts
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (
                k.trim().to_ascii_uppercase(),
                v.trim().trim_matches('"').to_string(),
            ),
            None => (p.trim().to_ascii_uppercase(), String::new()),
        })
        .collect();
    Some(Prop {
        line,
        name,
        params,
        value: value.to_string(),
    })
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The IANA zone for a TZID as calendar applications write it.
pub fn iana(tzid: &str) -> Option<Tz> {
    let t = tzid.trim().trim_matches('"');
    if let Ok(z) = zone(t.trim_matches('/')) {
        return Some(z);
    }
    // Globally unique TZIDs (RFC 5545 §3.2.19), as Thunderbird and libical write them:
    // /mozilla.org/20070129_1/Europe/Paris
    if t.starts_with('/') {
        let parts: Vec<&str> = t.split('/').filter(|p| !p.is_empty()).collect();
        for n in [3, 2, 1] {
            if parts.len() >= n
                && let Ok(z) = zone(&parts[parts.len() - n..].join("/"))
            {
                return Some(z);
            }
        }
    }
    windows(t).and_then(|z| zone(z).ok())
}

/// The IANA zone for a Windows zone name (as Outlook and Exchange write TZIDs), after the
/// Unicode CLDR's windowsZones table (territory 001).
fn windows(name: &str) -> Option<&'static str> {
    Some(match name {
        "Dateline Standard Time" => "Etc/GMT+12",
        "UTC-11" => "Etc/GMT+11",
        "Hawaiian Standard Time" => "Pacific/Honolulu",
        "Alaskan Standard Time" => "America/Anchorage",
        "Pacific Standard Time (Mexico)" => "America/Tijuana",
        "Pacific Standard Time" => "America/Los_Angeles",
        "US Mountain Standard Time" => "America/Phoenix",
        "Mountain Standard Time (Mexico)" => "America/Mazatlan",
        "Mountain Standard Time" => "America/Denver",
        "Central America Standard Time" => "America/Guatemala",
        "Central Standard Time" => "America/Chicago",
        "Central Standard Time (Mexico)" => "America/Mexico_City",
        "Canada Central Standard Time" => "America/Regina",
        "SA Pacific Standard Time" => "America/Bogota",
        "Eastern Standard Time" => "America/New_York",
        "US Eastern Standard Time" => "America/Indianapolis",
        "Venezuela Standard Time" => "America/Caracas",
        "Atlantic Standard Time" => "America/Halifax",
        "SA Western Standard Time" => "America/La_Paz",
        "Pacific SA Standard Time" => "America/Santiago",
        "Newfoundland Standard Time" => "America/St_Johns",
        "E. South America Standard Time" => "America/Sao_Paulo",
        "Argentina Standard Time" => "America/Buenos_Aires",
        "SA Eastern Standard Time" => "America/Cayenne",
        "Greenland Standard Time" => "America/Godthab",
        "UTC-02" => "Etc/GMT+2",
        "Azores Standard Time" => "Atlantic/Azores",
        "Cape Verde Standard Time" => "Atlantic/Cape_Verde",
        "UTC" | "Coordinated Universal Time" => "UTC",
        "GMT Standard Time" => "Europe/London",
        "Greenwich Standard Time" => "Atlantic/Reykjavik",
        "W. Europe Standard Time" => "Europe/Berlin",
        "Central Europe Standard Time" => "Europe/Budapest",
        "Romance Standard Time" => "Europe/Paris",
        "Central European Standard Time" => "Europe/Warsaw",
        "W. Central Africa Standard Time" => "Africa/Lagos",
        "GTB Standard Time" => "Europe/Bucharest",
        "Middle East Standard Time" => "Asia/Beirut",
        "Egypt Standard Time" => "Africa/Cairo",
        "E. Europe Standard Time" => "Europe/Chisinau",
        "South Africa Standard Time" => "Africa/Johannesburg",
        "FLE Standard Time" => "Europe/Kiev",
        "Israel Standard Time" => "Asia/Jerusalem",
        "Turkey Standard Time" => "Europe/Istanbul",
        "Arabic Standard Time" => "Asia/Baghdad",
        "Arab Standard Time" => "Asia/Riyadh",
        "Russian Standard Time" => "Europe/Moscow",
        "E. Africa Standard Time" => "Africa/Nairobi",
        "Iran Standard Time" => "Asia/Tehran",
        "Arabian Standard Time" => "Asia/Dubai",
        "Afghanistan Standard Time" => "Asia/Kabul",
        "Pakistan Standard Time" => "Asia/Karachi",
        "India Standard Time" => "Asia/Kolkata",
        "Sri Lanka Standard Time" => "Asia/Colombo",
        "Nepal Standard Time" => "Asia/Kathmandu",
        "Bangladesh Standard Time" => "Asia/Dhaka",
        "Myanmar Standard Time" => "Asia/Rangoon",
        "SE Asia Standard Time" => "Asia/Bangkok",
        "China Standard Time" => "Asia/Shanghai",
        "Singapore Standard Time" => "Asia/Singapore",
        "Taipei Standard Time" => "Asia/Taipei",
        "W. Australia Standard Time" => "Australia/Perth",
        "Tokyo Standard Time" => "Asia/Tokyo",
        "Korea Standard Time" => "Asia/Seoul",
        "Cen. Australia Standard Time" => "Australia/Adelaide",
        "AUS Central Standard Time" => "Australia/Darwin",
        "E. Australia Standard Time" => "Australia/Brisbane",
        "AUS Eastern Standard Time" => "Australia/Sydney",
        "Tasmania Standard Time" => "Australia/Hobart",
        "New Zealand Standard Time" => "Pacific/Auckland",
        "Tonga Standard Time" => "Pacific/Tongatapu",
        _ => return None,
    })
}

/// A DATE, DATE-TIME or PERIOD value as written, before it is placed in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stamp {
    Date(NaiveDate),
    Floating(NaiveDateTime),
    Utc(NaiveDateTime),
    Zoned(Tz, NaiveDateTime),
}

impl Stamp {
    fn is_date(self) -> bool {
        matches!(self, Stamp::Date(_))
    }

    /// The start or end of a component, wall-clock in `target`: dates (midnight) and
    /// floating times are read in `floating`.
    fn placed(self, floating: Tz, target: Tz) -> Local {
        match self {
            Stamp::Date(d) => Stamp::Zoned(floating, d.and_time(NaiveTime::MIN)).local(target),
            Stamp::Floating(t) => Stamp::Zoned(floating, t).local(target),
            s => s.local(target),
        }
    }

    /// A time that names an occurrence of a series in `target` (EXDATE, RDATE,
    /// RECURRENCE-ID): dates and floating times are its wall-clock already.
    fn local(self, target: Tz) -> Local {
        let from = |z: Tz, t: NaiveDateTime| {
            if z == target {
                t
            } else {
                crate::resolve(z, t).0.with_timezone(&target).naive_local()
            }
        };
        match self {
            Stamp::Date(d) => d.and_time(NaiveTime::MIN),
            Stamp::Floating(t) => t,
            Stamp::Utc(t) => from(chrono_tz::UTC, t),
            Stamp::Zoned(z, t) => from(z, t),
        }
    }
}

/// How zones are found while reading one file.
struct Zones {
    /// X-WR-TIMEZONE: UTC and floating times are read in it.
    wr: Option<Tz>,
    /// Floating times and dates.
    floating: Tz,
    /// TZIDs the file defines that are not IANA names, and what they were read as.
    custom: HashMap<String, Option<Tz>>,
    /// TZIDs neither IANA nor defined (read as floating), with their first line.
    unknown: Vec<(String, usize)>,
}

impl Zones {
    fn of(&mut self, tzid: &str, line: usize) -> Option<Tz> {
        if let Some(z) = iana(tzid) {
            return Some(z);
        }
        if let Some(z) = self.custom.get(tzid) {
            return *z;
        }
        if !self.unknown.iter().any(|(t, _)| t == tzid) {
            self.unknown.push((tzid.to_string(), line));
        }
        None
    }

    /// The zone of an event whose DTSTART is `start`.
    fn event_zone(&self, start: Stamp) -> Tz {
        match start {
            Stamp::Zoned(z, _) => z,
            Stamp::Utc(_) => self.wr.unwrap_or(chrono_tz::UTC),
            Stamp::Floating(_) | Stamp::Date(_) => self.floating,
        }
    }
}

fn date_time(v: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S")
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M").ok())
}

/// A DATE or DATE-TIME value of `p`.
fn stamp(p: &Prop, value: &str, zones: &mut Zones) -> Result<Stamp, IcsError> {
    let v = value.trim();
    let is_date = p
        .param("VALUE")
        .is_some_and(|x| x.eq_ignore_ascii_case("DATE"))
        || (v.len() == 8 && v.chars().all(|c| c.is_ascii_digit()));
    if is_date {
        return NaiveDate::parse_from_str(v, "%Y%m%d")
            .map(Stamp::Date)
            .map_err(|_| {
                err(
                    p.line,
                    format!("{}: `{v}` is not a date (YYYYMMDD)", p.name),
                )
            });
    }
    let (bare, utc) = match v.strip_suffix(['Z', 'z']) {
        Some(b) => (b, true),
        None => (v, false),
    };
    let t = date_time(bare).ok_or_else(|| {
        err(
            p.line,
            format!("{}: `{v}` is not a date-time (YYYYMMDDTHHMMSS)", p.name),
        )
    })?;
    if utc {
        return Ok(match zones.wr {
            Some(z) => Stamp::Zoned(z, chrono::TimeZone::from_utc_datetime(&z, &t).naive_local()),
            None => Stamp::Utc(t),
        });
    }
    Ok(match p.param("TZID") {
        Some(tzid) => match zones.of(tzid, p.line) {
            Some(z) => Stamp::Zoned(z, t),
            None => Stamp::Floating(t),
        },
        None => match zones.wr {
            Some(z) => Stamp::Zoned(z, t),
            None => Stamp::Floating(t),
        },
    })
}

/// An RFC 5545 DURATION (`P1D`, `PT2H30M`, `P1W`).
fn duration(line: usize, name: &str, value: &str) -> Result<TimeDelta, IcsError> {
    let bad = || {
        err(
            line,
            format!("{name}: `{value}` is not a duration such as PT2H or P1D"),
        )
    };
    let v = value.trim();
    let (neg, v) = match v.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, v.strip_prefix('+').unwrap_or(v)),
    };
    let v = v.strip_prefix('P').ok_or_else(bad)?;
    let mut total = TimeDelta::zero();
    let mut num = String::new();
    let mut in_time = false;
    for c in v.chars() {
        match c {
            '0'..='9' => num.push(c),
            'T' => in_time = true,
            'W' | 'D' | 'H' | 'M' | 'S' => {
                let n: i64 = num.parse().map_err(|_| bad())?;
                if n > 100_000 {
                    return Err(bad());
                }
                num.clear();
                total += match (c, in_time) {
                    ('W', false) => TimeDelta::weeks(n),
                    ('D', false) => TimeDelta::days(n),
                    ('H', true) => TimeDelta::hours(n),
                    ('M', true) => TimeDelta::minutes(n),
                    ('S', true) => TimeDelta::seconds(n),
                    _ => return Err(bad()),
                };
            }
            _ => return Err(bad()),
        }
    }
    if !num.is_empty() {
        return Err(bad());
    }
    Ok(if neg { -total } else { total })
}

/// A component and what it holds.
#[derive(Debug)]
struct Comp<'a> {
    name: String,
    line: usize,
    props: Vec<&'a Prop>,
    children: Vec<Comp<'a>>,
}

impl<'a> Comp<'a> {
    fn get(&self, name: &str) -> Option<&'a Prop> {
        self.props.iter().find(|p| p.name == name).copied()
    }

    fn all(&self, name: &'a str) -> impl Iterator<Item = &'a Prop> + '_ {
        self.props.iter().filter(move |p| p.name == name).copied()
    }
}

/// The component tree. An END naming another component than the open one closes the open
/// one (or, when it names an outer one, everything up to it), as other readers do; a
/// component still open at the end of the file means the file is truncated.
fn tree<'a>(props: &'a [Prop], notes: &mut Vec<Note>) -> Result<Vec<Comp<'a>>, IcsError> {
    let mut stack: Vec<Comp<'a>> = Vec::new();
    let mut top: Vec<Comp<'a>> = Vec::new();
    let close = |stack: &mut Vec<Comp<'a>>, top: &mut Vec<Comp<'a>>| {
        if let Some(done) = stack.pop() {
            match stack.last_mut() {
                Some(parent) => parent.children.push(done),
                None => top.push(done),
            }
        }
    };
    for p in props {
        match p.name.as_str() {
            "BEGIN" => stack.push(Comp {
                name: p.value.trim().to_ascii_uppercase(),
                line: p.line,
                props: Vec::new(),
                children: Vec::new(),
            }),
            "END" => {
                let what = p.value.trim().to_ascii_uppercase();
                match stack.iter().rposition(|c| c.name == what) {
                    Some(i) => {
                        if i + 1 != stack.len() {
                            let open = stack.last().map(|c| (c.name.clone(), c.line));
                            if let Some((name, line)) = open {
                                notes.push(Note::new(
                                    NoteCode::EndClosesAlso,
                                    Some(p.line),
                                    &[
                                        ("what", what.clone()),
                                        ("name", name),
                                        ("begin", line.to_string()),
                                    ],
                                ));
                            }
                        }
                        while stack.len() > i {
                            close(&mut stack, &mut top);
                        }
                    }
                    None => match stack.last() {
                        Some(open) => {
                            notes.push(Note::new(
                                NoteCode::EndReadAs,
                                Some(p.line),
                                &[
                                    ("what", what.clone()),
                                    ("name", open.name.clone()),
                                    ("begin", open.line.to_string()),
                                ],
                            ));
                            close(&mut stack, &mut top);
                        }
                        None => notes.push(Note::new(
                            NoteCode::EndWithoutBegin,
                            Some(p.line),
                            &[("what", what.clone())],
                        )),
                    },
                }
            }
            _ => {
                if let Some(c) = stack.last_mut() {
                    c.props.push(p);
                }
            }
        }
    }
    if let Some(open) = stack.first() {
        let inner = stack.last().unwrap_or(open);
        return Err(err(
            inner.line,
            format!(
                "BEGIN:{} is never closed: the file is truncated; export it again",
                inner.name
            ),
        ));
    }
    Ok(top)
}

/// One VEVENT as written, before series are put together.
struct Raw {
    line: usize,
    uid: Option<String>,
    summary: String,
    description: String,
    summary_line: usize,
    description_line: usize,
    sequence: i64,
    cancelled: bool,
    start: Stamp,
    end: Option<Stamp>,
    duration: Option<TimeDelta>,
    rrules: Vec<(usize, String)>,
    exdates: Vec<Stamp>,
    rdates: Vec<Stamp>,
    periods: Vec<(Stamp, Result<Stamp, TimeDelta>)>,
    recurrence_id: Option<(Stamp, bool)>,
    is_release: bool,
}

impl Raw {
    /// Brings recurrence rules of its own (RRULE, RDATE or EXDATE).
    fn has_rules(&self) -> bool {
        !(self.rrules.is_empty()
            && self.rdates.is_empty()
            && self.periods.is_empty()
            && self.exdates.is_empty())
    }
}

fn raw(c: &Comp, zones: &mut Zones) -> Result<Raw, IcsError> {
    let start_prop = c.get("DTSTART").ok_or_else(|| {
        err(
            c.line,
            "an event without DTSTART; every event needs a start",
        )
    })?;
    let start = stamp(start_prop, &start_prop.value, zones)?;
    let end = c
        .get("DTEND")
        .map(|p| stamp(p, &p.value, zones))
        .transpose()?;
    let length = match (end, c.get("DURATION")) {
        (None, Some(p)) => Some(duration(p.line, "DURATION", &p.value)?),
        _ => None,
    };
    let mut dates = |name: &'static str| -> Result<Vec<Stamp>, IcsError> {
        let mut out = Vec::new();
        for p in c.all(name) {
            for v in p.value.split(',').filter(|v| !v.trim().is_empty()) {
                out.push(stamp(p, v, zones)?);
            }
        }
        Ok(out)
    };
    let exdates = dates("EXDATE")?;
    let mut rdates = Vec::new();
    let mut periods = Vec::new();
    for p in c.all("RDATE") {
        for v in p.value.split(',').filter(|v| !v.trim().is_empty()) {
            match v.split_once('/') {
                Some((a, b)) => {
                    let from = stamp(p, a, zones)?;
                    let to = if b.trim_start().starts_with(['P', '+', '-']) {
                        Err(duration(p.line, "RDATE", b)?)
                    } else {
                        Ok(stamp(p, b, zones)?)
                    };
                    periods.push((from, to));
                }
                None => rdates.push(stamp(p, v, zones)?),
            }
        }
    }
    let recurrence_id = c
        .get("RECURRENCE-ID")
        .map(|p| -> Result<(Stamp, bool), IcsError> {
            let future = p
                .param("RANGE")
                .is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE"));
            Ok((stamp(p, &p.value, zones)?, future))
        })
        .transpose()?;
    Ok(Raw {
        line: start_prop.line,
        uid: c
            .get("UID")
            .map(|p| p.value.trim().to_string())
            .filter(|u| !u.is_empty()),
        summary: c
            .get("SUMMARY")
            .map(|p| unescape(p.value.trim()))
            .unwrap_or_default(),
        description: c
            .get("DESCRIPTION")
            .map(|p| unescape(p.value.trim()))
            .unwrap_or_default(),
        summary_line: c.get("SUMMARY").map_or(start_prop.line, |p| p.line),
        description_line: c.get("DESCRIPTION").map_or(start_prop.line, |p| p.line),
        sequence: c
            .get("SEQUENCE")
            .and_then(|p| p.value.trim().parse().ok())
            .unwrap_or(-1),
        cancelled: c
            .get("STATUS")
            .is_some_and(|p| p.value.trim().eq_ignore_ascii_case("CANCELLED")),
        start,
        end,
        duration: length,
        rrules: c
            .all("RRULE")
            .filter(|p| !p.value.trim().is_empty())
            .map(|p| (p.line, p.value.trim().to_string()))
            .collect(),
        exdates,
        rdates,
        periods,
        recurrence_id,
        is_release: c.get("X-RELM-STATUS").is_some(),
    })
}

/// Counts of lenient readings, said once each in the notes.
#[derive(Default)]
struct Tally {
    no_end: Vec<usize>,
    swapped: Vec<usize>,
    same_day: Vec<usize>,
    negative_count: Vec<usize>,
}

impl Tally {
    fn say(&self, notes: &mut Vec<Note>) {
        for (lines, code) in [
            (&self.no_end, NoteCode::NoEnd),
            (&self.swapped, NoteCode::Swapped),
            (&self.same_day, NoteCode::SameDay),
            (&self.negative_count, NoteCode::NegativeCount),
        ] {
            if let Some(first) = lines.first() {
                notes.push(Note::new(
                    code,
                    Some(*first),
                    &[("count", lines.len().to_string())],
                ));
            }
        }
    }
}

/// Start and end of an event or a changed occurrence, wall-clock in `tz`.
fn span(r: &Raw, zones: &Zones, tz: Tz, tally: &mut Tally) -> (Local, Local) {
    let start = r.start.placed(zones.floating, tz);
    let mut end = match (r.end, r.duration) {
        (Some(e), _) => e.placed(zones.floating, tz),
        (None, Some(d)) => start + d,
        (None, None) => {
            tally.no_end.push(r.line);
            if r.start.is_date() {
                start + TimeDelta::days(1)
            } else {
                start
            }
        }
    };
    if r.start.is_date() && r.end.is_some_and(|e| e.is_date()) && end == start {
        tally.same_day.push(r.line);
        end = start + TimeDelta::days(1);
    }
    if end < start {
        tally.swapped.push(r.line);
        return (end, start);
    }
    (start, end)
}

/// An RRULE in the form Relm keeps: UNTIL as the wall-clock time in the event's zone
/// (`UNTIL=…Z`), read the way other readers read what files write: a DATE is its midnight
/// (in UTC next to a zoned start), a floating UNTIL next to a zoned start is UTC, a UTC UNTIL
/// next to a floating start is wall-clock; a negative COUNT is left out.
fn normal_rule(rule: &str, start: Stamp, tz: Tz, line: usize, tally: &mut Tally) -> String {
    rule.trim()
        .trim_start_matches("RRULE:")
        .split(';')
        .filter(|p| !p.trim().is_empty())
        .filter_map(|part| {
            let Some((k, v)) = part.split_once('=') else {
                return Some(part.to_string());
            };
            let key = k.trim().to_ascii_uppercase();
            if key == "COUNT" && v.trim().starts_with('-') {
                tally.negative_count.push(line);
                return None;
            }
            if key != "UNTIL" {
                return Some(part.to_string());
            }
            let Some(until) = crate::expand::date_or_time(v) else {
                return Some(part.to_string());
            };
            let local = match start {
                Stamp::Date(_) => until.date().and_time(NaiveTime::MIN),
                Stamp::Floating(_) => until,
                // A zoned or UTC start: the UNTIL is UTC, however it was written.
                Stamp::Utc(_) | Stamp::Zoned(..) => Stamp::Utc(until).local(tz),
            };
            Some(format!("UNTIL={}Z", local.format("%Y%m%dT%H%M%S")))
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// Every VEVENT of `text`, grouped into series, times as wall-clock in each series' zone
/// (floating times and dates in X-WR-TIMEZONE or else `floating`).
pub fn read(text: &str, floating: Tz) -> Result<Reading, IcsError> {
    if text.len() > MAX_BYTES {
        return Err(err(
            1,
            format!(
                "the file is {} bytes; calendars above 10 MiB are refused",
                text.len()
            ),
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut notes = Vec::new();
    let props = props(text, &mut notes);
    let first = props.first().ok_or_else(|| {
        err(
            1,
            "not an iCalendar file: no content line (NAME:value) in it",
        )
    })?;
    if first.name != "BEGIN" {
        return Err(err(
            first.line,
            "not an iCalendar file: it must start with BEGIN:VCALENDAR",
        ));
    }
    let top = tree(&props, &mut notes)?;
    // VEVENTs and VTIMEZONEs wherever they are: in one or several VCALENDARs, alone (a file
    // that is one bare VEVENT), or inside a component of someone's own.
    let mut vevents: Vec<&Comp> = Vec::new();
    let mut vtimezones: Vec<&Comp> = Vec::new();
    let mut wr_name: Option<&Prop> = None;
    let mut todo: Vec<&Comp> = top.iter().rev().collect();
    while let Some(c) = todo.pop() {
        match c.name.as_str() {
            "VEVENT" => vevents.push(c),
            "VTIMEZONE" => vtimezones.push(c),
            _ => {
                if c.name == "VCALENDAR" {
                    wr_name = wr_name.or(c.get("X-WR-TIMEZONE"));
                }
                todo.extend(c.children.iter().rev());
            }
        }
    }
    if vevents.len() > MAX_EVENTS {
        return Err(err(
            vevents[MAX_EVENTS].line,
            format!("more than {MAX_EVENTS} events; split the file"),
        ));
    }
    let wr = match wr_name {
        Some(p) => match iana(p.value.trim()) {
            Some(z) => Some(z),
            None => {
                notes.push(Note::new(
                    NoteCode::UnknownWrTimezone,
                    Some(p.line),
                    &[("value", p.value.trim().to_string())],
                ));
                None
            }
        },
        None => None,
    };
    let mut zones = Zones {
        wr,
        floating: wr.unwrap_or(floating),
        custom: HashMap::new(),
        unknown: Vec::new(),
    };
    define_zones(&vtimezones, &vevents, &mut zones, &mut notes)?;
    let mut raws = Vec::new();
    for c in &vevents {
        raws.push(raw(c, &mut zones)?);
    }
    for (tzid, line) in &zones.unknown {
        notes.push(Note::new(
            NoteCode::UnknownZone,
            Some(*line),
            &[
                ("tzid", tzid.clone()),
                ("zone", zones.floating.name().to_string()),
            ],
        ));
    }
    let mut tally = Tally::default();
    let events = series(raws, &zones, &mut tally, &mut notes);
    tally.say(&mut notes);
    Ok(Reading { events, notes })
}

/// Read the VTIMEZONEs whose TZID is not an IANA name as the IANA zone with their offsets,
/// over the years of the file's events.
fn define_zones(
    vtimezones: &[&Comp],
    vevents: &[&Comp],
    zones: &mut Zones,
    notes: &mut Vec<Note>,
) -> Result<(), IcsError> {
    let spans = zone_spans(vevents);
    for tz in vtimezones {
        let Some(tzid) = tz.get("TZID").map(|p| p.value.trim().to_string()) else {
            continue;
        };
        if iana(&tzid).is_some() || zones.custom.contains_key(&tzid) {
            continue;
        }
        // A zone no event uses needs no reading.
        let Some(&(first, last)) = spans.get(&tzid) else {
            continue;
        };
        let utc = |t: NaiveDateTime| DateTime::<Utc>::from_naive_utc_and_offset(t, Utc);
        let (from, to) = (
            utc(first - TimeDelta::days(1)),
            utc(last + TimeDelta::days(1)),
        );
        let years = if first.year() == last.year() {
            first.year().to_string()
        } else {
            format!("{}–{}", first.year(), last.year())
        };
        let parts = observances(tz, &tzid)?;
        let hint = format!(
            "{tzid} {}",
            tz.get("X-LIC-LOCATION")
                .map(|p| p.value.as_str())
                .unwrap_or("")
        );
        let matched = vtimezone::match_iana(&parts, &hint, from, to);
        match matched {
            Some(z) => notes.push(Note::new(
                NoteCode::ZoneByOffsets,
                Some(tz.line),
                &[
                    ("tzid", tzid.clone()),
                    ("zone", z.name().to_string()),
                    ("years", years.clone()),
                ],
            )),
            None => {
                return Err(err(
                    tz.line,
                    format!(
                        "the zone `{tzid}` the file defines has the offsets of no IANA zone over {years}, when its events are; replace its TZID with the IANA name of the zone meant (e.g. Europe/Paris)"
                    ),
                ));
            }
        }
        zones.custom.insert(tzid, matched);
    }
    Ok(())
}

/// The span each zone is needed over: every time the events give in it, and ten years more
/// for a series that repeats without an UNTIL.
fn zone_spans(vevents: &[&Comp]) -> HashMap<String, (NaiveDateTime, NaiveDateTime)> {
    let mut spans: HashMap<String, (NaiveDateTime, NaiveDateTime)> = HashMap::new();
    for e in vevents {
        let mut seen: Vec<(&str, NaiveDateTime)> = Vec::new();
        for p in &e.props {
            if !matches!(
                p.name.as_str(),
                "DTSTART" | "DTEND" | "RDATE" | "EXDATE" | "RECURRENCE-ID"
            ) {
                continue;
            }
            let Some(tzid) = p.param("TZID") else {
                continue;
            };
            for v in p.value.split([',', '/']) {
                if let Some(t) = date_time(v.trim()) {
                    seen.push((tzid, t));
                }
            }
        }
        let start = e
            .get("DTSTART")
            .and_then(|p| Some((p.param("TZID")?, date_time(p.value.trim())?)));
        if let Some((tzid, t)) = start {
            let reach = e.all("RRULE").try_fold(t, |acc, p| {
                crate::expand::until_of(&p.value).map(|u| acc.max(u))
            });
            let endless = t
                .checked_add_months(chrono::Months::new(12 * 11))
                .unwrap_or(t);
            seen.push((tzid, reach.unwrap_or(endless) + TimeDelta::days(2)));
        }
        for (tzid, t) in seen {
            let span = spans.entry(tzid.to_string()).or_insert((t, t));
            span.0 = span.0.min(t);
            span.1 = span.1.max(t);
        }
    }
    spans
}

/// The STANDARD and DAYLIGHT parts of the VTIMEZONE `tz` (TZID `tzid`).
fn observances(tz: &Comp, tzid: &str) -> Result<Vec<Observance>, IcsError> {
    let mut parts = Vec::new();
    for o in tz
        .children
        .iter()
        .filter(|c| c.name == "STANDARD" || c.name == "DAYLIGHT")
    {
        let offset = |name: &str| -> Result<i32, IcsError> {
            let p = o.get(name).ok_or_else(|| {
                err(
                    o.line,
                    format!("the zone `{tzid}`: {} without {name}", o.name),
                )
            })?;
            vtimezone::parse_offset(&p.value).ok_or_else(|| {
                err(
                    p.line,
                    format!(
                        "{name}: `{}` is not an offset such as +0100",
                        p.value.trim()
                    ),
                )
            })
        };
        // Without a DTSTART (some writers leave it out of a fixed offset): always.
        let start = match o.get("DTSTART") {
            Some(p) => crate::expand::date_or_time(&p.value).ok_or_else(|| {
                err(
                    p.line,
                    format!(
                        "DTSTART: `{}` is not a date-time (YYYYMMDDTHHMMSS)",
                        p.value.trim()
                    ),
                )
            })?,
            None => NaiveDate::from_ymd_opt(1601, 1, 1)
                .unwrap_or_default()
                .and_time(NaiveTime::MIN),
        };
        parts.push(Observance {
            start,
            offset_from: offset("TZOFFSETFROM")?,
            offset_to: offset("TZOFFSETTO")?,
            rrule: o.get("RRULE").map(|p| p.value.trim().to_string()),
            rdates: o
                .all("RDATE")
                .flat_map(|p| p.value.split(','))
                .filter_map(|v| date_time(v.trim()))
                .collect(),
        });
    }
    Ok(parts)
}

/// Put series together: per UID, the event with the highest SEQUENCE (the first of equals)
/// and its changed occurrences, each RECURRENCE-ID's highest SEQUENCE.
fn series(
    raws: Vec<Raw>,
    zones: &Zones,
    tally: &mut Tally,
    notes: &mut Vec<Note>,
) -> Vec<IcsEvent> {
    let mut order: Vec<Option<String>> = Vec::new();
    let mut groups: HashMap<Option<String>, Vec<Raw>> = HashMap::new();
    let mut loose: Vec<Vec<Raw>> = Vec::new();
    for r in raws {
        match &r.uid {
            Some(uid) => {
                let key = Some(uid.clone());
                if !groups.contains_key(&key) {
                    order.push(key.clone());
                }
                groups.entry(key).or_default().push(r);
            }
            None => loose.push(vec![r]),
        }
    }
    let mut grouped: Vec<Vec<Raw>> = order
        .into_iter()
        .filter_map(|k| groups.remove(&k))
        .collect();
    grouped.extend(loose);
    let (mut dropped, mut cancelled, mut orphans) = (0usize, Vec::new(), Vec::new());
    let mut stale = 0usize;
    let mut out = Vec::new();
    for group in grouped {
        let mut master: Option<Raw> = None;
        let mut changes: Vec<Raw> = Vec::new();
        for r in group {
            match r.recurrence_id {
                None => match &master {
                    Some(m) if m.sequence >= r.sequence => dropped += 1,
                    _ => {
                        if master.is_some() {
                            dropped += 1;
                        }
                        master = Some(r);
                    }
                },
                Some((id, _)) => {
                    let same = changes
                        .iter()
                        .position(|c| c.recurrence_id.map(|x| x.0) == Some(id));
                    match same {
                        Some(i) if changes[i].sequence >= r.sequence => dropped += 1,
                        Some(i) => {
                            dropped += 1;
                            changes[i] = r;
                        }
                        None => changes.push(r),
                    }
                }
            }
        }
        let master = match master {
            Some(m) if m.cancelled => {
                cancelled.push(m.line);
                None
            }
            m => m,
        };
        let Some(m) = master else {
            // Changed occurrences without their series: each stands alone.
            for c in changes.into_iter().filter(|c| !c.cancelled) {
                orphans.push(c.line);
                out.push(alone(c, zones, tally));
            }
            continue;
        };
        let tz = zones.event_zone(m.start);
        let (start, end) = span(&m, zones, tz, tally);
        let mut ev = IcsEvent {
            line: m.line,
            uid: m.uid.clone(),
            summary: m.summary.clone(),
            description: m.description.clone(),
            summary_line: m.summary_line,
            description_line: m.description_line,
            tz: tz.name().to_string(),
            start,
            end,
            all_day: m.start.is_date(),
            no_end: m.end.is_none() && m.duration.is_none(),
            rrules: m
                .rrules
                .iter()
                .map(|(line, r)| normal_rule(r, m.start, tz, *line, tally))
                .collect(),
            exdates: m
                .exdates
                .iter()
                .filter(|s| !s.is_date())
                .map(|s| s.local(tz))
                .collect(),
            exdays: m
                .exdates
                .iter()
                .filter_map(|s| match s {
                    Stamp::Date(d) => Some(*d),
                    _ => None,
                })
                .collect(),
            rdates: m.rdates.iter().map(|s| s.local(tz)).collect(),
            periods: m
                .periods
                .iter()
                .map(|(a, b)| {
                    let start = a.local(tz);
                    let end = match b {
                        Ok(s) => s.local(tz),
                        Err(d) => start + *d,
                    };
                    Period {
                        start: start.min(end),
                        end: start.max(end),
                    }
                })
                .collect(),
            overrides: Vec::new(),
            is_release: m.is_release,
        };
        for c in changes {
            let (id, and_future) = c.recurrence_id.unwrap_or((c.start, false));
            // In a series of whole days, a RECURRENCE-ID names its day, however written.
            let of = match (m.start, id) {
                (Stamp::Date(_), Stamp::Date(d)) => d.and_time(NaiveTime::MIN),
                (Stamp::Date(_), Stamp::Floating(t) | Stamp::Utc(t) | Stamp::Zoned(_, t)) => {
                    t.date().and_time(NaiveTime::MIN)
                }
                (_, id) => id.local(tz),
            };
            // An older change that brings rules of its own, for an occurrence the series no
            // longer has, belongs to an earlier version of the series.
            if c.sequence < m.sequence && c.has_rules() && !occurs_at(&ev, of) {
                stale += 1;
                continue;
            }
            let (start, end) = span(&c, zones, tz, tally);
            ev.overrides.push(Override {
                of,
                start,
                end,
                cancelled: c.cancelled,
                and_future,
            });
        }
        ev.overrides.sort_by_key(|o| o.of);
        out.push(ev);
    }
    if stale > 0 {
        notes.push(Note::new(
            NoteCode::StaleOverrides,
            None,
            &[("count", stale.to_string())],
        ));
    }
    if dropped > 0 {
        notes.push(Note::new(
            NoteCode::OlderVersions,
            None,
            &[("count", dropped.to_string())],
        ));
    }
    if let Some(first) = cancelled.first() {
        notes.push(Note::new(
            NoteCode::Cancelled,
            Some(*first),
            &[("count", cancelled.len().to_string())],
        ));
    }
    if let Some(first) = orphans.first() {
        notes.push(Note::new(
            NoteCode::Orphans,
            Some(*first),
            &[("count", orphans.len().to_string())],
        ));
    }
    out
}

/// Whether the series `ev` (without its changes) has an occurrence starting at `of`.
fn occurs_at(ev: &IcsEvent, of: Local) -> bool {
    let entry = crate::Entry {
        overrides: Vec::new(),
        ..ev.entry()
    };
    let Ok(tz) = entry.zone() else { return false };
    let at = crate::resolve(tz, of).0;
    crate::occurrences(
        &entry,
        at - TimeDelta::days(1),
        at + TimeDelta::days(1),
        1000,
    )
    .is_ok_and(|list| list.iter().any(|o| o.start_local == of))
}

/// A changed occurrence without its series, as a one-off event.
fn alone(c: Raw, zones: &Zones, tally: &mut Tally) -> IcsEvent {
    let tz = zones.event_zone(c.start);
    let (start, end) = span(&c, zones, tz, tally);
    let of = c.recurrence_id.map(|(s, _)| s.local(tz)).unwrap_or(start);
    IcsEvent {
        line: c.line,
        uid: c
            .uid
            .as_ref()
            .map(|u| format!("{u}#{}", of.format("%Y%m%dT%H%M%S"))),
        summary: c.summary,
        description: c.description,
        summary_line: c.summary_line,
        description_line: c.description_line,
        tz: tz.name().to_string(),
        start,
        end,
        all_day: c.start.is_date(),
        no_end: c.end.is_none() && c.duration.is_none(),
        rrules: Vec::new(),
        exdates: Vec::new(),
        exdays: Vec::new(),
        rdates: Vec::new(),
        periods: Vec::new(),
        overrides: Vec::new(),
        is_release: c.is_release,
    }
}
