//! RFC 5545 (iCalendar) export.
//!
//! Entries become VEVENTs in their own zone (`DTSTART;TZID=Europe/Paris:...`) with their RRULE,
//! EXDATEs and RDATEs kept, so calendar applications expand them as Relm does; releases become
//! one-off VEVENTs with their status. UIDs are the entries' and releases' ids, so importing the
//! file again updates events instead of duplicating them. Every zone used gets a VTIMEZONE
//! listing its offset changes over the years the file spans.

use chrono::{DateTime, Datelike, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::{OffsetName, Tz};
use std::collections::BTreeSet;

use crate::entry::{Entry, Kind, Level, zone};

/// A release as it appears in the exported calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsRelease {
    pub id: String,
    pub summary: String,
    /// Relm's status (`planned`, `approved`, …).
    pub status: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The zone the window was planned in.
    pub tz: String,
    pub updated: DateTime<Utc>,
}

/// An entry with its id and last change, for export.
#[derive(Debug, Clone)]
pub struct IcsEntry<'a> {
    pub id: &'a str,
    pub entry: &'a Entry,
    pub updated: DateTime<Utc>,
}

/// Escape a TEXT value (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for ch in line.chars() {
        let len = ch.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += len;
    }
    out.push_str("\r\n");
}

fn local(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The rule with UNTIL in UTC, as RFC 5545 requires next to a DTSTART with TZID (Relm reads
/// UNTIL as a wall-clock time in the entry's zone).
fn rrule_for_export(rule: &str, tz: Tz) -> String {
    rule.split(';')
        .map(|part| match part.split_once('=') {
            Some((k, v)) if k.eq_ignore_ascii_case("UNTIL") => {
                let bare = v.trim_end_matches('Z');
                let parsed = NaiveDateTime::parse_from_str(bare, "%Y%m%dT%H%M%S").or_else(|_| {
                    chrono::NaiveDate::parse_from_str(bare, "%Y%m%d")
                        .map(|d| d.and_time(chrono::NaiveTime::MIN))
                });
                match parsed {
                    Ok(t) => format!("UNTIL={}", utc(crate::resolve(tz, t).0)),
                    Err(_) => part.to_string(),
                }
            }
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// The offset changes of `tz` between the start of `from_year` and the end of `to_year`:
/// (UTC instant, offset before, offset after), in seconds east of UTC.
fn transitions(tz: Tz, from_year: i32, to_year: i32) -> Vec<(DateTime<Utc>, i32, i32)> {
    let offset = |t: DateTime<Utc>| {
        tz.offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc()
    };
    let (Some(mut t), Some(end)) = (
        Utc.with_ymd_and_hms(from_year, 1, 1, 0, 0, 0).single(),
        Utc.with_ymd_and_hms(to_year + 1, 1, 1, 0, 0, 0).single(),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let step = TimeDelta::hours(12);
    while t < end {
        let next = t + step;
        let (a, b) = (offset(t), offset(next));
        if a != b {
            // Narrow to the second: `hi` is the first instant of the new offset.
            let (mut lo, mut hi) = (t, next);
            while hi - lo > TimeDelta::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if offset(mid) == a {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            out.push((hi, a, b));
        }
        t = next;
    }
    out
}

fn offset_text(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let s = secs.abs();
    if s % 60 == 0 {
        format!("{sign}{:02}{:02}", s / 3600, (s / 60) % 60)
    } else {
        format!("{sign}{:02}{:02}{:02}", s / 3600, (s / 60) % 60, s % 60)
    }
}

fn vtimezone(tz: Tz, from_year: i32, to_year: i32, out: &mut String) {
    let mut push = |l: &str| fold(l, out);
    push("BEGIN:VTIMEZONE");
    push(&format!("TZID:{}", tz.name()));
    let list = transitions(tz, from_year, to_year);
    let standard_now = tz
        .offset_from_utc_datetime(
            &Utc.with_ymd_and_hms(from_year, 1, 1, 0, 0, 0)
                .single()
                .unwrap_or_default()
                .naive_utc(),
        )
        .fix()
        .local_minus_utc();
    if list.is_empty() {
        // A zone without changes in the span: one STANDARD component.
        let name = tz
            .offset_from_utc_datetime(
                &Utc.with_ymd_and_hms(from_year, 1, 1, 0, 0, 0)
                    .single()
                    .unwrap_or_default()
                    .naive_utc(),
            )
            .abbreviation()
            .map(String::from)
            .unwrap_or_else(|| offset_text(standard_now));
        push("BEGIN:STANDARD");
        push(&format!("DTSTART:{from_year}0101T000000"));
        push(&format!("TZOFFSETFROM:{}", offset_text(standard_now)));
        push(&format!("TZOFFSETTO:{}", offset_text(standard_now)));
        push(&format!("TZNAME:{name}"));
        push("END:STANDARD");
    }
    for (at, from, to) in list {
        // DTSTART is the local time of the change in the offset before it.
        let local_before = at.naive_utc() + TimeDelta::seconds(i64::from(from));
        let daylight = to > from;
        let kind = if daylight { "DAYLIGHT" } else { "STANDARD" };
        let name = tz
            .offset_from_utc_datetime(&at.naive_utc())
            .abbreviation()
            .map(String::from)
            .unwrap_or_else(|| offset_text(to));
        push(&format!("BEGIN:{kind}"));
        push(&format!("DTSTART:{}", local(local_before)));
        push(&format!("TZOFFSETFROM:{}", offset_text(from)));
        push(&format!("TZOFFSETTO:{}", offset_text(to)));
        push(&format!("TZNAME:{name}"));
        push(&format!("END:{kind}"));
    }
    push("END:VTIMEZONE");
}

/// The whole calendar as an RFC 5545 document (CRLF line ends). `now` stamps the file.
pub fn export(
    name: &str,
    entries: &[IcsEntry<'_>],
    releases: &[IcsRelease],
    now: DateTime<Utc>,
) -> String {
    let mut out = String::new();
    let mut zones: BTreeSet<String> = BTreeSet::new();
    let mut years: Vec<i32> = vec![now.year()];
    for e in entries {
        zones.insert(e.entry.tz.clone());
        years.push(e.entry.start.year());
        years.push(e.entry.end.year());
    }
    for r in releases {
        zones.insert(r.tz.clone());
        years.push(r.start.year());
        years.push(r.end.year());
    }
    let from_year = years.iter().copied().min().unwrap_or(now.year()) - 1;
    let to_year = years.iter().copied().max().unwrap_or(now.year()) + 10;
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Relm//Release calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(l, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", text(name)), &mut out);
    for z in &zones {
        if let Ok(tz) = zone(z)
            && tz != chrono_tz::UTC
        {
            vtimezone(tz, from_year, to_year, &mut out);
        }
    }
    let dt = |prop: &str, tz: &str, t: NaiveDateTime| {
        if tz == "UTC" {
            format!("{prop}:{}Z", local(t))
        } else {
            format!("{prop};TZID={tz}:{}", local(t))
        }
    };
    for e in entries {
        let en = e.entry;
        let tz = zone(&en.tz).unwrap_or(chrono_tz::UTC);
        let mut push = |l: String| fold(&l, &mut out);
        push("BEGIN:VEVENT".into());
        push(format!("UID:{}@relm", e.id));
        push(format!("DTSTAMP:{}", utc(e.updated)));
        push(dt("DTSTART", tz.name(), en.start));
        push(dt("DTEND", tz.name(), en.end));
        for rule in en.rules() {
            push(format!("RRULE:{}", rrule_for_export(rule, tz)));
        }
        for d in &en.exdates {
            push(dt("EXDATE", tz.name(), *d));
        }
        for d in &en.exdays {
            push(format!("EXDATE;VALUE=DATE:{}", d.format("%Y%m%d")));
        }
        for d in &en.rdates {
            push(dt("RDATE", tz.name(), *d));
        }
        for p in &en.periods {
            let (start, end) = (dt("X", tz.name(), p.start), dt("X", tz.name(), p.end));
            let end = end.rsplit_once(':').map(|(_, v)| v).unwrap_or_default();
            push(format!("RDATE;VALUE=PERIOD{}/{end}", &start[1..]));
        }
        push(format!("SUMMARY:{}", text(&en.name)));
        if !en.reason.is_empty() {
            push(format!("DESCRIPTION:{}", text(&en.reason)));
        }
        let (category, transp) = match (en.kind, en.level) {
            (Kind::Window, _) => ("MAINTENANCE WINDOW", "TRANSPARENT"),
            (Kind::Freeze, Some(Level::Soft)) => ("SOFT FREEZE", "OPAQUE"),
            (Kind::Freeze, _) => ("HARD FREEZE", "OPAQUE"),
        };
        push(format!("CATEGORIES:{category}"));
        push(format!("TRANSP:{transp}"));
        push(format!("X-RELM-KIND:{}", en.kind.as_str()));
        if let Some(l) = en.level {
            push(format!("X-RELM-LEVEL:{}", l.as_str()));
        }
        if !en.scope.environments.is_empty() {
            push(format!(
                "X-RELM-ENVIRONMENTS:{}",
                text(&en.scope.environments.join(","))
            ));
        }
        if !en.scope.services.is_empty() {
            push(format!(
                "X-RELM-SERVICES:{}",
                text(&en.scope.services.join(","))
            ));
        }
        push("END:VEVENT".into());
        // Each changed occurrence, as calendar clients write them: the same UID and the
        // occurrence it changes.
        for o in &en.overrides {
            push("BEGIN:VEVENT".into());
            push(format!("UID:{}@relm", e.id));
            push(format!("DTSTAMP:{}", utc(e.updated)));
            let id = dt("RECURRENCE-ID", tz.name(), o.of);
            push(if o.and_future {
                id.replacen("RECURRENCE-ID", "RECURRENCE-ID;RANGE=THISANDFUTURE", 1)
            } else {
                id
            });
            push(dt("DTSTART", tz.name(), o.start));
            push(dt("DTEND", tz.name(), o.end));
            push(format!("SUMMARY:{}", text(&en.name)));
            if o.cancelled {
                push("STATUS:CANCELLED".into());
            }
            push("END:VEVENT".into());
        }
    }
    for r in releases {
        let tz = zone(&r.tz).unwrap_or(chrono_tz::UTC);
        let mut push = |l: String| fold(&l, &mut out);
        push("BEGIN:VEVENT".into());
        push(format!("UID:{}@relm", r.id));
        push(format!("DTSTAMP:{}", utc(r.updated)));
        push(dt(
            "DTSTART",
            tz.name(),
            r.start.with_timezone(&tz).naive_local(),
        ));
        push(dt(
            "DTEND",
            tz.name(),
            r.end.with_timezone(&tz).naive_local(),
        ));
        push(format!("SUMMARY:{}", text(&r.summary)));
        let status = match r.status.as_str() {
            "cancelled" => "CANCELLED",
            "draft" | "planned" => "TENTATIVE",
            _ => "CONFIRMED",
        };
        push(format!("STATUS:{status}"));
        push(format!(
            "DESCRIPTION:{}",
            text(&format!("Relm status: {}", r.status))
        ));
        push("CATEGORIES:RELEASE".into());
        push(format!("X-RELM-STATUS:{}", r.status));
        push("END:VEVENT".into());
    }
    fold("END:VCALENDAR", &mut out);
    out
}
