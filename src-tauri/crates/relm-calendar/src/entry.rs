//! A calendar entry: a freeze (blackout) or a maintenance window, once or recurring, in an
//! IANA time zone.
//!
//! Times are wall-clock times in the entry's zone, because that is how people plan them
//! ("Friday 18:00 to Monday 06:00, Paris time"): a recurring entry keeps its wall-clock times
//! across daylight-saving changes, and its UTC instants move instead.

use chrono::{NaiveDateTime, TimeDelta};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Kind {
    /// A blackout period: releases inside are blocked (hard) or need a justification (soft).
    Freeze,
    /// When an environment has windows, its production releases must fall inside one.
    Window,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Freeze => "freeze",
            Kind::Window => "window",
        }
    }
}

/// `hard freeze`, `soft freeze` or `window`.
pub fn label(kind: Kind, level: Option<Level>) -> String {
    match level {
        Some(l) => format!("{} {}", l.as_str(), kind.as_str()),
        None => kind.as_str().to_string(),
    }
}

/// How strict a freeze is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Level {
    /// Releases inside are blocked.
    Hard,
    /// Releases inside need a written justification and an extra approval.
    Soft,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Hard => "hard",
            Level::Soft => "soft",
        }
    }
}

/// Which releases an entry concerns; an empty list means all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Scope {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
}

impl Scope {
    /// Whether a release of `service` to `environment` is concerned.
    pub fn covers(&self, service: &str, environment: &str) -> bool {
        (self.environments.is_empty() || self.environments.iter().any(|e| e == environment))
            && (self.services.is_empty() || self.services.iter().any(|s| s == service))
    }

    /// Read as a filter (empty lists: anything): whether an entry with scope `entry` concerns
    /// some environment and some service the filter lets through.
    pub fn concerns(&self, entry: &Scope) -> bool {
        let meet = |filter: &[String], scope: &[String]| {
            filter.is_empty() || scope.is_empty() || scope.iter().any(|x| filter.contains(x))
        };
        meet(&self.environments, &entry.environments) && meet(&self.services, &entry.services)
    }

    /// Read as a filter: whether a release of `service` to `environments` goes through.
    pub fn holds(&self, service: &str, environments: &[String]) -> bool {
        (self.environments.is_empty() || environments.iter().any(|e| self.environments.contains(e)))
            && (self.services.is_empty() || self.services.iter().any(|s| s == service))
    }
}

/// Wall-clock time in the entry's zone, written `2027-03-19T18:00` (seconds optional).
pub type Local = NaiveDateTime;

/// Read a wall-clock time as people type it: `2027-03-19T18:00`, `2027-03-19 18:00`, with or
/// without seconds, or a date alone (midnight).
pub fn parse_local(text: &str) -> Option<Local> {
    let t = text.trim();
    for f in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(v) = NaiveDateTime::parse_from_str(t, f) {
            return Some(v);
        }
    }
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_time(chrono::NaiveTime::MIN))
}

/// `2027-03-19T18:00`, with seconds only when there are some (imported calendars may have).
pub fn fmt_local(t: Local) -> String {
    use chrono::Timelike;
    if t.second() == 0 {
        t.format("%Y-%m-%dT%H:%M").to_string()
    } else {
        t.format("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

/// Everything a person decides about an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Entry {
    pub name: String,
    pub kind: Kind,
    /// Freezes only: hard (the default) or soft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub level: Option<Level>,
    #[serde(default)]
    pub scope: Scope,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// The member answerable for the entry (a key id); whoever recorded it when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub owner: Option<String>,
    /// IANA zone the times are in, e.g. `Europe/Paris`.
    pub tz: String,
    /// The first (or only) occurrence, wall-clock in `tz`.
    #[serde(with = "local_text")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub start: Local,
    #[serde(with = "local_text")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub end: Local,
    /// RFC 5545 RRULE value (`FREQ=WEEKLY;BYDAY=FR`), repeating `start`..`end`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rrule: Option<String>,
    /// Occurrences left out (their start, wall-clock).
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "local_list")]
    #[cfg_attr(feature = "ts", ts(type = "Array<string>"))]
    pub exdates: Vec<Local>,
    /// Extra occurrences (their start, wall-clock).
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "local_list")]
    #[cfg_attr(feature = "ts", ts(type = "Array<string>"))]
    pub rdates: Vec<Local>,
    /// Further RRULEs (an imported event may have several): the occurrences are the union.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_rrules: Vec<String>,
    /// Days left out whole (an EXDATE given as a DATE): every occurrence starting that day.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(type = "Array<string>"))]
    pub exdays: Vec<chrono::NaiveDate>,
    /// Extra occurrences with their own length (RDATE;VALUE=PERIOD).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub periods: Vec<Period>,
    /// Occurrences moved, lengthened or cancelled one by one (an event with a RECURRENCE-ID).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Override>,
    /// Where an imported entry came from (the event's UID, or the holiday set), so importing
    /// the same file again updates it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub source: Option<String>,
}

/// An occurrence with its own start and end, wall-clock in the entry's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Period {
    #[serde(with = "local_text")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub start: Local,
    #[serde(with = "local_text")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub end: Local,
}

/// One occurrence changed (RFC 5545 RECURRENCE-ID): the occurrence that would start at `of`
/// starts and ends at `start`..`end` instead, or not at all when `cancelled`. With
/// `and_future` (RANGE=THISANDFUTURE) every later occurrence moves by the same amount and
/// takes the same length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Override {
    #[serde(with = "local_text")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub of: Local,
    #[serde(with = "local_text")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub start: Local,
    #[serde(with = "local_text")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub end: Local,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancelled: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub and_future: bool,
}

/// What is wrong with an entry, and in which field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct EntryError {
    pub field: &'static str,
    pub message: String,
    /// A rule refused by the rule reader: the reader's own words (`message` wraps them).
    pub detail: Option<String>,
    /// Why a rule was refused, for wording in any language, when the reason is one Relm knows.
    pub reason: Option<RuleReason>,
}

/// Why a rule was refused: what was mistaken and the values its wording needs (`value`,
/// `part`, `min`, `max`, `frequency`, as each mistake says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleReason {
    pub mistake: RuleMistake,
    pub params: Vec<(&'static str, String)>,
}

/// The mistakes a person makes typing a recurrence rule, as a closed set the app words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RuleMistake {
    /// FREQ is no frequency (`value`).
    Frequency,
    /// FREQ is more often than hourly.
    TooOften,
    /// A day is not MO…SU (`value`).
    Weekday,
    /// A number out of its part's range, or not a number (`part`, `value`, `min`, `max`).
    Range,
    /// COUNT is not a whole number (`value`).
    Count,
    /// UNTIL is neither a day nor a day and time (`value`).
    Until,
    /// No FREQ.
    NoFrequency,
    /// A part written twice (`part`).
    Repeated,
    /// Not a part of a rule, or not NAME=VALUE (`value`).
    Part,
    /// A BY part the frequency does not take (`part`, `frequency`).
    ByFrequency,
    /// A value its part cannot have (`part`, `value`).
    NotAllowed,
}

impl RuleMistake {
    /// The mistake's code, as the app reads it: its serialized name (`by_frequency`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Frequency => "frequency",
            Self::TooOften => "too_often",
            Self::Weekday => "weekday",
            Self::Range => "range",
            Self::Count => "count",
            Self::Until => "until",
            Self::NoFrequency => "no_frequency",
            Self::Repeated => "repeated",
            Self::Part => "part",
            Self::ByFrequency => "by_frequency",
            Self::NotAllowed => "not_allowed",
        }
    }
}

impl RuleReason {
    pub(crate) fn new(mistake: RuleMistake, params: &[(&'static str, &str)]) -> Self {
        RuleReason {
            mistake,
            params: params.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        }
    }
}

pub(crate) fn bad(field: &'static str, message: impl Into<String>) -> EntryError {
    EntryError {
        field,
        message: message.into(),
        detail: None,
        reason: None,
    }
}

/// The longest entry name, in characters.
pub const MAX_NAME: usize = 120;

/// The longest an occurrence may last: longer "freezes" are almost always a typo in a year.
pub const MAX_DURATION_DAYS: i64 = 366;

impl Entry {
    /// A hard freeze in UTC at 1970-01-01 with nothing else set: the base to build entries
    /// from (`Entry { name, start, end, ..Entry::blank() }`).
    pub fn blank() -> Entry {
        Entry {
            name: String::new(),
            kind: Kind::Freeze,
            level: Some(Level::Hard),
            scope: Scope::default(),
            reason: String::new(),
            owner: None,
            tz: "UTC".into(),
            start: Local::default(),
            end: Local::default(),
            rrule: None,
            exdates: Vec::new(),
            rdates: Vec::new(),
            more_rrules: Vec::new(),
            exdays: Vec::new(),
            periods: Vec::new(),
            overrides: Vec::new(),
            source: None,
        }
    }

    /// Every RRULE: `rrule`, then `more_rrules`.
    pub fn rules(&self) -> impl Iterator<Item = &String> {
        self.rrule.iter().chain(&self.more_rrules)
    }

    /// The zone, or an error naming it.
    pub fn zone(&self) -> Result<Tz, EntryError> {
        zone(&self.tz)
    }

    pub fn duration(&self) -> TimeDelta {
        self.end - self.start
    }

    /// Normalise and check every field rule.
    pub fn validate(&mut self) -> Result<(), EntryError> {
        self.name = self.name.trim().to_string();
        if self.name.is_empty() || self.name.chars().count() > MAX_NAME {
            return Err(bad(
                "name",
                format!("give the entry a name of 1 to {MAX_NAME} characters"),
            ));
        }
        self.zone()?;
        match (self.kind, self.level) {
            (Kind::Freeze, None) => self.level = Some(Level::Hard),
            (Kind::Window, Some(_)) => {
                return Err(bad("level", "hard and soft apply to freezes only"));
            }
            _ => {}
        }
        if self.end < self.start {
            return Err(bad(
                "end",
                format!(
                    "the end ({}) must not be before the start ({})",
                    fmt_local(self.end),
                    fmt_local(self.start)
                ),
            ));
        }
        let too_long = |from: Local, to: Local| to - from > TimeDelta::days(MAX_DURATION_DAYS);
        if too_long(self.start, self.end)
            || self.periods.iter().any(|p| too_long(p.start, p.end))
            || self.overrides.iter().any(|o| too_long(o.start, o.end))
        {
            return Err(bad(
                "end",
                format!(
                    "an occurrence may last at most {MAX_DURATION_DAYS} days; check the year of the end"
                ),
            ));
        }
        if let Some(p) = self.periods.iter().find(|p| p.end < p.start) {
            return Err(bad(
                "rdate",
                format!(
                    "the period starting {} ends before it starts",
                    fmt_local(p.start)
                ),
            ));
        }
        if let Some(o) = self.overrides.iter().find(|o| o.end < o.start) {
            return Err(bad(
                "override",
                format!(
                    "the occurrence moved to {} ends before it starts",
                    fmt_local(o.start)
                ),
            ));
        }
        for list in [&mut self.scope.environments, &mut self.scope.services] {
            for v in list.iter_mut() {
                *v = v.trim().to_string();
            }
            list.retain(|v| !v.is_empty());
            list.sort();
            list.dedup();
        }
        let tidy = |rule: &str| rule.trim().trim_start_matches("RRULE:").to_string();
        self.rrule = self.rrule.as_deref().map(tidy);
        self.more_rrules = self.more_rrules.iter().map(|r| tidy(r)).collect();
        if self.rrule.is_none() && !self.more_rrules.is_empty() {
            self.rrule = Some(self.more_rrules.remove(0));
        }
        // The same code that lists the occurrences, so that nothing stored fails later.
        crate::expand::check(self)
    }
}

/// An IANA zone by name.
pub fn zone(name: &str) -> Result<Tz, EntryError> {
    name.trim().parse::<Tz>().map_err(|_| {
        bad(
            "tz",
            format!("unknown time zone `{name}`; use an IANA name such as Europe/Paris or America/New_York"),
        )
    })
}

mod local_text {
    use super::{Local, fmt_local, parse_local};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Local, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&fmt_local(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Local, D::Error> {
        let text = String::deserialize(d)?;
        parse_local(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a local time")))
    }
}

mod local_list {
    use super::{Local, fmt_local, parse_local};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(ts: &[Local], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(ts.iter().map(|t| fmt_local(*t)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Local>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|text| {
                parse_local(text).ok_or_else(|| {
                    serde::de::Error::custom(format!("`{text}` is not a local time"))
                })
            })
            .collect()
    }
}
