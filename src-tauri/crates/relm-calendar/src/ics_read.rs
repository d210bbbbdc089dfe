//! Reading iCalendar files exported by Outlook, Google Calendar, Thunderbird (or Relm).
//!
//! Only what a calendar entry needs is read from each VEVENT: UID, SUMMARY, DESCRIPTION,
//! DTSTART, DTEND or DURATION, RRULE, EXDATE and RDATE. Times with a TZID are read in that
//! zone (IANA names, Thunderbird's `/mozilla.org/.../Europe/Paris` form, and the Windows names
//! Outlook writes); UTC times are kept in UTC; floating times and all-day dates are read in the
//! zone the importer names. Every error says the line it is on; a file with any error imports
//! nothing.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use chrono_tz::Tz;

use crate::entry::{Local, zone};

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

/// One VEVENT, its times as wall-clock in `tz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsEvent {
    pub line: usize,
    pub uid: Option<String>,
    pub summary: String,
    pub description: String,
    pub tz: String,
    pub start: Local,
    pub end: Local,
    pub all_day: bool,
    pub rrule: Option<String>,
    pub exdates: Vec<Local>,
    pub rdates: Vec<Local>,
    /// A release exported by Relm (not a calendar entry).
    pub is_release: bool,
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

/// Unfold (RFC 5545 §3.1) and split into properties.
fn props(text: &str) -> Result<Vec<Prop>, IcsError> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix(' ').or_else(|| raw.strip_prefix('\t')) {
            match lines.last_mut() {
                Some((_, l)) => l.push_str(rest),
                None => return Err(err(i + 1, "a continuation line with nothing before it")),
            }
        } else if !raw.trim().is_empty() {
            lines.push((i + 1, raw.to_string()));
        }
    }
    lines
        .into_iter()
        .map(|(line, l)| {
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
                .map(|(i, _)| i)
                .ok_or_else(|| {
                    err(
                        line,
                        format!("`{}` is not a content line (NAME:value)", short(&l)),
                    )
                })?;
            let (head, value) = (&l[..colon], &l[colon + 1..]);
            let mut parts = head.split(';');
            let name = parts.next().unwrap_or_default().trim().to_ascii_uppercase();
            if name.is_empty() {
                return Err(err(line, "a content line without a name"));
            }
            let params = parts
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (
                        k.trim().to_ascii_uppercase(),
                        v.trim_matches('"').to_string(),
                    ),
                    None => (p.trim().to_ascii_uppercase(), String::new()),
                })
                .collect();
            Ok(Prop {
                line,
                name,
                params,
                value: value.to_string(),
            })
        })
        .collect()
}

fn short(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
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
    if let Ok(z) = zone(t) {
        return Some(z);
    }
    // Thunderbird's old form: /mozilla.org/20070129_1/Europe/Paris
    let parts: Vec<&str> = t.split('/').filter(|p| !p.is_empty()).collect();
    for n in [3, 2, 1] {
        if parts.len() >= n
            && let Ok(z) = zone(&parts[parts.len() - n..].join("/"))
        {
            return Some(z);
        }
    }
    // The Windows names Outlook writes.
    let windows = match t {
        "Romance Standard Time" => "Europe/Paris",
        "W. Europe Standard Time" => "Europe/Berlin",
        "Central Europe Standard Time" => "Europe/Budapest",
        "Central European Standard Time" => "Europe/Warsaw",
        "GMT Standard Time" => "Europe/London",
        "Greenwich Standard Time" => "Atlantic/Reykjavik",
        "E. Europe Standard Time" => "Europe/Chisinau",
        "FLE Standard Time" => "Europe/Kiev",
        "Eastern Standard Time" => "America/New_York",
        "Central Standard Time" => "America/Chicago",
        "Mountain Standard Time" => "America/Denver",
        "Pacific Standard Time" => "America/Los_Angeles",
        "AUS Eastern Standard Time" => "Australia/Sydney",
        "Tokyo Standard Time" => "Asia/Tokyo",
        "India Standard Time" => "Asia/Kolkata",
        "Singapore Standard Time" => "Asia/Singapore",
        "China Standard Time" => "Asia/Shanghai",
        "UTC" | "Coordinated Universal Time" => "UTC",
        _ => return None,
    };
    zone(windows).ok()
}

/// A DATE or DATE-TIME value: (wall-clock in `target`, is a date).
fn when(p: &Prop, value: &str, target: Tz, floating: Tz) -> Result<(Local, bool), IcsError> {
    let v = value.trim();
    let is_date = p
        .param("VALUE")
        .is_some_and(|x| x.eq_ignore_ascii_case("DATE"))
        || (v.len() == 8 && v.chars().all(|c| c.is_ascii_digit()));
    if is_date {
        let d = NaiveDate::parse_from_str(v, "%Y%m%d").map_err(|_| {
            err(
                p.line,
                format!("{}: `{v}` is not a date (YYYYMMDD)", p.name),
            )
        })?;
        return Ok((d.and_time(NaiveTime::MIN), true));
    }
    let (bare, utc) = match v.strip_suffix('Z') {
        Some(b) => (b, true),
        None => (v, false),
    };
    let t = NaiveDateTime::parse_from_str(bare, "%Y%m%dT%H%M%S").map_err(|_| {
        err(
            p.line,
            format!("{}: `{v}` is not a date-time (YYYYMMDDTHHMMSS)", p.name),
        )
    })?;
    let source = if utc {
        chrono_tz::UTC
    } else if let Some(tzid) = p.param("TZID") {
        iana(tzid).ok_or_else(|| {
            err(
                p.line,
                format!(
                    "{}: unknown time zone `{tzid}`; use IANA names such as Europe/Paris",
                    p.name
                ),
            )
        })?
    } else {
        floating
    };
    if source == target {
        return Ok((t, false));
    }
    let instant = crate::resolve(source, t).0;
    Ok((instant.with_timezone(&target).naive_local(), false))
}

/// An RFC 5545 DURATION (`P1D`, `PT2H30M`, `P1W`).
fn duration(p: &Prop) -> Result<TimeDelta, IcsError> {
    let bad = || {
        err(
            p.line,
            format!(
                "DURATION: `{}` is not a duration such as PT2H or P1D",
                p.value
            ),
        )
    };
    let v = p.value.trim();
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

/// An RRULE with its UNTIL (UTC in files, next to a zoned DTSTART) as a wall-clock time in
/// `tz`, the form Relm reads it in.
fn until_local(rule: &str, tz: Tz) -> String {
    rule.split(';')
        .map(|part| match part.split_once('=') {
            Some((k, v)) if k.eq_ignore_ascii_case("UNTIL") && v.ends_with('Z') => {
                match NaiveDateTime::parse_from_str(v.trim_end_matches('Z'), "%Y%m%dT%H%M%S") {
                    Ok(t) => {
                        let local = chrono::TimeZone::from_utc_datetime(&tz, &t).naive_local();
                        format!("UNTIL={}Z", local.format("%Y%m%dT%H%M%S"))
                    }
                    Err(_) => part.to_string(),
                }
            }
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// Every VEVENT of `text`, times as wall-clock in the event's own zone (floating times and
/// dates in `floating`).
pub fn read(text: &str, floating: Tz) -> Result<Vec<IcsEvent>, IcsError> {
    if text.len() > MAX_BYTES {
        return Err(err(
            1,
            format!(
                "the file is {} bytes; calendars above 10 MiB are refused",
                text.len()
            ),
        ));
    }
    let props = props(text)?;
    let first = props.first().ok_or_else(|| err(1, "the file is empty"))?;
    if !(first.name == "BEGIN" && first.value.trim().eq_ignore_ascii_case("VCALENDAR")) {
        return Err(err(
            first.line,
            "not an iCalendar file: it must start with BEGIN:VCALENDAR",
        ));
    }
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut events = Vec::new();
    let mut current: Vec<&Prop> = Vec::new();
    for p in &props {
        match p.name.as_str() {
            "BEGIN" => {
                let what = p.value.trim().to_ascii_uppercase();
                if what == "VEVENT" {
                    current.clear();
                }
                stack.push((what, p.line));
            }
            "END" => {
                let what = p.value.trim().to_ascii_uppercase();
                match stack.pop() {
                    Some((open, _)) if open == what => {}
                    Some((open, line)) => {
                        return Err(err(
                            p.line,
                            format!("END:{what} closes BEGIN:{open} of line {line}"),
                        ));
                    }
                    None => return Err(err(p.line, format!("END:{what} without a BEGIN"))),
                }
                if what == "VEVENT" {
                    if events.len() == MAX_EVENTS {
                        return Err(err(
                            p.line,
                            format!("more than {MAX_EVENTS} events; split the file"),
                        ));
                    }
                    events.push(event(&current, p.line, floating)?);
                }
            }
            _ => {
                if stack.last().is_some_and(|(s, _)| s == "VEVENT") {
                    current.push(p);
                }
            }
        }
    }
    if let Some((open, line)) = stack.last() {
        return Err(err(
            *line,
            format!("BEGIN:{open} is never closed: the file is truncated"),
        ));
    }
    Ok(events)
}

fn event(props: &[&Prop], end_line: usize, floating: Tz) -> Result<IcsEvent, IcsError> {
    let get = |name: &str| props.iter().find(|p| p.name == name).copied();
    let start_prop = get("DTSTART").ok_or_else(|| err(end_line, "an event without DTSTART"))?;
    // The event's zone: its DTSTART's TZID, UTC for a UTC time, else the floating zone.
    let tz = if start_prop.value.trim().ends_with('Z') {
        chrono_tz::UTC
    } else if let Some(tzid) = start_prop.param("TZID") {
        iana(tzid).ok_or_else(|| {
            err(
                start_prop.line,
                format!("DTSTART: unknown time zone `{tzid}`; use IANA names such as Europe/Paris"),
            )
        })?
    } else {
        floating
    };
    let (start, all_day) = when(start_prop, &start_prop.value, tz, floating)?;
    let end = match (get("DTEND"), get("DURATION")) {
        (Some(p), _) => when(p, &p.value, tz, floating)?.0,
        (None, Some(p)) => start + duration(p)?,
        (None, None) if all_day => start + TimeDelta::days(1),
        (None, None) => return Err(err(start_prop.line, "an event without DTEND or DURATION")),
    };
    let dates = |name: &str| -> Result<Vec<Local>, IcsError> {
        let mut out = Vec::new();
        for p in props.iter().filter(|p| p.name == name) {
            for v in p.value.split(',') {
                out.push(when(p, v, tz, floating)?.0);
            }
        }
        Ok(out)
    };
    Ok(IcsEvent {
        line: start_prop.line,
        uid: get("UID").map(|p| p.value.trim().to_string()),
        summary: get("SUMMARY")
            .map(|p| unescape(p.value.trim()))
            .unwrap_or_default(),
        description: get("DESCRIPTION")
            .map(|p| unescape(p.value.trim()))
            .unwrap_or_default(),
        tz: tz.name().to_string(),
        start,
        end,
        all_day,
        rrule: get("RRULE").map(|p| until_local(p.value.trim(), tz)),
        exdates: dates("EXDATE")?,
        rdates: dates("RDATE")?,
        is_release: get("X-RELM-STATUS").is_some(),
    })
}
